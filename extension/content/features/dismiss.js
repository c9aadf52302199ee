/* Dismiss ("not for me"): × at the end of every card's row. The card is dimmed at once (hidden instead
 * with the hideDismissed setting, on list pages) and leaves the page's related lists; the backend keeps
 * it out of related lists and weighs papers like it down in for_you. ↺ on the card, the toast's Undo or
 * the popup's dismissed list undo it. Optimistic: a refusal puts the card back and says why. The
 * worker tells every tab, and each asks its cards again (annotate.js), so marks and lists follow.
 * Listens: "annotation", "update" (the backend's `dismissed`), "settings" (dim or hide).
 * Emits: "dismissed" {id, dismissed} whenever a paper's dismissed state changes on the page. */
(function () {
  "use strict";

  const { el, unclass } = globalThis.PaperLensDom;
  const Sel = globalThis.PaperLensSelectors;

  const TOAST_MS = 8000;

  function setButton(button, dismissed) {
    button.textContent = dismissed ? "↺" : "×";
    button.setAttribute("aria-pressed", dismissed ? "true" : "false");
    button.setAttribute("aria-label", dismissed ? "Undo dismiss: show this paper again" : "Dismiss: not for me");
    button.title = dismissed ? "Dismissed: click to undo" : "Not for me: dim this paper and keep it out of related lists";
  }

  function init(signal, ctx) {
    let toast = null;
    let toastTimer = 0;
    const hidden = new Set(); // grid items hidden for a dismissed card (restored on cleanup)

    /** The element that holds a card's place in the list (hiding it leaves no hole), or null where the
     * card is not in a list (a single paper page is never hidden). */
    function listItem(card) {
      const list = Sel.findList(Sel.findCards(document));
      return list && list.container.contains(card) ? list.itemOf(card) : null;
    }

    function apply(root, dismissed) {
      const card = ctx.cardOf(root);
      const button = root.querySelector(".pl-dismiss");
      if (button) setButton(button, dismissed);
      root.classList.toggle("pl-annot-dismissed", dismissed);
      if (!card) return;
      card.classList.toggle("pl-dismissed", dismissed);
      const item = dismissed && ctx.settings.hideDismissed ? listItem(card) : null;
      const wasHidden = [...hidden].find((n) => n.contains(card));
      if (wasHidden && wasHidden !== item) {
        unclass(wasHidden, "pl-hide");
        hidden.delete(wasHidden);
      }
      if (item) {
        item.classList.add("pl-hide");
        hidden.add(item);
      }
    }

    /** A paper's dismissed state into every paper object and root of it; its entries leave (or may come
     * back to, on the next refresh) the page's related lists. */
    function setDismissed(id, dismissed) {
      for (const p of ctx.papers.all()) if (p.id === id) p.dismissed = dismissed;
      for (const root of ctx.roots(id)) apply(root, dismissed);
      if (dismissed) for (const li of document.querySelectorAll(`.pl-related .pl-rel[data-pl-rel="${CSS.escape(id)}"]`)) li.remove();
      ctx.emit("dismissed", { id, dismissed });
    }

    function hideToast() {
      clearTimeout(toastTimer);
      if (toast) toast.remove();
      toast = null;
    }

    /** "Dismissed “title” · Undo", for a while: the reader's way back when the card itself is hidden
     * (then the keyboard focus moves to Undo, since the button it was on is gone). */
    function showToast(id, title) {
      hideToast();
      const undo = el("button", { className: "pl-btn", text: "Undo", attrs: { type: "button" }, on: { click: () => toggle(id, true) } });
      toast = el("div", { className: "pl-toast", attrs: { role: "status", "aria-live": "polite" } }, [
        el("span", { className: "pl-toast-text", text: `Dismissed “${title}”` }),
        undo,
      ]);
      document.body.append(toast);
      const card = ctx.roots(id).map(ctx.cardOf)[0];
      if (card && !card.getClientRects().length) undo.focus();
      const later = () => {
        clearTimeout(toastTimer);
        toastTimer = setTimeout(() => (toast && toast.contains(document.activeElement) ? later() : hideToast()), TOAST_MS);
      };
      later();
    }

    async function toggle(id, was) {
      const papers = ctx.papers.forId(id);
      const title = (papers[0] && papers[0].title) || id;
      setDismissed(id, !was);
      if (was) hideToast();
      else showToast(id, title);
      const res = await ctx.send({ type: was ? "undismiss" : "dismiss", id });
      if (signal.aborted) return;
      const root = ctx.roots(id)[0];
      if (res.ok || (was && res.status === 404)) {
        if (root && was) ctx.flash(root, "Shown again", 2500);
        return;
      }
      setDismissed(id, was);
      hideToast();
      const why = res.down ? "the backend is not running" : res.error;
      if (root) ctx.flash(root, `Could not ${was ? "undo the dismissal" : "dismiss"}: ${why}`, 8000, true);
    }

    ctx.on("annotation", ({ root, paper }) => {
      const button = el("button", {
        className: "pl-dismiss",
        attrs: { type: "button" },
        on: { click: () => toggle(root.dataset.plPaper, ctx.papers.forId(root.dataset.plPaper).some((p) => p.dismissed === true)) },
      });
      root.querySelector(".pl-row").append(button);
      apply(root, paper.dismissed === true);
    });
    ctx.on("update", ({ root, paper }) => apply(root, paper.dismissed === true));
    ctx.on("settings", () => {
      for (const root of ctx.roots()) apply(root, root.classList.contains("pl-annot-dismissed"));
    });

    signal.addEventListener("abort", () => {
      hideToast();
      for (const node of hidden) unclass(node, "pl-hide");
      hidden.clear();
      for (const node of document.querySelectorAll(".pl-dismissed")) unclass(node, "pl-dismissed");
    });
  }

  globalThis.PaperLensFeatures = Object.assign(globalThis.PaperLensFeatures || {}, { dismiss: { init } });
})();
