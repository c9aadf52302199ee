"""Our BM25 index gives rank-bm25's BM25Okapi scores, built at once or incrementally, and the analyzer
does what the related lists rely on."""

from __future__ import annotations

import json
from collections import Counter
import random

import numpy as np
import pytest
from rank_bm25 import BM25Okapi

from conftest import SHARED
from paperlens.ranking.analyzer import Analyzer
from paperlens.ranking.bm25 import B, K1, BM25Index, top_rows


def generated_corpus(n: int, seed: int = 0) -> list[tuple[str, str]]:
    """Zipf-distributed words: some in more than half of the documents (negative IDF), many rare."""
    rng = random.Random(seed)
    words = [f"w{i}" for i in range(3000)]
    weights = [1 / (i + 1) for i in range(len(words))]
    out = []
    for _ in range(n):
        out.append((" ".join(rng.choices(words, weights, k=rng.randint(3, 10))),
                    " ".join(rng.choices(words, weights, k=rng.randint(20, 150)))))
    return out


@pytest.fixture(scope="module")
def corpus() -> list[tuple[str, str]]:
    """The CSFCube abstracts (4,205 real CS papers) when the shared data is there, else generated text."""
    path = SHARED / "data" / "csfcube" / "corpus.jsonl"
    if path.exists():
        with open(path, encoding="utf-8") as f:
            return [(d["title"], d["abstract"]) for d in map(json.loads, f)]
    return generated_corpus(4000)  # as many as the tests index (more than 3,000)


@pytest.fixture(scope="module")
def terms(corpus) -> list[list[str]]:
    a = Analyzer()
    return [a.paper_terms(t, ab) for t, ab in corpus]


def assert_same_as_rank_bm25(index: BM25Index, docs: list[list[str]], rows: list[int], queries: list[list[str]]):
    ref = BM25Okapi(docs)
    ours = index.scores(queries)
    for j, q in enumerate(queries):
        expected = ref.get_scores(q)
        got = ours[rows, j]
        np.testing.assert_allclose(got, expected, rtol=1e-10, atol=1e-10)
        # Same ranking too (scores equal, ties by row order).
        want = [rows[h.row] for h in top_rows(expected, 10)]
        assert [h.row for h in top_rows(ours[:, j], 10)] == want


def test_scores_equal_rank_bm25(terms):
    assert len(terms) >= 3000
    index = BM25Index()
    index.add([(str(i), t) for i, t in enumerate(terms)])
    queries = [terms[i] for i in (0, 7, 123, 2000)] + [["neural", "network", "translat", "unseen-term"]]
    assert_same_as_rank_bm25(index, terms, list(range(len(terms))), queries)


def test_negative_idf_floor_matches_rank_bm25():
    # Words in more than half of the documents get rank-bm25's epsilon x mean IDF, not a negative one.
    docs = [(t + " " + a).split() for t, a in generated_corpus(1500, seed=3)]
    ref = BM25Okapi(docs)
    assert any(v == ref.epsilon * ref.average_idf for v in ref.idf.values())
    index = BM25Index()
    index.add([(str(i), d) for i, d in enumerate(docs)])
    assert_same_as_rank_bm25(index, docs, list(range(len(docs))), [docs[0], docs[1], ["w0", "w1", "w2"]])


def test_incremental_adds_and_replacements_equal_a_fresh_fit(terms):
    docs = terms[:2500]
    index = BM25Index()
    index.add([(str(i), t) for i, t in enumerate(docs[:1000])])
    index.scores([docs[0]])  # weights computed, then invalidated by the next adds
    for lo in range(1000, 2500, 500):
        index.add([(str(i), t) for i, t in enumerate(docs[lo : lo + 500], start=lo)])
    # Paper 5 gets a new text (an abstract appeared), paper 9 is forgotten.
    current = list(docs)
    current[5] = docs[5] + terms[3000]
    index.add([("5", current[5])])
    assert index.remove(["9"]) == 1
    live = [i for i in range(len(docs)) if i != 9]
    assert len(index) == len(live)
    rows = [index.row_of[str(i)] for i in live]
    assert_same_as_rank_bm25(index, [current[i] for i in live], rows, [current[5], docs[100], docs[9]])


def test_analyzer_folds_hyphens_acronyms_stems_and_stop_words():
    a = Analyzer()
    assert a.terms("Self-supervised") == a.terms("self supervised") == ["self", "supervis"]
    assert a.terms("LLMs") == a.terms("LLM") == a.terms("llm") == ["llm"]
    assert a.terms("VAEs and the VAE") == ["vae", "vae"]
    assert a.terms("We propose a model for the 2024 benchmarks") == ["model", "benchmark"]
    assert a.surfaces("Diffusion models for LLMs") == {"diffus": "diffusion", "model": "models", "llm": "LLM"}
    # Title counted twice, keywords once.
    assert a.paper_terms("Graph", "nets", ["graphs"]) == ["graph", "graph", "net", "graph"]


def test_top_rows_orders_by_score_then_row_and_skips():
    col = np.array([0.0, 2.0, 5.0, 2.0, -1.0, 5.0, 1.0])
    assert [h.row for h in top_rows(col, 10)] == [2, 5, 1, 3, 6]
    assert [h.row for h in top_rows(col, 2, skip=lambda r: r == 2)] == [5, 1]
    assert top_rows(np.zeros(4), 3) == []


