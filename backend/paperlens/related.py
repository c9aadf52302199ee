"""Related papers: one analyzer and an incremental BM25 index over the reader's library.

Pure: token lists and documents in, ranked rows and scores out; the store feeds it, the service
formats it. Scores are exactly rank-bm25's `BM25Okapi.get_scores` (same IDF with its epsilon floor
for negative IDFs, same k1 and b, same avgdl), but computed for a whole page of queries at once as
one sparse matrix product instead of a Python loop over every document for every query term.
"""

from __future__ import annotations

import hashlib
import logging
import os
import re
import tempfile
import threading
from collections import Counter
from dataclasses import dataclass
from pathlib import Path

import numpy as np
from scipy import sparse

log = logging.getLogger("paperlens")

# rank-bm25's BM25Okapi defaults: we keep its semantics so its scores are our reference.
K1, B, EPSILON = 1.5, 0.75, 0.25

# The title says what a paper is about more densely than any abstract sentence: its tokens count twice.
TITLE_WEIGHT = 2

# scikit-learn's English list (318 words) plus a few words every abstract uses. IDF would push
# these down anyway, but BM25 query terms add up linearly, so dropping them keeps the scores
# about content and keeps documents shorter.
_EXTRA_STOP = """also using use used via based et al paper propose proposed show shows shown non""".split()


def _stop_words() -> frozenset[str]:
    from sklearn.feature_extraction.text import ENGLISH_STOP_WORDS

    return frozenset(ENGLISH_STOP_WORDS) | frozenset(_EXTRA_STOP)


STOP_WORDS = _stop_words()

# Words are runs of letters/digits; hyphens and slashes split compounds ("self-supervised" ->
# "self", "supervised"), so the hyphenated and the spaced spelling match.
_WORD = re.compile(r"[A-Za-z0-9]+")
# An all-caps acronym with a plural s ("LLMs", "GANs", "VLMs") is the acronym: stemming the
# lowercased word would work for "llms" but not for e.g. "VAEs" -> "vae" vs "vaes".
_ACRONYM_PLURAL = re.compile(r"^([A-Z][A-Z0-9]+)s$")


_MISS = object()


class Analyzer:
    """Text -> index terms: split, acronym plurals folded, lowercased, stop words and bare numbers
    dropped, Porter-stemmed. The same analyzer builds documents and queries.

    Stems are memoized (the vocabulary is small next to the token stream); `surface` remembers a
    readable word for each stem, so "why" can show "diffusion", not "diffus"."""

    def __init__(self):
        from nltk.stem.porter import PorterStemmer

        self._stemmer = PorterStemmer()
        self._memo: dict[str, str | None] = {}
        self._lock = threading.Lock()

    def _term(self, word: str) -> str | None:
        term = self._memo.get(word)
        if term is None and word not in self._memo:
            m = _ACRONYM_PLURAL.match(word)
            low = (m.group(1) if m else word).lower()
            if len(low) < 2 or low in STOP_WORDS or low.isdigit():
                term = None
            else:
                term = self._stemmer.stem(low)
                if term in STOP_WORDS or len(term) < 2:
                    term = None
            with self._lock:
                self._memo[word] = term
        return term

    def terms(self, text: str) -> list[str]:
        """The index terms of `text`, in order, repeats kept: list[str]."""
        words = _WORD.findall(text or "")
        memo = self._memo
        try:
            # map() over the memo runs at C speed: this is the hot loop of a cold start.
            return [t for t in map(memo.__getitem__, words) if t]
        except KeyError:
            for word in words:
                if word not in memo:
                    self._term(word)
            return [t for t in map(memo.__getitem__, words) if t]

    def surfaces(self, text: str) -> dict[str, str]:
        """{term: the first word in `text` that produced it, lowercased unless an acronym}."""
        out: dict[str, str] = {}
        for word in _WORD.findall(text or ""):
            term = self._term(word)
            if term is not None and term not in out:
                m = _ACRONYM_PLURAL.match(word)
                base = m.group(1) if m else word
                out[term] = base if base.isupper() and len(base) > 1 else base.lower()
        return out

    def paper_terms(self, title: str, abstract: str, keywords: list[str] | None = None) -> list[str]:
        """The terms of one paper, fields weighted by repetition: title x TITLE_WEIGHT, abstract,
        keywords (HF's `ai_keywords`) once. list[str]."""
        return (
            self.terms(title) * TITLE_WEIGHT
            + self.terms(abstract)
            + [t for kw in (keywords or []) for t in self.terms(kw)]
        )


