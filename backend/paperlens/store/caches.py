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

