/* For you: a thin amber edge on the few cards closest to the papers the reader saved (the backend's
 * for_you score), "Close to your saved papers" above their chips.
 * Listens: "papers" (ranks the page's papers), "annotation" (marks the chosen ones). */
(function () {
  "use strict";

  const FOR_YOU_MIN = 0.3; // below this nothing is "close to your library"
  const FOR_YOU_SHARE = 0.1; // highlight at most the top 10% of a page

  function init(signal, ctx) {
    const chosen = new Set(); // paper ids

    ctx.on("papers", ({ papers }) => {
      const unique = [...new Map(papers.map((p) => [p.id, p])).values()];
      const scored = unique.filter((p) => typeof p.for_you === "number" && p.for_you >= FOR_YOU_MIN);
      scored.sort((a, b) => b.for_you - a.for_you);
      const top = Math.max(1, Math.floor(unique.length * FOR_YOU_SHARE));
      for (const p of unique) chosen.delete(p.id);
      for (const p of scored.slice(0, top)) chosen.add(p.id);
    });

    ctx.on("annotation", ({ root, card, paper }) => {
      const yes = chosen.has(paper.id);
      root.classList.toggle("pl-annot-for-you", yes);
      if (card) card.classList.toggle("pl-for-you", yes);
    });

    signal.addEventListener("abort", () => {
      for (const node of document.querySelectorAll(".pl-for-you")) node.classList.remove("pl-for-you");
    });
  }

  globalThis.PaperLensFeatures = Object.assign(globalThis.PaperLensFeatures || {}, { forYou: { init } });
})();
