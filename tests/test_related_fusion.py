"""BM25 + document-embedding fusion: the pure fusion function, embeddings stored with keyphrases,
and the service re-ranking only BM25's candidates (off = pure BM25; missing embeddings = BM25)."""

from __future__ import annotations

import math

import numpy as np
import pytest
from test_related_service import library, paper

from paperlens.keyphrases import KeyphraseExtractor
from paperlens.annotate import Annotator
from paperlens.ranking import make_ranker
from paperlens.ranking.fusion import fuse_scores
from paperlens.store import Store


def z(v):
    v = np.asarray(v, dtype=np.float64)
    return (v - v.mean()) / (v.std() or 1.0)


# ---------------------------------------------------------------- the pure function


def test_fuse_scores_is_the_weighted_sum_of_z_scores():
    bm25 = np.array([4.0, 3.0, 2.0, 1.0])
    cos = np.array([0.1, 0.2, 0.9, 0.3])
    fused = fuse_scores(bm25, cos, 0.5)
    assert np.allclose(fused, 0.5 * z(bm25) + 0.5 * z(cos))
    # The third BM25 candidate is by far the closest in embedding space: it moves to the top.
    assert list(np.argsort(-fused, kind="stable")) == [2, 0, 1, 3]
    assert np.allclose(fuse_scores(bm25, cos, 0.0), z(bm25))  # weight 0 = BM25's order
    assert np.allclose(fuse_scores(bm25, cos, 1.0), z(cos))
    # Constant inputs do not divide by zero.
    assert np.allclose(fuse_scores(np.ones(3), np.ones(3)), 0.0)
    assert fuse_scores(np.array([]), np.array([])).shape == (0,)


def test_fuse_scores_candidates_without_embeddings_keep_z_of_bm25():
    bm25 = np.array([4.0, 3.0, 2.0, 1.0])
    cos = np.array([np.nan, 0.2, 0.9, np.nan])
    fused = fuse_scores(bm25, cos, 0.5)
    zb = z(bm25)
    assert fused[0] == pytest.approx(zb[0]) and fused[3] == pytest.approx(zb[3])
    zc = z([0.2, 0.9])
    assert fused[1] == pytest.approx(0.5 * zb[1] + 0.5 * zc[0])
    assert fused[2] == pytest.approx(0.5 * zb[2] + 0.5 * zc[1])
    # Fewer than two embeddings: nothing to compare, BM25's order.
    one = fuse_scores(bm25, np.array([np.nan, np.nan, 0.9, np.nan]))
    assert np.allclose(one, zb) and list(np.argsort(-one, kind="stable")) == [0, 1, 2, 3]


# ---------------------------------------------------------------- embeddings are stored


def test_document_embeddings_are_stored_when_keyphrases_are_computed(tmp_path, embedder):
    store = Store(tmp_path / "lib.sqlite3")
    papers = library()[:3]
    store.record_papers(papers)
    ann = Annotator(store, KeyphraseExtractor(embedder=embedder))
    try:
        kws = ann.keyphrases.for_papers(papers, wait=True)
    finally:
        ann.close()
    assert all(kws)
    got = store.get_paper_embeddings("hash-embedder", [p["id"] for p in papers] + ["2599.99999"])
    assert sorted(got) == sorted(p["id"] for p in papers)
    for p in papers:
        want = embedder.embed([f"{p['title']}. {p['abstract']}"])[0]
        assert np.allclose(got[p["id"]], want / np.linalg.norm(want), atol=1e-6)
    assert store.get_paper_embeddings("another-model", [papers[0]["id"]]) == {}
    # The vectors are the ones the keyphrase ranking used: extract() is unchanged by exposing them.
    ex = KeyphraseExtractor(embedder=embedder)
    docs = [(p["title"], p["abstract"]) for p in papers] + [("", "")]
    phrases, vecs = ex.extract_with_vectors(docs)
    assert phrases == ex.extract(docs) and vecs[-1] is None and len(vecs) == len(docs)


