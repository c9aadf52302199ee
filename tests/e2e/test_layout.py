"""The overlay's layout: nothing Paper Lens adds runs past its card or the viewport, at 400, 800 and 1280 px
(the page is never wider with the extension than without it), keyphrase chips wrap however long they
are, and the space for chips is there before they land, so the page does not jump when they do
(cumulative layout shift measured with PerformanceObserver('layout-shift'))."""

from __future__ import annotations

import pytest

from . import live_pages, pages
from .harness import Backend, open_annotated

pytestmark = pytest.mark.e2e
HF = pages.HF
WIDTHS = [400, 800, 1280]

# Longer than any card is wide: one phrase of many words, and one "word" with no break opportunity.
LONG_PHRASES = [
    "scalable hierarchical mixture-of-experts routing for multilingual retrieval-augmented generation pipelines",
    "Supercalifragilisticexpialidocious-Transformer-Pretraining-Objective-v2",
]


def long_keyphrases(app) -> None:
    """Every annotated paper gets the two long phrases first (a card shows the first N)."""
    annotator = app.extensions["paperlens"]
    real = annotator.annotate

    def annotate(*args, **kwargs):
        out = real(*args, **kwargs)
        for paper in out["papers"]:
            paper["keyphrases"] = [{"phrase": p, "score": 0.9} for p in LONG_PHRASES] + list(paper["keyphrases"])
            paper["pending"] = False
        return out

    annotator.annotate = annotate


@pytest.fixture(scope="module")
def long_backend(tmp_path_factory):
    b = Backend.on_temp_library(tmp_path_factory.mktemp("e2e-long-chips"), prepare=long_keyphrases)
    yield b
    b.stop()


LAYOUT_URLS = [
    f"{HF}/papers",  # three columns at every width: narrow cards at 400 px
    f"{HF}/papers?q={pages.SEARCH_Q}",  # cards with abstracts and a title-only card
    f"{HF}/papers/{pages.PAPER[0]}",  # the single paper page
    live_pages.URLS["one"],  # the live site's two layouts, one shown per width
]

# What Paper Lens added that is outside its card or the viewport, or whose content runs past its own
# box (a chip cut off). Related lists are opened first so their items are measured too.
OVERFLOW_JS = """() => {
  const vw = document.documentElement.clientWidth, out = [];
  const shown = n => n.getClientRects().length > 0;
  const name = n => `${n.closest('[data-pl-paper]') ? n.closest('[data-pl-paper]').dataset.plPaper + ' ' : ''}${n.className || n.tagName}`;
  for (const d of document.querySelectorAll('.pl-annot details')) d.open = true;
  for (const root of document.querySelectorAll('.pl-annot')) {
    if (!shown(root)) continue;  // the copy in the layout this width hides
    const card = root.closest('article') || root.parentElement;
    const c = card.getBoundingClientRect();
    for (const n of [root, ...root.querySelectorAll('*')]) {
      if (!shown(n)) continue;
      const r = n.getBoundingClientRect();
      if (r.left < c.left - 0.5 || r.right > c.right + 0.5) out.push(`${name(n)}: ${r.left}..${r.right} outside its card ${c.left}..${c.right}`);
      else if (r.left < -0.5 || r.right > vw + 0.5) out.push(`${name(n)}: ${r.left}..${r.right} outside the viewport 0..${vw}`);
      if (getComputedStyle(n).display !== 'inline' && n.scrollWidth > n.clientWidth + 1) {
        out.push(`${name(n)}: content ${n.scrollWidth} px wide in a ${n.clientWidth} px box`);
      }
    }
  }
  for (const d of document.querySelectorAll('.pl-annot details')) d.open = false;
  return out;
}"""

# The page's scroll width with Paper Lens's nodes shown and with them taken out of the layout.
SCROLL_WIDTHS_JS = """() => {
  const doc = document.documentElement, with_ = doc.scrollWidth;
  const ours = [...document.querySelectorAll('.pl-annot, .pl-banner')];
  for (const n of ours) n.style.display = 'none';
  const without = doc.scrollWidth;
  for (const n of ours) n.style.display = '';
  return {with: with_, without, viewport: doc.clientWidth};
}"""


