"""Ranking the reader's library: related papers, "for you" and search. Pure but for the index snapshot.

One seam: a ranker has `rank_page(papers, k, seeds, dismissed) -> PageMatch` (related lists, for_you
scores and the seed papers behind them), `search(q, k)` and `warm()`, and is built by `make_ranker(name, source, snapshot_path, model)`. A second
ranking model is one new module with a ranker class plus its line in RANKERS; the `RELATED_RANKER` setting
(`paperlens serve --ranker`) picks it.

    analyzer.py       text -> terms (documents and queries alike)
    bm25.py           BM25Okapi over a growing document set, a page of queries at a time
    library_index.py  that index kept in step with the store; snapshot.py: the index on disk
    bm25_ranker.py    the base ranker: related lists, for_you, search
    fusion.py         BM25's candidates re-ordered with the stored document embeddings
    vectors.py        those embeddings held in memory, in step with the store
"""

from __future__ import annotations

import importlib
from typing import Protocol

# name -> (module of this package, class). Imported on first use: the CLI lists the names without
# loading numpy and scipy.
RANKERS = {"bm25": ("bm25_ranker", "BM25Ranker"), "fusion": ("fusion", "FusionRanker")}
DEFAULT_RANKER = "fusion"


class Ranker(Protocol):
    def warm(self) -> None: ...

    def rank_page(self, papers: list[dict], k: int, seeds=None, dismissed=None): ...

    def search(self, q: str, k: int) -> list[dict]: ...


def make_ranker(name: str, source, snapshot_path=None, model: str | None = None) -> Ranker:
    """The ranker called `name` (a key of RANKERS) over the library `source` (the store)."""
    if name not in RANKERS:
        raise ValueError(f"unknown ranker {name!r}: use one of {', '.join(RANKERS)}")
    module, cls = RANKERS[name]
    return getattr(importlib.import_module(f"{__name__}.{module}"), cls)(source, snapshot_path, model)
