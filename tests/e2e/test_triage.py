"""Daily triage on the page (issue 16), in Chromium against the real backend on a library of its own:
seen before, dismiss and undo, why for you, the page bar (counts, sort, dim seen, hide dismissed, cut-off),
related lists with a floor, chip matching, muted terms, the for-you seed, the popup's summary and
dismissed list, the keyboard, and nothing left behind when the extension is turned off.

The tests of this module share one library and run in file order: the daily page is visited first, then
a week page sharing four of its papers (`visited` makes sure of that for a test run alone).
"""

from __future__ import annotations


import pytest

from . import harness, pages
from .harness import api

pytestmark = pytest.mark.e2e
HF = pages.HF

DAILY_URL = f"{HF}/papers/date/2025-11-20"
WEEK_URL = f"{HF}/papers/week/2025-W47"
# Papers only these pages show (ids no other test uses, so the worker's session cache has none of them).
QUOKKA = ("2511.20009", "Quokka Burrow Counts on Rottnest Island",
          "Volunteers counted quokka burrows along coastal heath transects each spring; burrow density followed "
          "rainfall and fox baiting, and wallaby grazing left the heath taller.")
DAILY = [(f"2511.{20001 + i}", t, a) for i, (_, t, a) in enumerate(pages.DAILY + pages.TRENDING[:2])] + [QUOKKA]
SHARED = DAILY[4:8]  # on both pages
WEEK = SHARED + [(f"2511.{20010 + i}", t, a) for i, (_, t, a) in enumerate(pages.TRENDING[2:] + pages.SEARCH[:2])]
DAILY_IDS = [p for p, _, _ in DAILY]
WEEK_IDS = [p for p, _, _ in WEEK]
TITLE = {p: t for p, t, _ in DAILY + WEEK}
TEXT = {p: f"{t} {a}" for p, t, a in DAILY + WEEK}
DEFAULT_VIEW = {"dimSeen": False, "hideDismissed": False, "sortByRelevance": False, "relevanceCutoff": 0}

@pytest.fixture(scope="module")
def triage(ext, tmp_path_factory):
    """The extension pointed at a backend on a new library, with the two pages in the fixture site."""
    backend = harness.Backend.on_temp_library(tmp_path_factory.mktemp("e2e-triage"))
    ext.site[DAILY_URL] = pages.list_page(DAILY, heading="Daily Papers, Nov 20")
    ext.site[WEEK_URL] = pages.list_page(WEEK, heading="Papers of week 47")
    ext.settings(backendUrl=backend.url, **DEFAULT_VIEW)
    state = {"backend": backend, "visited": False}
    try:
        yield state
    finally:
        ext.settings(backendUrl=ext.backend.url, **DEFAULT_VIEW)
        backend.stop()


@pytest.fixture
def visited(triage, ext):
    """The daily page, then the week page, visited once (the first test does it and checks it)."""
    if not triage["visited"]:
        pg = ext.ctx.new_page()
        harness.open_annotated(pg, DAILY_URL)
        harness.open_annotated(pg, WEEK_URL)
        pg.close()
        triage["visited"] = True
    return triage


def card_ids(pg) -> list[str]:
    return pg.eval_on_selector_all("[data-pl-paper]", "ns => ns.map(n => n.dataset.plPaper)")


def labels(pg) -> dict[str, str]:
    return dict(pg.eval_on_selector_all("[data-pl-paper] .pl-seen", "ns => ns.map(n => [n.closest('[data-pl-paper]').dataset.plPaper, n.textContent])"))


def counts(pg) -> dict[str, int]:
    return {k: int(v) for k, v in pg.eval_on_selector_all(
        ".pl-bar .pl-count", "ns => ns.map(n => [n.dataset.plCount, n.querySelector('.pl-count-n').textContent])")}


def bar_count(pg, key: str) -> int:
    return int(pg.locator(f'.pl-bar [data-pl-count="{key}"] .pl-count-n').text_content())


