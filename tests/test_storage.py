"""Storage safety: WAL, busy timeout, atomic migrations with a backup first, concurrent writers,
and a writer killed mid-transaction (SIGKILL) that loses only its own write."""

from __future__ import annotations

import os
import signal
import sqlite3
import subprocess
import sys
import textwrap
import threading

import pytest
from conftest import ROOT

import paperlens.store.connection as store_mod
from paperlens.errors import PaperLensError
from paperlens.store import MIGRATIONS, Store, inspect_library


def test_connection_pragmas(tmp_path):
    store = Store(tmp_path / "l.sqlite3")
    conn = store._conn()
    assert conn.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
    assert conn.execute("PRAGMA busy_timeout").fetchone()[0] >= 5000
    assert store.schema_version() == len(MIGRATIONS)
    assert store.integrity_check() == ["ok"]
    assert store.last_backup is None  # a fresh library has nothing to back up


def _old_library(path, rows=3) -> Store:
    store = Store(path)
    for i in range(rows):
        store.save_paper(f"2401.0000{i}", tags=["t"], note=f"n{i}")
    store.close()
    return store


def test_migration_backs_up_first_and_is_applied_once(tmp_path, monkeypatch):
    path = tmp_path / "l.sqlite3"
    _old_library(path)
    old = len(MIGRATIONS)
    monkeypatch.setattr(store_mod, "MIGRATIONS", MIGRATIONS + ["ALTER TABLE saved ADD COLUMN extra TEXT"])

    store = Store(path)
    assert store.schema_version() == old + 1
    assert store.last_backup is not None and store.last_backup.exists()
    assert store.last_backup.name.startswith(f"l.sqlite3.v{old}-")
    backup = sqlite3.connect(store.last_backup)
    assert backup.execute("PRAGMA user_version").fetchone()[0] == old
    assert backup.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
    assert backup.execute("SELECT COUNT(*) FROM saved").fetchone()[0] == 3
    assert "extra" not in {r[1] for r in backup.execute("PRAGMA table_info(saved)")}
    assert store.count_saved() == 3
    # Opening again neither migrates nor backs up.
    assert Store(path).last_backup is None
    assert len(list(tmp_path.glob("*.bak"))) == 1


def test_failed_migration_leaves_the_library_untouched(tmp_path, monkeypatch):
    path = tmp_path / "l.sqlite3"
    _old_library(path)
    old = len(MIGRATIONS)
    broken = "ALTER TABLE saved ADD COLUMN extra TEXT; CREATE TABLE half (x); INSERT INTO nowhere VALUES (1)"
    monkeypatch.setattr(store_mod, "MIGRATIONS", MIGRATIONS + [broken])
    with pytest.raises(sqlite3.OperationalError):
        Store(path)
    conn = sqlite3.connect(path)
    assert conn.execute("PRAGMA user_version").fetchone()[0] == old
    assert "extra" not in {r[1] for r in conn.execute("PRAGMA table_info(saved)")}
    assert conn.execute("SELECT COUNT(*) FROM sqlite_master WHERE name = 'half'").fetchone()[0] == 0
    assert conn.execute("SELECT COUNT(*) FROM saved").fetchone()[0] == 3
    assert len(list(tmp_path.glob("*.bak"))) == 1  # the backup was taken before the attempt


def test_newer_schema_is_refused(tmp_path):
    path = tmp_path / "l.sqlite3"
    _old_library(path)
    conn = sqlite3.connect(path)
    conn.execute(f"PRAGMA user_version = {len(MIGRATIONS) + 1}")
    conn.close()
    with pytest.raises(PaperLensError, match="newer"):
        Store(path)


