"""The keyphrase job queue: one background thread per process computes keyphrases for queued papers.

No Flask here. The annotate pipeline submits the papers whose keyphrases are not cached and answers at
once; the thread computes them (and the papers' document embeddings) and writes both to the store.
"""

from __future__ import annotations

import logging
import threading
import time
from contextlib import contextmanager

from .errors import PaperLensError
from .keyphrases import KeyphraseExtractor

log = logging.getLogger("paperlens")


class KeyphraseWorker:
    """One background thread per process that computes keyphrases for queued papers.

    Jobs are deduplicated by cache key: a paper queued twice (two tabs, a poll racing an annotate)
    is computed once. The thread drains everything queued into one batch, so a page is one pass of
    the model; it exits when idle and starts again on the next submit. The document embeddings that
    pass computes are stored for the papers that asked (related-papers fusion), in the same
    transaction as the keyphrases."""

    IDLE_SECONDS = 30.0
    BATCH = 128

    def __init__(self, store, extractor: KeyphraseExtractor):
        self.store = store
        self.extractor = extractor
        self._cond = threading.Condition()
        self._queue: dict[str, tuple[str, str]] = {}  # cache_key -> (title, abstract), in order
        self._ids: dict[str, set[str]] = {}  # cache_key -> the paper ids whose text it is
        self._done: dict[str, threading.Event] = {}
        self._failed: dict[str, str] = {}
        self._thread: threading.Thread | None = None
        self._closed = False
        self._holds = 0  # requests building an answer: no new batch starts until they are done

    def submit(
        self, jobs: dict[str, tuple[str, str]], ids: dict[str, list[str]] | None = None
    ) -> dict[str, threading.Event]:
        """Queue {cache_key: (title, abstract)} unless already queued or running; {key: event set when done}.
        `ids` {cache_key: [paper id]}: papers to store the document embedding for (optional)."""
        with self._cond:
            if self._closed:
                raise PaperLensError("the keyphrase worker is shutting down", 503)
            events = {}
            for key, doc in jobs.items():
                if key not in self._done:
                    self._done[key] = threading.Event()
                    self._queue[key] = doc
                    self._failed.pop(key, None)
                if ids and ids.get(key):
                    self._ids.setdefault(key, set()).update(ids[key])
                events[key] = self._done[key]
            if self._queue and (self._thread is None or not self._thread.is_alive()) and not self._closed:
                self._thread = threading.Thread(target=self._run, name="paperlens-keyphrases", daemon=True)
                self._thread.start()
            self._cond.notify_all()
            return events

    @contextmanager
    def held(self):
        """While held, the worker starts no new batch (one already running goes on). A request holds it
        while it builds its answer: on two cores a batch would halve the speed of the answer the reader
        is waiting for, and the batch can just as well start a few hundred milliseconds later."""
        with self._cond:
            self._holds += 1
        try:
            yield
        finally:
            with self._cond:
                self._holds -= 1
                self._cond.notify_all()

    def in_flight(self, key: str) -> bool:
        with self._cond:
            return key in self._done

    def failed(self, key: str) -> str | None:
        with self._cond:
            return self._failed.get(key)

    def close(self) -> None:
        """Stop the thread after the batch it is on (queued work is dropped: it is recomputed on demand)."""
        with self._cond:
            self._closed = True
            dropped = list(self._queue)
            self._queue.clear()
            for key in dropped:
                self._done.pop(key).set()
                self._ids.pop(key, None)
            self._cond.notify_all()
            thread = self._thread
        if thread is not None and thread is not threading.current_thread():
            thread.join(timeout=60)

    def _run(self) -> None:
        while True:
            with self._cond:
                if not self._queue and not self._closed:
                    self._cond.wait(self.IDLE_SECONDS)
                while self._holds and not self._closed:
                    self._cond.wait()
                if not self._queue:  # idle (or closed): exit; the next submit starts a new thread
                    self._thread = None
                    return
                keys = list(self._queue)[: self.BATCH]
                batch = {k: self._queue.pop(k) for k in keys}
                # Ids added after this point (a submit racing the batch) are not stored: fusion
                # falls back to BM25 for them, which is the documented behaviour without embeddings.
                ids = {k: self._ids.pop(k, set()) for k in keys}
            error = None
            try:
                # A request may have re-queued a paper the previous batch just finished: skip it.
                done = self.store.get_keyphrases(list(batch))
                todo = [k for k in batch if k not in done]
                fresh, vecs = self.extractor.extract_with_vectors([batch[k] for k in todo])
                embeddings = {pid: v for k, v in zip(todo, vecs) if v is not None for pid in sorted(ids[k])}
                self.store.put_keyphrases(
                    {k: [{"phrase": p, "score": s} for p, s in kws] for k, kws in zip(todo, fresh)},
                    embeddings=(self.extractor.model_name, embeddings),
                )
            except Exception as e:  # a bad batch must not kill the worker or leave pollers waiting forever
                log.exception("keyphrase batch of %d papers failed", len(batch))
                error = f"{type(e).__name__}: {e}"
            with self._cond:
                for k in batch:
                    if error:
                        self._failed[k] = error
                    self._done.pop(k).set()



