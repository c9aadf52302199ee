"""`paperlens export | import | backup`, and the store under them (migration, online backup)."""

import json
import os
import sqlite3
import threading
from pathlib import Path

import pytest
from click.testing import CliRunner
from hypothesis import given, settings
from hypothesis import strategies as st

from paperlens.readinglist import formats
from paperlens.readinglist.formats import csv as csv_format
from paperlens.readinglist.formats import json as json_format
from paperlens.cli import cli
from paperlens.errors import PaperLensError
from paperlens.ids import PAPER_ID
from paperlens.store import MIGRATIONS, Store

BIB = r"""
@misc{a, title={First {GPU} Paper}, author={M{\"u}ller, Jörg}, eprint={2509.00001}, archivePrefix={arXiv},
  keywords={gpu}}
@misc{b, title={Second}, url={https://arxiv.org/abs/2509.00002v2}, annote={50\% read}}
"""


@pytest.fixture
def db(tmp_path):
    path = tmp_path / "library.sqlite3"
    store = Store(path)
    store.save_paper("2509.00003", ["cli"], "from the store")
    store.close()
    return path


def run(*args, input=None):
    return CliRunner().invoke(cli, [str(a) for a in args], input=input, catch_exceptions=False)


def test_import_export_cycle(db, tmp_path):
    bib = tmp_path / "in.bib"
    bib.write_text(BIB, encoding="utf-8")
    r = run("import", bib, "--db", db)
    assert r.exit_code == 0, r.output
    assert "imported 2, updated 0, skipped 0" in r.stdout
    again = run("import", bib, "--db", db)  # the same file again: an error that says so, nothing written
    assert again.exit_code == 1 and "nothing to import: all 2 papers" in again.stderr

    # stdout carries exactly the file (no progress bar or chatter when piped).
    r = run("export", "--db", db)
    doc = json.loads(r.stdout)
    assert {s["id"] for s in doc["saved"]} == {"2509.00001", "2509.00002", "2509.00003"}
    first = {s["id"]: s for s in doc["saved"]}["2509.00001"]
    assert first["title"] == "First GPU Paper" and first["authors"] == ["Jörg Müller"] and first["tags"] == ["gpu"]
    assert {s["id"]: s for s in doc["saved"]}["2509.00002"]["note"] == "50% read"

    out = tmp_path / "saved.bib"
    r = run("export", "--output", out, "--db", db)
    assert r.exit_code == 0 and r.stdout == "" and "exported 3" in r.stderr
    assert out.read_text(encoding="utf-8").count("@misc{") == 3
    assert not [p for p in tmp_path.iterdir() if p.name.startswith(".saved.bib")]  # no temp file left
    assert run("export", "-f", "csv", "--db", db).stdout.startswith("id,title,authors")
    # The file gets the mode the umask gives (mkstemp's own is 0600), and a name naming another format is refused.
    umask = os.umask(0o022)
    os.umask(umask)
    assert out.stat().st_mode & 0o777 == 0o666 & ~umask
    r = run("export", "-f", "csv", "--output", tmp_path / "x.bib", "--db", db)
    assert r.exit_code == 1 and "x.bib is a BibTeX file name but --format is csv" in r.stderr
    assert not (tmp_path / "x.bib").exists()
    # A file already there keeps its mode (an export made private stays private).
    out.chmod(0o600)
    assert run("export", "--output", out, "--db", db).exit_code == 0 and out.stat().st_mode & 0o777 == 0o600
    # Through a link: the file it names is written, the link stays a link.
    link = tmp_path / "link.bib"
    link.symlink_to(out)
    out.write_text("old", encoding="utf-8")
    assert run("export", "--output", link, "--db", db).exit_code == 0
    assert link.is_symlink() and out.read_text(encoding="utf-8").count("@misc{") == 3
    # Not a regular file (a device, a pipe): written into, not renamed onto.
    r = run("export", "--output", "/dev/null", "--db", db)
    assert r.exit_code == 0 and Path("/dev/null").is_char_device()

    # JSON export -> import into a new library -> export: the same bytes.
    js = tmp_path / "saved.json"
    run("export", "-o", js, "--db", db)
    other = tmp_path / "other.sqlite3"
    assert run("import", js, "--db", other).exit_code == 0
    assert run("export", "--db", other).stdout == js.read_text(encoding="utf-8")


