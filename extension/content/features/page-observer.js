/* Page observer: the site is a single-page app, so cards come and go without a page load (navigation,
 * more results, a card re-rendered in place). Any change outside Paper Lens's own nodes schedules a pass
 * (debounced by annotate.js); so does history navigation. */
(function () {
  "use strict";

  const { SELECTORS } = globalThis.PaperLensSelectors;

  function init(signal, ctx) {
    const ours = (n) => n.nodeType !== Node.ELEMENT_NODE || n.matches(SELECTORS.ours) || Boolean(n.closest(SELECTORS.ours));
    const observer = new MutationObserver((records) => {
      for (const r of records) {
        const node = r.target.nodeType === Node.ELEMENT_NODE ? r.target : r.target.parentElement;
        if (!node || node.closest(SELECTORS.ours)) continue;
        if (r.type === "attributes" || r.type === "characterData") {
          ctx.requestPass(); // a link or a title changed in place
          return;
        }
        const added = [...r.addedNodes].some((n) => n.nodeType === Node.ELEMENT_NODE && !ours(n));
        const removedOurs = [...r.removedNodes].some((n) => n.nodeType === Node.ELEMENT_NODE && n.matches(".pl-annot"));
        if (added || removedOurs) {
          ctx.requestPass();
          return;
        }
      }
    });
    observer.observe(document.body, { childList: true, subtree: true, characterData: true, attributes: true, attributeFilter: ["href"] });
    window.addEventListener("popstate", () => ctx.requestPass(), { signal });
    signal.addEventListener("abort", () => observer.disconnect());
  }

  globalThis.PaperLensFeatures = Object.assign(globalThis.PaperLensFeatures || {}, { pageObserver: { init } });
})();
