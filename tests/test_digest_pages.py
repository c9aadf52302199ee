"""Every fixture page under tests/pages parses to exactly its expected records; the layers of trust
(hydration JSON, cards, visible text) each get exercised; the JSON API shapes parse too."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

from paperlens.digest import Page, parse_page
from paperlens.errors import ParseError

PAGES = Path(__file__).resolve().parent / "pages"
FIXTURES = sorted(p.name[: -len(".expected.json")] for p in PAGES.glob("*.expected.json"))


def _source(name: str) -> Path:
    return next(p for p in PAGES.glob(f"{name}.*") if not p.name.endswith(".json") and p.suffix != ".py")


def test_every_page_kind_has_a_fixture():
    kinds = {json.loads((PAGES / f"{n}.expected.json").read_text())["kind"] for n in FIXTURES}
    assert {"daily", "week", "month", "search", "trending", "paper", "text"} <= kinds
    assert {"cards_only", "stale_json", "broken_json", "xss", "text_copy"} <= set(FIXTURES)


@pytest.mark.parametrize("name", FIXTURES)
def test_fixture(name):
    expected = json.loads((PAGES / f"{name}.expected.json").read_text(encoding="utf-8"))
    page = parse_page(_source(name).read_text(encoding="utf-8"), expected["url"])
    assert isinstance(page, Page)
    assert page.to_dict() == expected


@pytest.mark.parametrize("name", [n for n in FIXTURES if _source(n).suffix == ".html"])
def test_list_fixtures_look_like_hf(name):
    """The extension's end-to-end tests reuse these pages: keep them shaped like the real site."""
    html = _source(name).read_text(encoding="utf-8")
    expected = json.loads((PAGES / f"{name}.expected.json").read_text(encoding="utf-8"))
    if expected["kind"] == "paper":
        assert 'data-target="PaperContent"' in html and "<h1" in html
        return
    cards = re.findall(r'<article\b.*?</article>', html, re.S)
    assert 3 <= len(cards) <= 10
    for card, paper in zip(cards, expected["papers"]):
        assert re.search(r'<h3\b[^>]*><a href="/papers/(\d{4}\.\d{5})"', card).group(1) == paper["id"]


def test_kind_comes_from_the_page_without_a_url():
    def kind(name):
        return parse_page(_source(name).read_text(encoding="utf-8")).kind

    assert [kind(n) for n in ("daily", "week", "month", "search", "trending", "paper")] == [
        "daily", "week", "month", "search", "trending", "paper"]


def test_hostile_titles_stay_text():
    page = parse_page((PAGES / "xss.html").read_text(encoding="utf-8"))
    titles = [p.title for p in page.papers]
    assert titles[0] == "<script>alert(1)</script> Prompt Injection in the Wild"
    assert "<img src=x onerror=alert(1)>" in titles[1]
    assert page.papers[2].abstract.endswith("entities like &amp; must survive as written.")


def test_cards_fill_in_when_json_is_stale():
    html = (PAGES / "stale_json.html").read_text(encoding="utf-8")
    page = parse_page(html, "https://huggingface.co/papers/date/2025-09-12")
    # The JSON describes 2509.09737 / 08827 / 06160; the cards show 04664 / 08827 / 2312.00752.
    assert [p.id for p in page.papers] == ["2509.04664", "2509.08827", "2312.00752"]
    assert page.papers[0].abstract == "" and page.papers[1].abstract  # card-only vs JSON-backed


def test_paper_page_without_json_uses_the_markup():
    html = (PAGES / "paper.html").read_text(encoding="utf-8")
    html = re.sub(r'(data-target="PaperContent") data-props="[^"]*"', r"\1", html)
    assert "data-props" not in html.split('data-target="PaperContent"')[1][:20]
    page = parse_page(html, "https://huggingface.co/papers/2509.09737")
    [p] = page.papers
    assert (p.id, p.title, p.published, p.upvotes, p.comments) == (
        "2509.09737", "World Modeling with Probabilistic Structure Integration", "2025-09-10", 4, 2)
    assert p.author_count == 16 and p.authors[0] == "Klemen Kotar"
    assert p.abstract.startswith("We present Probabilistic Structure Integration (PSI)")


