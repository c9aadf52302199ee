"""Daily triage, measured: for_you with and without dismissals against zotero-arxiv-daily's ranking, the
relevance floor of related lists, the "close to your library" mark's floor, and what triage costs a page.

    PYTHONPATH=backend .venv/bin/python benchmarks/bench_triage.py [quality|speed|all] [--n 50000]

Quality, on CSFCube (CC BY-NC, read from $PAPERLENS_SHARED or ../shared, never copied here): the whole
4,205-paper corpus is the library (a real SQLite store, its MiniLM document vectors stored as the keyphrase
worker stores them, ranked by the product's own rankers). For each of the 50 query facets the reader has
saved the query paper; 3 papers judged 0 in its pool are dismissed, either the 3 that for_you ranks highest
(what a reader sees first and says "not for me" to) or 3 at random (5 draws); the rest of the pool is ranked
by for_you. NDCG@20 (gain 2^rel - 1, ideal from the rest of the pool's judgments) with the dismissals, without
them (the same papers, so the only difference is the negative feedback), and for zotero-arxiv-daily's
reranker (reranker/base.py: the library sorted newest first, weights 1/(1+log10(rank+1)) normalized, score =
the weighted mean cosine to the library; with one saved paper, the cosine to it), on our bundled MiniLM.

What we tried is printed too: the dismissal weight over a small grid (chosen on each of CSFCube's two dev
folds and scored on the other fold's test queries), and where the cosine starts to count (0, or
COSINE_UNRELATED, set from the median cosine of random pairs, 0.27, not from NDCG). The floors were read off
the tables at the end: RELATED_FLOOR is the highest tried that keeps 95% of the papers judged 2-3, the mark's
floor lets 8% of random papers of the field through. Tried in a prototype and dropped (top-3 scenario, gain over
no dismissals): the penalty on the fused closeness instead of BM25's (+0.5), on the cosine in the space
orthogonal to the saved paper (+0.6), only where a paper is closer to a dismissed paper than to the saved one
(+0.1). Nothing else was tuned on these numbers.

Speed: a 100-paper page against a synthetic library (library_data), through `Annotator.answer`, with and
without the reader's triage (saves, dismissals, muted terms).
"""

from __future__ import annotations

import argparse
import json
import os
import random
import sys
import tempfile
from contextlib import contextmanager
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent))
sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "backend"))

from bench_related import load_csfcube, median_of, ndcg_at, table  # noqa: E402
from library_data import shared_dir, synthetic_library  # noqa: E402

from paperlens import config  # noqa: E402
from paperlens.embedding import MODEL_NAME  # noqa: E402
from paperlens.ids import title_key  # noqa: E402
from paperlens.ranking import bm25_ranker, fusion  # noqa: E402
from paperlens.ranking.analyzer import analyzer  # noqa: E402
from paperlens.store import Store  # noqa: E402

DISMISSED = 3
RANDOM_DRAWS = 5
WEIGHTS_TRIED = (0.0, 0.1, 0.25, 0.5, 1.0)


# ---------------------------------------------------------------- the library


def corpus_vectors(corpus) -> np.ndarray:
    """MiniLM vectors of "title. abstract" (what keyphrase extraction stores per paper), cached in a temp
    file shared with bench_related.py."""
    from paperlens.embedding import BundledEmbedder

    embedder = BundledEmbedder()
    cache = Path(tempfile.gettempdir()) / f"paperlens-csfcube-minilm-{embedder.precision}-{len(corpus)}.npy"
    if cache.exists():
        return np.load(cache)
    vecs = embedder.embed([f"{d['title']}. {d['abstract']}" for d in corpus])
    np.save(cache, vecs)
    return vecs