def wait_count(pg, key: str, n: int) -> None:
    pg.wait_for_function(
        "([k, n]) => { const c = document.querySelector(`.pl-bar [data-pl-count='${k}'] .pl-count-n`);"
        " return c && c.textContent === String(n); }", arg=[key, n], timeout=15000)


def opacity(pg, pid: str) -> float:
    return float(pg.evaluate("id => getComputedStyle(document.querySelector(`[data-pl-paper='${id}']`).closest('article')).opacity", pid))


def related_ids(pg) -> set[str]:
    return set(pg.eval_on_selector_all(".pl-related .pl-rel", "ns => ns.map(n => n.dataset.plRel)"))


def test_a_week_page_shows_which_papers_the_daily_page_showed_and_the_bar_counts_them(triage, ext, page):
    harness.open_annotated(page, DAILY_URL)
    assert card_ids(page) == DAILY_IDS
    assert labels(page) == {pid: "new" for pid in DAILY_IDS}
    wait_count(page, "new", len(DAILY))
    assert counts(page) == {"new": len(DAILY), "seen": 0, "saved": 0, "close": 0, "dismissed": 0}
    # The bar is above the list, outside every card, and takes nothing from the site's own nodes.
    assert page.evaluate("document.querySelector('.pl-bar').nextElementSibling.id") == "cards"

    harness.open_annotated(page, WEEK_URL)
    triage["visited"] = True
    got = labels(page)
    shared = {pid for pid, _, _ in SHARED}
    assert {pid for pid, text in got.items() if text != "new"} == shared, got
    for pid in shared:
        assert got[pid] == "seen today on the daily page", got[pid]
        tip = page.locator(f'[data-pl-paper="{pid}"] .pl-seen').get_attribute("title")
        assert tip.startswith("In your library since ") and tip.endswith(f"(first seen on {DAILY_URL})"), tip
    wait_count(page, "seen", len(shared))
    assert counts(page)["new"] == len(WEEK) - len(shared)

    # Saving counts as saved at once; "close to your library" is the backend's mark, card by card.
    pid = WEEK_IDS[5]
    page.locator(f'[data-pl-paper="{pid}"] .pl-star').click()
    wait_count(page, "saved", 1)
    assert bar_count(page, "close") == page.locator("article.pl-for-you").count()

    # A revisit keeps the papers new to the library when this page first asked as they were: a new pass
    # (here: turning related lists off and on restarts everything) must not make them "seen".
    ext.settings(showRelated=False)
    page.wait_for_function("() => !document.querySelector('.pl-related')")
    ext.settings(showRelated=True)
    page.wait_for_selector(".pl-related")
    page.wait_for_function("n => document.querySelectorAll('.pl-seen-new').length === n", arg=len(WEEK) - len(shared))

    # Dim seen (the bar's toggle, a setting): the seen ones fade, the new ones do not.
    page.locator('.pl-bar [data-pl-view="dimSeen"]').click()
    page.wait_for_function("() => document.querySelectorAll('article.pl-dim-seen').length === 4")
    assert opacity(page, SHARED[0][0]) < 0.6 and opacity(page, WEEK_IDS[-1]) == 1
    assert ext.sw.evaluate("() => chrome.storage.local.get('dimSeen')") == {"dimSeen": True}
    page.locator('.pl-bar [data-pl-view="dimSeen"]').click()
    page.wait_for_function("() => !document.querySelector('.pl-dim-seen')")


