"""A page the library has never seen, on the real server: how soon do its cards get keyphrases, and what does
the server hold in memory? Prints tables (issue 14's bars).

    PYTHONPATH=backend .venv/bin/python benchmarks/bench_fresh_page.py [--runs 3] [--precision auto]
                                                                       [--completion poll|wait]

The page is both seed text copies as one (103 papers), sent as the extension sends it: the page, its cards,
and the keys of the 12 cards on screen. Between runs, as the yardstick, plain sentence-transformers
(fp32) embeds what the pipeline embeds for that page (each paper's title and abstract and its candidate
phrases). Each run starts `paperlens serve` (gunicorn, its defaults) on a new library, and reports:
- cold start: from spawning `paperlens serve` until it has answered one paper with its keyphrases;
- the page: the answer, the first 12 cards' keyphrases and all 103, as times and as ratios to the
  yardstick (bars: first 12 at most 0.15x, all at most 0.5x). When a card is done is seen by polling
  GET /api/keyphrases every 100 ms (the extension polls every 300 ms and slower, so this costs the server
  more than a reader does), or with `--completion wait` by two requests that block in the server until the
  first 12 / all cards are done (no polling load; the worker wakes them as each pass ends);
- memory: resident MB of the master and the worker, idle after the page (bar: the tree at most 500 MB),
  and where a worker's memory goes (imports, the model, a page), measured in a separate process.
Nothing is downloaded.
"""

from __future__ import annotations

import argparse
import json
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "backend"))

import serverlib  # noqa: E402

ON_SCREEN = 12


def the_page() -> tuple[str, list[dict]]:
    """(the text copy of both seeds, the cards the extension would send for it)."""
    from paperlens.digest import parse_page

    text = "\n".join(serverlib.seed_texts())
    papers = parse_page(text).papers
    cards = [{"key": f"title:{p.title}", "title": p.title, "summary": p.abstract} for p in papers]
    return text, cards


class Yardstick:
    """Plain sentence-transformers (fp32, batch 32) embedding what the pipeline embeds for the page: its
    papers' "title. abstract" and their candidate phrases. Timed between runs, as the machine is shared."""

    def __init__(self, text: str):
        from sentence_transformers import SentenceTransformer

        from paperlens.digest import parse_page
        from paperlens.embedding import model_path
        from paperlens.keyphrases import KeyphraseExtractor, candidates

        papers = parse_page(text).papers
        ex = KeyphraseExtractor(embedder=object())
        self.docs = [f"{p.title}. {p.abstract}" for p in papers]
        self.phrases = sorted({c.key for p in papers for c in ex._prune(candidates(p.title, p.abstract))})
        self.model = SentenceTransformer(str(model_path()), device="cpu")
        self.model.encode(["warm up"])

    def seconds(self) -> float:
        started = time.perf_counter()
        self.model.encode(self.docs, batch_size=32, normalize_embeddings=True)
        self.model.encode(self.phrases, batch_size=32, normalize_embeddings=True)
        return time.perf_counter() - started