def csfcube_library(folder: Path):
    """({ranker name: ranker}, corpus by id, queries, qrels) with CSFCube as the library."""
    corpus, queries, qrels = load_csfcube()
    store = Store(folder / "library.sqlite3")
    papers = [{"id": d["id"], "title": d["title"], "title_key": title_key(d["title"]), "abstract": d["abstract"]}
              for d in corpus]
    store.record_papers(papers)
    vecs = corpus_vectors(corpus)
    for i in range(0, len(corpus), 1000):
        store.put_keyphrases({}, embeddings=(MODEL_NAME, {d["id"]: v for d, v in zip(corpus[i : i + 1000],
                                                                                     vecs[i : i + 1000])}))
    rankers = {"bm25": bm25_ranker.BM25Ranker(store), "fusion": fusion.FusionRanker(store, None, MODEL_NAME)}
    for r in rankers.values():
        r.index.sync()
        if hasattr(r, "vectors"):
            r.vectors.sync()
    return rankers, {d["id"]: d for d in corpus}, queries, qrels


@contextmanager
def constants(**values):
    """Run with other values of the rankers' constants (DISMISS_WEIGHT, COSINE_UNRELATED)."""
    owners = {"DISMISS_WEIGHT": bm25_ranker, "COSINE_UNRELATED": fusion}
    old = {name: getattr(owners[name], name) for name in values}
    for name, value in values.items():
        setattr(owners[name], name, value)
    try:
        yield
    finally:
        for name, value in old.items():
            setattr(owners[name], name, value)


def ndcg(scores: dict[str, float], rels: dict[str, int]) -> float:
    """NDCG@20 of `scores` over the judged papers `rels` (ties by id, for determinism)."""
    ranked = sorted(rels, key=lambda d: (-scores[d], d))
    return ndcg_at(ranked, rels)


# ---------------------------------------------------------------- for_you with dismissals


def for_you(ranker, by_id, pool: list[str], seed: str, dismissed=()) -> dict[str, float]:
    papers = [{"id": d, "title": by_id[d]["title"]} for d in pool]
    found = ranker.rank_page(papers, 1, seeds={seed}, dismissed=set(dismissed))
    return dict(zip(pool, found.for_you))


def dismissal_runs(ranker, by_id, queries, qrels) -> dict[str, dict[str, tuple[float, float]]]:
    """{scenario: {query id: (NDCG@20 without, with the dismissals)}} for "top" and "random"."""
    out = {"top": {}, "random": {}}
    for q in queries:
        qid, seed = q["query_id"], q["paper_id"]
        rels = {d: r for d, r in qrels[qid].items() if d != seed}
        pool = sorted(rels)
        plain = for_you(ranker, by_id, pool, seed)
        zeros = sorted((d for d in pool if rels[d] == 0), key=lambda d: (-plain[d], d))
        draws = {"top": [zeros[:DISMISSED]],
                 "random": [random.Random(f"{qid}/{i}").sample(zeros, DISMISSED) for i in range(RANDOM_DRAWS)]}
        for scenario, picks in draws.items():
            without = with_ = 0.0
            for picked in picks:
                rest = [d for d in pool if d not in picked]
                rest_rels = {d: rels[d] for d in rest}
                without += ndcg(plain, rest_rels)
                with_ += ndcg(for_you(ranker, by_id, rest, seed, picked), rest_rels)
            out[scenario][qid] = (without / len(picks), with_ / len(picks))
    return out


def zotero_runs(ranker, by_id, queries, qrels, library_vectors=None) -> dict[str, dict[str, float]]:
    """zotero-arxiv-daily's score over the same rests of the pools as `dismissal_runs` with the fusion
    `ranker`: {scenario: {query id: NDCG@20}}. It has no negative feedback: the dismissed papers only leave the
    pool. `library_vectors`: {paper id: vector} for the library side (zotero embeds a library paper's
    abstract alone); default the stored document vectors, as the candidates'."""
    out = {"top": {}, "random": {}}
    for q in queries:
        qid, seed = q["query_id"], q["paper_id"]
        rels = {d: r for d, r in qrels[qid].items() if d != seed}
        pool = sorted(rels)
        library = [seed]  # the saved papers, newest first (one here)
        weights = 1 / (1 + np.log10(np.arange(len(library)) + 1))
        weights = weights / weights.sum()
        cand, _ = ranker.vectors.stack(pool)
        lib = np.stack([library_vectors[p] for p in library]) if library_vectors else ranker.vectors.stack(library)[0]
        score = dict(zip(pool, (np.einsum("ik,jk->ij", cand, lib) * weights).sum(axis=1).tolist()))
        plain = for_you(ranker, by_id, pool, seed)
        zeros = sorted((d for d in pool if rels[d] == 0), key=lambda d: (-plain[d], d))
        draws = {"top": [zeros[:DISMISSED]],
                 "random": [random.Random(f"{qid}/{i}").sample(zeros, DISMISSED) for i in range(RANDOM_DRAWS)]}
        for scenario, picks in draws.items():
            out[scenario][qid] = float(np.mean([ndcg(score, {d: rels[d] for d in pool if d not in p}) for p in picks]))
    return out