def test_dismiss_survives_a_reload_dims_leaves_related_lists_and_the_popup_undoes_it(visited, ext, page):
    backend = visited["backend"]
    harness.open_annotated(page, WEEK_URL)
    # A paper on this page that other cards list as related: dismissing it must take it out of their lists.
    listed = related_ids(page) & set(WEEK_IDS)
    assert listed, "no card lists another card of the page as related"
    pid = sorted(listed)[0]
    assert page.locator(f'.pl-rel[data-pl-rel="{pid}"] .pl-rel-jump').count() >= 1  # marked "on this page"

    button = page.locator(f'[data-pl-paper="{pid}"] .pl-dismiss')
    assert button.get_attribute("aria-label") == "Dismiss: not for me"
    button.focus()
    page.keyboard.press("Enter")
    page.wait_for_function("id => document.querySelector(`[data-pl-paper='${id}']`).closest('article').classList.contains('pl-dismissed')", arg=pid)
    assert button.get_attribute("aria-pressed") == "true"
    assert pid not in related_ids(page)
    assert "Dismissed" in page.locator(".pl-toast").text_content()
    wait_count(page, "dismissed", 1)
    status, body = api(backend, "GET", "/api/dismissed")
    assert status == 200 and [p["id"] for p in body["papers"]] == [pid]

    page.reload()
    page.wait_for_selector("html[data-pl-ready='done']", state="attached")
    page.wait_for_function("() => !document.querySelector('[data-pl-stale]')")
    root = page.locator(f'[data-pl-paper="{pid}"]')
    assert root.locator(".pl-dismiss").get_attribute("aria-pressed") == "true"
    assert opacity(page, pid) < 0.6
    assert pid not in related_ids(page)
    wait_count(page, "dismissed", 1)

    # Undo from the popup (opened in a tab of its own): the page shows it again, without a reload.
    popup = ext.ctx.new_page()
    try:
        popup.goto(ext.popup_url())
        item = popup.locator(f'[data-pl-dismissed="{pid}"]')
        item.wait_for()
        assert item.locator(".pl-saved-title").text_content() == TITLE[pid]
        item.locator(".pl-undo").click()
        popup.wait_for_selector(f'[data-pl-dismissed="{pid}"]', state="detached")
        assert popup.locator("#pl-dismissed-empty").is_visible()
    finally:
        popup.close()
    page.wait_for_function("id => !document.querySelector(`[data-pl-paper='${id}']`).closest('article').classList.contains('pl-dismissed')", arg=pid, timeout=15000)
    wait_count(page, "dismissed", 0)
    assert root.locator(".pl-dismiss").get_attribute("aria-pressed") == "false"
    assert opacity(page, pid) == 1
    assert api(backend, "GET", "/api/dismissed")[1]["papers"] == []
    # Its place in the related lists comes back with the backend's next answer.
    page.wait_for_function("id => document.querySelector(`.pl-related .pl-rel[data-pl-rel='${id}']`)", arg=pid, timeout=15000)

    # Hide dismissed: the card leaves the grid (its place closes up), Undo in the toast has the focus.
    page.locator('.pl-bar [data-pl-view="hideDismissed"]').click()
    root.locator(".pl-dismiss").click()
    page.wait_for_function("id => !document.querySelector(`[data-pl-paper='${id}']`).getClientRects().length", arg=pid)
    assert page.evaluate("() => document.activeElement.closest('.pl-toast') !== null")
    page.keyboard.press("Enter")
    page.wait_for_function("id => document.querySelector(`[data-pl-paper='${id}']`).getClientRects().length > 0", arg=pid)
    page.wait_for_function("() => !document.querySelector('.pl-toast')")
    page.locator('.pl-bar [data-pl-view="hideDismissed"]').click()
    page.wait_for_timeout(300)  # the undo's own refresh
    assert api(backend, "GET", "/api/dismissed")[1]["papers"] == []


# The visual order of the cards (top to bottom, left to right) and the DOM order, by paper id.
ORDERS_JS = """() => {
  const arts = [...document.querySelectorAll('#cards > article')];
  const id = a => a.querySelector('[data-pl-paper]').dataset.plPaper;
  const visual = [...arts].sort((a, b) => { const r = a.getBoundingClientRect(), s = b.getBoundingClientRect();
                                            return r.top - s.top || r.left - s.left; });
  return {dom: arts.map(id), visual: visual.map(id), parents: arts.every(a => a.parentElement.id === 'cards')};
}"""

