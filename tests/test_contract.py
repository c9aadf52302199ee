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