class KeyphraseJobs:
    """Keyphrases for papers: from the store's cache, else queued on the worker (pending)."""

    def __init__(self, store, extractor: KeyphraseExtractor):
        self.store = store
        self.extractor = extractor
        self.worker = KeyphraseWorker(store, extractor)

    def close(self) -> None:
        """Stop the background thread (after the batch it is on)."""
        self.worker.close()

    def held(self):
        """While held, no new batch starts (see `KeyphraseWorker.held`)."""
        return self.worker.held()

    def for_papers(
        self, papers: list[dict], wait: bool = False, retry_failed: bool = True, timeout: float = 600.0
    ) -> list[list[dict] | None]:
        """Keyphrases for each paper ([{"phrase", "score"}]), from the cache where possible.

        The rest go to the background worker; for those the answer is None (pending) unless `wait`,
        which blocks until they are computed. A paper whose last computation failed is queued again
        when `retry_failed`, else answered with [] (so pollers stop polling)."""
        keys = [self.extractor.cache_key(p["title"], p.get("abstract") or "") for p in papers]
        cached = self.store.get_keyphrases(keys)
        jobs = {k: (p["title"], p.get("abstract") or "") for p, k in zip(papers, keys) if k not in cached}
        if not jobs:
            return [cached[k] for k in keys]
        ids: dict[str, list[str]] = {}
        for p, k in zip(papers, keys):
            if k in jobs and p.get("id"):
                ids.setdefault(k, []).append(p["id"])
        worker = self.worker
        failed = set() if retry_failed else {k for k in jobs if worker.failed(k) and not worker.in_flight(k)}
        events = worker.submit({k: v for k, v in jobs.items() if k not in failed}, ids)
        if wait:
            deadline = time.monotonic() + timeout
            for event in events.values():
                if not event.wait(max(0.0, deadline - time.monotonic())):
                    raise PaperLensError("keyphrases are taking too long; try again", 503)
            cached.update(self.store.get_keyphrases(list(jobs)))
            errors = [worker.failed(k) for k in jobs if k not in cached]
            if errors:
                raise PaperLensError(f"keyphrase extraction failed: {errors[0]}", 503)
        return [cached[k] if k in cached else [] if k in failed else None for k in keys]

    def by_id(self, ids: list[str]) -> dict:
        """For `GET /api/keyphrases`: {"keyphrases": {id: [...]}, "pending": [id], "unknown": [id]}.
        Papers not in the library are "unknown"; cached-nowhere, not-queued papers are queued."""
        known = self.store.get_papers(ids)
        papers = [known[i] for i in ids if i in known]
        kws = self.for_papers(papers, retry_failed=False)
        out = {"keyphrases": {}, "pending": [], "unknown": [i for i in ids if i not in known]}
        for p, k in zip(papers, kws):
            if k is None:
                out["pending"].append(p["id"])
            else:
                out["keyphrases"][p["id"]] = k
        return out