# A keyed list update the way a framework does one: it holds references to its nodes and inserts the new
# cards before the old ones, then removes the old ones. Had anything re-parented a card, insertBefore
# would throw (its reference node would not be a child of the grid).
ROUTER_JS = """html => {
  const grid = document.getElementById('cards');
  const old = [...grid.children];
  const tpl = document.createElement('template');
  tpl.innerHTML = html;
  history.pushState({}, '', '/papers/trending');
  for (const node of [...tpl.content.children]) grid.insertBefore(node, old[0]);
  for (const node of old) grid.removeChild(node);
  return grid.children.length;
}"""


def for_you(backend, papers) -> dict[str, float]:
    cards = [{"key": pid, "id": pid, "title": t, "summary": a} for pid, t, a in papers]
    status, body = api(backend, "POST", "/api/annotate", {"url": WEEK_URL, "cards": cards})
    assert status == 200, body
    return {p["id"]: p["for_you"] for p in body["papers"]}


def test_sort_by_relevance_reorders_only_visually_and_the_sites_navigation_still_works(visited, ext, page):
    backend = visited["backend"]
    for pid in DAILY_IDS[1:3]:  # something to be close to: two saved papers
        assert api(backend, "PUT", f"/api/saved/{pid}", {})[0] == 200
    harness.open_annotated(page, WEEK_URL)
    before = page.evaluate(ORDERS_JS)
    assert before["dom"] == before["visual"] == WEEK_IDS
    page.locator('.pl-bar [data-pl-view="sortByRelevance"]').click()
    score = for_you(backend, WEEK)
    expected = sorted(WEEK_IDS, key=lambda pid: (-score[pid], WEEK_IDS.index(pid)))
    assert len(set(score.values())) > 2, score  # the order means something
    page.wait_for_function("ids => { const o = (%s)(); return JSON.stringify(o.visual) === JSON.stringify(ids); }" % ORDERS_JS, arg=expected)
    after = page.evaluate(ORDERS_JS)
    assert after["dom"] == WEEK_IDS and after["parents"]  # no node of the site moved
    assert page.locator('.pl-bar [data-pl-view="sortByRelevance"]').get_attribute("aria-pressed") == "true"

    # The site's own navigation: its keyed update works, the new cards are annotated and sorted too.
    assert page.evaluate(ROUTER_JS, pages.cards_html(pages.TRENDING)) == len(pages.TRENDING)
    trending = [pid for pid, _, _ in pages.TRENDING]
    for pid in trending:
        page.wait_for_selector(f'[data-pl-paper="{pid}"]', timeout=15000)
    page.wait_for_function("() => [...document.querySelectorAll('#cards > article')].every(a => a.style.order !== '')")
    assert page.evaluate(ORDERS_JS)["dom"] == trending
    assert page.locator(".pl-bar").count() == 1
    # Sorting off gives every card its own order back (no inline style left).
    page.locator('.pl-bar [data-pl-view="sortByRelevance"]').click()
    page.wait_for_function("() => [...document.querySelectorAll('#cards > article')].every(a => !a.hasAttribute('style'))")
    assert page.evaluate(ORDERS_JS)["visual"] == trending


