/* Small DOM helpers: elements are built with createElement + textContent only, never HTML strings,
 * so titles and keyphrases from the page or the backend always render as text. */
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
    for (const child of children || []) if (child) node.append(child);
    return node;
  }

  /** The title key the backend uses for duplicates (digest.normalize_title): accent-free,
   * casefolded words joined by single spaces. */
  function normalizeTitle(title) {
    const text = String(title || "")
      .normalize("NFKD")
      .replace(/\p{M}/gu, "")
      .toLowerCase();
    return (text.match(/[\p{L}\p{N}_]+/gu) || []).join(" ");
  }

  const HF_ORIGIN = "https://huggingface.co";

  /** A link target we are willing to put in href: https://huggingface.co/... only (never javascript:). */
  function safePaperHref(url, id) {
    try {
      const u = new URL(String(url || ""), HF_ORIGIN);
      if (u.protocol === "https:" && u.hostname === "huggingface.co") return u.href;
    } catch (e) {
      /* fall through */
    }
    return /^\d{4}\.\d{4,5}$/.test(String(id)) ? `${HF_ORIGIN}/papers/${id}` : `${HF_ORIGIN}/papers`;
  }

  globalThis.PaperLensDom = Object.freeze({ el, normalizeTitle, safePaperHref });
})();
