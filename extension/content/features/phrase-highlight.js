/* Phrase highlight: clicking a chip outlines every card on the page whose keyphrases are the same phrase
 * (the backend's stemmed `key`: "diffusion transformers" and "Diffusion Transformer" are one), with a
 * dashed outline the cards whose phrases contain it or sit inside it ("neural network" / "graph neural
 * network"). A small bar at the bottom of the window counts them and steps through them (Next / Previous
 * bring each card into view in the order the reader sees them, sorted or not); the same chip again, or
 * Clear, or Escape in the bar, ends it.
 * Listens: "chip" {phrase, key, root}, "annotation" (marks new cards too), "navigated". */
(function () {
  "use strict";

  const { el, unclass } = globalThis.PaperLensDom;
  const Triage = globalThis.PaperLensTriage;

  function init(signal, ctx) {
    let active = null; // {key, phrase, id (the paper whose chip was clicked)}
    let bar = null;
    let at = -1; // which match Next last brought into view

    function paperOf(root) {
      return ctx.papers.forId(root.dataset.plPaper)[0] || null;
    }

    /** Mark the cards matching the active phrase; returns the matching roots shown on the page, one per
     * paper, in the order the reader sees them (top to bottom, left to right). */
    function mark() {
      const cards = new Map(); // card -> "same" | "related" | null (its best match)
      const shown = new Map(); // paper id -> a displayed root of it
      for (const root of ctx.roots()) {
        const paper = paperOf(root);
        const m = active && paper ? Triage.paperMatch(paper, active.key) : null;
        const card = ctx.cardOf(root);
        if (card) cards.set(card, cards.get(card) === "same" ? "same" : m || cards.get(card) || null);
        if (m && root.getClientRects().length && !shown.has(root.dataset.plPaper)) shown.set(root.dataset.plPaper, root);
        for (const chip of root.querySelectorAll(".pl-chip")) {
          const r = active ? Triage.relation(chip.dataset.plKey, active.key) : null;
          chip.setAttribute("aria-pressed", r === "same" ? "true" : "false");
          chip.classList.toggle("pl-chip-related", r === "related");
        }
      }
      for (const [card, m] of cards) {
        card.classList.toggle("pl-match", m === "same");
        card.classList.toggle("pl-match-related", m === "related");
      }
      const pos = (r) => r.getBoundingClientRect();
      return [...shown.values()].sort((a, b) => pos(a).top - pos(b).top || pos(a).left - pos(b).left);
    }

    function clear() {
      active = null;
      at = -1;
      if (bar) bar.remove();
      bar = null;
      for (const card of document.querySelectorAll(".pl-match, .pl-match-related")) unclass(card, "pl-match", "pl-match-related");
      for (const chip of document.querySelectorAll(".pl-chip[aria-pressed='true']")) chip.setAttribute("aria-pressed", "false");
      for (const chip of document.querySelectorAll(".pl-chip-related")) chip.classList.remove("pl-chip-related");
    }

    function say(text) {
      if (bar) bar.querySelector(".pl-hl-text").textContent = text;
    }

    function summary(matches) {
      const others = matches.filter((r) => r.dataset.plPaper !== active.id);
      const related = others.filter((r) => Triage.paperMatch(paperOf(r), active.key) === "related").length;
      if (!others.length) return `No other paper here has “${active.phrase}”`;
      const n = others.length === 1 ? "1 other paper" : `${others.length} other papers`;
      return `${n} here share “${active.phrase}”` + (related ? ` (${related} with a related phrase)` : "");
    }

    /** Bring the next (step 1) or previous (-1) match into view; the focus stays in the bar. */
    function step(dir) {
      const matches = mark();
      if (!matches.length) return;
      at = (at + dir + matches.length) % matches.length;
      const root = matches[at];
      ctx.jump(root.dataset.plPaper, { focus: false });
      const paper = paperOf(root);
      say(`${at + 1} of ${matches.length}: ${(paper && paper.title) || root.dataset.plPaper}`);
    }

    function showBar(matches) {
      if (bar) bar.remove();
      const button = (text, label, fn) =>
        el("button", { className: "pl-btn", text, attrs: { type: "button", "aria-label": label }, on: { click: fn } });
      bar = el("div", { className: "pl-toast pl-hl-bar", attrs: { role: "region", "aria-label": "Paper Lens: papers sharing a keyphrase" } }, [
        el("span", { className: "pl-hl-text", text: summary(matches), attrs: { role: "status", "aria-live": "polite" } }),
        button("↑ Previous", "Previous paper with this phrase", () => step(-1)),
        button("↓ Next", "Next paper with this phrase", () => step(1)),
        button("Clear", "Clear the highlight", clear),
      ]);
      bar.addEventListener("keydown", (e) => {
        if (e.key === "Escape") clear();
      });
      const more = matches.filter((r) => r.dataset.plPaper !== active.id).length > 0;
      for (const b of bar.querySelectorAll("button")) if (b.textContent !== "Clear") b.disabled = !more;
      document.body.append(bar);
    }

    ctx.on("chip", ({ phrase, key, root }) => {
      const k = key || Triage.phraseKey(phrase);
      if (active && active.key === k) {
        clear();
        return;
      }
      active = { key: k, phrase, id: root.dataset.plPaper };
      const matches = mark();
      at = matches.indexOf(matches.find((r) => r.dataset.plPaper === active.id));
      showBar(matches);
    });
    ctx.on("annotation", () => {
      if (active) mark();
    });
    ctx.on("navigated", clear);
    signal.addEventListener("abort", clear);
  }

  globalThis.PaperLensFeatures = Object.assign(globalThis.PaperLensFeatures || {}, { phraseHighlight: { init } });
})();
