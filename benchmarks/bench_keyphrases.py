"""Keyphrase quality and speed, our extractor against KeyBERT and YAKE baselines, in one run.

Quality: macro P/R/F1 @5 and @10 on Inspec (500 abstracts, the tuning set) and SemEval-2017
(493 paragraphs, the held-out check: never tune on it). Matching: lowercase, Porter-stemmed,
exact match against all gold keyphrases of a document (predictions deduplicated after stemming).
P@k = correct / number predicted (at most k); R@k = correct / number of gold phrases.

Speed: keyphrases for every paper of seed 000 (78 papers) from a cold cache, our extractor vs
KeyBERT (1,2)-grams + English stop words batched; then the same page from our warm cache through
`KeyphraseJobs.for_papers` (what a repeat visit costs). Then the time to first annotation of a cold
100-paper page through the Flask test client, and the peak RSS of this process (model loaded).

    python benchmarks/bench_keyphrases.py                    # everything (several minutes on 2 cores)
    python benchmarks/bench_keyphrases.py --limit 100        # first 100 docs of each data set
    python benchmarks/bench_keyphrases.py --only ours,yake --datasets inspec --no-speed
    python benchmarks/bench_keyphrases.py --only ours,ours_fp32 --no-speed   # bf16 (as served) against fp32

Data: $PAPERLENS_SHARED or ../shared next to the repo.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import resource
import sys
import tempfile
import time
from pathlib import Path
from paths import shared_dir  # noqa: E402
from truncation import cut_texts_at  # noqa: E402

os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")
os.environ.setdefault("TOKENIZERS_PARALLELISM", "false")

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "backend"))

METHODS = ("ours", "ours_fp32", "keybert", "keybert12", "yake")
LABELS = {
    "ours": "Paper Lens (ours)",
    "ours_fp32": "Paper Lens, model in fp32",
    "keybert": "KeyBERT default",
    "keybert12": "KeyBERT (1,2)-grams + stop words",
    "yake": "YAKE (n=3)",
}




def load_jsonl(path: Path, limit: int | None) -> list[dict]:
    docs = []
    with open(path, encoding="utf-8") as f:
        for line in f:
            if line.strip():
                docs.append(json.loads(line))
            if limit and len(docs) >= limit:
                break
    return docs


_stemmer = None


def stem_phrase(phrase: str) -> str:
    global _stemmer
    if _stemmer is None:
        from nltk.stem import PorterStemmer

        _stemmer = PorterStemmer()
    words = re.findall(r"[a-z0-9]+", phrase.lower())
    return " ".join(_stemmer.stem(w) for w in words)


def scores(predicted: list[list[str]], gold: list[list[str]], k: int) -> tuple[float, float, float]:
    """Macro-averaged (P, R, F1) in percent at k."""
    ps, rs, fs = [], [], []
    for pred, gl in zip(predicted, gold):
        gold_set = {stem_phrase(g) for g in gl} - {""}
        seen, top = set(), []
        for p in pred:
            s = stem_phrase(p)
            if s and s not in seen:
                seen.add(s)
                top.append(s)
            if len(top) == k:
                break
        correct = sum(1 for s in top if s in gold_set)
        p = correct / len(top) if top else 0.0
        r = correct / len(gold_set) if gold_set else 0.0
        ps.append(p)
        rs.append(r)
        fs.append(2 * p * r / (p + r) if p + r else 0.0)
    n = max(1, len(ps))
    return 100 * sum(ps) / n, 100 * sum(rs) / n, 100 * sum(fs) / n


def doc_text(d: dict) -> str:
    return f"{d['title']}. {d['abstract']}" if d.get("title") else d["abstract"]


def run_method(method: str, docs: list[dict], k: int = 10, max_tokens: int | None = None):
    """(predicted phrase lists, seconds) for docs; ours with texts cut at `max_tokens` if given."""
    t0 = time.perf_counter()
    if method in ("ours", "ours_fp32"):
        from paperlens.embedding import BundledEmbedder
        from paperlens.keyphrases import KeyphraseExtractor, Settings

        # The whole ranking, top k: no floors (a card may show fewer, KEYPHRASES_FLOORS; bench_chips measures that).
        # "ours" runs as served (--precision auto: bf16 where the CPU has it); "ours_fp32" is the reference
        # the faster precision must stay within 0.5 F1 of.
        precision = "fp32" if method == "ours_fp32" else "auto"
        embedder = BundledEmbedder(precision)
        ex = KeyphraseExtractor(embedder=embedder, settings=Settings(top_n=k, floors=()))
        embedder.load()  # outside the timing
        cut_texts_at(embedder, max_tokens)
        t0 = time.perf_counter()
        out = [[p for p, _ in kws] for kws in ex.extract([(d["title"], d["abstract"]) for d in docs])]
    elif method in ("keybert", "keybert12"):
        kw = keybert_model()
        t0 = time.perf_counter()
        texts = [doc_text(d) for d in docs]
        kwargs = {"keyphrase_ngram_range": (1, 2), "stop_words": "english"} if method == "keybert12" else {}
        res = kw.extract_keywords(texts, top_n=k, **kwargs)
        if len(texts) == 1:
            res = [res]
        out = [[p for p, _ in kws] for kws in res]
    elif method == "yake":
        import yake

        ex = yake.KeywordExtractor(lan="en", n=3, top=k)
        out = [[p for p, _ in ex.extract_keywords(doc_text(d))] for d in docs]
    else:
        raise ValueError(method)
    return out, time.perf_counter() - t0


_kw = None


def keybert_model():
    global _kw
    if _kw is None:
        from keybert import KeyBERT

        from sentence_transformers import SentenceTransformer

        from paperlens.embedding import model_path

        # KeyBERT as it comes: its own sentence-transformers backend around the same bundled model.
        _kw = KeyBERT(model=SentenceTransformer(str(model_path()), device="cpu"))
    return _kw


def quality(datasets: list[str], methods: list[str], limit: int | None, max_tokens: int | None = None) -> list[list]:
    files = {
        "inspec": shared_dir() / "data" / "inspec" / "inspec_test.jsonl",
        "semeval2017": shared_dir() / "data" / "semeval2017" / "semeval2017_493.jsonl",
    }
    rows = []
    for name in datasets:
        docs = load_jsonl(files[name], limit)
        gold = [d["keyphrases"] for d in docs]
        for m in methods:
            pred, secs = run_method(m, docs, max_tokens=max_tokens)
            p5, r5, f5 = scores(pred, gold, 5)
            p10, r10, f10 = scores(pred, gold, 10)
            rows.append([f"{name} ({len(docs)})", LABELS[m], p5, r5, f5, p10, r10, f10, secs])
            print(f"  done {name} {m}: F1@10 {f10:.1f} in {secs:.1f}s", file=sys.stderr, flush=True)
    return rows


def seed_page(name: str) -> str:
    path = next((shared_dir() / "seeds").glob(f"{name}_*.txt"))
    return path.read_text(encoding="utf-8")


def speed() -> list[list]:
    from paperlens.digest import parse_page
    from paperlens.ids import title_key
    from paperlens.keyphrases import KeyphraseExtractor
    from paperlens.keyphrase_jobs import KeyphraseJobs
    from paperlens.store import Store

    papers = [p.to_dict() for p in parse_page(seed_page("000")).papers]
    docs = [(p["title"], p["abstract"]) for p in papers]
    rows = []

    kw = keybert_model()
    t0 = time.perf_counter()
    kw.extract_keywords([f"{t}. {a}" for t, a in docs], keyphrase_ngram_range=(1, 2), stop_words="english", top_n=5)
    base = time.perf_counter() - t0
    rows.append([f"KeyBERT (1,2)-grams batched, {len(docs)} papers", base, 1.0])

    with tempfile.TemporaryDirectory() as tmp:
        store = Store(Path(tmp) / "lib.sqlite3")
        ex = KeyphraseExtractor(phrase_cache=store.phrase_embeddings())
        ex.backend()
        annotator = KeyphraseJobs(store, ex)
        for p in papers:
            p["title_key"] = title_key(p["title"])
        store.record_papers(papers)
        t0 = time.perf_counter()
        annotator.for_papers(papers, wait=True)
        cold = time.perf_counter() - t0
        rows.append([f"ours, cold cache, {len(docs)} papers", cold, base / cold])
        t0 = time.perf_counter()
        got = annotator.for_papers(papers, wait=True)
        warm = time.perf_counter() - t0
        assert all(g is not None for g in got)
        rows.append([f"ours, cached, {len(docs)} papers", warm, base / warm])
        annotator.close()

        # A fresh process-level memo but the library's phrase-embedding cache kept: a new paper
        # whose phrases were seen before costs only its document embedding.
        ex2 = KeyphraseExtractor(phrase_cache=store.phrase_embeddings())
        ex2.backend()
        t0 = time.perf_counter()
        ex2.extract(docs)
        secs = time.perf_counter() - t0
        rows.append([f"ours, paper cache cold, phrase cache warm, {len(docs)} papers", secs, base / secs])
    return rows


def first_annotation() -> list[list]:
    """A cold page of both seeds (103 papers) through the Flask test client."""
    from paperlens.app import create_app

    text = seed_page("000") + "\n\n" + seed_page("001")
    rows = []
    with tempfile.TemporaryDirectory() as tmp:
        app = create_app({"DB_PATH": str(Path(tmp) / "lib.sqlite3"), "ACCESS_LOG": False})
        app.extensions["paperlens"].warm()  # model and analyzer loaded, as `paperlens serve` does at start
        client = app.test_client()
        headers = {"X-PaperLens-Client": "bench"}
        t0 = time.perf_counter()
        r = client.post("/api/annotate", json={"text": text}, headers=headers)
        first = time.perf_counter() - t0
        body = r.get_json()
        n = len(body["papers"])
        pending = sum(p["pending"] for p in body["papers"])
        rows.append([f"POST /api/annotate, cold page of {n} papers ({pending} pending)", first])
        ids = ",".join(p["id"] for p in body["papers"])
        while True:
            got = client.get(f"/api/keyphrases?ids={ids}", headers=headers).get_json()
            if not got["pending"]:
                break
            time.sleep(0.05)
        rows.append([f"  ... until GET /api/keyphrases has all {n} (background)", time.perf_counter() - t0])
        t0 = time.perf_counter()
        body = client.post("/api/annotate", json={"text": text}, headers=headers).get_json()
        rows.append([f"POST /api/annotate again (all cached: {not any(p['pending'] for p in body['papers'])})",
                     time.perf_counter() - t0])
        app.extensions["paperlens"].close()
    return rows


def print_table(header: list[str], rows: list[list]) -> None:
    cells = [header] + [[f"{c:.1f}" if isinstance(c, float) else str(c) for c in r] for r in rows]
    print("| " + " | ".join(cells[0]) + " |")
    print("|" + "|".join("---" for _ in header) + "|")
    for r in cells[1:]:
        print("| " + " | ".join(r) + " |")
    print()


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--limit", type=int, default=None, help="first N docs of each data set")
    ap.add_argument("--only", default=",".join(METHODS), help=f"methods, comma-separated: {','.join(METHODS)}")
    ap.add_argument("--datasets", default="inspec,semeval2017", help="inspec,semeval2017")
    ap.add_argument("--no-quality", action="store_true")
    ap.add_argument("--no-speed", action="store_true")
    ap.add_argument("--max-tokens", type=int, default=None,
                    help="ours: cut texts at N tokens instead of the model's 256 (benchmarks/truncation.py)")
    args = ap.parse_args()
    if args.max_tokens and not args.no_speed:
        # The cut is the process's one model's: the speed tables would run on cut texts too, unlabelled.
        ap.error("--max-tokens measures quality only: add --no-speed")

    import torch

    torch.set_num_threads(min(2, os.cpu_count() or 1))
    methods = [m for m in args.only.split(",") if m]
    for m in methods:
        if m not in METHODS:
            ap.error(f"unknown method {m!r}")

    if not args.no_quality:
        rows = quality([d for d in args.datasets.split(",") if d], methods, args.limit, args.max_tokens)
        if args.max_tokens:
            print(f"(ours: texts cut at {args.max_tokens} tokens, not the model's 256)\n")
        print("## Quality (macro %, Porter-stemmed exact match)\n")
        print_table(["data set", "method", "P@5", "R@5", "F1@5", "P@10", "R@10", "F1@10", "seconds"], rows)
    if not args.no_speed:
        rows = speed()
        print("## Speed: keyphrases for seed 000\n")
        print_table(["what", "seconds", "speed-up vs KeyBERT (1,2)"], [[w, f"{s:.3f}", f"{x:.1f}x"] for w, s, x in rows])
        rows = first_annotation()
        print("## Time to first annotation (Flask test client, model loaded)\n")
        print_table(["what", "seconds"], [[w, f"{s:.3f}"] for w, s in rows])
    rss_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(f"Peak RSS of this process (model loaded, server app in-process): {rss_mb:.0f} MB")


if __name__ == "__main__":
    main()
