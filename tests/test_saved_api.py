"""The reading list over HTTP: save/patch/unsave, the filtered list, export/import and the bars of issue 6."""

import json

import bibtexparser
import pytest
from conftest import HEADERS

from paperlens.readinglist.formats import bibtex
from paperlens.readinglist.formats import csv as csv_format
from paperlens.ids import title_key


def put(client, pid, body=None):
    return client.put(f"/api/saved/{pid}", json=body, headers=HEADERS) if body is not None else client.put(
        f"/api/saved/{pid}", headers=HEADERS
    )


def patch(client, pid, body):
    return client.patch(f"/api/saved/{pid}", json=body, headers=HEADERS)


def export(client, fmt="json"):
    r = client.get(f"/api/saved/export?format={fmt}", headers=HEADERS)
    assert r.status_code == 200, r.get_json()
    return r.get_data(as_text=True)


def do_import(client, fmt, data):
    return client.post("/api/saved/import", json={"format": fmt, "data": data}, headers=HEADERS)


def api_page(papers):
    """A page as the HF API answers it (the parser reads these), papers = [(arxiv id, title, authors)]."""
    return json.dumps(
        [
            {
                "paper": {
                    "id": pid,
                    "title": title,
                    "authors": [{"name": a} for a in authors],
                    "publishedAt": "2025-09-11T00:00:00.000Z",
                    "summary": f"We study {title.lower()} with care.",
                },
                "numComments": 1,
            }
            for pid, title, authors in papers
        ]
    )


@pytest.fixture
def annotate(client):
    def run(text, url=None):
        r = client.post("/api/annotate", json={"url": url, "text": text}, headers=HEADERS)
        assert r.status_code == 200, r.get_json()
        return r.get_json()["papers"]

    return run


# ---------------------------------------------------------------- save, patch, unsave


def test_save_patch_unsave(client):
    r = put(client, "2509.09737", {"tags": [" RL", "rl", "Agents "], "note": "read §3"})
    assert r.status_code == 200
    saved = r.get_json()["saved"]
    assert saved["tags"] == ["rl", "agents"] and saved["note"] == "read §3" and saved["read"] is False
    assert set(saved) == {"id", "title", "url", "published", "authors", "saved_at", "tags", "note", "read"}
    first_time = saved["saved_at"]

    # Saving again is idempotent: the saved time stays, tags/note only change when given.
    again = put(client, "2509.09737").get_json()["saved"]
    assert again["saved_at"] == first_time and again["tags"] == ["rl", "agents"]

    r = patch(client, "2509.09737", {"read": True, "tags": ["done"]})
    assert r.status_code == 200 and r.get_json()["saved"]["read"] is True
    assert r.get_json()["saved"]["tags"] == ["done"] and r.get_json()["saved"]["note"] == "read §3"
    assert patch(client, "2509.09737", {"note": ""}).get_json()["saved"]["note"] == ""

    assert client.delete("/api/saved/2509.09737", headers=HEADERS).get_json() == {
        "ok": True,
        "id": "2509.09737",
        "saved": False,
    }
    assert patch(client, "2509.09737", {"read": True}).status_code == 404
    assert client.get("/api/saved/2509.09737", headers=HEADERS).status_code == 404


@pytest.mark.parametrize(
    "method, pid, body, status",
    [
        ("put", "2509.0973x", None, 400),
        ("put", "2509.09737", {"tags": "rl"}, 400),
        ("put", "2509.09737", {"tags": ["x" * 65]}, 400),
        ("put", "2509.09737", {"tags": [f"t{i}" for i in range(51)]}, 400),
        ("put", "2509.09737", {"note": "x" * 50_001}, 400),
        ("put", "2509.09737", {"read": True}, 400),  # PUT takes tags and note; read is PATCH's
        ("put", "2509.09737", {"tag": ["typo"]}, 400),
        ("patch", "2509.09737", {}, 400),
        ("patch", "2509.09737", {"read": "yes"}, 400),
        ("patch", "t-xyz", {"read": True}, 400),
        ("delete", "2509.09737", None, 404),
    ],
)
def test_bad_saves_are_clear_4xx_and_change_nothing(client, method, pid, body, status):
    put(client, "2509.09737", {"tags": ["keep"], "note": "keep"}) if method == "patch" else None
    before = export(client)
    if method == "delete":
        client.delete("/api/saved/2509.09737", headers=HEADERS)
        before = export(client)
    kwargs = {"headers": HEADERS} if body is None else {"headers": HEADERS, "json": body}
    r = getattr(client, method)(f"/api/saved/{pid}", **kwargs)
    assert r.status_code == status, r.get_json()
    assert r.get_json()["ok"] is False and r.get_json()["status"] == status and r.get_json()["error"]
    assert export(client) == before


