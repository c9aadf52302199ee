"""The extension in headless Chromium against the real backend and fixture huggingface.co pages."""

from __future__ import annotations


import pytest

from . import pages
from .harness import CARD_REPORT_JS, free_port, open_annotated

pytestmark = pytest.mark.e2e
HF = pages.HF


def annotations(pg) -> list[list[str]]:
    return pg.evaluate(CARD_REPORT_JS)


def test_daily_page_every_card_annotated_once(page):
    open_annotated(page, f"{HF}/papers")
    assert page.evaluate("document.documentElement.dataset.plReady") == "done"
    assert annotations(page) == [[pid] for pid, _, _ in pages.DAILY]
    # Chips and a star on each card; the chips are labelled buttons.
    for pid, _, _ in pages.DAILY:
        root = page.locator(f'[data-pl-paper="{pid}"]')
        assert root.locator("button.pl-star").get_attribute("aria-pressed") in ("true", "false")
        assert root.locator("button.pl-star").get_attribute("aria-label")
        chips = root.locator("button.pl-chip")
        assert 1 <= chips.count() <= 5
        assert chips.first.get_attribute("aria-label").startswith("Keyphrase ")
    # Related papers from the library (the other papers already recorded) with safe links.
    hrefs = page.eval_on_selector_all(".pl-rel-link", "ns => ns.map(n => n.href)")
    assert hrefs and all(h.startswith("https://huggingface.co/") for h in hrefs)


def test_search_page_annotates_text_id_cards_by_title(page):
    open_annotated(page, f"{HF}/papers?q={pages.SEARCH_Q}")
    got = annotations(page)
    assert len(got) == len(pages.SEARCH) and all(len(ids) == 1 for ids in got)
    assert [ids[0] for ids in got if not ids[0].startswith("t-")] == [p for p, _, _ in pages.SEARCH if p]
    text_ids = [ids[0] for ids in got if ids[0].startswith("t-")]
    assert len(text_ids) == 1 and len(text_ids[0]) == 18


def test_title_cards_with_unicode_titles_are_annotated(page):
    from paperlens.ids import title_id

    open_annotated(page, f"{HF}/papers?q={pages.UNICODE_Q}")
    assert annotations(page) == [[title_id(title)] for _, title, _ in pages.UNICODE]
    assert page.locator(".pl-annot .pl-chip").count() >= len(pages.UNICODE)


def test_paper_page_annotated(page):
    pid = pages.PAPER[0]
    open_annotated(page, f"{HF}/papers/{pid}")
    assert page.locator("[data-pl-paper]").count() == 1
    # Right under the title, not in the "Community" heading.
    assert page.evaluate("document.querySelector('h1').nextElementSibling.dataset.plPaper") == pid
    assert page.locator(f'[data-pl-paper="{pid}"] .pl-chip').count() >= 1


def test_save_from_page_survives_reload_and_shows_in_popup(ext, page):
    pid, title, _ = pages.DAILY[2]
    open_annotated(page, f"{HF}/papers/date/2025-10-31")
    star = page.locator(f'[data-pl-paper="{pid}"] .pl-star')
    assert star.get_attribute("aria-pressed") == "false"
    star.focus()
    page.keyboard.press("Enter")  # keyboard reachable
    page.wait_for_function(
        "id => document.querySelector(`[data-pl-paper='${id}'] .pl-msg`).textContent.includes('Saved')", arg=pid
    )
    assert star.get_attribute("aria-pressed") == "true"

    page.reload()
    page.wait_for_selector("html[data-pl-ready]", state="attached")
    assert page.locator(f'[data-pl-paper="{pid}"] .pl-star').get_attribute("aria-pressed") == "true"

    popup = ext.ctx.new_page()
    try:
        popup.goto(ext.popup_url())
        popup.wait_for_selector(f'[data-pl-saved="{pid}"]')
        assert popup.locator(f'[data-pl-saved="{pid}"] .pl-saved-title').text_content() == title
        assert "Connected" in popup.locator("#pl-status").text_content()
        # Search filters the list; unsave from the popup.
        popup.fill("#pl-search", "zzz-no-such-paper")
        popup.wait_for_selector(f'[data-pl-saved="{pid}"]', state="detached")
        popup.fill("#pl-search", "")
        popup.wait_for_selector(f'[data-pl-saved="{pid}"]')
        popup.click(f'[data-pl-saved="{pid}"] .pl-unsave')
        popup.wait_for_selector(f'[data-pl-saved="{pid}"]', state="detached")
    finally:
        popup.close()
    page.reload()
    page.wait_for_selector("html[data-pl-ready]", state="attached")
    assert page.locator(f'[data-pl-paper="{pid}"] .pl-star').get_attribute("aria-pressed") == "false"


