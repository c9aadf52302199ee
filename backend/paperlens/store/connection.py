"""Connections, transactions and the schema: one SQLite connection per thread, in WAL mode, and the
migrations (migrations/NNN_*.sql, applied in order, never edited once shipped) run forward atomically on open."""

from __future__ import annotations

import os
import sqlite3
import threading
import time
from contextlib import contextmanager
from pathlib import Path

from ..errors import PaperLensError

MIGRATIONS_DIR = Path(__file__).with_name("migrations")
# Each file moves the schema from version i to i+1. Never edit a shipped one: add the next.
MIGRATIONS: list[str] = [p.read_text(encoding="utf-8") for p in sorted(MIGRATIONS_DIR.glob("[0-9][0-9][0-9]_*.sql"))]

# SQLite's default: a commit checkpoints once the WAL holds this many pages (4 MB).
WAL_AUTOCHECKPOINT = 1000


class Connection:
    """The library file at `path` (":memory:" for tests), migrated on open. Thread-safe: each thread gets its
    own connection. Subclasses name the SQL functions their queries use in SQL_FUNCTIONS
    ({name: (number of arguments, function)})."""

    SQL_FUNCTIONS: dict = {}

    def __init__(self, path: str | os.PathLike):
        self.path = str(path)
        if self.path != ":memory:":
            _make_folder(Path(self.path))
        self._local = threading.local()
        self.last_backup: Path | None = None  # where the last pre-migration backup went
        self._migrate()

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
            for name, (n_args, fn) in self.SQL_FUNCTIONS.items():
                conn.create_function(name, n_args, fn, deterministic=True)
            self._local.conn = conn
        return conn

    def close(self) -> None:
        """Close this thread's connection."""
        conn = getattr(self._local, "conn", None)
        if conn is not None:
            conn.close()
            self._local.conn = None

    @contextmanager
    def transaction(self):
        """BEGIN IMMEDIATE ... COMMIT, rolled back on any exception."""
        conn = self._conn()
        try:
            conn.execute("BEGIN IMMEDIATE")
        except sqlite3.OperationalError as e:
            # A library that opens (reads work) but may not be written: say so, not SQLite's words.
            if "readonly" in str(e):
                raise read_only_error(Path(self.path)) from None
            raise
        try:
            yield conn
        except BaseException as e:
            # SQLite may already have rolled back (SQLITE_FULL, SQLITE_IOERR): a second ROLLBACK would
            # raise "no transaction is active" and hide the real error.
            if conn.in_transaction:
                conn.execute("ROLLBACK")
            if isinstance(e, sqlite3.OperationalError) and "readonly" in str(e):
                raise read_only_error(Path(self.path)) from None
            raise
        conn.execute("COMMIT")

    def schema_version(self) -> int:
        """PRAGMA user_version: how many migrations this file has had."""
        return self._conn().execute("PRAGMA user_version").fetchone()[0]

    def check_writable(self) -> None:
        """Raise PaperLensError if this process may not write the library file (a server on a read-only
        library would fail every page it is sent)."""
        if self.path != ":memory:" and not os.access(self.path, os.W_OK):
            raise PaperLensError(
                f"the library at {self.path} is read-only: make it writable (chmod u+w) or use another with "
                "--db or PAPERLENS_DB",
                500,
            )

    def _migrate(self) -> None:
        """Bring the schema to len(MIGRATIONS) in one transaction, after backing up an older library.

        BEGIN IMMEDIATE holds the write lock from reading the version to the last statement, so two
        gunicorn workers starting together migrate once: the second waits, then sees the new version.
        SQLite DDL is transactional, so a failing (or killed) migration leaves the old schema intact.
        """
        try:
            current = self.schema_version()  # the first touch of the file: where an unusable one fails
        except sqlite3.Error as e:
            raise open_error(Path(self.path), e) from None
        # Up to date (the common case): no write lock, so opening a library never waits for a busy server.
        if current == len(MIGRATIONS):
            return
        with self.transaction() as conn:
            version = conn.execute("PRAGMA user_version").fetchone()[0]
            if version > len(MIGRATIONS):
                raise PaperLensError(
                    f"the library at {self.path} has schema version {version}, newer than this Paper Lens "
                    f"knows ({len(MIGRATIONS)}): upgrade Paper Lens (pip install -U paperlens)",
                    409,
                )
            if version == len(MIGRATIONS):
                return
            if version > 0 and self.path != ":memory:":
                self.last_backup = self.backup(backup_path(self.path, version))  # Maintenance.backup
            for i in range(version, len(MIGRATIONS)):
                for statement in statements(MIGRATIONS[i]):
                    conn.execute(statement)
                conn.execute(f"PRAGMA user_version = {i + 1}")


