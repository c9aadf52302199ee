"""The keyphrase queue every server process shares (store/queue.py, keyphrase_jobs.py): a paper is computed
once however many processes ask, the cards on screen first, and a dead process's claim is taken over."""

from __future__ import annotations

import threading
import time

from conftest import HEADERS
from test_keyphrases import GatedExtractor, papers_of

from paperlens.keyphrase_jobs import KeyphraseJobs
from paperlens.store import Store


def jobs_on(path, embedder, **kw) -> KeyphraseJobs:
    """One 'process': its own store connection and worker on the library at `path`."""
    return KeyphraseJobs(Store(path), GatedExtractor(embedder, **kw))


def test_two_processes_compute_each_paper_once(tmp_path, embedder):
    path = tmp_path / "lib.sqlite3"
    papers = papers_of(20)
    Store(path).record_papers(papers)
    a, b = jobs_on(path, embedder), jobs_on(path, embedder)
    try:
        assert a.for_papers(papers) == [None] * 20
        assert b.for_papers(papers[::-1]) == [None] * 20  # another tab, another worker: queued once
        a.extractor.gate.set()
        b.extractor.gate.set()
        results = {}
        threads = [threading.Thread(target=lambda j=j: results.update({j: j.for_papers(papers, wait=True)}))
                   for j in (a, b)]
        for t in threads:
            t.start()
        for t in threads:
            t.join(60)
        assert results[a] == results[b] and all(results[a])
        extracted = a.extractor.extracted + b.extractor.extracted
        assert sorted(extracted) == sorted(p["title"] for p in papers)  # each exactly once, between them
    finally:
        a.extractor.gate.set()
        b.extractor.gate.set()
        a.close()
        b.close()


def test_the_cards_on_screen_first_then_page_order(tmp_path, embedder):
    store = Store(tmp_path / "lib.sqlite3")
    papers = papers_of(20)
    store.record_papers(papers)
    jobs = KeyphraseJobs(store, GatedExtractor(embedder))
    try:
        on_screen = [papers[17]["id"], papers[3]["id"], papers[18]["id"]]
        jobs.for_papers(papers, first=on_screen)
        jobs.extractor.gate.set()
        jobs.for_papers(papers, wait=True)
        batch = jobs.worker.BATCH
        first_batch = jobs.extractor.extracted[:batch]
        rest = [p["title"] for p in papers if p["id"] not in on_screen]
        assert first_batch == [papers[17]["title"], papers[3]["title"], papers[18]["title"]] + rest[: batch - 3]
        assert jobs.extractor.extracted[batch:] == rest[batch - 3:]
    finally:
        jobs.close()


def test_a_new_page_starts_with_small_batches(tmp_path, embedder):
    """The passes after a page queues papers ramp up (RAMP: the first cards fill in sooner), then BATCH at a
    time; a poll that queues nothing new does not start the ramp again."""

    class Batches(GatedExtractor):
        def __init__(self, embedder):
            super().__init__(embedder)
            self.sizes = []

        def extract_with_vectors(self, docs):
            self.sizes.append(len(docs))
            return super().extract_with_vectors(docs)

    store = Store(tmp_path / "lib.sqlite3")
    papers = papers_of(30)
    store.record_papers(papers)
    jobs = KeyphraseJobs(store, Batches(embedder))
    try:
        jobs.for_papers(papers, first=[p["id"] for p in papers[:12]])
        jobs.by_id([p["id"] for p in papers[:12]])  # the reader's poll
        jobs.extractor.gate.set()
        assert all(jobs.for_papers(papers, wait=True, timeout=30))
        w = jobs.worker
        ramp = list(w.RAMP)
        assert ramp and ramp == sorted(ramp) and ramp[-1] < w.BATCH
        rest = 30 - sum(ramp)
        assert jobs.extractor.sizes == ramp + [w.BATCH] * (rest // w.BATCH) + ([rest % w.BATCH] if rest % w.BATCH else [])
    finally:
        jobs.close()


def test_a_poll_moves_its_papers_ahead(tmp_path, embedder):
    store = Store(tmp_path / "lib.sqlite3")
    papers = papers_of(20)
    store.record_papers(papers)
    jobs = KeyphraseJobs(store, GatedExtractor(embedder))
    try:
        # Held as a request holds it, so the worker claims nothing between the queueing and the poll (else
        # it may already have claimed the page's first papers: a race of this test, not of the product,
        # where the page's own request names what is on screen).
        with jobs.held():
            jobs.for_papers(papers)
            scrolled_to = [p["id"] for p in papers[12:16]]
            assert jobs.by_id(scrolled_to)["pending"] == scrolled_to  # the reader scrolled down: these first
        jobs.extractor.gate.set()
        jobs.for_papers(papers, wait=True)
        assert jobs.extractor.extracted[:4] == [p["title"] for p in papers[12:16]]
    finally:
        jobs.close()


def test_a_dead_processs_claim_is_taken_over(tmp_path, embedder, monkeypatch):
    store = Store(tmp_path / "lib.sqlite3")
    papers = papers_of(3)
    store.record_papers(papers)
    jobs = KeyphraseJobs(store, GatedExtractor(embedder))
    jobs.extractor.gate.set()
    key = jobs.extractor.cache_key(papers[0]["title"], papers[0]["abstract"])
    # A process claimed the first paper and died without finishing it.
    store.queue_keyphrases([(key, papers[0]["title"], papers[0]["abstract"], [papers[0]["id"]])], time.time())
    assert [j["key"] for j in store.claim_keyphrases("dead-process", 8, 120)] == [key]
    monkeypatch.setattr(jobs.worker, "STALE_SECONDS", 0.2)
    try:
        time.sleep(0.3)
        assert all(jobs.for_papers(papers, wait=True, timeout=30))
        assert papers[0]["title"] in jobs.extractor.extracted
        assert store.keyphrase_jobs([key]) == {}
    finally:
        jobs.close()


def test_annotate_takes_the_visible_cards(client):
    cards = [{"key": f"k{i}", "title": f"Paper {i} about diffusion"} for i in range(3)]
    r = client.post("/api/annotate", json={"cards": cards, "visible": ["k2", "k0"]}, headers=HEADERS)
    assert r.status_code == 200, r.get_json()
    for body, words in (
        ({"cards": cards, "visible": ["k9"]}, "'visible' must be a list of the keys of cards"),
        ({"cards": cards, "visible": "k0"}, "'visible' must be a list of the keys of cards"),
        ({"text": "x", "visible": ["k0"]}, "'visible' names cards: send it with 'cards'"),
    ):
        r = client.post("/api/annotate", json=body, headers=HEADERS)
        assert r.status_code == 400 and words in r.get_json()["error"], r.get_json()