def test_an_export_restores_whatever_dates_its_library_holds(tmp_path):
    # BibTeX import keeps an ISO-shaped date as written, even one the calendar lacks: the library's JSON and
    # CSV exports of it must import again (a stricter date check once made the backup unrestorable).
    bib = tmp_path / "a.bib"
    bib.write_text("@misc{x, title={A Paper}, eprint={2509.09737}, date={2024-02-30}}\n"
                   "@misc{y, title={B Paper}, eprint={2509.09738}, date={2024-13}}\n", encoding="utf-8")
    first = tmp_path / "a.sqlite3"
    assert run("import", bib, "--db", first).exit_code == 0
    for name in ("back.json", "back.csv"):
        out = tmp_path / name
        assert run("export", "--output", out, "--db", first).exit_code == 0
        r = run("import", out, "--db", tmp_path / f"{name}.sqlite3")
        assert r.exit_code == 0 and "imported 2" in r.stdout, r.stderr
    dates = {s["id"]: s["published"] for s in json.loads((tmp_path / "back.json").read_text())["saved"]}
    assert dates == {"2509.09737": "2024-02-30", "2509.09738": "2024-13"}


def test_bad_import_changes_nothing(db, tmp_path):
    before = run("export", "--db", db).stdout
    bad = tmp_path / "bad.bib"
    bad.write_text(BIB + "\n@misc{c, title={unclosed}\n", encoding="utf-8")
    r = run("import", bad, "--db", db)
    assert r.exit_code == 1 and "nothing imported" in r.stderr and "malformed" in r.stderr
    assert run("export", "--db", db).stdout == before
    assert run("import", tmp_path / "missing.json", "--db", db).exit_code == 1
    for name, fmt in (("empty.json", "JSON"), ("empty.csv", "CSV"), ("empty.bib", "BibTeX")):
        (tmp_path / name).write_text(" \n", encoding="utf-8")
        r = run("import", tmp_path / name, "--db", db)
        assert r.exit_code == 1 and f"the {fmt} import is empty: nothing to import" in r.stderr, r.stderr
    assert run("export", "--db", db).stdout == before


def test_export_needs_a_library(tmp_path):
    r = run("export", "--db", tmp_path / "none.sqlite3")
    assert r.exit_code == 1 and "no library" in r.stderr
    assert not (tmp_path / "none.sqlite3").exists()


def test_backup_is_a_consistent_copy_while_someone_writes(db, tmp_path):
    # Another connection (the server) sits in an uncommitted write: the backup must not wait for it or see it.
    writer = sqlite3.connect(db, isolation_level=None)
    writer.execute("BEGIN IMMEDIATE")
    writer.execute("INSERT INTO saved (paper_id, saved_at) VALUES ('2509.99999', 1.0)")
    dest = tmp_path / "backup.sqlite3"
    r = run("backup", dest, "--db", db)
    writer.execute("COMMIT")
    writer.close()
    assert r.exit_code == 0, r.output
    assert "1 saved" in r.stdout and not (tmp_path / "backup.sqlite3.partial").exists()

    copy = sqlite3.connect(dest)
    assert copy.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
    assert copy.execute("PRAGMA journal_mode").fetchone()[0] == "delete"
    assert [r[0] for r in copy.execute("SELECT paper_id FROM saved")] == ["2509.00003"]
    assert copy.execute("PRAGMA user_version").fetchone()[0] == len(MIGRATIONS)
    copy.close()
    assert Store(dest).get_saved("2509.00003")["note"] == "from the store"

    again = run("backup", dest, "--db", db)
    assert again.exit_code == 1 and "exists" in again.stderr
    into_dir = run("backup", tmp_path, "--db", db)
    assert into_dir.exit_code == 0 and list(tmp_path.glob("paperlens-backup-*.sqlite3"))
    assert run("backup", db, "--db", db).exit_code == 1