def test_a_narrow_window_keeps_the_controls_behind_view(visited, ext, page):
    # At 400 px the whole bar wrapped to four lines (~120 px) and pushed the page down by that much as it
    # arrived. Narrow, it is the counts and "View" in two lines; the controls open on a click and work.
    page.set_viewport_size({"width": 400, "height": 800})
    try:
        harness.open_annotated(page, WEEK_URL)
        bar = page.locator(".pl-bar")
        view = bar.locator(".pl-bar-view")
        sort = bar.locator('[data-pl-view="sortByRelevance"]')
        line = float(page.evaluate("parseFloat(getComputedStyle(document.querySelector('.pl-bar')).lineHeight)"))
        assert bar.bounding_box()["height"] <= 2 * line + 20, bar.bounding_box()
        assert view.is_visible() and view.get_attribute("aria-expanded") == "false" and not sort.is_visible()
        assert "close to your library" in bar.locator(".pl-bar-counts").get_attribute("aria-label")
        view.click()
        assert view.get_attribute("aria-expanded") == "true" and sort.is_visible()
        sort.click()
        page.wait_for_function("() => document.querySelector('[data-pl-view=\"sortByRelevance\"]').getAttribute('aria-pressed') === 'true'")
        sort.click()
        page.wait_for_function("() => document.querySelector('[data-pl-view=\"sortByRelevance\"]').getAttribute('aria-pressed') === 'false'")
        view.click()
        assert not sort.is_visible()
        # Wide, there is no "View": the controls are on the bar.
        page.set_viewport_size({"width": 1280, "height": 800})
        assert not view.is_visible() and sort.is_visible()
    finally:
        page.set_viewport_size({"width": 1280, "height": 800})


def test_the_relevance_cut_off_dims_papers_less_close_than_it(visited, ext, page):
    backend = visited["backend"]
    harness.open_annotated(page, WEEK_URL)
    score = for_you(backend, WEEK)
    cut = page.locator(".pl-bar .pl-bar-cut")
    cut.focus()
    for _ in range(6):  # 0.30, by keyboard
        page.keyboard.press("ArrowRight")
    page.wait_for_function("() => document.querySelector('.pl-bar-cut-value').textContent === '0.30'")
    below = sorted(pid for pid in WEEK_IDS if score[pid] < 0.3)
    page.wait_for_function(
        "ids => JSON.stringify([...document.querySelectorAll('article.pl-below-cut [data-pl-paper]')].map(n => n.dataset.plPaper).sort()) === JSON.stringify(ids)",
        arg=below)
    assert ext.sw.evaluate("() => chrome.storage.local.get('relevanceCutoff')") == {"relevanceCutoff": 0.3}
    for _ in range(6):
        page.keyboard.press("ArrowLeft")
    page.wait_for_function("() => !document.querySelector('.pl-below-cut') && document.querySelector('.pl-bar-cut-value').textContent === 'off'")


def test_why_for_you_names_the_saved_papers_and_a_tag_can_seed_it(visited, ext, page):
    backend = visited["backend"]
    saved = DAILY_IDS[1:3]
    for pid in saved:
        assert api(backend, "PUT", f"/api/saved/{pid}", {})[0] == 200
    assert api(backend, "PATCH", f"/api/saved/{saved[0]}", {"tags": ["image-gen"]})[0] == 200
    harness.open_annotated(page, WEEK_URL)
    marked = page.locator("article.pl-for-you")
    assert marked.count() >= 1
    summary = marked.first.locator(".pl-because-summary")
    assert summary.get_attribute("title")
    summary.focus()
    page.keyboard.press("Enter")  # opens by keyboard
    assert marked.first.locator(".pl-because").evaluate("d => d.open")
    titles = marked.first.locator(".pl-because-title").all_text_contents()
    everything_saved = [r["id"] for r in api(backend, "GET", "/api/saved")[1]["saved"]]
    assert titles and set(titles) <= {TITLE[p] for p in everything_saved}, titles
    all_saved = f"all {len(everything_saved)} papers"

    options = ext.ctx.new_page()
    try:
        options.goto(f"chrome-extension://{ext.ext_id}/extension/options/options.html")
        options.wait_for_function("t => document.getElementById('pl-seed-msg').textContent.includes(t)", arg=all_saved)
        options.select_option("#pl-seed", "image-gen")
        options.wait_for_function("() => document.getElementById('pl-seed-msg').textContent.includes('tagged “image-gen”')")
        assert api(backend, "GET", "/api/for-you/seed")[1]["seed"] == {"tag": "image-gen", "papers": 1}
        # The open page asks again: what it says is close now comes from that one paper.
        page.wait_for_function(
            "t => [...document.querySelectorAll('.pl-because-title')].every(n => n.textContent === t)", arg=TITLE[saved[0]], timeout=15000)
        options.select_option("#pl-seed", "")
        options.wait_for_function("t => document.getElementById('pl-seed-msg').textContent.includes(t)", arg=all_saved)
    finally:
        options.close()
    assert api(backend, "GET", "/api/for-you/seed")[1]["seed"]["tag"] is None


