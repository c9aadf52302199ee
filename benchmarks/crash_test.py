"""Crash test: kill -9 `paperlens serve` (master and gunicorn workers) in the middle of writes, R times.

Each round starts the server on the same library, runs writer clients (saves with notes, unsaves of
earlier saves, annotate = multi-row paper upserts) and SIGKILLs the whole process group at a random
moment. Then the library must open, pass PRAGMA integrity_check and hold every save acknowledged
(200) before the kill, and none of the acknowledged unsaves. Requests in flight at the kill may go
either way: that is the "at most the write in flight" allowance.

    python benchmarks/crash_test.py                # 20 rounds
    python benchmarks/crash_test.py --rounds 5

Traffic goes only to 127.0.0.1. The server runs with --lazy-model: the saves need no model, and the
page's keyphrases are computed once in a warm-up round and cached in the library, so later annotate
calls are pure reads and writes.
"""

from __future__ import annotations

import argparse
import http.client
import random
import sys
import tempfile
import threading
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "backend"))
from serverlib import Server, first_papers, free_port, request, seed_texts  # noqa: E402

from paperlens.store import Store, inspect_library  # noqa: E402


class Writer(threading.Thread):
    def __init__(self, n: int, round_no: int, port: int, page: str, stop: threading.Event):
        super().__init__(name=f"writer-{n}")
        self.n, self.round_no, self.port, self.page, self.stop = n, round_no, port, page, stop
        self.rng = random.Random(round_no * 100 + n)
        self.acked_saves: dict[str, str] = {}  # id -> note, acknowledged with 200
        self.acked_unsaves: set[str] = set()
        self.in_flight: str | None = None
        self.requests = 0

    def run(self):
        conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=30)
        i = 0
        while not self.stop.is_set():
            i += 1
            roll = self.rng.random()
            try:
                if roll < 0.1:
                    self.in_flight = "annotate"
                    request(self.port, "POST", "/api/annotate", {"text": self.page}, conn=conn)
                elif roll < 0.3 and self.acked_saves:
                    pid = self.rng.choice(sorted(self.acked_saves))
                    self.in_flight = pid
                    status, _ = request(self.port, "DELETE", f"/api/saved/{pid}", conn=conn)
                    if status == 200:
                        del self.acked_saves[pid]
                        self.acked_unsaves.add(pid)
                else:
                    # Ids never reused across rounds or writers, so every check below is exact.
                    pid = f"{27 + self.n}{self.round_no:02d}.{i:05d}"
                    note = f"r{self.round_no}w{self.n}i{i}"
                    self.in_flight = pid
                    status, body = request(self.port, "PUT", f"/api/saved/{pid}", {"note": note}, conn=conn)
                    if status == 200 and body["saved"]["note"] == note:
                        self.acked_saves[pid] = note
                self.in_flight = None
                self.requests += 1
            except (OSError, http.client.HTTPException):
                return  # the server is dead: what was in flight stays in self.in_flight


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--rounds", type=int, default=20)
    ap.add_argument("--writers", type=int, default=4)
    ap.add_argument("--workers", type=int, default=2)
    ap.add_argument("--min-delay", type=float, default=0.5, help="Seconds of writes before the kill, at least.")
    ap.add_argument("--max-delay", type=float, default=3.0)
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--papers-per-page", type=int, default=5, help="Papers on the annotated page (0: all).")
    args = ap.parse_args()

    rng = random.Random(args.seed)
    # A short page: its keyphrases are computed once with the real model in the warm-up.
    page = first_papers(min(seed_texts(), key=len), args.papers_per_page)
    expected_saved: dict[str, str] = {}
    expected_gone: set[str] = set()
    failures = 0
    with tempfile.TemporaryDirectory(prefix="paperlens-crash-") as tmp:
        db = Path(tmp) / "library.sqlite3"
        # Warm-up: compute the page's keyphrases once (real model), cached in the library.
        server = Server(db, free_port(), workers=1, lazy_model=True)
        server.wait_ready()
        started = time.monotonic()
        status, body = request(server.port, "POST", "/api/annotate", {"text": page, "wait": True}, timeout=900)
        assert status == 200, body
        server.stop()
        print(f"warm-up: {len(body['papers'])} papers annotated with the real model in "
              f"{time.monotonic() - started:.1f}s\n")

        print(f"{'round':>5} {'requests':>8} {'acked saves':>11} {'acked unsaves':>13} {'in flight':>9} "
              f"{'open+check ms':>13} {'integrity':>9} {'missing':>7} {'resurrected':>11} {'wrong note':>10}")
        for r in range(1, args.rounds + 1):
            server = Server(db, free_port(), workers=args.workers, lazy_model=True)
            server.wait_ready()
            stop = threading.Event()
            writers = [Writer(n, r, server.port, page, stop) for n in range(args.writers)]
            for w in writers:
                w.start()
            time.sleep(rng.uniform(args.min_delay, args.max_delay))
            server.kill9()
            stop.set()
            for w in writers:
                w.join(timeout=60)

            in_flight = {w.in_flight for w in writers if w.in_flight}
            for w in writers:
                expected_saved.update(w.acked_saves)
                for pid in w.acked_unsaves:
                    expected_saved.pop(pid, None)
                    expected_gone.add(pid)

            started = time.perf_counter()
            try:
                integrity = inspect_library(db)["integrity"]
                store = Store(db)  # opens (and would migrate) exactly as the next server start does
                rows = {rec["id"]: rec["note"] for rec in store.list_saved(limit=10**6)}
                store.close()
            except Exception as e:  # the point of the test: report any failure to open
                print(f"{r:>5} library failed to open: {type(e).__name__}: {e}")
                failures += 1
                continue
            ms = (time.perf_counter() - started) * 1000
            # A write in flight at the kill may or may not have landed; everything acknowledged must have.
            missing = [pid for pid in expected_saved if pid not in rows and pid not in in_flight]
            resurrected = [pid for pid in expected_gone if pid in rows and pid not in in_flight]
            wrong = [pid for pid, note in expected_saved.items() if pid in rows and rows[pid] != note]
            ok = integrity == ["ok"] and not missing and not resurrected and not wrong
            failures += not ok
            print(f"{r:>5} {sum(w.requests for w in writers):>8} {sum(len(w.acked_saves) for w in writers):>11} "
                  f"{sum(len(w.acked_unsaves) for w in writers):>13} {len(in_flight):>9} {ms:>13.1f} "
                  f"{'ok' if integrity == ['ok'] else 'BAD':>9} {len(missing):>7} {len(resurrected):>11} "
                  f"{len(wrong):>10}")
            # Keep only what the library really holds for in-flight ids, so later rounds check exactly.
            for pid in in_flight:
                if pid in rows:
                    expected_gone.discard(pid)
                else:
                    expected_saved.pop(pid, None)

    print(f"\n{args.rounds} kill -9 rounds, {args.writers} writers, gunicorn {args.workers} workers: "
          f"{len(expected_saved)} acknowledged saves held at the end; failed rounds: {failures}")
    print("RESULT:", "FAIL" if failures else "PASS")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
