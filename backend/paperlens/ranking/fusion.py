"""BM25 fused with document embeddings: BM25 picks the related candidates, the fusion re-orders them.

The embeddings are the MiniLM vectors keyphrase extraction computes for each paper anyway (stored per
paper by the store); no second model pass. Measured on CSFCube (benchmarks/bench_related.py quality
--embeddings): BM25 51.3, MiniLM alone 54.3, this fusion 56.5 NDCG@20.
"""

from __future__ import annotations

import numpy as np

from .bm25 import Hit
from .bm25_ranker import BM25Ranker
from .vectors import PaperVectors

FUSION_WEIGHT = 0.5
# How many of BM25's best candidates the fusion may re-order (it never adds a paper BM25 did not find).
FUSION_CANDIDATES = 100
# for_you counts a MiniLM cosine from here: about where two unrelated papers of one field sit (CSFCube: the
# median cosine of random pairs is 0.27), so an unrelated paper's closeness is near 0, as with BM25.
COSINE_UNRELATED = 0.3


def _zscore(v: np.ndarray) -> np.ndarray:
    sd = float(v.std()) or 1.0  # all equal: every z is 0, not a division by zero
    return (v - v.mean()) / sd


def fuse_scores(bm25: np.ndarray, cosine: np.ndarray, weight: float = FUSION_WEIGHT) -> np.ndarray:
    """Z-score fusion of one query's candidates: (1 - weight) * z(bm25) + weight * z(cosine).

    `bm25` and `cosine` are aligned 1-D arrays over the same candidates; a NaN cosine means that
    candidate has no embedding: it gets z(bm25) alone (z over all candidates), so it keeps its BM25
    standing. z(cosine) is taken over the candidates that have one; with fewer than two of them
    the result is z(bm25) alone, i.e. exactly BM25's order. Returns float64 fused scores."""
    bm25 = np.asarray(bm25, dtype=np.float64)
    cosine = np.asarray(cosine, dtype=np.float64)
    zb = _zscore(bm25) if len(bm25) else bm25.copy()
    has = ~np.isnan(cosine)
    if int(has.sum()) < 2:
        return zb
    out = zb.copy()
    out[has] = (1 - weight) * zb[has] + weight * _zscore(cosine[has])
    return out


class FusionRanker(BM25Ranker):
    """BM25, with the related lists of papers that have a document embedding (under `model`) re-ordered
    by `fuse_scores` over BM25's top FUSION_CANDIDATES (of those over the relevance floor); `score` is then
    the fused z-score, `why` stays BM25's words. Papers without an embedding (keyphrases pending) get plain
    BM25. for_you's closeness to a seed paper blends in the embeddings' cosine (`_closeness`); its penalty
    for dismissed papers and search stay BM25's. The vectors are held in memory (`PaperVectors`), synced
    from the store before each page."""

    def __init__(self, source, snapshot_path=None, model: str | None = None):
        super().__init__(source, snapshot_path, model)
        self.vectors = PaperVectors(source, model or "")

    def warm(self) -> None:
        super().warm()
        self.vectors.sync()

    def _hits(self, papers: list[dict], scores: np.ndarray, k: int, floors: np.ndarray,
              excluded_rows: np.ndarray) -> list[list[Hit]]:
        vectors = self.vectors
        vectors.sync()
        query_vecs = [vectors.get(p["id"]) for p in papers]
        if all(v is None for v in query_vecs):
            return super()._hits(papers, scores, k, floors, excluded_rows)
        # The relevance floor is BM25's, applied to the candidates: fusion re-orders what clears it.
        candidates = [
            self._top(scores[:, j], k if v is None else max(k, FUSION_CANDIDATES), p, floors[j], excluded_rows)
            for j, (p, v) in enumerate(zip(papers, query_vecs))
        ]
        cosines = vectors.cosines(query_vecs, [self.index.keys([h.row for h in hits]) for hits in candidates])
        return [hits[:k] if v is None else self._fused(hits, cos, k)
                for hits, v, cos in zip(candidates, query_vecs, cosines)]

    def _closeness(self, papers, scores, own, self_scores, rows) -> np.ndarray:
        """rows x papers: the mean of BM25 closeness and the cosine of the two document embeddings counted
        from COSINE_UNRELATED ((cos - 0.3) / 0.7, at least 0), both 1 for a paper and itself; BM25 closeness
        alone for a pair missing a vector (a paper whose keyphrases are still pending). Counting the cosine
        from where unrelated papers sit keeps the two on one scale: an unrelated paper is near 0 either way,
        so one floor serves the mark and the reasons. benchmarks/bench_triage.py measures it on CSFCube."""
        bm25 = self._bm25_closeness(scores, own, self_scores, rows)
        if not len(rows):
            return bm25
        vectors = self.vectors
        page_vecs, page_has = vectors.stack([p["id"] for p in papers])
        if not page_has.any():
            return bm25
        row_vecs, row_has = vectors.stack([self.index.key(r) for r in rows.tolist()])
        # einsum, not `@`: a product this small wakes OpenBLAS's threads, which on a busy machine cost ~35 ms
        # a call (measured in a warm server process); einsum's own loop takes 1 ms for 500 seeds x 100 papers.
        cos = np.einsum("ik,jk->ij", row_vecs, page_vecs)
        cos = np.clip((cos - COSINE_UNRELATED) / (1 - COSINE_UNRELATED), 0.0, 1.0)
        out = np.where(row_has[:, None] & page_has[None, :], 0.5 * (bm25 + cos), bm25)
        out[self._same_title(own, rows)] = 0.0
        return out

    def _fused(self, hits: list[Hit], cos: np.ndarray, k: int) -> list[Hit]:
        """BM25 candidates re-ordered by `fuse_scores` (ties keep BM25 order), top k, with the fused
        score. `cos` is each candidate's cosine to the paper, NaN where it has no embedding."""
        if int((~np.isnan(cos)).sum()) < 2:  # nothing to fuse with: plain BM25, scores included
            return hits[:k]
        fused = fuse_scores(np.array([h.score for h in hits]), cos, FUSION_WEIGHT)
        order = np.argsort(-fused, kind="stable")[:k]
        return [Hit(hits[i].row, float(fused[i])) for i in order.tolist()]