def one_run(text: str, cards: list[dict], precision: str, tmp: Path, run: int, completion: str = "poll") -> dict:
    port = serverlib.free_port()
    spawned = time.perf_counter()
    server = serverlib.Server(tmp / f"library-{run}.sqlite3", port, workers=1, args=("--precision", precision))
    try:
        server.wait_ready()
        ready = time.perf_counter() - spawned
        probe = {"key": "probe", "title": "Cold Start Probe for Keyphrase Extraction",
                 "summary": "We measure how long a new server takes to compute keyphrases for one paper."}
        status, body = serverlib.request(port, "POST", "/api/annotate", {"cards": [probe], "wait": True}, timeout=300)
        assert status == 200 and body["papers"][0]["keyphrases"], body
        cold = time.perf_counter() - spawned
        _, health = serverlib.request(port, "GET", "/api/health")

        started = time.perf_counter()
        visible = [c["key"] for c in cards[:ON_SCREEN]]
        status, body = serverlib.request(port, "POST", "/api/annotate", {"text": text, "cards": cards, "visible": visible})
        assert status == 200, body
        answered = time.perf_counter() - started
        ids = [p["id"] for p in body["papers"]]
        first_ids = set(ids[:ON_SCREEN])
        pending = {p["id"] for p in body["papers"] if p["pending"]}
        assert pending == set(ids), "the page was not fresh"
        t_first = t_all = None
        peak = 0.0
        if completion == "wait":
            # Two requests that block in the server until the first 12 / all cards have keyphrases (the
            # worker wakes them as each pass ends): the server's own completion times, with no polling load.
            done: dict[str, float] = {}

            def wait_for(name, some):
                status, got = serverlib.request(port, "POST", "/api/annotate",
                                                {"text": text, "cards": some, "wait": True}, timeout=300)
                assert status == 200 and all(p["keyphrases"] for p in got["papers"]), got
                done[name] = time.perf_counter() - started

            threads = [threading.Thread(target=wait_for, args=("first", cards[:ON_SCREEN])),
                       threading.Thread(target=wait_for, args=("all", cards))]
            for t in threads:
                t.start()
            while any(t.is_alive() for t in threads):
                time.sleep(0.1)
                peak = max(peak, sum(server.tree_rss_mb().values()))
            t_first, t_all = done["first"], done["all"]
        while completion == "poll" and pending:
            time.sleep(0.1)  # the extension polls every 300 ms at first; finer here, to see when it was done
            order = [i for i in ids if i in pending]  # the extension asks for what is on screen first
            status, got = serverlib.request(port, "GET", "/api/keyphrases?ids=" + ",".join(order))
            assert status == 200, got
            pending = set(got["pending"])
            now = time.perf_counter() - started
            peak = max(peak, sum(server.tree_rss_mb().values()))
            if t_first is None and not first_ids & pending:
                t_first = now
        if completion == "poll":
            t_all = time.perf_counter() - started
        time.sleep(2)  # idle
        rss = server.tree_rss_mb()
        master = server.proc.pid
        return {
            "ready": ready, "cold": cold, "answered": answered, "first": t_first, "all": t_all,
            "master": rss.get(master, 0.0), "workers": sum(v for k, v in rss.items() if k != master),
            "tree": sum(rss.values()), "peak": peak, "precision": health["embedding"]["precision"],
        }
    finally:
        server.stop()


BREAKDOWN = r"""
import json, os, sys, time
sys.path.insert(0, sys.argv[1])
def rss():
    return int(open('/proc/self/statm').read().split()[1]) * os.sysconf('SC_PAGE_SIZE') / 2**20
rows = [("python", rss())]
import paperlens.app, flask  # noqa: E401  what every server process imports
rows.append(("the app's modules (flask, numpy, sqlite, the parser)", rss()))
from paperlens.ranking.analyzer import analyzer
analyzer(); import scipy.sparse  # noqa: E401
rows.append(("the ranking (scipy.sparse, the stemmer)", rss()))
import torch, tokenizers, safetensors  # noqa: E401
rows.append(("torch, tokenizers, safetensors", rss()))
from paperlens.embedding import BundledEmbedder
e = BundledEmbedder(sys.argv[2]); e.load()
rows.append((f"the model, {e.precision} weights", rss()))
from paperlens.digest import parse_page
from paperlens.keyphrases import KeyphraseExtractor
text = "\n".join(open(p).read() for p in sys.argv[3:])
papers = parse_page(text).papers
KeyphraseExtractor(embedder=e).extract_with_vectors([(p.title, p.abstract) for p in papers])
rows.append((f"keyphrases of {len(papers)} papers (activations, phrase memo)", rss()))
import ctypes; ctypes.CDLL("libc.so.6").malloc_trim(0)
rows.append(("... after handing freed memory back (as the worker does)", rss()))
print(json.dumps(rows))
"""


