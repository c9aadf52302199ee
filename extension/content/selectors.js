/* Every selector and URL pattern for huggingface.co/papers lives here (the page's markup drifts;
 * when it does, this is the one file to change). See /docs in the README and hf-pages notes.
 *
 * Pages and what must match on each:
 *   https://huggingface.co/papers                      daily list: article h3 > a[href="/papers/<id>"]
 *   https://huggingface.co/papers/date/2025-09-12      daily list (same card markup)
 *   https://huggingface.co/papers/week/2025-W37        week list  (same card markup)
 *   https://huggingface.co/papers/month/2025-09        month list (same card markup)
 *   https://huggingface.co/papers/trending             trending   (same card markup)
 *   https://huggingface.co/papers?q=diffusion          search: same cards, some papers without an
 *                                                      arXiv id (matched by title, id "t-<hex>")
 *   https://huggingface.co/papers/2509.09737           single paper page: the h1 title
 */
(function () {
  "use strict";

  // /papers/<arXiv id>; not /papers/date/..., /papers/trending, /papers/<id>#community (a hash) is ok.
  const PAPER_PATH = /^\/papers\/(\d{4}\.\d{4,5})\/?$/;

  const SELECTORS = Object.freeze({
    // List pages: each card is an <article> whose <h3> holds the title link.
    // e.g. <article class="relative flex flex-col overflow-hidden rounded-xl border"> ... <h3><a href="/papers/2509.09737">
    cardTitle: "article h3, h3",
    cardTitleLink: "a[href]",
    card: "article",
    // Single paper page (https://huggingface.co/papers/2509.09737): the paper's title.
    paperTitle: "main h1, h1",
    // Our own injected nodes (never treated as page content).
    ours: ".pl-annot, .pl-banner",
  });

  /** The arXiv id a link points at, or null (other papers pages, other sites, text-id papers). */
  function paperIdFromHref(href, base) {
    if (!href) return null;
    let url;
    try {
      url = new URL(href, base || location.href);
    } catch (e) {
      return null;
    }
    if (url.hostname !== "huggingface.co") return null;
    const m = PAPER_PATH.exec(url.pathname);
    return m ? m[1] : null;
  }

  /** The arXiv id of a single paper page URL, or null. */
  function paperPageId(loc) {
    const m = PAPER_PATH.exec((loc || location).pathname);
    return m ? m[1] : null;
  }

  function textOf(node) {
    return (node.textContent || "").replace(/\s+/g, " ").trim();
  }

  /** Cards on the page, in document order: [{card, anchor, id (arXiv id or null), title, summary}].
   * `anchor` is the element the annotation goes right after (the card's title heading). */
  function findCards(doc) {
    const out = [];
    const seen = new Set();
    const pageId = paperPageId(doc.location || location);
    if (pageId) {
      const h1 = doc.querySelector(SELECTORS.paperTitle);
      if (h1 && h1.parentElement && !h1.closest(SELECTORS.ours)) {
        seen.add(h1.parentElement);
        out.push({ card: h1.parentElement, anchor: h1, id: pageId, title: textOf(h1), summary: "" });
      }
    }
    for (const h3 of doc.querySelectorAll(SELECTORS.cardTitle)) {
      if (h3.closest(SELECTORS.ours)) continue;
      const link = h3.querySelector(SELECTORS.cardTitleLink);
      const id = link ? paperIdFromHref(link.getAttribute("href"), doc.baseURI) : null;
      const article = h3.closest(SELECTORS.card);
      // An <h3> outside a card only counts when it links to a paper (e.g. "Community" is an h3 too).
      if (!article && !id) continue;
      const card = article || h3.parentElement;
      if (!card || seen.has(card)) continue;
      const title = textOf(h3);
      if (!title) continue;
      seen.add(card);
      const p = article ? article.querySelector("p") : null;
      out.push({ card, anchor: h3, id, title, summary: p ? textOf(p) : "" });
    }
    return out;
  }

  /** True when the site shows its dark theme (HF toggles class "dark" on <html>). */
  function isDark(doc) {
    return (doc || document).documentElement.classList.contains("dark");
  }

  globalThis.PaperLensSelectors = Object.freeze({
    SELECTORS,
    PAPER_PATH,
    paperIdFromHref,
    paperPageId,
    findCards,
    isDark,
  });
})();