_analyzer: Analyzer | None = None


def analyzer() -> Analyzer:
    """The process-wide analyzer (its stem memo is shared by every index and query)."""
    global _analyzer
    if _analyzer is None:
        _analyzer = Analyzer()
    return _analyzer


SNAPSHOT_FORMAT = 1


def snapshot_fingerprint() -> str:
    """Changes whenever the analyzer or the snapshot layout would: a snapshot made under another
    fingerprint is ignored (rebuilt), never mixed with new terms."""
    import nltk

    parts = [SNAPSHOT_FORMAT, TITLE_WEIGHT, sorted(STOP_WORDS), _WORD.pattern, _ACRONYM_PLURAL.pattern, nltk.__version__]
    return hashlib.sha256(repr(parts).encode()).hexdigest()


def _text_array(text: str) -> np.ndarray:
    return np.frombuffer(text.encode("utf-8"), dtype=np.uint8)


def _array_text(array: np.ndarray) -> str:
    return array.tobytes().decode("utf-8")


@dataclass
class Hit:
    row: int
    score: float


class BM25Index:
    """BM25Okapi over a growing set of documents, each a list of terms, addressed by key.

    Term frequencies live in term-major sparse blocks (terms x documents, CSR), one block per batch
    of added documents, merged when the small ones add up, so adding a page never rebuilds the
    library. Document frequencies, the live count and the total length are kept exact on every
    add/remove. Scoring slices only the query terms' postings out of each block and applies the BM25
    length normalization there, with the current avgdl and IDF, so its cost follows the postings the
    queries touch, not the library size. Not thread-safe by itself: callers lock."""

    # Merge the small blocks into the big one once they hold this share of its postings (or number
    # more than MAX_BLOCKS): amortized O(postings) per document, never on every page.
    MERGE_SHARE = 0.25
    MAX_BLOCKS = 16

    def __init__(self, k1: float = K1, b: float = B, epsilon: float = EPSILON):
        self.k1, self.b, self.epsilon = k1, b, epsilon
        self.vocab: dict[str, int] = {}
        self.terms: list[str] = []  # column -> term
        self.df = np.zeros(0, dtype=np.int64)
        self.keys: list[str] = []
        self.row_of: dict[str, int] = {}
        self.alive = np.zeros(0, dtype=bool)
        self.doc_len = np.zeros(0, dtype=np.float64)
        self.n_live = 0
        self.total_len = 0.0
        self._blocks: list[tuple[int, sparse.csr_matrix]] = []  # (first row, terms x docs tf)
        self._idf: np.ndarray | None = None

    def __len__(self) -> int:
        return self.n_live

    # ------------------------------------------------------------ building

    def add(self, docs: list[tuple[str, list[str]]]) -> None:
        """Add (key, terms) documents; a key already present is replaced (its old row goes dead)."""
        docs = list(dict(docs).items())  # the same key twice in one batch: the last one wins
        if not docs:
            return
        self.remove([key for key, _ in docs])
        start = len(self.keys)
        vocab = self.vocab
        for i, (key, _) in enumerate(docs):
            self.row_of[key] = start + i
            self.keys.append(key)
        # Vectorized: one flat list of terms -> column ids (new terms appended to the vocabulary),
        # then duplicates (document, term) summed by scipy into term frequencies.
        lens_i = np.fromiter((len(t) for _, t in docs), dtype=np.int64, count=len(docs))
        flat = [t for _, terms in docs for t in terms]
        for term in dict.fromkeys(flat):
            if term not in vocab:
                vocab[term] = len(vocab)
                self.terms.append(term)
        n_terms = len(vocab)
        col_ids = np.fromiter(map(vocab.__getitem__, flat), dtype=np.int32, count=len(flat))
        doc_ids = np.repeat(np.arange(len(docs), dtype=np.int32), lens_i)
        docs_by_term = sparse.csr_matrix(
            (np.ones(len(flat), dtype=np.float32), (doc_ids, col_ids)), shape=(len(docs), n_terms)
        )
        docs_by_term.sum_duplicates()
        cols_a = docs_by_term.indices
        lens = lens_i.astype(np.float64)
        block = docs_by_term.T.tocsr()  # terms x docs
        block.sort_indices()
        self._blocks.append((start, block))
        if len(self.df) < n_terms:
            self.df = np.concatenate([self.df, np.zeros(n_terms - len(self.df), dtype=np.int64)])
        self.df += np.bincount(cols_a, minlength=len(self.df)) if len(cols_a) else 0
        self.doc_len = np.concatenate([self.doc_len, lens])
        self.alive = np.concatenate([self.alive, np.ones(len(docs), dtype=bool)])
        self.n_live += len(docs)
        self.total_len += float(lens.sum())
        self._idf = None
        self._maybe_merge()

    def remove(self, keys: list[str]) -> int:
        """Forget these documents (their rows stay, dead and empty); returns how many were there."""
        rows = [self.row_of.pop(k) for k in keys if k in self.row_of]
        if not rows:
            return 0
        dead = np.zeros(len(self.keys), dtype=bool)
        dead[rows] = True
        for start, block in self._blocks:
            local = dead[start : start + block.shape[1]]
            if not local.any():
                continue
            hit = local[block.indices] & (block.data != 0)
            terms = np.repeat(np.arange(block.shape[0]), np.diff(block.indptr))[hit]
            self.df -= np.bincount(terms, minlength=len(self.df))
            block.data[hit] = 0
        self.alive[rows] = False
        self.n_live -= len(rows)
        self.total_len -= float(self.doc_len[rows].sum())
        self.doc_len[rows] = 0
        self._idf = None
        return len(rows)

    def _maybe_merge(self) -> None:
        if len(self._blocks) < 2:
            return
        big = self._blocks[0][1].nnz
        small = sum(b.nnz for _, b in self._blocks[1:])
        if small > self.MERGE_SHARE * big or len(self._blocks) > self.MAX_BLOCKS:
            self.merge()

    def merge(self) -> None:
        """Merge all posting blocks into one (dead documents' postings dropped)."""
        if self._blocks:
            n_terms = len(self.vocab)
            parts = []
            for _, b in self._blocks:
                b.resize((n_terms, b.shape[1]))
                parts.append(b)
            merged = sparse.hstack(parts, format="csr")
            merged.eliminate_zeros()  # dead documents' postings
            merged.sort_indices()
            self._blocks = [(0, merged)]

    # ------------------------------------------------------------ statistics

    def idf(self) -> np.ndarray:
        """rank-bm25's IDF per vocabulary column: log(N - n + 0.5) - log(n + 0.5), negative values
        floored at epsilon x the mean IDF over every term present (0 for terms no live document has)."""
        if self._idf is None:
            df = self.df[: len(self.vocab)].astype(np.float64)
            present = df > 0
            n = float(self.n_live)
            raw = np.log(n - df + 0.5) - np.log(df + 0.5)
            mean = raw[present].mean() if present.any() else 0.0
            idf = np.where(raw < 0, self.epsilon * mean, raw)
            self._idf = np.where(present, idf, 0.0)
        return self._idf

    def avgdl(self) -> float:
        return self.total_len / self.n_live if self.n_live else 0.0

    # ------------------------------------------------------------ scoring

    def _query_terms(self, queries: list[list[str]]):
        """(sorted vocabulary columns used, queries x those columns: count x IDF)."""
        idf = self.idf()
        per_query = []
        used: set[int] = set()
        for terms in queries:
            weights = {}
            for term, count in Counter(terms).items():
                col = self.vocab.get(term)
                if col is not None and idf[col] != 0:
                    weights[col] = count * idf[col]
            per_query.append(weights)
            used.update(weights)
        cols = np.array(sorted(used), dtype=np.int64)
        pos = {c: i for i, c in enumerate(cols.tolist())}
        rows, cidx, vals = [], [], []
        for j, weights in enumerate(per_query):
            for col, w in weights.items():
                rows.append(j)
                cidx.append(pos[col])
                vals.append(w)
        q = sparse.csr_matrix(
            (np.asarray(vals, dtype=np.float64), (np.asarray(rows, dtype=np.int64), np.asarray(cidx, dtype=np.int64))),
            shape=(len(queries), len(cols)),
        )
        return cols, q

    def score_batch(self, queries: list[list[str]]) -> "ScoreBatch":
        """Scores of every document for every query, with what each term contributed."""
        n = len(self.keys)
        cols, q = self._query_terms(queries)
        out = np.zeros((len(queries), n), dtype=np.float64)
        parts = []
        if len(cols) and self.n_live:
            norm = self.k1 * (1 - self.b + self.b * self.doc_len / self.avgdl())
            for start, block in self._blocks:
                inside = cols[cols < block.shape[0]]
                if not len(inside):
                    continue
                sub = block[inside]  # postings of the query terms only
                if sub.shape[0] < len(cols):
                    sub.resize((len(cols), block.shape[1]))
                tf = sub.data.astype(np.float64)
                sub = sparse.csr_matrix(
                    (tf * (self.k1 + 1) / (tf + norm[start + sub.indices]), sub.indices, sub.indptr), shape=sub.shape
                )
                out[:, start : start + block.shape[1]] = (q @ sub).toarray()
                parts.append((start, sub))
        return ScoreBatch(self, cols, q, out, parts)

    def scores(self, queries: list[list[str]]) -> np.ndarray:
        """BM25 scores, documents x queries (float64; dead rows score 0). Column j equals
        `BM25Okapi(live docs).get_scores(queries[j])` on the live rows."""
        return self.score_batch(queries).scores

    def memory_bytes(self) -> int:
        """Bytes held by the arrays (postings, statistics) plus an estimate for the dicts and keys."""
        arrays = [self.df, self.alive, self.doc_len]
        for _, b in self._blocks:
            arrays += [b.data, b.indices, b.indptr]
        dicts = 100 * (len(self.vocab) + len(self.row_of)) + 60 * (len(self.keys) + len(self.terms))
        return sum(a.nbytes for a in arrays) + dicts