def test_popup_tags_filter_and_export(ext, page):
    pid, title, _ = pages.DAILY[3]
    open_annotated(page, f"{HF}/papers")
    page.locator(f'[data-pl-paper="{pid}"] .pl-star').click()
    page.wait_for_function(
        "id => document.querySelector(`[data-pl-paper='${id}'] .pl-msg`).textContent.includes('Saved')", arg=pid
    )
    popup = ext.ctx.new_page()
    try:
        popup.goto(ext.popup_url())
        item = popup.locator(f'[data-pl-saved="{pid}"]')
        item.locator(".pl-edit-tags").click()
        popup.keyboard.type("spatial, <b>vision</b>")
        popup.keyboard.press("Enter")
        popup.wait_for_selector(f'[data-pl-saved="{pid}"] .pl-tag')
        assert item.locator(".pl-tag").all_text_contents() == ["spatial", "<b>vision</b>"]
        popup.select_option("#pl-tag", "<b>vision</b>")
        popup.wait_for_function("() => document.querySelectorAll('[data-pl-saved]').length === 1")
        assert popup.locator("[data-pl-saved]").get_attribute("data-pl-saved") == pid

        has_export = any(r.rule == "/api/saved/export" for r in ext.backend.app.url_map.iter_rules())
        if has_export:
            with popup.expect_download() as dl:
                popup.click(".pl-export button[data-format='bibtex']")
            assert dl.value.suggested_filename.endswith(".bib")
        else:  # this branch's backend has no export route yet: the popup says so plainly
            popup.click(".pl-export button[data-format='bibtex']")
            popup.wait_for_function("() => document.getElementById('pl-export-msg').textContent.includes('cannot export')")
        popup.click(f'[data-pl-saved="{pid}"] .pl-unsave')
        popup.wait_for_selector(f'[data-pl-saved="{pid}"]', state="detached")
    finally:
        popup.close()


def test_options_page_changes_what_cards_show(ext, page):
    open_annotated(page, f"{HF}/papers")
    options = ext.ctx.new_page()
    try:
        options.goto(f"chrome-extension://{ext.ext_id}/extension/options/options.html")
        assert options.input_value("#backendUrl") == ext.backend.url
        # Only loopback backends: the extension has no permission for anything else.
        options.fill("#backendUrl", "http://example.com:7435")
        options.click("button[type=submit]")
        options.wait_for_function("() => document.getElementById('pl-msg').textContent.includes('127.0.0.1 or localhost')")
        options.fill("#backendUrl", ext.backend.url)
        options.fill("#keyphrasesPerCard", "2")
        options.uncheck("#showRelated")
        options.click("button[type=submit]")
        options.wait_for_function("() => document.getElementById('pl-msg').textContent === 'Saved.'")
        # Open pages re-render with the new settings.
        page.wait_for_function("() => !document.querySelector('.pl-related') && document.querySelector('[data-pl-paper]')")
        counts = page.eval_on_selector_all("[data-pl-paper]", "ns => ns.map(n => n.querySelectorAll('.pl-chip').length)")
        assert len(counts) == len(pages.DAILY) and all(1 <= c <= 2 for c in counts), counts
    finally:
        options.close()
        ext.settings(keyphrasesPerCard=5, showRelated=True)


# The card message's computed look, as an error and as the plain (success) message it would otherwise be.
MSG_LOOK_JS = """msg => {
  const look = () => { const cs = getComputedStyle(msg);
    return {color: cs.color, background: cs.backgroundColor, weight: Number(cs.fontWeight), border: cs.borderLeftColor,
            borderWidth: parseFloat(cs.borderLeftWidth)}; };
  const error = look();
  msg.classList.remove('pl-msg-error');
  const plain = look();
  msg.classList.add('pl-msg-error');
  return {error, plain};
}"""


