/* Builds one card's annotation: a save star, keyphrase chips and the related list.
 * Pure DOM construction; behaviour (what a click does) comes in through `handlers`. */
(function () {
  "use strict";

  const { el, safePaperHref } = globalThis.PaperLensDom;

  /** Reflect saved status on a star button. */
  function setStar(button, saved) {
    button.setAttribute("aria-pressed", saved ? "true" : "false");
    button.textContent = saved ? "★" : "☆";
    button.title = saved ? "Saved in your Paper Lens library: click to unsave" : "Save to your Paper Lens library";
    button.classList.toggle("pl-star-on", Boolean(saved));
  }

  /** Fill (or refill) the chips group of an annotation from paper.keyphrases / paper.pending. */
  function setChips(root, paper, opts, handlers) {
    const group = root.querySelector(".pl-chips");
    if (!group) return;
    group.replaceChildren();
    group.removeAttribute("aria-busy");
    const phrases = (Array.isArray(paper.keyphrases) ? paper.keyphrases : [])
      .map((k) => (k && typeof k === "object" ? k.phrase : k))
      .filter((p) => typeof p === "string" && p.trim())
      .slice(0, opts.perCard);
    if (!phrases.length && paper.pending) {
      group.setAttribute("aria-busy", "true");
      group.append(el("span", { className: "pl-pending", text: "keyphrases…" }));
      return;
    }
    for (const phrase of phrases) {
      group.append(
        el("button", {
          className: "pl-chip",
          text: phrase,
          attrs: {
            type: "button",
            "aria-pressed": "false",
            "aria-label": `Keyphrase ${phrase}: highlight papers on this page that share it`,
            title: "Highlight papers on this page that share this keyphrase",
          },
          dataset: { plPhrase: phrase.toLowerCase() },
          on: { click: () => handlers.onChip(phrase, root) },
        })
      );
    }
  }

  function relatedItem(rel) {
    const why = Array.isArray(rel.why) ? rel.why.filter((t) => typeof t === "string") : [];
    const link = el("a", {
      className: "pl-rel-link",
      text: String(rel.title || rel.id || ""),
      attrs: {
        href: safePaperHref(rel.url, rel.id),
        title: why.length ? `Shared terms: ${why.join(", ")}` : null,
      },
    });
    const marker = el("span", {
      className: "pl-rel-saved",
      text: "★ saved",
      attrs: { hidden: !rel.saved },
    });
    return el("li", { className: "pl-rel", dataset: { plRel: String(rel.id || "") } }, [link, " ", marker]);
  }

  /** The annotation element for one card: the only node carrying data-pl-paper for that card.
   * opts: {perCard, showRelated}; handlers: {onChip(phrase, root), onStar(id, root)}. */
  function annotation(paper, opts, handlers) {
    const star = el("button", {
      className: "pl-star",
      attrs: { type: "button", "aria-label": "Save paper" },
      on: { click: () => handlers.onStar(paper.id, root) },
    });
    setStar(star, paper.saved);
    const chips = el("div", { className: "pl-chips", attrs: { role: "group", "aria-label": "Keyphrases" } });
    const msg = el("span", { className: "pl-msg", attrs: { role: "status", "aria-live": "polite" } });
    const row = el("div", { className: "pl-row" }, [star, chips]);
    const root = el(
      "div",
      { className: "pl-annot", attrs: { "data-pl-paper": paper.id, role: "group", "aria-label": "Paper Lens" } },
      [row, msg]
    );
    const related = Array.isArray(paper.related) ? paper.related : [];
    if (opts.showRelated && related.length) {
      const details = el("details", { className: "pl-related" }, [
        el("summary", { className: "pl-related-summary", text: `Related in your library (${related.length})` }),
        el("ol", { className: "pl-related-list" }, related.map(relatedItem)),
      ]);
      root.append(details);
    }
    setChips(root, paper, opts, handlers);
    return root;
  }

  /** Show a short message on an annotation (cleared after `ms`). */
  function flash(root, text, ms) {
    const msg = root.querySelector(".pl-msg");
    if (!msg) return;
    msg.textContent = text;
    clearTimeout(msg._plTimer);
    if (ms) msg._plTimer = setTimeout(() => (msg.textContent = ""), ms);
  }

  /** The banner shown when the backend cannot be reached or refuses the page. */
  function banner(problem, handlers) {
    const children = [el("strong", { text: "Paper Lens: " })];
    if (problem.down) {
      children.push(
        el("span", { text: `the backend is not running (nothing answers at ${problem.backendUrl}). Start it from the Paper Lens folder with:` }),
        el("code", { className: "pl-banner-cmd", text: problem.command })
      );
    } else {
      children.push(el("span", { text: `could not annotate this page: ${problem.error}` }));
    }
    const actions = el("div", { className: "pl-banner-actions" }, [
      el("button", { className: "pl-btn", text: "Retry", attrs: { type: "button" }, on: { click: handlers.onRetry } }),
      el("button", { className: "pl-btn", text: "Dismiss", attrs: { type: "button" }, on: { click: handlers.onDismiss } }),
    ]);
    children.push(actions);
    return el("div", { className: "pl-banner", attrs: { role: "status", "aria-live": "polite" } }, children);
  }

  globalThis.PaperLensRender = Object.freeze({ annotation, setStar, setChips, flash, banner });
})();