# ---------------------------------------------------------------- the list


def test_list_filters_sorts_and_pages(client):
    for i in range(25):
        put(client, f"2509.{i:05d}", {"tags": ["even" if i % 2 == 0 else "odd"] + (["Münster"] if i == 7 else []),
                                      "note": "graph neural nets" if i % 5 == 0 else ""})
        if i % 3 == 0:
            patch(client, f"2509.{i:05d}", {"read": True})

    def get(query):
        r = client.get(f"/api/saved?{query}", headers=HEADERS)
        assert r.status_code == 200, r.get_json()
        return r.get_json()

    everything = get("limit=10")
    assert everything["total"] == 25 and len(everything["saved"]) == 10
    assert everything["saved"][0]["id"] == "2509.00024"  # newest first
    pages = [get(f"limit=10&offset={o}")["saved"] for o in (0, 10, 20)]
    assert [r["id"] for page in pages for r in page] == [f"2509.{i:05d}" for i in reversed(range(25))]
    assert [r["id"] for r in get("sort=saved_at&limit=3")["saved"]] == ["2509.00000", "2509.00001", "2509.00002"]

    odd = get("tag=%20ODD%20")
    assert odd["total"] == 12 and all("odd" in r["tags"] for r in odd["saved"])
    assert get("tag=m%C3%BCnster")["total"] == 1
    unread = get("read=false")
    assert unread["total"] == 25 - 9 and not any(r["read"] for r in unread["saved"])
    assert get("read=true&tag=even")["total"] == 5  # 0, 6, 12, 18, 24
    assert get("q=GRAPH%20nets")["total"] == 5
    assert get("q=graph%20cats")["total"] == 0
    assert get("q=M%C3%9CNSTER")["total"] == 1  # unicode case-folding
    assert get("q=2509.00013")["saved"][0]["id"] == "2509.00013"


@pytest.mark.parametrize(
    "query, status",
    [
        ("limit=0", 400),
        ("limit=1001", 400),
        ("offset=-1", 400),
        ("read=maybe", 400),
        ("sort=title", 400),
        ("q=" + "x" * 501, 422),  # the guard's cap on every q (config.MAX_QUERY_CHARS)
        ("tag=a,b", 400),
    ],
)
def test_list_bad_query(client, query, status):
    r = client.get(f"/api/saved?{query}", headers=HEADERS)
    assert r.status_code == status and r.get_json()["ok"] is False


# ---------------------------------------------------------------- saved before seen, and history


def test_saved_by_id_fills_in_when_seen(client, annotate):
    saved = put(client, "2509.09737", {"tags": ["later"]}).get_json()["saved"]
    assert saved["title"] is None and saved["authors"] == []
    assert client.get("/api/saved/2509.09737", headers=HEADERS).get_json()["history"] is None

    page_url = "https://huggingface.co/papers/date/2025-09-11"
    papers = annotate(
        api_page([("2509.09737", "Saved Before Seen", ["Ada Lovelace"]), ("2509.00001", "Other", ["B C"])]),
        url=page_url,
    )
    assert [p["saved"] for p in papers] == [True, False]
    got = client.get("/api/saved/2509.09737", headers=HEADERS).get_json()
    assert got["saved"]["title"] == "Saved Before Seen" and got["saved"]["authors"] == ["Ada Lovelace"]
    assert got["saved"]["published"] == "2025-09-11" and got["saved"]["tags"] == ["later"]
    assert got["saved"]["url"] == "https://huggingface.co/papers/2509.09737"
    history = got["history"]
    assert history["seen_count"] == 1 and [p["url"] for p in history["pages"]] == [page_url]
    assert history["pages"][0]["kind"] == "daily" and history["pages"][0]["visits"] == 1

    annotate(api_page([("2509.09737", "Saved Before Seen", ["Ada Lovelace"])]), url=page_url)
    annotate(api_page([("2509.09737", "Saved Before Seen", ["Ada Lovelace"])]))
    history = client.get("/api/saved/2509.09737", headers=HEADERS).get_json()["history"]
    assert history["seen_count"] == 3 and history["first_seen"] < history["last_seen"]
    assert sorted((p["url"], p["visits"]) for p in history["pages"]) == [("", 1), (page_url, 2)]


