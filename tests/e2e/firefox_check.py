"""Manual check that the extension works in Firefox: headless firefox-esr, WebDriver BiDi, no geckodriver.

Run from the repository root: `.venv/bin/python tests/e2e/firefox_check.py`. Needs `apt-get install
firefox-esr` and `pip install websocket-client` (neither is a project dependency, so this is not a
pytest test). Packages the extension, starts the backend on the default port 7435 (it must be free: the
extension's default URL, so no setting is needed), installs the add-on temporarily, serves the fixture
daily page as https://huggingface.co/papers through BiDi network interception (nothing leaves the
machine) and prints what the content script rendered. Exit status 0 when every card is annotated.
"""

from __future__ import annotations

import base64
import json
import subprocess
import sys
import tempfile
import threading
import time
import zipfile
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parents[1]
sys.path[:0] = [str(ROOT / "backend"), str(ROOT / "tests"), str(ROOT / "scripts")]

import websocket  # noqa: E402  (websocket-client)
from werkzeug.serving import make_server  # noqa: E402

from e2e import harness, pages  # noqa: E402

UUID = "11111111-2222-3333-4444-555555555555"
GECKO_ID = json.loads((ROOT / "manifest.json").read_text())["browser_specific_settings"]["gecko"]["id"]
QUIET_PREFS = [
    "app.normandy.enabled", "toolkit.telemetry.enabled", "datareporting.policy.dataSubmissionEnabled",
    "app.update.enabled", "extensions.update.enabled", "browser.safebrowsing.malware.enabled",
    "browser.safebrowsing.phishing.enabled", "network.captive-portal-service.enabled",
    "network.connectivity-service.enabled", "browser.search.update",
]


class Bidi:
    def __init__(self, port: int):
        for _ in range(150):
            try:
                self.ws = websocket.create_connection(f"ws://127.0.0.1:{port}/session", suppress_origin=True, timeout=30)
                break
            except OSError:
                time.sleep(0.2)
        else:
            raise SystemExit("firefox did not open its remote debugging port")
        self.n = 0

    def send(self, method: str, params: dict) -> int:
        self.n += 1
        self.ws.send(json.dumps({"id": self.n, "method": method, "params": params}))
        return self.n

    def recv(self) -> dict:
        return json.loads(self.ws.recv())

    def call(self, method: str, params: dict):
        sent = self.send(method, params)
        while True:
            m = self.recv()
            if m.get("id") == sent:
                if m.get("type") == "error":
                    raise RuntimeError(f"{method}: {m.get('message')}")
                return m.get("result")


def main() -> int:
    from conftest import _keybert_embedder
    from package_extension import build
    from paperlens.app import create_app

    work = Path(tempfile.mkdtemp())
    ext_dir = work / "ext"
    with zipfile.ZipFile(build(work)) as zf:
        zf.extractall(ext_dir)
    app = create_app({"TESTING": True, "DB_PATH": str(work / "library.sqlite3"), "EMBEDDER": _keybert_embedder()})
    server = make_server("127.0.0.1", 7435, app, threaded=True)
    threading.Thread(target=server.serve_forever, daemon=True).start()

    profile = work / "profile"
    profile.mkdir()
    prefs = [f'user_pref("{k}", false);' for k in QUIET_PREFS]
    prefs.append('user_pref("extensions.webextensions.uuids", %s);' % json.dumps(json.dumps({GECKO_ID: UUID})))
    (profile / "user.js").write_text("\n".join(prefs) + "\n")
    port = harness.free_port()
    firefox = subprocess.Popen(
        ["firefox-esr", "-headless", f"--remote-debugging-port={port}", "-profile", str(profile), "-no-remote"],
        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
    )
    site = pages.site()
    try:
        bidi = Bidi(port)
        bidi.call("session.new", {"capabilities": {}})
        print("installed:", bidi.call("webExtension.install", {"extensionData": {"type": "path", "path": str(ext_dir)}}))
        ctx = bidi.call("browsingContext.getTree", {})["contexts"][0]["context"]
        bidi.call("network.addIntercept", {"phases": ["beforeRequestSent"], "urlPatterns": [
            {"type": "pattern", "hostname": "huggingface.co"},
            {"type": "pattern", "hostname": "cdn-thumbnails.huggingface.co"},
        ]})
        bidi.call("session.subscribe", {"events": ["network.beforeRequestSent"]})
        nav = bidi.send("browsingContext.navigate", {"context": ctx, "url": f"{pages.HF}/papers", "wait": "complete"})
        deadline = time.time() + 60
        while time.time() < deadline:
            m = bidi.recv()
            if m.get("method") == "network.beforeRequestSent" and m["params"].get("isBlocked"):
                req = m["params"]["request"]
                body = site.get(req["url"], "")
                bidi.send("network.provideResponse", {
                    "request": req["request"],
                    "statusCode": 200 if body else 404,
                    "reasonPhrase": "OK" if body else "Not Found",
                    "headers": [{"name": "Content-Type", "value": {"type": "string", "value": "text/html; charset=utf-8"}}],
                    "body": {"type": "base64", "value": base64.b64encode(body.encode()).decode()},
                })
            elif m.get("id") == nav:
                break

        def evaluate(expr: str):
            r = bidi.call("script.evaluate", {"expression": expr, "target": {"context": ctx}, "awaitPromise": True})
            return r.get("result", {}).get("value")

        for _ in range(300):
            if evaluate("document.documentElement.dataset.plReady || ''"):
                break
            time.sleep(0.2)
        ids = evaluate("[...document.querySelectorAll('[data-pl-paper]')].map(n => n.dataset.plPaper).join(' ')") or ""
        print("data-pl-ready:", evaluate("document.documentElement.dataset.plReady || ''"))
        print("annotated:", ids)
        print("chips:", evaluate("document.querySelectorAll('.pl-chip').length"))
        print("banner:", evaluate("(document.querySelector('.pl-banner') || {}).textContent || '(none)'"))
        return 0 if ids.split() == [pid for pid, _, _ in pages.DAILY] else 1
    finally:
        firefox.terminate()
        firefox.wait(10)
        server.shutdown()


if __name__ == "__main__":
    sys.exit(main())