class ScoreBatch:
    """The result of `BM25Index.score_batch`: `scores` (documents x queries, column-contiguous) and
    `contributions(row, j)` to explain one score."""

    def __init__(self, index: BM25Index, cols: np.ndarray, q: sparse.csr_matrix, out: np.ndarray, parts):
        self.index = index
        self._cols = cols
        self._q = q
        self.scores = out.T
        self._parts = parts
        self._by_doc: dict[int, sparse.csc_matrix] = {}
        self._terms: list[str] | None = None

    def contributions(self, row: int, j: int) -> dict[str, float]:
        """{term: its share of document `row`'s score for query j}, positive shares only."""
        for i, (start, sub) in enumerate(self._parts):
            if start <= row < start + sub.shape[1]:
                if i not in self._by_doc:
                    self._by_doc[i] = sub.tocsc()
                doc = self._by_doc[i]
                lo, hi = doc.indptr[row - start], doc.indptr[row - start + 1]
                qrow = self._q.getrow(j).toarray()[0]
                if self._terms is None:
                    self._terms = [self.index.terms[c] for c in self._cols.tolist()]
                out = {}
                for u, w in zip(doc.indices[lo:hi].tolist(), doc.data[lo:hi].tolist()):
                    if qrow[u] > 0 and w > 0:
                        out[self._terms[u]] = qrow[u] * w
                return out
        return {}


