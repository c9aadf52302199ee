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
from json.encoder import encode_basestring_ascii
from pathlib import Path

from .errors import PaperLensError

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
    # 2: the pages each paper was seen on (the reading history), and the reading list's sort order.
    """
    CREATE TABLE page_visits (
        paper_id TEXT NOT NULL,
        page_url TEXT NOT NULL,
        page_kind TEXT NOT NULL,
        first_seen REAL NOT NULL,
        last_seen REAL NOT NULL,
        visits INTEGER NOT NULL DEFAULT 1,
        PRIMARY KEY (paper_id, page_url)
    ) WITHOUT ROWID;
    CREATE INDEX saved_saved_at ON saved(saved_at);
    """,
    # 3: a log of changes to papers' indexed text (and deletions), so every process's related index
    # can catch up incrementally: new papers are found by rowid, changed or deleted ones here.
    """
    CREATE TABLE paper_changes (
        seq INTEGER PRIMARY KEY AUTOINCREMENT,
        paper_id TEXT NOT NULL,
        deleted INTEGER NOT NULL DEFAULT 0
    );
    CREATE TRIGGER papers_text_changed AFTER UPDATE OF title, title_key, abstract, ai_keywords ON papers
    WHEN old.title IS NOT new.title OR old.title_key IS NOT new.title_key
      OR old.abstract IS NOT new.abstract OR old.ai_keywords IS NOT new.ai_keywords
    BEGIN
        INSERT INTO paper_changes (paper_id) VALUES (new.id);
    END;
    CREATE TRIGGER papers_deleted AFTER DELETE ON papers
    BEGIN
        INSERT INTO paper_changes (paper_id, deleted) VALUES (old.id, 1);
    END;
    """,
    # 4: phrase embeddings recur across papers ("large language model" is on every page), so the
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
    # 5: each paper's document embedding (title + abstract), which keyphrase extraction computes
    # anyway; related ranking fuses it with BM25. float32 bytes of a unit vector, per model. A rowid
    # table: its 1.5 KB rows would overflow a WITHOUT ROWID b-tree and make reads ~3x slower.
    """
    CREATE TABLE paper_embedding (
        paper_id TEXT NOT NULL,
        model TEXT NOT NULL,
        dim INTEGER NOT NULL,
        vec BLOB NOT NULL,
        PRIMARY KEY (paper_id, model)
    );
    """,
]

# SQLite's default: a commit checkpoints once the WAL holds this many pages (4 MB).
WAL_AUTOCHECKPOINT = 1000

