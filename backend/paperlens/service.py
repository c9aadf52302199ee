"""The annotation pipeline shared by the API and the CLI: page -> library -> keyphrases -> related.

No Flask here: `POST /api/annotate` and `paperlens annotate` call the same `Annotator.annotate`, so
the CLI prints exactly what the API answers.
"""

from __future__ import annotations

from contextlib import contextmanager
import logging
import threading
import time

import numpy as np

from .config import MAX_PAPERS_PER_PAGE
from .digest import parse_page
from .errors import NotFound, PaperLensError
from .ids import TITLE_ID_PREFIX, paper_url, title_key
from .keyphrases import KeyphraseExtractor
from .related import FUSION_CANDIDATES, FUSION_WEIGHT, Hit, LibraryIndex, analyzer, fuse_scores, why_terms
from .store import Store

RELATED_K = 5
WHY_TERMS = 3


log = logging.getLogger("paperlens")


def related_snapshot_path(db_path: str) -> str | None:
    """Where the related index of the library at `db_path` is snapshotted (beside it; none in memory)."""
    return None if db_path == ":memory:" else f"{db_path}.related-index.npz"


class KeyphraseWorker:
    """One background thread per process that computes keyphrases for queued papers.

    Jobs are deduplicated by cache key: a paper queued twice (two tabs, a poll racing an annotate)
    is computed once. The thread drains everything queued into one batch, so a page is one pass of
    the model; it exits when idle and starts again on the next submit. The document embeddings that
    pass computes are stored for the papers that asked (related-papers fusion), in the same
    transaction as the keyphrases."""

    IDLE_SECONDS = 30.0
    BATCH = 128

    def __init__(self, store: Store, extractor: KeyphraseExtractor):
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


