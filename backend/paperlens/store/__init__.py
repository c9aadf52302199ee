"""The library: SQLite, and the only package that speaks SQL.

One Store per library file, assembled from one part per concern, each in its own module:

    connection.py   connections (one per thread, WAL), transactions, migrations (migrations/*.sql)
    papers.py       papers seen on pages, their reading history, what the related index reads
    saved.py        the reading list: saves, listing and search, export, writing an import's plan
    caches.py       keyphrases, phrase embeddings, paper (document) embeddings
    dismissed.py    papers the reader dismissed ("not for me")
    muted.py        muted terms (words, phrases, authors)
    settings.py     the reader's settings (the tag that seeds "for you")
    queue.py        the keyphrase job queue every server process shares
    maintenance.py  checkpoints, online backups, integrity checks, `inspect_library` for the doctor

Every multi-row change runs in one transaction.
"""

from __future__ import annotations

from .caches import Caches, PhraseEmbeddingCache
from .connection import MIGRATIONS, Connection, backup_path
from .dismissed import Dismissed
from .maintenance import Maintenance, inspect_library
from .muted import Muted
from .papers import Papers
from .queue import Queue
from .saved import Saved, match_words
from .settings import Settings


class Store(Papers, Saved, Dismissed, Muted, Settings, Caches, Queue, Maintenance, Connection):
    """A library at `path`. Thread-safe: each thread gets its own connection."""

    SQL_FUNCTIONS = {"pl_match": (6, match_words)}


__all__ = ["MIGRATIONS", "PhraseEmbeddingCache", "Store", "backup_path", "inspect_library"]