def test_imported_paper_becomes_seen_when_seen(client, annotate):
    bib = "@misc{k, title={Imported First}, author={Ada Lovelace}, eprint={2509.09737}, archivePrefix={arXiv}}"
    assert do_import(client, "bibtex", bib).get_json()["imported"] == 1
    assert client.get("/api/saved/2509.09737", headers=HEADERS).get_json()["history"] is None
    annotate(api_page([("2509.09737", "Imported First", ["Ada Lovelace"])]), url="https://huggingface.co/papers")
    history = client.get("/api/saved/2509.09737", headers=HEADERS).get_json()["history"]
    assert history["seen_count"] == 1 and history["first_seen"] == history["last_seen"]


# ---------------------------------------------------------------- round trip


def rich_library(client):
    """Saves with unicode, a note at the length limit, many tags, read states, seen and unseen papers."""
    put(client, "2509.00001", {"tags": [f"tag {i} ünï" for i in range(50)], "note": "✓ " * 25_000})
    put(client, "t-0123456789abcdef", {"note": 'quotes " \\ backslash\nnew line\ttab {braces} 100% $x$ 東京'})
    patch(client, "t-0123456789abcdef", {"read": True})
    put(client, "2509.00002", {"tags": ["Ωmega", "emoji 🚀"]})


def test_json_round_trip_is_identical(client, annotate, app, tmp_path, embedder):
    title = "Ünïcode — Titles: “Quoted” & Co."
    annotate(api_page([("2509.00002", title, ["Zoë Ärger", "李 雷"])]), url="u")
    rich_library(client)
    first = export(client)

    from paperlens.app import create_app

    empty = create_app({"TESTING": True, "DB_PATH": str(tmp_path / "other.sqlite3"), "EMBEDDER": embedder})
    other = empty.test_client()
    r = do_import(other, "json", json.loads(first))
    assert r.get_json() == {"ok": True, "imported": 3, "updated": 0, "skipped": 0, "dismissed": 0, "muted": 0}
    second = export(other)
    assert second == first
    doc = json.loads(second)
    assert doc["count"] == 3 and any(len(r["note"]) == 50_000 for r in doc["saved"])

    # Importing into the library it came from changes nothing and says so.
    r = do_import(client, "json", json.loads(first))
    assert r.status_code == 409 and r.get_json()["ok"] is False
    assert r.get_json()["error"].startswith("nothing to import: all 3 papers in this file are already saved")
    assert export(client) == first
    # So does its CSV export, whose saved times are to the second (the library's have fractions).
    csv_text = client.get("/api/saved/export?format=csv", headers=HEADERS).get_data(as_text=True)
    r = do_import(client, "csv", csv_text)
    assert r.status_code == 409, r.get_json()
    assert export(client) == first


def test_import_merges_into_existing_saves(client):
    put(client, "2509.00001", {"tags": ["mine"], "note": "my note"})
    bib = "@misc{k, title={T}, eprint={2509.00001}, keywords={theirs}, annote={their note}}\n" \
          "@misc{j, title={New One}, eprint={2509.00002}}"
    assert do_import(client, "bibtex", bib).get_json() == {"ok": True, "imported": 1, "updated": 1, "skipped": 0, "dismissed": 0, "muted": 0}
    merged = client.get("/api/saved/2509.00001", headers=HEADERS).get_json()["saved"]
    assert merged["tags"] == ["mine", "theirs"] and merged["note"] == "my note"
    assert do_import(client, "bibtex", bib).status_code == 409  # all of it again: a duplicate import

    # Part old, part new: the new one is imported and the old one skipped, which is no error.
    bib += "\n@misc{n, title={Third}, eprint={2509.00003}}"
    assert do_import(client, "bibtex", bib).get_json() == {"ok": True, "imported": 1, "updated": 0, "skipped": 2, "dismissed": 0, "muted": 0}


