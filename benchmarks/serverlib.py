"""Shared by load_test.py and crash_test.py: start `paperlens serve` (gunicorn) on a temp library on
127.0.0.1, talk to it with the client header, stop or kill it. Standard library only."""

from __future__ import annotations

import http.client
import json
import os
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path
from paths import shared_dir  # noqa: E402

ROOT = Path(__file__).resolve().parent.parent
HEADERS = {"X-PaperLens-Client": "benchmark", "Content-Type": "application/json"}




def seed_texts() -> list[str]:
    seeds = sorted((shared_dir() / "seeds").glob("*.txt"))
    if not seeds:
        sys.exit(f"no seeds under {shared_dir() / 'seeds'}: set PAPERLENS_SHARED")
    return [p.read_text(encoding="utf-8") for p in seeds]


def first_papers(text: str, n: int) -> str:
    """The text copy of a digest page cut after its first `n` papers (n <= 0: the whole page)."""
    if n <= 0:
        return text
    sys.path.insert(0, str(ROOT / "backend"))
    from paperlens.digest import parse_page

    papers = parse_page(text, None).papers
    if len(papers) <= n:
        return text
    return text[: text.index(papers[n].title)]


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Server:
    """`python -m paperlens serve` in its own process group (so kill -9 reaches master and workers)."""

    def __init__(self, db: Path, port: int, workers: int = 2, threads: int = 4, lazy_model: bool = False,
                 log: Path | None = None, args: tuple[str, ...] = ()):
        self.db, self.port, self.log_path = db, port, log or db.with_suffix(".log")
        env = {**os.environ, "PYTHONPATH": str(ROOT / "backend"), "HF_HUB_OFFLINE": "1",
               "TRANSFORMERS_OFFLINE": "1"}
        cmd = [sys.executable, "-m", "paperlens", "serve", "--port", str(port), "--workers", str(workers),
               "--threads", str(threads), "--db", str(db), "--lazy-model" if lazy_model else "--warm-model", *args]
        self.log = open(self.log_path, "ab")
        self.proc = subprocess.Popen(cmd, env=env, stdout=self.log, stderr=self.log, start_new_session=True)

    def wait_ready(self, timeout: float = 180) -> float:
        """Seconds until GET /api/health answers 200 (raises after `timeout`)."""
        started = time.monotonic()
        while time.monotonic() - started < timeout:
            if self.proc.poll() is not None:
                raise RuntimeError(f"server exited with {self.proc.returncode}; see {self.log_path}")
            try:
                status, _ = request(self.port, "GET", "/api/health", timeout=2)
                if status == 200:
                    return time.monotonic() - started
            except OSError:
                pass
            time.sleep(0.2)
        raise RuntimeError(f"server not ready after {timeout}s; see {self.log_path}")

    def tree_rss_mb(self) -> dict[int, float]:
        """{pid: resident MB} of the server's processes (the gunicorn master and its workers)."""
        out = {}
        for pid_dir in Path("/proc").iterdir():
            if not pid_dir.name.isdigit():
                continue
            try:
                if os.getpgid(int(pid_dir.name)) != self.proc.pid:
                    continue
                pages = int((pid_dir / "statm").read_text().split()[1])
            except (OSError, ValueError):
                continue
            out[int(pid_dir.name)] = pages * os.sysconf("SC_PAGE_SIZE") / 2**20
        return out

    def kill9(self) -> None:
        """SIGKILL the whole process group: master and every worker, mid-whatever."""
        try:
            os.killpg(self.proc.pid, signal.SIGKILL)
        except ProcessLookupError:
            pass
        self.proc.wait(timeout=30)
        self._wait_group_gone()
        self.log.close()

    def stop(self) -> None:
        """Graceful stop (SIGTERM to the master: gunicorn finishes requests in flight)."""
        if self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
            try:
                self.proc.wait(timeout=60)
            except subprocess.TimeoutExpired:
                os.killpg(self.proc.pid, signal.SIGKILL)
                self.proc.wait(timeout=30)
        self._wait_group_gone()
        self.log.close()

    def _wait_group_gone(self, timeout: float = 30) -> None:
        # Workers can outlive the master by a moment; the next round must not share the file with them.
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            try:
                os.killpg(self.proc.pid, 0)
            except ProcessLookupError:
                return
            time.sleep(0.05)
        os.killpg(self.proc.pid, signal.SIGKILL)


def request(port: int, method: str, path: str, body=None, timeout: float = 120,
            conn: http.client.HTTPConnection | None = None):
    """(status, parsed JSON or None). Reuses `conn` (keep-alive) when given."""
    own = conn is None
    conn = conn or http.client.HTTPConnection("127.0.0.1", port, timeout=timeout)
    try:
        data = json.dumps(body).encode() if body is not None else None
        conn.request(method, path, body=data, headers=HEADERS)
        resp = conn.getresponse()
        raw = resp.read()
        try:
            return resp.status, json.loads(raw) if raw else None
        except ValueError:
            return resp.status, None
    finally:
        if own:
            conn.close()


def percentile(values: list[float], p: float) -> float:
    if not values:
        return float("nan")
    s = sorted(values)
    return s[min(len(s) - 1, max(0, round(p / 100 * (len(s) - 1))))]
