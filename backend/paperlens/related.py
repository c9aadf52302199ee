"""Related papers: one analyzer and an incremental BM25 index over the reader's library.

Pure: token lists and documents in, ranked rows and scores out; the store feeds it, the service
formats it. Scores are exactly rank-bm25's `BM25Okapi.get_scores` (same IDF with its epsilon floor
for negative IDFs, same k1 and b, same avgdl), but computed for a whole page of queries at once as
one sparse matrix product instead of a Python loop over every document for every query term.
"""

from __future__ import annotations

import re
import threading
from collections import Counter
from dataclasses import dataclass

import numpy as np
from scipy import sparse

# rank-bm25's BM25Okapi defaults: we keep its semantics so its scores are our reference.
K1, B, EPSILON = 1.5, 0.75, 0.25

# The title says what a paper is about more densely than any abstract sentence: its tokens count twice.
TITLE_WEIGHT = 2

# scikit-learn's English list (318 words) plus a few words every abstract uses. IDF would push
# these down anyway, but BM25 query terms add up linearly, so dropping them keeps the scores
# about content and keeps documents shorter.
_EXTRA_STOP = """also using use used via based et al paper propose proposed show shows shown""".split()


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
        memo, miss, out = self._memo, _MISS, []
        for word in _WORD.findall(text or ""):
            term = memo.get(word, miss)
            if term is miss:
                term = self._term(word)
            if term is not None:
                out.append(term)
        return out

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


def paper_text(title: str, abstract: str) -> str:
    """Title and abstract as one readable string (for surface forms of "why" terms)."""
    return f"{title} {abstract}"


@dataclass
class Hit:
    row: int
    score: float


