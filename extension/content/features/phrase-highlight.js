/* Phrase highlight: clicking a chip outlines every card on the page that shares the keyphrase; the same
 * chip again clears it. Listens: "chip" {phrase, root}, "annotation" (marks new cards too), "navigated". */
(function () {
  "use strict";

  function init(signal, ctx) {
    let active = null; // the highlighted phrase, lower-cased

    function has(root, key) {
      return ctx.papers
        .forId(root.dataset.plPaper)
        .some((p) => (p.keyphrases || []).some((k) => String((k && k.phrase) || k).toLowerCase() === key));
    }

    /** Mark the cards sharing the active phrase; returns how many papers share it. */
    function mark() {
      const sharing = new Set();
      const cards = new Map(); // card -> whether any of its roots shares the phrase
      for (const root of ctx.roots()) {
        const yes = active !== null && has(root, active);
        if (yes) sharing.add(root.dataset.plPaper);
        const card = ctx.cardOf(root);
        if (card) cards.set(card, cards.get(card) || yes);
        for (const chip of root.querySelectorAll(".pl-chip")) {
          chip.setAttribute("aria-pressed", active !== null && chip.dataset.plPhrase === active ? "true" : "false");
        }
      }
      for (const [card, yes] of cards) card.classList.toggle("pl-match", yes);
      return sharing.size;
    }

    function clear() {
      active = null;
      for (const card of document.querySelectorAll(".pl-match")) card.classList.remove("pl-match");
      for (const chip of document.querySelectorAll(".pl-chip[aria-pressed='true']")) chip.setAttribute("aria-pressed", "false");
    }

    ctx.on("chip", ({ phrase, root }) => {
      const key = phrase.toLowerCase();
      if (active === key) {
        clear();
        ctx.flash(root, "", 0);
        return;
      }
      active = key;
      const n = mark();
      ctx.flash(root, n > 1 ? `${n} papers on this page share “${phrase}”` : `No other paper here has “${phrase}”`, 5000);
    });
    ctx.on("annotation", () => {
      if (active !== null) mark();
    });
    ctx.on("navigated", clear);
    signal.addEventListener("abort", clear);
  }

  globalThis.PaperLensFeatures = Object.assign(globalThis.PaperLensFeatures || {}, { phraseHighlight: { init } });
})();