def contrast(fg: str, bg: str) -> float:
    """WCAG contrast ratio of two opaque CSS rgb() colours."""
    import re

    def luminance(css: str) -> float:
        channels = [int(v) / 255 for v in re.findall(r"\d+", css)[:3]]
        lin = [c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4 for c in channels]
        return 0.2126 * lin[0] + 0.7152 * lin[1] + 0.0722 * lin[2]

    hi, lo = sorted((luminance(fg), luminance(bg)), reverse=True)
    return (hi + 0.05) / (lo + 0.05)


@pytest.mark.parametrize("url", [f"{HF}/papers", f"{HF}/papers/date/2025-10-30"], ids=["light", "dark"])
def test_failed_save_rolls_back_with_a_message_that_looks_like_an_error(ext, page, url):
    pid = pages.DAILY[4][0]
    open_annotated(page, url)
    ext.settings(backendUrl=f"http://127.0.0.1:{free_port()}")
    try:
        # A new backend URL keeps the annotations on the page (only failed cards are retried).
        page.wait_for_timeout(200)
        star = page.locator(f'[data-pl-paper="{pid}"] .pl-star')
        star.click()
        msg = page.locator(f'[data-pl-paper="{pid}"] .pl-msg')
        page.wait_for_function("el => el.textContent.includes('Could not save')", arg=msg.element_handle())
        assert star.get_attribute("aria-pressed") == "false"
        # Not the grey 12 px of "Saved to your library": its own colour, weight, box and edge, readable.
        look = msg.evaluate(MSG_LOOK_JS)
        error, plain = look["error"], look["plain"]
        assert error["color"] != plain["color"] and error["weight"] >= 600 > plain["weight"]
        assert error["background"] not in ("rgba(0, 0, 0, 0)", "transparent") and error["borderWidth"] >= 2
        assert contrast(error["color"], error["background"]) >= 4.5, error
    finally:
        ext.settings(backendUrl=ext.backend.url)


def test_spa_navigation_and_new_cards_reannotate_without_duplicates(page):
    open_annotated(page, f"{HF}/papers")
    # Client-side navigation: the URL changes and the cards are swapped; the page's embedded JSON
    # still describes the previous page (as it may on the real site).
    page.evaluate(
        """html => { history.pushState({}, '', '/papers/trending');
                     document.getElementById('cards').innerHTML = html; }""",
        pages.cards_html(pages.TRENDING),
    )
    for pid, _, _ in pages.TRENDING:
        page.wait_for_selector(f'[data-pl-paper="{pid}"]', timeout=15000)
    # More cards appear (infinite scroll), and unrelated mutations happen meanwhile.
    page.evaluate(
        """html => { const grid = document.getElementById('cards');
                     grid.insertAdjacentHTML('beforeend', html);
                     for (let i = 0; i < 5; i++) grid.append(document.createElement('span')); }""",
        pages.cards_html(pages.DAILY[:2]),
    )
    for pid, _, _ in pages.DAILY[:2]:
        page.wait_for_selector(f'[data-pl-paper="{pid}"]')
    # Back to the previous page's cards with popstate.
    page.evaluate(
        """html => { history.pushState({}, '', '/papers'); document.getElementById('cards').innerHTML = html;
                     dispatchEvent(new PopStateEvent('popstate')); }""",
        pages.cards_html(pages.DAILY),
    )
    page.wait_for_function("n => document.querySelectorAll('[data-pl-paper]').length === n", arg=len(pages.DAILY))
    page.wait_for_timeout(400)  # let any late (debounced) pass run
    assert annotations(page) == [[pid] for pid, _, _ in pages.DAILY]


def test_cards_reused_in_place_for_other_papers_are_reannotated(page):
    open_annotated(page, f"{HF}/papers")
    # A keyed re-render may keep the card nodes and only change each title link's href and text.
    page.evaluate(
        """papers => { history.pushState({}, '', '/papers/trending');
             const links = document.querySelectorAll('article h3 a');
             papers.forEach(([id, title], i) => { links[i].setAttribute('href', '/papers/' + id);
                                                   links[i].firstChild.data = title; }); }""",
        [[pid, title] for pid, title, _ in pages.TRENDING],
    )
    expected = [[pid] for pid, _, _ in pages.TRENDING] + [[pid] for pid, _, _ in pages.DAILY[len(pages.TRENDING):]]
    page.wait_for_function(
        "ids => JSON.stringify([...document.querySelectorAll('article')].map(c => [...c.querySelectorAll('[data-pl-paper]')]"
        ".map(n => n.dataset.plPaper))) === JSON.stringify(ids)",
        arg=expected,
        timeout=15000,
    )


