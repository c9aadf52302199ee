/* The paper rules the extension keeps: which links name a paper page, the key a card goes by, and which
 * links it may put in an href.
 * Everything else about papers (ids of cards without a link, title keys, paper URLs) is the backend's
 * (backend/paperlens/ids.py), and comes back in its answers. tests/contract/*.json holds the cases both
 * sides are checked against (tests/js/contract.test.js here, tests/test_contract.py there). */
(function () {
  "use strict";

  const HF_HOST = "huggingface.co";
  // /papers/<arXiv id>, optionally with a trailing slash; not /papers/date/..., /papers/trending.
  const PAPER_PATH = /^\/papers\/(\d{4}\.\d{4,5})\/?$/;
  // A card without a paper link goes by the title it shows (the backend finds the paper from it).
  const TITLE_KEY_PREFIX = "title:";

  /** The arXiv id a link names, resolved against `base` (the page URL) as the browser does, or null. */
  function paperIdFromHref(href, base) {
    if (typeof href !== "string") return null;
    let url;
    try {
      url = new URL(href.trim(), base);
    } catch (e) {
      return null;
    }
    if (url.hostname !== HF_HOST) return null;
    const m = PAPER_PATH.exec(url.pathname);
    return m ? m[1] : null;
  }

  /** The key a card is sent and answered under: its arXiv id, else "title:" and the title it shows
   * (white space collapsed, nothing else changed). */
  function cardKey(id, title) {
    return id || TITLE_KEY_PREFIX + String(title || "").replace(/\s+/g, " ").trim();
  }

  /** `url` if it is an https://huggingface.co link (the only links the backend gives), else null: a hostile
   * title or URL must never become a javascript: or foreign link. */
  function safeHref(url) {
    try {
      const u = new URL(String(url || ""));
      if (u.protocol === "https:" && u.hostname === HF_HOST) return u.href;
    } catch (e) {
      /* not a URL */
    }
    return null;
  }

  globalThis.PaperLensLinks = Object.freeze({ paperIdFromHref, cardKey, safeHref });
})();