# Longest page URL kept in the history (HF URLs are short; this bounds a hostile one).
MAX_PAGE_URL = 2000

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
        self.last_backup: Path | None = None  # where the last pre-migration backup went
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
            conn.create_function("pl_match", 6, _match, deterministic=True)
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
            # SQLite may already have rolled back (SQLITE_FULL, SQLITE_IOERR): a second ROLLBACK would
            # raise "no transaction is active" and hide the real error.
            if conn.in_transaction:
                conn.execute("ROLLBACK")
            raise
        conn.execute("COMMIT")

    def schema_version(self) -> int:
        return self._conn().execute("PRAGMA user_version").fetchone()[0]

    def _migrate(self) -> None:
        """Bring the schema to len(MIGRATIONS) in one transaction, after backing up an older library.

        BEGIN IMMEDIATE holds the write lock from reading the version to the last statement, so two
        gunicorn workers starting together migrate once: the second waits, then sees the new version.
        SQLite DDL is transactional, so a failing (or killed) migration leaves the old schema intact.
        """
        # Up to date (the common case): no write lock, so opening a library never waits for a busy server.
        if self.schema_version() == len(MIGRATIONS):
            return
        with self.transaction() as conn:
            version = conn.execute("PRAGMA user_version").fetchone()[0]
            if version > len(MIGRATIONS):
                raise RuntimeError(
                    f"the library at {self.path} has schema version {version}, newer than this Paper Lens "
                    f"knows ({len(MIGRATIONS)}): upgrade Paper Lens"
                )
            if version == len(MIGRATIONS):
                return
            if version > 0 and self.path != ":memory:":
                self.last_backup = self.backup(backup_path(self.path, version))
            for i in range(version, len(MIGRATIONS)):
                for statement in _statements(MIGRATIONS[i]):
                    conn.execute(statement)
                conn.execute(f"PRAGMA user_version = {i + 1}")

    def integrity_check(self) -> list[str]:
        """PRAGMA integrity_check: ["ok"] for a sound file, else the problems SQLite found."""
        return [r[0] for r in self._conn().execute("PRAGMA integrity_check")]

    # ------------------------------------------------------------ papers

    def record_papers(
        self,
        papers: list[dict],
        now: float | None = None,
        page_url: str | None = None,
        page_kind: str | None = None,
    ) -> None:
        """Insert or refresh papers seen on a page (first_seen kept, last_seen and details updated) and, when
        `page_kind` is given, remember the page they were seen on (`page_url` None = a page without URL, '')."""
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
                    -- seen_count 0: imported, never seen on a page until now
                    first_seen = CASE WHEN papers.seen_count = 0 THEN excluded.first_seen ELSE papers.first_seen END,
                    last_seen = excluded.last_seen,
                    seen_count = papers.seen_count + 1
                """,
                rows,
            )
            if page_kind is not None:
                url = (page_url or "")[:MAX_PAGE_URL]
                conn.executemany(
                    """
                    INSERT INTO page_visits (paper_id, page_url, page_kind, first_seen, last_seen)
                    VALUES (?, ?, ?, ?, ?)
                    ON CONFLICT(paper_id, page_url) DO UPDATE SET
                        page_kind = excluded.page_kind, last_seen = excluded.last_seen, visits = visits + 1
                    """,
                    [(p["id"], url, page_kind, now, now) for p in papers],
                )

    def paper_history(self, paper_id: str) -> dict | None:
        """When and where a paper was seen: {"first_seen", "last_seen", "seen_count", "pages": [{"url",
        "kind", "first_seen", "last_seen", "visits"}]} (pages most recent first; url "" = a page without URL),
        or None when the paper was never seen (unknown, or only imported/saved by id)."""
        conn = self._conn()
        row = conn.execute(
            "SELECT first_seen, last_seen, seen_count FROM papers WHERE id = ? AND seen_count > 0", (paper_id,)
        ).fetchone()
        if row is None:
            return None
        pages = conn.execute(
            "SELECT page_url, page_kind, first_seen, last_seen, visits FROM page_visits WHERE paper_id = ? "
            "ORDER BY last_seen DESC, page_url",
            (paper_id,),
        )
        return {
            "first_seen": row["first_seen"],
            "last_seen": row["last_seen"],
            "seen_count": row["seen_count"],
            "pages": [
                {"url": p[0], "kind": p[1], "first_seen": p[2], "last_seen": p[3], "visits": p[4]} for p in pages
            ],
        }

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

    def papers_for_index(self, after_rowid: int = 0, ids: list[str] | None = None) -> list[dict]:
        """[{"rowid", "id", "title_key", "title", "abstract", "ai_keywords": [str]}] in rowid order: the
        papers added after `after_rowid`, or (with `ids`) those papers whatever their rowid."""
        conn = self._conn()
        cols = "SELECT rowid, id, title_key, title, abstract, ai_keywords FROM papers"
        if ids is None:
            rows = conn.execute(f"{cols} WHERE rowid > ? ORDER BY rowid", (after_rowid,)).fetchall()
        else:
            rows = []
            for chunk in _chunks(ids, 500):
                rows += conn.execute(f"{cols} WHERE id IN ({','.join('?' * len(chunk))})", chunk).fetchall()
            rows.sort(key=lambda r: r["rowid"])
        return [{**dict(r), "ai_keywords": _json_list(r["ai_keywords"])} for r in rows]

    def paper_id_at(self, rowid: int) -> str | None:
        """The id of the paper stored at `rowid`, or None."""
        row = self._conn().execute("SELECT id FROM papers WHERE rowid = ?", (rowid,)).fetchone()
        return row[0] if row else None

    def count_papers_upto(self, rowid: int) -> int:
        """How many papers have a rowid <= `rowid`."""
        return self._conn().execute("SELECT COUNT(*) FROM papers WHERE rowid <= ?", (rowid,)).fetchone()[0]

    def last_paper_change(self) -> int:
        """The sequence number of the latest logged change to a paper's text (0 if none)."""
        return self._conn().execute("SELECT COALESCE(MAX(seq), 0) FROM paper_changes").fetchone()[0]

    def paper_changes(self, after_seq: int) -> list[tuple[int, str, bool]]:
        """[(seq, paper id, deleted)] logged after `after_seq`, oldest first."""
        rows = self._conn().execute(
            "SELECT seq, paper_id, deleted FROM paper_changes WHERE seq > ? ORDER BY seq", (after_seq,)
        )
        return [(r[0], r[1], bool(r[2])) for r in rows]

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

    def put_keyphrases(self, items: dict[str, list], embeddings: tuple[str, dict] | None = None) -> None:
        """Cache keyphrases {cache_key: [{"phrase", "score"}]} and, in the same transaction, the
        papers' document embeddings `(model, {paper_id: vector})` (any float array; stored float32)."""
        now = time.time()
        with self.transaction() as conn:
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
        for chunk in _chunks(list(dict.fromkeys(ids)), 500):
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
        """Save (idempotent: an existing save keeps its time; given tags/note replace the old ones).
        Returns the saved record (see `get_saved`). The paper need not be in the library yet."""
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

    def update_saved(
        self, paper_id: str, tags: list[str] | None = None, note: str | None = None, read: bool | None = None
    ) -> dict | None:
        """Change the given fields of a save; returns the record, or None if the paper is not saved."""
        sets, params = [], []
        for column, value in (("tags", None if tags is None else json.dumps(tags)), ("note", note)):
            if value is not None:
                sets.append(f"{column} = ?")
                params.append(value)
        if read is not None:
            sets.append("read = ?")
            params.append(int(read))
        with self.transaction() as conn:
            exists = conn.execute("SELECT 1 FROM saved WHERE paper_id = ?", (paper_id,)).fetchone()
            if exists is None:
                return None
            if sets:
                conn.execute(f"UPDATE saved SET {', '.join(sets)} WHERE paper_id = ?", (*params, paper_id))
        return self.get_saved(paper_id)

    def unsave_paper(self, paper_id: str) -> bool:
        """Remove a save; True if there was one."""
        with self.transaction() as conn:
            return conn.execute("DELETE FROM saved WHERE paper_id = ?", (paper_id,)).rowcount > 0

    def get_saved(self, paper_id: str) -> dict | None:
        """{"id", "title", "url", "published", "authors", "saved_at", "tags", "note", "read"} or None.
        Paper details are None/[] while a paper saved by id has not been seen yet."""
        row = self._conn().execute(_SAVED_SELECT + " WHERE s.paper_id = ?", (paper_id,)).fetchone()
        return _saved_row(row) if row else None

    def arxiv_ids_by_title(self, title_keys: list[str]) -> dict[str, str]:
        """{title_key: arXiv id} for the normalized titles that exactly one paper with an arXiv id in the
        library has (a title two papers share says nothing)."""
        found: dict[str, set[str]] = {}
        conn = self._conn()
        for chunk in _chunks(sorted(set(title_keys)), 500):
            marks = ",".join("?" * len(chunk))
            for key, pid in conn.execute(
                f"SELECT title_key, id FROM papers WHERE title_key IN ({marks}) AND id NOT LIKE 't-%'", chunk
            ):
                found.setdefault(key, set()).add(pid)
        return {key: ids.pop() for key, ids in found.items() if len(ids) == 1}

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

    def list_saved(
        self,
        limit: int = 100,
        offset: int = 0,
        tag: str | None = None,
        read: bool | None = None,
        q: str | None = None,
        sort: str = "-saved_at",
    ) -> list[dict]:
        """One page of saved records (as `get_saved`) matching the filters: `tag` (exact, normalized),
        `read`, `q` (every word in title, authors, note, tags or id; case-insensitive), newest first by
        default (`sort="saved_at"`: oldest first)."""
        where, params = _saved_filter(tag, read, q)
        order = "ASC" if sort == "saved_at" else "DESC"
        rows = self._conn().execute(
            f"{_SAVED_SELECT} {where} ORDER BY s.saved_at {order}, s.paper_id {order} LIMIT ? OFFSET ?",
            (*params, limit, offset),
        )
        return [_saved_row(r) for r in rows]

    def count_saved(self, tag: str | None = None, read: bool | None = None, q: str | None = None) -> int:
        """How many saves match the filters of `list_saved` (all saves without filters)."""
        where, params = _saved_filter(tag, read, q)
        if not where:
            return self._conn().execute("SELECT COUNT(*) FROM saved").fetchone()[0]
        sql = f"SELECT COUNT(*) FROM saved s LEFT JOIN papers p ON p.id = s.paper_id {where}"
        return self._conn().execute(sql, params).fetchone()[0]

    def export_saved(self) -> list[dict]:
        """Every save with its paper, oldest save first: export records as `paperlens.library` describes
        ({"id", "title", "url", "published", "authors", "abstract", "saved_at", "tags", "note", "read",
        "first_seen", "last_seen", "seen_count"})."""
        cursor = self._conn().cursor()
        cursor.row_factory = None  # plain tuples: this runs over the whole list, name lookups add up
        rows = cursor.execute(
            """
            SELECT s.paper_id, p.title, p.url, p.published, p.authors, p.abstract, s.saved_at, s.tags, s.note,
                   s.read, p.first_seen, p.last_seen, COALESCE(p.seen_count, 0)
            FROM saved s LEFT JOIN papers p ON p.id = s.paper_id
            ORDER BY s.saved_at, s.paper_id
            """
        )
        loads = json.loads
        return [
            {
                "id": pid,
                "title": title,
                "url": url,
                "published": published,
                "authors": loads(authors) if authors else [],
                "abstract": abstract,
                "saved_at": saved_at,
                "tags": loads(tags),
                "note": note,
                "read": bool(read),
                "first_seen": first if seen else None,
                "last_seen": last if seen else None,
                "seen_count": seen,
            }
            for pid, title, url, published, authors, abstract, saved_at, tags, note, read, first, last, seen in rows
        ]

    def import_saved(self, records: list[dict], now: float | None = None, progress=None) -> dict:
        """Write validated export records (from `library.parse_import`, unique ids) in ONE transaction:
        all or nothing. New saves are inserted; an existing save is merged with `library.merge_saved`
        (nothing the user has is lost); papers not in the library are added from the records' details
        (marked never seen), known papers only get their blank details filled. `progress(n)` is called
        as records are written. Returns {"imported": N, "updated": N, "skipped": N (already identical)}.
        Raises PaperLensError(409) and writes nothing when no record would change anything (a duplicate
        import)."""
        now = time.time() if now is None else now
        counts = {"imported": 0, "updated": 0, "skipped": 0}
        conn = self._conn()
        # A 10,000-paper import writes ~15 MB to the WAL. With auto-checkpoint on, its COMMIT would also copy
        # all of it into the database file and fsync both (~40% of writing the import) while the user waits.
        # Once committed to the WAL the import survives the app crashing, like every write here
        # (synchronous=NORMAL); the checkpoint, whose fsync also makes it survive a power cut, follows a
        # moment later on a background thread.
        conn.execute("PRAGMA wal_autocheckpoint=0")
        try:
            self._import_saved(conn, records, now, counts, progress)
        finally:
            conn.execute(f"PRAGMA wal_autocheckpoint={WAL_AUTOCHECKPOINT}")
        self.checkpoint_in_background()
        return counts

    def _import_saved(self, conn, records, now, counts, progress) -> None:
        from .library import merge_saved

        with self.transaction():
            ids = [r["id"] for r in records]
            existing: dict[str, dict] = {}
            known: dict[str, tuple[bool, bool, bool, bool]] = {}
            for chunk in _chunks(ids, 500):
                marks = ",".join("?" * len(chunk))
                for row in conn.execute(
                    f"SELECT paper_id, saved_at, tags, note, read FROM saved WHERE paper_id IN ({marks})", chunk
                ):
                    existing[row[0]] = {
                        "saved_at": row[1],
                        "tags": json.loads(row[2]),
                        "note": row[3],
                        "read": bool(row[4]),
                    }
                # Which details each known paper lacks, so only papers with a blank to fill get an UPDATE.
                for row in conn.execute(
                    f"SELECT id, authors = '[]', abstract = '', published IS NULL, url = '' FROM papers "
                    f"WHERE id IN ({marks})",
                    chunk,
                ):
                    known[row[0]] = tuple(bool(x) for x in row[1:])

            new_papers, fill_papers, new_saves, changed_saves = [], [], [], []
            for r in records:
                paper_id, authors = r["id"], r.get("authors") or []
                paper_changed = False
                blanks = known.get(paper_id)
                if blanks is not None:
                    no_authors, no_abstract, no_published, no_url = blanks
                    if (
                        (no_authors and authors)
                        or (no_abstract and r.get("abstract"))
                        or (no_published and r.get("published"))
                        or (no_url and r.get("url"))
                    ):
                        fill_papers.append(
                            (_json_strings(authors), r.get("abstract") or "", r.get("published"),
                             r.get("url") or "", paper_id)
                        )
                        paper_changed = True
                elif r.get("title"):
                    first = r.get("first_seen")
                    seen_count = (r.get("seen_count") or 1) if first is not None else 0
                    first = now if first is None else first
                    last = r.get("last_seen") if r.get("last_seen") is not None else first
                    new_papers.append(
                        (paper_id, r["title"], r["title_key"], r.get("abstract") or "", _json_strings(authors),
                         r.get("published"), r.get("url") or "", first, last, seen_count)
                    )
                    paper_changed = True
                saved_at = now if r.get("saved_at") is None else r["saved_at"]
                old = existing.get(paper_id)
                if old is None:
                    new_saves.append((paper_id, saved_at, _json_strings(r["tags"]), r["note"], int(r["read"])))
                    counts["imported"] += 1
                    continue
                incoming = {"saved_at": saved_at, "tags": r["tags"], "note": r["note"], "read": r["read"]}
                merged = merge_saved(old, incoming)
                if merged == old:
                    # The save is unchanged; filling in the paper's missing details still updates it.
                    counts["updated" if paper_changed else "skipped"] += 1
                else:
                    changed_saves.append(
                        (merged["saved_at"], _json_strings(merged["tags"]), merged["note"], int(merged["read"]),
                         paper_id)
                    )
                    counts["updated"] += 1
            if records and not new_saves and not changed_saves and not new_papers and not fill_papers:
                # Nothing would change: the same file imported again. Say so rather than answer a quiet 200.
                raise PaperLensError(
                    f"nothing to import: all {len(records)} papers in this file are already saved, and it adds "
                    "nothing to them (no new tags, notes, read state or missing details)",
                    409,
                )
            conn.executemany(
                """
                INSERT INTO papers (id, title, title_key, abstract, authors, published, url, first_seen, last_seen,
                                    seen_count)
                VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
                """,
                new_papers,
            )
            conn.executemany(
                """
                UPDATE papers SET
                    authors = CASE WHEN authors = '[]' THEN ? ELSE authors END,
                    abstract = CASE WHEN abstract = '' THEN ? ELSE abstract END,
                    published = COALESCE(published, ?),
                    url = CASE WHEN url = '' THEN ? ELSE url END
                WHERE id = ?
                """,
                fill_papers,
            )
            done = 0
            for chunk in _chunks(new_saves, 1000):
                conn.executemany(
                    "INSERT INTO saved (paper_id, saved_at, tags, note, read) VALUES (?, ?, ?, ?, ?)", chunk
                )
                done += len(chunk)
                if progress:
                    progress(len(chunk))
            conn.executemany("UPDATE saved SET saved_at = ?, tags = ?, note = ?, read = ? WHERE paper_id = ?",
                             changed_saves)
            if progress:
                progress(len(records) - done)

    def checkpoint_in_background(self) -> threading.Thread | None:
        """Copy the WAL into the database file (a PASSIVE checkpoint: it never blocks readers or writers)
        on a thread with its own connection. Safe to lose: an interrupted checkpoint is redone by the next
        one, and until then readers read the WAL. Returns the thread (tests join it)."""
        if self.path == ":memory:":
            return None

        def run():
            try:
                # mode=rw: if the library was moved or deleted meanwhile, fail instead of creating a new one.
                conn = sqlite3.connect(f"{Path(self.path).resolve().as_uri()}?mode=rw", uri=True, timeout=30)
                try:
                    conn.execute("PRAGMA wal_checkpoint(PASSIVE)").fetchone()
                finally:
                    conn.close()
            except sqlite3.Error:
                pass  # the next commit's auto-checkpoint does it

        thread = threading.Thread(target=run, name="paperlens-checkpoint", daemon=True)
        thread.start()
        return thread

    # ------------------------------------------------------------ backup

    def backup(self, dest: str | os.PathLike, progress=None) -> Path:
        """A consistent copy of the whole library at `dest` (a file, or a directory to put a timestamped
        file in) using SQLite's online backup API: safe while the server is writing. Written to a
        `.partial` file first and renamed, so `dest` is never half a database. `progress(done, total)`
        is called with page counts. Returns the path written. Refuses to overwrite a file."""
        dest = Path(dest).expanduser()
        if dest.is_dir():
            dest = dest / time.strftime("paperlens-backup-%Y%m%d-%H%M%S.sqlite3")
        if dest.exists():
            raise PaperLensError(f"{dest} exists: choose another path or remove it first", 409)
        if self.path != ":memory:" and dest.resolve() == Path(self.path).resolve():
            raise PaperLensError("the backup path is the library itself", 400)
        if not dest.parent.is_dir():
            raise PaperLensError(f"no such directory: {dest.parent}", 400)
        partial = dest.with_name(dest.name + ".partial")
        partial.unlink(missing_ok=True)
        target = sqlite3.connect(partial)
        try:

            def report(status, remaining, total):
                if progress:
                    progress(total - remaining, total)

            # A connection of its own: in WAL mode it reads the last committed state even while this thread
            # holds the write lock (as `_migrate` does when it backs up before migrating).
            source = sqlite3.connect(self.path, timeout=30)
            try:
                # Steps of 1024 pages (4 MB) let a progress bar move; each holds the read lock only briefly.
                source.backup(target, pages=1024, progress=report)
            finally:
                source.close()
            # A plain single-file database: no -wal/-shm companions to forget when copying the backup.
            target.execute("PRAGMA journal_mode=DELETE")
            check = target.execute("PRAGMA quick_check").fetchone()[0]
            if check != "ok":
                raise PaperLensError(f"the backup failed its integrity check: {check}", 500)
        except BaseException:
            target.close()
            partial.unlink(missing_ok=True)
            raise
        target.close()
        os.replace(partial, dest)
        return dest


