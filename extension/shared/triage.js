/* Daily triage, the pure part: what the card says about when a paper was first seen, the page bar's
 * counts, the relevance order, the chip matching and the muted reason. Plain data in, plain data out
 * (no DOM, no chrome.*), so tests/js/triage.test.js checks it under Node and the features only glue.
 * Every rule about papers stays the backend's: these functions only read its answer
 * (tests/contract/triage.json) and never decide what a paper is, whether it is close or muted. */
(function () {
  "use strict";

  const MONTHS = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"];

  // Where a paper was first recorded, by the backend's page kind (digest.Page kinds). A kind not listed
  // here (text, api, one added later) gives no place: "seen Nov 20" alone is still true.
  const WHERE = Object.freeze({
    daily: "on the daily page",
    week: "on a week page",
    month: "on a month page",
    trending: "on the trending page",
    search: "in a search",
    paper: "on its paper page",
  });

  /** A page URL compared as the reader sees it: no fragment, no trailing slash. */
  function samePage(a, b) {
    const norm = (u) => String(u || "").split("#", 1)[0].replace(/\/+(?=\?|$)/, "");
    return Boolean(a) && norm(a) === norm(b);
  }

  function dayStart(date) {
    return new Date(date.getFullYear(), date.getMonth(), date.getDate()).getTime();
  }

  /** "today", "yesterday", "Nov 20", or "Nov 20, 2024" in another year, in the reader's time zone. */
  function dayLabel(date, now) {
    const days = Math.round((dayStart(now) - dayStart(date)) / 86400000);
    if (days === 0) return "today";
    if (days === 1) return "yesterday";
    const md = `${MONTHS[date.getMonth()]} ${date.getDate()}`;
    return date.getFullYear() === now.getFullYear() ? md : `${md}, ${date.getFullYear()}`;
  }

  /** What a card says about the paper's history: {seen: false, text: "new"} for a paper the library did
   * not have before this page asked, else {seen: true, text: "seen Nov 20 on the daily page", title}
   * (`title` the full time and the first page's URL, for the tooltip). `now` is a Date, `pageUrl` the
   * page the card is on ("on this page" when the paper was first recorded there). */
  function seenLabel(paper, now, pageUrl) {
    if (!paper || paper.seen_before !== true) return { seen: false, text: "new", title: "New to your library today" };
    const when = typeof paper.first_seen === "number" && Number.isFinite(paper.first_seen) ? new Date(paper.first_seen * 1000) : null;
    const page = paper.first_seen_page && typeof paper.first_seen_page === "object" ? paper.first_seen_page : null;
    let where = "";
    if (page && samePage(page.url, pageUrl)) where = "on this page";
    else if (page && Object.hasOwn(WHERE, page.kind)) where = WHERE[page.kind];
    const parts = ["seen", when ? dayLabel(when, now || new Date()) : "before", where].filter(Boolean);
    const title = [
      "In your library since",
      when ? when.toLocaleString("en", { dateStyle: "medium", timeStyle: "short" }) : "an earlier visit",
      page && typeof page.url === "string" ? `(first seen on ${page.url})` : "",
    ].filter(Boolean);
    return { seen: true, text: parts.join(" "), title: title.join(" ") };
  }

  /** One paper per id, the first of each (a page can show a paper twice: two layouts, a repeat). */
  function uniqueById(papers) {
    const out = new Map();
    for (const p of papers || []) if (p && typeof p.id === "string" && !out.has(p.id)) out.set(p.id, p);
    return [...out.values()];
  }

  /** The page bar's counts over the page's papers: {total, new, seen, saved, close, dismissed, muted}.
   * `seen` is what `seen` says (the backend's seen_before, as the page first got it); close is the
   * backend's for_you_mark. */
  function pageCounts(papers, isSeen) {
    const seen = isSeen || ((p) => p.seen_before === true);
    const out = { total: 0, new: 0, seen: 0, saved: 0, close: 0, dismissed: 0, muted: 0 };
    for (const p of uniqueById(papers)) {
      out.total += 1;
      if (seen(p)) out.seen += 1;
      else out.new += 1;
      if (p.saved === true) out.saved += 1;
      if (p.for_you_mark === true) out.close += 1;
      if (p.dismissed === true) out.dismissed += 1;
      if (Array.isArray(p.muted) && p.muted.length) out.muted += 1;
    }
    return out;
  }

  function score(p) {
    return p && typeof p.for_you === "number" && Number.isFinite(p.for_you) ? p.for_you : 0;
  }

  /** Paper ids in "relevance to my library" order: the backend's for_you, highest first, ties in page
   * order; dismissed papers last (the reader said they are not for them), muted ones just before. */
  function relevanceOrder(papers) {
    const tier = (p) => (p.dismissed === true ? 2 : Array.isArray(p.muted) && p.muted.length ? 1 : 0);
    return uniqueById(papers)
      .map((p, i) => ({ p, i }))
      .sort((a, b) => tier(a.p) - tier(b.p) || score(b.p) - score(a.p) || a.i - b.i)
      .map(({ p }) => p.id);
  }

  /** Whether the relevance cut-off (0..1, 0 = off) sets this paper aside. */
  function belowCutoff(paper, cutoff) {
    return typeof cutoff === "number" && cutoff > 0 && score(paper) < cutoff;
  }

  /** The key that says which chips are the same phrase: the backend's stemmed `key`; for an answer
   * without one (an older backend), the phrase lower-cased with punctuation as spaces. */
  function phraseKey(k) {
    if (k && typeof k === "object" && typeof k.key === "string" && k.key.trim()) return k.key.trim().replace(/\s+/g, " ");
    const phrase = k && typeof k === "object" ? k.phrase : k;
    return String(phrase || "")
      .toLowerCase()
      .split(/[^\p{L}\p{N}]+/u)
      .filter(Boolean)
      .join(" ");
  }

  /** How two phrase keys relate: "same" (one phrase), "related" (one's terms appear in a row inside the
   * other: "neural network" in "graph neural network"), or null. */
  function relation(a, b) {
    if (!a || !b) return null;
    if (a === b) return "same";
    const [short, long] = a.length <= b.length ? [a, b] : [b, a];
    return ` ${long} `.includes(` ${short} `) ? "related" : null;
  }

  /** How a paper's keyphrases match `key`: "same" if one of them is that phrase, "related" if one
   * contains it or is contained in it, else null. */
  function paperMatch(paper, key) {
    let best = null;
    for (const k of (paper && Array.isArray(paper.keyphrases) ? paper.keyphrases : [])) {
      const r = relation(phraseKey(k), key);
      if (r === "same") return "same";
      if (r) best = r;
    }
    return best;
  }

  const KIND_LABEL = Object.freeze({ word: "word", phrase: "phrase", author: "author" });

  /** "Muted: “benchmark” (word), “Ada Lovelace” (author)" for the backend's `muted` list, or "". */
  function mutedReason(muted) {
    const terms = (Array.isArray(muted) ? muted : []).filter((m) => m && typeof m.term === "string" && m.term);
    if (!terms.length) return "";
    return "Muted: " + terms.map((m) => `“${m.term}”` + (KIND_LABEL[m.kind] ? ` (${KIND_LABEL[m.kind]})` : "")).join(", ");
  }

  /** The backend's for_you_because, checked: [{id, title, why: [word]}], at most 3. */
  function becauseList(paper) {
    return (paper && Array.isArray(paper.for_you_because) ? paper.for_you_because : [])
      .filter((b) => b && typeof b.id === "string")
      .slice(0, 3)
      .map((b) => ({
        id: b.id,
        title: typeof b.title === "string" && b.title ? b.title : b.id,
        why: Array.isArray(b.why) ? b.why.filter((w) => typeof w === "string" && w) : [],
      }));
  }

  globalThis.PaperLensTriage = Object.freeze({
    seenLabel,
    dayLabel,
    samePage,
    uniqueById,
    pageCounts,
    relevanceOrder,
    belowCutoff,
    phraseKey,
    relation,
    paperMatch,
    mutedReason,
    becauseList,
  });
})();