# ---------------------------------------------------------------- the vectors held in memory


def test_paper_vectors_follow_the_store(tmp_path):
    from paperlens.ranking.vectors import PaperVectors

    store = Store(tmp_path / "lib.sqlite3")
    vectors = PaperVectors(store, "m")
    assert vectors.sync() == 0 and len(vectors) == 0
    store.put_keyphrases({}, embeddings=("m", {"a": [1.0, 0.0], "b": [0.0, 1.0]}))
    store.put_keyphrases({}, embeddings=("other", {"a": [0.0, 1.0, 0.0]}))  # another model: not ours
    assert vectors.sync() == 2 and vectors.sync() == 0
    got = vectors.cosines([np.array([1.0, 0.0]), np.array([1.0, 0.0, 0.0]), None], [["a", "b", "missing"], ["a"], ["a"]])
    assert np.allclose(got[0][:2], [1.0, 0.0]) and np.isnan(got[0][2])
    assert np.isnan(got[1]).all() and np.isnan(got[2]).all()  # another dimension; no query vector
    assert vectors.cosines([], []) == []
    with pytest.raises(ValueError, match="one query per list"):
        vectors.cosines([np.array([1.0, 0.0])], [["a"], ["b"]])
    empty, one = vectors.cosines([np.array([1.0, 0.0])] * 2, [[], ["b", "a"]])  # a paper with no candidates
    assert len(empty) == 0 and np.allclose(one, [0.0, 1.0])
    # A recomputed vector replaces the old one (it is stored under a new rowid); growth keeps the rest.
    store.put_keyphrases({}, embeddings=("m", {"a": unit(0.5)}))
    store.put_keyphrases({}, embeddings=("m", {f"p{i}": unit(0.1) for i in range(3000)}))
    assert vectors.sync() == 3001 and len(vectors) == 3002
    assert vectors.cosines([np.array([1.0, 0.0])], [["a"]])[0][0] == pytest.approx(0.5, abs=1e-3)
    assert np.allclose(vectors.get("b"), [0.0, 1.0]) and vectors.get("p2999") is not None
    held = vectors._mat  # a new page's vectors fit in the room left: the matrix is not copied for each page
    store.put_keyphrases({}, embeddings=("m", {f"n{i}": unit(0.2) for i in range(100)}))
    assert vectors.sync() == 100 and vectors._mat is held
    # A damaged blob is no vector (that paper ranks by BM25), and it does not stop the rest.
    with store.transaction() as conn:
        conn.execute("INSERT INTO paper_embedding (paper_id, model, dim, vec) VALUES ('bad', 'm', 2, x'00')")
    store.put_keyphrases({}, embeddings=("m", {"c": [0.0, 1.0]}))
    assert vectors.sync() == 1 and vectors.get("bad") is None and vectors.get("c") is not None


def test_paper_vectors_start_over_when_the_library_file_is_replaced(tmp_path):
    from paperlens.ranking.vectors import PaperVectors

    store = Store(tmp_path / "lib.sqlite3")
    store.put_keyphrases({}, embeddings=("m", {f"p{i}": [1.0, 0.0] for i in range(5)}))
    vectors = PaperVectors(store, "m")
    vectors.sync()
    with store.transaction() as conn:  # what copying an older backup over the file looks like to a reader
        conn.execute("DELETE FROM paper_embedding")
    store.put_keyphrases({}, embeddings=("m", {"q": [0.0, 1.0]}))
    assert vectors.sync() == 1 and len(vectors) == 1 and vectors.get("p0") is None


# ---------------------------------------------------------------- the fusion ranker


def unit(c: float) -> list[float]:
    """A 2-d unit vector with cosine `c` to [1, 0]."""
    return [c, math.sqrt(max(0.0, 1 - c * c))]


def make_annotator(path) -> Annotator:
    store = Store(path)
    papers = library()
    papers.append(paper("2502.00001", "Quantum annealing for scheduling", "Quantum annealers solve scheduling problems."))
    store.record_papers(papers)
    return Annotator(store, KeyphraseExtractor(embedder=object()))


