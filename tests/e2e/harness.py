"""Launch helpers shared by the e2e tests and tests/e2e/make_screenshot.py.

- `Backend`: the real Flask app (`create_app`) on a temp library, served by werkzeug in a thread.
- `launch`: headless Debian Chromium with the unpacked extension (the repo root) loaded.
- `require`: skip (fail under CI=true) when a browser or client library is missing.
- `route_site`: answers every non-loopback request: the fixture pages as https://huggingface.co/...,
  a tiny PNG for images, 404 for the rest. Loopback is never routed, and local-network-access is
  never granted, so a content script that fetched the backend itself would fail as in production.
"""

from __future__ import annotations

import json
import os
import re
import threading
import urllib.error
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
# Straight to loopback even where the environment names an HTTP proxy.
_DIRECT = urllib.request.build_opener(urllib.request.ProxyHandler({}))


def api(backend, method: str, path: str, body=None, timeout: float = 30):
    """(status, JSON) of a request to `backend`, made as any API client makes it (not through the extension)."""
    data = None if body is None else json.dumps(body).encode()
    headers = {"X-PaperLens-Client": "tests"}
    if data is not None:
        headers["Content-Type"] = "application/json"
    req = urllib.request.Request(backend.url + path, data=data, method=method, headers=headers)
    try:
        with _DIRECT.open(req, timeout=timeout) as r:
            return r.status, json.loads(r.read())
    except urllib.error.HTTPError as e:
        return e.code, json.loads(e.read() or b"null")

# Debian's chromium; PAPERLENS_CHROMIUM points elsewhere (e.g. another distro's binary).
CHROMIUM = os.environ.get("PAPERLENS_CHROMIUM", "/usr/bin/chromium")
PNG = (ROOT / "extension" / "icons" / "icon16.png").read_bytes()
CHROMIUM_ARGS = [
    "--headless=new",
    f"--disable-extensions-except={ROOT}",
    f"--load-extension={ROOT}",
    "--no-sandbox",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--disable-quic",
    "--disable-gpu",
]


class Backend:
    """create_app(config) served on 127.0.0.1:<port> (a free one by default) until stop()."""

    def __init__(self, config: dict, prepare=None, port: int = 0):
        from werkzeug.serving import make_server

        from paperlens.app import create_app

        self.app = create_app(config)
        if prepare is not None:
            prepare(self.app)  # before the first request: routes may still be added
        self.server = make_server("127.0.0.1", port, self.app, threaded=True)
        self.url = f"http://127.0.0.1:{self.server.server_port}"
        self.thread = threading.Thread(target=self.server.serve_forever, name="paperlens-e2e", daemon=True)
        self.thread.start()

    def stop(self) -> None:
        self.server.shutdown()
        self.thread.join(5)

    @classmethod
    def on_temp_library(cls, folder: Path, prepare=None, port: int = 0) -> "Backend":
        """A test backend on a new library in `folder`, with the small deterministic embedder; `port`
        picks the port (a backend started late, where the extension already looks for one)."""
        from conftest import _keybert_embedder

        return cls({"TESTING": True, "DB_PATH": str(folder / "library.sqlite3"), "EMBEDDER": _keybert_embedder()},
                   prepare=prepare, port=port)


def require(ok: bool, why: str, install: str) -> None:
    """Skip when a browser test's tool is missing, except with CI=true, where it fails: CI must never
    pass by skipping its browser tests. `install` says how to get the tool."""
    import pytest

    if ok:
        return
    if os.environ.get("CI") == "true":
        pytest.fail(f"{why}; CI=true, so the e2e tests must run ({install})")
    pytest.skip(why)


def free_port() -> int:
    """A loopback port nothing listens on (for the backend-down test)."""
    import socket

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def route_site(ctx, site: dict[str, str]) -> None:
    def handle(route):
        req = route.request
        url = req.url.split("#", 1)[0]
        if url in site and req.resource_type == "document":
            route.fulfill(status=200, content_type="text/html; charset=utf-8", body=site[url])
        elif req.resource_type == "image":
            route.fulfill(status=200, content_type="image/png", body=PNG)
        else:
            route.fulfill(status=404, content_type="text/plain", body="not in the e2e fixture site")

    ctx.route(re.compile(r"^https?://(?!127\.0\.0\.1[:/]|localhost[:/])"), handle)


def launch(playwright, user_data_dir: Path, viewport=None):
    """(context, service worker, extension id) with the extension loaded from the repo root."""
    ctx = playwright.chromium.launch_persistent_context(
        str(user_data_dir),
        executable_path=CHROMIUM,
        headless=False,  # --headless=new in the args: the new headless mode runs extensions
        args=CHROMIUM_ARGS,
        viewport=viewport or {"width": 1280, "height": 900},
    )
    sw = ctx.service_workers[0] if ctx.service_workers else ctx.wait_for_event("serviceworker", timeout=15000)
    ext_id = sw.url.split("/")[2]
    return ctx, sw, ext_id


def set_settings(sw, **settings) -> None:
    sw.evaluate("s => chrome.storage.local.set(s)", settings)


def open_annotated(pg, url: str, timeout: float = 30000, settle: bool = True):
    """Go to a fixture page and wait until the content script's pass is done and, with `settle`, until
    keyphrases the backend first answered as pending have filled in; returns the page."""
    pg.goto(url)
    pg.wait_for_selector("html[data-pl-ready]", state="attached", timeout=timeout)
    if settle:
        pg.wait_for_function("() => !document.querySelector('.pl-pending')", timeout=timeout)
    return pg


# (paper id, number of annotation elements) for every card on the page, in page order.
CARD_REPORT_JS = """() => {
  const cards = [...document.querySelectorAll('article, section.paper')];
  return cards.map(c => [...c.querySelectorAll('[data-pl-paper]')].map(n => n.getAttribute('data-pl-paper')));
}"""


def keyphrases_pending(app, polls_pending: int = 2) -> None:
    """Make `app` answer every annotated paper as pending (keyphrases still being computed, with known
    `for_you` and `why` values), and have
    `GET /api/keyphrases` say "pending" for the first `polls_pending` polls, then give the phrases.
    Uses the backend's own /api/keyphrases when it has one (then only annotate is wrapped)."""
    from flask import jsonify, request

    annotator = app.extensions["paperlens"]
    real = annotator.annotate
    phrases: dict[str, list] = {}
    polls = {"n": 0}

    def annotate(*args, **kwargs):
        out = real(*args, **kwargs)
        for i, paper in enumerate(out["papers"]):
            phrases[paper["id"]] = paper["keyphrases"]
            paper["keyphrases"], paper["pending"] = [], True
            # Known for_you and why values (the test is about rendering them, not computing them):
            # the first paper is the one closest to the reader's library, and the only one the
            # backend marks (for_you_mark is its rule; the extension only draws it).
            paper["for_you"] = 0.9 if i == 0 else 0.05
            paper["for_you_mark"] = i == 0
            for rel in paper["related"]:
                rel["why"] = ["diffusion", "sampling"]
        return out

    annotator.annotate = annotate
    if any(rule.rule == "/api/keyphrases" for rule in app.url_map.iter_rules()):
        return

    def keyphrases():
        ids = [i for i in request.args.get("ids", "").split(",") if i]
        polls["n"] += 1
        if polls["n"] <= polls_pending:
            return jsonify({"ok": True, "keyphrases": {}, "pending": ids})
        return jsonify({"ok": True, "keyphrases": {i: phrases.get(i, []) for i in ids}, "pending": []})

    app.add_url_rule("/api/keyphrases", "e2e_keyphrases", keyphrases)
