/* For you: a thin amber edge on the cards the backend marks as close to the reader's library
 * (`for_you_mark`: its rule, which adapts to each page), and "Close to your library" above their chips,
 * which opens (click, Enter or Space; the titles also show on hover) to say why: the saved papers it is
 * closest to (`for_you_because`) and the words they share.
 * Listens: "annotation", "update" (marks, or unmarks, the card). */
(function () {
  "use strict";

  const { el, unclass } = globalThis.PaperLensDom;
  const Triage = globalThis.PaperLensTriage;

  // Its lines are divs, not <p>: the site styles `article p` (size, margins), and ours must not take that.
  function because(paper) {
    const items = Triage.becauseList(paper);
    const score = typeof paper.for_you === "number" ? ` (closeness ${paper.for_you.toFixed(2)})` : "";
    const hover = items.length
      ? "Closest to: " + items.map((b) => b.title + (b.why.length ? ` (${b.why.join(", ")})` : "")).join("; ")
      : "One of this page's closest papers to your library";
    const list = items.length
      ? el(
          "ul",
          { className: "pl-because-list" },
          items.map((b) =>
            el("li", { className: "pl-because-item", dataset: { plBecause: b.id } }, [
              el("span", { className: "pl-because-title", text: b.title }),
              b.why.length ? el("span", { className: "pl-because-why", text: ` shares ${b.why.join(", ")}` }) : null,
            ])
          )
        )
      : el("div", { className: "pl-because-none", text: "No saved paper shares enough words to name: marked as one of this page's closest." });
    return el("details", { className: "pl-because" }, [
      el("summary", { className: "pl-because-summary", text: "Close to your library", attrs: { title: hover + score } }),
      el("div", { className: "pl-because-head", text: `Closest saved papers${score}:` }),
      list,
    ]);
  }

  function init(signal, ctx) {
    function draw(root, card, paper) {
      const yes = paper.for_you_mark === true;
      const old = root.querySelector(".pl-because");
      root.classList.toggle("pl-annot-for-you", yes);
      if (card) card.classList.toggle("pl-for-you", yes);
      if (!yes) {
        if (old) old.remove();
        return;
      }
      const node = because(paper);
      if (old) {
        node.open = old.open;
        old.replaceWith(node);
      } else root.querySelector(".pl-meta").after(node);
    }

    ctx.on("annotation", ({ root, card, paper }) => draw(root, card, paper));
    ctx.on("update", ({ root, card, paper }) => draw(root, card, paper));

    signal.addEventListener("abort", () => {
      for (const node of document.querySelectorAll(".pl-for-you")) unclass(node, "pl-for-you");
    });
  }

  globalThis.PaperLensFeatures = Object.assign(globalThis.PaperLensFeatures || {}, { forYou: { init } });
})();
