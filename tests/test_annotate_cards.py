"""POST /api/annotate with the cards the extension found: answers under the cards' keys, details from the page."""

from __future__ import annotations

import json

import pytest
from conftest import HEADERS, PAGES

from paperlens.ids import title_id

DAILY = (PAGES / "daily.html").read_text(encoding="utf-8")
DAILY_URL = "https://huggingface.co/papers/date/2025-09-12"
EXPECTED = json.loads((PAGES / "daily.expected.json").read_text(encoding="utf-8"))["papers"]


def post(client, body):
    return client.post("/api/annotate", json=body, headers=HEADERS)


def test_cards_with_the_page_answer_each_card_under_its_key(client):
    # The reader sees three of the page's cards, in another order, plus one the page's JSON lacks.
    shown = [EXPECTED[2], EXPECTED[0], EXPECTED[1]]
    cards = [{"key": p["id"], "id": p["id"], "title": p["title"]} for p in shown]
    cards.append({"key": "title:A Paper Only the Cards Show", "title": "A Paper Only the Cards Show",
                  "summary": "Its card shows a one-line summary."})
    r = post(client, {"url": DAILY_URL, "html": DAILY, "cards": cards})
    assert r.status_code == 200, r.get_json()
    body = r.get_json()
    assert body["ok"] is True and body["page"] == {"kind": "daily", "url": DAILY_URL}
    assert [p["key"] for p in body["papers"]] == [c["key"] for c in cards]
    assert [p["id"] for p in body["papers"]] == [p["id"] for p in shown] + [title_id("A Paper Only the Cards Show")]
    # Only the cards' papers are recorded; the page filled in what the cards do not show.
    store = client.application.extensions["paperlens"].store
    assert store.count_papers() == 4
    assert store.get_paper(EXPECTED[0]["id"])["abstract"] == EXPECTED[0]["abstract"]
    assert store.get_paper(EXPECTED[0]["id"])["authors"] == EXPECTED[0]["authors"]
    assert store.get_paper(title_id("A Paper Only the Cards Show"))["abstract"] == "Its card shows a one-line summary."


def test_a_title_card_takes_the_papers_arxiv_id_from_the_page(client):
    p = EXPECTED[3]
    r = post(client, {"url": DAILY_URL, "html": DAILY, "cards": [{"key": "c1", "title": p["title"].upper()}]})
    assert [(x["key"], x["id"], x["url"]) for x in r.get_json()["papers"]] == [("c1", p["id"], p["url"])]


def test_cards_alone_and_a_page_that_does_not_parse(client):
    cards = [{"key": "k1", "id": "2510.00001", "title": "Cards  Only\n Paper", "summary": "Short summary."},
             {"key": "k2", "title": "Another Cards Only Paper", "summary": None}]
    for body in ({"cards": cards}, {"url": "https://huggingface.co/papers", "html": "<p>nothing</p>", "cards": cards}):
        r = post(client, body)
        assert r.status_code == 200, r.get_json()
        papers = r.get_json()["papers"]
        assert [(p["key"], p["id"], p["title"]) for p in papers] == [
            ("k1", "2510.00001", "Cards Only Paper"),
            ("k2", title_id("Another Cards Only Paper"), "Another Cards Only Paper"),
        ]
        assert papers[0]["url"] == "https://huggingface.co/papers/2510.00001"
    assert r.get_json()["page"]["kind"] == "daily"
    assert post(client, {"cards": cards}).get_json()["page"]["kind"] == "cards"


def test_a_card_summary_never_replaces_the_librarys_longer_abstract(client):
    p = EXPECTED[0]
    post(client, {"url": DAILY_URL, "html": DAILY})
    post(client, {"cards": [{"key": p["id"], "id": p["id"], "title": p["title"], "summary": "One line."}]})
    store = client.application.extensions["paperlens"].store
    assert store.get_paper(p["id"])["abstract"] == p["abstract"]


def test_two_cards_of_one_paper_are_one_paper_answered_twice(client):
    p = EXPECTED[0]
    cards = [{"key": p["id"], "id": p["id"], "title": p["title"]}, {"key": "title:x", "title": p["title"]}]
    papers = post(client, {"url": DAILY_URL, "html": DAILY, "cards": cards}).get_json()["papers"]
    assert [(x["key"], x["id"]) for x in papers] == [(p["id"], p["id"]), ("title:x", p["id"])]
    assert client.application.extensions["paperlens"].store.count_papers() == 1


def test_without_cards_every_paper_is_keyed_by_its_id(client):
    body = post(client, {"url": DAILY_URL, "html": DAILY}).get_json()
    assert body["ok"] is True
    assert [p["key"] for p in body["papers"]] == [p["id"] for p in body["papers"]] == [p["id"] for p in EXPECTED]


GOOD = {"key": "k", "title": "A Title"}


@pytest.mark.parametrize(
    "body, status, words",
    [
        ({"cards": "x"}, 400, "'cards' must be a non-empty list"),
        ({"cards": []}, 400, "'cards' must be a non-empty list"),
        ({"cards": [GOOD] * 501}, 422, "at most 500"),
        ({"cards": [[1]]}, 400, "cards[0] must be an object"),
        ({"cards": [{**GOOD, "abstract": "x"}]}, 400, "unknown field(s) abstract"),
        ({"cards": [{"title": "T"}]}, 400, "cards[0].key"),
        ({"cards": [{**GOOD, "key": ""}]}, 400, "cards[0].key"),
        ({"cards": [{**GOOD, "key": "k" * 3000}]}, 400, "cards[0].key"),
        ({"cards": [GOOD, {**GOOD, "title": "B"}]}, 400, "cards[1].key 'k' is used by an earlier card"),
        ({"cards": [{**GOOD, "id": "t-0123456789abcdef"}]}, 400, "cards[0].id must be an arXiv id"),
        ({"cards": [{**GOOD, "id": 2509.09737}]}, 400, "cards[0].id must be an arXiv id"),
        ({"cards": [{**GOOD, "title": "  \n "}]}, 400, "cards[0].title"),
        ({"cards": [{**GOOD, "title": None}]}, 400, "cards[0].title"),
        ({"cards": [{**GOOD, "summary": 5}]}, 400, "cards[0].summary"),
        ({"html": "<p>x</p>", "text": "x", "cards": [GOOD]}, 400, "not both"),
        ({"html": 5, "cards": [GOOD]}, 400, "must be a string"),
        ({"cards": [GOOD], "extra": 1}, 400, "unknown field(s) extra"),
        ({"url": 5, "cards": [GOOD]}, 400, "'url' must be a string"),
    ],
)
def test_bad_cards_are_a_clear_error_and_change_nothing(client, body, status, words):
    r = post(client, body)
    assert r.status_code == status, r.get_json()
    err = r.get_json()
    assert err["ok"] is False and err["status"] == status and words in err["error"], err["error"]
    assert client.get("/api/health").get_json()["papers"] == 0


def test_what_the_parser_could_not_place_is_in_the_answer(client):
    from test_digest_text_copy import ABSTRACT, HEADER

    text = "\n".join(HEADER + ["• 4 authors", "·", "Sep 10", "Real Paper Title", ABSTRACT, "• 2 authors", "·", "Sep 9"])
    body = post(client, {"text": text}).get_json()
    assert [p["title"] for p in body["papers"]] == ["Real Paper Title"]
    assert len(body["warnings"]) == 2 and all("follows no paper" in w for w in body["warnings"])
    assert post(client, {"url": DAILY_URL, "html": DAILY}).get_json()["warnings"] == []
