"""Headless firefox-esr driven over WebDriver BiDi with websocket-client (no geckodriver exists here).

- `Firefox`: a browser on a temp profile with the packaged extension installed as a temporary add-on.
  Every http(s) request that is not loopback is intercepted and answered from the fixture site (the
  same rule as harness.route_site), so nothing leaves the machine and the extension sees
  https://huggingface.co/... exactly as in production.
- `Bidi`: a minimal client: commands by id, answered on a reader thread, events to handlers.
"""

from __future__ import annotations

import base64
import json
import os
import re
import socket
import subprocess
import threading
import time
import zipfile
from concurrent.futures import Future
from pathlib import Path
from urllib.parse import urlsplit

from . import harness

# Debian's firefox-esr; PAPERLENS_FIREFOX points elsewhere (e.g. a Firefox release build).
FIREFOX = os.environ.get("PAPERLENS_FIREFOX", "/usr/bin/firefox-esr")
GECKO_ID = json.loads((harness.ROOT / "manifest.json").read_text())["browser_specific_settings"]["gecko"]["id"]
# Firefox gives every add-on a random internal UUID; pinning it gives the extension pages a known URL.
UUID = "7e57f1e0-0000-4000-8000-00000000a11d"
LOOPBACK = {"127.0.0.1", "localhost", "[::1]", "::1"}

# Firefox's own traffic (updates, telemetry, safe browsing, captive portal checks...) would go to
# the network; switching it off keeps the run quiet and fast. Whatever is left goes to a proxy that
# is a trap on loopback (`Firefox.escaped`): a request that is neither intercepted nor loopback is
# recorded and refused there instead of leaving the machine, and no host name is ever resolved.
PREFS = {
    "app.normandy.enabled": False,
    "app.update.enabled": False,
    "app.update.auto": False,
    "browser.safebrowsing.malware.enabled": False,
    "browser.safebrowsing.phishing.enabled": False,
    "browser.safebrowsing.downloads.enabled": False,
    "browser.search.update": False,
    "browser.shell.checkDefaultBrowser": False,
    "browser.startup.homepage_override.mstone": "ignore",
    "browser.startup.page": 0,
    "browser.newtabpage.enabled": False,
    "browser.aboutwelcome.enabled": False,
    "datareporting.policy.dataSubmissionEnabled": False,
    "datareporting.healthreport.uploadEnabled": False,
    "toolkit.telemetry.enabled": False,
    "extensions.update.enabled": False,
    "extensions.getAddons.cache.enabled": False,
    "network.captive-portal-service.enabled": False,
    "network.connectivity-service.enabled": False,
    "network.dns.disablePrefetch": True,
    "network.prefetch-next": False,
    "network.http.speculative-parallel-limit": 0,
    "network.trr.mode": 5,
    "network.proxy.type": 1,
    "network.proxy.http": "127.0.0.1",
    "network.proxy.ssl": "127.0.0.1",
    "services.settings.server": "http://127.0.0.1:9/",
    "extensions.webextensions.uuids": json.dumps({GECKO_ID: UUID}),
}


class BidiError(RuntimeError):
    pass


class Bidi:
    """One WebDriver BiDi session over a websocket. `call` may be used from any thread; event
    handlers run on the reader thread and must not `call` (they may `send`)."""

    def __init__(self, url: str, timeout: float = 20):
        import websocket  # websocket-client

        deadline = time.monotonic() + timeout
        while True:
            try:
                # Firefox refuses a websocket handshake that carries an Origin header.
                self.ws = websocket.create_connection(url, suppress_origin=True, timeout=None)
                break
            except OSError:
                if time.monotonic() > deadline:
                    raise
                time.sleep(0.1)
        self._n = 0
        self._lock = threading.Lock()
        self._pending: dict[int, Future] = {}
        self.handlers: dict[str, object] = {}
        self._reader = threading.Thread(target=self._read, name="bidi-reader", daemon=True)
        self._reader.start()

    def send(self, method: str, params: dict) -> Future:
        with self._lock:
            self._n += 1
            n = self._n
            fut: Future = Future()
            self._pending[n] = fut
            self.ws.send(json.dumps({"id": n, "method": method, "params": params}))
        return fut

    def call(self, method: str, params: dict | None = None, timeout: float = 30):
        msg = self.send(method, params or {}).result(timeout)
        if msg.get("type") == "error":
            raise BidiError(f"{method}: {msg.get('error')}: {msg.get('message')}")
        return msg.get("result")

    def _read(self) -> None:
        while True:
            try:
                raw = self.ws.recv()
            except Exception as e:  # closed: fail whatever still waits
                for fut in list(self._pending.values()):
                    if not fut.done():
                        fut.set_exception(BidiError(f"connection closed: {e!r}"))
                return
            if not raw:
                continue
            msg = json.loads(raw)
            if "id" in msg and msg.get("id") is not None:
                fut = self._pending.pop(msg["id"], None)
                if fut is not None:
                    fut.set_result(msg)
            elif msg.get("type") == "event":
                handler = self.handlers.get(msg["method"])
                if handler is not None:
                    try:
                        handler(msg["params"])
                    except Exception as e:  # a broken handler must not stop the reader
                        print(f"bidi handler {msg['method']} failed: {e!r}")

    def close(self) -> None:
        try:
            self.ws.close()
        except Exception:
            pass


