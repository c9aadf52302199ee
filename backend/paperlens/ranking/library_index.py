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
from .bm25 import BM25Index, Hit, top_rows


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

    def title_key(self, row: int) -> str:
        """The title key of the paper at `row`."""
        return self.title_keys[row]

    def rows(self, paper_ids) -> np.ndarray:
        """The sorted rows of those papers that are indexed (int64)."""
        rows = (self.bm25.row_of.get(pid) for pid in paper_ids)
        return np.array(sorted(r for r in rows if r is not None), dtype=np.int64)

    def ranked(self, column: np.ndarray, k: int, exclude_ids=(), exclude_title_keys=()) -> list[Hit]:
        """Top-k hits of a score column, without the excluded ids and titles, one hit per title."""
        keys, titles = self.bm25.keys, self.title_keys
        seen = set(t for t in exclude_title_keys if t)
        exclude_ids = set(exclude_ids)

        def skip(row: int) -> bool:
            if keys[row] in exclude_ids or titles[row] in seen:
                return True
            if titles[row]:
                seen.add(titles[row])
            return False

        return top_rows(column, k, skip)