def breakdown(precision: str) -> list[tuple[str, float]]:
    root = Path(__file__).resolve().parent.parent
    seeds = sorted((serverlib.shared_dir() / "seeds").glob("*.txt"))
    out = subprocess.run([sys.executable, "-c", BREAKDOWN, str(root / "backend"), precision, *map(str, seeds)],
                         capture_output=True, text=True, check=True, env={"HF_HUB_OFFLINE": "1", "PATH": ""})
    return json.loads(out.stdout)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--runs", type=int, default=3)
    ap.add_argument("--precision", default="auto", choices=["auto", "fp32", "bf16"])
    ap.add_argument("--completion", default="poll", choices=["poll", "wait"],
                    help="how the bench sees cards done: poll GET /api/keyphrases every 100 ms (the default, and the "
                    "stricter: each poll costs the server a little), or wait in two blocking requests")
    args = ap.parse_args()
    text, cards = the_page()
    ruler = Yardstick(text)
    yards = [ruler.seconds()]
    runs = []
    with tempfile.TemporaryDirectory() as tmp:
        for run in range(args.runs):
            runs.append(one_run(text, cards, args.precision, Path(tmp), run, args.completion))
            yards.append(ruler.seconds())
    # Each run against the yardstick timed just before and just after it (the load on a shared machine drifts),
    # the faster of the two: a burst of load during one yardstick must not flatter the run.
    for i, r in enumerate(runs):
        r["yard"] = min(yards[i], yards[i + 1])
        for key in ("answered", "first", "all"):
            r[key + "_x"] = r[key] / r["yard"]

    def med(key):
        return statistics.median(r[key] for r in runs)

    print(f"Fresh page: {len(cards)} papers, the first {ON_SCREEN} on screen; {args.runs} runs, medians; "
          f"embedding precision {runs[0]['precision']}; done seen by {args.completion}")
    print(f"Yardstick: sentence-transformers fp32 embeds {len(ruler.docs)} abstracts + {len(ruler.phrases)} "
          f"candidate phrases in {statistics.median(yards):.2f} s (timed {len(yards)} times, before and after "
          f"each run: {', '.join(f'{y:.2f}' for y in yards)}); each run's ratio is to the faster of the two "
          "around it\n")
    print("| run | yardstick s | answered s | first 12 s | all s | first 12 x | all x |")
    print("|---|---|---|---|---|---|---|")
    for i, r in enumerate(runs):
        print(f"| {i + 1} | {r['yard']:.2f} | {r['answered']:.3f} | {r['first']:.2f} | {r['all']:.2f} | "
              f"{r['first_x']:.3f} | {r['all_x']:.3f} |")
    print()
    print("| step | seconds | x yardstick | bar |")
    print("|---|---|---|---|")
    print(f"| `paperlens serve` to health answering | {med('ready'):.2f} | | |")
    print(f"| `paperlens serve` to one paper's keyphrases (cold start) | {med('cold'):.2f} | | <= 3 s: "
          f"{'yes' if med('cold') <= 3 else 'NO'} |")
    print(f"| the page answered (all pending) | {med('answered'):.3f} | {med('answered_x'):.3f} | |")
    print(f"| the first {ON_SCREEN} cards keyphrased | {med('first'):.2f} | {med('first_x'):.3f} | <= 0.15x: "
          f"{'yes' if med('first_x') <= 0.15 else 'NO'} |")
    print(f"| all {len(cards)} keyphrased | {med('all'):.2f} | {med('all_x'):.3f} | <= 0.5x: "
          f"{'yes' if med('all_x') <= 0.5 else 'NO'} |")
    print("\n| memory (resident MB) | median | max of runs |")
    print("|---|---|---|")
    for key, label in (("master", "gunicorn master"), ("workers", "worker"), ("tree", "serve tree, idle after the page"),
                       ("peak", "serve tree, peak while computing")):
        print(f"| {label} | {med(key):.0f} | {max(r[key] for r in runs):.0f} |")
    print(f"\nbar: idle tree <= 500 MB: {'yes' if med('tree') <= 500 else 'NO'}")
    print("\nWhere a worker's memory goes (one process, step by step):\n")
    print("| after | resident MB | + MB |")
    print("|---|---|---|")
    last = 0.0
    for label, mb in breakdown(args.precision):
        print(f"| {label} | {mb:.0f} | {mb - last:+.0f} |")
        last = mb


if __name__ == "__main__":
    main()