def test_backup_during_concurrent_saves(tmp_path):
    store = Store(tmp_path / "busy.sqlite3")
    store.import_saved(formats.parse_import("json", {"saved": [{"id": f"2509.{i:05d}"} for i in range(2000)]})[0])
    stop = threading.Event()

    def keep_saving():
        s = Store(store.path)
        i = 0
        while not stop.is_set():
            s.save_paper(f"2510.{i:05d}")
            i += 1

    t = threading.Thread(target=keep_saving)
    t.start()
    try:
        dest = store.backup(tmp_path / "b.sqlite3")
    finally:
        stop.set()
        t.join()
    copy = Store(dest)
    assert copy.count_saved() >= 2000
    assert sqlite3.connect(dest).execute("PRAGMA integrity_check").fetchone()[0] == "ok"


def test_version_1_library_migrates_with_data(tmp_path):
    path = tmp_path / "v1.sqlite3"
    conn = sqlite3.connect(path)
    conn.executescript(MIGRATIONS[0])
    conn.execute("PRAGMA user_version = 1")
    conn.execute(
        "INSERT INTO papers (id, title, title_key, first_seen, last_seen) VALUES ('2509.00001', 'Old', 'old', 1, 2)"
    )
    conn.execute("INSERT INTO saved (paper_id, saved_at, tags) VALUES ('2509.00001', 5, '[\"kept\"]')")
    conn.commit()
    conn.close()
    store = Store(path)
    assert store.schema_version() == len(MIGRATIONS) >= 2
    assert store.get_saved("2509.00001")["tags"] == ["kept"]
    assert store.paper_history("2509.00001") == {"first_seen": 1.0, "last_seen": 2.0, "seen_count": 1, "pages": []}


_text = st.text(st.characters(exclude_categories=("Cs",)), max_size=40)
_record = st.fixed_dictionaries(
    {
        "id": st.from_regex(PAPER_ID.pattern.replace("^", r"\A").replace("$", r"\Z")),
        "title": st.one_of(st.none(), _text.filter(str.strip)),
        "authors": st.lists(_text, max_size=4),
        "published": st.one_of(st.none(), st.dates().map(lambda d: f"{d.year:04d}-{d.month:02d}-{d.day:02d}")),
        "abstract": _text,
        "saved_at": st.floats(0, 4e9, allow_nan=False),
        "tags": st.lists(
            _text.filter(lambda t: "," not in t and not any(ord(c) < 32 or c == "\x7f" for c in t)), max_size=6
        ),
        "note": st.text(max_size=300),
        "read": st.booleans(),
        "seen": st.booleans(),
    }
)


@settings(max_examples=40, deadline=None)
@given(st.lists(_record, min_size=1, max_size=8, unique_by=lambda r: r["id"]))
def test_json_round_trip_property(tmp_path_factory, records):
    for r in records:
        seen = r.pop("seen") and r["title"] is not None
        r.update(first_seen=1.5 if seen else None, last_seen=2.5 if seen else None, seen_count=3 if seen else 0)
        r["url"] = "https://example.org/" + r["id"] if r["title"] is not None else None
    first = json_format.export_json(formats.parse_import("json", {"saved": records})[0])
    store = Store(tmp_path_factory.mktemp("rt") / "a.sqlite3")
    store.import_saved(formats.parse_import("json", first)[0])
    exported = json_format.export_json(store.export_saved())
    again = Store(tmp_path_factory.mktemp("rt") / "b.sqlite3")
    again.import_saved(formats.parse_import("json", exported)[0])
    assert json_format.export_json(again.export_saved()) == exported
    assert {r["id"] for r in json.loads(exported)["saved"]} == {r["id"] for r in records}


