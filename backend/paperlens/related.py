"""Related papers: one tokenizer and BM25 (rank-bm25's BM25Okapi) over the reader's library.

Pure: documents in, ranked ids out. The store feeds it; the API formats it.
"""

from __future__ import annotations

import re

from rank_bm25 import BM25Okapi

_STOP = frozenset(
    """a an and are as at be by for from has have in into is it its of on or that the their this to
    was we were which with our these those than then there can also using use via based""".split()
)


def tokenize(text: str) -> list[str]:
    """Lowercased word tokens without stop words; the same function indexes and queries."""
    return [t for t in re.findall(r"[a-z0-9]+", text.lower()) if t not in _STOP and len(t) > 1]


def paper_text(title: str, abstract: str) -> str:
    # The title says what the paper is about more densely than any abstract sentence: count it twice.
    return f"{title} {title} {abstract}"


class RelatedIndex:
    """BM25 over (id, text) documents."""

    def __init__(self, docs: list[tuple[str, str]]):
        self.ids = [d for d, _ in docs]
        corpus = [tokenize(t) for _, t in docs]
        self._bm25 = BM25Okapi(corpus) if any(corpus) else None

    def query(self, text: str, k: int = 5, exclude: set[str] = frozenset()) -> list[tuple[str, float]]:
        """Top-k (id, score) by BM25, best first, only positive scores, `exclude` left out."""
        if self._bm25 is None:
            return []
        tokens = tokenize(text)
        if not tokens:
            return []
        scores = self._bm25.get_scores(tokens)
        order = sorted(range(len(scores)), key=lambda i: -scores[i])
        out = []
        for i in order:
            if scores[i] <= 0 or len(out) >= k:
                break
            if self.ids[i] not in exclude:
                out.append((self.ids[i], round(float(scores[i]), 4)))
        return out