@pytest.mark.parametrize("width", WIDTHS)
def test_nothing_added_overflows_its_card_or_widens_the_page(ext, page, long_backend, width):
    ext.settings(backendUrl=long_backend.url)
    try:
        page.set_viewport_size({"width": width, "height": 900})
        problems = []
        for url in LAYOUT_URLS:
            open_annotated(page, url)
            page.wait_for_function(
                "p => [...document.querySelectorAll('.pl-chip')].some(c => c.textContent === p)", arg=LONG_PHRASES[1]
            )
            problems += [f"{width}px {url}: {p}" for p in page.evaluate(OVERFLOW_JS)]
            sizes = page.evaluate(SCROLL_WIDTHS_JS)
            if sizes["with"] > max(sizes["without"], sizes["viewport"]):
                problems.append(f"{width}px {url}: the page is {sizes['with']} px wide with Paper Lens, {sizes['without']} without")
        assert problems == []
    finally:
        ext.settings(backendUrl=ext.backend.url)


# --- Layout shift when chips land -------------------------------------------------------------------

# In the page's main world before its scripts: every layout-shift entry, the time "keyphrases…" first
# shows (plus two frames, so the shift of inserting the annotations is counted before it) and the time the
# last chip landed.
CLS_PROBE = """
window.__cls = {entries: [], armed: null, landed: null};
new PerformanceObserver(list => {
  for (const e of list.getEntries()) if (!e.hadRecentInput) __cls.entries.push({t: e.startTime, v: e.value});
}).observe({type: 'layout-shift', buffered: true});
new MutationObserver(() => {
  const pending = document.querySelector('.pl-pending');
  if (pending && __cls.armed === null) {
    __cls.armed = 0;
    requestAnimationFrame(() => requestAnimationFrame(() => setTimeout(() => __cls.armed = performance.now(), 50)));
  }
  if (!pending && __cls.armed && __cls.landed === null && document.querySelector('.pl-chip')) __cls.landed = performance.now();
}).observe(document, {childList: true, subtree: true});
"""

# Tailwind-like columns: one below 768 px (as the live site at 400 px), three above.
RESPONSIVE = "<style>@media (max-width: 767px){.grid{grid-template-columns:minmax(0,1fr)}}</style></head>"


def cls_page(first_id: int, n: int = 12) -> list[tuple[str, str, str]]:
    """`n` papers with new ids (never in the worker's session cache, so the first render is the pending
    one) and the fixture abstracts."""
    base = pages.DAILY + pages.TRENDING + [pages.PAPER]
    return [(f"2512.{first_id + i:05d}", f"{t} (layout {first_id + i})", a) for i, (_, t, a) in enumerate((base * 3)[:n])]


@pytest.mark.parametrize("width, first_id", [(1280, 100), (400, 200)])
def test_chips_landing_do_not_shift_the_page(ext, page, pending_backend, width, first_id, capsys):
    papers = cls_page(first_id)
    url = f"{HF}/papers?q=layout{first_id}"
    ext.site[url] = pages.list_page(papers, heading="Layout shift", query=f"layout{first_id}").replace("</head>", RESPONSIVE, 1)
    ext.settings(backendUrl=pending_backend.url)
    try:
        page.set_viewport_size({"width": width, "height": 900})
        page.add_init_script(CLS_PROBE)
        page.goto(url)
        got = page.wait_for_function("() => __cls.landed !== null && __cls", timeout=30000).json_value()
        page.wait_for_timeout(300)  # a shift from the last chips is reported with the next frame
        got = page.evaluate("() => __cls")
        after = sum(e["v"] for e in got["entries"] if e["t"] >= got["armed"])
        total = sum(e["v"] for e in got["entries"])
        with capsys.disabled():
            print(f"\n[e2e layout] {width}px, {len(papers)} cards: layout shift when chips land {after:.4f} "
                  f"(whole load, annotations appearing included: {total:.4f})", end="")
        assert page.locator(".pl-chip").count() >= len(papers)
        assert after < 0.05, got
    finally:
        ext.settings(backendUrl=ext.backend.url)
