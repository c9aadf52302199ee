"""The keyphrase jobs: keyphrases from the store's cache, else queued and computed in the background.

No Flask here. The annotate pipeline queues the papers whose keyphrases are not cached and answers at once;
one thread per process computes them a few papers at a time (and the papers' document embeddings) and
writes both to the store. The queue is the store's (store/queue.py), shared by every process on the library:
a paper asked for by two tabs or two gunicorn workers is computed once, by whichever process claims it, and
the order is the reader's: the cards on screen first (annotate's `visible`, each poll's order), then the
rest of the page in page order, then older pages.
"""

from __future__ import annotations

import ctypes
import ctypes.util
import logging
import os
import threading
import time
import uuid
from contextlib import contextmanager

from .errors import PaperLensError
from .keyphrases import KeyphraseExtractor

log = logging.getLogger("paperlens")


def _trim_heap():
    """Give freed memory back to the system when the queue runs dry (glibc keeps a model pass's activations
    otherwise, and an idle server would keep its peak size); nothing elsewhere."""
    try:
        libc = ctypes.CDLL(ctypes.util.find_library("c") or "libc.so.6")
        trim = libc.malloc_trim
    except (OSError, AttributeError):
        return lambda: None
    return lambda: trim(0)


class KeyphraseWorker:
    """This process's background thread over the shared queue: claims BATCH jobs at a time, first first,
    computes them with `extractor`, and finishes them in the store (keyphrases, document embeddings and the
    queue row in one transaction). It exits when there is nothing to claim for IDLE_SECONDS and starts again
    on the next submit."""

    # Papers per pass of the model. After a page queues new papers the passes ramp up (RAMP, then BATCH): the
    # first cards on screen fill in after a pass of 4, and with 12 on screen the second pass of 8 completes
    # them. Passes of 16 after that were no faster for a whole page (103 papers in 2.9-3.1 s either way, three
    # alternating runs) and raised the serve tree's peak from about 490 to 600 MB, so 8 it stays.
    RAMP = (4,)
    BATCH = 8
    IDLE_SECONDS = 30.0
    # How often a waiting thread looks for work other processes queued, and a `wait` for their results.
    POLL_SECONDS = 0.5
    # A claim older than this is a process that died mid-batch: another takes the job over.
    STALE_SECONDS = 120.0

    def __init__(self, store, extractor: KeyphraseExtractor):
        self.store = store
        self.extractor = extractor
        self.owner = f"{os.getpid()}-{uuid.uuid4().hex[:8]}"
        self._cond = threading.Condition()
        self._thread: threading.Thread | None = None
        self._closed = False
        self._holds = 0  # requests building an answer: no new batch starts until they are done
        self._ramp: list[int] = []  # a page queued new papers: the next passes' sizes (RAMP), then BATCH
        self._trim = _trim_heap()

    def submit(self, jobs: list[tuple[str, str, str, list[str]]], first: list[str] | None = None) -> None:
        """Queue [(cache_key, title, abstract, paper ids)] in this order (keys already queued keep their
        place), with the keys in `first` moved ahead of everything; then make sure the thread runs."""
        if self._closed:
            raise PaperLensError("the keyphrase worker is shutting down", 503)
        if jobs and self.store.queue_keyphrases(jobs, time.time()):
            self._ramp = list(self.RAMP)  # new papers, so a reader is waiting on empty cards
        if first:
            self.store.prioritize_keyphrases(first)
        self._wake()

    def _wake(self) -> None:
        with self._cond:
            if not self._closed and (self._thread is None or not self._thread.is_alive()):
                self._thread = threading.Thread(target=self._run, name="paperlens-keyphrases", daemon=True)
                self._thread.start()
            self._cond.notify_all()

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

    def wait(self, keys: list[str], timeout: float) -> None:
        """Block until none of `keys` is still queued (computed, or failed), whichever process does it; raise
        PaperLensError(503) after `timeout` seconds."""
        deadline = time.monotonic() + timeout
        waiting = list(keys)
        while waiting:
            jobs = self.store.keyphrase_jobs(waiting)
            waiting = [k for k in waiting if k in jobs and jobs[k] is None]
            if not waiting:
                return
            left = deadline - time.monotonic()
            if left <= 0:
                raise PaperLensError("keyphrases are taking too long; try again", 503)
            self._wake()
            with self._cond:
                self._cond.wait(min(left, self.POLL_SECONDS))

    def close(self) -> None:
        """Stop the thread after the batch it is on and hand back this process's claims (queued jobs stay
        queued for the next process)."""
        with self._cond:
            self._closed = True
            self._cond.notify_all()
            thread = self._thread
        if thread is not None and thread is not threading.current_thread():
            thread.join(timeout=60)
        self.store.release_keyphrases(self.owner)

    def _run(self) -> None:
        idle_since = time.monotonic()
        computed = False  # a batch ran since the heap was last trimmed
        while True:
            with self._cond:
                while self._holds and not self._closed:
                    self._cond.wait()
                if self._closed:
                    self._thread = None
                    return
            size = self._ramp.pop(0) if self._ramp else self.BATCH
            batch = self.store.claim_keyphrases(self.owner, size, self.STALE_SECONDS)
            if not batch:
                if computed:
                    # Freed memory goes back once the queue is empty, not after every batch: the next
                    # batch would only fault the same pages in again (zeroed by the kernel), on every pass.
                    self._trim()
                    computed = False
                with self._cond:
                    if self._closed or time.monotonic() - idle_since > self.IDLE_SECONDS:
                        self._thread = None  # the next submit starts a new thread
                        return
                    self._cond.wait(self.POLL_SECONDS)
                continue
            self._compute(batch)
            computed = True
            idle_since = time.monotonic()
            with self._cond:
                self._cond.notify_all()  # waiters in this process look again

    def _compute(self, batch: list[dict]) -> None:
        keys = [job["key"] for job in batch]
        try:
            # Another process may have finished a job between its queueing and our claim: skip it.
            cached = self.store.get_keyphrases(keys)
            todo = [job for job in batch if job["key"] not in cached]
            fresh, vecs = self.extractor.extract_with_vectors([(job["title"], job["abstract"]) for job in todo])
            done = {job["key"]: [{"phrase": p, "score": s} for p, s in kws] for job, kws in zip(todo, fresh)}
            done.update({k: cached[k] for k in keys if k in cached})
            embeddings = {pid: v for job, v in zip(todo, vecs) if v is not None for pid in job["ids"]}
            self.store.finish_keyphrases(self.owner, done, (self.extractor.model_name, embeddings), {})
        except Exception as e:  # a bad batch must not kill the worker or leave pollers waiting forever
            log.exception("keyphrase batch of %d papers failed", len(batch))
            self.store.finish_keyphrases(self.owner, {}, None, {k: f"{type(e).__name__}: {e}" for k in keys})


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
        self,
        papers: list[dict],
        wait: bool = False,
        retry_failed: bool = True,
        timeout: float = 600.0,
        first: list[str] | None = None,
    ) -> list[list[dict] | None]:
        """Keyphrases for each paper ([{"phrase", "score"}]), from the cache where possible.

        The rest are queued in the papers' order, those with an id in `first` ahead of all (in `first`'s
        order); for those the answer is None (pending) unless `wait`, which blocks until they are computed.
        A paper whose last computation failed is queued again when `retry_failed`, else answered with []
        (so pollers stop polling)."""
        keys = [self.extractor.cache_key(p["title"], p.get("abstract") or "") for p in papers]
        cached = self.store.get_keyphrases(keys)
        missing = list(dict.fromkeys(k for k in keys if k not in cached))
        if not missing:
            return [cached[k] for k in keys]
        queued = self.store.keyphrase_jobs(missing)
        failed = {k for k, error in queued.items() if error is not None}
        if retry_failed and failed:
            self.store.retry_keyphrases(sorted(failed))
            failed = set()
        ids: dict[str, list[str]] = {}
        for p, k in zip(papers, keys):
            if k in missing and p.get("id"):
                ids.setdefault(k, []).append(p["id"])
        by_key = {k: p for p, k in zip(papers, keys)}
        jobs = [(k, by_key[k]["title"], by_key[k].get("abstract") or "", ids.get(k, [])) for k in missing
                if k not in failed]
        key_of = {p.get("id"): k for p, k in zip(papers, keys)}
        ahead = [key_of[i] for i in first or [] if i in key_of and key_of[i] in missing and key_of[i] not in failed]
        self.worker.submit(jobs, first=ahead)
        if wait:
            self.worker.wait([k for k, *_ in jobs], timeout)
            cached.update(self.store.get_keyphrases([k for k, *_ in jobs]))
            errors = [e for e in self.store.keyphrase_jobs([k for k, *_ in jobs if k not in cached]).values() if e]
            if errors:
                raise PaperLensError(f"keyphrase extraction failed: {errors[0]}", 503)
        return [cached[k] if k in cached else [] if k in failed else None for k in keys]

    def by_id(self, ids: list[str]) -> dict:
        """For `GET /api/keyphrases`: {"keyphrases": {id: [...]}, "pending": [id], "unknown": [id]}. Papers
        not in the library are "unknown"; pending ones are computed in the order asked (a poll lists the
        cards on screen first)."""
        known = self.store.get_papers(ids)
        papers = [known[i] for i in ids if i in known]
        kws = self.for_papers(papers, retry_failed=False, first=[p["id"] for p in papers])
        out = {"keyphrases": {}, "pending": [], "unknown": [i for i in ids if i not in known]}
        for p, k in zip(papers, kws):
            if k is None:
                out["pending"].append(p["id"])
            else:
                out["keyphrases"][p["id"]] = k
        return out