@pytest.fixture
def ann(tmp_path, monkeypatch):
    monkeypatch.setattr("paperlens.ranking.fusion.FUSION_CANDIDATES", 6)
    return make_annotator(tmp_path / "lib.sqlite3")


def related(ranker, query, k):
    return ranker.rank_page([query], k).related[0]


def bm25_hits(ann, query, k):
    """The same library ranked by BM25 alone."""
    return related(make_ranker("bm25", ann.store), query, k)


def put_vectors(ann, vectors: dict):
    ann.store.put_keyphrases({}, embeddings=(ann.extractor.model_name, vectors))


def test_fusion_reorders_only_within_bm25_candidates(ann):
    query = library()[0]
    base = bm25_hits(ann, query, 6)
    assert len(base) == 6
    outsider = "2502.00001"  # not a BM25 candidate at all (no shared words)
    assert outsider not in [h["id"] for h in base]
    # Embeddings favour BM25's worst candidates; the outsider is a perfect embedding match.
    cos = [0.1, 0.2, 0.3, 0.5, 0.8, 0.95]
    vectors = {h["id"]: unit(c) for h, c in zip(base, cos)}
    vectors[query["id"]] = [1.0, 0.0]
    vectors[outsider] = [1.0, 0.0]
    put_vectors(ann, vectors)

    fused = related(ann.ranker, query, 3)
    want = fuse_scores(np.array([h["score"] for h in base]), np.array(cos), 0.5)
    order = np.argsort(-want, kind="stable")[:3]
    assert [h["id"] for h in fused] == [base[i]["id"] for i in order]
    assert [h["id"] for h in fused] != [h["id"] for h in base[:3]]  # it did re-order
    assert {h["id"] for h in fused} <= {h["id"] for h in base} and outsider not in [h["id"] for h in fused]
    # The vectors are held as float16 (ranking.vectors): a cosine moves by < 1e-3, a z-score by about as much.
    assert [h["score"] for h in fused] == pytest.approx([float(want[i]) for i in order], abs=5e-3)
    # "why" is still BM25's explanation of the same paper.
    why = {h["id"]: h["why"] for h in base}
    assert all(h["why"] == why[h["id"]] for h in fused)
    # The API shape is unchanged.
    shaped = ann.related_to(query["id"], 3)
    assert [h["id"] for h in shaped] == [h["id"] for h in fused]
    assert set(shaped[0]) == {"id", "title", "url", "score", "saved", "why"}

    # BM25 alone: its order and scores, embeddings or not.
    assert bm25_hits(ann, query, 3) == base[:3]


def test_missing_embeddings_fall_back_to_bm25(ann, tmp_path):
    query = library()[0]
    base = bm25_hits(ann, query, 6)
    # No embeddings at all: identical to BM25 (scores included).
    assert related(ann.ranker, query, 3) == base[:3]
    # Candidates have embeddings but the query paper does not: still BM25.
    put_vectors(ann, {h["id"]: unit(0.9 - 0.1 * i) for i, h in enumerate(reversed(base))})
    assert related(ann.ranker, query, 3) == base[:3]
    # The query has one, but only one candidate has one of the same dimension: BM25.
    ann2 = make_annotator(tmp_path / "two.sqlite3")
    put_vectors(ann2, {query["id"]: [1.0, 0.0], base[5]["id"]: [1.0, 0.0], base[4]["id"]: [1.0, 0.0, 0.0]})
    assert related(ann2.ranker, query, 3) == base[:3]
    # Some candidates without embeddings: they keep z(BM25), the rest are fused.
    ann3 = make_annotator(tmp_path / "three.sqlite3")
    cos = [np.nan, 0.2, np.nan, 0.5, 0.9, np.nan]
    put_vectors(ann3, {query["id"]: [1.0, 0.0], **{h["id"]: unit(c) for h, c in zip(base, cos) if not np.isnan(c)}})
    want = fuse_scores(np.array([h["score"] for h in base]), np.array(cos), 0.5)
    order = np.argsort(-want, kind="stable")[:3]
    got = related(ann3.ranker, query, 3)
    assert [h["id"] for h in got] == [base[i]["id"] for i in order]
    assert [h["id"] for h in got] != [h["id"] for h in base[:3]]


