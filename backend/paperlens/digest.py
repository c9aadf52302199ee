"""Page (HTML, hydration JSON, HF API JSON or a plain-text copy) -> page kind + list of papers.

Pure: no Flask, no database. The one entry point is `parse_page`.

Order of trust for HTML (huggingface.co/papers is a Svelte app whose markup drifts):
1. the SSR hydration JSON in `data-props` of `[data-target="DailyPapers"]` / `[data-target="PaperContent"]`;
2. (later) the rendered cards;
3. (later) the visible text.
Text copies (what a reader gets by selecting the page and copying it) have their own parser.
"""

from __future__ import annotations

import hashlib
import html as htmllib
import json
import re
import unicodedata
from dataclasses import asdict, dataclass, field
from datetime import date
from urllib.parse import parse_qs, quote, urlsplit

from .errors import ParseError

HF = "https://huggingface.co"
ARXIV_ID = re.compile(r"^\d{4}\.\d{4,5}$")


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
        return asdict(self)


@dataclass
class Page:
    kind: str  # daily | week | month | trending | search | paper | text | api
    url: str | None
    papers: list[Paper]

    def to_dict(self) -> dict:
        return {"kind": self.kind, "url": self.url, "papers": [p.to_dict() for p in self.papers]}


def normalize_title(title: str) -> str:
    """Casefolded, accent-free, punctuation-free, single-spaced title: the key for duplicates."""
    text = unicodedata.normalize("NFKD", title)
    text = "".join(c for c in text if not unicodedata.combining(c)).casefold()
    return " ".join(re.findall(r"\w+", text))


def title_id(title: str) -> str:
    """Stable id for a paper the page gives no arXiv id for."""
    return "t-" + hashlib.sha256(normalize_title(title).encode()).hexdigest()[:16]


def paper_url(paper_id: str, title: str) -> str:
    if ARXIV_ID.match(paper_id):
        return f"{HF}/papers/{paper_id}"
    return f"{HF}/papers?q={quote(title)}"


def page_kind(url: str | None) -> str | None:
    """The kind of huggingface.co/papers page a URL names, or None if it names none."""
    if not url:
        return None
    parts = urlsplit(url)
    if parts.hostname not in ("huggingface.co", "www.huggingface.co"):
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
    """Parse a page into `Page(kind, url, papers)`, papers in page order, no duplicates.

    Raises ParseError ("no papers found" / "not a Hugging Face papers page") rather than guessing.
    """
    if isinstance(content, bytes):
        try:
            content = content.decode("utf-8")
        except UnicodeDecodeError:
            raise ParseError("the page is not UTF-8 text") from None
    if "\x00" in content:
        raise ParseError("the page is binary data, not a Hugging Face papers page")
    stripped = content.strip()
    if not stripped:
        raise ParseError("the page is empty")
    kind = page_kind(url)
    if stripped[0] in "[{":
        papers = _parse_api_json(stripped)
        kind = kind or "api"
    elif re.search(r"<\s*(html|body|div|article|main|h3|!doctype)\b", stripped[:200000], re.I):
        papers = _parse_html(stripped, kind)
        kind = kind or "daily"
    else:
        papers = _parse_text_copy(stripped, url)
        kind = kind or "text"
    papers = _dedupe(papers)
    if not papers:
        raise ParseError("no papers found on the page")
    return Page(kind=kind, url=url, papers=papers)


def _dedupe(papers: list[Paper]) -> list[Paper]:
    seen: set[str] = set()
    out = []
    for p in papers:
        if p.id not in seen:
            seen.add(p.id)
            out.append(p)
    return out


# ---------------------------------------------------------------- JSON (hydration and API)


def _paper_from_item(item: dict) -> Paper | None:
    """A `dailyPapers[i]` / `searchResults[i]` / API item (wrapped or flat) -> Paper."""
    if not isinstance(item, dict):
        return None
    inner = item.get("paper") if isinstance(item.get("paper"), dict) else item
    pid = str(inner.get("id") or "").strip()
    title = _clean(item.get("title") or inner.get("title") or "")
    if not title:
        return None
    if not ARXIV_ID.match(pid):
        pid = title_id(title)
    authors = [
        _clean(a.get("name", "")) for a in inner.get("authors") or [] if isinstance(a, dict) and not a.get("hidden")
    ]
    authors = [a for a in authors if a]
    published = inner.get("publishedAt") or item.get("publishedAt")
    published = published[:10] if isinstance(published, str) and re.match(r"\d{4}-\d\d-\d\d", published) else None
    upvotes = inner.get("upvotes")
    comments = item.get("numComments")
    keywords = inner.get("ai_keywords") or []
    return Paper(
        id=pid,
        title=title,
        abstract=_clean(item.get("summary") or inner.get("summary") or ""),
        authors=authors,
        author_count=len(authors) if authors else None,
        published=published,
        upvotes=upvotes if isinstance(upvotes, int) else None,
        comments=comments if isinstance(comments, int) else None,
        url=paper_url(pid, title),
        ai_keywords=[_clean(k) for k in keywords if isinstance(k, str)],
    )


def _papers_from_items(items) -> list[Paper]:
    if not isinstance(items, list):
        return []
    return [p for p in (_paper_from_item(i) for i in items) if p]


def _parse_api_json(text: str) -> list[Paper]:
    try:
        data = json.loads(text)
    except ValueError as e:
        raise ParseError(f"the page looks like JSON but does not parse: {e}") from None
    if isinstance(data, dict):
        for key in ("searchResults", "dailyPapers", "papers"):
            if isinstance(data.get(key), list) and data[key]:
                return _papers_from_items(data[key])
        if isinstance(data.get("paper"), dict):
            return _papers_from_items([data["paper"]])
        return _papers_from_items([data])
    return _papers_from_items(data)


