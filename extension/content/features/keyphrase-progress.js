/* Keyphrase progress: while keyphrases are still being computed, a small note in the corner says how many
 * cards have theirs ("keyphrases 12/100"); it goes when they all have.
 * Listens: "keyphrase-progress" {done, total} (from chips.js). */
(function () {
  "use strict";

  const { el } = globalThis.PaperLensDom;

  function init(signal, ctx) {
    let node = null;

    ctx.on("keyphrase-progress", ({ done, total }) => {
      if (done >= total) {
        if (node) node.remove();
        node = null;
        return;
      }
      if (!node) {
        node = el("div", { className: "pl-progress", attrs: { role: "status", "aria-live": "polite" } });
        document.body.append(node);
      }
      node.textContent = `Paper Lens: keyphrases ${done}/${total}`;
    });

    signal.addEventListener("abort", () => {
      if (node) node.remove();
    });
  }

  globalThis.PaperLensFeatures = Object.assign(globalThis.PaperLensFeatures || {}, { keyphraseProgress: { init } });
})();
