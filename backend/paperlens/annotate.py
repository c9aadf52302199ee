"""The annotate pipeline shared by the API and the CLI: page -> library -> keyphrases -> ranking -> answer.

No Flask here: `POST /api/annotate` and `paperlens annotate` call the same `Annotator.annotate`, so the
CLI prints exactly what the API answers.

The extension sends the page with the cards it found on it (`cards`: key, arXiv id when the card links
one, title, summary). The cards say which papers the reader sees; the parsed page (its hydration JSON
or markup) fills in what the cards do not show (the abstract, authors, HF's keywords). Every answered
paper carries the `key` of the card it answers, so the extension never has to recognize a paper itself.
"""

from __future__ import annotations

import time
from functools import lru_cache

from .config import (
    MAX_ABSTRACT_CHARS,
    MAX_AUTHOR_CHARS,
    MAX_CARD_AUTHORS,
    MAX_CARD_KEY_CHARS,
    MAX_PAPERS_PER_PAGE,
    MAX_TITLE_CHARS,
    RELATED_K,
    SEARCH_K,
)
from .digest import Page, Paper, page_kind, parse_page
from .errors import NotFound, PaperLensError, ParseError
from .ids import TITLE_ID_PREFIX, is_arxiv_id, paper_url, title_id, title_key
from .keyphrase_jobs import KeyphraseJobs
from .keyphrases import KeyphraseExtractor, Settings
from .ranking import DEFAULT_RANKER, make_ranker
from .triage import MuteMatcher, mark_for_you

CARD_FIELDS = ("key", "id", "title", "summary", "authors")
# The page kind recorded for a request that sends cards but no page and no huggingface.co URL.
CARDS_KIND = "cards"


def related_snapshot_path(db_path: str) -> str | None:
    """Where the related index of the library at `db_path` is snapshotted (beside it; none in memory)."""
    return None if db_path == ":memory:" else f"{db_path}.related-index.npz"


def read_cards(raw) -> list[dict]:
    """Validate the `cards` of an annotate request: a list of at most MAX_PAPERS_PER_PAGE objects
    {"key": str (unique), "id"?: arXiv id or null, "title": str, "summary"?: str or null, "authors"?: [str]
    (the names the card shows) or null}. Returns them as {"key", "id" (None if absent), "title"
    (single-spaced), "summary" ("" if absent), "authors" (single-spaced, blanks dropped; [] if absent)}.
    Raises PaperLensError: 400 for a bad shape, 422 for too many cards."""
    if not isinstance(raw, list) or not raw:
        raise PaperLensError("'cards' must be a non-empty list of {key, id?, title, summary?, authors?}", 400)
    if len(raw) > MAX_PAPERS_PER_PAGE:
        raise PaperLensError(f"{len(raw)} cards: at most {MAX_PAPERS_PER_PAGE} per call", 422)
    out, keys = [], set()
    for i, card in enumerate(raw):
        where = f"cards[{i}]"
        if not isinstance(card, dict):
            raise PaperLensError(f"{where} must be an object {{key, id?, title, summary?, authors?}}", 400)
        unknown = sorted(set(card) - set(CARD_FIELDS))
        if unknown:
            raise PaperLensError(f"{where} has unknown field(s) {', '.join(unknown)}: a card takes "
                                 f"{', '.join(CARD_FIELDS)}", 400)
        key = card.get("key")
        if not isinstance(key, str) or not key or len(key) > MAX_CARD_KEY_CHARS:
            raise PaperLensError(f"{where}.key must be a non-empty string of at most {MAX_CARD_KEY_CHARS} "
                                 "characters", 400)
        if key in keys:
            raise PaperLensError(f"{where}.key {key[:80]!r} is used by an earlier card: keys must be unique", 400)
        keys.add(key)
        pid = card.get("id")
        if pid is not None and not (isinstance(pid, str) and is_arxiv_id(pid)):
            raise PaperLensError(f"{where}.id must be an arXiv id like 2509.09737, or null", 400)
        title = card.get("title")
        title = " ".join(title.split()) if isinstance(title, str) else ""
        if not title or len(title) > MAX_TITLE_CHARS:
            raise PaperLensError(f"{where}.title must be a non-blank string of at most {MAX_TITLE_CHARS} "
                                 "characters", 400)
        summary = card.get("summary")
        if summary is not None and (not isinstance(summary, str) or len(summary) > MAX_ABSTRACT_CHARS):
            raise PaperLensError(f"{where}.summary must be a string of at most {MAX_ABSTRACT_CHARS} characters, "
                                 "or null", 400)
        authors = card.get("authors")
        if authors is not None and not (
            isinstance(authors, list) and len(authors) <= MAX_CARD_AUTHORS
            and all(isinstance(a, str) and len(a) <= MAX_AUTHOR_CHARS for a in authors)
        ):
            raise PaperLensError(f"{where}.authors must be a list of at most {MAX_CARD_AUTHORS} names of at most "
                                 f"{MAX_AUTHOR_CHARS} characters, or null", 400)
        names = [n for n in (" ".join(a.split()) for a in authors or []) if n]
        out.append({"key": key, "id": pid, "title": title, "summary": " ".join((summary or "").split()),
                    "authors": names})
    return out


