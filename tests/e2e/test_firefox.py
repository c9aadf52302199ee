"""The packaged extension in headless firefox-esr (WebDriver BiDi, no geckodriver) against the real
backend and the fixture huggingface.co pages, plus Mozilla's linter on the same package.

Only the extension's DOM contracts are read (html[data-pl-ready], [data-pl-paper], .pl-chip,
.pl-star[aria-pressed], .pl-banner, the page bar's [data-pl-count] and [data-pl-view], .pl-dismiss,
article.pl-dismissed), never its internal JS names: the scripts may be rewritten freely.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import time
from pathlib import Path

import pytest


from . import harness, pages
from .firefox import FIREFOX, Firefox, unpacked_package

pytestmark = pytest.mark.e2e
HF = pages.HF
FIREFOX_INSTALL = "apt-get install firefox-esr"
READY = "document.documentElement.dataset.plReady || ''"


def _settings(backend_url: str) -> dict:
    return {"backendUrl": backend_url, "autoAnnotate": True, "showRelated": True, "keyphrasesPerCard": 5}


@pytest.fixture(scope="module")
def ff_backend(tmp_path_factory):
    # Its own library, so what the Chromium tests saved cannot leak into these assertions.
    b = harness.Backend.on_temp_library(tmp_path_factory.mktemp("firefox-library"))
    yield b
    b.stop()


@pytest.fixture(scope="module")
def firefox(request, tmp_path_factory):
    harness.require(os.path.exists(FIREFOX), f"{FIREFOX} is missing", FIREFOX_INSTALL)
    try:
        import websocket  # noqa: F401  (websocket-client)
    except ImportError:
        harness.require(False, "websocket-client is not installed", "pip install -e '.[test]'")
    # Only now: a skip should not wait for the backend to load.
    ff_backend = request.getfixturevalue("ff_backend")
    work = tmp_path_factory.mktemp("firefox")
    ff = Firefox(work, pages.site(), unpacked_package(work / "package"))
    try:
        wanted = _settings(ff_backend.url)
        # Read back through the same storage API: a write that silently went nowhere (wrong page,
        # wrong realm) would leave the extension on its default port, where a user's real server
        # may answer and make every test below pass against the wrong library.
        assert ff.set_settings(**wanted) == wanted
        yield ff
    finally:
        ff.close()


@pytest.fixture
def tab(firefox):
    """The browser on a blank page; fails the test at teardown if a page logged an error or threw."""
    firefox.navigate("about:blank")
    firefox.log.clear()
    yield firefox
    errors = [f"{e.get('type')}: {e.get('text')}" for e in firefox.log if e.get("level") == "error"]
    assert not errors, errors


def open_page(ff: Firefox, url: str, timeout: float = 20) -> str:
    ff.navigate(url)
    return ff.wait_for(READY, timeout)


def test_settings_written_from_the_options_page_reach_the_extension(tab, ff_backend):
    # The page is annotated by *this* backend (it records the page's papers), not by the default port.
    assert open_page(tab, f"{HF}/papers/date/2025-10-31") == "done"
    for pid, _, _ in pages.DAILY:
        status, body = harness.api(ff_backend, "GET", f"/api/papers/{pid}/related?k=1")
        assert status == 200, (pid, status, body)


def test_daily_page_every_card_annotated_once(tab):
    assert open_page(tab, f"{HF}/papers") == "done"
    assert tab.evaluate(f"({harness.CARD_REPORT_JS})()") == [[pid] for pid, _, _ in pages.DAILY]
    # Keyphrases of new papers may arrive after the first answer: every card gets its chips.
    tab.wait_for("[...document.querySelectorAll('[data-pl-paper]')].every(n => n.querySelector('.pl-chip'))")
    stars = tab.evaluate("[...document.querySelectorAll('article [data-pl-paper] .pl-star')]"
                         ".map(s => s.getAttribute('aria-pressed'))")
    assert stars == ["false"] * len(pages.DAILY)
    # Still once each after the polls for keyphrases re-rendered the cards.
    assert tab.evaluate(f"({harness.CARD_REPORT_JS})()") == [[pid] for pid, _, _ in pages.DAILY]


def test_star_saves_in_the_backend(tab, ff_backend):
    pid = pages.DAILY[3][0]
    star = f'[data-pl-paper="{pid}"] .pl-star'
    pressed = f"document.querySelector({json.dumps(star)}).getAttribute('aria-pressed')"
    assert open_page(tab, f"{HF}/papers") == "done"
    assert harness.api(ff_backend, "GET", f"/api/saved/{pid}")[0] == 404
    assert tab.evaluate(pressed) == "false"
    tab.click(star)
    deadline = time.monotonic() + 10
    while harness.api(ff_backend, "GET", f"/api/saved/{pid}")[0] != 200:
        assert time.monotonic() < deadline, "the click saved nothing in the backend"
        time.sleep(0.05)
    assert harness.api(ff_backend, "GET", f"/api/saved/{pid}")[1]["saved"]["title"] == pages.DAILY[3][1]
    tab.wait_for(f"{pressed} === 'true'", timeout=5)
    # The saved state comes back from the backend on the next visit.
    assert open_page(tab, f"{HF}/papers") == "done"
    assert tab.evaluate(pressed) == "true"
    assert harness.api(ff_backend, "DELETE", f"/api/saved/{pid}")[0] == 200


def test_backend_down_shows_the_banner(tab, ff_backend):
    dead = f"http://127.0.0.1:{harness.free_port()}"
    assert tab.set_settings(backendUrl=dead) == {"backendUrl": dead}
    try:
        # A page not opened before in this browser: nothing cached to show instead.
        assert open_page(tab, f"{HF}/papers/trending") == "error"
        text = tab.wait_for("(document.querySelector('.pl-banner') || {}).textContent || ''", timeout=10)
        assert "not running" in text, text
    finally:
        tab.navigate("about:blank")
        tab.set_settings(backendUrl=ff_backend.url)


def test_triage_page_bar_dismiss_and_sort(tab, ff_backend):
    # The triage features on Firefox: the page bar counts the page, a dismissal reaches the backend and
    # holds across a reload, and the sort toggle holds its state (the Chromium suite covers the rest).
    url = f"{HF}/papers/date/2025-10-31"
    pid = pages.DAILY[1][0]
    count = "(k) => document.querySelector(`.pl-bar [data-pl-count='${k}'] .pl-count-n`).textContent"
    card = f"document.querySelector('[data-pl-paper=\"{pid}\"]').closest('article')"
    assert open_page(tab, url) == "done"
    tab.wait_for(f"({count})('new') !== '–'")
    assert int(tab.evaluate(f"({count})('new')")) + int(tab.evaluate(f"({count})('seen')")) == len(pages.DAILY)
    tab.click(f'[data-pl-paper="{pid}"] .pl-dismiss')
    try:
        deadline = time.monotonic() + 10
        while pid not in [p["id"] for p in harness.api(ff_backend, "GET", "/api/dismissed")[1]["papers"]]:
            assert time.monotonic() < deadline, "the click dismissed nothing in the backend"
            time.sleep(0.05)
        tab.wait_for(f"{card}.classList.contains('pl-dismissed') && ({count})('dismissed') === '1'", timeout=5)
        assert open_page(tab, url) == "done"
        tab.wait_for(f"{card}.classList.contains('pl-dismissed')", timeout=10)
        sort = '.pl-bar [data-pl-view="sortByRelevance"]'
        tab.click(sort)
        tab.wait_for(f"document.querySelector({json.dumps(sort)}).getAttribute('aria-pressed') === 'true'", timeout=5)
        tab.click(sort)
        tab.wait_for(f"document.querySelector({json.dumps(sort)}).getAttribute('aria-pressed') === 'false'", timeout=5)
    finally:
        harness.api(ff_backend, "DELETE", f"/api/papers/{pid}/dismissed")


def test_nothing_left_the_machine(tab):
    # Runs after the page tests: every request they made was answered from the fixture site or went
    # to loopback, and nothing reached the trap proxy that stands in for the network.
    assert any(u.startswith(f"{HF}/papers") for u in tab.requests), tab.requests
    assert not tab.escaped, tab.escaped


# -- web-ext lint --------------------------------------------------------------------------------

# The pin lives in .ci/run, which installs web-ext into this cache folder (outside the repo, so
# node_modules never lands in a work tree); PAPERLENS_WEB_EXT names another web-ext binary.
CI_RUN = (harness.ROOT / ".ci" / "run").read_text()
WEB_EXT_VERSION = re.search(r"^WEB_EXT_VERSION=(\S+)", CI_RUN, re.M).group(1)
# Intentional, and what every cross-browser MV3 manifest gets: Chrome needs background.service_worker,
# Firefox ignores it and runs background.scripts. Any other warning fails the test: the linter files
# real problems (unsafe innerHTML, unknown permissions, bad strict_min_version) as warnings too.
ALLOWED_WARNINGS = {"BACKGROUND_SERVICE_WORKER_IGNORED"}


def web_ext_binary() -> Path:
    env = os.environ.get("PAPERLENS_WEB_EXT")
    if env:
        return Path(env)
    cache = Path(os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache")
    return cache / "paperlens" / f"web-ext-{WEB_EXT_VERSION}" / "node_modules" / ".bin" / "web-ext"


def test_web_ext_lint_package(tmp_path):
    web_ext = web_ext_binary()
    harness.require(web_ext.exists() and shutil.which("node") is not None, f"web-ext is missing ({web_ext})",
                    "bash .ci/run installs it, or set PAPERLENS_WEB_EXT")
    ext_dir = unpacked_package(tmp_path)
    # Not --self-hosted: the package is the one for the stores, so addons.mozilla.org's rules apply.
    out = subprocess.run(
        [str(web_ext), "lint", "--source-dir", str(ext_dir), "--output", "json", "--no-input"],
        capture_output=True, text=True, timeout=120, env=dict(os.environ, NO_UPDATE_NOTIFIER="1"),
    )
    try:
        report = json.loads(out.stdout)
    except json.JSONDecodeError:
        pytest.fail(f"web-ext lint gave no JSON report (exit {out.returncode}):\n{out.stdout}\n{out.stderr}")

    def lines(kind):
        return [f"{m['code']} {m.get('file') or ''}:{m.get('line') or ''} {m['message']}" for m in report[kind]]

    errors = lines("errors")
    unexpected = [m for m in report["warnings"] if m["code"] not in ALLOWED_WARNINGS]
    assert not errors and not unexpected, "\n".join(
        ["errors:", *errors, "warnings:", *lines("warnings"), "notices:", *lines("notices")]
    )
