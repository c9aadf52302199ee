/* Seen before: "new" or "seen Nov 20 on the daily page" on every card (the backend's seen_before,
 * first_seen and first_seen_page, as the page first heard them: see annotate.js), the full time and the
 * first page on hover. With the dimSeen setting (the page bar's "Dim seen") papers already seen are
 * dimmed, so today's new ones stand out.
 * Listens: "annotation", "update" (draws the label), "settings" (dims or not). */
(function () {
  "use strict";

  const { el, unclass } = globalThis.PaperLensDom;
  const Triage = globalThis.PaperLensTriage;

  function init(signal, ctx) {
    function draw(root, card, paper) {
      const label = Triage.seenLabel(paper, new Date(), location.href);
      const node = el("span", {
        className: label.seen ? "pl-seen" : "pl-seen pl-seen-new",
        text: label.text,
        attrs: { title: label.title },
      });
      const old = root.querySelector(".pl-seen");
      if (old) old.replaceWith(node);
      else root.querySelector(".pl-meta").prepend(node);
      if (card) card.classList.toggle("pl-dim-seen", Boolean(ctx.settings.dimSeen && label.seen));
    }

    ctx.on("annotation", ({ root, card, paper }) => draw(root, card, paper));
    ctx.on("update", ({ root, card, paper }) => draw(root, card, paper));
    ctx.on("settings", () => {
      for (const root of ctx.roots()) {
        const card = ctx.cardOf(root);
        const seen = !root.querySelector(".pl-seen-new");
        if (card) card.classList.toggle("pl-dim-seen", Boolean(ctx.settings.dimSeen && seen));
      }
    });

    signal.addEventListener("abort", () => {
      for (const node of document.querySelectorAll(".pl-dim-seen")) unclass(node, "pl-dim-seen");
    });
  }

  globalThis.PaperLensFeatures = Object.assign(globalThis.PaperLensFeatures || {}, { seenLabel: { init } });
})();