def check_page(page: Page) -> Page:
    """The page itself if it is small enough to be answered without cards; else PaperLensError(422). Pure,
    so `paperlens annotate` checks a page before it opens (and maybe creates) a library."""
    if len(page.papers) > MAX_PAPERS_PER_PAGE:
        raise PaperLensError(f"the page lists {len(page.papers)} papers; at most {MAX_PAPERS_PER_PAGE} per call", 422)
    return page


def read_visible(raw, cards: list[dict] | None) -> list[str]:
    """Validate an annotate request's `visible`: a list of keys of its cards (the ones on screen, in order).
    Raises PaperLensError(400) for anything else."""
    if cards is None:
        raise PaperLensError("'visible' names cards: send it with 'cards'", 400)
    keys = {c["key"] for c in cards}
    if not isinstance(raw, list) or not all(isinstance(k, str) and k in keys for k in raw):
        raise PaperLensError("'visible' must be a list of the keys of cards in 'cards'", 400)
    return list(dict.fromkeys(raw))


class Annotator:
    """The pipeline over one library: `store` (the SQLite store), `extractor` (keyphrases) and the
    related-papers ranker named `ranker` (a key of `ranking.RANKERS`)."""

    def __init__(self, store, extractor: KeyphraseExtractor, ranker: str = DEFAULT_RANKER):
        self.store = store
        self.extractor = extractor
        self.keyphrases = KeyphraseJobs(store, extractor)
        # This process's ranker and its index of the library, synced with the store before every use.
        self.ranker_name = ranker
        self.ranker = make_ranker(ranker, store, related_snapshot_path(store.path), extractor.model_name)

    def close(self) -> None:
        """Stop the background keyphrase thread."""
        self.keyphrases.close()

    def warm(self) -> None:
        """Load what the first page would otherwise wait for: the embedding model and the analyzer."""
        self.ranker.warm()
        backend = self.extractor.backend()
        if callable(getattr(backend, "load", None)):  # the bundled model loads on first use otherwise
            backend.load()

    def annotate(
        self,
        content: str | None = None,
        url: str | None = None,
        wait: bool = False,
        cards: list[dict] | None = None,
        page: Page | None = None,
        visible: list[str] | None = None,
    ) -> dict:
        """Record the page's papers in the library and answer with their keyphrases (cached ones now, the
        rest pending unless `wait`), related papers, for_you, saved status and the reader's triage:
        {"ok": true, "page": {"kind", "url"}, "papers": [{"key", "id", "title", "url", "keyphrases",
        "pending", "saved", "first_seen", "seen_before", "first_seen_page", "dismissed", "for_you",
        "for_you_mark", "for_you_because", "muted", "related"}], "warnings": [what the parser could not
        place]} (tests/contract/triage.json says what each field holds).

        `content` is the page (HTML, JSON or a text copy). With `cards` (validated by `read_cards`) the
        answer has one paper per card, in card order, under the card's key, and only the cards' papers are
        recorded; the page only fills in details (a page that does not parse is then no error). Without
        cards, every paper the page holds is answered, under its id as key. `page` is the page already
        parsed (`digest.parse_page`), instead of `content`. `visible`: the keys of the cards on screen, in
        order (validated by `read_visible`): their keyphrases are computed first."""
        if page is None and content is not None:
            try:
                page = parse_page(content, url)
            except ParseError:
                if cards is None:
                    raise
        if page is None and cards is None:
            raise PaperLensError("send the page as 'html' or 'text', or its 'cards'", 400)
        if cards is None:
            papers = [p.to_dict() for p in check_page(page).papers]  # before anything is stored
            for p in papers:
                p["title_key"] = title_key(p["title"])
            self._adopt_known_ids(papers)
            keyed = [(p["id"], p) for p in papers]
        else:
            keyed = self._card_papers(cards, page.papers if page else [])
        kind = page.kind if page else (page_kind(url) or CARDS_KIND)
        distinct_by_id: dict[str, dict] = {}
        for _, p in keyed:  # two cards may name one paper (a title card the library knows by arXiv id)
            distinct_by_id.setdefault(p["id"], p)
        distinct = list(distinct_by_id.values())
        now = time.time()
        before = self.store.record_papers(distinct, now=now, page_url=url, page_kind=kind)
        seen = [_seen_fields(before.get(p["id"]), now, url, kind) for p in distinct]
        id_of = dict(keyed)
        first = [id_of[k]["id"] for k in visible or [] if k in id_of]

        if wait:
            # Keyphrases first: computing them stores the document embeddings that fusion ranks with.
            shaped = self.answer(distinct, self.keyphrases.for_papers(distinct, wait=True, first=first), seen)
        else:
            with self.keyphrases.held():  # the pending papers' batch starts once this answer is built
                shaped = self.answer(distinct, self.keyphrases.for_papers(distinct, first=first), seen)
        by_id = {p["id"]: p for p in shaped}
        return {
            "ok": True,
            "page": {"kind": kind, "url": url},
            "papers": [{"key": key, **by_id[p["id"]]} for key, p in keyed],
            "warnings": page.warnings if page else [],
        }

    def _card_papers(self, cards: list[dict], parsed: list[Paper]) -> list[tuple[str, dict]]:
        """[(card key, paper dict)] for the cards: the parsed paper with the card's arXiv id, or (for a card
        without one) with its title key, else a paper made from the card itself."""
        by_id = {p.id: p for p in parsed}
        by_title: dict[str, Paper] = {}
        for p in parsed:
            by_title.setdefault(title_key(p.title), p)
        keyed, from_cards = [], []
        for card in cards:
            found = by_id.get(card["id"]) if card["id"] else by_title.get(title_key(card["title"]))
            if found is not None:
                paper = found.to_dict()
                paper["authors"] = paper["authors"] or card["authors"]
            else:
                pid = card["id"] or title_id(card["title"])
                paper = Paper(id=pid, title=card["title"], abstract=card["summary"], authors=card["authors"],
                              url=paper_url(pid, card["title"])).to_dict()
                from_cards.append(paper)
            paper["title_key"] = title_key(paper["title"])
            keyed.append((card["key"], paper))
        # A card shows at most an abstract, often only HF's one-line AI summary: it must not replace the
        # full abstract the library already holds for that paper.
        stored = self.store.get_papers([p["id"] for p in from_cards]) if from_cards else {}
        for paper in from_cards:
            known = stored.get(paper["id"])
            if known and len(known["abstract"]) > len(paper["abstract"]):
                paper["abstract"] = known["abstract"]
        self._adopt_known_ids([p for _, p in keyed])
        return keyed

    def _adopt_known_ids(self, papers: list[dict]) -> None:
        """A page without arXiv ids (a text copy) names its papers by title (`t-` ids). A paper the library
        already knows under an arXiv id is that paper: it takes the arXiv id, so its saved status, history
        and related papers carry over and the library gets no second entry for it."""
        unnamed = [p for p in papers if p["id"].startswith(TITLE_ID_PREFIX)]
        if not unnamed:
            return
        known = self.store.arxiv_ids_by_title([p["title_key"] for p in unnamed])
        for p in unnamed:
            arxiv_id = known.get(p["title_key"])
            if arxiv_id:
                p["id"], p["url"] = arxiv_id, paper_url(arxiv_id, p["title"])

    def answer(self, papers: list[dict], keyphrases: list[list[dict] | None],
               seen: list[dict] | None = None) -> list[dict]:
        """The per-paper answer (without the key) for papers in the library, given their keyphrases (None =
        pending) and what `_seen_fields` says of each (None: left out): related papers with titles and urls,
        for_you with its mark and reasons, saved, dismissed and muted."""
        ids = [p["id"] for p in papers]
        dismissed = self.store.dismissed_ids()
        found = self.ranker.rank_page(papers, RELATED_K, seeds=self.store.seed_ids(), dismissed=dismissed)
        related, for_you = found.related, found.for_you
        related_ids = sorted({hit["id"] for hits in related for hit in hits})
        because_ids = sorted({b["id"] for reasons in found.because for b in reasons})
        matcher = MuteMatcher(self.store.list_muted())
        # One read of the library's records: the related and "because" papers' details, and, when terms
        # are muted, the page's own papers (what muting matches against).
        wanted = set(related_ids) | set(because_ids) | (set(ids) if matcher else set())
        details = self.store.get_papers(sorted(wanted))
        saved = self.store.saved_ids(ids + related_ids)
        marks = mark_for_you(for_you, [pid not in dismissed for pid in ids])
        muted = self._muted_matches(papers, matcher, details)
        on_page = set(ids)
        out = []
        for i, (p, kws, hits, fy) in enumerate(zip(papers, keyphrases, related, for_you)):
            out.append({
                "id": p["id"],
                "title": p["title"],
                "url": p["url"],
                "keyphrases": with_keys(kws or [], self.extractor.settings),
                "pending": kws is None,
                "saved": p["id"] in saved,
                **(seen[i] if seen else {}),
                "dismissed": p["id"] in dismissed,
                "for_you": fy,
                "for_you_mark": marks[i],
                "for_you_because": [
                    {"id": b["id"], "title": details[b["id"]]["title"], "why": b["why"]}
                    for b in found.because[i] if b["id"] in details
                ],
                "muted": muted[i],
                "related": self._hits_shaped(hits, saved, details, on_page),
            })
        return out

    @staticmethod
    def _muted_matches(papers: list[dict], matcher: MuteMatcher, stored: dict) -> list[list[dict]]:
        """The muted terms each paper matches ([] each when nothing is muted), in what the library holds of
        it (`stored`: {id: record}) where that is more than this page gave (a text copy's cut abstract, a
        card without authors): the longer abstract, and the page's or card's authors, else the recorded ones."""
        if not matcher:
            return [[] for _ in papers]
        out = []
        for p in papers:
            known = stored.get(p["id"], {})
            abstract = max(p.get("abstract") or "", known.get("abstract") or "", key=len)
            authors = p.get("authors") or known.get("authors") or []
            out.append(matcher.match({"title": p["title"], "abstract": abstract, "authors": authors}))
        return out

    def related_to(self, paper_id: str, k: int = RELATED_K) -> list[dict]:
        """The k library papers closest to library paper `paper_id` ("more like this"), shaped like the
        annotate answer's "related" items: over the relevance floor, never a dismissed paper. Raises NotFound
        if the paper is not in the library."""
        paper = self.store.get_paper(paper_id)
        if paper is None:
            raise NotFound(f"{paper_id} is not in your library: open a page that lists it first")
        found = self.ranker.rank_page([paper], k, seeds=(), dismissed=self.store.dismissed_ids())
        return self._hits_shaped(found.related[0])

    def search(self, q: str, k: int = SEARCH_K) -> list[dict]:
        """Library search with the ranker's BM25: [{"id", "title", "url", "score", "saved", "why"}], best
        first, one paper per title."""
        return self._hits_shaped(self.ranker.search(q, k))

    def _hits_shaped(self, hits: list[dict], saved: set[str] | None = None, details: dict | None = None,
                     on_page: set[str] | None = None) -> list[dict]:
        """Hits {"id", "score", "why"} -> {"id", "title", "url", "score", "saved", "why"}, and "on_page" (the
        hit is one of the page's papers) when `on_page` is given."""
        ids = [h["id"] for h in hits]
        details = details if details is not None else self.store.get_papers(ids)
        saved = saved if saved is not None else self.store.saved_ids(ids)
        return [
            {
                "id": h["id"],
                "title": details[h["id"]]["title"],
                "url": details[h["id"]]["url"],
                "score": h["score"],
                "saved": h["id"] in saved,
                "why": h.get("why", []),
                **({"on_page": h["id"] in on_page} if on_page is not None else {}),
            }
            for h in hits
            if h["id"] in details
        ]