def inspect_library(path: str | os.PathLike) -> dict:
    """Open a library read-only (no migration, no WAL change) for `paperlens doctor`.

    Returns {"exists": bool, "integrity": ["ok"] or problems, "version": int, "expected": int,
    "papers": int | None, "saved": int | None}; raises sqlite3.Error if the file will not open.
    """
    path = Path(path)
    out = {"exists": path.exists(), "integrity": [], "version": 0, "expected": len(MIGRATIONS),
           "papers": None, "saved": None}
    if not out["exists"]:
        return out
    conn = sqlite3.connect(f"{path.resolve().as_uri()}?mode=ro", uri=True, timeout=10)
    try:
        out["integrity"] = [r[0] for r in conn.execute("PRAGMA integrity_check")]
        out["version"] = conn.execute("PRAGMA user_version").fetchone()[0]
        tables = {r[0] for r in conn.execute("SELECT name FROM sqlite_master WHERE type = 'table'")}
        if "papers" in tables:
            out["papers"] = conn.execute("SELECT COUNT(*) FROM papers").fetchone()[0]
        if "saved" in tables:
            out["saved"] = conn.execute("SELECT COUNT(*) FROM saved").fetchone()[0]
    finally:
        conn.close()
    return out


def backup_path(db_path: str, version: int) -> Path:
    """Where the copy taken before migrating from `version` goes: next to the library, never overwritten."""
    stamp = time.strftime("%Y%m%d-%H%M%S")
    base = Path(f"{db_path}.v{version}-{stamp}.bak")
    path, n = base, 1
    while path.exists():
        path, n = base.with_name(f"{base.name}.{n}"), n + 1
    return path


