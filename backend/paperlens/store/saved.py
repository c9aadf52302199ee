"""Saved papers: save, change, unsave, list and search them, export them, and write an import's plan
(decided by `readinglist.plan`) in one transaction."""

from __future__ import annotations

import json
import time
from json.encoder import encode_basestring_ascii

from ..readinglist.plan import FILLABLE, plan_import
from .connection import WAL_AUTOCHECKPOINT, chunks, ids_in


class Saved:
    """Mixed into Store."""

    def save_paper(
        self, paper_id: str, tags: list[str] | None = None, note: str | None = None, read: bool | None = None
    ) -> dict:
        """Save (idempotent: an existing save keeps its time; given tags/note/read replace the old ones), in one
        transaction. Returns the saved record (see `get_saved`). The paper need not be in the library yet."""
        with self.transaction() as conn:
            conn.execute(
                "INSERT INTO saved (paper_id, saved_at) VALUES (?, ?) ON CONFLICT(paper_id) DO NOTHING",
                (paper_id, time.time()),
            )
            if tags is not None:
                conn.execute("UPDATE saved SET tags = ? WHERE paper_id = ?", (json.dumps(tags), paper_id))
            if note is not None:
                conn.execute("UPDATE saved SET note = ? WHERE paper_id = ?", (note, paper_id))
            if read is not None:
                conn.execute("UPDATE saved SET read = ? WHERE paper_id = ?", (int(read), paper_id))
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

    def saved_ids(self, ids: list[str] | None = None) -> set[str]:
        """The saved ids among `ids` (all saved ids when None)."""
        return ids_in(self._conn(), "saved", ids)

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

    def import_saved(
        self,
        records: list[dict],
        now: float | None = None,
        progress=None,
        dismissed: list[dict] = (),
        muted: list[dict] = (),
    ) -> dict:
        """Import validated export records (from `formats.parse_import`, unique ids), and the file's
        `dismissed` papers and `muted` terms, in ONE transaction: all or nothing. What happens to each is
        `readinglist.plan.plan_import`'s decision, made on what the library holds inside the same
        transaction. `progress(n)` is called as records are written. Returns {"imported": N, "updated": N,
        "skipped": N, "dismissed": N (new dismissals), "muted": N (new muted terms)}; raises
        PaperLensError(409) and writes nothing when nothing would change (a duplicate import)."""
        now = time.time() if now is None else now
        conn = self._conn()
        # A 10,000-paper import writes ~15 MB to the WAL. With auto-checkpoint on, its COMMIT would also copy
        # all of it into the database file and fsync both (~40% of writing the import) while the user waits.
        # Once committed to the WAL the import survives the app crashing, like every write here
        # (synchronous=NORMAL); the checkpoint, whose fsync also makes it survive a power cut, follows a
        # moment later on a background thread.
        conn.execute("PRAGMA wal_autocheckpoint=0")
        try:
            with self.transaction():
                ids = list(dict.fromkeys([r["id"] for r in records] + [d["id"] for d in dismissed]))
                saves, blanks = self._import_state(conn, ids)
                plan = plan_import(records, saves, blanks, now, dismissed,
                                   self._dismissed_state(conn, [d["id"] for d in dismissed]), muted,
                                   self._muted_state(conn))
                self._write_import(conn, plan, now, len(records), progress)
                self._write_triage(conn, plan)
        finally:
            conn.execute(f"PRAGMA wal_autocheckpoint={WAL_AUTOCHECKPOINT}")
        self.checkpoint_in_background()
        return plan.counts

    def _import_state(self, conn, ids: list[str]) -> tuple[dict, dict]:
        """(saves {id: {"saved_at", "tags", "note", "read"}}, blanks {id: the FILLABLE details it lacks}) of
        those papers that are saved / in the library."""
        saves: dict[str, dict] = {}
        blanks: dict[str, set[str]] = {}
        for chunk in chunks(ids, 500):
            marks = ",".join("?" * len(chunk))
            for row in conn.execute(
                f"SELECT paper_id, saved_at, tags, note, read FROM saved WHERE paper_id IN ({marks})", chunk
            ):
                saves[row[0]] = {"saved_at": row[1], "tags": json.loads(row[2]), "note": row[3], "read": bool(row[4])}
            for row in conn.execute(
                f"SELECT id, authors = '[]', abstract = '', published IS NULL, url = '' FROM papers "
                f"WHERE id IN ({marks})",
                chunk,
            ):
                blanks[row[0]] = {name for name, blank in zip(FILLABLE, row[1:]) if blank}
        return saves, blanks

    def _write_import(self, conn, plan, now: float, total: int, progress) -> None:
        conn.executemany(
            """
            INSERT INTO papers (id, title, title_key, abstract, authors, published, url, first_seen, last_seen,
                                seen_count)
            VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
            """,
            [
                (r["id"], r["title"], r["title_key"], r.get("abstract") or "", _json_strings(r.get("authors") or []),
                 r.get("published"), r.get("url") or "", *_seen(r, now))
                for r in plan.new_papers
            ],
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
            [
                (_json_strings(r.get("authors") or []), r.get("abstract") or "", r.get("published"),
                 r.get("url") or "", r["id"])
                for r in plan.fills
            ],
        )
        done = 0
        for chunk in chunks(plan.new_saves, 1000):
            conn.executemany(
                "INSERT INTO saved (paper_id, saved_at, tags, note, read) VALUES (?, ?, ?, ?, ?)",
                [(s["id"], s["saved_at"], _json_strings(s["tags"]), s["note"], int(s["read"])) for s in chunk],
            )
            done += len(chunk)
            if progress:
                progress(len(chunk))
        conn.executemany(
            "UPDATE saved SET saved_at = ?, tags = ?, note = ?, read = ? WHERE paper_id = ?",
            [(s["saved_at"], _json_strings(s["tags"]), s["note"], int(s["read"]), s["id"]) for s in plan.changed_saves],
        )
        if progress:
            progress(total - done)


    def _dismissed_state(self, conn, ids: list[str]) -> dict[str, float]:
        """{id: dismissed_at} of those papers that are dismissed."""
        out: dict[str, float] = {}
        for chunk in chunks(ids, 500):
            marks = ",".join("?" * len(chunk))
            out.update(conn.execute(f"SELECT paper_id, dismissed_at FROM dismissed WHERE paper_id IN ({marks})", chunk))
        return out

    def _muted_state(self, conn) -> set[tuple[str, str]]:
        """(kind, key) of every muted term."""
        return {(r[0], r[1]) for r in conn.execute("SELECT kind, term_key FROM muted")}

    def _write_triage(self, conn, plan) -> None:
        conn.executemany(
            "INSERT INTO dismissed (paper_id, dismissed_at) VALUES (?, ?) "
            "ON CONFLICT(paper_id) DO UPDATE SET dismissed_at = excluded.dismissed_at",
            [(d["id"], d["dismissed_at"]) for d in plan.dismissals],
        )
        conn.executemany(
            "INSERT INTO muted (kind, term_key, term, added_at) VALUES (?, ?, ?, ?)",
            [(m["kind"], m["key"], m["term"], m["added_at"]) for m in plan.new_mutes],
        )


def _seen(record: dict, now: float) -> tuple[float, float, int]:
    """(first_seen, last_seen, seen_count) of an imported paper: as the record says, else never seen (count 0)
    and first and last seen now."""
    first = record.get("first_seen")
    if first is None:
        return now, now, 0
    last = record.get("last_seen") if record.get("last_seen") is not None else first
    return first, last, record.get("seen_count") or 1


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


def match_words(paper_id, title, authors_json, note, tags_json, words) -> bool:
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


def _json_strings(items: list[str]) -> str:
    """`json.dumps(items)` for a list of strings, byte for byte (the same C string encoder), ~3x faster:
    `json.dumps` builds a new encoder on every call, which a 10,000-paper import (two lists each) felt."""
    return "[" + ", ".join(map(encode_basestring_ascii, items)) + "]"