def test_a_muted_term_dims_the_matching_cards_with_the_reason(visited, ext, page):
    harness.open_annotated(page, WEEK_URL)
    options = ext.ctx.new_page()
    try:
        options.goto(f"chrome-extension://{ext.ext_id}/extension/options/options.html")
        options.fill("#pl-mute-term", "diffusion")
        options.select_option("#pl-mute-kind", "word")
        options.press("#pl-mute-term", "Enter")
        options.wait_for_selector('[data-pl-muted="word:diffusion"]')
        # The open page dims the matching cards and says why.
        page.wait_for_selector("article.pl-muted-card", timeout=15000)
        muted = set(page.eval_on_selector_all("article.pl-muted-card [data-pl-paper]", "ns => ns.map(n => n.dataset.plPaper)"))
        assert {pid for pid in WEEK_IDS if "diffusion" in TITLE[pid].lower()} <= muted
        assert all("diffusion" in TEXT[pid].lower() for pid in muted), muted
        for pid in muted:
            assert page.locator(f'[data-pl-paper="{pid}"] .pl-muted-why').text_content() == "Muted: “diffusion” (word)"
            assert opacity(page, pid) < 0.6
        assert page.locator(".pl-muted-why").count() == len(muted)
        options.click('[data-pl-muted="word:diffusion"] button')
        options.wait_for_selector('[data-pl-muted="word:diffusion"]', state="detached")
        page.wait_for_function("() => !document.querySelector('.pl-muted-card, .pl-muted-why')", timeout=15000)
        # An author: every fixture paper names Ada Lovelace among its authors (in the page's JSON).
        options.fill("#pl-mute-term", "Ada Lovelace")
        options.select_option("#pl-mute-kind", "author")
        options.click("#pl-mute-form button[type=submit]")
        options.wait_for_selector('[data-pl-muted="author:Ada Lovelace"]')
        page.wait_for_function("n => document.querySelectorAll('article.pl-muted-card').length === n", arg=len(WEEK), timeout=15000)
        assert set(page.locator(".pl-muted-why").all_text_contents()) == {"Muted: “Ada Lovelace” (author)"}
        options.click('[data-pl-muted="author:Ada Lovelace"] button')
        page.wait_for_function("() => !document.querySelector('.pl-muted-card, .pl-muted-why')", timeout=15000)
    finally:
        options.close()


def test_the_popup_sums_up_the_current_page(visited, ext, page):
    harness.open_annotated(page, WEEK_URL)
    wait_count(page, "new", counts(page)["new"])
    want = counts(page)
    popup = ext.ctx.new_page()
    try:
        page.bring_to_front()  # the popup asks about the active tab: the papers page, as from the toolbar
        popup.goto(ext.popup_url())
        popup.wait_for_selector("#pl-page-summary:not([hidden])")
        text = popup.locator("#pl-page-summary").text_content()
        assert text.startswith(f"{want['new']} new of {len(WEEK)} · {want['close']} close to your library"), text
    finally:
        popup.close()


