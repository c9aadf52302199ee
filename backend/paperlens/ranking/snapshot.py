"""The BM25 index on disk: a cache beside the library, so a new process skips the cold build.

The only file I/O of the ranking package. A snapshot is an `.npz` of plain arrays (no pickles); one
made by another analyzer or layout is ignored, and a failure to write only costs the next process a
full build. Whether a snapshot belongs to the library at hand is the caller's check (`LibraryIndex`).
"""

from __future__ import annotations

import hashlib
import logging
import os
import tempfile
from dataclasses import dataclass
from pathlib import Path

import numpy as np
from scipy import sparse

from .analyzer import fingerprint as analyzer_fingerprint
from .bm25 import BM25Index

log = logging.getLogger("paperlens")

# Bump when the arrays below change.
FORMAT = 1


@dataclass
class Snapshot:
    """An index as saved: the BM25 postings, each row's title key, and how far into the library it had
    read (the last paper rowid and change-log sequence number it indexed)."""

    bm25: BM25Index
    title_keys: list[str]
    last_rowid: int
    last_seq: int


def _fingerprint() -> str:
    return hashlib.sha256(f"{FORMAT}:{analyzer_fingerprint()}".encode()).hexdigest()


def _text_array(text: str) -> np.ndarray:
    return np.frombuffer(text.encode("utf-8"), dtype=np.uint8)


def _array_text(array: np.ndarray) -> str:
    return array.tobytes().decode("utf-8")


def save(path: Path, snap: Snapshot) -> None:
    """Write `snap` to `path` atomically (temp file + rename). Best effort: logs and returns on failure."""
    bm = snap.bm25
    bm.merge()
    block = bm._blocks[0][1] if bm._blocks else sparse.csr_matrix((len(bm.vocab), 0), dtype=np.float32)
    arrays = {
        "fingerprint": _text_array(_fingerprint()),
        "keys": _text_array("\n".join(bm.keys)),
        "title_keys": _text_array("\n".join(snap.title_keys)),
        "terms": _text_array("\n".join(bm.terms)),
        "df": bm.df[: len(bm.vocab)],
        "alive": bm.alive,
        "doc_len": bm.doc_len,
        "data": block.data,
        "indices": block.indices,
        "indptr": block.indptr,
        "marks": np.array([snap.last_rowid, snap.last_seq, len(bm.keys)], dtype=np.int64),
    }
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(prefix=path.name, suffix=".tmp", dir=path.parent)
        with os.fdopen(fd, "wb") as f:
            np.savez(f, **arrays)
        os.replace(tmp, path)
    except OSError:
        log.warning("could not write the related-papers index snapshot %s", path, exc_info=True)


def load(path: Path) -> Snapshot | None:
    """The snapshot at `path`, or None if there is none, it is unreadable or another analyzer made it."""
    if not path.exists():
        return None
    try:
        with np.load(path, allow_pickle=False) as z:
            if _array_text(z["fingerprint"]) != _fingerprint():
                return None
            last_rowid, last_seq, n_rows = (int(v) for v in z["marks"])
            keys = _array_text(z["keys"]).split("\n") if n_rows else []
            title_keys = _array_text(z["title_keys"]).split("\n") if n_rows else []
            text = _array_text(z["terms"])
            terms = text.split("\n") if text else []
            alive = z["alive"]
            if len(keys) != n_rows or len(title_keys) != n_rows or len(alive) != n_rows:
                return None
            bm = BM25Index()
            bm.terms = terms
            bm.vocab = {t: i for i, t in enumerate(terms)}
            bm.df = z["df"].astype(np.int64)
            bm.keys = keys
            bm.row_of = {k: i for i, (k, a) in enumerate(zip(keys, alive.tolist())) if a}
            bm.alive = alive.astype(bool)
            bm.doc_len = z["doc_len"].astype(np.float64)
            bm.n_live = len(bm.row_of)
            bm.total_len = float(bm.doc_len.sum())
            block = sparse.csr_matrix((z["data"], z["indices"], z["indptr"]), shape=(len(terms), n_rows))
            bm._blocks = [(0, block)] if n_rows else []
    except (OSError, ValueError, KeyError):
        log.warning("ignoring an unreadable related-papers index snapshot %s", path, exc_info=True)
        return None
    return Snapshot(bm, title_keys, last_rowid, last_seq)
