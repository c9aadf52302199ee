"""The library: the only module that speaks SQL.

SQLite in WAL mode, one connection per thread, schema versioned with PRAGMA user_version and
migrated forward atomically on open. Every multi-row change runs in one transaction.
"""

from __future__ import annotations

import json
import os
import sqlite3
import threading
import time
from contextlib import contextmanager
from pathlib import Path

# Each entry moves the schema from version i to i+1. Never edit a shipped entry: append a new one.
MIGRATIONS: list[str] = [
    """
    CREATE TABLE papers (
        id TEXT PRIMARY KEY,
        title TEXT NOT NULL,
        title_key TEXT NOT NULL,
        abstract TEXT NOT NULL DEFAULT '',
        authors TEXT NOT NULL DEFAULT '[]',
        author_count INTEGER,
        published TEXT,
        upvotes INTEGER,
        comments INTEGER,
        url TEXT NOT NULL DEFAULT '',
        ai_keywords TEXT NOT NULL DEFAULT '[]',
        first_seen REAL NOT NULL,
        last_seen REAL NOT NULL,
        seen_count INTEGER NOT NULL DEFAULT 1
    );
    CREATE INDEX papers_title_key ON papers(title_key);
    CREATE INDEX papers_last_seen ON papers(last_seen);
    CREATE TABLE keyphrase_cache (
        cache_key TEXT PRIMARY KEY,
        phrases TEXT NOT NULL,
        created REAL NOT NULL
    );
    CREATE TABLE saved (
        paper_id TEXT PRIMARY KEY,
        saved_at REAL NOT NULL,
        tags TEXT NOT NULL DEFAULT '[]',
        note TEXT NOT NULL DEFAULT '',
        read INTEGER NOT NULL DEFAULT 0
    );
    """,
    # 2: phrase embeddings recur across papers ("large language model" is on every page), so the
    # keyphrase extractor keeps them per model: float32 bytes of a unit vector.
    """
    CREATE TABLE phrase_embedding (
        model TEXT NOT NULL,
        phrase TEXT NOT NULL,
        dim INTEGER NOT NULL,
        vec BLOB NOT NULL,
        PRIMARY KEY (model, phrase)
    ) WITHOUT ROWID;
    """,
]

PAPER_FIELDS = (
    "id",
    "title",
    "abstract",
    "authors",
    "author_count",
    "published",
    "upvotes",
    "comments",
    "url",
    "ai_keywords",
)


