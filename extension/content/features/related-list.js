/* Related papers: "Related in your library (N)" under each card, the backend's list as it sends it (only
 * papers over its relevance floor, never a dismissed one), best first, ★ on the saved ones, the shared
 * terms on hover; "Nothing close in your library" when the list is empty. A related paper that is also
 * on this page (`on_page`) gets "↓ on this page", which brings its card into view and focus.
 * "More like this" (in the card's top line) asks for the closest library papers to the card's paper
 * (GET /api/papers/<id>/related, floor or not) and lists them under the card; again closes the list.
 * Off with the showRelated setting.
 * Listens: "annotation", "update" (draws the list in place, open if it was), "saved" {id, saved} (moves
 * the ★ markers), "dismissed" {id} (closes "more like this" lists holding it). */
(function () {
  "use strict";

  const { el } = globalThis.PaperLensDom;
  const { safeHref } = globalThis.PaperLensLinks;

  const MORE_K = 10;

  function init(signal, ctx) {
    if (!ctx.settings.showRelated) return;

    function item(rel, onPage) {
      const why = Array.isArray(rel.why) ? rel.why.filter((t) => typeof t === "string") : [];
      const href = safeHref(rel.url);
      const title = String(rel.title || rel.id || "");
      const link = el(href ? "a" : "span", {
        className: "pl-rel-link",
        text: title,
        attrs: { href, title: why.length ? `Shared terms: ${why.join(", ")}` : null },
      });
      const marker = el("span", { className: "pl-rel-saved", text: "★ saved", attrs: { hidden: !rel.saved } });
      const children = [link, " ", marker];
      if (onPage) {
        children.push(
          " ",
          el("button", {
            className: "pl-rel-jump",
            text: "↓ on this page",
            attrs: { type: "button", "aria-label": `Go to “${title}” on this page` },
            on: { click: () => ctx.jump(rel.id) },
          })
        );
      }
      return el("li", { className: "pl-rel", dataset: { plRel: String(rel.id || "") } }, children);
    }

    function list(paper) {
      const related = Array.isArray(paper.related) ? paper.related.filter((r) => r && typeof r.id === "string") : [];
      if (!related.length) return el("div", { className: "pl-related pl-related-none", text: "Nothing close in your library" });
      return el("details", { className: "pl-related" }, [
        el("summary", { className: "pl-related-summary", text: `Related in your library (${related.length})` }),
        el("ol", { className: "pl-related-list" }, related.map((r) => item(r, r.on_page === true))),
      ]);
    }

    function draw(root, paper) {
      const node = list(paper);
      const old = root.querySelector(".pl-related");
      if (!old) {
        root.querySelector(".pl-msg").after(node);
        return;
      }
      if (old.open && node.tagName === "DETAILS") node.open = true;
      const focused = old.contains(document.activeElement);
      old.replaceWith(node);
      if (focused) (node.querySelector("summary") || node).focus({ preventScroll: true });
    }

    /** The "more like this" list of one card: opened by its button, closed by it again. */
    async function moreLikeThis(root, button) {
      const open = root.querySelector(".pl-more");
      if (open) {
        open.remove();
        button.setAttribute("aria-expanded", "false");
        return;
      }
      const id = root.dataset.plPaper;
      const box = el("section", { className: "pl-more", attrs: { "aria-label": "More like this from your library", "aria-busy": "true" } }, [
        el("div", { className: "pl-more-head", text: "Closest in your library…" }),
      ]);
      box.id = `pl-more-${Math.random().toString(36).slice(2)}`;
      button.setAttribute("aria-controls", box.id);
      button.setAttribute("aria-expanded", "true");
      root.append(box);
      const res = await ctx.send({ type: "related", id, k: MORE_K });
      if (signal.aborted || !box.isConnected) return;
      box.removeAttribute("aria-busy");
      const head = box.querySelector(".pl-more-head");
      if (!res.ok) {
        head.textContent = res.status === 404 ? "Not in your library yet." : `Could not list them: ${res.down ? "the backend is not running" : res.error}`;
        head.classList.toggle("pl-more-error", res.status !== 404);
        return;
      }
      const onPage = new Set(ctx.papers.onPage().map((p) => p.id));
      const related = (Array.isArray(res.data.related) ? res.data.related : []).filter((r) => r && typeof r.id === "string");
      head.textContent = related.length ? `Closest in your library (${related.length}):` : "Nothing in your library is close to it.";
      if (related.length) box.append(el("ol", { className: "pl-related-list" }, related.map((r) => item(r, onPage.has(r.id) && r.id !== id))));
    }

    ctx.on("annotation", ({ root, paper }) => {
      draw(root, paper);
      const button = el("button", {
        className: "pl-more-btn",
        text: "More like this",
        attrs: { type: "button", "aria-expanded": "false", title: "The closest papers in your library" },
      });
      button.addEventListener("click", () => moreLikeThis(root, button));
      root.querySelector(".pl-meta").append(button);
    });
    ctx.on("update", ({ root, paper }) => draw(root, paper));

    ctx.on("saved", ({ id, saved }) => {
      for (const li of document.querySelectorAll(`.pl-rel[data-pl-rel="${CSS.escape(id)}"] .pl-rel-saved`)) {
        li.hidden = !saved;
      }
    });
    ctx.on("dismissed", ({ id, dismissed }) => {
      if (!dismissed) return;
      for (const li of document.querySelectorAll(`.pl-more .pl-rel[data-pl-rel="${CSS.escape(id)}"]`)) li.remove();
    });
  }

  globalThis.PaperLensFeatures = Object.assign(globalThis.PaperLensFeatures || {}, { relatedList: { init } });
})();
