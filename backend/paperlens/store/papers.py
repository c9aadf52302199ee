"""Papers seen on pages: recording them (with the page they were seen on), reading them back, and what the
related-papers index reads to stay in step (rows by rowid, the change log)."""

from __future__ import annotations

import json
import time

from .connection import chunks

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


class Papers:
    """Mixed into Store."""

    def record_papers(
        self,
        papers: list[dict],
        now: float | None = None,
        page_url: str | None = None,
        page_kind: str | None = None,
    ) -> dict[str, dict]:
        """Insert or refresh papers seen on a page (first_seen kept, last_seen and details updated) and, when
        `page_kind` is given, remember the page they were seen on (`page_url` None = a page without URL, '').
        Returns what the library knew of them just before, read in the same transaction (`seen_before`), so
        two requests recording one new paper at once cannot both call it seen."""
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
            before = _seen_before(conn, [p["id"] for p in papers])
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
        return before

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

    def seen_before(self, ids: list[str]) -> dict[str, dict]:
        """What the library knows of these papers as seen on pages: {id: {"first_seen", "page": {"url",
        "kind"} of the first page it was seen on, or None}} for the papers it has seen (papers only imported
        or saved by id, seen_count 0, count as unseen: recording them moves their first_seen to then)."""
        return _seen_before(self._conn(), ids)

    def get_paper(self, paper_id: str) -> dict | None:
        row = self._conn().execute("SELECT * FROM papers WHERE id = ?", (paper_id,)).fetchone()
        return _paper_row(row) if row else None

    def get_papers(self, ids: list[str]) -> dict[str, dict]:
        """{id: paper} for the ids that are in the library."""
        out: dict[str, dict] = {}
        conn = self._conn()
        for chunk in chunks(ids, 500):
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
            for chunk in chunks(ids, 500):
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

    def arxiv_ids_by_title(self, title_keys: list[str]) -> dict[str, str]:
        """{title_key: arXiv id} for the normalized titles that exactly one paper with an arXiv id in the
        library has (a title two papers share says nothing)."""
        found: dict[str, set[str]] = {}
        conn = self._conn()
        for chunk in chunks(sorted(set(title_keys)), 500):
            marks = ",".join("?" * len(chunk))
            for key, pid in conn.execute(
                f"SELECT title_key, id FROM papers WHERE title_key IN ({marks}) AND id NOT LIKE 't-%'", chunk
            ):
                found.setdefault(key, set()).add(pid)
        return {key: ids.pop() for key, ids in found.items() if len(ids) == 1}


def _seen_before(conn, ids: list[str]) -> dict[str, dict]:
    out: dict[str, dict] = {}
    for chunk in chunks(list(dict.fromkeys(ids)), 500):
        marks = ",".join("?" * len(chunk))
        for pid, first in conn.execute(
            f"SELECT id, first_seen FROM papers WHERE id IN ({marks}) AND seen_count > 0", chunk
        ):
            out[pid] = {"first_seen": first, "page": None}
        # SQLite gives a bare column the row MIN() picked: the page of the earliest visit.
        for pid, url, kind, _ in conn.execute(
            f"SELECT paper_id, page_url, page_kind, MIN(first_seen) FROM page_visits WHERE paper_id IN ({marks}) "
            "GROUP BY paper_id",
            chunk,
        ):
            if pid in out:
                out[pid]["page"] = {"url": url, "kind": kind}
    return out


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

