/* Muted terms: a card whose paper matches one of the reader's muted words, phrases or authors (the
 * backend's `muted`; the terms are kept in the options page) is dimmed, and says why ("Muted:
 * “benchmark” (word)"). Muting a term elsewhere re-asks the page (annotate.js, "triage-changed").
 * Listens: "annotation", "update". */
(function () {
  "use strict";

  const { el, unclass } = globalThis.PaperLensDom;
  const Triage = globalThis.PaperLensTriage;

  function init(signal, ctx) {
    function draw(root, card, paper) {
      const reason = Triage.mutedReason(paper.muted);
      const old = root.querySelector(".pl-muted-why");
      if (old) old.remove();
      if (reason) {
        const node = el("span", { className: "pl-muted-why", text: reason, attrs: { title: "Change muted terms in the Paper Lens options" } });
        const seen = root.querySelector(".pl-seen");
        if (seen) seen.after(node);
        else root.querySelector(".pl-meta").prepend(node);
      }
      if (card) card.classList.toggle("pl-muted-card", Boolean(reason));
    }

    ctx.on("annotation", ({ root, card, paper }) => draw(root, card, paper));
    ctx.on("update", ({ root, card, paper }) => draw(root, card, paper));

    signal.addEventListener("abort", () => {
      for (const node of document.querySelectorAll(".pl-muted-card")) unclass(node, "pl-muted-card");
    });
  }

  globalThis.PaperLensFeatures = Object.assign(globalThis.PaperLensFeatures || {}, { mutedTerms: { init } });
})();