def mean(values) -> float:
    return 100 * float(np.mean(list(values)))


def cross_validated(runs_by_weight: dict[float, dict[str, tuple[float, float]]], folds: dict) -> tuple[float, list]:
    """NDCG@20 with the weight chosen on each fold's dev queries and scored on its test queries, and the
    weights chosen."""
    scored, chosen = {}, []
    for fold in ("fold1", "fold2"):
        dev, test = folds[f"{fold}_dev"], folds[f"{fold}_test"]
        best = max(runs_by_weight, key=lambda w: (mean(runs_by_weight[w][q][1] for q in dev), -w))
        chosen.append(best)
        scored.update({q: runs_by_weight[best][q][1] for q in test})
    return mean(scored.values()), chosen


def quality() -> None:
    with tempfile.TemporaryDirectory() as tmp:
        rankers, by_id, queries, qrels = csfcube_library(Path(tmp))
        folds = json.loads((shared_dir() / "data" / "csfcube" / "evaluation_splits.json").read_text())["all"]
        print(f"\nCSFCube: {len(queries)} query facets, {len(by_id)} papers in the library, one saved paper per "
              f"facet, {DISMISSED} of its pool's papers judged 0 dismissed; NDCG@20 (x100) over the rest of the "
              "pool\n")
        rows = []
        zot = zotero_runs(rankers["fusion"], by_id, queries, qrels)
        zot_abs = zotero_runs(rankers["fusion"], by_id, queries, qrels, abstract_vectors(by_id, queries))
        rows.append(("zotero-arxiv-daily: weighted mean cosine to the library", mean(zot["top"].values()),
                     mean(zot["random"].values())))
        rows.append(("  the same, library paper embedded by its abstract alone", mean(zot_abs["top"].values()),
                     mean(zot_abs["random"].values())))
        shipped = {}
        for name in ("bm25", "fusion"):
            runs = dismissal_runs(rankers[name], by_id, queries, qrels)
            shipped[name] = runs
            label = "fusion (served)" if name == "fusion" else "BM25 ranker (serve --ranker bm25)"
            rows.append((f"for_you, {label}, no dismissals", *(mean(v[0] for v in runs[s].values())
                                                                  for s in ("top", "random"))))
            rows.append((f"for_you, {label}, with the dismissals", *(mean(v[1] for v in runs[s].values())
                                                                       for s in ("top", "random"))))
        print(f"| {'ranking':<66} | top-3 dismissed | 3 at random |")
        print(f"|{'-' * 68}|-----------------|-------------|")
        for name, top, rnd in rows:
            print(f"| {name:<66} | {top:15.1f} | {rnd:11.1f} |")
        fused = shipped["fusion"]
        gain = {s: mean(v[1] for v in fused[s].values()) - mean(v[0] for v in fused[s].values()) for s in fused}
        beat = {s: mean(v[1] for v in fused[s].values()) - mean(zot[s].values()) for s in fused}
        print(f"\nbars (served fusion ranker): dismissals add {gain['top']:+.2f} (top) / {gain['random']:+.2f} "
              f"(random) points (bar: +1.00); for_you vs zotero-arxiv-daily {beat['top']:+.2f} / "
              f"{beat['random']:+.2f} (bar: > 0)")

        print(f"\nWhat we tried: DISMISS_WEIGHT (shipped {bm25_ranker.DISMISS_WEIGHT}) and COSINE_UNRELATED (shipped "
              f"{fusion.COSINE_UNRELATED}); 2-fold CV picks the weight on one fold's dev queries, scores the other's "
              "test queries\n")
        print(f"| {'ranker, cosine counted from':<34} | {'scenario':<8} | " + " | ".join(f"w={w:<4}" for w in WEIGHTS_TRIED)
              + " | CV (weights picked) |")
        print(f"|{'-' * 36}|{'-' * 10}|" + "|".join("-" * 8 for _ in WEIGHTS_TRIED) + "|---------------------|")
        for name, c0 in (("bm25", None), ("fusion", 0.0), ("fusion", fusion.COSINE_UNRELATED)):
            by_weight = {}
            for w in WEIGHTS_TRIED:
                with constants(DISMISS_WEIGHT=w, **({} if c0 is None else {"COSINE_UNRELATED": c0})):
                    by_weight[w] = dismissal_runs(rankers[name], by_id, queries, qrels)
            for scenario in ("top", "random"):
                per = {w: by_weight[w][scenario] for w in WEIGHTS_TRIED}
                cv, chosen = cross_validated(per, folds)
                label = name if c0 is None else f"{name}, {c0}"
                cells = " | ".join(f"{mean(v[1] for v in per[w].values()):6.1f}" for w in WEIGHTS_TRIED)
                print(f"| {label:<34} | {scenario:<8} | {cells} | {cv:5.1f} ({', '.join(map(str, chosen))}) |")

        floors(rankers, by_id, queries, qrels)