def test_ranker_setting(tmp_path, embedder):
    from click.testing import CliRunner

    from paperlens.app import create_app
    from paperlens.cli import cli
    from paperlens.errors import PaperLensError

    on = create_app({"TESTING": True, "DB_PATH": str(tmp_path / "a.sqlite3"), "EMBEDDER": embedder})
    off = create_app({"TESTING": True, "DB_PATH": str(tmp_path / "b.sqlite3"), "EMBEDDER": embedder,
                      "RELATED_RANKER": "bm25"})
    assert type(on.extensions["paperlens"].ranker).__name__ == "FusionRanker"
    assert type(off.extensions["paperlens"].ranker).__name__ == "BM25Ranker"
    with pytest.raises(PaperLensError, match="unknown RELATED_RANKER"):
        create_app({"TESTING": True, "DB_PATH": str(tmp_path / "c.sqlite3"), "RELATED_RANKER": "nope"})
    out = CliRunner().invoke(cli, ["serve", "--help"]).output
    assert "--ranker [bm25|fusion]" in out


def test_annotate_stores_embeddings_and_fuses_through_the_api(tmp_path, embedder):
    from conftest import HEADERS
    from test_related_service import library

    from paperlens.app import create_app

    db = str(tmp_path / "library.sqlite3")
    on = create_app({"TESTING": True, "DB_PATH": db, "EMBEDDER": embedder})
    off = create_app({"TESTING": True, "DB_PATH": db, "EMBEDDER": embedder, "RELATED_RANKER": "bm25"})
    # Five topics of four papers: each paper's three topic mates are its closest.
    cards = [{"key": p["id"], "id": p["id"], "title": p["title"], "summary": p["abstract"]} for p in library()]
    try:
        first = on.test_client().post("/api/annotate", json={"cards": cards, "wait": True}, headers=HEADERS)
        assert first.status_code == 200
        ids = [p["id"] for p in first.get_json()["papers"]]
        store = on.extensions["paperlens"].store
        assert set(store.get_paper_embeddings("hash-embedder", ids)) == set(ids)
        store.save_paper(ids[0])

        def both():
            return [app.test_client().post("/api/annotate", json={"cards": cards}, headers=HEADERS).get_json()["papers"]
                    for app in (on, off)]

        fused, plain = both()
        assert [p["id"] for p in fused] == [p["id"] for p in plain] == ids
        assert all(p["pending"] is False for p in fused)
        for f in fused:
            topic = f["title"].split()[0]
            assert [h["title"].split()[0] for h in f["related"][:3]] == [topic] * 3
            for h in f["related"]:
                assert set(h) == {"id", "title", "url", "score", "saved", "why", "on_page"} and h["why"]
                assert h["on_page"] is True  # the whole library is on this page
        # Some related lists are re-ordered by the embeddings, and for_you blends in their cosine (the mean
        # of BM25 closeness and cosine): other numbers, the same story. The saved paper's topic mates are
        # close to it, with it as the reason; the saved paper itself has no other seed (0).
        assert [[h["id"] for h in p["related"]] for p in fused] != [[h["id"] for h in p["related"]] for p in plain]
        assert [p["for_you"] for p in fused] != [p["for_you"] for p in plain]
        for answer in (fused, plain):
            assert answer[0]["for_you"] == 0.0 and answer[0]["for_you_because"] == []
            assert min(p["for_you"] for p in answer[1:4]) > 0.9 > max(p["for_you"] for p in answer[4:])
            assert all(p["for_you_mark"] and [b["id"] for b in p["for_you_because"]] == [ids[0]] for p in answer[1:4])
    finally:
        on.extensions["paperlens"].close()
        off.extensions["paperlens"].close()
