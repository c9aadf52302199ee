"""`paperlens save | unsave | saved`: the reading list from the command line, run for real in a subprocess,
on the library a running server has open."""

from __future__ import annotations

import json
import re
import threading
import urllib.error
import urllib.request

import pytest
from conftest import HEADERS, ROOT
from test_cli import assert_one_sentence, paperlens

from paperlens.store import Store


def again_day(record: dict) -> str:
    """The SAVED column of a record, as `paperlens saved` prints it."""
    import time

    return time.strftime("%Y-%m-%d", time.localtime(record["saved_at"]))


def test_save_list_unsave(tmp_path):
    db = tmp_path / "new" / "library.sqlite3"  # save creates the library (and its folder)
    r, _ = paperlens("save", "2509.00001", "--tag", " GPU ", "--tag", "to read", "--tag", "gpu", "--note", "ch. 3",
                     "--db", db)
    assert r.returncode == 0, r.stderr
    assert r.stdout == "saved 2509.00001 (not seen on a page yet) (tags: gpu, to read; a note of 5 characters)\n"
    store = Store(db)
    store.record_papers([{"id": "2509.00002", "title": "Sparse Attention at Scale", "title_key": "sparse attention"}])
    r, _ = paperlens("save", "2509.00002", "--json", "--db", db)
    record = json.loads(r.stdout)
    assert record == store.get_saved("2509.00002") and record["title"] == "Sparse Attention at Scale"

    # Saving again keeps the saved time; the tags given replace the old ones, a note not given is kept.
    first = store.get_saved("2509.00001")
    r, _ = paperlens("save", "2509.00001", "--tag", "done", "--db", db)
    again = store.get_saved("2509.00001")
    assert again["saved_at"] == first["saved_at"] and again["tags"] == ["done"] and again["note"] == "ch. 3"

    r, _ = paperlens("saved", "--db", db)
    lines = r.stdout.splitlines()
    assert lines[0].split() == ["ID", "SAVED", "READ", "TAGS", "TITLE"]
    assert [line.split()[0] for line in lines[1:]] == ["2509.00002", "2509.00001"]  # newest first
    assert "Sparse Attention at Scale" in lines[1] and "done" in lines[2] and "(not seen on a page yet)" in lines[2]
    assert r.stderr == ""

    r, _ = paperlens("saved", "--tag", "DONE", "--db", db)
    assert [line.split()[0] for line in r.stdout.splitlines()[1:]] == ["2509.00001"]
    r, _ = paperlens("saved", "--q", "sparse scale", "--db", db)
    assert [line.split()[0] for line in r.stdout.splitlines()[1:]] == ["2509.00002"]
    r, _ = paperlens("saved", "--limit", "1", "--db", db)
    assert len(r.stdout.splitlines()) == 2 and "papers 1-1 of 2 saved; --offset 1 shows the next" in r.stderr
    r, _ = paperlens("saved", "--q", "nothing like this", "--db", db)
    assert r.returncode == 0 and r.stdout == "" and "no saved paper matches" in r.stderr

    # Read or not: marked with save, listed with --read / --unread; paging with --offset, and oldest first.
    r, _ = paperlens("save", "2509.00001", "--read", "--db", db)
    assert r.returncode == 0 and r.stdout.endswith("; read)\n") and store.get_saved("2509.00001")["read"]
    assert store.get_saved("2509.00001")["tags"] == ["done"]  # --read alone keeps the tags
    r, _ = paperlens("saved", "--read", "--db", db)
    assert [line.split()[:3] for line in r.stdout.splitlines()[1:]] == [["2509.00001", again_day(again), "yes"]]
    r, _ = paperlens("saved", "--unread", "--db", db)
    assert [line.split()[0] for line in r.stdout.splitlines()[1:]] == ["2509.00002"]
    r, _ = paperlens("saved", "--limit", "1", "--offset", "1", "--db", db)
    assert [line.split()[0] for line in r.stdout.splitlines()[1:]] == ["2509.00001"]
    assert "papers 2-2 of 2 saved" in r.stderr
    r, _ = paperlens("saved", "--oldest-first", "--limit", "1", "--db", db)
    assert [line.split()[0] for line in r.stdout.splitlines()[1:]] == ["2509.00001"]
    assert "--offset 1 shows the next" in r.stderr
    r, _ = paperlens("saved", "--offset", "5", "--db", db)
    assert r.returncode == 0 and r.stdout == "" and "--offset 5 is past the end: 2 saved papers match" in r.stderr
    r, _ = paperlens("saved", "--offset", "-1", "--db", db)
    assert r.returncode == 2 and "--offset" in r.stderr
    r, _ = paperlens("save", "2509.00001", "--unread", "--db", db)
    assert not store.get_saved("2509.00001")["read"]
    # An id as copied from arXiv: the prefix and the version go.
    r, _ = paperlens("save", "arXiv:2509.00003v2", "--db", db)
    assert r.returncode == 0 and r.stdout.startswith("saved 2509.00003 ") and "2509.00003" in store.saved_ids()
    r, _ = paperlens("unsave", "https://arxiv.org/abs/2509.00003", "--db", db)
    assert r.returncode == 0 and r.stdout == "unsaved 2509.00003\n"

    r, _ = paperlens("unsave", "2509.00001", "--db", db)
    assert r.returncode == 0 and r.stdout == "unsaved 2509.00001\n"
    r, _ = paperlens("unsave", "2509.00001", "--db", db)
    assert_one_sentence(r, "2509.00001 is not saved")
    assert store.saved_ids() == {"2509.00002"}


