"""The library: SQLite, and the only package that speaks SQL.

One Store per library file, assembled from one part per concern, each in its own module:

    connection.py   connections (one per thread, WAL), transactions, migrations (migrations/*.sql)
    papers.py       papers seen on pages, their reading history, what the related index reads
    saved.py        the reading list: saves, listing and search, export, writing an import's plan
    caches.py       keyphrases, phrase embeddings, paper (document) embeddings
    queue.py        the keyphrase job queue every server process shares
    maintenance.py  checkpoints, online backups, integrity checks, `inspect_library` for the doctor

Every multi-row change runs in one transaction.
"""

from __future__ import annotations

from .caches import Caches, PhraseEmbeddingCache
from .connection import MIGRATIONS, Connection, backup_path
from .maintenance import Maintenance, inspect_library
from .papers import Papers
from .queue import Queue
from .saved import Saved, match_words


class Store(Papers, Saved, Caches, Queue, Maintenance, Connection):
    """A library at `path`. Thread-safe: each thread gets its own connection."""

    SQL_FUNCTIONS = {"pl_match": (6, match_words)}


__all__ = ["MIGRATIONS", "PhraseEmbeddingCache", "Store", "backup_path", "inspect_library"]
