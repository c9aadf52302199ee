/* Save star: ☆ / ★ on every card saves or unsaves the paper in place. Optimistic: the star flips at
 * once and flips back, with the backend's reason, if the backend refuses.
 * Listens: "annotation" (adds the star), "toggle-save" {root, reply} (keyboard command).
 * Emits: "saved" {id, saved} whenever a paper's saved state changes on the page. */
(function () {
  "use strict";

  const { el } = globalThis.PaperLensDom;

  function setStar(button, saved) {
    button.setAttribute("aria-pressed", saved ? "true" : "false");
    button.textContent = saved ? "★" : "☆";
    button.title = saved ? "Saved in your Paper Lens library: click to unsave" : "Save to your Paper Lens library";
    button.classList.toggle("pl-star-on", Boolean(saved));
  }

  function init(signal, ctx) {
    /** Reflect a saved state in every paper object and star on the page. */
    function setSaved(id, saved) {
      for (const p of ctx.papers.all()) {
        if (p.id === id) p.saved = saved;
        for (const rel of Array.isArray(p.related) ? p.related : []) if (rel.id === id) rel.saved = saved;
      }
      for (const root of ctx.roots(id)) {
        const star = root.querySelector(".pl-star");
        if (star) setStar(star, saved);
      }
      ctx.emit("saved", { id, saved });
    }

    async function toggle(root) {
      const id = root.dataset.plPaper;
      const was = ctx.papers.forId(id).some((p) => p.saved);
      setSaved(id, !was);
      const res = await ctx.send({ type: was ? "unsave" : "save", id });
      if (signal.aborted) return;
      if (res.ok || (was && res.status === 404)) {
        ctx.flash(root, was ? "Removed from your library" : "Saved to your library", 2500);
        return;
      }
      setSaved(id, was);
      const why = res.down ? "the backend is not running" : res.error;
      ctx.flash(root, `Could not ${was ? "unsave" : "save"}: ${why}`, 8000, true);
    }

    ctx.on("annotation", ({ root, paper }) => {
      const star = el("button", {
        className: "pl-star",
        attrs: { type: "button", "aria-label": "Save paper" },
        on: { click: () => toggle(root) },
      });
      setStar(star, paper.saved);
      root.querySelector(".pl-row").prepend(star);
    });

    ctx.on("toggle-save", ({ root }) => toggle(root));
  }

  globalThis.PaperLensFeatures = Object.assign(globalThis.PaperLensFeatures || {}, { saveStar: { init } });
})();
