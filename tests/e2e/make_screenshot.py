"""Take docs/screenshot.png: the extension annotating a fixture daily page in headless Chromium.

Run from the repository root: `.venv/bin/python tests/e2e/make_screenshot.py [--fast] [--dark] [--out PATH]`.
The library is a temp one filled from the 100-paper fixture page (the seed digests), with two papers
saved, so related lists and saved markers show. Keyphrases come from the real bundled MiniLM model
(about a minute on a laptop CPU); --fast uses the tests' hash embedder instead (odd phrases).
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parents[1]
sys.path[:0] = [str(ROOT / "backend"), str(ROOT / "tests")]
os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")

from e2e import harness, pages  # noqa: E402


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=ROOT / "docs" / "screenshot.png")
    parser.add_argument("--fast", action="store_true", help="hash embedder instead of the real model")
    parser.add_argument("--dark", action="store_true", help="the site's dark theme")
    args = parser.parse_args()

    from playwright.sync_api import sync_playwright

    config = {"TESTING": True, "DB_PATH": os.path.join(tempfile.mkdtemp(), "library.sqlite3")}
    if args.fast:
        from conftest import _keybert_embedder

        config["EMBEDDER"] = _keybert_embedder()
    backend = harness.Backend(config)
    site = pages.site()
    url = f"{pages.HF}/papers/date/2025-10-30" if args.dark else f"{pages.HF}/papers"
    try:
        with sync_playwright() as p:
            ctx, sw, _ = harness.launch(p, Path(tempfile.mkdtemp()), viewport={"width": 1280, "height": 860})
            harness.route_site(ctx, site)
            harness.set_settings(sw, backendUrl=backend.url, keyphrasesPerCard=4)
            page = ctx.new_page()
            # Fill the library: the seed papers, then this page's papers.
            harness.open_annotated(page, f"{pages.HF}/papers/month/2025-11", timeout=600000)
            harness.open_annotated(page, url, timeout=600000)
            for pid in (pages.DAILY[1][0], pages.DAILY[4][0]):
                page.locator(f'[data-pl-paper="{pid}"] .pl-star').click()
            page.reload()
            page.wait_for_selector("html[data-pl-ready='done']", state="attached", timeout=600000)
            page.locator(f'[data-pl-paper="{pages.DAILY[0][0]}"] details.pl-related').evaluate("d => d.open = true")
            page.locator(f'[data-pl-paper="{pages.DAILY[2][0]}"] details.pl-related').evaluate("d => d.open = true")
            page.locator(".pl-chip").nth(1).focus()
            page.mouse.move(0, 0)
            args.out.parent.mkdir(parents=True, exist_ok=True)
            page.screenshot(path=str(args.out))
            ctx.close()
    finally:
        backend.stop()
    print(args.out)


if __name__ == "__main__":
    main()
