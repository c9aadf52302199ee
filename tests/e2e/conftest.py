"""Fixtures for the browser end-to-end tests (marked `e2e`): one Chromium and one backend per session
(test_firefox.py has its own Firefox and backend).

Without /usr/bin/chromium or playwright the tests skip, except with CI=true, where they fail: CI
must never pass by skipping its browser tests.
"""

from __future__ import annotations

import os
from dataclasses import dataclass

import pytest

from . import harness, pages


def pytest_configure(config):
    config.addinivalue_line("markers", "e2e: browser end-to-end tests (headless Chromium or Firefox + the extension)")


CHROMIUM_INSTALL = "apt-get install chromium chromium-driver"


@dataclass
class Ext:
    ctx: object
    sw: object
    ext_id: str
    backend: harness.Backend
    site: dict
    playwright: object  # for a test that needs a browser of its own (a fresh profile)

    def popup_url(self) -> str:
        return f"chrome-extension://{self.ext_id}/extension/popup/popup.html"

    def settings(self, **values) -> None:
        harness.set_settings(self.sw, **values)


@pytest.fixture(scope="session")
def backend(tmp_path_factory):
    b = harness.Backend.on_temp_library(tmp_path_factory.mktemp("e2e-library"))
    yield b
    b.stop()


@pytest.fixture(scope="session")
def pending_backend(tmp_path_factory):
    """A second backend that answers every paper with pending keyphrases (filled in on later polls)."""
    b = harness.Backend.on_temp_library(tmp_path_factory.mktemp("e2e-pending"), prepare=harness.keyphrases_pending)
    yield b
    b.stop()


@pytest.fixture(scope="session")
def ext(backend, tmp_path_factory):
    harness.require(os.path.exists(harness.CHROMIUM), f"{harness.CHROMIUM} is missing", CHROMIUM_INSTALL)
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        harness.require(False, "playwright is not installed", "pip install -e '.[test]'")
    site = pages.site()
    with sync_playwright() as p:
        ctx, sw, ext_id = harness.launch(p, tmp_path_factory.mktemp("chromium-profile"))
        harness.route_site(ctx, site)
        harness.set_settings(sw, backendUrl=backend.url, autoAnnotate=True, showRelated=True, keyphrasesPerCard=5)
        try:
            yield Ext(ctx, sw, ext_id, backend, site, p)
        finally:
            ctx.close()


@pytest.fixture
def page(ext):
    """A fresh tab; fails the test at teardown if the page logged a console error or threw."""
    pg = ext.ctx.new_page()
    errors: list[str] = []
    pg.on("console", lambda m: errors.append(f"console.{m.type}: {m.text}") if m.type == "error" else None)
    pg.on("pageerror", lambda e: errors.append(f"pageerror: {e}"))
    pg.pl_errors = errors
    yield pg
    pg.close()
    assert not errors, errors