class Store:
    """A library at `path`. Thread-safe: each thread gets its own connection."""

    def __init__(self, path: str | os.PathLike):
        self.path = str(path)
        if self.path != ":memory:":
            Path(self.path).parent.mkdir(parents=True, exist_ok=True)
        self._local = threading.local()
        self._migrate()

    # ------------------------------------------------------------ connections and schema

    def _conn(self) -> sqlite3.Connection:
        conn = getattr(self._local, "conn", None)
        if conn is None:
            conn = sqlite3.connect(self.path, timeout=30, isolation_level=None, check_same_thread=False)
            conn.row_factory = sqlite3.Row
            conn.execute("PRAGMA journal_mode=WAL")
            conn.execute("PRAGMA busy_timeout=30000")
            conn.execute("PRAGMA foreign_keys=ON")
            # NORMAL in WAL mode: a power cut may lose the last commits, never corrupts the file.
            conn.execute("PRAGMA synchronous=NORMAL")
            self._local.conn = conn
        return conn

    def close(self) -> None:
        conn = getattr(self._local, "conn", None)
        if conn is not None:
            conn.close()
            self._local.conn = None

    @contextmanager
    def transaction(self):
        """BEGIN IMMEDIATE ... COMMIT, rolled back on any exception."""
        conn = self._conn()
        conn.execute("BEGIN IMMEDIATE")
        try:
            yield conn
        except BaseException:
            conn.execute("ROLLBACK")
            raise
        conn.execute("COMMIT")

    def schema_version(self) -> int:
        return self._conn().execute("PRAGMA user_version").fetchone()[0]

    def _migrate(self) -> None:
        with self.transaction() as conn:
            version = conn.execute("PRAGMA user_version").fetchone()[0]
            if version > len(MIGRATIONS):
                raise RuntimeError(
                    f"the library at {self.path} has schema version {version}, newer than this Paper Lens "
                    f"knows ({len(MIGRATIONS)}): upgrade Paper Lens"
                )
            for i in range(version, len(MIGRATIONS)):
                for statement in _statements(MIGRATIONS[i]):
                    conn.execute(statement)
                conn.execute(f"PRAGMA user_version = {i + 1}")

    # ------------------------------------------------------------ papers

    def record_papers(self, papers: list[dict], now: float | None = None) -> None:
        """Insert or refresh papers seen on a page (first_seen kept, last_seen and details updated)."""
        now = time.time() if now is None else now
        rows = [
            (
                p["id"],
                p["title"],
                p["title_key"],
                p.get("abstract") or "",
                json.dumps(p.get("authors") or []),
                p.get("author_count"),
                p.get("published"),
                p.get("upvotes"),
                p.get("comments"),
                p.get("url") or "",
                json.dumps(p.get("ai_keywords") or []),
                now,
                now,
            )
            for p in papers
        ]
        with self.transaction() as conn:
            conn.executemany(
                """
                INSERT INTO papers (id, title, title_key, abstract, authors, author_count, published, upvotes,
                                    comments, url, ai_keywords, first_seen, last_seen)
                VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
                ON CONFLICT(id) DO UPDATE SET
                    title = excluded.title,
                    title_key = excluded.title_key,
                    abstract = CASE WHEN excluded.abstract != '' THEN excluded.abstract ELSE papers.abstract END,
                    authors = CASE WHEN excluded.authors != '[]' THEN excluded.authors ELSE papers.authors END,
                    author_count = COALESCE(excluded.author_count, papers.author_count),
                    published = COALESCE(excluded.published, papers.published),
                    upvotes = COALESCE(excluded.upvotes, papers.upvotes),
                    comments = COALESCE(excluded.comments, papers.comments),
                    url = CASE WHEN excluded.url != '' THEN excluded.url ELSE papers.url END,
                    ai_keywords = CASE WHEN excluded.ai_keywords != '[]' THEN excluded.ai_keywords
                                  ELSE papers.ai_keywords END,
                    last_seen = excluded.last_seen,
                    seen_count = papers.seen_count + 1
                """,
                rows,
            )

    def get_paper(self, paper_id: str) -> dict | None:
        row = self._conn().execute("SELECT * FROM papers WHERE id = ?", (paper_id,)).fetchone()
        return _paper_row(row) if row else None

    def get_papers(self, ids: list[str]) -> dict[str, dict]:
        """{id: paper} for the ids that are in the library."""
        out: dict[str, dict] = {}
        conn = self._conn()
        for chunk in _chunks(ids, 500):
            marks = ",".join("?" * len(chunk))
            for row in conn.execute(f"SELECT * FROM papers WHERE id IN ({marks})", chunk):
                out[row["id"]] = _paper_row(row)
        return out

    def iter_paper_texts(self, after_rowid: int = 0):
        """(rowid, id, title_key, title, abstract) for papers added after `after_rowid`, in rowid order."""
        return self._conn().execute(
            "SELECT rowid, id, title_key, title, abstract FROM papers WHERE rowid > ? ORDER BY rowid",
            (after_rowid,),
        )

    def count_papers(self) -> int:
        return self._conn().execute("SELECT COUNT(*) FROM papers").fetchone()[0]

    # ------------------------------------------------------------ keyphrase cache

    def get_keyphrases(self, keys: list[str]) -> dict[str, list]:
        out: dict[str, list] = {}
        conn = self._conn()
        for chunk in _chunks(keys, 500):
            marks = ",".join("?" * len(chunk))
            for row in conn.execute(
                f"SELECT cache_key, phrases FROM keyphrase_cache WHERE cache_key IN ({marks})", chunk
            ):
                out[row["cache_key"]] = json.loads(row["phrases"])
        return out

    def put_keyphrases(self, items: dict[str, list]) -> None:
        now = time.time()
        with self.transaction() as conn:
            conn.executemany(
                "INSERT OR REPLACE INTO keyphrase_cache (cache_key, phrases, created) VALUES (?, ?, ?)",
                [(k, json.dumps(v), now) for k, v in items.items()],
            )

    def phrase_embeddings(self) -> "PhraseEmbeddingCache":
        """The persistent phrase-embedding cache the keyphrase extractor memoizes into."""
        return PhraseEmbeddingCache(self)

    def get_phrase_vectors(self, model: str, phrases: list[str]) -> dict[str, bytes]:
        """{phrase: (dim, float32 bytes)} for the phrases cached for `model`."""
        out: dict[str, tuple[int, bytes]] = {}
        conn = self._conn()
        for chunk in _chunks(phrases, 500):
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

    # ------------------------------------------------------------ saved papers

    def save_paper(self, paper_id: str, tags: list[str] | None = None, note: str | None = None) -> dict:
        """Save (idempotent: an existing save keeps its time; given tags/note replace the old ones)."""
        with self.transaction() as conn:
            conn.execute(
                "INSERT INTO saved (paper_id, saved_at) VALUES (?, ?) ON CONFLICT(paper_id) DO NOTHING",
                (paper_id, time.time()),
            )
            if tags is not None:
                conn.execute("UPDATE saved SET tags = ? WHERE paper_id = ?", (json.dumps(tags), paper_id))
            if note is not None:
                conn.execute("UPDATE saved SET note = ? WHERE paper_id = ?", (note, paper_id))
        return self.get_saved(paper_id)

    def unsave_paper(self, paper_id: str) -> bool:
        """Remove a save; True if there was one."""
        with self.transaction() as conn:
            return conn.execute("DELETE FROM saved WHERE paper_id = ?", (paper_id,)).rowcount > 0

    def get_saved(self, paper_id: str) -> dict | None:
        row = self._conn().execute(_SAVED_SELECT + " WHERE s.paper_id = ?", (paper_id,)).fetchone()
        return _saved_row(row) if row else None

    def saved_ids(self, ids: list[str] | None = None) -> set[str]:
        """The saved ids among `ids` (all saved ids when None)."""
        conn = self._conn()
        if ids is None:
            return {r[0] for r in conn.execute("SELECT paper_id FROM saved")}
        out: set[str] = set()
        for chunk in _chunks(ids, 500):
            marks = ",".join("?" * len(chunk))
            out |= {r[0] for r in conn.execute(f"SELECT paper_id FROM saved WHERE paper_id IN ({marks})", chunk)}
        return out

    def list_saved(self, limit: int = 100, offset: int = 0) -> list[dict]:
        rows = self._conn().execute(
            _SAVED_SELECT + " ORDER BY s.saved_at DESC, s.paper_id LIMIT ? OFFSET ?", (limit, offset)
        )
        return [_saved_row(r) for r in rows]

    def count_saved(self) -> int:
        return self._conn().execute("SELECT COUNT(*) FROM saved").fetchone()[0]