def test_backend_down_says_so_and_gives_the_command(ext, page):
    from paperlens.config import DEFAULT_PORT  # noqa: F401  (the README documents the same port)

    port = free_port()
    down = f"http://127.0.0.1:{port}"
    ext.settings(backendUrl=down)
    try:
        # In the site's dark theme. Its papers may be in the session cache from earlier tests: then
        # they show (marked stale) next to the message.
        open_annotated(page, f"{HF}/papers/date/2025-10-30")
        assert page.evaluate("document.documentElement.dataset.plReady") == "error"
        banner = page.locator(".pl-banner")
        assert "not running" in banner.text_content()
        # The README's command, serving on the port the options name (or it would start a backend the
        # extension does not talk to).
        command = banner.locator(".pl-banner-cmd").text_content()
        assert command == f"{readme_backend_command()} --port {port}"
        assert page.locator("[data-pl-paper]").count() == page.locator("[data-pl-paper][data-pl-stale]").count()

        popup = ext.ctx.new_page()
        try:
            popup.goto(ext.popup_url())
            popup.wait_for_selector("#pl-status.pl-down")
            status = popup.locator("#pl-status").text_content()
            assert "not running" in status and f"{readme_backend_command()} --port {port}" in status
        finally:
            popup.close()

        # The backend comes back: Retry annotates without a reload.
        ext.settings(backendUrl=ext.backend.url)
        page.wait_for_function(
            "n => document.querySelectorAll('[data-pl-paper]:not([data-pl-stale])').length === n",
            arg=len(pages.DAILY),
            timeout=15000,
        )
        assert page.locator(".pl-banner").count() == 0
        assert annotations(page) == [[pid] for pid, _, _ in pages.DAILY]
    finally:
        ext.settings(backendUrl=ext.backend.url)


def readme_backend_command() -> str:
    from .test_static import readme_commands

    return readme_commands()[0]


def test_pending_keyphrases_fill_in_when_ready(ext, page, pending_backend):
    ext.settings(backendUrl=pending_backend.url)
    try:
        open_annotated(page, f"{HF}/papers?q={pages.SEARCH_Q}", settle=False)
        n = len(pages.SEARCH)
        # Right after the pass every card waits for its keyphrases: busy, showing the phrases the session
        # remembers for it (this page was seen earlier in the run) or "keyphrases…".
        assert page.locator(".pl-chips[aria-busy='true']").count() == n
        page.wait_for_function(
            "n => document.querySelectorAll('.pl-chips:not([aria-busy]) .pl-chip').length >= n "
            "&& !document.querySelector('.pl-pending')",
            arg=n,
            timeout=20000,
        )
        assert all(len(ids) == 1 for ids in annotations(page))
        # for_you: only the page's closest paper gets the highlight; why: the related titles' tooltip.
        highlighted = page.eval_on_selector_all("article.pl-for-you [data-pl-paper]", "ns => ns.map(n => n.dataset.plPaper)")
        assert highlighted == [annotations(page)[0][0]]
        why = page.eval_on_selector_all(".pl-rel-link", "ns => ns.map(n => n.title)")
        assert why and all(t.startswith("Shared terms: ") for t in why), why
    finally:
        ext.settings(backendUrl=ext.backend.url)


def test_hostile_titles_render_as_text(page):
    open_annotated(page, f"{HF}/papers/week/2025-W44")
    page.reload()  # now every hostile paper is in the library, so related lists carry their titles
    page.wait_for_selector("html[data-pl-ready]", state="attached")
    assert annotations(page) == [[pid] for pid, _, _ in pages.HOSTILE]
    texts = page.eval_on_selector_all(".pl-rel-link", "ns => ns.map(n => n.textContent)")
    assert any(t.startswith("<img src=x onerror=") for t in texts), texts
    assert any(t.startswith("<script>") for t in texts), texts
    assert page.locator(".pl-annot img, .pl-annot script").count() == 0
    page.wait_for_timeout(200)
    assert page.evaluate("document.documentElement.dataset.pwned") is None