def _float32(v):
    import numpy as np

    return np.asarray(v, dtype=np.float32).ravel()


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


def _saved_filter(tag: str | None, read: bool | None, q: str | None) -> tuple[str, list]:
    """WHERE clause and parameters for the saved-list filters ('' when there are none)."""
    clauses: list[str] = []
    params: list = []
    if tag:
        clauses.append("EXISTS (SELECT 1 FROM json_each(s.tags) WHERE json_each.value = ?)")
        params.append(tag)
    if read is not None:
        clauses.append("s.read = ?")
        params.append(int(read))
    words = _fold(q or "").split()
    if words:
        clauses.append("pl_match(s.paper_id, p.title, p.authors, s.note, s.tags, ?)")
        params.append("\x1f".join(words))
    return ("WHERE " + " AND ".join(clauses)) if clauses else "", params


def _fold(text: str) -> str:
    return text.casefold()


def _match(paper_id, title, authors_json, note, tags_json, words) -> bool:
    # Authors and tags are JSON with \u escapes for non-ASCII: decode them so "müller" finds Müller.
    parts = [paper_id, title or "", note or ""]
    for blob in (authors_json, tags_json):
        if blob and blob != "[]":
            parts.extend(json.loads(blob) if "\\" in blob else [blob])
    hay = _fold(" ".join(parts))
    return all(w in hay for w in words.split("\x1f"))


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


def _json_list(text: str | None) -> list:
    try:
        value = json.loads(text or "[]")
    except ValueError:
        return []
    return value if isinstance(value, list) else []


def _statements(script: str):
    """The statements of a migration script. executescript() would COMMIT our transaction, so split
    on ';', joining pieces until SQLite calls the statement complete (trigger bodies hold ';')."""
    out, buf = [], ""
    for piece in script.split(";"):
        buf += piece + ";"
        if sqlite3.complete_statement(buf):
            if buf.strip(" \n\t;"):
                out.append(buf.strip())
            buf = ""
    if buf.strip(" \n\t;"):
        out.append(buf.strip())
    return out


def _json_strings(items: list[str]) -> str:
    """`json.dumps(items)` for a list of strings, byte for byte (the same C string encoder), ~3x faster:
    `json.dumps` builds a new encoder on every call, which a 10,000-paper import (two lists each) felt."""
    return "[" + ", ".join(map(encode_basestring_ascii, items)) + "]"


def _chunks(items: list, n: int):
    for i in range(0, len(items), n):
        yield items[i : i + n]
