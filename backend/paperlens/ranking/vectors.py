"""The library's document embeddings (one model's), held in memory and kept in step with the store.

The fusion ranker needs the vectors of about a hundred BM25 candidates for each paper of a page, ten
thousand per page; read from SQLite per request that was a fifth of a warm page's time. Here they are one
float16 matrix (half the memory of float32; a cosine moves by less than 1e-3, far below the gaps the
fusion's z-scores act on), synced by rowid like the BM25 index: a stored vector, new or replaced, gets
the next rowid of its table, so "rowid > the last one read" finds both.

No SQL here: `source` (the store) has `paper_embeddings_after(model, after_rowid)` and
`last_paper_embedding_rowid()`.
"""

from __future__ import annotations

import threading

import numpy as np


class PaperVectors:
    """{paper id: unit vector} for `model`, as a matrix. Thread-safe (its own lock)."""

    def __init__(self, source, model: str):
        self.source, self.model = source, model
        self.lock = threading.Lock()
        self._reset()

    def _reset(self) -> None:
        self.row_of: dict[str, int] = {}
        self.dim = 0
        self._mat = np.zeros((0, 0), dtype=np.float16)
        self.last_rowid = 0
        self._expect = 0  # how many vectors the running sync may end with (an upper bound)

    def __len__(self) -> int:
        return len(self.row_of)

    def memory_bytes(self) -> int:
        return self._mat.nbytes + 100 * len(self.row_of)

    def sync(self) -> int:
        """Catch up with the store; returns how many vectors were read."""
        with self.lock:
            last = self.source.last_paper_embedding_rowid()
            if last < self.last_rowid:  # the library file was replaced (a restore): start over
                self._reset()
            if last == self.last_rowid:
                return 0
            read, newest = 0, last
            # At most this many vectors after the read (rowids only grow): room for them at once, not by
            # repeated growth (which copied the matrix seven times on a first read of 100,000).
            self._expect = len(self.row_of) + (last - self.last_rowid)
            for rowids, ids, vecs in self.source.paper_embeddings_after(self.model, self.last_rowid):
                self._put(ids, vecs)
                newest = max(newest, int(rowids[-1]))
                read += len(ids)
            # Every row up to `last` was visible when it was read, so nothing at or below it is unread,
            # whichever model it belongs to (other models' rows are then not scanned again).
            self.last_rowid = newest
            if len(self._mat) > 1.25 * len(self.row_of) + 2048:  # rowid gaps (replaced vectors) overestimated
                self._resize(len(self.row_of) + _headroom(len(self.row_of)))
            return read

    def _put(self, ids: list[str], vecs: np.ndarray) -> None:
        if not self.dim:
            self.dim = vecs.shape[1]
            self._mat = np.zeros((0, self.dim), dtype=np.float16)
        if vecs.shape[1] != self.dim:  # another dimension under the same model name: not comparable
            return
        rows = []
        for pid in ids:
            row = self.row_of.get(pid)
            if row is None:
                row = self.row_of[pid] = len(self.row_of)
            rows.append(row)
        need = len(self.row_of)
        if need > len(self._mat):
            self._resize(max(need, self._expect) + _headroom(need))
        self._mat[rows] = vecs  # a paper twice in one read: the later (newer) vector wins

    def _resize(self, rows: int) -> None:
        grown = np.zeros((rows, self.dim), dtype=np.float16)
        keep = min(rows, len(self._mat))
        grown[:keep] = self._mat[:keep]
        self._mat = grown

    def cosines(self, queries: list[np.ndarray], id_lists: list[list[str]]) -> list[np.ndarray]:
        """For each (query unit vector, paper ids): float64 cosines of the query with each paper's vector, NaN
        where a paper has none (or the query is of another dimension). A page asks this for ~100 papers x
        100 candidates: the ids are looked up in one pass and each query's products are one einsum (not
        `@`, which wakes OpenBLAS's threads for a product this small; see fusion.py)."""
        if len(queries) != len(id_lists):
            raise ValueError(f"{len(queries)} queries for {len(id_lists)} id lists: one query per list")
        if not id_lists:
            return []
        lengths = [len(ids) for ids in id_lists]
        ends = np.cumsum(lengths, dtype=np.int64)
        cos = np.full(int(ends[-1]), np.nan)
        with self.lock:
            row_of, dim, mat = self.row_of, self.dim, self._mat
            usable = [q is not None and q.shape == (dim,) for q in queries]
            rows = np.fromiter((row_of.get(pid, -1) if ok else -1 for ids, ok in zip(id_lists, usable) for pid in ids),
                               dtype=np.int64, count=len(cos))
            for query, ok, end, n in zip(queries, usable, ends.tolist(), lengths):
                if not ok or not n:
                    continue
                part = rows[end - n : end]
                has = part >= 0
                if has.any():
                    cos[end - n : end][has] = np.einsum("ij,j->i", mat[part[has]].astype(np.float32),
                                                        np.asarray(query, dtype=np.float32))
        return np.split(cos, ends[:-1])

    def stack(self, paper_ids: list[str]) -> tuple[np.ndarray, np.ndarray]:
        """(float32 matrix with one row per id, bool mask of the ids that have a vector); rows without one are
        zero. For all-pairs cosines in one product (a page against the reader's saved papers)."""
        with self.lock:
            rows = np.array([self.row_of.get(pid, -1) for pid in paper_ids], dtype=np.int64)
            have = rows >= 0
            out = np.zeros((len(paper_ids), self.dim), dtype=np.float32)
            if have.any():
                out[have] = self._mat[rows[have]]
            return out, have

    def get(self, paper_id: str) -> np.ndarray | None:
        """One paper's vector (float32), or None."""
        with self.lock:
            row = self.row_of.get(paper_id)
            return None if row is None else self._mat[row].astype(np.float32)


def _headroom(rows: int) -> int:
    """Spare rows kept after a growth, so each new page's vectors do not copy the matrix again."""
    return max(1024, rows // 16)