def _make_folder(path: Path) -> None:
    """The library's folder, created if missing; PaperLensError if `path` or the folder cannot be one."""
    if path.is_dir():
        raise PaperLensError(
            f"{path} is a folder, not a library file: point --db or PAPERLENS_DB at a file such as "
            f"{path / 'library.sqlite3'}",
            500,
        )
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
    except OSError as e:
        why = "a file is in the way" if isinstance(e, (FileExistsError, NotADirectoryError)) else e.strerror
        raise PaperLensError(
            f"cannot create the folder {path.parent} for the library ({why}): choose a writable place "
            "with --db or PAPERLENS_DB",
            500,
        ) from None


def open_error(path: Path, error: sqlite3.Error) -> PaperLensError:
    """The sentence for a library file SQLite cannot open (as a PaperLensError)."""
    folder = path.parent
    if not os.access(folder, os.W_OK | os.X_OK):
        # WAL mode keeps two files beside the library, so even reading one needs its folder writable.
        verb = "open" if path.exists() else "create"
        return PaperLensError(
            f"cannot {verb} the library at {path}: the folder {folder} is not writable; make it writable or "
            "choose another place with --db or PAPERLENS_DB",
            500,
        )
    if "not a database" in str(error):
        return PaperLensError(
            f"{path} is not a Paper Lens library (SQLite: {error}): move it aside or point --db or "
            "PAPERLENS_DB at another file",
            500,
        )
    if "readonly" in str(error):
        return read_only_error(path)
    return PaperLensError(f"cannot open the library at {path}: {error}", 500)


def read_only_error(path: Path) -> PaperLensError:
    """The sentence for a library SQLite may read but not write."""
    return PaperLensError(
        f"the library at {path} is read-only: make it writable (chmod u+w '{path}'), or copy it and point --db "
        "or PAPERLENS_DB at the copy",
        500,
    )


def statements(script: str):
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


def chunks(items: list, n: int):
    """`items` in slices of at most `n` (SQLite binds at most 32,766 parameters per statement)."""
    for i in range(0, len(items), n):
        yield items[i : i + n]


def ids_in(conn, table: str, ids: list[str] | None) -> set[str]:
    """The paper ids among `ids` that have a row in `table` (keyed by paper_id; one of our own table names,
    never input); every id in the table when `ids` is None."""
    if ids is None:
        return {r[0] for r in conn.execute(f"SELECT paper_id FROM {table}")}
    out: set[str] = set()
    for chunk in chunks(ids, 500):
        marks = ",".join("?" * len(chunk))
        out |= {r[0] for r in conn.execute(f"SELECT paper_id FROM {table} WHERE paper_id IN ({marks})", chunk)}
    return out


def backup_path(db_path: str, version: int) -> Path:
    """Where the copy taken before migrating from `version` goes: next to the library, never overwritten."""
    stamp = time.strftime("%Y%m%d-%H%M%S")
    base = Path(f"{db_path}.v{version}-{stamp}.bak")
    path, n = base, 1
    while path.exists():
        path, n = base.with_name(f"{base.name}.{n}"), n + 1
    return path