def test_visible_text_is_the_last_resort():
    """No JSON, no h3 title links: a reader-view style page is read like a text copy."""
    body = "".join(f"<p>{line}</p>" for line in (PAGES / "text_copy.txt").read_text(encoding="utf-8").splitlines())
    html = f"<!doctype html><html><head><title>Daily Papers - Hugging Face</title></head><body>{body}</body></html>"
    page = parse_page(html, "https://huggingface.co/papers/date/2025-09-12")
    expected = json.loads((PAGES / "text_copy.expected.json").read_text(encoding="utf-8"))["papers"]
    assert [p.to_dict() for p in page.papers] == expected
    assert page.kind == "daily"


def test_bytes_in_utf8_with_bom_and_utf16():
    html = (PAGES / "daily.html").read_text(encoding="utf-8")
    ids = [p.id for p in parse_page(html).papers]
    assert [p.id for p in parse_page(html.encode("utf-8-sig")).papers] == ids
    assert [p.id for p in parse_page(html.encode("utf-16")).papers] == ids


def test_too_deep_for_a_dom_reads_the_visible_text():
    """Deep nesting in front of the cards: no DOM is built, the visible text still names the papers."""
    html = "<div>" * 20_000 + (PAGES / "cards_only.html").read_text(encoding="utf-8")
    page = parse_page(html, "https://huggingface.co/papers/date/2025-09-12")
    expected = json.loads((PAGES / "cards_only.expected.json").read_text(encoding="utf-8"))["papers"]
    fields = ("id", "title", "abstract", "author_count", "published", "url")
    assert [{k: p.to_dict()[k] for k in fields} for p in page.papers] == [{k: e[k] for k in fields} for e in expected]


def test_attribute_order_and_angle_brackets_in_props():
    item = {"paper": {"id": "2509.00001", "title": "a <b> c", "summary": "x > y", "upvotes": 1}, "numComments": 0}
    props = json.dumps({"dailyPapers": [item]}).replace("&", "&amp;").replace('"', "&quot;")
    for tag in (f'<div data-props="{props}" class="SVELTE_HYDRATER contents" data-target="DailyPapers">',
                f"<div class='SVELTE_HYDRATER' data-target='DailyPapers' data-props=\"{props}\">",
                f'<div\n  data-target = "DailyPapers"\n  data-props="{props}" >'):
        page = parse_page(f"<html><body>{tag}</div></body></html>")
        assert [(p.id, p.title, p.abstract) for p in page.papers] == [("2509.00001", "a <b> c", "x > y")]


def _props_page(props: dict, cards: str = "") -> str:
    blob = json.dumps(props).replace("&", "&amp;").replace('"', "&quot;").replace("<", "&lt;")
    return f'<html><body><div class="SVELTE_HYDRATER contents" data-target="DailyPapers" data-props="{blob}">' \
           f"{cards}</div></body></html>"


def test_search_without_results_is_not_the_daily_list():
    daily = [{"paper": {"id": "2509.00001", "title": "Daily One"}}]
    props = {"query": {"q": "nothing matches"}, "searchResults": [], "dailyPapers": daily}
    with pytest.raises(ParseError, match="no papers found"):
        parse_page(_props_page(props), "https://huggingface.co/papers?q=nothing+matches")
    # ...unless the cards on the page are the daily papers (the results have not come in yet).
    card = '<article><h3><a href="/papers/2509.00001">Daily One</a></h3></article>'
    assert [p.id for p in parse_page(_props_page(props, card)).papers] == ["2509.00001"]


# ---------------------------------------------------------------- JSON API shapes