_TAG = r"<div(?:\s+[\w:.-]+(?:\s*=\s*(?:\"[^\"]*\"|'[^']*'|[^\s>\"']+))?)*\s*/?>"


def _hydration_props(page: str, target: str) -> dict | None:
    """The decoded `data-props` JSON of the div with `data-target=target`, or None."""
    marker = f'data-target="{target}"'
    at = page.find(marker)
    if at < 0:
        return None
    start = page.rfind("<div", 0, at)
    if start < 0:
        return None
    tag = re.compile(_TAG).match(page, start)
    if not tag:
        return None
    attr = re.search(r"""data-props\s*=\s*(?:"([^"]*)"|'([^']*)')""", tag.group(0))
    if not attr:
        return None
    try:
        props = json.loads(htmllib.unescape(attr.group(1) or attr.group(2) or ""))
    except ValueError:
        return None
    return props if isinstance(props, dict) else None


def _parse_html(page: str, kind: str | None) -> list[Paper]:
    props = _hydration_props(page, "PaperContent")
    if props and isinstance(props.get("paper"), dict):
        paper = _paper_from_item(props["paper"])
        if paper and isinstance(props.get("comments"), list):
            paper.comments = len(props["comments"])
        return [paper] if paper else []
    props = _hydration_props(page, "DailyPapers")
    if props:
        results = props.get("searchResults")
        if kind == "search" and isinstance(results, list):
            return _papers_from_items(results)
        if isinstance(results, list) and results:
            return _papers_from_items(results)
        return _papers_from_items(props.get("dailyPapers"))
    if "huggingface" not in page.lower() and "/papers/" not in page:
        raise ParseError("not a Hugging Face papers page")
    return []


# ---------------------------------------------------------------- text copies

_MONTHS = {m: i for i, m in enumerate("Jan Feb Mar Apr May Jun Jul Aug Sep Oct Nov Dec".split(), 1)}
_DATE_LINE = re.compile(r"^(?P<mon>[A-Z][a-z]{2})[a-z]* (?P<day>\d{1,2})(?:, (?P<year>\d{4}))?(?: (?P<up>\d+|-))?$")
_AUTHORS_LINE = re.compile(r"^[•·*-]?\s*(\d+) authors?$")
_BOILERPLATE = {
    "new",
    "Get trending papers in your email inbox!",
    "Subscribe",
    "Daily Papers",
    "byAK and the research community",
    "Trending Papers",
}


def _clean(text: str) -> str:
    return " ".join(str(text).split())


def _parse_text_copy(text: str, url: str | None) -> list[Paper]:
    """The seeds' format: header, then per paper a title line, an abstract paragraph, and usually
    `• N authors`, `·`, a date line with an optional upvote count (`Sep 10 4`)."""
    lines = [ln.strip() for ln in text.splitlines()]
    lines = [ln for ln in lines if ln]
    # Header: boilerplate lines and the page's own date ("Oct 31").
    page_month_day = None
    i = 0
    while i < len(lines) and (lines[i] in _BOILERPLATE or _DATE_LINE.match(lines[i])):
        m = _DATE_LINE.match(lines[i])
        if m and m.group("mon") in _MONTHS:
            page_month_day = (_MONTHS[m.group("mon")], int(m.group("day")), m.group("year"))
        i += 1

    records: list[dict] = []
    current: dict | None = None
    for line in lines[i:]:
        authors = _AUTHORS_LINE.match(line)
        date_m = _DATE_LINE.match(line)
        if authors and current is not None:
            current["author_count"] = int(authors.group(1))
        elif line in ("·", "•"):
            continue
        elif date_m and date_m.group("mon") in _MONTHS and current is not None and current.get("abstract"):
            current["date"] = date_m
        elif current is None or current.get("abstract") or current.get("date"):
            current = {"title": line}
            records.append(current)
        else:
            current["abstract"] = line
    if not records:
        return []

    year = _infer_year(records, page_month_day, url)
    papers = []
    for r in records:
        title = _clean(r["title"])
        pid = title_id(title)
        published = upvotes = None
        if r.get("date"):
            m = r["date"]
            y = int(m.group("year")) if m.group("year") else year
            if y is not None:
                try:
                    d = date(y, _MONTHS[m.group("mon")], int(m.group("day")))
                except ValueError:
                    d = None
                if d and not m.group("year") and page_month_day and year:
                    page_d = _safe_date(year, page_month_day[0], page_month_day[1])
                    if page_d and d > page_d:  # never later than the page's own date
                        d = _safe_date(y - 1, d.month, d.day)
                published = d.isoformat() if d else None
            up = m.group("up")
            upvotes = int(up) if up and up.isdigit() else (0 if up == "-" else None)
        papers.append(
            Paper(
                id=pid,
                title=title,
                abstract=_clean(r.get("abstract", "")),
                author_count=r.get("author_count"),
                published=published,
                upvotes=upvotes,
                url=paper_url(pid, title),
            )
        )
    return papers


def _safe_date(y: int, m: int, d: int) -> date | None:
    try:
        return date(y, m, d)
    except ValueError:
        return None


def _infer_year(records: list[dict], page_month_day, url: str | None) -> int | None:
    """The page's year. HF shows dates of other years with their year, so the page's year is later
    than every year shown; the URL's date wins when there is one."""
    if url:
        m = re.search(r"/(\d{4})-(\d\d)(?:-\d\d)?\b", url) or re.search(r"/(\d{4})-W\d\d\b", url)
        if m:
            return int(m.group(1))
    if page_month_day and page_month_day[2]:
        return int(page_month_day[2])
    years = [int(r["date"].group("year")) for r in records if r.get("date") and r["date"].group("year")]
    if years:
        return max(years) + 1
    return date.today().year
