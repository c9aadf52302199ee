/* Keyboard commands (manifest "commands", forwarded by the service worker): "save-focused" saves or
 * unsaves the paper under focus: the card holding the keyboard focus, else the one under the mouse, else
 * the only or first visible one. ("annotate-now" restarts everything: main.js handles it.)
 * Listens: "command" {name, reply}. Emits: "toggle-save" {root}. */
(function () {
  "use strict";

  function init(signal, ctx) {
    let pointerCard = null;

    document.addEventListener(
      "pointerover",
      (e) => {
        for (let n = e.target; n && n !== document.body; n = n.parentElement) {
          if (ctx.isCard(n)) {
            pointerCard = n;
            return;
          }
        }
      },
      { signal, passive: true }
    );

    function focusedRoot() {
      const roots = ctx.roots().filter((r) => r.isConnected && r.getClientRects().length);
      const inCard = (card) => roots.find((r) => ctx.cardOf(r) === card);
      for (let n = document.activeElement; n; n = n.parentElement) {
        const r = roots.find((root) => root === n || ctx.cardOf(root) === n);
        if (r) return r;
      }
      if (pointerCard && pointerCard.isConnected && inCard(pointerCard)) return inCard(pointerCard);
      if (roots.length === 1) return roots[0];
      return roots.find((r) => r.getBoundingClientRect().bottom > 0) || null;
    }

    ctx.on("command", ({ name, reply }) => {
      if (name !== "save-focused") return;
      const root = focusedRoot();
      if (!root) {
        reply({ ok: false, error: "no annotated paper under focus" });
        return;
      }
      ctx.emit("toggle-save", { root });
      reply({ ok: true, id: root.dataset.plPaper });
    });
  }

  globalThis.PaperLensFeatures = Object.assign(globalThis.PaperLensFeatures || {}, { keyboardCommands: { init } });
})();
