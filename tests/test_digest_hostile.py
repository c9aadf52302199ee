"""Hostile or odd input: the papers really there or a clear ParseError; never a crash, a hang or an
invented paper. Property tests are bounded (max_examples, deadline) so the file runs in a few seconds."""

from __future__ import annotations

import json
import random
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from paperlens.digest import parse_page
from paperlens.errors import ParseError

PAGES = Path(__file__).resolve().parent / "pages"
DAILY = (PAGES / "daily.html").read_text(encoding="utf-8")
TEXT = (PAGES / "text_copy.txt").read_text(encoding="utf-8")
FAST = settings(max_examples=40, deadline=1500, suppress_health_check=[HealthCheck.too_slow])


def _parse_or_error(content, url=None):
    """parse_page's only allowed outcomes: a Page with papers, or ParseError."""
    try:
        page = parse_page(content, url)
    except ParseError as e:
        assert e.status == 422 and e.message
        return None
    assert page.papers
    return page


@pytest.mark.parametrize("content, message", [
    ("", "empty"), ("   \n\t  ", "empty"), (b"", "empty"), (b"\x00\x01\x02binary\xff", "binary"),
    (bytes(range(256)) * 10, "binary"), ("\x01\x02\x03\x04\x05\x06\x07\x08" * 100, "binary"),
    ("<html><body><h1>My blog</h1><p>Nothing to see.</p></body></html>", "not a Hugging Face papers page"),
    ("Dear diary,\nToday I read nothing at all.\nGood night.", "not a Hugging Face papers page"),
    ('{"dailyPapers": [{"paper": {"id": "2509.0', "does not parse"),
    ("[" * 100_000, "does not parse"),
])
def test_clear_errors(content, message):
    with pytest.raises(ParseError, match=message):
        parse_page(content)


def test_truncated_hydration_falls_back_to_cards():
    cut = DAILY.index("dailyPapers") + 3000  # mid-JSON, mid-attribute: the rest of the page is gone
    assert _parse_or_error(DAILY[:cut]) is None  # no cards survived: an error, not invented papers
    # Cut after two cards: the hydration JSON before them is whole, and it lists all five papers.
    page = parse_page(DAILY[: DAILY.index("</article>", DAILY.index("</article>") + 1) + 10])
    assert [p.id for p in page.papers] == ["2509.09737", "2509.08827", "2509.06160", "2509.07980", "2509.09372"]


def test_deeply_nested_markup_is_bounded():
    deep = "<div>" * 200_000 + "x" + "</div>" * 200_000
    with pytest.raises(ParseError):
        parse_page(deep, "https://huggingface.co/papers")
    # Real cards after deep junk: the hydration JSON still wins without building a DOM.
    page = parse_page("<div>" * 100_000 + DAILY)
    assert len(page.papers) == 5


def test_twenty_megabyte_page():
    cards = DAILY[DAILY.index("<article"): DAILY.rindex("</article>") + 10]
    big = DAILY.replace(cards, cards + "<!-- padding -->" + "<p>filler text</p>" * 1_200_000)
    assert len(big) > 20_000_000
    assert [p.id for p in parse_page(big).papers][:2] == ["2509.09737", "2509.08827"]


def test_script_in_text_copy_is_text():
    text = TEXT.replace("World Modeling with", "<script>alert(1)</script> World Modeling with")
    assert parse_page(text).papers[0].title.startswith("<script>alert(1)</script> World")


@FAST
@given(st.one_of(st.text(max_size=2000), st.binary(max_size=2000)), st.one_of(st.none(), st.text(max_size=80)))
def test_random_input_never_crashes(content, url):
    page = _parse_or_error(content, url)
    if page is not None:  # whatever came out is really in the input
        text = content.decode("utf-8", "replace") if isinstance(content, bytes) else content
        assert all(" ".join(p.title.split()[:2]) in " ".join(text.split()) for p in page.papers)


def _mutate(page: str, rnd: random.Random, n: int) -> str:
    chars = list(page)
    for _ in range(n):
        op, i = rnd.randrange(4), rnd.randrange(len(chars) or 1)
        if op == 0 and chars:
            del chars[i: i + rnd.randrange(1, 200)]
        elif op == 1:
            chars[i:i] = rnd.choice(["<", ">", '"', "'", "&quot;", "<div>", "</article>", "{", "\x00", "<!--"])
        elif op == 2 and chars:
            j = rnd.randrange(len(chars))
            chars[i:i] = chars[j: j + rnd.randrange(1, 500)]
        else:
            del chars[i:]
    return "".join(chars)


@FAST
@given(st.sampled_from(sorted(p.name for p in PAGES.iterdir() if p.suffix in (".html", ".txt"))),
       st.integers(0, 2**32), st.integers(1, 6))
def test_mutated_fixtures_never_crash(name, seed, n):
    source = (PAGES / name).read_text(encoding="utf-8")
    page = _parse_or_error(_mutate(source, random.Random(seed), n), "https://huggingface.co/papers")
    if page is not None:
        expected = json.loads((PAGES / name.rsplit(".", 1)[0].__add__(".expected.json")).read_text())
        known = {p["id"] for p in expected["papers"]} | {p["title"] for p in expected["papers"]}
        # Mutations may cut or garble a paper, but never create a new arXiv id out of nothing.
        assert all(p.id in known or p.id.startswith("t-") or p.id in source for p in page.papers)


@FAST
@given(st.recursive(st.none() | st.booleans() | st.integers() | st.text(max_size=20),
                    lambda c: st.lists(c, max_size=4) | st.dictionaries(
                        st.sampled_from(["paper", "id", "title", "summary", "authors", "upvotes", "numComments",
                                         "publishedAt", "ai_keywords", "dailyPapers", "searchResults", "name"]),
                        c, max_size=5), max_leaves=30))
def test_random_json_shapes_never_crash(data):
    _parse_or_error(json.dumps(data))
    props = json.dumps({"dailyPapers": data}).replace("&", "&amp;").replace('"', "&quot;")
    _parse_or_error(f'<div data-target="DailyPapers" data-props="{props}"></div>')


@pytest.mark.parametrize("unit", ["<a ", "<h3 ", "<p ", '<div a="', "<div data-target=DailyPapers ", "<!--",
                                  "<script>", "&quot;", "<article><h3><a href=/papers/2509.00001>"])
def test_pathological_repetition_stays_linear(unit):
    """Each pattern would make a backtracking or rescanning parser quadratic (a hang at this size)."""
    import signal

    def hang(*_):
        raise TimeoutError(f"parse_page hung on {unit!r} * N")

    old = signal.signal(signal.SIGALRM, hang)
    signal.alarm(60)
    try:
        _parse_or_error(unit * (1_000_000 // len(unit)), "https://huggingface.co/papers")
    finally:
        signal.alarm(0)
        signal.signal(signal.SIGALRM, old)
