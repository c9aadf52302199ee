"""Related lists, library search and "for you" through the annotate pipeline, its ranker and the API, on a
small library."""

from __future__ import annotations

import pytest
from conftest import HEADERS

from paperlens.ids import title_id, title_key
from paperlens.keyphrases import KeyphraseExtractor
from paperlens.annotate import Annotator
from paperlens.store import Store

TOPICS = {
    "diffusion": "Diffusion models generate images by iteratively denoising Gaussian noise with a learned score network.",
    "retrieval": "Dense retrieval encodes queries and passages into vectors and ranks passages by inner product.",
    "robotics": "Robot manipulation policies learn grasping from demonstrations with imitation learning.",
    "speech": "Automatic speech recognition transcribes audio with acoustic models and language models.",
    "graphs": "Graph neural networks pass messages between nodes to learn molecular property prediction.",
}


def paper(pid: str, title: str, abstract: str, keywords=()) -> dict:
    return {"id": pid, "title": title, "title_key": title_key(title), "abstract": abstract,
            "url": f"https://huggingface.co/papers/{pid}", "ai_keywords": list(keywords)}


def library() -> list[dict]:
    out = []
    n = 0
    for topic, text in TOPICS.items():
        for variant in range(4):
            n += 1
            out.append(paper(f"2501.{n:05d}", f"{topic.title()} study {variant}: {text.split()[0]} {text.split()[1]}",
                             f"{text} Variant {variant} adds experiments on {topic} benchmarks."))
    return out


@pytest.fixture
def ann(tmp_path):
    store = Store(tmp_path / "lib.sqlite3")
    store.record_papers(library())
    return Annotator(store, KeyphraseExtractor(embedder=object()))


def test_related_are_on_topic_exclude_self_and_duplicates(ann):
    papers = library()
    # A duplicate of the first paper under a title id (same normalized title, other case/punctuation).
    dup = paper(title_id(papers[0]["title"]), papers[0]["title"].upper() + "!", papers[0]["abstract"])
    ann.store.record_papers([dup])
    related = ann.ranker.rank_page(papers, 3).related
    for p, hits in zip(papers, related):
        ids = [h["id"] for h in hits]
        assert p["id"] not in ids and len(ids) == len(set(ids)) == 3
        titles = [title_key(ann.store.get_paper(i)["title"]) for i in ids]
        assert p["title_key"] not in titles and len(set(titles)) == 3
        topic = p["title"].split()[0]
        assert all(ann.store.get_paper(i)["title"].startswith(topic) for i in ids), (p["title"], ids)
        assert all(h["score"] > 0 and h["why"] for h in hits)
        assert [h["score"] for h in hits] == sorted((h["score"] for h in hits), reverse=True)
    # "why" shows words from the text, not stems.
    words = {w for hits in related for h in hits for w in h["why"]}
    assert "diffusion" in words and "diffus" not in words
    # Another paper on the first topic still lists one of the two duplicates, never both.
    assert sum(h["id"] in (papers[0]["id"], dup["id"]) for h in related[1]) <= 1


def test_new_and_changed_papers_are_visible_to_a_second_store_on_the_same_file(tmp_path, ann):
    other = Annotator(Store(ann.store.path), KeyphraseExtractor(embedder=object()))
    assert other.search("quantum annealing") == []  # builds its index now
    newcomer = paper("2502.00001", "Quantum annealing for scheduling", "Quantum annealers solve scheduling problems.")
    ann.store.record_papers([newcomer])
    assert [r["id"] for r in other.search("quantum annealing")] == [newcomer["id"]]
    # The abstract changes (seen again with more text): old words gone, new ones found.
    ann.store.record_papers([{**newcomer, "title": "Annealing schedules", "title_key": "annealing schedules",
                              "abstract": "Simulated annealing for timetabling."}])
    assert other.search("quantum") == []
    assert [r["id"] for r in other.search("timetabling")] == [newcomer["id"]]
    n = len(other.ranker.index)
    assert n == ann.store.count_papers() and other.ranker.index.sync() == 0


def test_scores_follow_the_library_statistics(ann):
    # IDF and avgdl move as the library grows: the incremental index equals a fresh one.
    first = ann.search("graph neural networks molecular", 5)
    ann.store.record_papers([paper(f"2503.{i:05d}", f"Graph paper {i}", "Graph neural networks everywhere.") for i in range(30)])
    again = ann.search("graph neural networks molecular", 5)
    fresh = Annotator(Store(ann.store.path), ann.extractor).search("graph neural networks molecular", 5)
    assert again == fresh and again != first


def test_for_you_ranks_papers_like_the_saved_ones(ann):
    papers = library()
    assert ann.ranker.rank_page(papers, 5).for_you == [0.0] * len(papers)
    ann.store.save_paper(papers[0]["id"])  # a diffusion paper
    for_you = ann.ranker.rank_page(papers, 5).for_you
    assert all(0.0 <= f <= 1.0 for f in for_you)
    diffusion = [f for p, f in zip(papers, for_you) if p["title"].startswith("Diffusion")]
    others = [f for p, f in zip(papers, for_you) if not p["title"].startswith("Diffusion")]
    assert min(diffusion[1:]) > max(others)
    # The saved paper itself is scored by the other saved papers (none): not 1 for being saved.
    assert diffusion[0] == 0.0


