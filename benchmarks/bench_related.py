"""Related papers: quality on CSFCube, speed and memory on a 50,000-paper library, against rank-bm25.

    PYTHONPATH=backend .venv/bin/python benchmarks/bench_related.py [quality|speed|all] [--n 50000] [--embeddings]

Quality: CSFCube's 50 query facets; each query paper (title + abstract) ranks its own judged pool
(100-250 candidates), IDF etc. fitted on the whole 4,205-paper corpus; NDCG@20 with gain 2^rel - 1,
ideal DCG from the pool's judgments. Speed: related lists (top 10) for a 100-paper page against an
N-paper library built by `library_data.synthetic_library`, ours vs rank-bm25 `get_scores` per paper
(timed on a sample and extrapolated), with top-10 agreement checked on every sampled query.
"""

from __future__ import annotations

import argparse
import gc
import math
import os
import sys
import time
from collections import defaultdict
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent))
sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "backend"))

from library_data import read_jsonl, shared_dir, synthetic_library  # noqa: E402
from rank_bm25 import BM25Okapi  # noqa: E402

from paperlens.ranking import fusion  # noqa: E402
from paperlens.ranking.analyzer import TITLE_WEIGHT, Analyzer, analyzer  # noqa: E402
from paperlens.ranking.bm25 import BM25Index, top_rows  # noqa: E402


# ---------------------------------------------------------------- quality


def load_csfcube():
    root = shared_dir() / "data" / "csfcube"
    if not (root / "corpus.jsonl").exists():
        raise SystemExit(f"CSFCube not found at {root}: set PAPERLENS_SHARED")
    corpus = read_jsonl(root / "corpus.jsonl")
    queries = read_jsonl(root / "queries.jsonl")
    qrels: dict[str, dict[str, int]] = defaultdict(dict)
    with open(root / "qrels.tsv", encoding="utf-8") as f:
        next(f)
        for line in f:
            qid, did, rel = line.rstrip("\n").split("\t")
            qrels[qid][did] = int(rel)
    return corpus, queries, qrels


def ndcg_at(ranked: list[str], rels: dict[str, int], k: int = 20) -> float:
    dcg = sum((2 ** rels.get(d, 0) - 1) / math.log2(i + 2) for i, d in enumerate(ranked[:k]))
    ideal = sorted(rels.values(), reverse=True)[:k]
    idcg = sum((2**r - 1) / math.log2(i + 2) for i, r in enumerate(ideal))
    return dcg / idcg if idcg else 0.0


def evaluate(scores_by_query: dict[str, dict[str, float]], qrels) -> float:
    """Mean NDCG@20 (x100) over the queries; ties broken by doc id for determinism."""
    vals = []
    for qid, rels in qrels.items():
        s = scores_by_query[qid]
        ranked = sorted(rels, key=lambda d: (-s.get(d, 0.0), d))
        vals.append(ndcg_at(ranked, rels))
    return 100 * float(np.mean(vals))


def pool_scores(corpus, queries, qrels, doc_terms, query_terms, engine: str = "ours"):
    """{qid: {doc id: BM25 score}} over each query's pool; `engine` "ours" or "rank-bm25"."""
    ids = [d["id"] for d in corpus]
    row = {pid: i for i, pid in enumerate(ids)}
    out = {}
    if engine == "rank-bm25":
        bm = BM25Okapi(doc_terms)
        for q, qt in zip(queries, query_terms):
            pool = list(qrels[q["query_id"]])
            sc = bm.get_batch_scores(qt, [row[d] for d in pool])
            out[q["query_id"]] = dict(zip(pool, sc))
        return out
    index = BM25Index()
    index.add(list(zip(ids, doc_terms)))
    S = index.scores(query_terms)
    for j, q in enumerate(queries):
        out[q["query_id"]] = {d: float(S[row[d], j]) for d in qrels[q["query_id"]]}
    return out


