"""The extension on the live site's trending layout (tests/e2e/live_pages.py): every paper is in the DOM
twice, a mobile and a desktop layout, and CSS shows one of them. At either width each paper must show
exactly one annotation, every card the reader can see must carry one, and resizing to the other layout
(no reload, no DOM change) must not leave the now visible cards bare."""

from __future__ import annotations

import pytest

from . import live_pages
from .harness import open_annotated

pytestmark = pytest.mark.e2e

IDS = [p.id for p in live_pages.PAPERS]
DESKTOP = {"width": 1280, "height": 900}
MOBILE = {"width": 400, "height": 900}  # below Tailwind's md (768 px): the mobile layout

# Displayed = laid out and not visibility:hidden (checkVisibility; getClientRects where it is missing).
SHOWN_JS = """el => el.checkVisibility ? el.checkVisibility({visibilityProperty: true})
                                      : el.getClientRects().length > 0"""

# {visible: {id: displayed annotation roots}, titles: displayed title links, bare: ids of displayed
# cards (a title link's article, else its h3's parent) without a displayed annotation of that paper}.
REPORT_JS = f"""ids => {{
  const shown = {SHOWN_JS};
  const visible = {{}};
  for (const id of ids) visible[id] = [...document.querySelectorAll(`[data-pl-paper="${{id}}"]`)].filter(shown).length;
  const titles = [], bare = [];
  for (const a of document.querySelectorAll('h3 a[href^="/papers/"]')) {{
    if (!shown(a)) continue;
    const id = a.getAttribute('href').split('/')[2];
    titles.push(id);
    const card = a.closest('article') || a.closest('h3').parentElement;
    if (![...card.querySelectorAll(`[data-pl-paper="${{id}}"]`)].some(shown)) bare.push(id);
  }}
  return {{visible, titles, bare}};
}}"""


def settled(page) -> None:
    page.wait_for_selector('html[data-pl-ready="done"]', state="attached", timeout=30000)
    page.wait_for_function("() => !document.querySelector('.pl-pending')", timeout=30000)


def problems_at(page, viewport: dict) -> list[str]:
    """What is wrong with the annotations in the layout shown at this viewport (empty: nothing)."""
    report = page.evaluate(REPORT_JS, IDS)
    where = f"{viewport['width']}px"
    # The fixture's own CSS must show exactly one layout, or the checks below would prove nothing.
    assert report["titles"] == IDS, f"{where}: the page should show each paper's title once: {report['titles']}"
    out = []
    wrong = {pid: n for pid, n in report["visible"].items() if n != 1}
    if wrong:
        out.append(f"{where}: displayed annotations per paper should be 1: {wrong}")
    if report["bare"]:
        out.append(f"{where}: displayed cards without a displayed annotation: {report['bare']}")
    return out


@pytest.mark.parametrize("first, then", [(DESKTOP, MOBILE), (MOBILE, DESKTOP)], ids=["1280-then-400", "400-then-1280"])
@pytest.mark.parametrize("wrap", ["one", "two"])
def test_each_paper_visibly_annotated_once_in_both_layouts(page, wrap, first, then):
    page.set_viewport_size(first)
    open_annotated(page, live_pages.URLS[wrap])
    settled(page)
    problems = problems_at(page, first)
    page.set_viewport_size(then)
    page.wait_for_timeout(600)  # a resize changes no DOM; give any pass the extension starts time to run
    settled(page)
    problems += problems_at(page, then)
    assert problems == []
