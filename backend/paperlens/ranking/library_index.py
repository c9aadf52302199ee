"""The BM25 index of the reader's library, kept in step with the store (incrementally) by `sync`.

No SQL here: `source` is duck-typed (the Store) with `papers_for_index(after_rowid=, ids=)`,
`last_paper_change()`, `paper_changes(after_seq)`, `paper_id_at(rowid)` and `count_papers_upto(rowid)`.
"""

from __future__ import annotations

import os
import threading
from pathlib import Path

import numpy as np

from . import snapshot
from .analyzer import analyzer
from .bm25 import BM25Index, Hit


class LibraryIndex:
    """New papers are read by rowid; papers whose text changed are re-read from the change log and
    replace their old rows; a deletion (rowids may then be reused) rebuilds. Every process keeps its own
    index and syncs before each use, so all workers on one SQLite file answer from the same library; a
    snapshot file beside the library spares a new process the cold build. Thread-safe: hold `lock` around
    `sync` and every read of the index (`score_batch`, `ranked`, `key`, ...)."""

    # Write a snapshot after a sync that indexed at least this many papers (a cold build of a big
    # library), so the next process starts from it instead of re-analyzing every abstract.
    SNAPSHOT_MIN_NEW = 2000

    def __init__(self, source, snapshot_path: str | os.PathLike | None = None):
        self.source = source
        self.snapshot_path = Path(snapshot_path) if snapshot_path else None
        self.lock = threading.RLock()
        self._reset()
        self._snapshot_tried = False

    def _reset(self) -> None:
        self.bm25 = BM25Index()
        self.title_keys: list[str] = []
        self.last_rowid = 0
        self.last_seq = 0
        # Each row's title key as a number (`ranked` compares them in numpy): rows of one title share
        # a code; a row without a title key gets its own negative one. Extended lazily (rows only append).
        self._code_of: dict[str, int] = {}
        self._title_codes = np.zeros(0, dtype=np.int64)

    def __len__(self) -> int:
        return len(self.bm25)

    def sync(self) -> int:
        """Catch up with the store; returns how many papers were (re)indexed."""
        with self.lock:
            if not self._snapshot_tried and self.snapshot_path is not None:
                self._snapshot_tried = True
                self.load_snapshot()
            seq = self.source.last_paper_change()
            changed: list[str] = []
            if seq > self.last_seq and self.last_rowid:
                changes = self.source.paper_changes(self.last_seq)
                if any(deleted for _, _, deleted in changes):
                    self._reset()
                else:
                    changed = sorted({pid for _, pid, _ in changes})
            rows = self.source.papers_for_index(after_rowid=self.last_rowid)
            if changed:
                fresh = {r["id"] for r in rows}
                rows = self.source.papers_for_index(ids=[p for p in changed if p not in fresh]) + rows
            self._add(rows)
            if rows:
                self.last_rowid = max(self.last_rowid, max(r["rowid"] for r in rows))
            self.last_seq = seq
            if self.snapshot_path is not None and len(rows) >= self.SNAPSHOT_MIN_NEW:
                self.save_snapshot()
            return len(rows)

    def save_snapshot(self) -> None:
        """Write the index next to the library (best effort; see `snapshot.save`)."""
        if self.snapshot_path is None:
            return
        with self.lock:
            snapshot.save(
                self.snapshot_path, snapshot.Snapshot(self.bm25, self.title_keys, self.last_rowid, self.last_seq)
            )

    def load_snapshot(self) -> bool:
        """Start from the snapshot if it is there, was made by this analyzer and matches this library
        (the paper at its last rowid is one it holds, and as many papers are at or before that rowid as
        it holds: a restored or replaced library file fails this)."""
        if self.snapshot_path is None:
            return False
        snap = snapshot.load(self.snapshot_path)
        if snap is None:
            return False
        live = snap.bm25.row_of
        if not live or self.source.paper_id_at(snap.last_rowid) not in live:
            return False
        if self.source.count_papers_upto(snap.last_rowid) != len(live):
            return False
        with self.lock:
            self._reset()
            self.bm25, self.title_keys = snap.bm25, snap.title_keys
            self.last_rowid, self.last_seq = snap.last_rowid, snap.last_seq
        return True

    def _add(self, rows: list[dict]) -> None:
        a = analyzer()
        self.bm25.add([(r["id"], a.paper_terms(r["title"], r["abstract"], r["ai_keywords"])) for r in rows])
        self.title_keys.extend([""] * (len(self.bm25.keys) - len(self.title_keys)))
        for r in rows:
            self.title_keys[self.bm25.row_of[r["id"]]] = r["title_key"]

    # ------------------------------------------------------------ reading (under `lock`)

    def row(self, paper_id: str) -> int | None:
        """The index row of a paper, or None if it is not indexed."""
        return self.bm25.row_of.get(paper_id)

    def key(self, row: int) -> str:
        """The paper id at `row`."""
        return self.bm25.keys[row]

    def keys(self, rows: list[int]) -> list[str]:
        """The paper ids at `rows` (a page's candidates at once: one call, not one per row)."""
        keys = self.bm25.keys
        return [keys[r] for r in rows]

    def title_key(self, row: int) -> str:
        """The title key of the paper at `row`."""
        return self.title_keys[row]

    def rows(self, paper_ids) -> np.ndarray:
        """The sorted rows of those papers that are indexed (int64)."""
        rows = (self.bm25.row_of.get(pid) for pid in paper_ids)
        return np.array(sorted(r for r in rows if r is not None), dtype=np.int64)

    def title_codes(self) -> np.ndarray:
        """One int per row: rows with the same title key share it (a row without one has its own)."""
        return self._codes()

    def _codes(self) -> np.ndarray:
        done = len(self._title_codes)
        if done < len(self.title_keys):
            code_of = self._code_of
            new = [code_of.setdefault(t, len(code_of)) if t else -1 - row
                   for row, t in enumerate(self.title_keys[done:], start=done)]
            self._title_codes = np.concatenate([self._title_codes, np.array(new, dtype=np.int64)])
        return self._title_codes

    def ranked(self, column: np.ndarray, k: int, exclude_ids=(), exclude_title_keys=(),
               exclude_rows: np.ndarray | None = None, min_score: float = 0.0) -> list[Hit]:
        """Top-k hits of a score column, best first (ties by row), positive scores of at least `min_score`
        only, without the excluded ids, rows (`exclude_rows`, e.g. the dismissed papers') and titles, one hit
        per title. Like `bm25.top_rows` with a skip rule, but the rule is applied in numpy over the
        candidates at once: a page asks this for every paper, ~100 candidates each."""
        if k <= 0:
            return []
        codes = self._codes()
        row_of = self.bm25.row_of
        excluded_rows = np.array([row_of[i] for i in exclude_ids if i in row_of], dtype=np.int64)
        if exclude_rows is not None and len(exclude_rows):
            excluded_rows = np.concatenate([excluded_rows, exclude_rows])
        excluded_codes = np.array([self._code_of[t] for t in exclude_title_keys if t in self._code_of],
                                  dtype=np.int64)
        # Below the floor counts as no match: the candidates stop there. One pass over the column finds the
        # rows above it; the cut below is taken among those only (a page asks for 100 columns of the whole
        # library, and passes over them were most of this method's time).
        above = np.flatnonzero(column >= min_score if min_score > 0 else column > 0)
        scores = column[above]
        n_pos = len(above)
        want = min(n_pos, k + 16)
        while want:
            if want >= n_pos:
                cand, got = above, scores
            else:
                # Every row scoring at least the want-th best: ties at the cut stay in, so the order is exact.
                cut = -np.partition(-scores, want - 1)[want - 1]
                keep = scores >= cut
                cand, got = above[keep], scores[keep]
            cand = cand[np.lexsort((cand, -got))]
            cand = cand[~np.isin(cand, excluded_rows) & ~np.isin(codes[cand], excluded_codes)]
            _, first = np.unique(codes[cand], return_index=True)  # the best row of each title
            picked = cand[np.sort(first)][:k]
            if len(picked) >= k or want >= n_pos:
                return [Hit(r, score) for r, score in zip(picked.tolist(), column[picked].tolist())]
            want = min(n_pos, want * 4)
        return []