@pytest.mark.parametrize(
    "args, words",
    [
        (["save", "2509.1"], ["'2509.1' is not a paper id"]),
        (["save", "2509.00001", "--tag", "a,b"], ["may not contain commas"]),
        (["save", "2509.00001", "--tag", "x" * 65], ["longer than 64 characters"]),
        (["save", "2509.00001", "--note", "x" * 50_001], ["at most 50000"]),
        (["unsave", "nope"], ["'nope' is not a paper id"]),
        (["saved", "--tag", "a,b"], ["may not contain commas"]),
    ],
    ids=["bad-id", "comma-tag", "long-tag", "long-note", "unsave-bad-id", "saved-bad-tag"],
)
def test_what_the_api_refuses_the_cli_refuses(tmp_path, args, words):
    db = tmp_path / "new" / "library.sqlite3"
    r, _ = paperlens(*args, "--db", db)
    assert_one_sentence(r, *words)
    assert not db.parent.exists()  # checked before the library is opened (or created)


@pytest.mark.parametrize("command", [["saved"], ["saved", "--json"], ["unsave", "2509.00001"]])
def test_listing_and_unsaving_need_a_library(tmp_path, command):
    db = tmp_path / "none.sqlite3"
    r, _ = paperlens(*command, "--db", db)
    assert_one_sentence(r, f"no library at {db}")
    assert not db.exists()


def test_cli_and_a_running_server_share_the_library(tmp_path, embedder):
    """The server has the library open (its own connections, as under gunicorn); the CLI writes and reads
    it from another process; each sees what the other did."""
    from werkzeug.serving import make_server

    from paperlens.app import create_app

    db = tmp_path / "library.sqlite3"
    app = create_app({"TESTING": True, "DB_PATH": str(db), "EMBEDDER": embedder})
    server = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    base = f"http://127.0.0.1:{server.server_port}/api"

    def call(method, path):
        req = urllib.request.Request(base + path, method=method, headers=HEADERS)
        try:
            with urllib.request.urlopen(req, timeout=30) as r:
                return r.status, json.load(r)
        except urllib.error.HTTPError as e:
            return e.code, json.load(e)

    try:
        assert call("PUT", "/saved/2509.00003")[0] == 200  # the server writes first: the library is in use
        r, _ = paperlens("save", "2509.00001", "--tag", "cli", "--db", db)
        assert r.returncode == 0, r.stderr
        status, body = call("GET", "/saved")
        assert status == 200 and [s["id"] for s in body["saved"]] == ["2509.00001", "2509.00003"]
        assert body["saved"][0]["tags"] == ["cli"]

        r, _ = paperlens("saved", "--json", "--db", db)
        assert json.loads(r.stdout) == body  # --json prints what GET /api/saved answers

        assert call("DELETE", "/saved/2509.00001")[0] == 200
        r, _ = paperlens("saved", "--db", db)
        assert r.returncode == 0 and "2509.00001" not in r.stdout and "2509.00003" in r.stdout
        r, _ = paperlens("unsave", "2509.00003", "--db", db)
        assert r.returncode == 0, r.stderr
        assert call("GET", "/saved/2509.00003")[0] == 404
        assert call("GET", "/saved")[1]["total"] == 0
    finally:
        server.shutdown()
        thread.join(10)
        app.extensions["paperlens"].close()


def test_every_command_is_in_the_readme_table():
    """The command-line table names every command, no more: docs that cannot rot."""
    from paperlens.cli import cli

    section = (ROOT / "README.md").read_text(encoding="utf-8").split("## Command line", 1)[1].split("\n## ", 1)[0]
    rows = [line for line in section.splitlines() if line.startswith("| `paperlens")]
    assert {name for row in rows for name in re.findall(r"`paperlens ([\w-]+)", row.split(" | ")[0])} == set(cli.commands)
