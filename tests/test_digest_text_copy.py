"""Text copies (what a reader gets by selecting a papers page and copying it): every paper found, whatever its
title ends with, and what cannot be placed is said in the page's warnings, never merged or dropped silently."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from paperlens.digest import parse_page

HEADER = ["new", "Get trending papers in your email inbox!", "Subscribe", "Daily Papers",
          "byAK and the research community", "Sep 12"]

_word = st.text(st.characters(min_codepoint=97, max_codepoint=122), min_size=2, max_size=10)
_title = st.builds(
    lambda words, end: " ".join(w.capitalize() for w in words) + end,
    st.lists(_word, min_size=2, max_size=12),
    st.sampled_from([".", ",", ":", "?", "!", ""]),
)
_abstract = st.builds(
    lambda words: " ".join(words).capitalize() + ".",
    st.lists(_word, min_size=25, max_size=80),
)


def copy_of(papers: list[tuple[str, str, int, str]]) -> str:
    """A text copy in the seeds' layout: title, abstract, "• N authors", "·", the date (and upvotes)."""
    lines = list(HEADER)
    for title, abstract, authors, day in papers:
        lines += ["", title, "", abstract, "", f"  • {authors} authors", "·", day]
    return "\n".join(lines) + "\n"


@settings(max_examples=150, deadline=None)
@given(st.lists(st.tuples(_title, _abstract, st.integers(1, 60), st.sampled_from(["Sep 10 4", "Oct 4, 2025", "Sep 9"])),
                min_size=1, max_size=6, unique_by=lambda p: p[0].lower().rstrip(".,:?!")))
def test_every_paper_is_found_whatever_its_title_ends_with(papers):
    page = parse_page(copy_of(papers))
    assert [(p.title, p.abstract, p.author_count) for p in page.papers] == [(t, a, n) for t, a, n, _ in papers]
    assert page.warnings == []


def test_the_issues_example():
    first = ("Attention Is All You Need", "The dominant sequence transduction models are based on complex "
             "recurrent or convolutional neural networks in an encoder-decoder configuration.", 8, "Jun 12, 2017")
    second = ("Attention is not all you need.", "Attention-based architectures have become ubiquitous in "
              "machine learning, yet our understanding of the reasons for their effectiveness remains limited.",
              3, "Mar 5, 2021")
    for ending in (".", ",", ":", "?", "!"):
        titled = (second[0][:-1] + ending, *second[1:])
        assert [p.title for p in parse_page(copy_of([first, titled])).papers] == [first[0], titled[0]]


ABSTRACT = ("We study a problem at length and report what we found across many settings, with enough words that "
            "this reads as an abstract paragraph.")


def test_an_org_chip_above_the_date_is_not_a_paper():
    text = "\n".join(HEADER + ["Self-Correcting Code Agents with Execution Feedback", ABSTRACT, "Lumen AI", "·",
                               "Oct 2, 2026", "Sparse Attention Routers", ABSTRACT, "• 7 authors", "·", "Oct 4, 2026"])
    page = parse_page(text)
    assert [(p.title, p.published) for p in page.papers] == [
        ("Self-Correcting Code Agents with Execution Feedback", "2026-10-02"),
        ("Sparse Attention Routers", "2026-10-04"),
    ]
    assert page.warnings == []


def test_what_cannot_be_placed_is_said():
    # A paper shown without authors or date whose title ends with a period: read into the previous abstract,
    # and said so.
    merged = "\n".join(HEADER + ["First Paper Title", ABSTRACT, "A Second Paper Without Metadata.", ABSTRACT + " More.",
                                 "• 3 authors", "·", "Sep 10"])
    page = parse_page(merged)
    assert [p.title for p in page.papers] == ["First Paper Title"]
    assert len(page.warnings) == 1 and "'A Second Paper Without Metadata.'" in page.warnings[0]
    # A metadata block under no paper, and a paragraph under no title.
    orphans = "\n".join(HEADER + ["• 4 authors", "·", "Sep 10", "Real Paper Title", ABSTRACT, "• 2 authors", "·",
                                  "Sep 9"])
    page = parse_page(orphans)
    assert [p.title for p in page.papers] == ["Real Paper Title"]
    assert any("'4 authors'" in w or "'• 4 authors'" in w for w in page.warnings), page.warnings
    stray = "\n".join(HEADER + ["Real Paper Title", ABSTRACT, "• 2 authors", "·", "Sep 9", ABSTRACT * 3,
                                "Next Paper Title", ABSTRACT, "• 2 authors", "·", "Sep 8"])
    page = parse_page(stray)
    assert [p.title for p in page.papers] == ["Real Paper Title", "Next Paper Title"]
    (warning,) = page.warnings
    assert warning.startswith("left out a paragraph that follows no paper title: 'We study a problem"), warning
