"""BM25 (exactly rank-bm25's BM25Okapi) over a growing set of documents, scored a page at a time.

Pure: token lists in, ranked rows and scores out. Scores equal `BM25Okapi.get_scores` (same IDF with
its epsilon floor for negative IDFs, same k1 and b, same avgdl), but a whole page of queries is one
sparse matrix product instead of a Python loop over every document for every query term.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass

import numpy as np
from scipy import sparse

# rank-bm25's BM25Okapi defaults: we keep its semantics so its scores are our reference.
K1, B, EPSILON = 1.5, 0.75, 0.25


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
                # BM25's term weight tf (k1 + 1) / (tf + norm), in place: a page's postings are millions of
                # values, and each temporary array cost milliseconds (13 -> 8 ms for 100 papers x 50,000).
                tf = sub.data.astype(np.float64)
                weight = np.take(norm[start : start + block.shape[1]], sub.indices)
                weight += tf
                np.divide(np.multiply(tf, self.k1 + 1, out=tf), weight, out=weight)
                sub = sparse.csr_matrix((weight, sub.indices, sub.indptr), shape=sub.shape)
                _accumulate(q, sub, out[:, start : start + block.shape[1]])
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


def _accumulate(q: sparse.csr_matrix, sub: sparse.csr_matrix, out: np.ndarray) -> None:
    """out (queries x documents, zeros) += q @ sub, where sub's rows are the query terms' postings.

    `q @ sub` is a sparse-sparse product: it counts the result's entries in one pass and fills a sparse
    result in a second, and a page's result is nearly dense (100 queries x every document), so most of its
    time went to bookkeeping, not arithmetic. Here each (query, term) adds the term's postings, scaled, into
    the query's dense row, in place, with scipy's compiled CSC mat-vec kernel on a view of one posting list:
    the same additions in the same order (identical results), 2.4x faster on a 50,000-paper library. That
    kernel is scipy's private API, so it is checked once against the public product and not used if that
    check fails."""
    if not _kernel_ok():
        out += (q @ sub).toarray()
        return
    width = sub.shape[1]
    ptr, ind, dat = sub.indptr, sub.indices, sub.data
    # Python ints and bools for the loop's bookkeeping (numpy scalars cost more per access, ~8,000 a page).
    qptr, qcol, qval = q.indptr.tolist(), q.indices.tolist(), q.data
    postings = (ptr[1:] != ptr[:-1]).tolist()  # which query terms have any posting in this block
    for j in range(q.shape[0]):
        row = out[j]
        for k in range(qptr[j], qptr[j + 1]):
            c = qcol[k]
            if c < len(postings) and postings[c]:
                _csc_matvec(width, 1, ptr[c : c + 2], ind, dat, qval[k : k + 1], row)


_csc_matvec = None
_kernel_checked: bool | None = None


def _kernel_ok() -> bool:
    global _csc_matvec, _kernel_checked
    if _kernel_checked is None:
        try:
            from scipy.sparse._sparsetools import csc_matvec

            rng = np.random.default_rng(0)
            sub = sparse.random(7, 50, density=0.3, format="csr", random_state=rng)
            q = sparse.random(3, 7, density=0.5, format="csr", random_state=rng)
            got = np.zeros((3, 50))
            _csc_matvec = csc_matvec
            _kernel_checked = True
            _accumulate(q, sub, got)
            _kernel_checked = bool(np.allclose(got, (q @ sub).toarray(), rtol=1e-12, atol=0))
        except Exception:  # another scipy: the public product is right, only slower
            _kernel_checked = False
    return _kernel_checked


class ScoreBatch:
    """The result of `BM25Index.score_batch`: `scores` (documents x queries, column-contiguous) and
    `explain(pairs)` to say which terms made a document's score."""

    def __init__(self, index: BM25Index, cols: np.ndarray, q: sparse.csr_matrix, out: np.ndarray, parts):
        self.index = index
        self._cols = cols
        self._q = q
        self.scores = out.T
        self._parts = parts

    def explain(self, pairs: list[tuple[int, int]]) -> list[list[str]]:
        """For each (document row, query j): the terms of query j that add to that document's score, most
        first (ties by term). All pairs at once, vectorized: a page asks this for 500 hits, and one sparse
        lookup per hit cost a warm page a fifth of its time."""
        out: list[list[str]] = [[] for _ in pairs]
        if not pairs or not len(self._cols):
            return out
        q = self._q.toarray()  # queries x used terms; a page's is ~100 x 2,500
        terms = [self.index.terms[c] for c in self._cols.tolist()]
        by_name = np.empty(len(terms), dtype=np.int64)
        by_name[np.argsort(np.array(terms, dtype=object), kind="stable")] = np.arange(len(terms))
        rows = np.fromiter((r for r, _ in pairs), dtype=np.int64, count=len(pairs))
        qs = np.fromiter((j for _, j in pairs), dtype=np.int64, count=len(pairs))
        for start, sub in self._parts:
            width = sub.shape[1]
            mine = np.flatnonzero((rows >= start) & (rows < start + width))
            if not len(mine):
                continue
            local = rows[mine] - start
            wanted = np.zeros(width, dtype=bool)
            wanted[local] = True
            # The postings of the pairs' documents only: (term, document, normalized tf), by document.
            pos = np.flatnonzero(wanted[sub.indices])
            term_of = np.searchsorted(sub.indptr, pos, side="right") - 1
            doc_of = sub.indices[pos]
            by_doc = np.argsort(doc_of, kind="stable")
            term_of, doc_of, tf = term_of[by_doc], doc_of[by_doc], sub.data[pos][by_doc]
            lo = np.searchsorted(doc_of, local, side="left")
            hi = np.searchsorted(doc_of, local, side="right")
            lens = hi - lo
            total = int(lens.sum())
            if not total:
                continue
            # Every (pair, posting of its document): the ranges [lo, hi) laid end to end.
            pair_of = np.repeat(np.arange(len(mine)), lens)
            at = np.repeat(lo - np.cumsum(lens) + lens, lens) + np.arange(total)
            term = term_of[at]
            share = q[qs[mine][pair_of], term] * tf[at]
            keep = share > 0
            pair_of, term, share = pair_of[keep], term[keep], share[keep]
            order = np.lexsort((by_name[term], -share, pair_of))
            pair_of, term = pair_of[order], term[order]
            bounds = np.searchsorted(pair_of, np.arange(len(mine) + 1))
            term_list = term.tolist()
            for i, p in enumerate(mine.tolist()):
                out[p] = [terms[t] for t in term_list[bounds[i] : bounds[i + 1]]]
        return out


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


def why_words(terms: list[str], surfaces: dict[str, str], n: int = 3) -> list[str] | None:
    """The first `n` of `terms` (an `explain` list, most first) as the words the reader saw; two terms of
    one word ("multi-modal") show it once, and the next term fills the place. None if a term it needed
    has no entry in `surfaces` (the caller looked up too few)."""
    shown: list[str] = []
    for term in terms:
        word = surfaces.get(term)
        if word is None:
            return None
        if word not in shown:
            shown.append(word)
            if len(shown) == n:
                break
    return shown
