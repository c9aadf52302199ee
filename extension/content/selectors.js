/* Every selector for huggingface.co/papers lives here (the site's markup drifts; when it does, this is the
 * one file to change). The paper-link rule itself is in shared/paper-links.js.
 *
 * Pages and what must match on each:
 *   https://huggingface.co/papers                      daily list: article h3 > a[href="/papers/<id>"]
 *   https://huggingface.co/papers/date/2025-09-12      daily list (same card markup)
 *   https://huggingface.co/papers/week/2025-W37        week list  (same card markup)
 *   https://huggingface.co/papers/month/2025-09        month list (same card markup)
 *   https://huggingface.co/papers/trending             trending: every card rendered twice, a mobile and a
 *                                                      desktop layout (one hidden by CSS), in one article
 *                                                      or in two; a title may hold a <br>
 *   https://huggingface.co/papers?q=diffusion          search: same cards, some without a paper link
 *                                                      (the backend finds those by title)
 *   https://huggingface.co/papers/2509.09737           single paper page: the h1 title
 */
(function () {
  "use strict";

  const Links = globalThis.PaperLensLinks;

  const SELECTORS = Object.freeze({
    // List pages: a card is an <article> whose <h3> holds the title link.
    // e.g. <article class="relative flex flex-col overflow-hidden rounded-xl border"> ... <h3><a href="/papers/2509.09737">
    cardTitle: "h3",
    cardTitleLink: "a[href]",
    card: "article",
    // The text a card shows under its title (the abstract, or HF's one-line AI summary).
    cardText: "p",
    // Single paper page (https://huggingface.co/papers/2509.09737): the paper's title.
    paperTitle: "main h1, h1",
    // The authors a card shows: avatars titled with the name (live cards: <ul><li title="Ada Lovelace">),
    // the first few of them; the page's JSON has the full list, which the backend reads.
    cardAuthors: "ul li[title]",
    // Everything Paper Lens injects (never treated as page content).
    ours: ".pl-annot, .pl-banner, .pl-progress, .pl-bar, .pl-toast",
  });

  /** A node's text as the reader sees it: a <br> is a word break (textContent would glue the words), white
   * space runs collapse. */
  function textOf(node) {
    const parts = [];
    const walker = node.ownerDocument.createTreeWalker(node, NodeFilter.SHOW_TEXT | NodeFilter.SHOW_ELEMENT);
    for (let n = walker.currentNode; n; n = walker.nextNode()) {
      if (n.nodeType === Node.TEXT_NODE) parts.push(n.data);
      else if (n.tagName === "BR") parts.push(" ");
    }
    return parts.join("").replace(/\s+/g, " ").trim();
  }

  /** The longest paragraph in the part of `card` that belongs to this title (a card rendering two layouts
   * holds two titles: stop before a container that holds both). */
  function cardText(title, card) {
    let best = "";
    for (let node = title.parentElement; node; node = node.parentElement) {
      if (node !== card && node.querySelectorAll(SELECTORS.cardTitle).length > 1) break;
      for (const p of node.querySelectorAll(SELECTORS.cardText)) {
        if (p.closest(SELECTORS.ours)) continue;
        const text = textOf(p);
        if (text.length > best.length) best = text;
      }
      if (best || node === card) break;
    }
    return best;
  }

  /** Every paper title on the page, in document order: [{card, anchor, id, key, title, summary}]. `anchor`
   * is the title heading (the annotation goes right after it), `card` the element that stands for the
   * paper (its article). A paper rendered in two layouts yields two entries with one key, so each layout
   * gets its annotation and a resize never shows a bare card. `id` is the arXiv id its link names (null
   * for a card without a paper link); `key` what the backend answers it under. */
  function findCards(doc) {
    const out = [];
    const pageId = Links.paperIdFromHref(doc.location.href, doc.baseURI);
    if (pageId) {
      const h1 = doc.querySelector(SELECTORS.paperTitle);
      const title = h1 && !h1.closest(SELECTORS.ours) ? textOf(h1) : "";
      if (title && h1.parentElement) {
        out.push({ card: h1.parentElement, anchor: h1, id: pageId, key: Links.cardKey(pageId, title), title, summary: "" });
      }
    }
    for (const heading of doc.querySelectorAll(SELECTORS.cardTitle)) {
      if (heading.closest(SELECTORS.ours)) continue;
      const link = heading.querySelector(SELECTORS.cardTitleLink);
      const id = link ? Links.paperIdFromHref(link.getAttribute("href"), doc.baseURI) : null;
      const article = heading.closest(SELECTORS.card);
      // A heading outside a card only counts when it links to a paper (e.g. "Community" is an h3 too).
      if (!article && !id) continue;
      const card = article || heading.parentElement;
      const title = textOf(heading);
      if (!card || !title) continue;
      const authors = [...new Set([...card.querySelectorAll(SELECTORS.cardAuthors)].map((n) => n.getAttribute("title").trim()))];
      out.push({
        card,
        anchor: heading,
        id,
        key: Links.cardKey(id, title),
        title,
        summary: cardText(heading, card),
        authors: authors.filter(Boolean),
      });
    }
    return out;
  }

  /** The list the cards sit in, for the page bar and the visual sort: {container, itemOf(card)}, where
   * `container` is the innermost element holding every list card (the site's grid) and `itemOf` the
   * card's ancestor that is a direct child of it (the grid item CSS `order` applies to). null when the
   * page has fewer than two list cards (a single paper page). */
  function findList(cards) {
    const elements = [...new Set(cards.filter((c) => c.anchor.matches(SELECTORS.cardTitle)).map((c) => c.card))];
    if (elements.length < 2) return null;
    let container = elements[0].parentElement;
    while (container && !elements.every((n) => container.contains(n) && n !== container)) container = container.parentElement;
    if (!container) return null;
    const itemOf = (card) => {
      let node = card;
      while (node && node.parentElement !== container) node = node.parentElement;
      return node || card;
    };
    return { container, itemOf };
  }

  globalThis.PaperLensSelectors = Object.freeze({ SELECTORS, findCards, findList });
})();