def abstract_vectors(by_id, queries) -> dict[str, np.ndarray]:
    """The query papers embedded by their abstract alone (how zotero-arxiv-daily embeds its library)."""
    from paperlens.embedding import BundledEmbedder

    ids = sorted({q["paper_id"] for q in queries})
    vecs = BundledEmbedder().embed([by_id[i]["abstract"] for i in ids])
    return {i: v.astype(np.float16).astype(np.float32) for i, v in zip(ids, vecs)}


# ---------------------------------------------------------------- floors


def floors(rankers, by_id, queries, qrels) -> None:
    """Which papers the related floor keeps and which reach the mark's floor, by judgment, beside random
    papers of the same field (not in the query's pool: nearly all unrelated)."""
    rng = random.Random(0)
    ids = sorted(by_id)
    a = analyzer()
    bm25 = rankers["bm25"]
    ratio = {k: [] for k in ("0", "1", "2", "3", "random")}
    fy = {k: [] for k in ratio}
    for q in queries:
        qid, seed = q["query_id"], q["paper_id"]
        rels = {d: r for d, r in qrels[qid].items() if d != seed}
        outside = [d for d in rng.sample(ids, 200) if d not in rels and d != seed][:100]
        paper = by_id[seed]
        index = bm25.index
        with index.lock:
            column = index.bm25.score_batch([a.paper_terms(paper["title"], paper["abstract"])]).scores[:, 0]
            own = column[index.row(seed)]
            for d, r in list(rels.items()) + [(d, "random") for d in outside]:
                ratio[str(r)].append(column[index.row(d)] / own)
        scores = for_you(rankers["fusion"], by_id, sorted(rels) + outside, seed)
        for d, r in list(rels.items()) + [(d, "random") for d in outside]:
            fy[str(r)].append(scores[d])
    labels = {"0": "judged 0", "1": "judged 1", "2": "judged 2", "3": "judged 3", "random": "random, same field"}
    grid = (0.02, 0.05, bm25_ranker.RELATED_FLOOR, 0.1, 0.15)
    print(f"\nRelated lists: share of papers whose BM25 score reaches the floor x the query paper's own score "
          f"(shipped RELATED_FLOOR {bm25_ranker.RELATED_FLOOR})\n")
    print(f"| {'papers':<20} | {'n':>5} | " + " | ".join(f"{f:>5}" for f in grid) + " |")
    print(f"|{'-' * 22}|-------|" + "|".join("-" * 7 for _ in grid) + "|")
    for k, v in ratio.items():
        v = np.array(v)
        print(f"| {labels[k]:<20} | {len(v):>5} | " + " | ".join(f"{np.mean(v >= f):5.0%}" for f in grid) + " |")
    print(f"\nThe mark: for_you (fusion, one saved paper) of each pool paper and of random papers; share at or over "
          f"FOR_YOU_MARK_FLOOR {config.FOR_YOU_MARK_FLOOR} and FOR_YOU_MARK_SURE {config.FOR_YOU_MARK_SURE}\n")
    print(f"| {'papers':<20} | {'n':>5} | median | >= floor | >= sure |")
    print(f"|{'-' * 22}|-------|--------|----------|---------|")
    for k, v in fy.items():
        v = np.array(v)
        print(f"| {labels[k]:<20} | {len(v):>5} | {np.median(v):6.3f} | {np.mean(v >= config.FOR_YOU_MARK_FLOOR):8.0%} | "
              f"{np.mean(v >= config.FOR_YOU_MARK_SURE):7.0%} |")