def top_rows(column: np.ndarray, k: int, skip=None) -> list[Hit]:
    """The k best rows of one score column, best first (ties by row order), positive scores only;
    `skip(row) -> bool` leaves rows out (the paper itself, duplicates) without shortening the list."""
    if k <= 0:
        return []
    n_pos = int((column > 0).sum())
    if n_pos == 0:
        return []
    want = min(n_pos, k + 16)
    out: list[Hit] = []
    # A pass that ran short is redone with more candidates; it sees the same rows in the same order
    # first, so earlier decisions are reused (`skip` may be stateful, e.g. one hit per title).
    decided: dict[int, bool] = {}
    while True:
        if want >= len(column):
            cand = np.arange(len(column))
        else:
            # Every row scoring at least the want-th best: ties at the cut stay in, so the order
            # (score, then row) is exact.
            cut = -np.partition(-column, want - 1)[want - 1]
            cand = np.flatnonzero(column >= cut)
        cand = cand[np.lexsort((cand, -column[cand]))]
        out = []
        for row in cand.tolist():
            if column[row] <= 0 or len(out) >= k:
                break
            if skip is not None:
                if row not in decided:
                    decided[row] = bool(skip(row))
                if decided[row]:
                    continue
            out.append(Hit(row, float(column[row])))
        if len(out) >= k or want >= n_pos:
            return out
        want = min(n_pos, want * 4)


def why_terms(batch: "ScoreBatch", row: int, j: int, surfaces: dict[str, str], n: int = 3) -> list[str]:
    """The `n` terms of query j that contributed most to document `row`'s score, as readable words."""
    parts = batch.contributions(row, j)
    best = sorted(parts, key=lambda t: (-parts[t], t))[:n]
    return [surfaces.get(t, t) for t in best]