def porter_stop_tokens(text: str) -> list[str]:
    """The issue's second baseline: lowercased word tokens, stop words out, Porter stems."""
    import re

    from nltk.stem.porter import PorterStemmer
    from sklearn.feature_extraction.text import ENGLISH_STOP_WORDS

    st = porter_stop_tokens.__dict__.setdefault("stemmer", PorterStemmer())
    return [st.stem(w) for w in re.findall(r"\w+", text.lower()) if w not in ENGLISH_STOP_WORDS]


def embedding_scores(corpus, queries, qrels, held=np.float32):
    """{qid: {doc: cosine}} with all-MiniLM-L6-v2 over title + abstract (cached in a temp file), the
    vectors held as `held` (the server holds them as float16: ranking.vectors)."""
    import tempfile

    from paperlens.embedding import BundledEmbedder

    embedder = BundledEmbedder()  # as the server embeds: its precision for this CPU
    cache = Path(tempfile.gettempdir()) / f"paperlens-csfcube-minilm-{embedder.precision}-{len(corpus)}.npy"
    texts = [f"{d['title']}. {d['abstract']}" for d in corpus]
    if cache.exists():
        emb = np.load(cache)
    else:
        emb = embedder.embed(texts)
        np.save(cache, emb)
    emb = emb.astype(held).astype(np.float32)
    row = {d["id"]: i for i, d in enumerate(corpus)}
    out = {}
    for q in queries:
        qv = emb[row[q["paper_id"]]]
        out[q["query_id"]] = {d: float(emb[row[d]] @ qv) for d in qrels[q["query_id"]]}
    return out


def quality(with_embeddings: bool) -> None:
    corpus, queries, qrels = load_csfcube()
    by_id = {d["id"]: d for d in corpus}
    qpapers = [by_id.get(q["paper_id"], q) for q in queries]
    rows = []

    def text(d):
        return f"{d['title']} {d['abstract']}"

    raw_docs = [text(d).lower().split() for d in corpus]
    raw_q = [text(d).lower().split() for d in qpapers]
    rows.append(("rank-bm25, raw lowercased whitespace tokens (baseline)", pool_scores(corpus, queries, qrels, raw_docs, raw_q, "rank-bm25")))
    ps_docs = [porter_stop_tokens(text(d)) for d in corpus]
    ps_q = [porter_stop_tokens(text(d)) for d in qpapers]
    rows.append(("rank-bm25, Porter stems minus sklearn stop words", pool_scores(corpus, queries, qrels, ps_docs, ps_q, "rank-bm25")))

    a = analyzer()
    ours_docs = [a.paper_terms(d["title"], d["abstract"]) for d in corpus]
    ours_q = [a.paper_terms(d["title"], d["abstract"]) for d in qpapers]
    ours = pool_scores(corpus, queries, qrels, ours_docs, ours_q)
    rows.append((f"ours: analyzer + title x{TITLE_WEIGHT} (shipped)", ours))
    # Ablations: what each choice does (not tuned on the test queries beyond this table).
    t1_docs = [a.terms(d["title"]) + a.terms(d["abstract"]) for d in corpus]
    t1_q = [a.terms(d["title"]) + a.terms(d["abstract"]) for d in qpapers]
    rows.append(("  ablation: title x1", pool_scores(corpus, queries, qrels, t1_docs, t1_q)))
    t3_docs = [a.terms(d["title"]) * 3 + a.terms(d["abstract"]) for d in corpus]
    t3_q = [a.terms(d["title"]) * 3 + a.terms(d["abstract"]) for d in qpapers]
    rows.append(("  ablation: title x3", pool_scores(corpus, queries, qrels, t3_docs, t3_q)))
    dedup_q = [list(dict.fromkeys(t)) for t in ours_q]
    rows.append(("  ablation: query terms counted once", pool_scores(corpus, queries, qrels, ours_docs, dedup_q)))

    if with_embeddings:
        emb = embedding_scores(corpus, queries, qrels)
        rows.append(("MiniLM-L6 cosine alone", emb))
        # The product's own fusion function (fusion.fuse_scores) over each judged pool; the
        # shipped weight is fusion.FUSION_WEIGHT (the service applies it to BM25's top candidates).
        for w in sorted({0.3, fusion.FUSION_WEIGHT}):
            fused = {}
            for qid in ours:
                pool = list(ours[qid])
                f = fusion.fuse_scores(np.array([ours[qid][d] for d in pool]), np.array([emb[qid][d] for d in pool]), w)
                fused[qid] = dict(zip(pool, f.tolist()))
            shipped = " (shipped)" if w == fusion.FUSION_WEIGHT else ""
            rows.append((f"fusion: z(BM25) x{1 - w:.1f} + z(MiniLM) x{w:.1f}{shipped}", fused))
        # As served: only BM25's top FUSION_CANDIDATES are re-ordered; the rest follow in BM25 order;
        # the vectors as the server holds them in memory (float16), and at float32 beside it.
        cut = fusion.FUSION_CANDIDATES
        for label, cos in (("float16 vectors", embedding_scores(corpus, queries, qrels, np.float16)),
                           ("float32 vectors", emb)):
            served = {}
            for qid in ours:
                pool = sorted(ours[qid], key=lambda d: (-ours[qid][d], d))
                top, rest = pool[:cut], pool[cut:]
                f = fusion.fuse_scores(np.array([ours[qid][d] for d in top]), np.array([cos[qid][d] for d in top]))
                floor = float(f.min()) - 1.0
                served[qid] = {**dict(zip(top, f.tolist())), **{d: floor - i for i, d in enumerate(rest)}}
            rows.append((f"  as served: re-orders BM25's top {cut}, {label}", served))

    print(f"\nCSFCube: {len(queries)} query facets, {len(corpus)} papers, NDCG@20 (x100) over each judged pool\n")
    print(f"| {'method':<58} | NDCG@20 |")
    print(f"|{'-' * 60}|---------|")
    for name, sc in rows:
        print(f"| {name:<58} | {evaluate(sc, qrels):7.1f} |")
    facets = defaultdict(dict)
    for q in queries:
        facets[q["facet"]][q["query_id"]] = qrels[q["query_id"]]
    print("\nours by facet: " + ", ".join(f"{f} {evaluate(ours, fq):.1f} ({len(fq)})" for f, fq in sorted(facets.items())))


