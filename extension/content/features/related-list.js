/* Related papers: "Related in your library (N)" under each card, the backend's list best first, ★ on the
 * saved ones, the shared terms on hover. Off with the showRelated setting.
 * Listens: "annotation" (adds the list), "saved" {id, saved} (moves the ★ markers). */
(function () {
  "use strict";

  const { el } = globalThis.PaperLensDom;
  const { safeHref } = globalThis.PaperLensLinks;

  function item(rel) {
    const why = Array.isArray(rel.why) ? rel.why.filter((t) => typeof t === "string") : [];
    const href = safeHref(rel.url);
    const title = String(rel.title || rel.id || "");
    const link = el(href ? "a" : "span", {
      className: "pl-rel-link",
      text: title,
      attrs: { href, title: why.length ? `Shared terms: ${why.join(", ")}` : null },
    });
    const marker = el("span", { className: "pl-rel-saved", text: "★ saved", attrs: { hidden: !rel.saved } });
    return el("li", { className: "pl-rel", dataset: { plRel: String(rel.id || "") } }, [link, " ", marker]);
  }

  function init(signal, ctx) {
    if (!ctx.settings.showRelated) return;

    ctx.on("annotation", ({ root, paper }) => {
      const related = Array.isArray(paper.related) ? paper.related : [];
      if (!related.length) return;
      root.append(
        el("details", { className: "pl-related" }, [
          el("summary", { className: "pl-related-summary", text: `Related in your library (${related.length})` }),
          el("ol", { className: "pl-related-list" }, related.map(item)),
        ])
      );
    });

    ctx.on("saved", ({ id, saved }) => {
      for (const li of document.querySelectorAll(`.pl-rel[data-pl-rel="${CSS.escape(id)}"] .pl-rel-saved`)) {
        li.hidden = !saved;
      }
    });
  }

  globalThis.PaperLensFeatures = Object.assign(globalThis.PaperLensFeatures || {}, { relatedList: { init } });
})();
