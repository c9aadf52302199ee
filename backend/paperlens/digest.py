"""Page (HTML, hydration JSON, HF API JSON or a plain-text copy) -> page kind + list of papers.

Pure: no Flask, no database. The one entry point is `parse_page`.

Order of trust for HTML (huggingface.co/papers is a Svelte app whose markup drifts; hf-pages.md):
1. the SSR hydration JSON in `data-props` of `[data-target="DailyPapers"]` / `[data-target="PaperContent"]`,
   unless the rendered cards show papers it does not have (stale after a client-side period switch);
2. the rendered cards (`article` with `h3 > a[href="/papers/<id>"]`), filled in from the JSON where it
   knows the same id;
3. the visible text, read like a text copy (ids restored from the h3 title links where they survive).
Text copies (what a reader gets by selecting the page and copying it): metadata blocks (`• N authors`,
`·`, `Sep 10 4`) anchor the papers; a title-like line with the paragraph(s) after it is a paper, with
or without metadata; other lines are page furniture.

Hostile input ends in the papers really there or a ParseError, never in a crash, a hang or invented
papers: the hydration div is found with linear, possessive regexes (no DOM needed on the fast path), and
the DOM parser (selectolax/lexbor, whose tree building is quadratic in nesting depth) only sees pages
whose nesting cost is bounded.
"""

from __future__ import annotations

import html as htmllib
import json
import re
from dataclasses import asdict, dataclass, field
from datetime import date
from itertools import islice
from urllib.parse import parse_qs, urlsplit

from .errors import ParseError
from .ids import ARXIV_ID, ARXIV_PATTERN, HF, paper_path_id, paper_url, title_id, title_key

MAX_CHARS = 64_000_000  # far above a real page (1-2 MB); refuse rather than spend minutes
_DOM_COST_LIMIT = 20_000_000  # sum of open-element depths lexbor may walk (a real 20 MB page: ~1e6)


@dataclass
class Paper:
    """One paper as the page shows it. `id` is the arXiv id, or `t-<hash>` of the normalized title."""

    id: str
    title: str
    abstract: str = ""
    authors: list[str] = field(default_factory=list)
    author_count: int | None = None
    published: str | None = None  # YYYY-MM-DD
    upvotes: int | None = None
    comments: int | None = None
    url: str = ""
    ai_keywords: list[str] = field(default_factory=list)

    def to_dict(self) -> dict:
        """The paper as plain JSON-able data (every field above)."""
        return asdict(self)


@dataclass
class Page:
    kind: str  # daily | week | month | trending | search | paper | text | api
    url: str | None
    papers: list[Paper]
    # What the parser saw but could not place (a paragraph under no title, metadata under no paper): said,
    # never dropped or merged silently.
    warnings: list[str] = field(default_factory=list)

    def to_dict(self) -> dict:
        """`{"kind", "url", "papers": [Paper.to_dict()], "warnings": [str]}`."""
        return {"kind": self.kind, "url": self.url, "papers": [p.to_dict() for p in self.papers],
                "warnings": list(self.warnings)}


def page_kind(url: str | None) -> str | None:
    """The kind of huggingface.co/papers page a URL names (daily | week | month | trending | search | paper),
    or None if it names none."""
    if not url:
        return None
    try:
        parts = urlsplit(url)
        host = parts.hostname
    except ValueError:
        return None
    if host not in ("huggingface.co", "www.huggingface.co", "hf.co"):
        return None
    path = parts.path.rstrip("/")
    if not path.startswith("/papers"):
        return None
    if parse_qs(parts.query).get("q", [""])[0].strip():
        return "search"
    rest = path[len("/papers"):].strip("/")
    head = rest.split("/")[0] if rest else ""
    if ARXIV_ID.match(head):
        return "paper"
    return {"": "daily", "date": "daily", "week": "week", "month": "month", "trending": "trending"}.get(head, "daily")


