"""The annotation pipeline shared by the API and the CLI: page -> library -> keyphrases -> related.

No Flask here: `POST /api/annotate` and `paperlens annotate` call the same `Annotator.annotate`, so
the CLI prints exactly what the API answers.
"""

from __future__ import annotations

import logging
import threading
import time

from .digest import normalize_title, parse_page
from .errors import PaperLensError
from .keyphrases import KeyphraseExtractor
from .related import RelatedIndex, paper_text
from .store import Store

RELATED_K = 5

log = logging.getLogger("paperlens")


class KeyphraseWorker:
    """One background thread per process that computes keyphrases for queued papers.

    Jobs are deduplicated by cache key: a paper queued twice (two tabs, a poll racing an annotate)
    is computed once. The thread drains everything queued into one batch, so a page is one pass of
    the model; it exits when idle and starts again on the next submit."""

    IDLE_SECONDS = 30.0
    BATCH = 128

    def __init__(self, store: Store, extractor: KeyphraseExtractor):
        self.store = store
        self.extractor = extractor
        self._cond = threading.Condition()
        self._queue: dict[str, tuple[str, str]] = {}  # cache_key -> (title, abstract), in order
        self._done: dict[str, threading.Event] = {}
        self._failed: dict[str, str] = {}
        self._thread: threading.Thread | None = None
        self._closed = False

    def submit(self, jobs: dict[str, tuple[str, str]]) -> dict[str, threading.Event]:
        """Queue {cache_key: (title, abstract)} unless already queued or running; {key: event set when done}."""
        with self._cond:
            if self._closed:
                raise PaperLensError("the keyphrase worker is shutting down", 503)
            events = {}
            for key, doc in jobs.items():
                if key not in self._done:
                    self._done[key] = threading.Event()
                    self._queue[key] = doc
                    self._failed.pop(key, None)
                events[key] = self._done[key]
            if self._queue and (self._thread is None or not self._thread.is_alive()) and not self._closed:
                self._thread = threading.Thread(target=self._run, name="paperlens-keyphrases", daemon=True)
                self._thread.start()
            self._cond.notify_all()
            return events

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
            self._cond.notify_all()
            thread = self._thread
        if thread is not None and thread is not threading.current_thread():
            thread.join(timeout=60)

    def _run(self) -> None:
        while True:
            with self._cond:
                if not self._queue and not self._closed:
                    self._cond.wait(self.IDLE_SECONDS)
                if not self._queue:  # idle (or closed): exit; the next submit starts a new thread
                    self._thread = None
                    return
                keys = list(self._queue)[: self.BATCH]
                batch = {k: self._queue.pop(k) for k in keys}
            error = None
            try:
                # A request may have re-queued a paper the previous batch just finished: skip it.
                done = self.store.get_keyphrases(list(batch))
                todo = [k for k in batch if k not in done]
                fresh = self.extractor.extract([batch[k] for k in todo])
                self.store.put_keyphrases(
                    {k: [{"phrase": p, "score": s} for p, s in kws] for k, kws in zip(todo, fresh)}
                )
            except Exception as e:  # a bad batch must not kill the worker or leave pollers waiting forever
                log.exception("keyphrase batch of %d papers failed", len(batch))
                error = f"{type(e).__name__}: {e}"
            with self._cond:
                for k in batch:
                    if error:
                        self._failed[k] = error
                    self._done.pop(k).set()


class Annotator:
    def __init__(self, store: Store, extractor: KeyphraseExtractor):
        self.store = store
        self.extractor = extractor
        self.worker = KeyphraseWorker(store, extractor)

    def close(self) -> None:
        """Stop the background keyphrase thread."""
        self.worker.close()

    def keyphrases_for(
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
        failed = set() if retry_failed else {k for k in jobs if self.worker.failed(k) and not self.worker.in_flight(k)}
        events = self.worker.submit({k: v for k, v in jobs.items() if k not in failed})
        if wait:
            deadline = time.monotonic() + timeout
            for event in events.values():
                if not event.wait(max(0.0, deadline - time.monotonic())):
                    raise PaperLensError("keyphrases are taking too long; try again", 503)
            cached.update(self.store.get_keyphrases(list(jobs)))
            errors = [self.worker.failed(k) for k in jobs if k not in cached]
            if errors:
                raise PaperLensError(f"keyphrase extraction failed: {errors[0]}", 503)
        out = []
        for k in keys:
            if k in cached:
                out.append(cached[k])
            elif k in failed:
                out.append([])
            else:
                out.append(None)
        return out

    def keyphrases_by_id(self, ids: list[str]) -> dict:
        """For `GET /api/keyphrases`: {"keyphrases": {id: [...]}, "pending": [id], "unknown": [id]}.
        Papers not in the library are "unknown"; cached-nowhere, not-queued papers are queued."""
        known = self.store.get_papers(ids)
        papers = [known[i] for i in ids if i in known]
        kws = self.keyphrases_for(papers, retry_failed=False)
        out = {"keyphrases": {}, "pending": [], "unknown": [i for i in ids if i not in known]}
        for p, k in zip(papers, kws):
            if k is None:
                out["pending"].append(p["id"])
            else:
                out["keyphrases"][p["id"]] = k
        return out

    def annotate(self, content: str, url: str | None = None, wait: bool = False) -> dict:
        """Parse the page, record its papers, answer with keyphrases (cached ones now, the rest
        pending unless `wait`), related papers and saved status."""
        page = parse_page(content, url)
        papers = [p.to_dict() for p in page.papers]
        for p in papers:
            p["title_key"] = normalize_title(p["title"])
        self.store.record_papers(papers)

        keyphrases = self.keyphrases_for(papers, wait=wait)
        related = self.related_for(papers)
        return {"page": {"kind": page.kind, "url": page.url}, "papers": self.shape(papers, keyphrases, related)}

    def related_for(self, papers: list[dict], k: int = RELATED_K) -> list[list[dict]]:
        """For each page paper, the k library papers closest to it: [{"id", "score"}], best first.
        Excludes the paper itself and papers with the same normalized title."""
        library = list(self.store.iter_paper_texts())
        index = RelatedIndex([(r["id"], paper_text(r["title"], r["abstract"])) for r in library])
        title_keys = {r["id"]: r["title_key"] for r in library}
        ranked = []
        for p in papers:
            same_title = {pid for pid, key in title_keys.items() if key == p["title_key"]}
            hits = index.query(paper_text(p["title"], p["abstract"]), k, {p["id"]} | same_title)
            ranked.append([{"id": pid, "score": score} for pid, score in hits])
        return ranked

    def shape(self, papers: list[dict], keyphrases: list[list[dict]], related: list[list[dict]]) -> list[dict]:
        """The per-paper answer: ids, titles and urls filled in for related papers, saved everywhere."""
        related_ids = sorted({hit["id"] for hits in related for hit in hits})
        details = self.store.get_papers(related_ids)
        saved = self.store.saved_ids([p["id"] for p in papers] + related_ids)
        out = []
        for p, kws, hits in zip(papers, keyphrases, related):
            out.append(
                {
                    "id": p["id"],
                    "title": p["title"],
                    "url": p["url"],
                    "keyphrases": kws or [],
                    "pending": kws is None,
                    "related": [
                        {
                            **hit,
                            "title": details[hit["id"]]["title"],
                            "url": details[hit["id"]]["url"],
                            "saved": hit["id"] in saved,
                        }
                        for hit in hits
                    ],
                    "saved": p["id"] in saved,
                }
            )
        return out
