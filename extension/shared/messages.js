/* Messages to the service worker, the only part of the extension that calls the backend. Shared by the
 * content script, the popup and the options page. The reply is the worker's
 * {ok: true, data} | {ok: false, error, down, status, command, backendUrl}; `send` never throws. */
(function () {
  "use strict";

  const invalidated = new Set();

  /** Message the service worker. A reloaded or removed extension invalidates this page's scripts: then
   * the callbacks given to `onInvalidated` run (the content script removes what it added). */
  async function send(msg) {
    try {
      const res = await chrome.runtime.sendMessage(msg);
      return res || { ok: false, error: "no answer from the extension" };
    } catch (e) {
      if (!chrome.runtime || !chrome.runtime.id) for (const fn of invalidated) fn();
      return { ok: false, error: String((e && e.message) || e) };
    }
  }

  function onInvalidated(fn) {
    invalidated.add(fn);
  }

  globalThis.PaperLensMessages = Object.freeze({ send, onInvalidated });
})();
