"""Related papers, "for you" and library search by BM25 over the library index: the base ranker.

A paper query is the paper's indexed document (title, abstract, HF's ai_keywords, built by the same
analyzer), so a page's related lists are one batch of BM25 scores over the whole library.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from ..config import FOR_YOU_MARK_FLOOR
from ..ids import title_key
from .analyzer import analyzer
from .bm25 import Hit, why_words
from .library_index import LibraryIndex

# How many of a related paper's query words are shown as its "why".
WHY_TERMS = 3
# A related paper must score at least this share of the paper's BM25 score against its own entry. On CSFCube
# (benchmarks/bench_triage.py) 0.08 keeps 96% of the papers judged relevant (2-3) to a query paper and drops
# 81% of random papers of the same field; it is the highest floor tried that keeps 95% of the relevant.
RELATED_FLOOR = 0.08
# for_you loses this much per unit of BM25 closeness to the nearest dismissed paper. Chosen on CSFCube's two dev
# folds from 0, 0.1, 0.25, 0.5 and 1: each picked 0.25 for the fusion ranker, the reader dismissing what ranks
# first or papers at random (benchmarks/bench_triage.py prints the grid).
DISMISS_WEIGHT = 0.25
# Up to this many seed papers are named as the reasons of a for_you score, those at least as close as the
# "close to your library" mark's floor (a seed below it is no reason).
FOR_YOU_BECAUSE = 3
FOR_YOU_BECAUSE_FLOOR = FOR_YOU_MARK_FLOOR


@dataclass
class PageMatch:
    """What `rank_page` answers, one entry per page paper: `related` [{"id", "score", "why"}] (over the
    relevance floor, never a dismissed paper), `for_you` (0..1) and `because` [{"id", "why"}] (the seed
    papers it is closest to, best first)."""

    related: list[list[dict]]
    for_you: list[float]
    because: list[list[dict]]


class BM25Ranker:
    """`source` is the store: what `LibraryIndex` reads, plus `papers_for_index(ids=)` (a paper's
    indexed text), `seed_ids()` (the saved papers that seed for_you) and `dismissed_ids()`. Subclasses
    re-rank BM25's hits by overriding `_hits` and blend other evidence into for_you with `_closeness`."""

    def __init__(self, source, snapshot_path=None, model: str | None = None):
        self.source = source
        self.model = model
        self.index = LibraryIndex(source, snapshot_path)

    def warm(self) -> None:
        """Load the analyzer now (its stemmer), not on the first page."""
        analyzer()

    def rank_page(self, papers: list[dict], k: int, seeds=None, dismissed=None) -> PageMatch:
        """For each paper (dicts with "id", "title", and "abstract" / "ai_keywords" when known; the library's
        record of it is used where there is one): its k closest library papers, best first, without itself,
        same-title papers and dismissed papers, one per title, and only those whose BM25 score reaches
        RELATED_FLOOR of the paper's score against its own entry; its for_you score; and the seed papers
        behind it. `seeds` and `dismissed` are paper ids (default: the store's `seed_ids()` and
        `dismissed_ids()`).

        for_you = the paper's closeness to its closest seed paper minus DISMISS_WEIGHT x its BM25 closeness
        to its closest dismissed paper, in 0..1 (itself and same-title papers left out of both). BM25
        closeness is the seed's BM25 score for the paper's query divided by the paper's score against its own
        library entry (the share of the best possible match it reaches, capped at 1): self-normalizing makes
        it comparable across papers (long abstracts score higher against everything) and across days.
        `_closeness` may blend in more than BM25 (the fusion ranker does). 0 when there are no seeds or the
        paper has no indexable text."""
        if not papers:
            return PageMatch([], [], [])
        seeds = self.source.seed_ids() if seeds is None else seeds
        dismissed = self.source.dismissed_ids() if dismissed is None else dismissed
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
            scores = batch.scores
            own = np.array([-1 if (r := index.row(p["id"])) is None else r for p in papers], dtype=np.int64)
            self_scores = np.where(own >= 0, scores[np.maximum(own, 0), np.arange(len(papers))], 0.0)
            dismissed_rows = index.rows(dismissed)
            floors = RELATED_FLOOR * self_scores
            hits_by_paper = self._hits(papers, scores, k, floors, dismissed_rows)
            seed_rows = index.rows(seeds)
            for_you, because_rows = self._for_you(papers, scores, own, self_scores, seed_rows, dismissed_rows)
            pairs = [(h.row, j) for j, hits in enumerate(hits_by_paper) for h in hits]
            pairs += [(r, j) for j, rows in enumerate(because_rows) for r in rows]
            explained = iter(batch.explain(pairs))
            explained_hits = [[next(explained) for _ in hits] for hits in hits_by_paper]
            explained_because = [[next(explained) for _ in rows] for rows in because_rows]
            related, because = [], []
            for j, p in enumerate(papers):
                text = f"{p['title']} {p.get('abstract') or ''} {' '.join(p.get('ai_keywords') or [])}"
                whys = _why_lists(a, text, explained_hits[j] + explained_because[j])
                hits = hits_by_paper[j]
                related.append(
                    [{"id": index.key(h.row), "score": round(h.score, 4), "why": why} for h, why in zip(hits, whys)]
                )
                because.append([{"id": index.key(r), "why": why} for r, why in zip(because_rows[j], whys[len(hits):])])
        return PageMatch(related, for_you, because)

    def _hits(self, papers: list[dict], scores: np.ndarray, k: int, floors: np.ndarray,
              excluded_rows: np.ndarray) -> list[list[Hit]]:
        """The ranked hits of each paper's score column (documents x papers): BM25's top k, each at least
        the paper's floor, none of `excluded_rows`."""
        return [self._top(scores[:, j], k, p, floors[j], excluded_rows) for j, p in enumerate(papers)]

    def _top(self, column: np.ndarray, k: int, paper: dict, floor: float, excluded_rows: np.ndarray) -> list[Hit]:
        return self.index.ranked(column, k, exclude_ids={paper["id"]}, exclude_title_keys={paper["title_key"]},
                                 exclude_rows=excluded_rows, min_score=floor)

    def _for_you(self, papers, scores, own, self_scores, seed_rows, dismissed_rows):
        """(for_you per paper, the rows of the seed papers behind it: up to FOR_YOU_BECAUSE, best first, each
        at least FOR_YOU_BECAUSE_FLOOR close)."""
        n = len(papers)
        if not len(seed_rows):
            return [0.0] * n, [[] for _ in range(n)]
        pos = self._closeness(papers, scores, own, self_scores, seed_rows)
        neg = self._bm25_closeness(scores, own, self_scores, dismissed_rows)
        best = pos.max(axis=0)
        worst = neg.max(axis=0) if len(dismissed_rows) else np.zeros(n)
        for_you = np.clip(best - DISMISS_WEIGHT * worst, 0.0, 1.0)
        for_you[self_scores <= 0] = 0.0
        because = []
        order = np.argsort(-pos, axis=0, kind="stable")[:FOR_YOU_BECAUSE]
        for j in range(n):
            top = [int(i) for i in order[:, j] if pos[i, j] >= FOR_YOU_BECAUSE_FLOOR and self_scores[j] > 0]
            because.append([int(seed_rows[i]) for i in top])
        return [round(float(v), 4) for v in for_you], because

    def _bm25_closeness(self, scores: np.ndarray, own: np.ndarray, self_scores: np.ndarray,
                        rows: np.ndarray) -> np.ndarray:
        """rows x papers: each row's BM25 score for the paper's query over the paper's self-score, capped at
        1; 0 for the paper itself and papers of its title (and for a paper without a self-score)."""
        if not len(rows):
            return np.zeros((0, len(own)))
        with np.errstate(divide="ignore", invalid="ignore"):
            out = np.where(self_scores > 0, scores[rows, :] / self_scores, 0.0)
        out = np.clip(out, 0.0, 1.0)
        out[self._same_title(own, rows)] = 0.0
        return out

    def _same_title(self, own: np.ndarray, rows: np.ndarray) -> np.ndarray:
        """rows x papers: True where the row is the paper itself or has its title."""
        codes = self.index.title_codes()
        own_codes = np.where(own >= 0, codes[np.maximum(own, 0)], np.iinfo(np.int64).min)
        return codes[rows][:, None] == own_codes[None, :]

    def _closeness(self, papers, scores, own, self_scores, rows) -> np.ndarray:
        """rows x papers: how close each seed row is to each paper (BM25 closeness here)."""
        return self._bm25_closeness(scores, own, self_scores, rows)

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