def test_concurrent_openers_migrate_once(tmp_path, monkeypatch):
    """Two gunicorn workers start at once on an old library: one migration, one backup."""
    path = tmp_path / "l.sqlite3"
    _old_library(path)
    monkeypatch.setattr(store_mod, "MIGRATIONS", MIGRATIONS + ["ALTER TABLE saved ADD COLUMN extra TEXT"])
    errors, stores = [], []

    def open_it():
        try:
            stores.append(Store(path))
        except Exception as e:  # collected and asserted empty below
            errors.append(e)

    threads = [threading.Thread(target=open_it) for _ in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert not errors
    assert sum(s.last_backup is not None for s in stores) == 1
    assert stores[0].schema_version() == len(MIGRATIONS) + 1


def test_concurrent_writers_lose_nothing(tmp_path):
    """Threads with their own connections save and unsave at once: every acknowledged change holds."""
    store = Store(tmp_path / "l.sqlite3")
    errors = []

    def writer(n):
        try:
            for i in range(40):
                store.save_paper(f"24{n:02d}.{i:05d}", tags=[str(n)])
                if i % 4 == 0:
                    store.unsave_paper(f"24{n:02d}.{i:05d}")
        except Exception as e:  # collected and asserted empty below
            errors.append(e)

    threads = [threading.Thread(target=writer, args=(n,)) for n in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert not errors
    expected = {f"24{n:02d}.{i:05d}" for n in range(4) for i in range(40) if i % 4}
    assert store.saved_ids() == expected


def test_sigkill_mid_transaction_loses_only_that_write(tmp_path):
    """A child process commits saves, then dies by SIGKILL inside an open write transaction."""
    path = tmp_path / "l.sqlite3"
    script = textwrap.dedent(
        f"""
        import os, signal, sys
        sys.path.insert(0, {str(ROOT / "backend")!r})
        from paperlens.store import Store
        store = Store({str(path)!r})
        for i in range(50):
            store.save_paper(f"2401.{{i:05d}}")
        with store.transaction() as conn:
            for i in range(50, 500):
                conn.execute("INSERT INTO saved (paper_id, saved_at) VALUES (?, 0)", (f"2401.{{i:05d}}",))
            conn.execute("DELETE FROM saved WHERE paper_id = '2401.00000'")
            os.kill(os.getpid(), signal.SIGKILL)
        """
    )
    proc = subprocess.run([sys.executable, "-c", script], capture_output=True, timeout=120)
    assert proc.returncode == -signal.SIGKILL, proc.stderr.decode()
    info = inspect_library(path)
    assert info["integrity"] == ["ok"]
    store = Store(path)
    assert store.saved_ids() == {f"2401.{i:05d}" for i in range(50)}


def test_inspect_library_reports_a_broken_file(tmp_path):
    path = tmp_path / "l.sqlite3"
    path.write_bytes(b"this is not a database" * 100)
    with pytest.raises(sqlite3.DatabaseError):
        inspect_library(path)
    assert inspect_library(tmp_path / "missing.sqlite3")["exists"] is False


def test_doctor_reports_library_and_port(tmp_path):
    """`paperlens doctor --skip-model` on a sound library and a free port: exit 0; on garbage: exit 1."""
    env = {**os.environ, "PYTHONPATH": str(ROOT / "backend"), "HF_HUB_OFFLINE": "1"}
    good = tmp_path / "good.sqlite3"
    Store(good).save_paper("2401.00001")
    import socket

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        free_port = s.getsockname()[1]
    cmd = [sys.executable, "-m", "paperlens", "doctor", "--skip-model", "--port", str(free_port)]
    ok = subprocess.run([*cmd, "--db", str(good)], env=env, capture_output=True, text=True, timeout=120)
    assert ok.returncode == 0, ok.stdout + ok.stderr
    assert "integrity ok" in ok.stdout and "1 saved" in ok.stdout and "is free" in ok.stdout

    bad = tmp_path / "bad.sqlite3"
    bad.write_bytes(b"garbage" * 1000)
    with socket.socket() as holder:  # a port held by something that is not Paper Lens
        holder.bind(("127.0.0.1", 0))
        holder.listen()
        port = holder.getsockname()[1]
        out = subprocess.run(
            [sys.executable, "-m", "paperlens", "doctor", "--skip-model", "--port", str(port), "--db", str(bad)],
            env=env, capture_output=True, text=True, timeout=120,
        )
    assert out.returncode == 1
    assert "[FAIL] library" in out.stdout and "[FAIL] port" in out.stdout and "fix:" in out.stdout


def test_a_read_only_library_is_named_by_doctor_and_on_open(tmp_path, monkeypatch):
    # As root (CI) chmod does not stop writes, so the read-only check (os.access) is what is stood in for.
    from paperlens import doctor
    from paperlens.store.connection import open_error

    path = tmp_path / "l.sqlite3"
    Store(path).save_paper("2401.00001")
    real_access = os.access
    monkeypatch.setattr(os, "access", lambda p, mode: False if str(p) == str(path) else real_access(p, mode))
    check = doctor.check_library(path)
    assert check.state == "fail" and "is read-only" in check.detail and "chmod u+w" in check.fix
    error = open_error(path, sqlite3.OperationalError("attempt to write a readonly database"))
    assert error.message.startswith(f"the library at {path} is read-only: make it writable")



def test_doctor_does_not_call_a_sound_library_broken_when_its_folder_is_read_only(tmp_path, monkeypatch):
    # It said "does not open as SQLite" and advised moving the file aside.
    from paperlens import doctor

    path = tmp_path / "l.sqlite3"
    Store(path).save_paper("2401.00001")

    def refuse(_path):
        raise sqlite3.OperationalError("attempt to write a readonly database")

    monkeypatch.setattr("paperlens.store.inspect_library", refuse)
    check = doctor.check_library(path)
    assert check.state == "fail" and "its folder" in check.detail and "mv" not in check.fix


def test_a_write_to_a_library_that_only_reads_says_read_only(tmp_path):
    # The file opens (reads work) but SQLite may not write it: a write was a raw OperationalError (a traceback
    # on the CLI). A read-only connection stands in for the read-only file (root writes any file).
    from paperlens.errors import PaperLensError

    path = tmp_path / "l.sqlite3"
    store = Store(path)
    store.save_paper("2401.00001")
    store.close()
    store._local.conn = sqlite3.connect(f"{path.resolve().as_uri()}?mode=ro", uri=True, isolation_level=None)
    assert store.saved_ids() == {"2401.00001"}
    with pytest.raises(PaperLensError, match="is read-only: make it writable"):
        store.save_paper("2401.00002")
    with pytest.raises(PaperLensError, match="is read-only"):
        store.unsave_paper("2401.00001")


@pytest.mark.parametrize("token", [None, "t0k"])
def test_doctor_recognises_a_running_paper_lens(app, tmp_path, embedder, token):
    """Port taken by a Paper Lens (plain or token-protected): fine, it is already running."""
    from werkzeug.serving import make_server

    from paperlens.app import create_app
    from paperlens.doctor import check_port

    served = create_app({"TESTING": True, "DB_PATH": str(tmp_path / "s.sqlite3"), "EMBEDDER": embedder,
                         "TOKEN": token})
    server = make_server("127.0.0.1", 0, served, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        check = check_port("127.0.0.1", server.server_port)
    finally:
        server.shutdown()
        thread.join(timeout=10)
    assert check.state == "ok" and "held by Paper Lens" in check.detail, check


def test_full_disk_is_a_clear_507_and_changes_nothing(app, client):
    """SQLITE_FULL (simulated with max_page_count) mid-write: 507, rolled back, file sound."""
    from conftest import HEADERS
    from test_security import PAGE

    store = app.extensions["paperlens"].store
    assert client.put("/api/saved/2401.00001", json={"note": "before"}, headers=HEADERS).status_code == 200
    conn = store._conn()  # the test client runs requests on this thread, so on this connection
    pages = conn.execute("PRAGMA page_count").fetchone()[0]
    conn.execute(f"PRAGMA max_page_count = {pages}")
    big = PAGE.replace("We study sparse attention", "We study " + "sparse attention patterns " * 2000)
    r = client.post("/api/annotate", json={"text": big}, headers=HEADERS)
    assert r.status_code == 507, r.get_json()
    assert r.get_json()["status"] == 507 and "full" in r.get_json()["error"]
    conn.execute("PRAGMA max_page_count = 1073741823")
    assert store.count_papers() == 0
    assert store.get_saved("2401.00001")["note"] == "before"
    assert store.integrity_check() == ["ok"]


def test_locked_library_is_a_503(app, client, monkeypatch):
    from conftest import HEADERS

    def locked(*a, **k):
        raise sqlite3.OperationalError("database is locked")

    monkeypatch.setattr(app.extensions["paperlens"].store, "save_paper", locked)
    r = client.put("/api/saved/2401.00001", json={}, headers=HEADERS)
    assert r.status_code == 503 and r.get_json()["status"] == 503 and "try again" in r.get_json()["error"]