# ---------------------------------------------------------------- speed


def speed(n: int, page: int = 100) -> None:
    from paperlens.annotate import Annotator
    from paperlens.keyphrases import KeyphraseExtractor

    print(f"\nSpeed: a {page}-paper page against a synthetic {n}-paper library, through Annotator.answer (fusion "
          f"ranker, random unit vectors); load average {os.getloadavg()[0]:.1f} on {os.cpu_count()} cores\n")
    library = synthetic_library(n, seed=1)
    with tempfile.TemporaryDirectory() as tmp:
        store = Store(Path(tmp) / "library.sqlite3")
        for i in range(0, n, 5000):
            store.record_papers(library[i : i + 5000])
        ann = Annotator(store, KeyphraseExtractor(embedder=object()))
        rng = np.random.default_rng(0)
        for i in range(0, n, 5000):
            part = library[i : i + 5000]
            vecs = rng.standard_normal((len(part), 384)).astype(np.float32)
            vecs /= np.linalg.norm(vecs, axis=1, keepdims=True)
            store.put_keyphrases({}, embeddings=(ann.extractor.model_name, {p["id"]: v for p, v in zip(part, vecs)}))
        ann.ranker.index.sync()
        ann.ranker.vectors.sync()
        old_page = library[-page:]

        def answer():
            return ann.answer(old_page, [[]] * page)

        t_bare = median_of(answer)
        for p in library[:: max(1, n // 50)]:
            store.save_paper(p["id"])
        t_saved = median_of(answer)
        for p in library[1 :: max(1, n // 200)]:
            store.dismiss_paper(p["id"])
        for term in ("benchmark", "diffusion", "reinforcement", "graph", "speech", "robot", "medical", "survey",
                     "quantum", "privacy"):
            store.mute_term("word", term, term)
        for term in ("large language model", "image generation", "neural radiance field", "federated learning"):
            store.mute_term("phrase", term, term)
        for name in ("Ada Lovelace", "Alan Turing", "Grace Hopper", "Edsger Dijkstra", "Barbara Liskov", "Donald Knuth"):
            store.mute_term("author", name, title_key(name))
        t_triage = median_of(answer)
        shaped = answer()
    table(
        [
            ("p50: the page, nothing saved, nothing dismissed or muted", t_bare),
            (f"p50: {store.count_saved()} saved (for_you, its reasons, the mark)", t_saved),
            (f"p50: + {store.count_dismissed()} dismissed, {store.count_muted()} muted terms", t_triage),
        ]
    )
    marked = sum(p["for_you_mark"] for p in shaped)
    print(f"\n{marked} of {page} cards marked; {sum(bool(p['muted']) for p in shaped)} match a muted term; related "
          f"items per card {np.mean([len(p['related']) for p in shaped]):.1f} (k {config.RELATED_K})")


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("what", nargs="?", default="all", choices=["quality", "speed", "all"])
    ap.add_argument("--n", type=int, default=50000)
    args = ap.parse_args()
    os.environ.setdefault("HF_HUB_OFFLINE", "1")
    if args.what in ("quality", "all"):
        quality()
    if args.what in ("speed", "all"):
        speed(args.n)


if __name__ == "__main__":
    main()