def test_chip_highlights_papers_sharing_it(page):
    open_annotated(page, f"{HF}/papers/week/2025-W44")
    chip = page.locator(".pl-chip").first
    phrase = chip.text_content()
    chip.click()
    assert chip.get_attribute("aria-pressed") == "true"
    matched = page.locator("article.pl-match").count()
    expected = page.evaluate(
        """p => [...document.querySelectorAll('[data-pl-paper]')].filter(r =>
             [...r.querySelectorAll('.pl-chip')].some(c => c.textContent.toLowerCase() === p.toLowerCase())).length""",
        phrase,
    )
    assert matched == expected >= 1
    chip.click()
    assert page.locator(".pl-match").count() == 0


def test_disabling_leaves_no_trace(ext, page):
    ext.settings(autoAnnotate=False)
    try:
        page.goto(f"{HF}/papers")
        page.wait_for_timeout(300)
        pristine = page.evaluate("document.documentElement.outerHTML")
        assert page.locator("[data-pl-paper]").count() == page.locator("[data-pl-paper][data-pl-stale]").count()
        ext.settings(autoAnnotate=True)
        page.wait_for_selector("html[data-pl-ready='done']", state="attached")
        assert page.locator("[data-pl-paper]").count() == len(pages.DAILY)
        page.locator(".pl-chip").first.click()  # leaves classes on cards too
        ext.settings(autoAnnotate=False)
        page.wait_for_selector("[data-pl-paper]", state="detached")
        assert page.evaluate("document.documentElement.outerHTML") == pristine
    finally:
        ext.settings(autoAnnotate=True)


def test_keyboard_command_saves_the_focused_paper(ext, page):
    pid = pages.DAILY[5][0]
    open_annotated(page, f"{HF}/papers")
    page.bring_to_front()
    page.locator(f'[data-pl-paper="{pid}"] .pl-chip').first.focus()
    res = ext.sw.evaluate("() => paperLensRunCommand('save-focused')")
    assert res == {"ok": True, "id": pid}
    star = page.locator(f'[data-pl-paper="{pid}"] .pl-star')
    page.wait_for_function("el => el.getAttribute('aria-pressed') === 'true'", arg=star.element_handle())
    ext.sw.evaluate("() => paperLensRunCommand('save-focused')")  # and unsave again
    page.wait_for_function("el => el.getAttribute('aria-pressed') === 'false'", arg=star.element_handle())
    # The other shortcut (and the popup's button): annotate now, fresh from the backend.
    stats = ext.sw.evaluate("() => paperLensRunCommand('annotate-now')")
    assert (stats["cards"], stats["annotated"]) == (len(pages.DAILY), len(pages.DAILY))
    assert annotations(page) == [[pid] for pid, _, _ in pages.DAILY]


# Runs in the page's main world before its scripts: the time (ms since navigation start) the 100th
# annotation lands, and the time the fresh pass is done, seen by a MutationObserver (no polling lag).
TIMING_PROBE = """
window.__pl = {shown: null, fresh: null};
new MutationObserver(() => {
  const n = document.querySelectorAll('[data-pl-paper]').length;
  if (__pl.shown === null && n >= 100) __pl.shown = performance.now();
  if (__pl.fresh === null && n >= 100 && document.documentElement.dataset.plReady === 'done'
      && !document.querySelector('[data-pl-stale]')) __pl.fresh = performance.now();
}).observe(document, {childList: true, subtree: true, attributes: true, attributeFilter: ['data-pl-ready']});
"""


def test_warm_100_card_page_time_to_annotated(page, capsys):
    url = f"{HF}/papers/month/2025-11"
    open_annotated(page, url, timeout=120000)  # cold: computes keyphrases for 100 papers
    assert len(annotations(page)) == 100
    page.add_init_script(TIMING_PROBE)
    timings = []
    for _ in range(3):
        page.goto(url)
        # shown: all 100 cards annotated (from the worker's session cache on a warm page);
        # fresh: the pass with the backend's own answer is done.
        got = page.wait_for_function("() => __pl.shown !== null && __pl.fresh !== null && __pl", timeout=60000)
        timings.append(got.json_value())
    assert annotations(page) == [[pid] for pid, _, _ in pages.big_papers(100)]
    with capsys.disabled():
        for t in timings:
            print(f"\n[e2e timing] warm 100-card page: all cards annotated {t['shown'] / 1000:.2f} s after "
                  f"navigation start; backend's fresh answer rendered at {t['fresh'] / 1000:.2f} s", end="")
        print()
