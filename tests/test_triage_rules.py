"""The pure triage rules (paperlens.triage): which cards get the "close to your library" mark, what a muted
term may be and which papers it matches."""

from __future__ import annotations

import pytest

from paperlens import config
from paperlens.errors import PaperLensError
from paperlens.triage import MuteMatcher, check_mute, mark_for_you


def test_the_mark_takes_the_best_few_over_the_floor_and_everything_sure():
    floor, sure = config.FOR_YOU_MARK_FLOOR, config.FOR_YOU_MARK_SURE
    # A 30-card page whose closest papers are modest (the day): its best 3 are marked.
    page = [0.25, 0.22, 0.2, 0.18] + [0.05] * 26
    assert mark_for_you(page) == [True, True, True] + [False] * 27
    # Nothing close: nothing marked, however few the page has.
    assert mark_for_you([floor - 0.01] * 30) == [False] * 30
    # Many close papers: the best 10% of a 100-card page, and every one at or over "sure".
    page = [sure + 0.1] * 12 + [sure - 0.1] * 20 + [0.0] * 68
    assert mark_for_you(page) == [True] * 12 + [False] * 88
    page = [0.4] * 20 + [0.0] * 80
    assert sum(mark_for_you(page)) == 20  # ties at the quota's edge are all marked
    page = [0.45 - i / 1000 for i in range(20)] + [0.0] * 80
    assert mark_for_you(page) == [True] * 10 + [False] * 90
    # Dismissed papers are never marked and take no place.
    assert mark_for_you([0.9, 0.3, 0.2, 0.16], [False, True, True, True]) == [False, True, True, True]
    assert mark_for_you([]) == []


@pytest.mark.parametrize(
    "term, kind, expected",
    [
        ("  Large   Language Models ", "phrase", ("phrase", "Large Language Models", "large language models")),
        ("Benchmark", "word", ("word", "Benchmark", "benchmark")),
        ("long-context", "word", ("word", "long-context", "long-context")),
        ("José  Müller", "author", ("author", "José Müller", "jose muller")),
    ],
)
def test_mutes_are_normalized(term, kind, expected):
    assert check_mute(term, kind) == expected


def test_words_and_phrases_match_by_stems_authors_by_whole_names():
    matcher = MuteMatcher([
        {"term": "benchmarks", "kind": "word"},
        {"term": "graph neural network", "kind": "phrase"},
        {"term": "long-context", "kind": "word"},
        {"term": "Jose Muller", "kind": "author"},
    ])
    paper = {"title": "Graph Neural Networks for Long-Context Molecules",
             "abstract": "We benchmark message passing.", "authors": ["José Müller", "Ada Lovelace"]}
    assert [m["term"] for m in matcher.match(paper)] == ["benchmarks", "graph neural network", "long-context",
                                                         "Jose Muller"]
    # A phrase is its stems in a row, in one field: not split across title and abstract, not out of order.
    assert matcher.match({"title": "A graph neural", "abstract": "network for molecules"}) == []
    assert matcher.match({"title": "Neural graph networks", "abstract": ""}) == []
    assert matcher.match({"title": "A graph of neural networks", "abstract": ""})[0]["term"] == "graph neural network"
    # An author is a whole name, not part of one.
    assert matcher.match({"title": "x", "authors": ["Jose Muller-Smith", "Muller"]}) == []
    assert not MuteMatcher([]) and MuteMatcher([]).match(paper) == []


@pytest.mark.parametrize(
    "term, kind",
    [("x", "topic"), ("", "word"), ("a b", "word"), ("and the", "phrase"), ("1999", "word"), ("!!", "author"),
     (None, "word"), ("x" * (config.MAX_MUTE_TERM_CHARS + 1), "author")],
)
def test_what_can_never_match_is_refused(term, kind):
    with pytest.raises(PaperLensError) as e:
        check_mute(term, kind)
    assert e.value.status == 400
