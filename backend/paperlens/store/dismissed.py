"""Papers the reader dismissed ("not for me"): dismiss, undo, list them, and what an export carries of them."""

from __future__ import annotations

import time

from .connection import ids_in


class Dismissed:
    """Mixed into Store."""

    def dismiss_paper(self, paper_id: str, now: float | None = None) -> bool | None:
        """Dismiss a paper the library holds. Idempotent: a paper dismissed before keeps its first time.
        Returns True if it is now dismissed, None if the library has no such paper (nothing written)."""
        now = time.time() if now is None else now
        with self.transaction() as conn:
            if conn.execute("SELECT 1 FROM papers WHERE id = ?", (paper_id,)).fetchone() is None:
                return None
            conn.execute(
                "INSERT INTO dismissed (paper_id, dismissed_at) VALUES (?, ?) ON CONFLICT(paper_id) DO NOTHING",
                (paper_id, now),
            )
        return True

    def undismiss_paper(self, paper_id: str) -> bool:
        """Undo a dismissal; True if there was one."""
        with self.transaction() as conn:
            return conn.execute("DELETE FROM dismissed WHERE paper_id = ?", (paper_id,)).rowcount > 0

    def dismissed_ids(self, ids: list[str] | None = None) -> set[str]:
        """The dismissed ids among `ids` (all dismissed ids when None)."""
        return ids_in(self._conn(), "dismissed", ids)

    def count_dismissed(self) -> int:
        return self._conn().execute("SELECT COUNT(*) FROM dismissed").fetchone()[0]

    def list_dismissed(self, limit: int = 100, offset: int = 0) -> list[dict]:
        """Dismissed papers, newest first: [{"id", "title", "url", "dismissed_at"}] (title and url None for
        a dismissal an import brought without the paper)."""
        rows = self._conn().execute(
            "SELECT d.paper_id, p.title, p.url, d.dismissed_at FROM dismissed d LEFT JOIN papers p ON p.id = d.paper_id "
            "ORDER BY d.dismissed_at DESC, d.paper_id DESC LIMIT ? OFFSET ?",
            (limit, offset),
        )
        return [{"id": r[0], "title": r[1], "url": r[2] or None, "dismissed_at": r[3]} for r in rows]

    def export_dismissed(self) -> list[dict]:
        """Every dismissal, oldest first (an export is deterministic): [{"id", "title", "url", "dismissed_at"}]."""
        rows = self._conn().execute(
            "SELECT d.paper_id, p.title, p.url, d.dismissed_at FROM dismissed d LEFT JOIN papers p ON p.id = d.paper_id "
            "ORDER BY d.dismissed_at, d.paper_id"
        )
        return [{"id": r[0], "title": r[1], "url": r[2] or None, "dismissed_at": r[3]} for r in rows]