class BM25Index:
    """BM25Okapi over a growing set of documents, each a list of terms, addressed by key.

    Documents are rows of a sparse term-frequency matrix. `add` appends rows (replacing a key
    marks its old row dead); document frequencies, the live count and the total length are kept
    up to date, and the BM25 weights are recomputed lazily (vectorized) after a change, because
    avgdl and IDF move with every new document. Not thread-safe by itself: callers lock."""

    def __init__(self, k1: float = K1, b: float = B, epsilon: float = EPSILON):
        self.k1, self.b, self.epsilon = k1, b, epsilon
        self.vocab: dict[str, int] = {}
        self.df = np.zeros(0, dtype=np.int64)
        self.keys: list[str] = []
        self.row_of: dict[str, int] = {}
        self.alive = np.zeros(0, dtype=bool)
        self.doc_len = np.zeros(0, dtype=np.float64)
        self.n_live = 0
        self.total_len = 0.0
        self._tf = sparse.csr_matrix((0, 0), dtype=np.float32)
        self._pending: list[tuple[np.ndarray, np.ndarray]] = []
        self._weights: sparse.csr_matrix | None = None
        self._idf: np.ndarray | None = None

    def __len__(self) -> int:
        return self.n_live

    # ------------------------------------------------------------ building

    def add(self, docs: list[tuple[str, list[str]]]) -> None:
        """Add (key, terms) documents; a key already present is replaced."""
        if not docs:
            return
        for key, _ in docs:
            self.remove(key)
        start = len(self.keys)
        lens = np.zeros(len(docs), dtype=np.float64)
        for i, (key, terms) in enumerate(docs):
            self.row_of[key] = start + i
            self.keys.append(key)
            counts = Counter(terms)
            cols = np.fromiter((self._col(t) for t in counts), dtype=np.int32, count=len(counts))
            vals = np.fromiter(counts.values(), dtype=np.float32, count=len(counts))
            order = np.argsort(cols)
            self._pending.append((cols[order], vals[order]))
            lens[i] = len(terms)
            np.add.at(self.df, cols, 1)
        self.doc_len = np.concatenate([self.doc_len, lens])
        self.alive = np.concatenate([self.alive, np.ones(len(docs), dtype=bool)])
        self.n_live += len(docs)
        self.total_len += float(lens.sum())
        self._weights = self._idf = None

    def _col(self, term: str) -> int:
        col = self.vocab.get(term)
        if col is None:
            col = self.vocab[term] = len(self.vocab)
            if col >= len(self.df):
                self.df = np.concatenate([self.df, np.zeros(max(1024, len(self.df)), dtype=np.int64)])
        return col

    def remove(self, key: str) -> bool:
        """Forget the document `key` (its row stays, dead and all-zero). True if it was there."""
        row = self.row_of.pop(key, None)
        if row is None:
            return False
        self._flush()
        start, end = self._tf.indptr[row], self._tf.indptr[row + 1]
        np.subtract.at(self.df, self._tf.indices[start:end], 1)
        self._tf.data[start:end] = 0
        self.alive[row] = False
        self.n_live -= 1
        self.total_len -= self.doc_len[row]
        self.doc_len[row] = 0
        self._weights = self._idf = None
        return True

    def _flush(self) -> None:
        """Append pending rows to the term-frequency matrix."""
        if not self._pending:
            return
        indptr = np.cumsum([0] + [len(c) for c, _ in self._pending], dtype=np.int64)
        block = sparse.csr_matrix(
            (
                np.concatenate([v for _, v in self._pending]),
                np.concatenate([c for c, _ in self._pending]),
                indptr,
            ),
            shape=(len(self._pending), len(self.vocab)),
        )
        self._pending = []
        tf = self._tf
        tf.resize((tf.shape[0], len(self.vocab)))
        self._tf = sparse.vstack([tf, block], format="csr") if tf.shape[0] else block
        self._tf.resize((self._tf.shape[0], len(self.vocab)))

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

    def weights(self) -> sparse.csr_matrix:
        """Documents x terms: tf (k1 + 1) / (tf + k1 (1 - b + b dl / avgdl)), float64."""
        if self._weights is None:
            self._flush()
            tf = self._tf
            avgdl = self.avgdl() or 1.0
            dl = np.repeat(self.doc_len, np.diff(tf.indptr))
            data = tf.data.astype(np.float64)
            norm = data + self.k1 * (1 - self.b + self.b * dl / avgdl)
            data = data * (self.k1 + 1) / norm
            self._weights = sparse.csr_matrix((data, tf.indices, tf.indptr), shape=tf.shape)
        return self._weights

    # ------------------------------------------------------------ scoring

    def query_matrix(self, queries: list[list[str]]) -> sparse.csr_matrix:
        """Terms x queries: count of the term in the query x its IDF (terms outside the vocabulary
        score 0, as in rank-bm25)."""
        idf = self.idf()
        rows, cols, vals = [], [], []
        for j, terms in enumerate(queries):
            for term, count in Counter(terms).items():
                col = self.vocab.get(term)
                if col is not None and idf[col] != 0:
                    rows.append(col)
                    cols.append(j)
                    vals.append(count * idf[col])
        return sparse.csr_matrix(
            (np.asarray(vals, dtype=np.float64), (np.asarray(rows, dtype=np.int64), np.asarray(cols, dtype=np.int64))),
            shape=(len(self.vocab), len(queries)),
        )

    def scores(self, queries: list[list[str]]) -> np.ndarray:
        """BM25 scores, documents x queries (dense float64; dead rows score 0). Column j equals
        `BM25Okapi(live docs).get_scores(queries[j])` on the live rows."""
        w = self.weights()
        if not queries:
            return np.zeros((w.shape[0], 0))
        if w.shape[0] == 0 or not self.vocab:
            return np.zeros((w.shape[0], len(queries)))
        return np.asarray((w @ self.query_matrix(queries)).todense())

    def contributions(self, row: int, terms: list[str]) -> dict[str, float]:
        """{term: its share of the score of document `row` for the query `terms`}, positive only."""
        w = self.weights()
        idf = self.idf()
        start, end = w.indptr[row], w.indptr[row + 1]
        doc = dict(zip(w.indices[start:end].tolist(), w.data[start:end].tolist()))
        out = {}
        for term, count in Counter(terms).items():
            col = self.vocab.get(term)
            if col is not None and col in doc and idf[col] > 0:
                out[term] = count * idf[col] * doc[col]
        return out

    def memory_bytes(self) -> int:
        """Bytes held by the arrays (matrices, statistics); the Python dicts are estimated."""
        self._flush()
        w = self.weights()
        arrays = [self._tf.data, self._tf.indices, self._tf.indptr, w.data, self.df, self.alive, self.doc_len]
        if self._idf is not None:
            arrays.append(self._idf)
        dicts = 100 * (len(self.vocab) + len(self.row_of)) + 60 * len(self.keys)
        return sum(a.nbytes for a in arrays) + dicts


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


def why_terms(index: BM25Index, row: int, terms: list[str], surfaces: dict[str, str], n: int = 3) -> list[str]:
    """The `n` query terms that contributed most to document `row`'s score, as readable words."""
    parts = index.contributions(row, terms)
    best = sorted(parts, key=lambda t: (-parts[t], t))[:n]
    return [surfaces.get(t, t) for t in best]


class LibraryIndex:
    """The BM25 index of a library, kept in step with its store by `sync` (incremental).

    `source` is duck-typed (the Store): `papers_for_index(after_rowid=, ids=)`, `last_paper_change()`,
    `paper_changes(after_seq)`. New papers are read by rowid; papers whose text changed are re-read
    from the change log and replace their old rows; a deletion (rowids may then be reused) rebuilds.
    Every process keeps its own index and syncs before each use, so all workers on one SQLite file
    answer from the same library. Thread-safe: one lock around sync and scoring."""

    def __init__(self, source):
        self.source = source
        self.lock = threading.RLock()
        self._reset()

    def _reset(self) -> None:
        self.bm25 = BM25Index()
        self.title_keys: list[str] = []
        self.last_rowid = 0
        self.last_seq = 0

    def sync(self) -> int:
        """Catch up with the store; returns how many papers were (re)indexed."""
        with self.lock:
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
            return len(rows)

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
