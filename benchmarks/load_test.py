"""Load test: N clients hammer `paperlens serve` (gunicorn, W workers, real model) on a temp library
with mixed annotate / save / unsave for S seconds, each keeping a ledger of what it saved. Afterwards
the library must hold exactly the ledger's saves (none lost, none duplicated, notes as last written),
with zero unexpected answers. Prints latency percentiles per operation.

    python benchmarks/load_test.py                 # 4 clients x 120 s, 2 workers
    python benchmarks/load_test.py --seconds 20    # quick run

Traffic goes only to 127.0.0.1. Reads the seeds from $PAPERLENS_SHARED/seeds (default ../shared).
"""

from __future__ import annotations

import argparse
import http.client
import random
import sys
import tempfile
import threading
import time
from collections import defaultdict
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from serverlib import Server, first_papers, free_port, percentile, request, seed_texts  # noqa: E402

MIX = (("annotate", 0.2), ("save", 0.5), ("unsave", 0.3))
IDS_PER_CLIENT = 60


class Client(threading.Thread):
    def __init__(self, n: int, port: int, seconds: float, pages: list[str], paper_ids: list[str]):
        super().__init__(name=f"client-{n}")
        self.n, self.port, self.seconds, self.pages = n, port, seconds, pages
        self.rng = random.Random(n)
        # Disjoint ids per client (some real page papers, some ids not in the library): one writer
        # per id, so the ledger knows the exact final state.
        self.ids = [pid for i, pid in enumerate(paper_ids) if i % 4 == n % 4][:20]
        self.ids += [f"26{n:02d}.{i:05d}" for i in range(IDS_PER_CLIENT - len(self.ids))]
        self.ledger: dict[str, str] = {}  # id -> note of the last acknowledged save
        self.latency: dict[str, list[float]] = defaultdict(list)
        self.errors: list[str] = []
        self.ops = 0

    def run(self):
        conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=120)
        deadline = time.monotonic() + self.seconds
        while time.monotonic() < deadline:
            op = self.rng.choices([m[0] for m in MIX], [m[1] for m in MIX])[0]
            pid = self.rng.choice(self.ids)
            started = time.perf_counter()
            try:
                if op == "annotate":
                    status, body = request(self.port, "POST", "/api/annotate",
                                           {"url": None, "text": self.rng.choice(self.pages)}, conn=conn)
                    ok = status == 200 and body and body.get("papers")
                    expect = "200 with papers"
                elif op == "save":
                    note = f"c{self.n}-op{self.ops}"
                    status, body = request(self.port, "PUT", f"/api/saved/{pid}", {"note": note, "tags": ["load"]},
                                           conn=conn)
                    ok = status == 200 and body["saved"]["id"] == pid and body["saved"]["note"] == note
                    expect = "200 with our note"
                    if ok:
                        self.ledger[pid] = note
                else:
                    status, body = request(self.port, "DELETE", f"/api/saved/{pid}", conn=conn)
                    # The ledger says whether it is saved: 200 if so, 404 if not. Anything else is an error.
                    expected = 200 if pid in self.ledger else 404
                    ok = status == expected
                    expect = str(expected)
                    if status == 200:
                        self.ledger.pop(pid, None)
            except (OSError, http.client.HTTPException, KeyError, TypeError) as e:
                conn.close()
                conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=120)
                status, ok, expect = f"{type(e).__name__}: {e}", False, "an answer"
            self.latency[op].append((time.perf_counter() - started) * 1000)
            self.ops += 1
            if not ok:
                self.errors.append(f"{op} {pid}: got {status}, expected {expect}")
        conn.close()


