"""The extension/backend contract cases (tests/contract/*.json), backend side. tests/js/contract.test.js checks
the same files against the extension's code, so the two sides cannot drift apart."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from conftest import HEADERS

from paperlens.ids import paper_path_id, title_id, title_key

CONTRACT = Path(__file__).resolve().parent / "contract"
LINKS = json.loads((CONTRACT / "paper_links.json").read_text(encoding="utf-8"))
TITLES = json.loads((CONTRACT / "card_titles.json").read_text(encoding="utf-8"))["cards"]


@pytest.mark.parametrize("case", LINKS["links"], ids=lambda c: repr(c["href"]))
def test_paper_links(case):
    assert paper_path_id(case["href"], LINKS["base"]) == case["id"]


@pytest.mark.parametrize("case", TITLES, ids=lambda c: c["title"])
def test_title_keys_and_ids(case):
    assert title_key(case["title"]) == case["title_key"]
    assert title_id(case["title"]) == case["id"]


def test_every_title_card_is_answered_under_the_key_the_extension_sent(client):
    cards = [{"key": c["card_key"], "title": c["title"]} for c in TITLES]
    r = client.post("/api/annotate", json={"url": "https://huggingface.co/papers?q=x", "cards": cards},
                    headers=HEADERS)
    assert r.status_code == 200, r.get_json()
    body = r.get_json()
    assert body["ok"] is True
    assert [p["key"] for p in body["papers"]] == [c["card_key"] for c in TITLES]
    assert [p["id"] for p in body["papers"]] == [c["id"] for c in TITLES]
    # Spellings of one title are one paper in the library.
    assert client.get("/api/health").get_json()["papers"] == len({c["id"] for c in TITLES})


TRIAGE = json.loads((CONTRACT / "triage.json").read_text(encoding="utf-8"))


def same_shape(real, example, where: str = "") -> None:
    """`real` has exactly the keys of `example`, with values of the same JSON types, all the way down (a
    list's items against the example's first item; any number for a number)."""
    if isinstance(example, bool):
        assert isinstance(real, bool), (where, real)
    elif isinstance(example, (int, float)):
        assert isinstance(real, (int, float)) and not isinstance(real, bool), (where, real)
    elif isinstance(example, str):
        assert isinstance(real, str), (where, real)
    elif example is None:
        assert real is None, (where, real)
    elif isinstance(example, list):
        assert isinstance(real, list) and real, (where, "an empty list checks nothing: the case must fill it")
        for i, item in enumerate(real):
            same_shape(item, example[0], f"{where}[{i}]")
    else:
        assert isinstance(real, dict) and set(real) == set(example), (where, sorted(real), sorted(example))
        for key in example:
            same_shape(real[key], example[key], f"{where}.{key}")


def triage_library(client):
    """A library where every list of the annotate answer has something: two papers on sparse attention
    (one saved), one on speech; a muted word; the page seen once already."""
    cards = [
        {"key": "2511.01234", "id": "2511.01234", "title": "Sparse Attention for Long-Context Retrieval",
         "summary": "Sparse attention lets long-context retrieval models attend to far fewer tokens; we benchmark "
                    "sparse retrieval transformers on long documents.", "authors": ["Ada Lovelace"]},
        {"key": "2509.00042", "id": "2509.00042", "title": "Long-Context Retrieval with Sparse Transformers",
         "summary": "Sparse transformers make long-context retrieval cheap: attention over far fewer tokens for "
                    "long documents."},
        {"key": "2509.00077", "id": "2509.00077", "title": "Speech Recognition in Noisy Rooms",
         "summary": "Acoustic models transcribe speech recorded in noisy rooms."},
    ]
    url = "https://huggingface.co/papers/date/2025-11-20"
    assert client.post("/api/annotate", json={"url": url, "cards": cards, "wait": True}, headers=HEADERS).status_code == 200
    assert client.put("/api/saved/2509.00042", headers=HEADERS).status_code == 200
    assert client.put("/api/muted", json={"term": "benchmark", "kind": "word"}, headers=HEADERS).status_code == 200
    return url, cards


def test_a_real_annotate_answer_has_the_contract_fields_and_types(client):
    url, cards = triage_library(client)
    r = client.post("/api/annotate", json={"url": "https://huggingface.co/papers/week/2025-W47", "cards": cards},
                    headers=HEADERS)
    assert r.status_code == 200, r.get_json()
    paper = r.get_json()["papers"][0]
    same_shape(paper, TRIAGE["annotate_paper"])
    assert paper["seen_before"] is True and paper["first_seen_page"] == {"url": url, "kind": "daily"}
    assert paper["muted"] == [{"term": "benchmark", "kind": "word"}]
    assert [b["id"] for b in paper["for_you_because"]] == ["2509.00042"]
    assert set(TRIAGE["field_rules"]) <= {*paper, "keyphrases[].key", "keyphrases[].more"}


def test_the_triage_routes_answer_the_contract_shapes(client):
    triage_library(client)
    routes = {(r["method"], r["path"]): r for r in TRIAGE["routes"]}
    calls = [
        (("PUT", "/api/papers/<id>/dismissed"), client.put("/api/papers/2511.01234/dismissed", headers=HEADERS)),
        (("GET", "/api/dismissed"), client.get("/api/dismissed", headers=HEADERS)),
        (("DELETE", "/api/papers/<id>/dismissed"), client.delete("/api/papers/2511.01234/dismissed", headers=HEADERS)),
        (("GET", "/api/muted"), client.get("/api/muted", headers=HEADERS)),
        (("PUT", "/api/muted"), client.put("/api/muted", json=routes[("PUT", "/api/muted")]["body"], headers=HEADERS)),
        (("DELETE", "/api/muted?kind=word&term=benchmark"), client.delete("/api/muted?kind=word&term=benchmark",
                                                                          headers=HEADERS)),
        (("GET", "/api/for-you/seed"), client.get("/api/for-you/seed", headers=HEADERS)),
    ]
    assert client.put("/api/saved/2509.00042", json={"tags": ["rl-reading"]}, headers=HEADERS).status_code == 200
    calls.append((("PUT", "/api/for-you/seed"), client.put("/api/for-you/seed", json={"tag": "rl-reading"},
                                                           headers=HEADERS)))
    assert {route for route, _ in calls} == set(routes)
    for route, response in calls:
        assert response.status_code == 200, (route, response.get_json())
        same_shape(response.get_json(), routes[route]["answer"], " ".join(route))