def test_filling_in_a_saved_papers_details_counts_as_an_update(client):
    put(client, "2509.00001", {})  # saved by id: no details yet
    bib = "@misc{k, title={Now Known}, author={Ada Lovelace}, eprint={2509.00001}}"
    assert do_import(client, "bibtex", bib).get_json() == {"ok": True, "imported": 0, "updated": 1, "skipped": 0, "dismissed": 0, "muted": 0}
    saved = client.get("/api/saved/2509.00001", headers=HEADERS).get_json()["saved"]
    assert saved["title"] == "Now Known" and saved["authors"] == ["Ada Lovelace"]
    assert do_import(client, "bibtex", bib).status_code == 409


# ---------------------------------------------------------------- BibTeX of the seed papers


def test_seed_papers_bibtex_parses_back_intact(client, annotate, seed000, seed001):
    papers = {p["id"]: p for p in annotate(seed000) + annotate(seed001)}
    for i, pid in enumerate(papers):
        assert put(client, pid, {"tags": ["seed", f"n{i % 3}"], "note": f"note {i}: 50% & more"}).status_code == 200
    records = {r["id"]: r for r in json.loads(export(client))["saved"]}
    assert set(records) == set(papers)

    r = client.get("/api/saved/export?format=bibtex", headers=HEADERS)
    assert r.headers["Content-Type"].startswith("application/x-bibtex")
    assert "attachment" in r.headers["Content-Disposition"] and ".bib" in r.headers["Content-Disposition"]
    lib = bibtexparser.parse_string(r.get_data(as_text=True))
    assert not lib.failed_blocks
    assert len(lib.entries) == len(papers) and len({e.key for e in lib.entries}) == len(papers)

    # Every field intact: map entries back by title id (seed papers have no arXiv ids).
    by_title = {title_key(rec["title"]): rec for rec in records.values()}
    for entry in lib.entries:
        fields = {f.key: f.value for f in entry.fields}
        rec = by_title[title_key(bibtex.latex_unescape(fields["title"]))]
        assert bibtex.latex_unescape(fields["title"]) == rec["title"]
        assert fields["title"].startswith("{")
        assert fields.get("year") == (rec["published"] or "")[:4] or (not rec["published"] and "year" not in fields)
        assert fields["url"] == rec["url"]
        assert bibtex.latex_unescape(fields["keywords"]).split(", ") == rec["tags"]
        assert bibtex.latex_unescape(fields["annote"]) == rec["note"]
        assert entry.key == bibtex.citation_keys(list(records.values()))[rec["id"]]

    # And our own import reads it back to the same saves (ids from titles, tags, notes).
    other_ids = {rec["id"] for rec in bibtex.parse_bibtex(r.get_data(as_text=True))}
    assert other_ids == set(papers)


def test_csv_export_download(client):
    rich_library(client)
    r = client.get("/api/saved/export?format=csv", headers=HEADERS)
    assert r.headers["Content-Type"].startswith("text/csv") and ".csv" in r.headers["Content-Disposition"]
    assert r.get_data(as_text=True).splitlines()[0] == ",".join(csv_format.CSV_FIELDS)
    assert client.get("/api/saved/export?format=xml", headers=HEADERS).status_code == 400


def test_csv_export_imports_into_another_library(client, tmp_path, embedder):
    from paperlens.app import create_app

    rich_library(client)
    text = client.get("/api/saved/export?format=csv", headers=HEADERS).get_data(as_text=True)
    other = create_app({"TESTING": True, "DB_PATH": str(tmp_path / "other.sqlite3"), "EMBEDDER": embedder}).test_client()
    r = other.post("/api/saved/import", json={"format": "csv", "data": text}, headers=HEADERS)
    assert r.status_code == 200 and r.get_json()["imported"] == text.count("\r\n") - 1, r.get_json()
    back = other.get("/api/saved/export?format=csv", headers=HEADERS).get_data(as_text=True)
    # The same rows; saves made within one second may swap places (CSV keeps whole seconds).
    assert sorted(back.split("\r\n")) == sorted(text.split("\r\n"))
    again = other.post("/api/saved/import", json={"format": "csv", "data": text}, headers=HEADERS)
    assert again.status_code == 409