class LibraryIndex:
    """The BM25 index of a library, kept in step with its store by `sync` (incremental).

    `source` is duck-typed (the Store): `papers_for_index(after_rowid=, ids=)`, `last_paper_change()`,
    `paper_changes(after_seq)`, `paper_id_at(rowid)`, `count_papers_upto(rowid)`. New papers are read
    by rowid; papers whose text changed are re-read from the change log and replace their old rows;
    a deletion (rowids may then be reused) rebuilds. Every process keeps its own index and syncs
    before each use, so all workers on one SQLite file answer from the same library; a snapshot file
    beside the library spares a new process the cold build. Thread-safe: one lock around sync and
    scoring."""

    # Write a snapshot after a sync that indexed at least this many papers (a cold build of a big
    # library), so the next process starts from it instead of re-analyzing every abstract.
    SNAPSHOT_MIN_NEW = 2000

    def __init__(self, source, snapshot_path: str | os.PathLike | None = None):
        self.source = source
        self.snapshot_path = Path(snapshot_path) if snapshot_path else None
        self.lock = threading.RLock()
        self._reset()
        self._snapshot_tried = False

    def _reset(self) -> None:
        self.bm25 = BM25Index()
        self.title_keys: list[str] = []
        self.last_rowid = 0
        self.last_seq = 0

    def sync(self) -> int:
        """Catch up with the store; returns how many papers were (re)indexed."""
        with self.lock:
            if not self._snapshot_tried and self.snapshot_path is not None:
                self._snapshot_tried = True
                self.load_snapshot()
            seq = self.source.last_paper_change()
            changed: list[str] = []
            if seq > self.last_seq and self.last_rowid:
                changes = self.source.paper_changes(self.last_seq)
                if any(deleted for _, _, deleted in changes):
                    self._reset()
                else:
                    changed = sorted({pid for _, pid, _ in changes})
            rows = self.source.papers_for_index(after_rowid=self.last_rowid)
            if changed:
                fresh = {r["id"] for r in rows}
                rows = self.source.papers_for_index(ids=[p for p in changed if p not in fresh]) + rows
            self._add(rows)
            if rows:
                self.last_rowid = max(self.last_rowid, max(r["rowid"] for r in rows))
            self.last_seq = seq
            if self.snapshot_path is not None and len(rows) >= self.SNAPSHOT_MIN_NEW:
                self.save_snapshot()
            return len(rows)

    # ------------------------------------------------------------ snapshot

    def save_snapshot(self) -> None:
        """Write the index next to the library (atomically: temp file + rename). Best effort: a
        failure only costs the next process a full build."""
        path = self.snapshot_path
        if path is None:
            return
        with self.lock:
            bm = self.bm25
            bm.merge()
            block = bm._blocks[0][1] if bm._blocks else sparse.csr_matrix((len(bm.vocab), 0), dtype=np.float32)
            arrays = {
                "fingerprint": _text_array(snapshot_fingerprint()),
                "keys": _text_array("\n".join(bm.keys)),
                "title_keys": _text_array("\n".join(self.title_keys)),
                "terms": _text_array("\n".join(bm.terms)),
                "df": bm.df[: len(bm.vocab)],
                "alive": bm.alive,
                "doc_len": bm.doc_len,
                "data": block.data,
                "indices": block.indices,
                "indptr": block.indptr,
                "marks": np.array([self.last_rowid, self.last_seq, len(bm.keys)], dtype=np.int64),
            }
            try:
                path.parent.mkdir(parents=True, exist_ok=True)
                fd, tmp = tempfile.mkstemp(prefix=path.name, suffix=".tmp", dir=path.parent)
                with os.fdopen(fd, "wb") as f:
                    np.savez(f, **arrays)
                os.replace(tmp, path)
            except OSError:
                log.warning("could not write the related-papers index snapshot %s", path, exc_info=True)

    def load_snapshot(self) -> bool:
        """Start from the snapshot if it is there, was made by this analyzer and matches this
        library (the paper at its last rowid is the same, and as many papers precede it)."""
        path = self.snapshot_path
        if path is None or not path.exists():
            return False
        try:
            with np.load(path, allow_pickle=False) as z:
                if _array_text(z["fingerprint"]) != snapshot_fingerprint():
                    return False
                last_rowid, last_seq, n_rows = (int(v) for v in z["marks"])
                keys = _array_text(z["keys"]).split("\n") if n_rows else []
                title_keys = _array_text(z["title_keys"]).split("\n") if n_rows else []
                text = _array_text(z["terms"])
                terms = text.split("\n") if text else []
                alive = z["alive"]
                if len(keys) != n_rows or len(title_keys) != n_rows or len(alive) != n_rows:
                    return False
                live = {k for k, a in zip(keys, alive.tolist()) if a}
                # The same library file? The paper at the last indexed rowid is one we hold, and as
                # many papers are at or before it as we hold (a restored or replaced file fails this).
                if not live or self.source.paper_id_at(last_rowid) not in live:
                    return False
                if self.source.count_papers_upto(last_rowid) != len(live):
                    return False
                bm = BM25Index()
                bm.terms = terms
                bm.vocab = {t: i for i, t in enumerate(terms)}
                bm.df = z["df"].astype(np.int64)
                bm.keys = keys
                bm.row_of = {k: i for i, (k, a) in enumerate(zip(keys, alive.tolist())) if a}
                bm.alive = alive.astype(bool)
                bm.doc_len = z["doc_len"].astype(np.float64)
                bm.n_live = len(bm.row_of)
                bm.total_len = float(bm.doc_len.sum())
                block = sparse.csr_matrix(
                    (z["data"], z["indices"], z["indptr"]), shape=(len(terms), n_rows)
                )
                bm._blocks = [(0, block)] if n_rows else []
        except (OSError, ValueError, KeyError):
            log.warning("ignoring an unreadable related-papers index snapshot %s", path, exc_info=True)
            return False
        self.bm25, self.title_keys = bm, title_keys
        self.last_rowid, self.last_seq = last_rowid, last_seq
        return True

    def _add(self, rows: list[dict]) -> None:
        a = analyzer()
        self.bm25.add([(r["id"], a.paper_terms(r["title"], r["abstract"], r["ai_keywords"])) for r in rows])
        self.title_keys.extend([""] * (len(self.bm25.keys) - len(self.title_keys)))
        for r in rows:
            self.title_keys[self.bm25.row_of[r["id"]]] = r["title_key"]

    def row(self, paper_id: str) -> int | None:
        return self.bm25.row_of.get(paper_id)

    def ranked(self, column: np.ndarray, k: int, exclude_ids=(), exclude_title_keys=()) -> list[Hit]:
        """Top-k hits of a score column, without the excluded ids and titles, one hit per title."""
        keys, titles = self.bm25.keys, self.title_keys
        seen = set(t for t in exclude_title_keys if t)
        exclude_ids = set(exclude_ids)

        def skip(row: int) -> bool:
            if keys[row] in exclude_ids or titles[row] in seen:
                return True
            if titles[row]:
                seen.add(titles[row])
            return False

        return top_rows(column, k, skip)