class Annotator:
    """fusion: re-rank BM25's top FUSION_CANDIDATES related papers by z-score fusion with the
    papers' stored MiniLM document embeddings (see `related.fuse_scores`); applies only to query
    papers that have an embedding, so without embeddings related lists are pure BM25."""

    def __init__(self, store: Store, extractor: KeyphraseExtractor, fusion: bool = True):
        self.store = store
        self.extractor = extractor
        self.fusion = fusion
        # This process's BM25 index of the library; synced with the store before every use.
        self.library = LibraryIndex(store, related_snapshot_path(store.path))
        self.worker = KeyphraseWorker(store, extractor)

    def close(self) -> None:
        """Stop the background keyphrase thread."""
        self.worker.close()

    def warm(self) -> None:
        """Load what the first page would otherwise wait for: the embedding model and the analyzer
        (importing NLTK's stemmer alone takes about half a second)."""
        analyzer()
        self.extractor.backend()

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
        ids: dict[str, list[str]] = {}
        for p, k in zip(papers, keys):
            if k in jobs and p.get("id"):
                ids.setdefault(k, []).append(p["id"])
        failed = set() if retry_failed else {k for k in jobs if self.worker.failed(k) and not self.worker.in_flight(k)}
        events = self.worker.submit({k: v for k, v in jobs.items() if k not in failed}, ids)
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
        if len(page.papers) > MAX_PAPERS_PER_PAGE:  # before anything is stored
            raise PaperLensError(f"the page lists {len(page.papers)} papers; at most {MAX_PAPERS_PER_PAGE} per call", 422)
        papers = [p.to_dict() for p in page.papers]
        for p in papers:
            p["title_key"] = title_key(p["title"])
        self._adopt_known_ids(papers)
        self.store.record_papers(papers, page_url=page.url, page_kind=page.kind)

        if wait:
            # Keyphrases first: computing them stores the document embeddings that fusion ranks with.
            keyphrases = self.keyphrases_for(papers, wait=True)
            related, for_you = self.match_page(papers)
            shaped = self.shape(papers, keyphrases, related, for_you)
        else:
            with self.worker.held():  # the pending papers' batch starts once this answer is built
                keyphrases = self.keyphrases_for(papers)
                related, for_you = self.match_page(papers)
                shaped = self.shape(papers, keyphrases, related, for_you)
        return {"page": {"kind": page.kind, "url": page.url}, "papers": shaped}

    def _adopt_known_ids(self, papers: list[dict]) -> None:
        """A page without arXiv ids (a text copy) names its papers by title (`t-` ids). A paper the library
        already knows under an arXiv id is that paper: it takes the arXiv id, so its saved status, history
        and related papers carry over and the library gets no second entry for it."""
        unnamed = [p for p in papers if p["id"].startswith(TITLE_ID_PREFIX)]
        if not unnamed:
            return
        known = self.store.arxiv_ids_by_title([p["title_key"] for p in unnamed])
        for p in unnamed:
            arxiv_id = known.get(p["title_key"])
            if arxiv_id:
                p["id"], p["url"] = arxiv_id, paper_url(arxiv_id, p["title"])

    def related_for(self, papers: list[dict], k: int = RELATED_K) -> list[list[dict]]:
        """For each paper (already in the library), the k library papers closest to it by BM25:
        [[{"id", "score", "why": [word, ...]}]], best first. Leaves out the paper itself and papers
        with its normalized title, and keeps one paper per normalized title. With fusion on and an
        embedding stored for the paper, BM25's top candidates are re-ordered by the fused score
        (`score` is then the fused z-score; `why` stays BM25's terms)."""
        return self.match_page(papers, k)[0]

    def match_page(self, papers: list[dict], k: int = RELATED_K) -> tuple[list[list[dict]], list[float]]:
        """(related lists as in `related_for`, for_you scores) for a page of papers, from one batch of
        BM25 scores (a sparse matrix product over the whole library).

        for_you, 0..1: the BM25 score of the paper's closest saved paper (itself and same-title papers
        left out) divided by the paper's score against its own library entry, i.e. the share of the
        best possible match that the reader's saved papers reach, capped at 1; 0 when nothing is
        saved or the paper has no indexable text. Self-normalizing makes it comparable across
        papers (long abstracts score higher against everything) and across days."""
        if not papers:
            return [], []
        lib = self.library
        a = analyzer()
        # Query with the library's record where there is one (it keeps an abstract a text copy of
        # the page lacks), so the query is exactly the paper's indexed document.
        stored = {r["id"]: r for r in self.store.papers_for_index(ids=[p["id"] for p in papers])}
        papers = [{**p, **stored[p["id"]]} if p["id"] in stored else p for p in papers]
        queries = [a.paper_terms(p["title"], p.get("abstract") or "", p.get("ai_keywords")) for p in papers]
        model = self.extractor.model_name
        query_vecs = self.store.get_paper_embeddings(model, [p["id"] for p in papers]) if self.fusion else {}
        with lib.lock:
            lib.sync()
            batch = lib.bm25.score_batch(queries)
            scores = batch.scores
            saved_rows = np.array(
                sorted(r for r in (lib.row(pid) for pid in self.store.saved_ids()) if r is not None), dtype=np.int64
            )
            title_keys = [p.get("title_key") or title_key(p["title"]) for p in papers]
            # Fusion only re-orders BM25's candidates: take more of them for papers with an embedding.
            hits_by_paper = [
                lib.ranked(
                    scores[:, j], max(k, FUSION_CANDIDATES) if p["id"] in query_vecs else k,
                    exclude_ids={p["id"]}, exclude_title_keys={title_keys[j]},
                )
                for j, p in enumerate(papers)
            ]
            if query_vecs:
                cand_ids = [lib.bm25.keys[h.row] for j, hits in enumerate(hits_by_paper)
                            if papers[j]["id"] in query_vecs for h in hits]
                vecs = self.store.get_paper_embeddings(model, cand_ids)
                for j, p in enumerate(papers):
                    if p["id"] in query_vecs:
                        hits_by_paper[j] = self._fused(hits_by_paper[j], query_vecs[p["id"]], vecs, k)
            related, for_you = [], []
            for j, p in enumerate(papers):
                column = scores[:, j]
                title_key = title_keys[j]
                hits = hits_by_paper[j]
                surfaces = a.surfaces(f"{p['title']} {p.get('abstract') or ''} {' '.join(p.get('ai_keywords') or [])}")
                related.append(
                    [
                        {"id": lib.bm25.keys[h.row], "score": round(h.score, 4),
                         "why": why_terms(batch, h.row, j, surfaces, WHY_TERMS)}
                        for h in hits
                    ]
                )
                for_you.append(self._for_you(column, saved_rows, lib.row(p["id"]), p["id"], title_key))
        return related, for_you

    def _fused(self, hits: list[Hit], qvec: np.ndarray, vecs: dict, k: int) -> list[Hit]:
        """BM25 candidates re-ordered by `fuse_scores` (ties keep BM25 order), top k, with the fused
        score. A candidate without an embedding (or of another dimension) has a NaN cosine."""
        if not hits:
            return hits
        keys = self.library.bm25.keys
        cos = np.full(len(hits), np.nan)
        for i, h in enumerate(hits):
            v = vecs.get(keys[h.row])
            if v is not None and v.shape == qvec.shape:
                cos[i] = float(v @ qvec)
        if int((~np.isnan(cos)).sum()) < 2:  # nothing to fuse with: plain BM25, scores included
            return hits[:k]
        fused = fuse_scores(np.array([h.score for h in hits]), cos, FUSION_WEIGHT)
        order = np.argsort(-fused, kind="stable")[:k]
        return [Hit(hits[i].row, float(fused[i])) for i in order.tolist()]

    def _for_you(self, column: np.ndarray, saved_rows: np.ndarray, own_row: int | None, pid: str, title_key: str) -> float:
        lib = self.library
        if own_row is None or not len(saved_rows) or column[own_row] <= 0:
            return 0.0
        keep = [r for r in saved_rows.tolist() if lib.bm25.keys[r] != pid and lib.title_keys[r] != title_key]
        if not keep:
            return 0.0
        best = float(column[keep].max())
        return round(min(1.0, max(0.0, best / float(column[own_row]))), 4)

    def related_to(self, paper_id: str, k: int = RELATED_K) -> list[dict]:
        """The k library papers closest to library paper `paper_id`, shaped like the annotate answer's
        "related" items. Raises NotFound if the paper is not in the library."""
        paper = self.store.get_paper(paper_id)
        if paper is None:
            raise NotFound(f"{paper_id} is not in your library: open a page that lists it first")
        paper["title_key"] = title_key(paper["title"])
        return self._hits_shaped(self.related_for([paper], k)[0])

    def search(self, q: str, k: int = 10) -> list[dict]:
        """Library search with the same BM25 engine: [{"id","title","url","score","saved","why"}],
        best first, one paper per normalized title."""
        a = analyzer()
        terms = a.terms(q)
        if not terms:
            return []
        lib = self.library
        with lib.lock:
            lib.sync()
            batch = lib.bm25.score_batch([terms])
            column = batch.scores[:, 0]
            hits = lib.ranked(column, k)
            surfaces = a.surfaces(q)
            found = [
                {"id": lib.bm25.keys[h.row], "score": round(h.score, 4),
                 "why": why_terms(batch, h.row, 0, surfaces, WHY_TERMS)}
                for h in hits
            ]
        return self._hits_shaped(found)

    def _hits_shaped(self, hits: list[dict], saved: set[str] | None = None, details: dict | None = None) -> list[dict]:
        """Hits {"id","score","why"} -> {"id","title","url","score","saved","why"}."""
        ids = [h["id"] for h in hits]
        details = details if details is not None else self.store.get_papers(ids)
        saved = saved if saved is not None else self.store.saved_ids(ids)
        return [
            {
                "id": h["id"],
                "title": details[h["id"]]["title"],
                "url": details[h["id"]]["url"],
                "score": h["score"],
                "saved": h["id"] in saved,
                "why": h.get("why", []),
            }
            for h in hits
            if h["id"] in details
        ]

    def shape(
        self,
        papers: list[dict],
        keyphrases: list[list[dict]],
        related: list[list[dict]],
        for_you: list[float] | None = None,
    ) -> list[dict]:
        """The per-paper answer: ids, titles and urls filled in for related papers, saved everywhere."""
        related_ids = sorted({hit["id"] for hits in related for hit in hits})
        details = self.store.get_papers(related_ids)
        saved = self.store.saved_ids([p["id"] for p in papers] + related_ids)
        for_you = for_you if for_you is not None else [0.0] * len(papers)
        out = []
        for p, kws, hits, fy in zip(papers, keyphrases, related, for_you):
            out.append(
                {
                    "id": p["id"],
                    "title": p["title"],
                    "url": p["url"],
                    "keyphrases": kws or [],
                    "pending": kws is None,
                    "related": self._hits_shaped(hits, saved, details),
                    "saved": p["id"] in saved,
                    "for_you": fy,
                }
            )
        return out
