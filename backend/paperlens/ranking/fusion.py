"""BM25 fused with document embeddings: BM25 picks the related candidates, the fusion re-orders them.

The embeddings are the MiniLM vectors keyphrase extraction computes for each paper anyway (stored per
paper by the store); no second model pass. Measured on CSFCube (benchmarks/bench_related.py quality
--embeddings): BM25 51.3, MiniLM alone 54.3, this fusion 56.5 NDCG@20.
"""

from __future__ import annotations

import numpy as np

from .bm25 import Hit
from .bm25_ranker import BM25Ranker

FUSION_WEIGHT = 0.5
# How many of BM25's best candidates the fusion may re-order (it never adds a paper BM25 did not find).
FUSION_CANDIDATES = 100


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
    by `fuse_scores` over BM25's top FUSION_CANDIDATES; `score` is then the fused z-score, `why` stays
    BM25's words. Papers without an embedding (keyphrases pending) get plain BM25. for_you and search
    are BM25's. `source` also needs `get_paper_embeddings(model, ids)`."""

    def _hits(self, papers: list[dict], scores: np.ndarray, k: int) -> list[list[Hit]]:
        query_vecs = self.source.get_paper_embeddings(self.model, [p["id"] for p in papers])
        if not query_vecs:
            return super()._hits(papers, scores, k)
        hits_by_paper = [
            self._top(scores[:, j], max(k, FUSION_CANDIDATES) if p["id"] in query_vecs else k, p)
            for j, p in enumerate(papers)
        ]
        cand_ids = [self.index.key(h.row) for p, hits in zip(papers, hits_by_paper) if p["id"] in query_vecs for h in hits]
        vecs = self.source.get_paper_embeddings(self.model, cand_ids)
        return [
            self._fused(hits, query_vecs[p["id"]], vecs, k) if p["id"] in query_vecs else hits
            for p, hits in zip(papers, hits_by_paper)
        ]

    def _fused(self, hits: list[Hit], qvec: np.ndarray, vecs: dict, k: int) -> list[Hit]:
        """BM25 candidates re-ordered by `fuse_scores` (ties keep BM25 order), top k, with the fused
        score. A candidate without an embedding (or of another dimension) has a NaN cosine."""
        if not hits:
            return hits
        cos = np.full(len(hits), np.nan)
        for i, h in enumerate(hits):
            v = vecs.get(self.index.key(h.row))
            if v is not None and v.shape == qvec.shape:
                cos[i] = float(v @ qvec)
        if int((~np.isnan(cos)).sum()) < 2:  # nothing to fuse with: plain BM25, scores included
            return hits[:k]
        fused = fuse_scores(np.array([h.score for h in hits]), cos, FUSION_WEIGHT)
        order = np.argsort(-fused, kind="stable")[:k]
        return [Hit(hits[i].row, float(fused[i])) for i in order.tolist()]
