"""Related papers, "for you" and library search by BM25 over the library index: the base ranker.

A paper query is the paper's indexed document (title, abstract, HF's ai_keywords, built by the same
analyzer), so a page's related lists are one batch of BM25 scores over the whole library.
"""

from __future__ import annotations

import numpy as np

from ..ids import title_key
from .analyzer import analyzer
from .bm25 import Hit, why_words
from .library_index import LibraryIndex

# How many of a related paper's query words are shown as its "why".
WHY_TERMS = 3


class BM25Ranker:
    """`source` is the store: what `LibraryIndex` reads, plus `papers_for_index(ids=)` (a paper's
    indexed text) and `saved_ids()`. Subclasses re-rank BM25's hits by overriding `_hits`."""

    def __init__(self, source, snapshot_path=None, model: str | None = None):
        self.source = source
        self.model = model
        self.index = LibraryIndex(source, snapshot_path)

    def warm(self) -> None:
        """Load the analyzer now (its stemmer), not on the first page."""
        analyzer()

    def match_page(self, papers: list[dict], k: int) -> tuple[list[list[dict]], list[float]]:
        """For each paper (dicts with "id", "title", and "abstract" / "ai_keywords" when known; the
        library's record of it is used where there is one): its k closest library papers [{"id", "score", "why": [word]}], best
        first, without itself and same-title papers, one per title; and its for_you score (0..1).

        for_you: the BM25 score of the paper's closest saved paper (itself and same-title papers left
        out) divided by the paper's score against its own library entry, i.e. the share of the best
        possible match that the reader's saved papers reach, capped at 1; 0 when nothing is saved or the
        paper has no indexable text. Self-normalizing makes it comparable across papers (long abstracts
        score higher against everything) and across days."""
        if not papers:
            return [], []
        a = analyzer()
        # Query with the library's record where there is one (it keeps an abstract a text copy of
        # the page lacks), so the query is exactly the paper's indexed document.
        stored = {r["id"]: r for r in self.source.papers_for_index(ids=[p["id"] for p in papers])}
        papers = [{**p, **stored[p["id"]]} if p["id"] in stored else {**p, "title_key": title_key(p["title"])}
                  for p in papers]
        queries = [a.paper_terms(p["title"], p.get("abstract") or "", p.get("ai_keywords")) for p in papers]
        index = self.index
        with index.lock:
            index.sync()
            batch = index.bm25.score_batch(queries)
            saved_rows = index.rows(self.source.saved_ids())
            hits_by_paper = self._hits(papers, batch.scores, k)
            explained = iter(batch.explain([(h.row, j) for j, hits in enumerate(hits_by_paper) for h in hits]))
            related, for_you = [], []
            for j, p in enumerate(papers):
                hits = hits_by_paper[j]
                text = f"{p['title']} {p.get('abstract') or ''} {' '.join(p.get('ai_keywords') or [])}"
                whys = _why_lists(a, text, [next(explained) for _ in hits])
                related.append(
                    [{"id": index.key(h.row), "score": round(h.score, 4), "why": why} for h, why in zip(hits, whys)]
                )
                for_you.append(self._for_you(batch.scores[:, j], saved_rows, p))
        return related, for_you

    def _hits(self, papers: list[dict], scores: np.ndarray, k: int) -> list[list[Hit]]:
        """The ranked hits of each paper's score column (documents x papers): BM25's top k."""
        return [self._top(scores[:, j], k, p) for j, p in enumerate(papers)]

    def _top(self, column: np.ndarray, k: int, paper: dict) -> list[Hit]:
        return self.index.ranked(column, k, exclude_ids={paper["id"]}, exclude_title_keys={paper["title_key"]})

    def _for_you(self, column: np.ndarray, saved_rows: np.ndarray, paper: dict) -> float:
        index = self.index
        own_row = index.row(paper["id"])
        if own_row is None or not len(saved_rows) or column[own_row] <= 0:
            return 0.0
        keep = [r for r in saved_rows.tolist()
                if index.key(r) != paper["id"] and index.title_key(r) != paper["title_key"]]
        if not keep:
            return 0.0
        best = float(column[keep].max())
        return round(min(1.0, max(0.0, best / float(column[own_row]))), 4)

    def search(self, q: str, k: int) -> list[dict]:
        """Library search with the same analyzer and BM25: [{"id", "score", "why"}], best first, one
        paper per title."""
        a = analyzer()
        terms = a.terms(q)
        if not terms:
            return []
        index = self.index
        with index.lock:
            index.sync()
            batch = index.bm25.score_batch([terms])
            hits = index.ranked(batch.scores[:, 0], k)
            whys = _why_lists(a, q, batch.explain([(h.row, 0) for h in hits]))
            return [{"id": index.key(h.row), "score": round(h.score, 4), "why": why} for h, why in zip(hits, whys)]


def _why_lists(a, text: str, explained: list[list[str]]) -> list[list[str]]:
    """Each hit's "why" (`why_words`) in the words of the query's `text`. Only the first few terms of each
    hit are looked up, reading the text only until they are all found (a couple more than WHY_TERMS, for
    places a repeated word frees up); the whole text is read if that fell short."""
    surfaces = a.surfaces(text, wanted={t for terms in explained for t in terms[: WHY_TERMS + 3]})
    whys = [why_words(terms, surfaces, WHY_TERMS) for terms in explained]
    if any(why is None for why in whys):
        surfaces = a.surfaces(text)
        whys = [why_words(terms, surfaces, WHY_TERMS) or terms[:WHY_TERMS] for terms in explained]
    return whys
