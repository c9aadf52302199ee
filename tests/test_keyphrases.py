"""Keyphrases: candidate spans, the extractor's plumbing (hash embedder), the background worker,
the cache and `GET /api/keyphrases`. The one real-model quality test is in test_keyphrases_model.py."""

from __future__ import annotations

import threading
import time

import numpy as np
import pytest
from conftest import HEADERS, TEXT_COPY_PAPERS

from paperlens.keyphrases import KeyphraseExtractor, Settings, candidates, singular
from paperlens.keyphrase_jobs import KeyphraseJobs
from paperlens.store import MIGRATIONS, Store

ABSTRACT = (
    "Large language models (LLMs) excel at reasoning. We propose MMedBench, a multilingual medical benchmark, "
    "and show that Large Language Models memorize textual patterns. Vision-language models such as CLIP "
    "learn richly structured representations."
)


def texts(title, abstract):
    return {c.text for c in candidates(title, abstract)}


def test_candidates_are_phrases_not_stop_word_straddling_ngrams():
    got = texts("Scaling Medical Benchmarks", ABSTRACT)
    assert {"LLMs", "MMedBench", "CLIP", "multilingual medical benchmark", "vision-language models"} <= got
    assert "large language models" in {t.lower() for t in got}
    for bad in ("memorize textual", "learning richly", "richly structured", "propose MMedBench", "show", "such"):
        assert bad not in got
    # No candidate ends on an adverb or an adjective-like modifier.
    assert not any(t.split()[-1].lower() in {"multilingual", "medical", "richly", "structured"} for t in got)


def test_variants_collapse_and_casing_follows_the_text():
    cs = {c.key: c for c in candidates("", ABSTRACT)}
    # "Large language models" (sentence start) and "Large Language Models" are one candidate ...
    assert cs["large language model"].count == 2
    # ... shown as the text writes words mid-sentence: not capitalized by a sentence start, nor by the
    # capitals an acronym is introduced with ("Large Language Models (LLMs)").
    assert cs["large language model"].text == "large language models"
    assert singular("LLMs") == "LLM" and singular("studies") == "study" and singular("analysis") == "analysis"
    title_only = {c.key: c for c in candidates("Graph Neural Networks for Chemistry", "")}
    assert title_only["graph neural network"].text == "graph neural networks"
    assert title_only["graph neural network"].in_title


class CountingEmbedder:
    """Wraps the hash embedder and records every text it embeds."""

    def __init__(self, inner):
        self.inner = inner
        self.name = "counting-hash"
        self.seen: list[str] = []

    def embed(self, documents, verbose=False):
        self.seen.extend(documents)
        return self.inner.embed(documents, verbose)


def test_extractor_shape_settings_and_phrase_memo(embedder):
    counting = CountingEmbedder(embedder)
    ex = KeyphraseExtractor(embedder=counting, settings=Settings(top_n=3, diversity=0.5))
    docs = [("Scaling Medical Benchmarks", ABSTRACT), ("Large Language Models Memorize", ABSTRACT[:120]), ("", "")]
    out = ex.extract(docs)
    assert len(out) == 3 and out[2] == []
    assert all(1 <= len(kws) <= 3 for kws in out[:2])
    for kws in out[:2]:
        phrases = [p for p, _ in kws]
        assert len({p.lower() for p in phrases}) == len(phrases)
        assert [s for _, s in kws] == sorted((s for _, s in kws), reverse=True)
    # Every unique phrase embedded once, even though both papers share phrases ...
    phrases_embedded = [t for t in counting.seen if t not in {f"{a}. {b}" for a, b in docs}]
    assert len(phrases_embedded) == len(set(phrases_embedded))
    # ... and a second batch with the same papers embeds no phrase again (documents only).
    before = len(counting.seen)
    assert ex.extract(docs[:2]) == out[:2]
    assert len(counting.seen) - before == 2

    other = KeyphraseExtractor(embedder=counting, settings=Settings(top_n=4, diversity=0.5))
    assert other.cache_key("t", "a") != ex.cache_key("t", "a")
    assert ex.cache_key("t", "a") != ex.cache_key("t", "b")
    assert KeyphraseExtractor(embedder=counting, settings=Settings(3, 0.5)).cache_key("t", "a") == ex.cache_key("t", "a")
    with pytest.raises(ValueError):
        Settings(top_n=0)
    with pytest.raises(ValueError):
        Settings(diversity=1.5)