def test_the_stop_words_are_scikit_learns_plus_ours():
    from sklearn.feature_extraction.text import ENGLISH_STOP_WORDS

    from paperlens.ranking import analyzer

    assert analyzer.SKLEARN_STOP_WORDS == ENGLISH_STOP_WORDS
    assert analyzer.STOP_WORDS == ENGLISH_STOP_WORDS | set(analyzer._EXTRA_STOP)


def test_the_server_never_imports_nltk_or_scikit_learn():
    import subprocess
    import sys

    from conftest import ROOT

    code = ("import sys; sys.path.insert(0, 'backend'); from paperlens.ranking.analyzer import analyzer; "
            "analyzer().terms('Stemming the papers'); import paperlens.app; "
            "print(sorted(m for m in sys.modules if m.split('.')[0] in ('nltk', 'sklearn')))")
    out = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, check=True).stdout
    assert out.strip() == "[]"


def test_explain_lists_each_hits_contributing_terms_most_first(terms):
    """`explain` against the BM25 formula term by term, on an index of several blocks with replaced rows."""
    index = BM25Index()
    docs = {str(i): terms[i] for i in range(600)}
    index.add(list(docs.items())[:400])
    index.add(list(docs.items())[400:])  # a second block
    docs["7"] = terms[700]  # replaced: its old row is dead, the new one lives in a third block
    index.add([("7", docs["7"])])
    queries = [terms[3], terms[450], terms[7]]
    batch = index.score_batch(queries)
    idf, avgdl = index.idf(), index.avgdl()
    pairs = []
    for j in range(len(queries)):
        pairs += [(h.row, j) for h in top_rows(batch.scores[:, j], 8)]
    pairs.append((index.row_of["7"], 0))
    for (row, j), got in zip(pairs, index.score_batch(queries).explain(pairs)):
        doc = docs[index.keys[row]]
        share = {}
        for term, count in Counter(queries[j]).items():
            tf = doc.count(term)
            col = index.vocab.get(term)
            if tf and col is not None and idf[col] > 0:
                norm = K1 * (1 - B + B * len(doc) / avgdl)
                share[term] = count * idf[col] * tf * (K1 + 1) / (tf + norm)
        want = sorted(share, key=lambda t: (-share[t], t))
        assert got == want, (row, j)
        assert sum(share.values()) == pytest.approx(batch.scores[row, j], rel=1e-9)
    assert batch.explain([]) == []


def test_surfaces_can_stop_at_the_wanted_terms():
    a = Analyzer()
    text = "Pre-trained models for LLMs and diffusion models"
    full = a.surfaces(text)
    assert a.surfaces(text, wanted={"model", "llm"}) == {"model": "models", "llm": "LLM"}
    assert a.surfaces(text, wanted={"pre", "nowhere"}) == {"pre": "pre-trained"}
    assert a.surfaces(text, wanted=set()) == {} and full["diffus"] == "diffusion"


def test_scores_are_the_same_with_scipys_public_product(terms, monkeypatch):
    """The in-place kernel (bm25._accumulate) and the public sparse product give the same scores."""
    import paperlens.ranking.bm25 as bm25

    index = BM25Index()
    index.add([(str(i), t) for i, t in enumerate(terms[:700])])
    index.add([(str(i), t) for i, t in enumerate(terms[700:900], start=700)])
    queries = [terms[1], terms[750], terms[5] + terms[6]]
    fast = index.scores(queries)
    assert bm25._kernel_ok()  # this scipy has the kernel: the fast path is the one tested above
    monkeypatch.setattr(bm25, "_kernel_checked", False)
    np.testing.assert_allclose(index.scores(queries), fast, rtol=1e-12, atol=1e-12)


def test_library_ranked_is_top_rows_with_its_skip_rule():
    """LibraryIndex.ranked applies the exclusions and one-hit-per-title in numpy; the rule is top_rows' skip."""
    from paperlens.ranking.library_index import LibraryIndex

    rng = random.Random(3)
    for trial in range(40):
        n = rng.randint(1, 300)
        index = LibraryIndex(source=None)
        index.bm25.add([(f"p{i}", ["w"]) for i in range(n)])
        index.title_keys = [rng.choice(["", "a", "b", "c", f"t{i}", f"t{i % 7}"]) for i in range(n)]
        column = np.array([rng.choice([0.0, -1.0, 1.0, 2.0, 2.0, rng.random() * 5]) for _ in range(n)])
        k = rng.randint(1, 40)
        ex_ids = {f"p{rng.randrange(n)}" for _ in range(rng.randint(0, 3))}
        ex_titles = {rng.choice(["a", "b", "", "t3"]) for _ in range(rng.randint(0, 2))}
        seen = {t for t in ex_titles if t}

        def skip(row):
            if f"p{row}" in ex_ids or index.title_keys[row] in seen:
                return True
            if index.title_keys[row]:
                seen.add(index.title_keys[row])
            return False

        want = [(h.row, h.score) for h in top_rows(column, k, skip)]
        got = [(h.row, h.score) for h in index.ranked(column, k, ex_ids, ex_titles)]
        assert got == want, trial