# ---------------------------------------------------------------- fusion with document embeddings

# BM25 + MiniLM fusion: BM25 picks the candidates, the fusion re-orders them. Measured on CSFCube
# (benchmarks/bench_related.py quality --embeddings): BM25 51.3, MiniLM alone 54.3, this 56.5 NDCG@20.
FUSION_WEIGHT = 0.5
FUSION_CANDIDATES = 100


def _zscore(v: np.ndarray) -> np.ndarray:
    sd = float(v.std()) or 1.0  # all equal: every z is 0, not a division by zero
    return (v - v.mean()) / sd


def fuse_scores(bm25: np.ndarray, cosine: np.ndarray, weight: float = FUSION_WEIGHT) -> np.ndarray:
    """Z-score fusion of one query's candidates: (1 - weight) * z(bm25) + weight * z(cosine).

    `bm25` and `cosine` are aligned 1-D arrays over the same candidates; a NaN cosine means that
    candidate has no embedding: it gets z(bm25) alone (z over all candidates), so it keeps its BM25
    standing. z(cosine) is taken over the candidates that have one; with fewer than two of them
    the result is z(bm25) alone, i.e. exactly BM25's order. Returns float64 fused scores."""
    bm25 = np.asarray(bm25, dtype=np.float64)
    cosine = np.asarray(cosine, dtype=np.float64)
    zb = _zscore(bm25) if len(bm25) else bm25.copy()
    has = ~np.isnan(cosine)
    if int(has.sum()) < 2:
        return zb
    out = zb.copy()
    out[has] = (1 - weight) * zb[has] + weight * _zscore(cosine[has])
    return out
