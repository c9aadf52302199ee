/* DOM helpers for the content script, the popup and the options page. Elements are built with
 * createElement + textContent only, never HTML strings, so titles and keyphrases from the page or the
 * backend always render as text. */
(function () {
  "use strict";

  /** el("button", {className: "pl-star", text: "★", attrs: {"aria-label": "Save"}, on: {click}}, [children]) */
  function el(tag, opts, children) {
    const node = document.createElement(tag);
    const o = opts || {};
    if (o.className) node.className = o.className;
    if (o.text !== undefined && o.text !== null) node.textContent = String(o.text);
    for (const [k, v] of Object.entries(o.attrs || {})) {
      if (v !== undefined && v !== null && v !== false) node.setAttribute(k, v === true ? "" : String(v));
    }
    for (const [k, v] of Object.entries(o.dataset || {})) node.dataset[k] = String(v);
    for (const [k, v] of Object.entries(o.on || {})) node.addEventListener(k, v, o.listenerOptions);
    for (const child of children || []) if (child !== null && child !== undefined && child !== false) node.append(child);
    return node;
  }

  /** `url` if it is an https://huggingface.co link (the only links the backend gives), else null:
   * a hostile title or URL must never become a javascript: or foreign link. */
  function safeHref(url) {
    try {
      const u = new URL(String(url || ""));
      if (u.protocol === "https:" && u.hostname === "huggingface.co") return u.href;
    } catch (e) {
      /* not a URL */
    }
    return null;
  }

  globalThis.PaperLensDom = Object.freeze({ el, safeHref });
})();