def _seen_fields(before: dict | None, now: float, url: str | None, kind: str) -> dict:
    """{"first_seen", "seen_before", "first_seen_page"} of a paper this request records, from what the
    library knew of it just before (`Store.record_papers`; None: never seen on a page). A page is
    {"url", "kind"} with the kind `digest.page_kind` gives its URL (the kind recorded then, for a URL that
    names no Hugging Face page); null for a page recorded without a URL and for a paper imported with its
    times but no page."""

    def page(page_url: str | None, recorded_kind: str) -> dict | None:
        return {"url": page_url, "kind": page_kind(page_url) or recorded_kind} if page_url else None

    if before is None:
        return {"first_seen": now, "seen_before": False, "first_seen_page": page(url, kind)}
    first = before["page"]
    return {
        "first_seen": before["first_seen"],
        "seen_before": True,
        "first_seen_page": page(first["url"], first["kind"]) if first else None,
    }


def with_keys(keyphrases: list[dict], settings: Settings) -> list[dict]:
    """Keyphrases [{"phrase", "score"}] (best first) as answered: each with its "key", the phrase's terms as
    the ranking analyzer stems them, joined by one space, so chips of one phrase ("Large Language Models",
    "large language model") share a key across cards; and "more": true for those past the card's floors
    (`settings.kept`), which a card shows only when asked ("+2")."""
    if not keyphrases:
        return keyphrases
    shown = settings.kept([k["score"] for k in keyphrases])
    return [{**k, "key": _phrase_key(k["phrase"]), "more": i >= shown} for i, k in enumerate(keyphrases)]


@lru_cache(maxsize=16384)
def _phrase_key(phrase: str) -> str:
    # Every answer and poll keys the same phrases again (a page's 500 chips cost ~5 ms to analyze each time).
    from .ranking.analyzer import analyzer

    return " ".join(analyzer().terms(phrase))