# ---------------------------------------------------------------- bad imports leave the library alone


BAD_IMPORTS = [
    ({"format": "bibtex", "data": "@misc{a, title={x}, eprint={2509.00009}}\n@misc{b, title={unclosed}"}, 400),
    ({"format": "bibtex", "data": "@misc{a, title={x}, eprint={2509.00009}}\n@misc{b, author={no id}}"}, 400),
    ({"format": "bibtex", "data": 42}, 400),
    ({"format": "json", "data": {"format": "paperlens-saved", "saved": [{"id": "2509.00009"}, {"id": "bad"}]}}, 400),
    ({"format": "json", "data": {"saved": [{"id": "2509.00009", "note": "x" * 50_001}]}}, 400),
    ({"format": "json", "data": {"saved": [{"id": "2509.00009", "saved_at": "yesterday"}]}}, 400),
    ({"format": "ris", "data": ""}, 400),
    ({"format": "json"}, 400),
    ({"format": "json", "data": [], "extra": 1}, 400),
    ({"format": "json", "data": []}, 400),
    ({"format": "json", "data": {"format": "paperlens-saved", "version": 1, "count": 0, "saved": []}}, 400),
]


@pytest.mark.parametrize("body, status", BAD_IMPORTS)
def test_bad_import_is_all_or_nothing(client, body, status):
    rich_library(client)
    before = export(client)
    r = client.post("/api/saved/import", json=body, headers=HEADERS)
    assert r.status_code == status, r.get_json()
    assert r.get_json()["ok"] is False and r.get_json()["error"]
    assert export(client) == before
    assert client.get("/api/saved/2509.00009", headers=HEADERS).status_code == 404


@pytest.mark.parametrize("megabytes", [33, 100])  # just over the 32 MB limit, and far over
def test_huge_upload_is_a_json_413(client, megabytes):
    rich_library(client)
    before = export(client)
    blob = b'{"format": "bibtex", "data": "' + b"x" * (megabytes << 20) + b'"}'
    r = client.post("/api/saved/import", data=blob, content_type="application/json", headers=HEADERS)
    assert r.status_code == 413
    body = r.get_json()
    assert body["ok"] is False and body["status"] == 413 and body["error"]
    assert export(client) == before


def text_copy(papers):
    """A page copied as text (no arXiv ids, like the seeds): papers = [(title, abstract)]."""
    blocks = [f"{title}\n\n{abstract}\n\n  • 2 authors\n·\nSep 11 3" for title, abstract in papers]
    return "Daily Papers\n\nbyAK and the research community\n\nSep 12\n\n" + "\n\n".join(blocks) + "\n"


def test_a_text_copy_finds_papers_the_library_knows_by_arxiv_id(client, annotate):
    annotate(api_page([("2509.00001", "Known Under Its ArXiv Id", ["Ada Lovelace"]),
                       ("2509.00002", "Two Papers, One Title", ["B C"]), ("2509.00003", "Two papers one title", ["D E"])]))
    assert put(client, "2509.00001", {"tags": ["mine"]}).status_code == 200
    copy = text_copy([
        ("Known Under Its ArXiv Id", "We study known under its arxiv id with care."),
        ("Two Papers, One Title", "Which of the two? The title does not say."),
        ("Never Seen Before", "A paper only this copy shows."),
    ])
    papers = {p["title"]: p for p in annotate(copy)}
    known = papers["Known Under Its ArXiv Id"]
    assert known["id"] == "2509.00001" and known["saved"] is True
    assert known["url"] == "https://huggingface.co/papers/2509.00001"
    assert papers["Two Papers, One Title"]["id"].startswith("t-")  # ambiguous: left alone
    assert papers["Never Seen Before"]["id"].startswith("t-") and papers["Never Seen Before"]["saved"] is False
    # No second entry for the known paper: its history counts the copy as another sighting.
    history = client.get("/api/saved/2509.00001", headers=HEADERS).get_json()["history"]
    assert history["seen_count"] == 2
    assert client.get("/api/health").get_json()["papers"] == 5  # 3 from the page + the 2 only the copy names