def test_related_lists_mark_this_pages_papers_and_more_like_this_lists_the_library(visited, page):
    harness.open_annotated(page, DAILY_URL)
    # The quokka paper shares nothing with the rest: its list says so instead of showing weak matches.
    quokka = page.locator(f'[data-pl-paper="{QUOKKA[0]}"]')
    assert quokka.locator(".pl-related-none").text_content() == "Nothing close in your library"
    assert quokka.locator(".pl-rel").count() == 0
    # A related paper on this page: "↓ on this page" brings its card into view and the focus onto it.
    jump = page.locator(".pl-related .pl-rel-jump").first
    target = jump.evaluate("b => b.closest('.pl-rel').dataset.plRel")
    jump.evaluate("b => b.closest('details').open = true")
    jump.focus()
    page.keyboard.press("Enter")
    page.wait_for_function("id => document.activeElement.closest('[data-pl-paper]')?.dataset.plPaper === id", arg=target)
    assert page.evaluate("id => document.querySelector(`[data-pl-paper='${id}']`).closest('article').classList.contains('pl-flash')", target)

    # More like this: the closest library papers, under the card; again closes it.
    pid = DAILY_IDS[0]
    more = page.locator(f'[data-pl-paper="{pid}"] .pl-more-btn')
    more.click()
    box = page.locator(f'[data-pl-paper="{pid}"] .pl-more')
    box.locator(".pl-rel").first.wait_for()
    assert more.get_attribute("aria-expanded") == "true"
    ids = box.locator(".pl-rel").evaluate_all("ns => ns.map(n => n.dataset.plRel)")
    assert ids and pid not in ids and len(ids) <= 10
    assert box.locator(".pl-rel-jump").count() == len([i for i in ids if i in DAILY_IDS])
    more.click()
    assert box.count() == 0 and more.get_attribute("aria-expanded") == "false"


def test_a_chip_finds_the_same_phrase_by_its_key_counts_and_steps_through_them(visited, page):
    harness.open_annotated(page, DAILY_URL)
    # Phrases under the backend's floors wait behind the card's "+N" (hidden, not gone); it shows them.
    plus = page.locator(".pl-chips-more").first
    plus.wait_for()
    card = plus.locator("xpath=ancestor::*[@data-pl-paper][1]")
    hidden = card.locator(".pl-chip-extra")
    n = hidden.count()
    assert n and plus.text_content() == f"+{n}" and all(not hidden.nth(i).is_visible() for i in range(n))
    plus.click()
    assert plus.get_attribute("aria-expanded") == "true" and all(hidden.nth(i).is_visible() for i in range(n))
    plus.click()
    assert plus.get_attribute("aria-expanded") == "false" and not hidden.first.is_visible()
    keys = page.eval_on_selector_all(
        ".pl-chip", "ns => ns.map(n => [n.dataset.plKey, n.closest('[data-pl-paper]').dataset.plPaper])")
    by_key: dict[str, set[str]] = {}
    for key, pid in keys:
        by_key.setdefault(key, set()).add(pid)
    key = next((k for k, ids in sorted(by_key.items(), key=lambda kv: -len(kv[1])) if len(ids) > 1), None)
    assert key is not None, "no keyphrase is shared by two cards of the fixture page"
    owners = sorted(by_key[key])
    chip = page.locator(f'[data-pl-paper="{owners[0]}"] .pl-chip[data-pl-key="{key}"]').first
    if chip.is_hidden():  # under the backend's floors: behind the card's "+N", which shows it
        more = page.locator(f'[data-pl-paper="{owners[0]}"] .pl-chips-more').first
        assert more.get_attribute("aria-expanded") == "false"
        more.click()
        assert more.get_attribute("aria-expanded") == "true" and chip.is_visible()
    chip.click()
    assert chip.get_attribute("aria-pressed") == "true"
    same = set(page.eval_on_selector_all("article.pl-match [data-pl-paper]", "ns => ns.map(n => n.dataset.plPaper)"))
    assert same == by_key[key]
    bar = page.locator(".pl-hl-bar")
    others = len(by_key[key]) - 1
    assert bar.locator(".pl-hl-text").text_content().startswith(f"{others} other paper")
    bar.get_by_role("button", name="Next paper with this phrase").click()
    text = bar.locator(".pl-hl-text").text_content()
    assert text.startswith("2 of ") or text.startswith("1 of "), text
    assert page.locator("article.pl-flash").count() == 1
    assert page.evaluate("() => document.activeElement.closest('.pl-hl-bar') !== null")  # the focus stays in the bar
    page.keyboard.press("Escape")
    page.wait_for_function("() => !document.querySelector('.pl-hl-bar, .pl-match, .pl-match-related')")