def all_saved(port: int) -> list[dict]:
    out, offset = [], 0
    while True:
        status, body = request(port, "GET", f"/api/saved?limit=1000&offset={offset}")
        assert status == 200, body
        out += body["saved"]
        offset += len(body["saved"])
        if not body["saved"] or offset >= body["total"]:
            return out


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--seconds", type=float, default=120)
    ap.add_argument("--clients", type=int, default=4)
    ap.add_argument("--workers", type=int, default=2)
    ap.add_argument("--threads", type=int, default=4)
    ap.add_argument(
        "--papers-per-page",
        type=int,
        default=8,
        help="Cut each seed page after this many papers (0: whole pages). The warm-up runs the real model "
        "over every paper once; on a busy 2-core machine that is ~10 s a paper, so whole pages (103 papers) "
        "take longer than the test itself.",
    )
    args = ap.parse_args()

    pages = [first_papers(t, args.papers_per_page) for t in seed_texts()]
    with tempfile.TemporaryDirectory(prefix="paperlens-load-") as tmp:
        db, port = Path(tmp) / "library.sqlite3", free_port()
        server = Server(db, port, workers=args.workers, threads=args.threads)
        try:
            ready = server.wait_ready()
            # Warm-up (not timed): the first annotate of each page runs the real model over its papers;
            # later ones hit the keyphrase cache, as a reader's repeat visits do.
            started = time.monotonic()
            paper_ids = []
            for page in pages:
                status, body = request(port, "POST", "/api/annotate", {"text": page, "wait": True}, timeout=600)
                assert status == 200, body
                paper_ids += [p["id"] for p in body["papers"]]
            warm = time.monotonic() - started
            print(f"server ready in {ready:.1f}s; warm-up annotate of {len(pages)} pages ({len(paper_ids)} papers, "
                  f"real model) {warm:.1f}s")

            clients = [Client(n, port, args.seconds, pages, sorted(set(paper_ids))) for n in range(args.clients)]
            started = time.monotonic()
            for c in clients:
                c.start()
            for c in clients:
                c.join(timeout=args.seconds + 600)
            elapsed = time.monotonic() - started

            saved = all_saved(port)
        finally:
            server.stop()

        ledger = {}
        for c in clients:
            ledger.update(c.ledger)
        ids = [r["id"] for r in saved]
        server_notes = {r["id"]: r["note"] for r in saved}
        lost = sorted(set(ledger) - set(ids))
        extra = sorted(set(ids) - set(ledger))
        duplicated = len(ids) - len(set(ids))
        wrong_note = sorted(pid for pid in ledger if pid in server_notes and server_notes[pid] != ledger[pid])
        errors = [e for c in clients for e in c.errors]

    latency = defaultdict(list)
    for c in clients:
        for op, values in c.latency.items():
            latency[op] += values
    total_ops = sum(c.ops for c in clients)
    print(f"\n{args.clients} clients x {args.seconds:.0f}s, gunicorn {args.workers} workers x {args.threads} threads, "
          f"loopback; {total_ops} requests in {elapsed:.1f}s = {total_ops / elapsed:.1f} req/s\n")
    print(f"{'operation':<10} {'count':>7} {'p50 ms':>9} {'p90 ms':>9} {'p99 ms':>9} {'max ms':>9}")
    for op in ("annotate", "save", "unsave"):
        v = latency[op]
        print(f"{op:<10} {len(v):>7} {percentile(v, 50):>9.1f} {percentile(v, 90):>9.1f} {percentile(v, 99):>9.1f} "
              f"{max(v) if v else float('nan'):>9.1f}")
    allv = [x for v in latency.values() for x in v]
    print(f"{'all':<10} {len(allv):>7} {percentile(allv, 50):>9.1f} {percentile(allv, 90):>9.1f} "
          f"{percentile(allv, 99):>9.1f} {max(allv):>9.1f}")
    print(f"\nerrors (unexpected answers): {len(errors)}")
    for e in errors[:10]:
        print("  ", e)
    print(f"ledger saves: {len(ledger)}  library saves: {len(ids)}  lost: {len(lost)}  unexpected extra: "
          f"{len(extra)}  duplicated: {duplicated}  wrong note: {len(wrong_note)}")
    failed = errors or lost or extra or duplicated or wrong_note
    print("RESULT:", "FAIL" if failed else "PASS")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
