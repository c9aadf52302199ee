"""Keeping the library file healthy: the background WAL checkpoint, online backups, integrity checks, and
`inspect_library` for `paperlens doctor` (read-only, no migration)."""

from __future__ import annotations

import os
import sqlite3
import threading
import time
from pathlib import Path

from ..errors import PaperLensError
from .connection import MIGRATIONS


class Maintenance:
    """Mixed into Store."""

    def integrity_check(self) -> list[str]:
        """PRAGMA integrity_check: ["ok"] for a sound file, else the problems SQLite found."""
        return [r[0] for r in self._conn().execute("PRAGMA integrity_check")]

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
        try:
            target = sqlite3.connect(partial)
        except sqlite3.OperationalError:
            raise PaperLensError(f"cannot write {dest}: the folder {dest.parent} is not writable", 400) from None
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