def test_phrase_embeddings_persist_in_the_library(tmp_path, embedder):
    store = Store(tmp_path / "lib.sqlite3")
    assert store.schema_version() == len(MIGRATIONS)
    counting = CountingEmbedder(embedder)
    ex = KeyphraseExtractor(embedder=counting, phrase_cache=store.phrase_embeddings())
    first = ex.extract([("Scaling Medical Benchmarks", ABSTRACT)])
    # A new process (fresh memo) reads phrase vectors from the library instead of embedding them.
    counting2 = CountingEmbedder(embedder)
    ex2 = KeyphraseExtractor(embedder=counting2, phrase_cache=Store(tmp_path / "lib.sqlite3").phrase_embeddings())
    assert ex2.extract([("Scaling Medical Benchmarks", ABSTRACT)]) == first
    assert counting2.seen == [f"Scaling Medical Benchmarks. {ABSTRACT}"]
    vecs = store.phrase_embeddings().get_many("counting-hash", ["clip"])
    assert np.isclose(np.linalg.norm(vecs["clip"]), 1.0, atol=1e-5)


class GatedExtractor(KeyphraseExtractor):
    """Counts the papers it extracts; blocks until `gate` is set, so tests can see pending work."""

    def __init__(self, embedder, fail=False, **kw):
        super().__init__(embedder=embedder, **kw)
        self.gate = threading.Event()
        self.extracted: list[str] = []
        self.fail = fail

    def extract_with_vectors(self, docs):  # what the background worker calls
        assert self.gate.wait(30)
        self.extracted.extend(t for t, _ in docs)
        if self.fail:
            raise RuntimeError("model exploded")
        return super().extract_with_vectors(docs)


def papers_of(n):
    return [
        {"id": f"2509.{i:05d}", "title": f"Paper {i} on Diffusion Transformers", "abstract": ABSTRACT, "title_key": f"p{i}"}
        for i in range(n)
    ]


def test_worker_pending_then_ready_deduped_and_cached(tmp_path, embedder):
    store = Store(tmp_path / "lib.sqlite3")
    ex = GatedExtractor(embedder)
    annotator = KeyphraseJobs(store, ex)
    try:
        papers = papers_of(4)
        store.record_papers(papers)
        assert annotator.for_papers(papers) == [None] * 4
        # Asked again while in flight (a second tab, a poll): nothing is queued twice.
        assert annotator.for_papers(papers[:2]) == [None] * 2
        by_id = annotator.by_id([p["id"] for p in papers] + ["2509.99999"])
        assert by_id["pending"] == [p["id"] for p in papers] and by_id["unknown"] == ["2509.99999"]
        ex.gate.set()
        ready = annotator.for_papers(papers, wait=True)
        assert all(kws and set(kws[0]) == {"phrase", "score"} for kws in ready)
        assert sorted(ex.extracted) == sorted(p["title"] for p in papers)
        # Cached: never recomputed, not even by a new annotator on the same library.
        again = KeyphraseJobs(store, ex)
        assert again.for_papers(papers) == ready
        assert annotator.by_id([papers[0]["id"]]) == {
            "keyphrases": {papers[0]["id"]: ready[0]},
            "pending": [],
            "unknown": [],
        }
        assert len(ex.extracted) == 4
        # Another setting is another cache entry.
        wider = KeyphraseJobs(store, GatedExtractor(embedder, settings=Settings(top_n=7, floors=())))
        wider.extractor.gate.set()
        assert wider.for_papers(papers[:1]) == [None]
        assert len(wider.for_papers(papers[:1], wait=True)[0]) > len(ready[0])
        wider.close()
    finally:
        ex.gate.set()
        annotator.close()


