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

  function selectText(node) {
    const range = document.createRange();
    range.selectNodeContents(node);
    const selection = getSelection();
    selection.removeAllRanges();
    selection.addRange(range);
  }

  /** A button that copies `code`'s text where the page may write the clipboard (an extension page, a
   * secure page); else, or if writing is refused, selects it for the reader to copy with the keyboard. */
  function copyButton(code, className) {
    const canWrite = Boolean(window.isSecureContext && navigator.clipboard && navigator.clipboard.writeText);
    const keys = /Mac|iPhone|iPad/.test(navigator.platform || "") ? "⌘C" : "Ctrl+C";
    const button = el("button", {
      className,
      text: canWrite ? "Copy" : "Select",
      attrs: { type: "button", "aria-label": canWrite ? "Copy the command" : "Select the command" },
    });
    button.addEventListener("click", async () => {
      if (canWrite) {
        try {
          await navigator.clipboard.writeText(code.textContent);
          button.textContent = "Copied";
          return;
        } catch (e) {
          /* no clipboard permission here: fall back to selecting */
        }
      }
      selectText(code);
      button.textContent = `Selected: ${keys}`;
    });
    return button;
  }

  globalThis.PaperLensDom = Object.freeze({ copyButton, el, isOnScreen, unclass });
})();