@settings(max_examples=40, deadline=None)
@given(st.lists(_record, min_size=1, max_size=8, unique_by=lambda r: r["id"]))
def test_csv_round_trip_property(tmp_path_factory, records):
    """A library's CSV export imports into an empty library that exports the same bytes (to the second)."""
    for r in records:
        # What a CSV cell cannot tell apart: "; " inside an author name, a blank author.
        r["authors"] = [a for a in r["authors"] if "; " not in a and a.strip()]
        r["saved_at"] = float(int(r["saved_at"]))  # CSV keeps whole seconds
        del r["seen"]
    library = Store(tmp_path_factory.mktemp("csv") / "a.sqlite3")
    library.import_saved(formats.parse_import("json", {"saved": records})[0])
    first = csv_format.export_csv(library.export_saved())
    again = Store(tmp_path_factory.mktemp("csv") / "b.sqlite3")
    again.import_saved(formats.parse_import("csv", first)[0])
    assert csv_format.export_csv(again.export_saved()) == first


def test_import_fills_only_blank_paper_details(tmp_path):
    store = Store(tmp_path / "fill.sqlite3")
    store.record_papers([{"id": "2509.00001", "title": "Seen Title", "title_key": "seen title", "abstract": "Seen."}])
    first = "@misc{a, title={Other Title}, author={Ada Lovelace}, abstract={Other.}, eprint={2509.00001}}"
    store.import_saved(formats.parse_import("bibtex", first)[0])
    paper = store.get_paper("2509.00001")
    assert paper["title"] == "Seen Title" and paper["abstract"] == "Seen." and paper["authors"] == ["Ada Lovelace"]
    second = "@misc{a, title={T}, author={Someone Else}, eprint={2509.00001}}"
    with pytest.raises(PaperLensError) as e:  # the save is there and nothing is blank: a duplicate import
        store.import_saved(formats.parse_import("bibtex", second)[0])
    assert e.value.status == 409
    assert store.get_paper("2509.00001")["authors"] == ["Ada Lovelace"]


@settings(max_examples=200, deadline=None)
@given(st.lists(st.text(), max_size=6))
def test_json_strings_is_json_dumps(items):
    from paperlens.store.saved import _json_strings

    assert _json_strings(items) == json.dumps(items)


def test_import_checkpoints_in_the_background_and_restores_autocheckpoint(tmp_path, monkeypatch):
    path = tmp_path / "library.sqlite3"
    store = Store(path)
    threads = []
    real = Store.checkpoint_in_background
    monkeypatch.setattr(Store, "checkpoint_in_background", lambda self: threads.append(real(self)) or threads[-1])
    records = formats.parse_import(
        "json", {"saved": [{"id": f"2509.{i:05d}", "title": f"Paper {i}", "abstract": "x" * 2000} for i in range(3000)]}
    ).records
    assert store.import_saved(records)["imported"] == 3000
    conn = store._conn()
    assert conn.execute("PRAGMA wal_autocheckpoint").fetchone()[0] == 1000
    assert len(threads) == 1
    threads[0].join(30)
    # Everything the import wrote is now in the database file: a checkpoint finds nothing left to copy.
    busy, wal_frames, copied = conn.execute("PRAGMA wal_checkpoint(PASSIVE)").fetchone()
    assert busy == 0 and wal_frames == copied
    reopened = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
    assert reopened.execute("SELECT count(*) FROM saved").fetchone()[0] == 3000

    # A failing import restores the setting too, and leaves the library as it was.
    bad = [dict(records[0], id="2509.99999", title_key=None)]  # NOT NULL title_key: the INSERT fails
    with pytest.raises(sqlite3.IntegrityError):
        store.import_saved(bad)
    assert conn.execute("PRAGMA wal_autocheckpoint").fetchone()[0] == 1000
    assert store.count_saved() == 3000


def test_background_checkpoint_never_creates_a_library(tmp_path):
    store = Store(tmp_path / "gone" / "library.sqlite3")
    store.close()
    (tmp_path / "gone" / "library.sqlite3").unlink()
    store.checkpoint_in_background().join(30)
    assert not (tmp_path / "gone" / "library.sqlite3").exists()