def test_failed_batch_stops_polling_and_wait_reports_it(tmp_path, embedder):
    store = Store(tmp_path / "lib.sqlite3")
    ex = GatedExtractor(embedder, fail=True)
    ex.gate.set()
    annotator = KeyphraseJobs(store, ex)
    try:
        papers = papers_of(2)
        store.record_papers(papers)
        from paperlens.errors import PaperLensError

        with pytest.raises(PaperLensError) as e:
            annotator.for_papers(papers, wait=True)
        assert e.value.status == 503 and "model exploded" in e.value.message
        # A poller gets [] (not pending forever); the next annotate retries.
        assert annotator.by_id([papers[0]["id"]])["keyphrases"] == {papers[0]["id"]: []}
        ex.fail = False
        assert all(annotator.for_papers(papers, wait=True))
    finally:
        annotator.close()


def poll(client, ids, timeout=30.0):
    deadline = time.monotonic() + timeout
    while True:
        body = client.get(f"/api/keyphrases?ids={','.join(ids)}", headers=HEADERS).get_json()
        if not body["pending"] or time.monotonic() > deadline:
            return body
        time.sleep(0.02)


def test_api_answers_at_once_then_polling_fills_in(app, client, text_copy):
    ex = app.extensions["paperlens"].extractor
    gate = threading.Event()
    real = ex.extract_with_vectors  # what the background worker calls
    ex.extract_with_vectors = lambda docs: (gate.wait(30), real(docs))[1]
    r = client.post("/api/annotate", json={"text": text_copy}, headers=HEADERS)
    assert r.status_code == 200
    papers = r.get_json()["papers"]
    assert len(papers) == TEXT_COPY_PAPERS and all(p["pending"] is True and p["keyphrases"] == [] for p in papers)
    ids = [p["id"] for p in papers]
    body = client.get(f"/api/keyphrases?ids={','.join(ids)}", headers=HEADERS).get_json()
    assert body["ok"] is True and body["pending"] == ids and body["keyphrases"] == {}
    gate.set()
    body = poll(client, ids)
    assert body["pending"] == [] and set(body["keyphrases"]) == set(ids)
    assert all(kws for kws in body["keyphrases"].values())
    again = client.post("/api/annotate", json={"text": text_copy}, headers=HEADERS).get_json()["papers"]
    assert all(p["pending"] is False for p in again)
    assert {p["id"]: p["keyphrases"] for p in again} == body["keyphrases"]
    app.extensions["paperlens"].close()


def test_keyphrases_route_rejects_bad_input(client):
    cases = [
        ("/api/keyphrases", 400),
        ("/api/keyphrases?ids=", 400),
        ("/api/keyphrases?ids=nope", 400),
        ("/api/keyphrases?ids=" + ",".join(f"2509.{i:05d}" for i in range(501)), 400),
    ]
    for url, status in cases:
        r = client.get(url, headers=HEADERS)
        assert r.status_code == status and r.get_json()["ok"] is False
    assert client.get("/api/keyphrases?ids=2509.00001").status_code == 403
    r = client.post("/api/annotate", json={"text": "x", "wait": "yes"}, headers=HEADERS)
    assert r.status_code == 400 and "wait" in r.get_json()["error"]
    assert client.get("/api/keyphrases?ids=2509.00001", headers=HEADERS).get_json() == {
        "ok": True,
        "keyphrases": {},
        "pending": [],
        "unknown": ["2509.00001"],
    }


def test_settings_from_app_config(tmp_path, embedder, text_copy):
    from paperlens.app import create_app
    from paperlens.errors import PaperLensError

    app = create_app(
        {"DB_PATH": str(tmp_path / "l.sqlite3"), "EMBEDDER": embedder, "KEYPHRASES_TOP_N": 2, "KEYPHRASES_DIVERSITY": 0.9}
    )
    papers = app.test_client().post("/api/annotate", json={"text": text_copy, "wait": True}, headers=HEADERS).get_json()
    assert all(1 <= len(p["keyphrases"]) <= 2 for p in papers["papers"])
    assert app.extensions["paperlens"].extractor.settings == Settings(top_n=2, diversity=0.9)
    with pytest.raises(PaperLensError, match="top_n must be 1..50"):
        create_app({"DB_PATH": str(tmp_path / "m.sqlite3"), "EMBEDDER": embedder, "KEYPHRASES_TOP_N": 0})
    assert not (tmp_path / "m.sqlite3").exists()  # refused before the library was opened
    app.extensions["paperlens"].close()