def test_related_route(client, app):
    store = app.extensions["paperlens"].store
    store.record_papers(library())
    pid = library()[5]["id"]
    r = client.get(f"/api/papers/{pid}/related?k=2", headers=HEADERS)
    assert r.status_code == 200, r.get_json()
    body = r.get_json()
    assert body["ok"] and body["id"] == pid and len(body["related"]) == 2
    assert all(set(h) == {"id", "title", "url", "score", "saved", "why"} for h in body["related"])
    store.save_paper(body["related"][0]["id"])
    again = client.get(f"/api/papers/{pid}/related", headers=HEADERS).get_json()["related"]
    # k defaults to 5, but only the paper's 3 topic mates clear the relevance floor: the other topics share
    # nothing with it but "study", "variant" and "benchmarks".
    assert len(again) == 3 and again[0]["saved"] is True and again[0]["id"] == body["related"][0]["id"]
    assert all(h["id"] != pid and h["title"].startswith("Retrieval") for h in again)


@pytest.mark.parametrize(
    "url,status",
    [
        ("/api/papers/2501.00001/related?k=0", 400),
        ("/api/papers/2501.00001/related?k=abc", 400),
        ("/api/papers/2501.00001/related?k=1000", 400),
        ("/api/papers/not-an-id/related", 400),
        ("/api/papers/2599.99999/related", 404),
        ("/api/search", 400),
        ("/api/search?q=%20%20", 400),
        ("/api/search?q=graph&k=-1", 400),
        ("/api/search?q=graph&k=x", 400),
        ("/api/search?q=" + "a" * 3000, 422),  # the guard caps every q (config.MAX_QUERY_CHARS)
    ],
)
def test_bad_params_are_clear_4xx(client, app, url, status):
    app.extensions["paperlens"].store.record_papers(library())
    r = client.get(url, headers=HEADERS)
    body = r.get_json()
    assert r.status_code == status and body["ok"] is False and body["error"]


def test_search_route(client, app):
    app.extensions["paperlens"].store.record_papers(library())
    r = client.get("/api/search?q=speech+recognition&k=3", headers=HEADERS)
    assert r.status_code == 200
    body = r.get_json()
    assert body["q"] == "speech recognition" and len(body["results"]) == 3
    assert all(h["title"].startswith("Speech") and "speech" in h["why"] for h in body["results"])
    # Only stop words: a valid query with nothing to match.
    assert client.get("/api/search?q=the+of+and", headers=HEADERS).get_json()["results"] == []


def test_snapshot_spares_a_new_process_the_build_and_stays_correct(tmp_path, monkeypatch):
    from paperlens.ranking.library_index import LibraryIndex

    monkeypatch.setattr(LibraryIndex, "SNAPSHOT_MIN_NEW", 5)
    db = tmp_path / "lib.sqlite3"
    first = Annotator(Store(db), KeyphraseExtractor(embedder=object()))
    first.store.record_papers(library())
    assert first.ranker.index.sync() == len(library())
    snap = first.ranker.index.snapshot_path
    assert snap.exists()

    # A paper's text changes and a new one arrives after the snapshot was written.
    papers = library()
    first.store.record_papers([{**papers[3], "abstract": "Speech recognition of robot commands."},
                               paper("2502.00001", "Quantum annealing", "Quantum annealers schedule jobs.")])
    second = Annotator(Store(db), first.extractor)
    assert second.ranker.index.load_snapshot()
    assert second.ranker.index.sync() == 2  # only what changed since the snapshot was (re)indexed
    fresh = Annotator(Store(db), first.extractor)
    fresh.ranker.index.snapshot_path = None
    for q in ("speech recognition robot", "quantum", "graph neural networks"):
        assert second.search(q, 5) == fresh.search(q, 5)
    assert second.ranker.rank_page(papers, 3).related == fresh.ranker.rank_page(papers, 3).related

    # A snapshot of another library file, or an unreadable one, is ignored.
    other_db = tmp_path / "other.sqlite3"
    other = Annotator(Store(other_db), first.extractor)
    other.store.record_papers(library()[:10])
    other.ranker.index.snapshot_path.write_bytes(snap.read_bytes())
    assert not other.ranker.index.load_snapshot()
    other.ranker.index.snapshot_path.write_bytes(b"not a snapshot")
    assert not other.ranker.index.load_snapshot()
    assert other.ranker.index.sync() == 10 and len(other.search("diffusion")) == 4


def test_why_shows_the_words_the_reader_saw(tmp_path):
    store = Store(tmp_path / "lib.sqlite3")
    text = "Pre-trained multi-modal encoders align images and captions with contrastive objectives."
    store.record_papers(library() + [  # enough other papers that the shared words have a positive IDF
        paper("2503.00001", "Pre-trained Multi-Modal Encoders", text),
        paper("2503.00002", "Contrastive multi-modal pre-training for captions", text + " Captions help."),
    ])
    ann = Annotator(store, KeyphraseExtractor(embedder=object()))
    why = ann.ranker.rank_page([paper("2503.00001", "Pre-trained Multi-Modal Encoders", text)], 1).related[0][0]["why"]
    assert "pre-trained" in why or "multi-modal" in why, why
    assert not {"pre", "modal", "multi", "trained"} & set(why), why
    assert len(why) == len(set(why)) == 3