# Tab through the whole page: what gets the focus, and whether it shows (an outline or a box shadow).
TAB_JS = """() => {
  const a = document.activeElement, cs = getComputedStyle(a);
  const shown = (cs.outlineStyle !== 'none' && parseFloat(cs.outlineWidth) > 0) || cs.boxShadow !== 'none';
  return {cls: a.className || a.tagName, shown, ours: Boolean(a.closest('.pl-annot, .pl-bar, .pl-toast'))};
}"""


def test_everything_is_reachable_by_keyboard_with_a_visible_focus(visited, page):
    harness.open_annotated(page, WEEK_URL)
    page.locator(".pl-more-btn").first.click()  # a "more like this" list is open, too
    page.wait_for_selector(".pl-more .pl-rel")
    page.evaluate("() => { for (const d of document.querySelectorAll('.pl-annot details')) d.open = true; document.activeElement.blur(); }")
    reached: dict[str, bool] = {}
    for _ in range(400):
        page.keyboard.press("Tab")
        got = page.evaluate(TAB_JS)
        if got["ours"]:
            for cls in got["cls"].split():
                reached[cls] = reached.get(cls, True) and got["shown"]
    wanted = ["pl-bar-toggle", "pl-bar-cut", "pl-star", "pl-chip", "pl-dismiss", "pl-more-btn", "pl-related-summary",
              "pl-rel-link", "pl-rel-jump"]
    if page.locator(".pl-because-summary").count():
        wanted.append("pl-because-summary")
    if page.locator(".pl-chips-more").count():
        wanted.append("pl-chips-more")
    assert [c for c in wanted if c not in reached] == [], sorted(reached)
    assert [c for c in wanted if not reached[c]] == [], "no visible focus on these"


def test_turning_the_extension_off_leaves_nothing_behind(visited, ext, page):
    ext.settings(autoAnnotate=False)
    try:
        page.goto(WEEK_URL)
        page.wait_for_timeout(300)
        pristine = page.evaluate("document.documentElement.outerHTML")
        ext.settings(autoAnnotate=True)
        page.wait_for_selector("html[data-pl-ready='done']", state="attached")
        page.wait_for_selector(".pl-bar")
        # Everything at once: sorted, seen dimmed, a cut-off, a dismissed card (hidden), a chip highlight
        # with its bar, an open "more like this", the toast.
        ext.settings(sortByRelevance=True, dimSeen=True, hideDismissed=True, relevanceCutoff=0.2)
        page.wait_for_function("() => document.querySelector('#cards > article[style]')")
        pid = WEEK_IDS[-1]
        page.locator(f'[data-pl-paper="{pid}"] .pl-dismiss').click()
        page.wait_for_selector(".pl-toast")
        page.locator(".pl-chip").first.click()
        page.locator(".pl-more-btn").first.click()
        page.wait_for_selector(".pl-hl-bar")
        ext.settings(autoAnnotate=False)
        page.wait_for_selector("[data-pl-paper]", state="detached")
        page.wait_for_selector(".pl-bar", state="detached")
        assert page.evaluate("document.documentElement.outerHTML") == pristine
    finally:
        ext.settings(autoAnnotate=True, **DEFAULT_VIEW)
        api(visited["backend"], "DELETE", f"/api/papers/{WEEK_IDS[-1]}/dismissed")
