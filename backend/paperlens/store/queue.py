"""The keyphrase job queue (table keyphrase_queue, migration 6): every process on the library queues, claims
and finishes keyphrase jobs here, so a paper is computed once however many tabs and workers ask for it."""

from __future__ import annotations

import json
import time

from .connection import chunks


class Queue:
    """Mixed into Store. A job is a cache key (the keyphrase cache's: content + settings) with its title and
    abstract, and the papers whose document embedding its computation stores."""

    def queue_keyphrases(self, jobs: list[tuple[str, str, str, list[str]]], priority: float) -> int:
        """Queue [(cache_key, title, abstract, paper ids)] after everything queued before, in this order; a
        key already queued only gains the paper ids. `priority`: this call's base (its time), so a later
        page queues after an earlier one. Returns how many keys were not queued before."""
        with self.transaction() as conn:
            queued = set()
            for chunk in chunks([key for key, *_ in jobs], 500):
                marks = ",".join("?" * len(chunk))
                queued.update(r[0] for r in conn.execute(
                    f"SELECT cache_key FROM keyphrase_queue WHERE cache_key IN ({marks})", chunk))
            for i, (key, title, abstract, ids) in enumerate(jobs):
                conn.execute(
                    """
                    INSERT INTO keyphrase_queue (cache_key, title, abstract, paper_ids, priority)
                    VALUES (?, ?, ?, ?, ?)
                    ON CONFLICT(cache_key) DO UPDATE SET paper_ids = (
                        SELECT json_group_array(DISTINCT value) FROM (
                            SELECT value FROM json_each(keyphrase_queue.paper_ids)
                            UNION SELECT value FROM json_each(excluded.paper_ids)))
                    """,
                    (key, title, abstract, json.dumps(sorted(ids)), priority + i * 1e-6),
                )
        return len({key for key, *_ in jobs} - queued)

    def prioritize_keyphrases(self, keys: list[str]) -> None:
        """Move these queued keys ahead of every other, in this order (a reader looks at these now)."""
        base = -time.time()  # newer calls sort before older ones, and before every plain queueing
        with self.transaction() as conn:
            conn.executemany(
                "UPDATE keyphrase_queue SET priority = ? WHERE cache_key = ?",
                [(base + i * 1e-6, key) for i, key in enumerate(keys)],
            )

    def retry_keyphrases(self, keys: list[str]) -> None:
        """Forget the failure of these keys, so they are computed again."""
        with self.transaction() as conn:
            for chunk in chunks(keys, 500):
                conn.execute(
                    f"UPDATE keyphrase_queue SET error = NULL, claimed_by = NULL, claimed_at = NULL "
                    f"WHERE error IS NOT NULL AND cache_key IN ({','.join('?' * len(chunk))})",
                    chunk,
                )

    def claim_keyphrases(self, owner: str, n: int, stale_after: float) -> list[dict]:
        """Claim the first `n` jobs nobody works on (or whose claim is older than `stale_after` seconds) for
        `owner`: [{"key", "title", "abstract", "ids"}], first first. Failed jobs wait for a retry."""
        now = time.time()
        with self.transaction() as conn:
            rows = conn.execute(
                """
                SELECT cache_key, title, abstract, paper_ids FROM keyphrase_queue
                WHERE error IS NULL AND (claimed_by IS NULL OR claimed_at < ?)
                ORDER BY priority LIMIT ?
                """,
                (now - stale_after, n),
            ).fetchall()
            conn.executemany(
                "UPDATE keyphrase_queue SET claimed_by = ?, claimed_at = ? WHERE cache_key = ?",
                [(owner, now, r[0]) for r in rows],
            )
        return [{"key": r[0], "title": r[1], "abstract": r[2], "ids": json.loads(r[3])} for r in rows]

    def finish_keyphrases(self, owner: str, done: dict[str, list], embeddings: tuple[str, dict] | None,
                          failed: dict[str, str]) -> None:
        """One transaction: cache `done` keyphrases (and the embeddings, see `put_keyphrases`), take those
        jobs off the queue, and mark `failed` {key: error} jobs as failed (a poll then gets none; an
        annotate retries them)."""
        with self.transaction() as conn:
            self._put_keyphrases(conn, done, embeddings)
            for chunk in chunks(list(done), 500):
                conn.execute(
                    f"DELETE FROM keyphrase_queue WHERE cache_key IN ({','.join('?' * len(chunk))})", chunk
                )
            conn.executemany(
                "UPDATE keyphrase_queue SET error = ?, claimed_by = NULL, claimed_at = NULL "
                "WHERE cache_key = ? AND claimed_by = ?",
                [(error, key, owner) for key, error in failed.items()],
            )

    def release_keyphrases(self, owner: str) -> None:
        """Give up `owner`'s claims (its process is stopping), for others to take at once."""
        with self.transaction() as conn:
            conn.execute(
                "UPDATE keyphrase_queue SET claimed_by = NULL, claimed_at = NULL WHERE claimed_by = ?", (owner,)
            )

    def keyphrase_jobs(self, keys: list[str]) -> dict[str, str | None]:
        """{key: its error, or None while it waits or is computed} for the keys that are queued."""
        out: dict[str, str | None] = {}
        conn = self._conn()
        for chunk in chunks(keys, 500):
            for key, error in conn.execute(
                f"SELECT cache_key, error FROM keyphrase_queue WHERE cache_key IN ({','.join('?' * len(chunk))})",
                chunk,
            ):
                out[key] = error
        return out
