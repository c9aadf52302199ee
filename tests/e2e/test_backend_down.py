"""The extension while the backend is not running: the banner says so in one line and offers the command for
the port the options name (copyable, never broken mid-word); the page recovers by itself once a backend
answers there; the popup's empty states say what is true."""

from __future__ import annotations

import time

import pytest

from . import pages
from .harness import Backend, free_port
from .test_static import readme_commands

pytestmark = pytest.mark.e2e
HF = pages.HF

# Every word of the command laid out on one line: a word split over two lines ("pap/erlens") has two rects.
BROKEN_WORDS_JS = """code => {
  const text = code.firstChild, broken = [];
  const re = /\\S+/g;
  for (let m; (m = re.exec(text.data)); ) {
    const range = document.createRange();
    range.setStart(text, m.index);
    range.setEnd(text, m.index + m[0].length);
    const lines = new Set([...range.getClientRects()].map(r => Math.round(r.top)));
    if (lines.size > 1) broken.push(m[0]);
  }
  return broken;
}"""

# Parts of the banner outside the viewport, or whose content runs past their own box.
BANNER_OVERFLOW_JS = """() => {
  const vw = document.documentElement.clientWidth, vh = document.documentElement.clientHeight, out = [];
  for (const n of document.querySelectorAll('.pl-banner, .pl-banner *')) {
    const r = n.getBoundingClientRect();
    if (r.left < -0.5 || r.right > vw + 0.5 || r.top < -0.5 || r.bottom > vh + 0.5) out.push(`${n.className || n.tagName} outside the viewport`);
    if (getComputedStyle(n).display !== 'inline' && n.scrollWidth > n.clientWidth + 1) out.push(`${n.className || n.tagName} overflows itself`);
  }
  return out;
}"""

ALL_FRESH_JS = "n => document.querySelectorAll('[data-pl-paper]:not([data-pl-stale])').length === n"


def test_banner_offers_the_port_command_and_the_page_recovers_when_the_backend_starts(ext, page, tmp_path, capsys):
    port = free_port()
    url = f"http://127.0.0.1:{port}"
    command = f"{readme_commands()[0]} --port {port}"
    ext.settings(backendUrl=url)
    late = None
    try:
        ext.ctx.grant_permissions(["clipboard-read", "clipboard-write"], origin=HF)
        page.set_viewport_size({"width": 400, "height": 800})  # the narrowest window checked
        page.goto(f"{HF}/papers/trending")
        page.bring_to_front()  # the clipboard wants a focused page
        banner = page.locator(".pl-banner")
        banner.wait_for()
        line = banner.locator(".pl-banner-line").text_content()
        assert line.startswith("Paper Lens: the backend is not running at " + url), line
        code = banner.locator(".pl-banner-cmd")
        assert code.text_content() == command
        assert code.evaluate(BROKEN_WORDS_JS) == []
        assert page.evaluate(BANNER_OVERFLOW_JS) == []
        copy = banner.get_by_role("button", name="Copy the command")
        copy.click()
        page.wait_for_function("() => document.querySelector('.pl-banner').textContent.includes('Copied')")
        assert page.evaluate("navigator.clipboard.readText()") == command

        # A backend comes up on that port: no Retry, no reload.
        late = Backend.on_temp_library(tmp_path, port=port)
        started = time.monotonic()
        page.wait_for_function(ALL_FRESH_JS, arg=len(pages.TRENDING), timeout=10000)
        recovered = time.monotonic() - started
        assert banner.count() == 0
        assert page.evaluate("document.documentElement.dataset.plReady") == "done"
        with capsys.disabled():
            print(f"\n[e2e timing] backend started -> page annotated without Retry: {recovered:.1f} s")
    finally:
        ext.settings(backendUrl=ext.backend.url)
        if late is not None:
            late.stop()


def test_a_dismissed_banner_still_recovers(ext, page, tmp_path):
    port = free_port()
    ext.settings(backendUrl=f"http://127.0.0.1:{port}")
    late = None
    try:
        page.goto(f"{HF}/papers/{pages.PAPER[0]}")
        page.locator(".pl-banner").get_by_role("button", name="Dismiss").click()
        assert page.locator(".pl-banner").count() == 0
        late = Backend.on_temp_library(tmp_path, port=port)
        page.wait_for_function(ALL_FRESH_JS, arg=1, timeout=10000)
        assert page.locator(".pl-banner").count() == 0
    finally:
        ext.settings(backendUrl=ext.backend.url)
        if late is not None:
            late.stop()


def test_popup_empty_states_say_what_is_true(ext, tmp_path):
    port = free_port()
    ext.settings(backendUrl=f"http://127.0.0.1:{port}")
    popup = ext.ctx.new_page()
    late = None
    empty = popup.locator("#pl-saved-empty")
    try:
        # Backend down: the popup says so, with the command for this port; it does not claim an empty library.
        popup.goto(ext.popup_url())
        popup.wait_for_selector("#pl-status.pl-down")
        command = f"{readme_commands()[0]} --port {port}"
        assert popup.locator("#pl-status code").text_content() == command
        # ... with Copy, as on the page's banner (one copy button, shared/dom.js).
        popup.bring_to_front()  # the clipboard wants a focused page
        popup.locator("#pl-status").get_by_role("button", name="Copy the command").click()
        popup.wait_for_function("() => document.getElementById('pl-status').textContent.includes('Copied')")
        # Read back from a site page (the browser's clipboard is one; CDP grants no permission to extension pages).
        ext.ctx.grant_permissions(["clipboard-read"], origin=HF)
        reader = ext.ctx.new_page()
        try:
            reader.goto(f"{HF}/papers/trending")
            reader.bring_to_front()
            assert reader.evaluate("navigator.clipboard.readText()") == command
        finally:
            reader.close()
        empty.wait_for()
        assert "the backend is not running" in empty.text_content()
        assert "Nothing saved" not in empty.text_content()
        assert "pl-error" in empty.get_attribute("class")

        # A new library: nothing saved yet.
        late = Backend.on_temp_library(tmp_path, port=port)
        popup.reload()
        popup.wait_for_selector("#pl-status.pl-ok")
        popup.wait_for_function("() => document.getElementById('pl-saved-empty').textContent.startsWith('Nothing saved yet')")
        assert "pl-error" not in empty.get_attribute("class")

        # One paper saved, a search that matches nothing: "no match", naming the search.
        pid = pages.DAILY[0][0]
        assert popup.evaluate("id => chrome.runtime.sendMessage({type: 'save', id})", pid)["ok"]
        popup.reload()
        popup.wait_for_selector(f'[data-pl-saved="{pid}"]')
        popup.fill("#pl-search", "zzz-no-such-paper")
        popup.wait_for_selector(f'[data-pl-saved="{pid}"]', state="detached")
        assert empty.text_content() == "No saved paper matches “zzz-no-such-paper”."

        # The backend stops while a paper is saved: "not running", not "nothing saved".
        late.stop()
        late = None
        popup.reload()
        popup.wait_for_selector("#pl-status.pl-down")
        popup.wait_for_function("() => document.getElementById('pl-saved-empty').textContent.includes('not running')")
        assert popup.locator("[data-pl-saved]").count() == 0
    finally:
        popup.close()
        ext.settings(backendUrl=ext.backend.url)
        if late is not None:
            late.stop()
