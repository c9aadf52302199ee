"""The parser on a trending page shaped like the live site (tests/e2e/live_pages.py): every paper rendered
twice (mobile and desktop layouts), organization chips, AI summaries, "Published on" dates, a `<br>` in a
title link, GitHub stars, "arXiv Page" and Upvote buttons. Expected values come from the page's records,
never from the parser."""

from __future__ import annotations

import pytest

from e2e import live_pages
from paperlens.digest import parse_page

PAPERS = live_pages.PAPERS
WRAPS = sorted(live_pages.URLS)  # "one": both layouts in one <article>; "two": an <article> each
BROKEN = next(p for p in PAPERS if "\n" in p.title)


def one_line(title: str) -> str:
    return " ".join(title.split())


def test_the_fixture_has_what_the_live_page_has():
    """Guards the fixture itself: if these drift, the tests below stop covering the live page."""
    html = live_pages.live_page("one")
    assert sum(p.org is not None for p in PAPERS) >= 2 and sum(p.shows == "summary" for p in PAPERS) >= 2
    assert html.count('data-target="DailyPapers"') == 1 and "&quot;isTrending&quot;: true" in html
    for p in PAPERS:
        assert html.count(f'<a href="/papers/{p.id}" class="line-clamp-3') == 2  # two layouts
    assert "Pretraining:<br>Robot" in html and "Pretraining:\nRobot" in html
    assert "Published on Oct 4, 2026" in html and ">Oct 4, 2026<" in html
    assert ">GitHub<" in html and ">1.3k<" in html and ">arXiv Page<" in html and ">Upvote<" in html
    assert html.count("Submitted by") == 2 * len(PAPERS)


@pytest.mark.parametrize("wrap", WRAPS)
def test_hydration_json_gives_each_paper_once_in_page_order(wrap):
    page = parse_page(live_pages.live_page(wrap), live_pages.URLS[wrap])
    assert page.kind == "trending"
    assert [(p.id, p.title) for p in page.papers] == [(p.id, one_line(p.title)) for p in PAPERS]
    assert page.papers[PAPERS.index(BROKEN)].title == "Latent Action Pretraining: Robot Policies from Unlabeled Video"
    for got, want in zip(page.papers, PAPERS):
        # The JSON knows the whole abstract and every author, also for papers whose card shows an org chip.
        assert (got.abstract, got.authors, got.published, got.upvotes, got.comments) == (
            want.abstract, list(want.authors), want.published, want.upvotes, 0)


@pytest.mark.parametrize("desktop_first", [False, True], ids=["mobile-first", "desktop-first"])
@pytest.mark.parametrize("wrap", WRAPS)
def test_cards_alone_give_each_paper_once_with_what_the_card_shows(wrap, desktop_first):
    """No hydration JSON: the cards are all there is. Whichever layout comes first ("Oct 4, 2026" or
    "Published on Oct 4, 2026"; the title's newline or its `<br>`), the paper comes out the same."""
    html = live_pages.live_page(wrap, with_json=False, desktop_first=desktop_first)
    assert "data-props" not in html
    page = parse_page(html, live_pages.URLS[wrap])
    assert page.kind == "trending"
    assert [(p.id, p.title) for p in page.papers] == [(p.id, one_line(p.title)) for p in PAPERS]
    for got, want in zip(page.papers, PAPERS):
        assert got.published == want.published
        assert got.abstract == want.card_text  # the abstract, or the AI summary the card shows instead
        if want.org:  # the chip names the organization, not an author
            assert (got.authors, got.author_count) == ([], None)
        else:  # the first four avatars' names, once, and "N authors"
            assert (got.authors, got.author_count) == (list(want.authors[:4]), len(want.authors))
        # The Upvote count (`-` is none); never GitHub's stars. The cards show no comment count.
        assert (got.upvotes, got.comments) == (want.upvotes, None)
        assert got.url == f"https://huggingface.co/papers/{want.id}"


@pytest.mark.parametrize("br", ["<br>", "<br/>", "<BR >"])
def test_a_br_in_a_title_link_is_a_word_break(br):
    """lexbor's text drops `<br>`; the words on either side must not be glued together ("Pretraining:Robot").
    The desktop-first pages above cover it too; this names the case on its own."""
    card = f'<article><h3><a href="/papers/{BROKEN.id}">Latent Action Pretraining:{br}Robot Policies</a></h3></article>'
    [p] = parse_page(f"<html><body>{card}</body></html>", live_pages.URLS["one"]).papers
    assert (p.id, p.title) == (BROKEN.id, "Latent Action Pretraining: Robot Policies")
