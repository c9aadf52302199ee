/* Backend banner: when the backend is not running (or refuses the page), a box in the corner says so in
 * one line, offers the command that starts it (the worker's `command`, for the configured port) with a
 * Copy button, Retry and Dismiss. While the backend is down it asks the worker for health every few
 * seconds and annotates as soon as the backend answers, so starting it is all the reader has to do
 * (Dismiss only hides the box). Listens: "problem" {res}, "ok". */
(function () {
  "use strict";

  const { el, copyButton } = globalThis.PaperLensDom;

  const RECHECK_FIRST_MS = 2000;
  const RECHECK_MAX_MS = 5000; // then every 5 s: a backend started later still fills the page within seconds

  function banner(res, onRetry, onDismiss) {
    const children = [];
    if (res.down) {
      const code = el("code", { className: "pl-banner-cmd", text: res.command });
      children.push(
        el("p", { className: "pl-banner-line" }, [
          el("strong", { text: "Paper Lens: " }),
          `the backend is not running at ${res.backendUrl}. Start it from the Paper Lens folder:`,
        ]),
        el("div", { className: "pl-banner-cmd-row" }, [code, copyButton(code, "pl-btn")])
      );
    } else {
      children.push(
        el("p", { className: "pl-banner-line" }, [el("strong", { text: "Paper Lens: " }), `could not annotate this page: ${res.error}`])
      );
    }
    children.push(
      el("div", { className: "pl-banner-actions" }, [
        res.down ? el("span", { className: "pl-banner-hint", text: "Fills in once it answers." }) : null,
        el("button", { className: "pl-btn", text: "Retry", attrs: { type: "button" }, on: { click: onRetry } }),
        el("button", { className: "pl-btn", text: "Dismiss", attrs: { type: "button" }, on: { click: onDismiss } }),
      ])
    );
    return el("div", { className: "pl-banner", attrs: { role: "status", "aria-live": "polite" } }, children);
  }

  function init(signal, ctx) {
    let node = null;
    let watch = 0; // which wait for the backend is current; bumping it ends the others
    let timer = 0;

    function hide() {
      if (node) node.remove();
      node = null;
    }

    function stopWatching() {
      watch++;
      clearTimeout(timer);
    }

    /** Ask for health, later and later, until the backend answers; then annotate again. */
    function watchForBackend() {
      stopWatching();
      const mine = watch;
      const check = async (delay) => {
        const res = await ctx.send({ type: "health" });
        if (signal.aborted || mine !== watch) return;
        if (res.ok) {
          stopWatching();
          ctx.retry(); // its answer hides the banner ("ok"), or shows the new problem
          return;
        }
        const next = Math.min(delay * 1.5, RECHECK_MAX_MS);
        timer = setTimeout(() => check(next), next);
      };
      timer = setTimeout(() => check(RECHECK_FIRST_MS), RECHECK_FIRST_MS);
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
      if (res.down) watchForBackend();
      else stopWatching(); // the backend answers (with an error): waiting for it would loop
    });
    ctx.on("ok", () => {
      stopWatching();
      hide();
    });
    signal.addEventListener("abort", () => {
      stopWatching();
      hide();
    });
  }

  globalThis.PaperLensFeatures = Object.assign(globalThis.PaperLensFeatures || {}, { backendBanner: { init } });
})();
