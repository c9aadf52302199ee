"""`paperlens dismiss | undismiss | dismissed`, `mute | unmute | muted` and `for-you-seed`: the reader's triage
from the command line, run for real in a subprocess, with the rules of the API routes."""

from __future__ import annotations

import json

import pytest
from test_cli import assert_one_sentence, paperlens

from paperlens.store import Store


@pytest.fixture
def db(tmp_path):
    path = tmp_path / "library.sqlite3"
    store = Store(path)
    store.record_papers([
        {"id": "2509.00001", "title": "Sparse Attention at Scale", "title_key": "sparse attention at scale"},
        {"id": "2509.00002", "title": "Dense Retrieval Again", "title_key": "dense retrieval again"},
    ], page_url="https://huggingface.co/papers", page_kind="daily")
    store.save_paper("2509.00001", tags=["rl-reading"])
    store.save_paper("2509.00002")
    return path


def test_dismiss_list_undismiss(db):
    r, _ = paperlens("dismiss", "2509.00002", "--db", db)
    assert r.returncode == 0 and r.stdout == "dismissed 2509.00002 Dense Retrieval Again\n", r.stderr
    first = Store(db).list_dismissed()
    r, _ = paperlens("dismiss", "2509.00002", "--db", db)  # again: fine, the first time kept
    assert r.returncode == 0 and Store(db).list_dismissed() == first
    assert paperlens("dismiss", "2509.00001", "--db", db)[0].returncode == 0

    r, _ = paperlens("dismissed", "--db", db)
    lines = r.stdout.splitlines()
    assert lines[0].split() == ["ID", "DISMISSED", "TITLE"]
    assert [line.split()[0] for line in lines[1:]] == ["2509.00001", "2509.00002"]  # newest first
    r, _ = paperlens("dismissed", "--limit", "1", "--db", db)
    assert len(r.stdout.splitlines()) == 2 and "1 of 2 dismissed papers" in r.stderr
    r, _ = paperlens("dismissed", "--json", "--db", db)
    assert json.loads(r.stdout) == {"ok": True, "papers": Store(db).list_dismissed()}

    r, _ = paperlens("undismiss", "2509.00002", "--db", db)
    assert r.returncode == 0 and r.stdout == "undismissed 2509.00002\n"
    assert_one_sentence(paperlens("undismiss", "2509.00002", "--db", db)[0], "2509.00002 is not dismissed")
    assert [d["id"] for d in Store(db).list_dismissed()] == ["2509.00001"]


def test_mute_list_unmute(db):
    r, _ = paperlens("mute", "Benchmarks", "--db", db)
    assert r.returncode == 0 and r.stdout == "muted word 'Benchmarks'\n", r.stderr
    assert paperlens("mute", "graph neural networks", "--db", db)[0].stdout == "muted phrase 'graph neural networks'\n"
    assert paperlens("mute", "Ada Lovelace", "--kind", "author", "--db", db)[0].returncode == 0
    r, _ = paperlens("muted", "--db", db)
    rows = [line.split(None, 2) for line in r.stdout.splitlines()]
    assert rows[0] == ["KIND", "MUTED", "TERM"]
    assert [(k, t) for k, _, t in rows[1:]] == [("word", "Benchmarks"), ("phrase", "graph neural networks"),
                                                ("author", "Ada Lovelace")]
    r, _ = paperlens("muted", "--json", "--db", db)
    assert json.loads(r.stdout) == {"ok": True, "muted": Store(db).list_muted()}
    r, _ = paperlens("unmute", "benchmarks", "--db", db)
    assert r.returncode == 0 and r.stdout == "unmuted word 'Benchmarks'\n"
    assert_one_sentence(paperlens("unmute", "benchmarks", "--db", db)[0], "the word 'benchmarks' is not muted")


def test_for_you_seed(db):
    r, _ = paperlens("for-you-seed", "--db", db)
    assert r.returncode == 0 and r.stdout == "for you: close to 2 saved papers (all of them)\n"
    r, _ = paperlens("for-you-seed", "RL-Reading", "--db", db)
    assert r.stdout == "for you: close to 1 saved paper tagged 'rl-reading'\n"
    assert Store(db).for_you_seed() == {"tag": "rl-reading", "papers": 1}
    r, _ = paperlens("for-you-seed", "--json", "--db", db)
    assert json.loads(r.stdout) == {"ok": True, "seed": {"tag": "rl-reading", "papers": 1}}
    assert_one_sentence(paperlens("for-you-seed", "nobody", "--db", db)[0], "no saved paper has the tag 'nobody'")
    assert Store(db).for_you_seed()["tag"] == "rl-reading"  # unchanged
    r, _ = paperlens("for-you-seed", "--all", "--db", db)
    assert r.stdout == "for you: close to 2 saved papers (all of them)\n"


@pytest.mark.parametrize(
    "args, words",
    [
        (["dismiss", "2509.1"], ["'2509.1' is not a paper id"]),
        (["dismiss", "2599.99999"], ["2599.99999 is not in your library"]),
        (["undismiss", "nope"], ["'nope' is not a paper id"]),
        (["mute", "the"], ["would match no paper"]),
        (["mute", "x", "--kind", "author"], []),  # a one-letter name is a name
        (["mute", "two words", "--kind", "word"], ["mute it as a phrase"]),
        (["unmute", "quantum"], ["the word 'quantum' is not muted"]),
        (["for-you-seed", "x", "--all"], ["give a TAG or --all, not both"]),
        (["for-you-seed", "a,b"], ["may not contain commas"]),
    ],
)
def test_what_the_api_refuses_the_cli_refuses(db, args, words):
    before = (Store(db).list_dismissed(), Store(db).list_muted(), Store(db).for_you_seed())
    r, _ = paperlens(*args, "--db", db)
    if not words:
        assert r.returncode == 0, r.stderr
        return
    assert_one_sentence(r, *words)
    assert (Store(db).list_dismissed(), Store(db).list_muted(), Store(db).for_you_seed()) == before


@pytest.mark.parametrize("command", [["dismiss", "2509.00001"], ["undismiss", "2509.00001"], ["dismissed"],
                                     ["unmute", "quantum"], ["muted"], ["for-you-seed"]])
def test_they_need_a_library(tmp_path, command):
    db = tmp_path / "none.sqlite3"
    assert_one_sentence(paperlens(*command, "--db", db)[0], f"no library at {db}")
    assert not db.exists()
