/* Backend banner: when the backend is not running (or refuses the page), a box in the corner says so,
 * with the command that starts it, Retry and Dismiss. Listens: "problem" {res}, "ok". */
(function () {
  "use strict";

  const { el } = globalThis.PaperLensDom;

  function banner(res, onRetry, onDismiss) {
    const children = [el("strong", { text: "Paper Lens: " })];
    if (res.down) {
      children.push(
        el("span", { text: `the backend is not running (nothing answers at ${res.backendUrl}). Start it from the Paper Lens folder with:` }),
        el("code", { className: "pl-banner-cmd", text: res.command })
      );
    } else {
      children.push(el("span", { text: `could not annotate this page: ${res.error}` }));
    }
    children.push(
      el("div", { className: "pl-banner-actions" }, [
        el("button", { className: "pl-btn", text: "Retry", attrs: { type: "button" }, on: { click: onRetry } }),
        el("button", { className: "pl-btn", text: "Dismiss", attrs: { type: "button" }, on: { click: onDismiss } }),
      ])
    );
    return el("div", { className: "pl-banner", attrs: { role: "status", "aria-live": "polite" } }, children);
  }

  function init(signal, ctx) {
    let node = null;

    function hide() {
      if (node) node.remove();
      node = null;
    }

    ctx.on("problem", ({ res }) => {
      hide();
      node = banner(
        res,
        () => {
          hide();
          ctx.retry();
        },
        hide
      );
      document.body.append(node);
    });
    ctx.on("ok", hide);
    signal.addEventListener("abort", hide);
  }

  globalThis.PaperLensFeatures = Object.assign(globalThis.PaperLensFeatures || {}, { backendBanner: { init } });
})();
