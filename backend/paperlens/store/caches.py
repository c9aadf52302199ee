"""What the library caches so nothing is computed twice: keyphrases (by content and settings), phrase
embeddings (per model) and each paper's document embedding (per model, for the fusion ranker)."""

from __future__ import annotations

import json
import time

from .connection import chunks


class Caches:
    """Mixed into Store."""

    def get_keyphrases(self, keys: list[str]) -> dict[str, list]:
        out: dict[str, list] = {}
        conn = self._conn()
        for chunk in chunks(keys, 500):
            marks = ",".join("?" * len(chunk))
            for row in conn.execute(
                f"SELECT cache_key, phrases FROM keyphrase_cache WHERE cache_key IN ({marks})", chunk
            ):
                out[row["cache_key"]] = json.loads(row["phrases"])
        return out

    def put_keyphrases(self, items: dict[str, list], embeddings: tuple[str, dict] | None = None) -> None:
        """Cache keyphrases {cache_key: [{"phrase", "score"}]} and, in the same transaction, the
        papers' document embeddings `(model, {paper_id: vector})` (any float array; stored float32)."""
        with self.transaction() as conn:
            self._put_keyphrases(conn, items, embeddings)

    def _put_keyphrases(self, conn, items: dict[str, list], embeddings: tuple[str, dict] | None) -> None:
        now = time.time()
        conn.executemany(
            "INSERT OR REPLACE INTO keyphrase_cache (cache_key, phrases, created) VALUES (?, ?, ?)",
            [(k, json.dumps(v), now) for k, v in items.items()],
        )
        if embeddings:
            model, vectors = embeddings
            rows = []
            for pid, v in vectors.items():
                arr = _float32(v)
                rows.append((pid, model, int(arr.shape[0]), arr.tobytes()))
            conn.executemany(
                "INSERT OR REPLACE INTO paper_embedding (paper_id, model, dim, vec) VALUES (?, ?, ?, ?)", rows
            )

    def get_paper_embeddings(self, model: str, ids: list[str]) -> dict:
        """{paper_id: float32 vector} for the papers that have a document embedding under `model`."""
        import numpy as np

        out = {}
        conn = self._conn()
        for chunk in chunks(list(dict.fromkeys(ids)), 500):
            marks = ",".join("?" * len(chunk))
            for row in conn.execute(
                f"SELECT paper_id, dim, vec FROM paper_embedding WHERE model = ? AND paper_id IN ({marks})",
                [model, *chunk],
            ):
                out[row[0]] = np.frombuffer(row[2], dtype=np.float32, count=row[1])
        return out

    def last_paper_embedding_rowid(self) -> int:
        """The newest stored document embedding's rowid, any model (0 if none): a lookup in the rowid b-tree,
        cheap enough to ask before every page. A replaced vector gets a new, higher rowid (INSERT OR
        REPLACE deletes the old row), so readers catch up by rowid alone."""
        return int(self._conn().execute("SELECT max(rowid) FROM paper_embedding").fetchone()[0] or 0)

    def paper_embeddings_after(self, model: str, after_rowid: int, chunk: int = 5000):
        """The document embeddings under `model` stored after `after_rowid`, oldest first, as chunks
        `(rowids, paper ids, float32 matrix)`; one chunk holds vectors of one dimension."""
        import numpy as np

        conn = self._conn()
        while True:
            rows = conn.execute(
                "SELECT rowid, paper_id, dim, vec FROM paper_embedding WHERE model = ? AND rowid > ? "
                "ORDER BY rowid LIMIT ?",
                (model, after_rowid, chunk),
            ).fetchall()
            if not rows:
                return
            after_rowid = rows[-1][0]
            rows = [r for r in rows if len(r[3]) == 4 * r[2]]  # a damaged blob is no vector (the paper ranks by BM25)
            start = 0
            for i in range(1, len(rows) + 1):
                if i == len(rows) or rows[i][2] != rows[start][2]:
                    part = rows[start:i]
                    dim = part[0][2]
                    mat = np.frombuffer(b"".join(r[3] for r in part), dtype=np.float32).reshape(len(part), dim)
                    yield [r[0] for r in part], [r[1] for r in part], mat
                    start = i

    def phrase_embeddings(self) -> "PhraseEmbeddingCache":
        """The persistent phrase-embedding cache the keyphrase extractor memoizes into."""
        return PhraseEmbeddingCache(self)

    def get_phrase_vectors(self, model: str, phrases: list[str]) -> dict[str, bytes]:
        """{phrase: (dim, float32 bytes)} for the phrases cached for `model`."""
        out: dict[str, tuple[int, bytes]] = {}
        conn = self._conn()
        for chunk in chunks(phrases, 500):
            marks = ",".join("?" * len(chunk))
            for row in conn.execute(
                f"SELECT phrase, dim, vec FROM phrase_embedding WHERE model = ? AND phrase IN ({marks})",
                [model, *chunk],
            ):
                out[row[0]] = (row[1], row[2])
        return out

    def put_phrase_vectors(self, model: str, items: dict[str, tuple[int, bytes]]) -> None:
        with self.transaction() as conn:
            conn.executemany(
                "INSERT OR REPLACE INTO phrase_embedding (model, phrase, dim, vec) VALUES (?, ?, ?, ?)",
                [(model, p, dim, vec) for p, (dim, vec) in items.items()],
            )

def _float32(v):
    import numpy as np

    return np.asarray(v, dtype=np.float32).ravel()


class PhraseEmbeddingCache:
    """Adapter for `keyphrases.PhraseMemo`: numpy vectors in, numpy vectors out."""

    def __init__(self, store):
        self.store = store

    def get_many(self, model: str, phrases: list[str]) -> dict:
        import numpy as np

        return {
            p: np.frombuffer(vec, dtype=np.float32, count=dim)
            for p, (dim, vec) in self.store.get_phrase_vectors(model, phrases).items()
        }

    def put_many(self, model: str, vectors: dict) -> None:
        import numpy as np

        items = {}
        for p, v in vectors.items():
            arr = np.asarray(v, dtype=np.float32).ravel()
            items[p] = (int(arr.shape[0]), arr.tobytes())
        self.store.put_phrase_vectors(model, items)

