/* Keyphrase chips: the paper's keyphrases as buttons under its title. Papers whose keyphrases are still
 * being computed show "keyphrases…" and fill in as the backend finishes them: polled by paper id, the
 * ones on screen first (the backend computes them in the order asked, so scrolling re-prioritizes).
 * The backend marks the phrases past its score floors `more` (fewer chips rather than vague ones): they
 * wait behind a "+N" button on the card, in the DOM but hidden, so a chip click still finds them.
 * Listens: "annotation" (adds the chips), "papers" (starts polling for pending ones).
 * Emits: "chip" {phrase, key, root} on a click (phrase-highlight.js acts on it; `key` says which chips are
 * the same phrase, shared/triage.js phraseKey); "keyphrase-progress"
 * {done, total} while some are pending and once they are all in. */
(function () {
  "use strict";

  const { el, isOnScreen } = globalThis.PaperLensDom;
  const Triage = globalThis.PaperLensTriage;

  // Quick at first (the cards on screen take the backend well under a second), then every 1.5 s.
  const POLL_MS = [300, 300, 500, 500, 800, 1000];
  const POLL_LATER_MS = 1500;
  const POLL_MAX = 125; // about three minutes of polling for pending keyphrases

  /** [{phrase, key, more}] of the paper's keyphrases, at most `perCard` (null: all). */
  function phrasesOf(paper, perCard) {
    return (Array.isArray(paper.keyphrases) ? paper.keyphrases : [])
      .map((k) => ({
        phrase: k && typeof k === "object" ? k.phrase : k,
        key: Triage.phraseKey(k),
        more: Boolean(k && typeof k === "object" && k.more === true),
      }))
      .filter((k) => typeof k.phrase === "string" && k.phrase.trim())
      .slice(0, perCard === null ? undefined : perCard);
  }

  function init(signal, ctx) {
    const perCard = ctx.settings.keyphrasesPerCard;
    const pending = new Set(); // paper ids
    let asked = 0; // papers that were pending since the page came (for "keyphrases 12/100")
    let polling = false;

    function progress() {
      ctx.emit("keyphrase-progress", { done: asked - pending.size, total: asked });
    }

    /** The pending ids, those with a card on screen first (each in page order). */
    function inOrder() {
      const seen = ctx.roots().filter((r) => pending.has(r.dataset.plPaper)).map((r) => [r.dataset.plPaper, isOnScreen(r)]);
      const ids = [...new Set([...seen.filter(([, on]) => on), ...seen].map(([id]) => id))];
      return [...ids, ...[...pending].filter((id) => !ids.includes(id))];
    }

    function fill(root, paper) {
      let group = root.querySelector(".pl-chips");
      if (!group) {
        group = el("div", { className: "pl-chips", attrs: { role: "group", "aria-label": "Keyphrases" } });
        root.querySelector(".pl-row").append(group);
      }
      group.replaceChildren();
      // Still being computed: busy, showing the remembered phrases if the session has them, else a note.
      if (paper.pending) group.setAttribute("aria-busy", "true");
      else group.removeAttribute("aria-busy");
      const phrases = phrasesOf(paper, perCard);
      if (!phrases.length && paper.pending) {
        group.append(el("span", { className: "pl-pending", text: "keyphrases…" }));
        return;
      }
      const extra = [];
      for (const { phrase, key, more } of phrases) {
        const chip = el("button", {
          className: more ? "pl-chip pl-chip-extra" : "pl-chip",
          text: phrase,
          attrs: {
            type: "button",
            "aria-pressed": "false",
            "aria-label": `Keyphrase ${phrase}: highlight papers on this page that share it`,
            title: "Highlight papers on this page that share this keyphrase",
          },
          dataset: { plPhrase: phrase.toLowerCase(), plKey: key },
          on: { click: () => ctx.emit("chip", { phrase, key, root }) },
        });
        if (more) {
          chip.hidden = true;
          extra.push(chip);
        }
        group.append(chip);
      }
      if (extra.length) group.append(moreButton(extra));
    }

    /** "+N": shows the card's `extra` chips (the ones under the backend's floors), and hides them again. */
    function moreButton(extra) {
      const label = (open) => (open ? "Show fewer keyphrases" : `Show ${extra.length} more keyphrase${extra.length > 1 ? "s" : ""}`);
      const button = el("button", {
        className: "pl-chips-more",
        text: `+${extra.length}`,
        attrs: { type: "button", "aria-expanded": "false", "aria-label": label(false), title: label(false) },
      });
      button.addEventListener(
        "click",
        () => {
          const open = button.getAttribute("aria-expanded") !== "true";
          for (const chip of extra) chip.hidden = !open;
          button.setAttribute("aria-expanded", String(open));
          button.setAttribute("aria-label", label(open));
          button.title = label(open);
          button.textContent = open ? "−" : `+${extra.length}`;
        },
        { signal }
      );
      return button;
    }

    /** New keyphrases (or none, `[]`) for paper `id`: into every paper object and root of it. */
    function settle(id, keyphrases) {
      pending.delete(id);
      const papers = ctx.papers.forId(id);
      for (const p of papers) {
        p.keyphrases = keyphrases === undefined ? p.keyphrases || [] : keyphrases;
        p.pending = false;
      }
      if (papers.length) for (const root of ctx.roots(id)) fill(root, papers[0]);
    }

    async function poll() {
      if (polling) return;
      polling = true;
      try {
        for (let i = 0; i < POLL_MAX && pending.size && !signal.aborted; i++) {
          await new Promise((r) => setTimeout(r, i < POLL_MS.length ? POLL_MS[i] : POLL_LATER_MS));
          if (signal.aborted) return;
          const res = await ctx.send({ type: "keyphrases", ids: inOrder() });
          if (signal.aborted) return;
          if (!res.ok) continue; // the backend may be restarting: ask again next round
          const got = res.data.keyphrases || {};
          const still = new Set(Array.isArray(res.data.pending) ? res.data.pending : []);
          for (const id of [...pending]) if (!still.has(id)) settle(id, Array.isArray(got[id]) ? got[id] : []);
          progress();
        }
        // Whatever is still pending gets a plain "no keyphrases" instead of a spinner.
        for (const id of [...pending]) settle(id, undefined);
        progress();
      } finally {
        polling = false;
      }
    }

    ctx.on("annotation", ({ root, paper }) => fill(root, paper));
    ctx.on("papers", ({ papers, fresh }) => {
      if (!fresh) return;
      for (const p of papers) {
        if (p.pending && !pending.has(p.id)) {
          pending.add(p.id);
          asked += 1;
        }
      }
      if (pending.size) {
        progress();
        poll();
      }
    });
  }

  globalThis.PaperLensFeatures = Object.assign(globalThis.PaperLensFeatures || {}, { chips: { init } });
})();