class PhraseEmbeddingCache:
    """Adapter for `keyphrases.PhraseMemo`: numpy vectors in, numpy vectors out."""

    def __init__(self, store: Store):
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


_SAVED_SELECT = """
    SELECT s.paper_id, s.saved_at, s.tags, s.note, s.read, p.title, p.url, p.published, p.authors
    FROM saved s LEFT JOIN papers p ON p.id = s.paper_id
"""


def _saved_row(row) -> dict:
    return {
        "id": row["paper_id"],
        "title": row["title"],
        "url": row["url"],
        "published": row["published"],
        "authors": json.loads(row["authors"]) if row["authors"] else [],
        "saved_at": row["saved_at"],
        "tags": json.loads(row["tags"]),
        "note": row["note"],
        "read": bool(row["read"]),
    }


def _paper_row(row) -> dict:
    d = {k: row[k] for k in PAPER_FIELDS}
    d["authors"] = json.loads(d["authors"])
    d["ai_keywords"] = json.loads(d["ai_keywords"])
    d["first_seen"] = row["first_seen"]
    d["last_seen"] = row["last_seen"]
    return d


def _statements(script: str):
    # executescript() would COMMIT our transaction; split instead (our migrations hold no ';' in literals).
    return [s.strip() for s in script.split(";") if s.strip()]


def _chunks(items: list, n: int):
    for i in range(0, len(items), n):
        yield items[i : i + n]