API_ITEM = {
    "paper": {"id": "2602.23229", "authors": [{"_id": "1", "name": "Marco Garosi", "hidden": False},
                                              {"_id": "2", "name": "Hidden Person", "hidden": True}],
              "publishedAt": "2026-02-26T17:08:18.000Z", "title": "Large Multimodal Models as General In-Context "
              "Classifiers", "summary": "Which multimodal model…", "upvotes": 10,
              "ai_keywords": ["Vision-Language Models", "in-context learning"]},
    "publishedAt": "2026-02-26T12:08:18.000Z", "title": "Large Multimodal Models as General In-Context Classifiers",
    "summary": "Which multimodal model…", "numComments": 1,
}


def test_api_daily_papers_array():
    page = parse_page(json.dumps([API_ITEM, {"paper": {"id": "2603.00002", "title": "Second"}}]))
    assert page.kind == "api"
    first = page.papers[0]
    assert (first.id, first.authors, first.author_count, first.published, first.upvotes, first.comments) == (
        "2602.23229", ["Marco Garosi"], 1, "2026-02-26", 10, 1)
    assert first.ai_keywords == ["Vision-Language Models", "in-context learning"]
    assert [p.id for p in page.papers] == ["2602.23229", "2603.00002"]


def test_api_search_flat_items():
    flat = [{"id": "2409.00001", "title": "Flat One", "thumbnailUrl": "x", "source": "hf"},
            {"id": "not-an-arxiv-id", "title": "Flat Two"}]
    page = parse_page(json.dumps(flat).encode(), "https://huggingface.co/papers?q=flat")
    assert page.kind == "search"
    assert page.papers[0].url == "https://huggingface.co/papers/2409.00001"
    assert page.papers[1].id.startswith("t-")


def test_api_bare_paper_object():
    assert [p.id for p in parse_page(json.dumps(API_ITEM["paper"])).papers] == ["2602.23229"]


@pytest.mark.parametrize("bad", ["[1, 2, 3]", "{}", '{"dailyPapers": []}', '[{"paper": {"id": "2401.00001"}}]'])
def test_api_without_papers_is_a_clear_error(bad):
    with pytest.raises(ParseError, match="no papers found"):
        parse_page(bad)


def test_truncated_json_is_a_clear_error():
    with pytest.raises(ParseError, match="does not parse"):
        parse_page(json.dumps([API_ITEM])[:-40])


# ---------------------------------------------------------------- text copies: the odd corners

HEADER = "Daily Papers\n\nbyAK and the research community\n\nJan 5\n\n"
LONG = "We study a thing in depth, with experiments that show it works well across many settings. " * 2


def test_text_copy_odd_corners():
    text = HEADER + "\n".join([
        "Two Paragraph Paper", LONG.strip(), "A second paragraph of the same abstract, ending like a sentence.",
        "  • 3 authors", "·", "Dec 30 7",           # no year, after the page's Jan 5: the year before
        "Title Only Paper", "  • 2 authors", "·", "Jan 2",
        "Some Org", "Submitted by", "someone", "12",  # furniture between cards
        "No Metadata Paper", LONG.strip(),
        "Last Paper", LONG.strip(), "  • 1 author", "·", "Mar 3, 2024 -",
    ])
    page = parse_page(text, None)
    got = [(p.title, p.author_count, p.published, p.upvotes) for p in page.papers]
    assert got == [("Two Paragraph Paper", 3, "2024-12-30", 7), ("Title Only Paper", 2, "2025-01-02", None),
                   ("No Metadata Paper", None, None, None), ("Last Paper", 1, "2024-03-03", 0)]
    assert page.papers[0].abstract == LONG.strip() + "\n\nA second paragraph of the same abstract, ending like a sentence."
    assert page.papers[1].abstract == ""


def test_text_without_any_papers_page_shape_is_refused():
    with pytest.raises(ParseError, match="not a Hugging Face papers page"):
        parse_page("A Title Line\n\n" + LONG)