# ---------------------------------------------------------------- speed


def rss_mb() -> float:
    with open("/proc/self/status") as f:
        for line in f:
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
    return float("nan")


class Timer:
    """Wall and CPU (this process) seconds of a block: the machine is shared, so CPU time says what
    the work costs and wall time what a user would have waited right now."""

    def __enter__(self):
        self.wall, self.cpu = time.perf_counter(), time.process_time()
        return self

    def __exit__(self, *exc):
        self.wall = time.perf_counter() - self.wall
        self.cpu = time.process_time() - self.cpu


def best_of(fn, runs: int = 3) -> Timer:
    best = None
    for _ in range(runs):
        with Timer() as t:
            fn()
        best = t if best is None or t.wall < best.wall else best
    return best


def median_of(fn, runs: int = 15) -> Timer:
    """p50 (wall and CPU, each the median of `runs`) after one untimed warm-up call."""
    fn()
    walls, cpus = [], []
    for _ in range(runs):
        with Timer() as t:
            fn()
        walls.append(t.wall)
        cpus.append(t.cpu)
    out = Timer()
    out.wall, out.cpu = sorted(walls)[runs // 2], sorted(cpus)[runs // 2]
    return out


def table(rows) -> None:
    print(f"| {'step':<58} | {'wall':>9} | {'cpu':>9} |")
    print(f"|{'-' * 60}|{'-' * 11}|{'-' * 11}|")
    for name, val in rows:
        if isinstance(val, Timer):
            print(f"| {name:<58} | {val.wall * 1000:>6.0f} ms | {val.cpu * 1000:>6.0f} ms |")
        else:
            print(f"| {name:<58} | {val:>21} |")


def speed(n: int, page: int = 100, sample: int = 10) -> None:
    print(f"\nSpeed: a {page}-paper page against a {n}-paper library (top 10 per paper); "
          f"load average {os.getloadavg()[0]:.1f} on {os.cpu_count()} cores\n")
    with Timer() as t:
        lib = synthetic_library(n + page, seed=1)
    library, new_page = lib[:n], lib[n:]
    print(f"synthetic library built in {t.wall:.1f} s ({n} papers + a new page of {page})")
    rng = np.random.default_rng(0)
    page_rows = rng.choice(n, size=page, replace=False)  # the page's papers are in the library

    a = Analyzer()
    gc.collect()
    rss0 = rss_mb()
    with Timer() as t_tok:
        terms = [a.paper_terms(p["title"], p["abstract"]) for p in library]
    index = BM25Index()
    with Timer() as t_build:
        index.add([(p["id"], tt) for p, tt in zip(library, terms)])
        index.idf()
    rss1 = rss_mb()
    queries = [terms[r] for r in page_rows]

    def page_related(idx):
        S = idx.scores(queries)
        return [top_rows(S[:, j], 10, skip=lambda row, r=r: row == r) for j, r in enumerate(page_rows)]

    ours = page_related(index)
    t_ours = best_of(lambda idx=index: page_related(idx))  # bound now: `index` is deleted below

    bm = BM25Okapi(terms)
    sample_j = list(range(0, page, page // sample))[:sample]
    with Timer() as t_ref:
        ref_scores = {j: bm.get_scores(queries[j]) for j in sample_j}
    ref_wall = t_ref.wall / len(sample_j) * page
    agree = 0
    max_diff = 0.0
    S = index.scores([queries[j] for j in sample_j])
    for i, j in enumerate(sample_j):
        r = ref_scores[j]
        max_diff = max(max_diff, float(np.abs(S[:, i] - r).max()))
        ref_top = top_rows(r, 10, skip=lambda row, rr=page_rows[j]: row == rr)
        agree += [h.row for h in ref_top] == [h.row for h in ours[j]]
    del bm, ref_scores

    # A new page arrives: analyze and index its papers, answer their related lists.
    with Timer() as t_incr:
        new_terms = [a.paper_terms(p["title"], p["abstract"]) for p in new_page]
        index.add([(p["id"], tt) for p, tt in zip(new_page, new_terms)])
        S = index.scores(new_terms)
        new_lists = [top_rows(S[:, j], 10, skip=lambda row, r=n + j: row == r) for j in range(page)]
    assert all(new_lists)
    with Timer() as t_one:
        index.add([(new_page[0]["id"], new_terms[0])])
        top_rows(index.scores([new_terms[1]])[:, 0], 10)

    table(
        [
            (f"analyze {n} papers (cold start, once per process)", t_tok),
            ("build the index from their terms", t_build),
            (f"ours: related lists for the {page}-paper page (best of 3)", t_ours),
            (f"rank-bm25 get_scores x{page} (timed {len(sample_j)}, extrapolated)", f"{ref_wall:.1f} s"),
            ("speed-up (wall)", f"{ref_wall / t_ours.wall:.0f}x"),
            ("same top-10 as rank-bm25 (sampled queries)", f"{agree}/{len(sample_j)}"),
            ("max |score difference| vs rank-bm25", f"{max_diff:.1e}"),
            (f"add a new {page}-paper page + its {page} related lists", t_incr),
            ("replace 1 paper + answer 1 related query", t_one),
            ("index memory (arrays + dict estimate)", f"{index.memory_bytes() / 2**20:.0f} MB"),
            ("process RSS growth: analyzed terms + index", f"{rss1 - rss0:.0f} MB"),
        ]
    )
    del terms, index
    service(library, new_page)


def service(library: list[dict], new_page: list[dict]) -> None:
    """The same through the annotate pipeline on a SQLite library: what `POST /api/annotate` pays for related."""
    import tempfile

    from paperlens.annotate import Annotator
    from paperlens.keyphrases import KeyphraseExtractor
    from paperlens.ranking.bm25_ranker import BM25Ranker
    from paperlens.store import Store

    with tempfile.TemporaryDirectory() as tmp:
        db = Path(tmp) / "library.sqlite3"
        store = Store(db)
        for i in range(0, len(library), 5000):
            store.record_papers(library[i : i + 5000])
        ann = Annotator(store, KeyphraseExtractor(embedder=object()))
        for p in library[:: max(1, len(library) // 50)]:
            store.save_paper(p["id"])
        with Timer() as t_cold:
            ann.ranker.index.sync()
        rss = rss_mb()
        old_page = library[-len(new_page) :]
        t_old = median_of(lambda: ann.answer(old_page, [[]] * len(old_page)))
        # Fusion: every paper gets a (random) 384-d embedding, as MiniLM's, stored like the worker does.
        rng = np.random.default_rng(0)
        for i in range(0, len(library), 5000):
            part = library[i : i + 5000]
            vecs = rng.standard_normal((len(part), 384)).astype(np.float32)
            vecs /= np.linalg.norm(vecs, axis=1, keepdims=True)
            store.put_keyphrases({}, embeddings=(ann.extractor.model_name, {p["id"]: v for p, v in zip(part, vecs)}))
        gc.collect()
        rss_vec0 = rss_mb()
        with Timer() as t_vec:
            ann.ranker.vectors.sync()
        rss_vec = rss_mb() - rss_vec0
        t_fused = median_of(lambda: ann.answer(old_page, [[]] * len(old_page)))
        snap = Path(ann.ranker.index.snapshot_path)
        snap_mb = snap.stat().st_size / 2**20 if snap.exists() else 0.0
        with Timer() as t_snap:  # what a new gunicorn worker does before its first page
            started = Annotator(Store(db), ann.extractor)
            loaded = started.ranker.index.load_snapshot()
            started.ranker.index.sync()
            started.ranker.vectors.sync()
        assert loaded and len(started.ranker.index) == len(library) == len(started.ranker.vectors)
        del started
        # The rest of the table is BM25 alone (the same index, without the fusion step).
        bm25 = BM25Ranker(store)
        bm25.index, ann.ranker = ann.ranker.index, bm25

        def new_page_answer():
            store.record_papers(new_page)
            return ann.answer(new_page, [[]] * len(new_page))

        with Timer() as t_new:
            answer = new_page_answer()
        other = Annotator(Store(db), ann.extractor)
        other.ranker.index.sync()
        store.record_papers([{**new_page[0], "abstract": new_page[0]["abstract"] + " quantum annealing"}])
        with Timer() as t_other:
            hits = other.search("quantum annealing", 3)
        assert hits and hits[0]["id"] == new_page[0]["id"]
        print(f"\nThrough the annotate pipeline (SQLite library of {len(library)} papers, {store.count_saved()} saved):\n")
        table(
            [
                ("first sync: read + analyze + index the library (+ snapshot)", t_cold),
                (f"a new process: load the snapshot ({snap_mb:.0f} MB) + sync + vectors", t_snap),
                (f"read {len(library)} paper vectors into memory (float16)", t_vec),
                ("  their memory (process RSS growth)", f"{rss_vec:.0f} MB"),
                (f"p50: related + for_you + why + shape, {len(old_page)} papers", t_old),
                (f"p50: the same with fusion (BM25 top {fusion.FUSION_CANDIDATES} re-ranked)", t_fused),
                (f"record a new {len(new_page)}-paper page, then the same", t_new),
                ("another process: sees a changed abstract, search", t_other),
                ("process RSS after the first sync (benchmark data included)", f"{rss:.0f} MB"),
            ]
        )
        sample = answer[0]
        print(f"\nexample (synthetic papers: recombined sentences): {sample['title'][:50]!r} for_you={sample['for_you']}")
        for h in sample["related"][:3]:
            print(f"  {h['score']:7.2f}  {h['title'][:60]!r}  why={h['why']}")


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("what", nargs="?", default="all", choices=["quality", "speed", "all"])
    ap.add_argument("--n", type=int, default=50000)
    ap.add_argument("--embeddings", action="store_true", help="also score MiniLM and BM25+MiniLM fusion")
    args = ap.parse_args()
    os.environ.setdefault("HF_HUB_OFFLINE", "1")
    if args.what in ("quality", "all"):
        quality(args.embeddings)
    if args.what in ("speed", "all"):
        speed(args.n)


if __name__ == "__main__":
    main()
