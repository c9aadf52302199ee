"""Muted terms: words, phrases and authors whose papers the page dims.

What a muted term may be, and how it matches a paper, is `triage`'s rule; this stores what it checked.
"""

from __future__ import annotations

import time

from ..config import MAX_MUTED_TERMS
from ..errors import PaperLensError


class Muted:
    """Mixed into Store."""

    def mute_term(self, kind: str, term: str, term_key: str, now: float | None = None) -> dict:
        """Mute a term (checked by `triage.check_mute`). Idempotent: a term muted before (the same kind and
        key) keeps its first spelling and time. Returns {"term", "kind", "added_at"}. Raises
        PaperLensError(409), writing nothing, when MAX_MUTED_TERMS are muted already."""
        now = time.time() if now is None else now
        with self.transaction() as conn:
            exists = conn.execute("SELECT 1 FROM muted WHERE kind = ? AND term_key = ?", (kind, term_key)).fetchone()
            if exists is None and conn.execute("SELECT COUNT(*) FROM muted").fetchone()[0] >= MAX_MUTED_TERMS:
                raise PaperLensError(f"{MAX_MUTED_TERMS} terms are muted already: unmute some first", 409)
            conn.execute(
                "INSERT INTO muted (kind, term_key, term, added_at) VALUES (?, ?, ?, ?) "
                "ON CONFLICT(kind, term_key) DO NOTHING",
                (kind, term_key, term, now),
            )
            row = conn.execute(
                "SELECT term, kind, added_at FROM muted WHERE kind = ? AND term_key = ?", (kind, term_key)
            ).fetchone()
        return {"term": row[0], "kind": row[1], "added_at": row[2]}

    def unmute_term(self, kind: str, term_key: str) -> dict | None:
        """Unmute; returns what was muted ({"term", "kind", "added_at"}) or None if it was not."""
        with self.transaction() as conn:
            row = conn.execute(
                "DELETE FROM muted WHERE kind = ? AND term_key = ? RETURNING term, kind, added_at", (kind, term_key)
            ).fetchone()
        return None if row is None else {"term": row[0], "kind": row[1], "added_at": row[2]}

    def list_muted(self) -> list[dict]:
        """Every muted term, oldest first: [{"term", "kind", "added_at"}]."""
        rows = self._conn().execute("SELECT term, kind, added_at FROM muted ORDER BY added_at, kind, term_key")
        return [{"term": r[0], "kind": r[1], "added_at": r[2]} for r in rows]

    def count_muted(self) -> int:
        return self._conn().execute("SELECT COUNT(*) FROM muted").fetchone()[0]
