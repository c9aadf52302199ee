/* Content script entry: starts the annotation pass (annotate.js) and the features (features/*.js) with one
 * AbortSignal and one context, and restarts them when the settings change. Every feature is
 * `init(signal, ctx)` and undoes what it did when the signal aborts, so turning the extension off leaves
 * no trace on the page.
 *
 * ctx: settings; send(msg) (to the service worker); on(type, fn) / emit(type, detail) (the features'
 * events, see annotate.js and each feature); and what annotate.js adds: papers, roots, cardOf, isCard,
 * jump, flash, requestPass, retry, refresh, stats.
 *
 * The view settings (Settings.VIEW_KEYS: dim seen, hide dismissed, sort, cut-off) change in place: the
 * features get "settings" {settings} and nothing is asked again. "triage-changed" from the worker (a
 * dismissal, a mute, a new seed, in any tab or the popup) reaches the features as the same event. */
(function () {
  "use strict";

  const Settings = globalThis.PaperLensSettings;
  const Messages = globalThis.PaperLensMessages;
  const Annotate = globalThis.PaperLensAnnotate;
  const F = globalThis.PaperLensFeatures;

  // In the order they render into a card: the seen label and the for-you mark above the row, the star
  // before the chips, the dismiss button after them, the related list below.
  const FEATURES = [
    F.seenLabel,
    F.mutedTerms,
    F.forYou,
    F.saveStar,
    F.chips,
    F.dismiss,
    F.keyphraseProgress,
    F.relatedList,
    F.phraseHighlight,
    F.pageBar,
    F.backendBanner,
    F.keyboardCommands,
    F.pageObserver,
  ];

  let settings = Settings.DEFAULTS;
  let controller = null;
  let running = null; // {ctx, annotate}

  function context(signal) {
    const listeners = new Map();
    return {
      settings,
      send: Messages.send,
      on(type, fn) {
        if (!listeners.has(type)) listeners.set(type, []);
        listeners.get(type).push(fn);
      },
      emit(type, detail) {
        if (signal.aborted) return;
        for (const fn of listeners.get(type) || []) {
          try {
            fn(detail);
          } catch (e) {
            console.error(`Paper Lens: a "${type}" listener failed`, e); // the others still run
          }
        }
      },
    };
  }

  function start() {
    stop();
    controller = new AbortController();
    const ctx = context(controller.signal);
    const annotate = Annotate.init(controller.signal, ctx);
    for (const feature of FEATURES) feature.init(controller.signal, ctx);
    running = { ctx, annotate };
    annotate.pass();
  }

  function stop() {
    if (controller) controller.abort();
    controller = null;
    running = null;
  }

  Messages.onInvalidated(stop); // the extension was reloaded or removed: clean up the page

  /** Wait until the running pass has finished (for "annotate now" replies). */
  async function settled(timeoutMs) {
    const until = Date.now() + timeoutMs;
    while (Date.now() < until && !document.documentElement.dataset.plReady) await new Promise((r) => setTimeout(r, 50));
  }

  chrome.runtime.onMessage.addListener((msg, sender, sendResponse) => {
    if (!msg || sender.id !== chrome.runtime.id) return false;
    const name = msg.type === "command" ? msg.name : msg.type;
    if (name === "annotate-now") {
      start(); // fresh data, even when auto-annotate is off
      settled(60000).then(() => sendResponse(running ? running.annotate.stats() : { ok: false }));
      return true;
    }
    if (msg.type === "triage-changed") {
      if (running) running.ctx.emit("triage-changed", msg);
      return false;
    }
    if (name === "stats") {
      const cards = new Set(globalThis.PaperLensSelectors.findCards(document).map((c) => c.key)).size;
      sendResponse(running ? running.annotate.stats() : { ok: true, url: location.href, cards, annotated: 0, off: true });
      return false;
    }
    if (msg.type === "command") {
      if (!running) start();
      let answer = { ok: false, error: `unknown command ${name}` };
      running.ctx.emit("command", { name, reply: (r) => (answer = r) });
      sendResponse(answer);
    }
    return false;
  });

  chrome.storage.onChanged.addListener((changes, area) => {
    if (area !== "local" || !Object.keys(changes).some((k) => k in Settings.DEFAULTS)) return;
    Settings.load().then((next) => {
      const prev = settings;
      settings = next;
      const others = Object.keys(Settings.DEFAULTS).filter((k) => !Settings.VIEW_KEYS.includes(k));
      if (running && settings.autoAnnotate && others.every((k) => prev[k] === next[k])) {
        running.ctx.settings = next;
        running.ctx.emit("settings", { settings: next }); // only the view changed: no new pass
        return;
      }
      if (!settings.autoAnnotate) stop();
      else if (!running || prev.keyphrasesPerCard !== next.keyphrasesPerCard || prev.showRelated !== next.showRelated) {
        start(); // render again with the new settings
      } else running.ctx.retry(); // a new backend URL: keep what is shown, retry what failed
    });
  });

  Settings.load().then((loaded) => {
    settings = loaded;
    if (settings.autoAnnotate) start();
  });
})();
