/* DOM building for the content script and the popup. Elements are built with createElement +
 * textContent only, never HTML strings, so titles and keyphrases from the page or the backend always
 * render as text (links they may carry are checked by paper-links.js safeHref). */
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

  /** Whether `node` is displayed and at least partly inside the viewport (what the reader sees now). */
  function isOnScreen(node) {
    const r = node.getBoundingClientRect();
    return r.width > 0 && r.height > 0 && r.bottom > 0 && r.top < window.innerHeight;
  }

  /** Take Paper Lens classes off a page node; a class attribute left empty goes too, so a page we
   * marked is, once cleaned up, byte for byte the page it was (every site element we mark has classes
   * of its own, or had none). */
  function unclass(node, ...names) {
    node.classList.remove(...names);
    if (node.getAttribute("class") === "") node.removeAttribute("class");
  }

  globalThis.PaperLensDom = Object.freeze({ el, isOnScreen, unclass });
})();