def unpacked_package(out_dir: Path) -> Path:
    """The store package (scripts/package_extension.py) unzipped: what a user's Firefox installs,
    without the repo's other files."""
    import importlib.util

    script = harness.ROOT / "scripts" / "package_extension.py"
    spec = importlib.util.spec_from_file_location("package_extension", script)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    ext_dir = out_dir / "ext"
    with zipfile.ZipFile(module.build(out_dir)) as zf:
        zf.extractall(ext_dir)
    return ext_dir


class Firefox:
    """firefox-esr -headless with the extension installed; fixture pages served from `site`."""

    def __init__(self, work: Path, site: dict[str, str], ext_dir: Path):
        self.site = site
        self.requests: list[str] = []  # every URL the pages asked for
        self.log: list[dict] = []  # console messages and uncaught errors of the pages (BiDi log entries)
        self.escaped: list[str] = []  # request lines that reached the trap proxy
        profile = work / "profile"
        profile.mkdir()
        self._trap = socket.create_server(("127.0.0.1", 0))
        threading.Thread(target=self._run_trap, name="firefox-trap-proxy", daemon=True).start()
        trap_port = self._trap.getsockname()[1]
        prefs = dict(PREFS, **{"network.proxy.http_port": trap_port, "network.proxy.ssl_port": trap_port})
        (profile / "user.js").write_text("".join(f"user_pref({json.dumps(k)}, {json.dumps(v)});\n"
                                                 for k, v in prefs.items()))
        self.log_path = work / "firefox.log"
        self._log = open(self.log_path, "wb")
        self.proc = subprocess.Popen(
            # --remote-allow-system-access: BiDi refuses to navigate to moz-extension:// without it,
            # and an extension page is the only place that can write the extension's storage.
            [FIREFOX, "-headless", "-no-remote", "-profile", str(profile), "--remote-debugging-port=0",
             "--remote-allow-system-access"],
            stdout=self._log, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL,
            # MOZ_DISABLE_NONLOCAL_CONNECTIONS: Firefox's own test switch. A connection to a non-local
            # address that slipped past the proxy aborts Firefox ("FATAL ERROR: Non-local network
            # connections are disabled" in firefox.log), so a leak fails loudly; it also makes Firefox
            # honour the remote-settings server pref above.
            env=dict(os.environ, MOZ_HEADLESS="1", MOZ_CRASHREPORTER_DISABLE="1",
                     MOZ_DISABLE_NONLOCAL_CONNECTIONS="1"),
        )
        try:
            self.bidi = Bidi(self._bidi_url())
            self.bidi.call("session.new", {"capabilities": {}})
            self.ext_id = self.bidi.call(
                "webExtension.install", {"extensionData": {"type": "path", "path": str(ext_dir)}}
            )["extension"]
            if self.ext_id != GECKO_ID:  # the UUID pin is keyed by the manifest's gecko id
                raise RuntimeError(f"installed as {self.ext_id!r}, not {GECKO_ID!r}")
            self.bidi.handlers["network.beforeRequestSent"] = self._on_request
            self.bidi.call("network.addIntercept", {"phases": ["beforeRequestSent"]})
            self.bidi.handlers["log.entryAdded"] = self.log.append
            self.bidi.call("session.subscribe", {"events": ["network.beforeRequestSent", "log.entryAdded"]})
            self.tab = self.bidi.call("browsingContext.getTree", {"maxDepth": 0})["contexts"][0]["context"]
        except BaseException:
            self.close()
            raise

    def _bidi_url(self, timeout: float = 30) -> str:
        # Port 0 lets Firefox pick a free port (no race with other processes); it prints the one it took.
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            m = re.search(rb"WebDriver BiDi listening on (ws://\S+)", self.log_path.read_bytes())
            if m:
                return m.group(1).decode() + "/session"
            if self.proc.poll() is not None:
                break
            time.sleep(0.05)
        raise RuntimeError(f"firefox did not start its BiDi server:\n{self.log_tail()}")

    def _run_trap(self) -> None:
        while True:
            try:
                conn, _ = self._trap.accept()
            except OSError:  # closed
                return
            with conn:
                conn.settimeout(2)
                try:
                    self.escaped.append(conn.recv(4096).split(b"\r\n", 1)[0].decode(errors="replace"))
                    conn.sendall(b"HTTP/1.1 502 Bad Gateway\r\nContent-Length: 0\r\n\r\n")
                except OSError:
                    pass

    def log_tail(self, n: int = 4000) -> str:
        return self.log_path.read_bytes()[-n:].decode(errors="replace")

    def _on_request(self, params: dict) -> None:
        if not params.get("isBlocked"):
            return
        req = params["request"]
        url = req["url"]
        self.requests.append(url)
        if urlsplit(url).hostname in LOOPBACK:
            self.bidi.send("network.continueRequest", {"request": req["request"]})
            return
        page = self.site.get(url.split("#", 1)[0])
        if page is not None and params.get("navigation"):
            status, ctype, body = 200, "text/html; charset=utf-8", page.encode()
        elif re.search(r"\.(png|jpe?g|gif|webp|svg)(\?|$)", url):
            status, ctype, body = 200, "image/png", harness.PNG
        else:
            status, ctype, body = 404, "text/plain", b"not in the e2e fixture site"
        self.bidi.send("network.provideResponse", {
            "request": req["request"],
            "statusCode": status,
            "reasonPhrase": "OK" if status == 200 else "Not Found",
            "headers": [{"name": "Content-Type", "value": {"type": "string", "value": ctype}}],
            "body": {"type": "base64", "value": base64.b64encode(body).decode()},
        })

    # -- pages ------------------------------------------------------------------------------------

    def navigate(self, url: str, context: str | None = None) -> None:
        self.bidi.call("browsingContext.navigate", {"context": context or self.tab, "url": url, "wait": "complete"})

    def evaluate(self, expression: str, context: str | None = None):
        """The JSON value of `expression` in the page's own realm (promises awaited)."""
        r = self.bidi.call("script.evaluate", {
            "expression": f"(async () => JSON.stringify(await ({expression})))()",
            "target": {"context": context or self.tab},
            "awaitPromise": True,
        })
        if r.get("type") == "exception":
            raise BidiError(f"{expression!r} threw: {r['exceptionDetails'].get('text')}")
        value = r["result"].get("value")
        return None if value is None else json.loads(value)

    def wait_for(self, expression: str, timeout: float = 20, context: str | None = None):
        """Poll `expression` until it is truthy; returns its value."""
        deadline = time.monotonic() + timeout
        while True:
            value = self.evaluate(expression, context)
            if value:
                return value
            if time.monotonic() > deadline:
                raise TimeoutError(f"{expression!r} still {value!r} after {timeout} s")
            time.sleep(0.05)

    def element(self, selector: str, context: str | None = None) -> dict:
        """A BiDi reference to the first element matching `selector`, scrolled into view."""
        r = self.bidi.call("script.evaluate", {
            "expression": f"(() => {{ const n = document.querySelector({json.dumps(selector)});"
                          " n.scrollIntoView({block: 'center'}); return n; })()",
            "target": {"context": context or self.tab},
            "awaitPromise": False,
        })
        if r.get("type") == "exception":
            raise BidiError(f"no element {selector!r}: {r['exceptionDetails'].get('text')}")
        return {"sharedId": r["result"]["sharedId"]}

    def click(self, selector: str, context: str | None = None) -> None:
        """A real mouse click (pointer events through the input pipeline, not element.click())."""
        origin = {"type": "element", "element": self.element(selector, context)}
        self.bidi.call("input.performActions", {"context": context or self.tab, "actions": [{
            "type": "pointer", "id": "mouse", "parameters": {"pointerType": "mouse"},
            "actions": [
                {"type": "pointerMove", "x": 0, "y": 0, "origin": origin},
                {"type": "pointerDown", "button": 0},
                {"type": "pointerUp", "button": 0},
            ],
        }]})

    # -- the extension ----------------------------------------------------------------------------

    def extension_url(self, path: str) -> str:
        return f"moz-extension://{UUID}/{path}"

    def set_settings(self, **settings) -> dict:
        """Write the extension's settings from one of its own pages (only those can reach its
        storage); returns what storage holds afterwards, read back the same way."""
        ctx = self.bidi.call("browsingContext.create", {"type": "tab", "background": True})["context"]
        try:
            self.navigate(self.extension_url("extension/options/options.html"), ctx)
            self.evaluate(f"browser.storage.local.set({json.dumps(settings)})", ctx)
            return self.evaluate(f"browser.storage.local.get({json.dumps(list(settings))})", ctx)
        finally:
            self.bidi.call("browsingContext.close", {"context": ctx})

    def close(self) -> None:
        bidi = getattr(self, "bidi", None)
        if bidi is None:
            self.proc.terminate()
        else:
            try:
                bidi.send("browser.close", {}).result(5)
            except Exception:
                pass
            bidi.close()
        try:
            self.proc.wait(10)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait(10)
        self._log.close()
        self._trap.close()
