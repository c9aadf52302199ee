"""Fresh pages fill in the reader's order: the cards on screen first, then the rest, re-ordered by scrolling;
the page says how many are left meanwhile."""

from __future__ import annotations

import time

import pytest

from . import harness, pages

pytestmark = pytest.mark.e2e
HF = pages.HF


def slow_keyphrases(app) -> None:
    """Each model call takes a while (as a real model on a slow machine), so the order can be seen; the
    texts embedded are recorded in app.config["EMBEDDED"], in order."""
    backend = app.extensions["paperlens"].extractor.backend()
    real = backend.embed
    app.config["EMBEDDED"] = []

    def embed(documents, verbose=False):
        time.sleep(0.12)
        app.config["EMBEDDED"].extend(documents)
        return real(documents, verbose)

    backend.embed = embed


@pytest.fixture
def slow_backend(tmp_path):
    b = harness.Backend.on_temp_library(tmp_path, prepare=slow_keyphrases)
    yield b
    b.stop()


# When each card first showed chips (ms since navigation start), and the progress note's texts.
PROBE = """
window.__order = {first: {}, notes: new Set()};
new MutationObserver(() => {
  for (const root of document.querySelectorAll('[data-pl-paper]')) {
    const id = root.dataset.plPaper;
    if (!(id in __order.first) && root.querySelector('.pl-chip')) __order.first[id] = performance.now();
  }
  const note = document.querySelector('.pl-progress');
  if (note) __order.notes.add(note.textContent);
}).observe(document, {childList: true, subtree: true, characterData: true});
"""


ON_SCREEN = """ids => ids.filter(id => { const r = document.querySelector(`[data-pl-paper='${id}']`).getBoundingClientRect();
                                          return r.bottom > 0 && r.top < innerHeight; })"""


def test_the_cards_on_screen_fill_in_first_and_scrolling_reorders(ext, page, slow_backend):
    ext.settings(backendUrl=slow_backend.url)
    url = f"{HF}/papers/month/2025-12"
    try:
        page.add_init_script(PROBE)
        harness.open_annotated(page, url, settle=False)
        ids = [pid for pid, _, _ in pages.big_papers(100, "2512")]
        on_screen = page.evaluate(ON_SCREEN, ids)
        assert 0 < len(on_screen) < 40, on_screen
        # Jump to the bottom while the rest is still being computed: the bottom cards come next.
        page.wait_for_function("n => Object.keys(__order.first).length >= n", arg=len(on_screen), timeout=30000)
        page.evaluate("window.scrollTo(0, document.body.scrollHeight)")
        bottom = page.evaluate(ON_SCREEN, ids)
        assert bottom and not set(bottom) & set(on_screen)
        page.wait_for_function("() => !document.querySelector('.pl-pending')", timeout=60000)
        first = page.evaluate("() => __order.first")
        assert set(first) == set(ids)
        order = sorted(ids, key=first.__getitem__)
        assert set(order[: len(on_screen)]) == set(on_screen), (order[: len(on_screen)], on_screen)
        # In the backend: the bottom cards were computed before the middle ones that were still waiting.
        title = {pid: t for pid, t, _ in pages.big_papers(100, "2512")}
        done = [text for text in slow_backend.app.config["EMBEDDED"] if any(text.startswith(title[i] + ". ") for i in ids)]
        rank = {i: next(n for n, text in enumerate(done) if text.startswith(title[i] + ". ")) for i in ids}
        waiting = [i for i in ids[40:80] if rank[i] > max(rank[j] for j in on_screen)]
        assert max(rank[i] for i in bottom) < max(rank[i] for i in waiting), (bottom, waiting)
        notes = page.evaluate("() => [...__order.notes]")
        assert any(n.startswith("Paper Lens: keyphrases ") and n.endswith("/100") for n in notes), notes
        assert page.locator(".pl-progress").count() == 0  # gone once every card has its keyphrases
    finally:
        ext.settings(backendUrl=ext.backend.url)