def parse_page(content: str | bytes, url: str | None = None) -> Page:
    """Parse a page into `Page(kind, url, papers, warnings)`, papers in page order, no duplicates.

    `content` is page HTML, a saved `/api/daily_papers` or `/api/papers/search` response, or a text copy.
    Raises ParseError ("no papers found" / "not a Hugging Face papers page" / unreadable input) rather
    than guessing; `warnings` say what text it read but could not place.
    """
    warnings: list[str] = []
    text = _as_text(content)
    stripped = text.strip()
    if not stripped:
        raise ParseError("the page is empty")
    kind = page_kind(url)
    if stripped[0] in "[{":
        papers, found = _parse_api_json(stripped), "api"
    elif _looks_like_html(stripped):
        papers, found = _parse_html(stripped, kind, url, warnings)
    else:
        papers, found = _parse_text_copy(stripped, url, warnings=warnings), "text"
    papers = _dedupe(papers)
    if not papers:
        raise ParseError("no papers found on the page")
    return Page(kind=kind or found, url=url, papers=papers, warnings=warnings)


def _as_text(content: str | bytes) -> str:
    if isinstance(content, (bytes, bytearray)):
        if content[:2] in (b"\xff\xfe", b"\xfe\xff"):  # a page saved as UTF-16 (Windows editors do)
            content = bytes(content).decode("utf-16", errors="replace").encode("utf-8")
        if b"\x00" in content[:65536]:
            raise ParseError("the page is binary data, not a Hugging Face papers page")
        content = bytes(content).decode("utf-8-sig", errors="replace")
        if content.count("\ufffd") > max(16, len(content) // 100):
            raise ParseError("the page is not UTF-8 text")
    if not isinstance(content, str):
        raise ParseError("the page must be text")
    if len(content) > MAX_CHARS:
        raise ParseError(f"the page is too large ({len(content) // 1_000_000} MB)")
    head = content[:4096]
    controls = sum(1 for c in head if c < " " and c not in "\t\n\r\f")
    if "\x00" in content or controls > len(head) // 10 + 1:
        raise ParseError("the page is binary data, not a Hugging Face papers page")
    return content.lstrip("\ufeff")


def _looks_like_html(text: str) -> bool:
    return text.startswith("<") or re.search(r"<(?:!doctype|html|head|body)\b", text[:4096], re.I) is not None


def _dedupe(papers: list[Paper]) -> list[Paper]:
    seen: set[str] = set()
    out = []
    for p in papers:
        if p.id not in seen:
            seen.add(p.id)
            out.append(p)
    return out


def _clean(text) -> str:
    """One line of text: whitespace runs (and control characters) become single spaces."""
    return " ".join(str(text).split())


def _int(value) -> int | None:
    return value if isinstance(value, int) and not isinstance(value, bool) and value >= 0 else None


# ---------------------------------------------------------------- JSON (hydration and API)


def _paper_from_item(item) -> Paper | None:
    """A `dailyPapers[i]` / `searchResults[i]` / API item (wrapped `{paper: {...}}` or flat) -> Paper."""
    if not isinstance(item, dict):
        return None
    inner = item.get("paper") if isinstance(item.get("paper"), dict) else item
    title = _clean(item.get("title") or inner.get("title") or "")
    if not title:
        return None
    pid = str(inner.get("id") or "").strip()
    if not ARXIV_ID.match(pid):
        pid = title_id(title)
    authors = inner.get("authors") if isinstance(inner.get("authors"), list) else []
    names = [_clean(a.get("name") or "") for a in authors if isinstance(a, dict) and not a.get("hidden")]
    names = [n for n in names if n]
    published = inner.get("publishedAt") or item.get("publishedAt")
    published = published[:10] if isinstance(published, str) and _iso_date(published[:10]) else None
    keywords = inner.get("ai_keywords") if isinstance(inner.get("ai_keywords"), list) else []
    summary = item.get("summary") or inner.get("summary") or ""
    return Paper(
        id=pid,
        title=title,
        abstract=_clean(summary) if isinstance(summary, str) else "",
        authors=names,
        author_count=len(names) if names else None,
        published=published,
        upvotes=_int(inner.get("upvotes")),
        comments=_int(item.get("numComments")),
        url=paper_url(pid, title),
        ai_keywords=[_clean(k) for k in keywords if isinstance(k, str) and k.strip()],
    )


def _iso_date(text: str) -> bool:
    try:
        date.fromisoformat(text)
    except ValueError:
        return False
    return bool(re.fullmatch(r"\d{4}-\d\d-\d\d", text))


def _papers_from_items(items) -> list[Paper]:
    if not isinstance(items, list):
        return []
    return [p for p in (_paper_from_item(i) for i in items) if p]


def _parse_api_json(text: str) -> list[Paper]:
    try:
        data = json.loads(text)
    except (ValueError, RecursionError) as e:
        raise ParseError(f"the page looks like JSON but does not parse: {str(e)[:200]}") from None
    if isinstance(data, dict):
        for key in ("searchResults", "dailyPapers", "papers"):
            if isinstance(data.get(key), list) and data[key]:
                return _papers_from_items(data[key])
        if isinstance(data.get("paper"), dict):  # PaperContent props or a single wrapped item
            return _papers_from_items([data])
        return _papers_from_items([data])
    return _papers_from_items(data)


# A start tag, attribute by attribute; quoted values may hold `>` and `<`. Possessive quantifiers keep
# every match linear even on hostile input (no backtracking into attribute lists).
_ATTR = r"""\s++([^\s"'>/=]++)(?:\s*+=\s*+("[^"]*+"|'[^']*+'|[^\s"'>]++))?+"""
_TAG_AT = re.compile(r"<([a-zA-Z][\w-]*+)((?:" + _ATTR + r")*+)\s*+/?>")
_ATTRS = re.compile(_ATTR)


_SSR_ENTITIES = (("&quot;", '"'), ("&#34;", '"'), ("&#39;", "'"), ("&apos;", "'"), ("&lt;", "<"), ("&gt;", ">"),
                 ("&amp;", "&"))  # &amp; last, so "&amp;quot;" becomes "&quot;", not '"'


def _unescape(value: str) -> str:
    """html.unescape, with a C-speed path when the value holds only the entities SSR output uses (a 1 MB
    data-props carries ~40k `&quot;`; html.unescape's per-entity Python callback costs ~40 ms on it)."""
    if "&" not in value:
        return value
    out = value
    for entity, char in _SSR_ENTITIES[:-1]:
        if entity in out:
            out = out.replace(entity, char)
    if out.count("&") != out.count("&amp;"):  # some other entity: let the standard library decode it
        return htmllib.unescape(value)
    return out.replace("&amp;", "&")


def _attributes(attrs: str) -> dict[str, str]:
    out = {}
    for name, value in _ATTRS.findall(attrs):
        if value[:1] in ("'", '"'):
            value = value[1:-1]
        out.setdefault(name.lower(), _unescape(value))
    return out


def _tag_attributes(tag: str, attrs: str) -> dict[str, str]:
    """The attributes of one start tag, entities decoded. Lexbor decodes a 1 MB data-props in ~3 ms, in
    C; it only ever sees this one tag, so page nesting cannot slow it down."""
    try:
        from selectolax.lexbor import LexborHTMLParser
    except ImportError:  # pragma: no cover - a dependency; the regex path decodes the same
        return _attributes(attrs)
    node = LexborHTMLParser(tag).css_first("[data-target]")
    if node is None:  # e.g. a <tr> outside a table, which an HTML parser drops
        return _attributes(attrs)
    return {name.lower(): value or "" for name, value in node.attributes.items()}


def _hydration_props(page: str, target: str) -> dict | None:
    """The decoded `data-props` JSON of the element whose `data-target` is `target`, or None.

    Robust to attribute order and to `>`/`<` inside the (often huge) attribute value: for each place the
    target name occurs, the enclosing tag is the nearest `<` before it whose tag match reaches past it."""
    if target not in page:  # a plain substring scan is ~10x cheaper than the regex below
        return None
    for hit in islice(re.finditer(r"data-target\s*=\s*[\"']?" + target + r"\b", page), 5):
        start = hit.start()
        for _ in range(10):  # a `<` inside an earlier quoted value is skipped: its match ends too early
            start = page.rfind("<", 0, start)
            if start < 0:
                break
            tag = _TAG_AT.match(page, start)
            if not tag or tag.end() <= hit.start():
                continue
            attrs = _tag_attributes(tag.group(0), tag.group(2))
            if attrs.get("data-target") != target or "data-props" not in attrs:
                break
            try:
                props = json.loads(attrs["data-props"])
            except (ValueError, RecursionError):
                return None  # present but broken (truncated): fall back to the cards
            return props if isinstance(props, dict) else None
    return None


# ---------------------------------------------------------------- HTML

# A card's title link: id, and the title text when it is plain (for naming papers found in the visible text).
_CARD_LINK = re.compile(
    r"""<h3\b[^<>]*+>\s*+<a\b[^<>]*?\bhref\s*=\s*["'](?:"""
    + re.escape(HF)
    + rf""")?/papers/({ARXIV_PATTERN})["']"""
    r"""(?:[^<>]*+>([^<]{1,2000}+)</a>)?+""",
    re.I,
)


def _kind_from_props(props: dict) -> str:
    query = props.get("query")
    if isinstance(query, dict) and str(query.get("q") or "").strip():
        return "search"
    if props.get("isTrending") is True:
        return "trending"
    return {"week": "week", "month": "month"}.get(props.get("periodType"), "daily")


def _parse_html(page: str, kind: str | None, url: str | None, warnings: list[str]) -> tuple[list[Paper], str]:
    """HTML -> (papers, kind the page itself suggests); what it cannot place goes to `warnings`."""
    props = _hydration_props(page, "PaperContent")
    if props and isinstance(props.get("paper"), dict):
        paper = _paper_from_item(props["paper"])
        if paper and isinstance(props.get("comments"), list):
            paper.comments = len(props["comments"])
        return ([paper] if paper else []), "paper"

    card_links = _CARD_LINK.findall(page)
    card_ids = [pid for pid, _ in card_links]
    props = _hydration_props(page, "DailyPapers")
    found = _kind_from_props(props) if props else "daily"
    by_id: dict[str, Paper] = {}
    if props:
        results, daily = props.get("searchResults"), props.get("dailyPapers")
        if "search" in (found, kind) and isinstance(results, list):
            # A search shows its results (possibly none); the daily list rides along in the props unseen,
            # so it only counts when the rendered cards are its papers.
            lists = [results, daily] if card_ids else [results]
        else:
            lists = [daily, results]
        for items in lists:
            papers = _papers_from_items(items)
            by_id.update((p.id, p) for p in papers if p.id not in by_id)
            if papers and set(card_ids) <= {p.id for p in papers}:
                return papers, found
        # Stale JSON (or none): the cards say which papers the reader sees; the JSON fills in those it knows.

    if not (props or card_ids or kind or _mentions_hf(page)):
        raise ParseError("not a Hugging Face papers page")
    tree = _dom(page)
    if tree is not None:
        if kind == "paper" or 'data-target="PaperContent"' in page:  # before cards: its h3s are no list
            paper = _paper_from_paper_page(tree, url)
            if paper:
                return [paper], "paper"
        papers = [by_id.get(p.id, p) for p in _papers_from_cards(tree, _page_year_hint(url, props))]
        if papers:
            return papers, found
    papers = _parse_text_copy(_visible_text(page), url, require_hf=False, warnings=warnings)
    ids = {title_key(_unescape(title)): pid for pid, title in card_links if title}
    for p in papers:  # the text has no ids, but the title links it came from do
        if pid := ids.get(title_key(p.title)):
            p.id, p.url = pid, paper_url(pid, p.title)
    return papers, found


def _mentions_hf(page: str) -> bool:
    head = page[:200_000].lower()
    return "huggingface.co" in head or "hugging face" in head or 'href="/papers/' in head


_TAG_NAME = re.compile(r"<(/?[a-zA-Z][\w-]*)")
_VOID = frozenset(
    "area base br col embed hr img input link meta source track wbr path circle rect line polyline polygon "
    "ellipse use stop".split()
)
_DOM_MAX_TAGS = 300_000  # a real 100-card page has ~20k; beyond this the cards region alone is parsed


def _nesting_cost(page: str) -> int:
    """The sum over start tags of the open-element depth (what lexbor's scope checks walk), stopping
    once it passes the limit. Unclosed `<p>`/`<li>` only over-count, which just skips the DOM."""
    depth = cost = 0
    for name in _TAG_NAME.findall(page):
        if name[0] == "/":
            depth -= 1 if depth else 0
        elif name.lower() not in _VOID:
            depth += 1
            cost += depth
            if cost > _DOM_COST_LIMIT:
                break
    return cost


def _card_region(page: str) -> str:
    """From the first card to the last: all the DOM fallback needs of a page with huge padding."""
    lower = page.lower()
    start = next((i for i in (lower.find("<article"), lower.find("<h3")) if i >= 0), -1)
    if start < 0:
        return ""
    end = lower.rfind("</article>")
    end = end + len("</article>") if end >= 0 else lower.rfind("</h3>") + len("</h3>")
    return page[start:end] if end > start else page[start:]


def _dom(page: str):
    """A lexbor tree of the page (or of its cards region when the page is huge), or None when building it
    could take too long: lexbor's scope checks walk the stack of open elements, so its cost grows with
    the sum of depths, and deep nesting would hang it."""
    if page.count("<") > _DOM_MAX_TAGS:
        page = _card_region(page)
        if page.count("<") > _DOM_MAX_TAGS:
            return None
    if _nesting_cost(page) > _DOM_COST_LIMIT:
        return None
    try:
        from selectolax.lexbor import LexborHTMLParser
    except ImportError:  # pragma: no cover - a dependency; the visible-text path still works without it
        return None
    tree = LexborHTMLParser(page)
    # A `<br>` breaks words where the page shows them ("Pretraining:<br>Robot" in a title link), but
    # lexbor's text() drops it and glues them together; a space after each keeps them apart.
    for br in tree.css("br"):
        br.insert_after(" ")
    return tree


_MON = "Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sep|Oct|Nov|Dec"
_MONTHS = {m: i for i, m in enumerate(_MON.split("|"), 1)}
_CARD_DATE = re.compile(rf"^(?:Published on )?(?P<mon>{_MON})[a-z]*\.? (?P<day>\d{{1,2}})(?:, (?P<year>\d{{4}}))?$")
_COUNT = re.compile(r"^\s*(\d+|-)\s*$")


def _count(text: str | None) -> int | None:
    m = _COUNT.match(text or "")
    if not m:
        return None
    return 0 if m.group(1) == "-" else int(m.group(1))


def _card_title_links(tree) -> list:
    links = []
    for a in tree.css("h3 a[href]"):
        pid = paper_path_id(a.attributes.get("href") or "")
        if pid:
            links.append((pid, a))
    return links


def _card_of(link):
    """The card around a title link: its `article`, else the widest ancestor holding only this title."""
    node, best = link.parent, link.parent
    for _ in range(8):
        if node is None or node.tag in ("body", "html", "main"):
            break
        if node.tag == "article":
            return node
        if len(node.css("h3 a[href]")) > 1:
            break
        best, node = node, node.parent
    return best


def _papers_from_cards(tree, year_hint: int | None) -> list[Paper]:
    """Rendered list cards -> papers with what each card shows (fields the card lacks stay empty)."""
    raw = []
    for pid, link in _card_title_links(tree):
        title = _clean(link.text(deep=True))
        if not title:
            continue
        card = _card_of(link)
        paragraphs = [_clean(p.text(deep=True)) for p in card.css("p")]
        abstract = max(paragraphs, key=len, default="")
        # The first avatar list only: a card rendered in two layouts (mobile and desktop, one hidden by
        # CSS) holds it twice, and two co-authors may share a name, so names are not deduplicated.
        avatar = card.css_first("li[title]")
        avatars = avatar.parent.css("li[title]") if avatar is not None and avatar.parent is not None else []
        names = [_clean(li.attributes.get("title") or "") for li in avatars]
        names = [n for n in names if n]
        lines = [ln.strip() for ln in card.text(deep=True, separator="\n").splitlines() if ln.strip()]
        count = next((int(m.group(1)) for ln in lines if (m := re.fullmatch(r"[·•]?\s*(\d+) authors?", ln))), None)
        shown = next((m for ln in lines if (m := _CARD_DATE.match(ln))), None)
        up = card.css_first("label .leading-none") or card.css_first('a[href^="/login"] .leading-none')
        up = up or card.css_first(".leading-none")
        com = card.css_first(f'a[href="/papers/{pid}#community"]') or card.css_first(f'a[href="{HF}/papers/{pid}#community"]')
        raw.append((pid, title, abstract, names, count, shown, up, com))
    explicit = [int(r[5].group("year")) for r in raw if r[5] and r[5].group("year")]
    year = year_hint or (max(explicit) + 1 if explicit else date.today().year)
    papers = []
    for pid, title, abstract, names, count, shown, up, com in raw:
        papers.append(Paper(
            id=pid, title=title, abstract=abstract, authors=names,
            author_count=count if count is not None else (len(names) or None),
            published=_resolve_date(shown, year, None),
            upvotes=_count(up.text(deep=True)) if up else None,
            comments=_count(com.text(deep=True)) if com else None,
            url=paper_url(pid, title),
        ))
    return papers


def _paper_from_paper_page(tree, url: str | None) -> Paper | None:
    """A `/papers/<id>` page without its JSON: h1 title, "Published on", authors, the abstract."""
    h1 = tree.css_first("h1")
    title = _clean(h1.text(deep=True)) if h1 else ""
    if not title:
        return None
    pid = ""
    for source in (url, *(n.attributes.get("href") for n in tree.css('link[rel="canonical"]')),
                   *(n.attributes.get("content") for n in tree.css('meta[property="og:url"]'))):
        pid = paper_path_id(source or "")
        if pid:
            break
    pid = pid or title_id(title)
    text = tree.body.text(deep=True, separator="\n") if tree.body else ""
    shown = re.search(rf"Published on (?P<mon>{_MON})[a-z]* (?P<day>\d{{1,2}})(?:, (?P<year>\d{{4}}))?", text)
    names = [_clean(n.text(deep=True)) for n in tree.css(".author")]
    names = [n for n in names if n]
    paragraphs = [_clean(p.text(deep=True)) for p in tree.css("main p")]
    up = tree.css_first(".text-orange-500")
    return Paper(
        id=pid, title=title, abstract=max(paragraphs, key=len, default=""), authors=names,
        author_count=len(names) or None, published=_resolve_date(shown, date.today().year, date.today()),
        upvotes=_count(up.text(deep=True)) if up else None,
        comments=len(tree.css("div.scroll-mt-4")) if tree.css_first("#community") else None,
        url=paper_url(pid, title),
    )


_VISIBLE_MAX = 8_000_000
_SKIP_BLOCKS = ("head", "script", "style", "template", "svg", "noscript", "textarea")
_BLOCK_TAG = re.compile(
    r"<(?:/?)(?:p|div|span|h[1-6]|li|ul|ol|article|section|header|footer|main|nav|aside|br|hr|tr|td|th|table|"
    r"label|time|dt|dd|dl|blockquote|pre|figure|figcaption|form|button)\b[^<>]*+>?",
    re.I,
)
# `[^<>]` keeps every attempt within one tag, so a page full of unclosed `<` stays linear.
_ANY_TAG = re.compile(r"<[a-zA-Z/!?][^<>]*+>?")


def _visible_text(page: str) -> str:
    """Roughly the page's innerText: no scripts, styles or comments; block elements end lines. Linear, and
    only over the first _VISIBLE_MAX characters (papers sit at the top; the rest of a huge page is padding)."""
    page = page[:_VISIBLE_MAX]
    lower = page.lower()
    out, pos = [], 0
    pattern = re.compile(r"<!--|<(" + "|".join(_SKIP_BLOCKS) + r")\b", re.I)
    while (m := pattern.search(page, pos)) is not None:
        out.append(page[pos:m.start()])
        closer = "-->" if m.group(0) == "<!--" else f"</{m.group(1).lower()}"
        end = lower.find(closer, m.end())
        if end < 0:
            pos = len(page)
            break
        pos = lower.find(">", end) + 1 or len(page)
    out.append(page[pos:])
    text = _BLOCK_TAG.sub("\n", "".join(out))
    text = _ANY_TAG.sub("", text)
    return htmllib.unescape(text)


# ---------------------------------------------------------------- dates


def _safe_date(y: int, m: int, d: int) -> date | None:
    try:
        return date(y, m, d)
    except ValueError:
        return None


def _page_year_hint(url: str | None, props: dict | None = None) -> int | None:
    """The page's year when the URL or the page's own `dateString` names it."""
    sources = [url or ""]
    if props and isinstance(props.get("dateString"), str):
        sources.append("/" + props["dateString"])
    for s in sources:
        m = re.search(r"/(\d{4})-(?:\d\d|W\d\d)\b", s)
        if m:
            return int(m.group(1))
    return None


def _page_date_from_url(url: str | None) -> date | None:
    m = re.search(r"/date/(\d{4})-(\d\d)-(\d\d)\b", url or "")
    return _safe_date(int(m.group(1)), int(m.group(2)), int(m.group(3))) if m else None


def _resolve_date(m, year: int, page_date: date | None) -> str | None:
    """A shown date ("Sep 10" or "Mar 8, 2024") -> ISO. Year-less dates are in the page's year, and never
    later than the page's own date (then they are from the year before)."""
    if not m:
        return None
    mon, day = _MONTHS[m.group("mon")[:3]], int(m.group("day"))
    if m.group("year"):
        d = _safe_date(int(m.group("year")), mon, day)
    else:
        d = _safe_date(year, mon, day)
        if d and page_date and d > page_date:
            d = _safe_date(year - 1, mon, day)
    return d.isoformat() if d else None


# ---------------------------------------------------------------- text copies

_DATE_LINE = re.compile(rf"^(?P<mon>{_MON})[a-z]* (?P<day>\d{{1,2}})(?:, (?P<year>\d{{4}}))?(?: (?P<up>\d+|-))?$")
_AUTHORS_LINE = re.compile(r"^[•·*-]?\s*(\d+) authors?$")
_SEPARATORS = {"·", "•"}
_MAX_LINES = 100_000
_MAX_TITLE_LINE = 300  # longer lines are abstracts
_MIN_ABSTRACT = 100  # shorter lines are furniture (nav, footer, counts), not a paper's abstract
_BOILERPLATE = {
    "new",
    "Get trending papers in your email inbox!",
    "Subscribe",
    "Daily Papers",
    "byAK and the research community",
    "by AK and the research community",
    "Trending Papers",
}


def _looks_like_title(line: str) -> bool:
    """After an abstract with no metadata lines, a new title rather than a second abstract paragraph:
    short and not ending like a sentence (no seed title ends with a period; every abstract is longer)."""
    return len(line) <= _MAX_TITLE_LINE and not line.endswith((".", ":", ";", ","))


def _looks_like_org(line: str) -> bool:
    """An organization chip ("Lumen AI", "NVIDIA"): cards show one instead of "N authors", right above the
    date. Paper titles are longer (under 2% of the seed titles have four words or fewer)."""
    return len(line) <= 40 and len(line.split()) <= 4 and _looks_like_title(line)


def _records_in(segment: list[str], starts_paper: bool, warnings: list[str]) -> tuple[list[dict], bool]:
    """The lines between two metadata blocks -> (records, whether the last one ends the segment and so
    owns the metadata that follows). A record is a title-like line and the paragraph(s) after it; a
    title-like line followed by another (an org chip, "Submitted by", a count) is page furniture,
    unless it is the segment's last line: then it is a paper shown with metadata but no abstract, or,
    right after another paper's abstract and short, that paper's organization chip.

    `starts_paper`: the segment follows a metadata block or the page header, so its first line is a title
    whatever it ends with ("Attention is not all you need."). A paragraph under no title is reported in
    `warnings`, not dropped silently."""
    records, i, n, last_end = [], 0, len(segment), -1
    while i < n:
        j = i + 1
        while j < n and not _looks_like_title(segment[j]):
            j += 1
        title_like = _looks_like_title(segment[i]) or (i == 0 and starts_paper and len(segment[i]) <= _MAX_TITLE_LINE)
        if title_like and j == n and i == last_end and j == i + 1 and records[-1].get("abstract") \
                and _looks_like_org(segment[i]):
            records[-1]["org"] = segment[i]
            last_end = n
        elif title_like and (j > i + 1 or j == n):
            record = {"title": segment[i]}
            if j > i + 1:
                paragraphs = segment[i + 1:j]
                record["abstract"] = "\n\n".join(paragraphs)
                for k, para in enumerate(paragraphs[1:-1], 1):
                    # A short line between two paragraphs reads like the title of a paper shown
                    # without metadata, whose title ends like a sentence (so it is not title-like).
                    if len(para) <= _MAX_TITLE_LINE and len(para) < len(paragraphs[k + 1]) >= _MIN_ABSTRACT:
                        warnings.append(
                            f"read {_quote(para)} as part of the abstract of {_quote(segment[i])}: if it is the "
                            "title of a paper shown without authors or date, that paper is missing"
                        )
            records.append(record)
            last_end = j
        else:
            for line in segment[i:j]:
                if len(line) >= _MIN_ABSTRACT:
                    warnings.append(f"left out a paragraph that follows no paper title: {_quote(line)}")
        i = j
    return records, last_end == n


def _quote(text: str, width: int = 70) -> str:
    return repr(text if len(text) <= width else text[: width - 1] + "…")


def _parse_text_copy(
    text: str, url: str | None, require_hf: bool = True, warnings: list[str] | None = None
) -> list[Paper]:
    """The seeds' format: header, then per paper a title line, an abstract paragraph, and usually
    `• N authors`, `·`, a date line with an optional upvote count (`Sep 10 4`). Also the visible text
    of a page: metadata blocks anchor the papers, and lines that fit no paper are skipped; text that looks
    like a paper's but fits none is reported in `warnings`.

    With `require_hf`, text that shows neither the page's header nor any paper metadata is not an HF
    page (a random document must not turn into papers)."""
    warnings = [] if warnings is None else warnings
    # ~700 lines for 78 papers; beyond _MAX_LINES it is padding, not a page
    lines = [_clean(ln) for ln in islice((ln for ln in text.splitlines() if ln and not ln.isspace()), _MAX_LINES)]
    header_seen = after_header = False
    page_md = None  # the page's own date from the header: (month, day, year or None)
    records: list[dict] = []
    segment: list[str] = []
    after_block = False  # the segment being read follows a metadata block or the header
    target: dict | None = None  # the paper the metadata lines being read belong to
    for line in lines:
        if line in _SEPARATORS:
            continue
        if line in _BOILERPLATE:  # the page header (wherever a copy of the whole page puts it)
            header_seen = after_header = after_block = True
            segment, target = [], None
            continue
        date_m = _DATE_LINE.match(line)
        if after_header and date_m:
            page_md = (_MONTHS[date_m.group("mon")[:3]], int(date_m.group("day")), date_m.group("year"))
            continue
        after_header = False
        authors_m = _AUTHORS_LINE.match(line)
        if not (authors_m or date_m):
            segment.append(line)
            continue
        if segment:
            found, owns_meta = _records_in(segment, after_block, warnings)
            records += found
            target, segment = (found[-1] if owns_meta else None), []
        after_block = True
        if target is None:
            warnings.append(f"left out {_quote(line)}: it follows no paper (a paper above it may be missing)")
            continue
        if authors_m and "author_count" not in target and "date" not in target:
            target["author_count"], target["meta"] = int(authors_m.group(1)), True
        elif date_m and "date" not in target:
            target["date"], target["meta"] = date_m, True
            target = None
    records += _records_in(segment, after_block, warnings)[0]
    # A paper shows metadata, or at least a real abstract; a lone line (nav, footer) is no paper.
    records = [r for r in records if r.get("meta") or len(r.get("abstract", "")) >= _MIN_ABSTRACT]
    if require_hf and not header_seen and not any(r.get("meta") for r in records):
        raise ParseError("not a Hugging Face papers page")

    explicit = [int(r["date"].group("year")) for r in records if r.get("date") and r["date"].group("year")]
    year = _page_year_hint(url) or (int(page_md[2]) if page_md and page_md[2] else None)
    year = year or (max(explicit) + 1 if explicit else date.today().year)
    page_date = _page_date_from_url(url) or (_safe_date(year, page_md[0], page_md[1]) if page_md else None)
    papers = []
    for r in records:
        title = r["title"]
        pid = title_id(title)
        m = r.get("date")
        up = m.group("up") if m else None
        papers.append(Paper(
            id=pid, title=title, abstract=r.get("abstract", ""), author_count=r.get("author_count"),
            published=_resolve_date(m, year, page_date), upvotes=_count(up) if up else None,
            url=paper_url(pid, title),
        ))
    return papers
