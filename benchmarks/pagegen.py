"""Realistic huggingface.co/papers pages, built from records: hydration JSON + Svelte/Tailwind cards.

Written from the shared notes (../shared/notes/hf-pages.md) (§2 embedded data, §3 rendered DOM): every list page wraps its
cards in `<div class="SVELTE_HYDRATER contents" data-target="DailyPapers" data-props="…">`; each card is an
`<article>` with `h3 > a[href="/papers/<id>"]`, a thumbnail link, an upvote `label` (or a `/login?next=` link
when logged out) and a `#community` comment link. Search and trending cards also show the abstract, the
author avatars (`li[title]`), "N authors", "·" and the date.

Used by the benchmark (`make_list_page`), by `tests/pages/build_fixtures.py` (the committed fixtures) and by
anyone who needs a page of a given size. Attribute values are escaped the way Svelte's SSR does it
(`&`, `"` and `<`; `>` stays raw), so titles with markup in them look as they would on the real site.

A record is a dict: id, title, abstract, authors (names), published (YYYY-MM-DD), submitted (ISO datetime),
upvotes, comments, ai_keywords, org (name, fullname) or None, submitter.
"""

from __future__ import annotations

import json
import random
import re
from datetime import date, timedelta
from paths import shared_dir  # noqa: E402

HF = "https://huggingface.co"
MONTHS = "Jan Feb Mar Apr May Jun Jul Aug Sep Oct Nov Dec".split()
FIRST = "Wei Anna Jonas Priya Mateo Yuki Fatima Lukas Chen Sofia Omar Elena Rahul Ines Tomasz Mei Daniel Aisha".split()
LAST = "Zhang Kowalski Garcia Nguyen Müller Okafor Tanaka Rossi Haddad Petrov Silva Johansson Kim Dubois Patel".split()
ORGS = [("google", "Google"), ("nvidia", "NVIDIA"), ("stanford", "Stanford University"), ("ai2", "Ai2"), ("Qwen", "Qwen")]


def esc_text(s: str) -> str:
    """Svelte SSR text escaping."""
    return s.replace("&", "&amp;").replace("<", "&lt;")


def esc_attr(s: str) -> str:
    """Svelte SSR attribute escaping: `>` stays raw, which is why finding the tag must handle `>` in values."""
    return s.replace("&", "&amp;").replace('"', "&quot;").replace("<", "&lt;")


def shown_date(iso: str, page_year: int) -> str:
    """HF's card date: "Sep 10" in the page's year, "Mar 8, 2024" otherwise."""
    d = date.fromisoformat(iso)
    text = f"{MONTHS[d.month - 1]} {d.day}"
    return text if d.year == page_year else f"{text}, {d.year}"


# ---------------------------------------------------------------- hydration JSON


def hydration_item(r: dict) -> dict:
    """A `dailyPapers[i]` item (hf-pages.md §2.1 / §4)."""
    authors = []
    for k, n in enumerate(r["authors"]):
        a = {"_id": f"{(k + 1) * 7919 + sum(map(ord, r['id'])):024x}", "name": n, "hidden": False}
        if k % 3 == 0:  # claimed authors carry their user object, as on the live site
            handle = n.replace(" ", "").lower()
            a["user"] = {"_id": f"{k * 104729 + 1:024x}", "avatarUrl": f"/avatars/{handle}.svg", "isPro": False,
                         "fullname": n, "user": handle, "type": "user"}
            a["status"] = "claimed_verified"
            a["statusLastChangedAt"] = "2025-09-13T08:21:47.511Z"
        authors.append(a)
    paper = {
        "id": r["id"],
        "authors": authors,
        "publishedAt": f"{r['published']}T17:59:58.000Z",
        "submittedOnDailyAt": r.get("submitted", f"{r['published']}T01:12:44.000Z"),
        "title": r["title"],
        "submittedOnDailyBy": {"_id": "60f1abe7544c2adfd699860c", "fullname": r.get("submitter", "AK"),
                               "user": r.get("submitter", "akhaliq"), "type": "user"},
        "summary": r["abstract"],
        "upvotes": r["upvotes"],
        "discussionId": f"68c{r['id'].replace('.', '')}a1b2c3d4e5f6"[:24],
        "ai_summary": r["abstract"].split(". ")[0][:200],
        "ai_keywords": r.get("ai_keywords", []),
        "githubRepo": f"https://github.com/example/{r['id']}",
        "githubStars": r["upvotes"] * 3,
        "projectPage": f"https://example.github.io/{r['id']}/",
    }
    if r.get("org"):
        paper["organization"] = {"_id": "5e6aca39878b8b2bf9806447", "name": r["org"][0], "fullname": r["org"][1]}
    return {
        "paper": paper,
        "publishedAt": f"{r['published']}T13:59:58.000Z",
        "title": r["title"],
        "summary": r["abstract"],
        "mediaUrls": [f"https://cdn-uploads.huggingface.co/production/uploads/{r['id']}/{k}.png" for k in range(3)],
        "thumbnail": f"https://cdn-thumbnails.huggingface.co/social-thumbnails/papers/{r['id']}.png",
        "numComments": r["comments"],
        "submittedBy": {"_id": "60f1abe7544c2adfd699860c", "fullname": r.get("submitter", "AK"),
                        "name": r.get("submitter", "akhaliq"), "type": "user"},
        "isAuthorParticipating": False,
    }


def list_props(records: list[dict], kind: str, date_string: str, query: str | None = None,
               search_records: list[dict] | None = None) -> dict:
    props = {
        "authLight": {"u": {"avatarUrl": "/avatars/1b1c3c0d.svg", "isPro": False, "fullname": "Reader",
                            "user": "reader", "orgs": []}},
        "canSubmit": True,
        "dateString": date_string,
        "dailyPapers": [hydration_item(r) for r in records],
        "prevDate": date_string,
        "publisher": None,
        "periodType": {"week": "week", "month": "month"}.get(kind, "day"),
        "query": {"q": query} if query else {},
        "isTrending": kind == "trending",
    }
    if search_records is not None:
        props["searchResults"] = [hydration_item(r) for r in search_records]
    return props


# ---------------------------------------------------------------- cards


_UPVOTE_SVG = ('<svg class="text-sm" xmlns="http://www.w3.org/2000/svg" aria-hidden="true" width="1em" height="1em" '
               'viewBox="0 0 12 12"><path fill="currentColor" d="M5.19 2.67a.94.94 0 0 1 1.62 0l3.31 5.72a.94.94 0 0 1-.82 '
               '1.4H2.7a.94.94 0 0 1-.82-1.4l3.31-5.7v-.02Z"></path></svg>')
_COMMENT_SVG = ('<svg class="mr-1" xmlns="http://www.w3.org/2000/svg" aria-hidden="true" width="1em" height="1em" '
                'viewBox="0 0 32 32"><path d="M16 2A14 14 0 1 0 30 16A14 14 0 0 0 16 2Zm0 26A12 12 0 1 1 28 16A12 12 0 0 1 '
                '16 28Z" fill="currentColor"></path></svg>')


def upvote_block(r: dict, logged_in: bool) -> str:
    count = str(r["upvotes"]) if r["upvotes"] else "-"
    inner = f'{_UPVOTE_SVG}<div class="leading-none">{count}</div>'
    if logged_in:
        return ('<label class="shadow-alternate flex h-14 w-12 flex-none cursor-pointer select-none flex-col items-center '
                'justify-center gap-0.5 self-start rounded-xl border border-gray-200 bg-white text-sm font-semibold '
                'dark:border-gray-700 dark:bg-gray-900"><input type="checkbox" class="peer hidden">'
                f'{inner}</label>')
    nxt = "%2Fpapers%2F" + r["id"]
    return (f'<a href="/login?next={nxt}" class="shadow-alternate flex h-14 w-12 flex-none cursor-pointer select-none '
            'flex-col items-center justify-center gap-0.5 self-start rounded-xl border border-gray-200 bg-white text-sm '
            f'font-semibold dark:border-gray-700 dark:bg-gray-900">{inner}</a>')


def card(r: dict, *, full: bool, logged_in: bool = True, page_year: int = 2025) -> str:
    """One list card. `full`: the search/trending layout with abstract, avatars, "N authors" and the date."""
    pid, href = r["id"], f"/papers/{r['id']}"
    parts = [
        '<article class="relative flex flex-col overflow-hidden rounded-xl border">',
        f'<a href="{href}" class="shadow-alternate-sm peer relative block h-56 w-full cursor-pointer overflow-hidden '
        'rounded-xl bg-white md:h-64">'
        f'<img src="https://cdn-thumbnails.huggingface.co/social-thumbnails/papers/{pid}.png" loading="lazy" '
        'decoding="async" alt="" class="h-full w-full object-cover object-top opacity-80 transition-opacity '
        'hover:opacity-90"></a>',
        '<div class="from-gray-50-to-white pointer-events-none absolute inset-0 -z-10 bg-gradient-to-b via-white '
        'dark:via-gray-950"></div>',
        '<div class="px-6 pb-5 pt-4 sm:px-8"><div class="flex items-start gap-4 md:gap-6">',
        f'<div class="flex flex-col items-center gap-2">{upvote_block(r, logged_in)}</div>',
        '<div class="w-full">',
        '<h3 class="mb-1 text-lg/6 font-semibold hover:underline peer-hover:underline md:text-2xl/7">'
        f'<a href="{href}" class="line-clamp-3 cursor-pointer text-balance">{esc_text(r["title"])}</a></h3>',
    ]
    if full:
        parts.append(f'<p class="line-clamp-3 text-sm leading-relaxed text-gray-600 dark:text-gray-400">'
                     f'{esc_text(r["abstract"])}</p>')
        shown = r["authors"][:4]
        avatars = "".join(
            '<li class="-mr-2 h-4 w-4 flex-none overflow-hidden rounded-full border-2 border-white bg-gradient-to-br '
            f'from-gray-300 to-gray-100 md:h-5 md:w-5 dark:border-gray-900" title="{esc_attr(n)}"></li>'
            for n in shown
        )
        n = len(r["authors"])
        parts.append(
            '<div class="mt-2 flex flex-wrap items-center gap-x-2 gap-y-1 text-sm text-gray-500">'
            f'<a href="{href}" class="flex items-center gap-2.5"><ul class="flex items-center flex-row-reverse">'
            f'{avatars}</ul><span class="ml-1">· {n} author{"s" if n != 1 else ""}</span></a>'
            '<span class="text-gray-300">·</span>'
            f'<span class="whitespace-nowrap">{shown_date(r["published"], page_year)}</span></div>'
        )
    meta = ['<div class="mt-2 flex flex-wrap items-center gap-2.5 text-sm text-gray-500">']
    if r.get("org"):
        meta.append(f'<a href="/{r["org"][0]}" class="flex items-center gap-1.5 rounded-md bg-blue-500/10 px-1.5 py-0.5 '
                    'text-blue-700 dark:text-blue-300"><img alt="" class="size-3.5 rounded-sm" '
                    f'src="https://cdn-avatars.huggingface.co/v1/production/uploads/{r["org"][0]}.png">'
                    f'<span class="truncate">{esc_text(r["org"][1])}</span></a>')
    meta.append('<div class="flex items-center gap-1.5"><span class="text-gray-400">Submitted by</span>'
                '<img alt="" class="size-3.5 rounded-full" src="https://cdn-avatars.huggingface.co/v1/production/uploads/'
                f'akhaliq.jpeg"><span class="font-medium">{esc_text(r.get("submitter", "akhaliq"))}</span></div>')
    meta.append(f'<a href="{href}#community" class="flex items-center rounded-md px-1.5 py-0.5 hover:bg-gray-100 '
                f'dark:hover:bg-gray-800">{_COMMENT_SVG}{r["comments"]}</a>')
    meta.append("</div>")
    parts.extend(meta)
    parts.append("</div></div></div></article>")
    return "".join(parts)


# ---------------------------------------------------------------- whole pages


def _head(title: str, url: str) -> str:
    return f"""<!doctype html>
<html class="">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1.0, user-scalable=no">
<meta name="description" content="Your daily dose of AI research from AK">
<meta property="fb:app_id" content="1321688464574422">
<meta name="twitter:card" content="summary_large_image">
<meta name="twitter:site" content="@huggingface">
<meta property="og:title" content="{esc_attr(title)}">
<meta property="og:type" content="website">
<meta property="og:url" content="{esc_attr(url)}">
<meta property="og:image" content="https://huggingface.co/front/thumbnails/papers.png">
<link rel="stylesheet" href="/front/build/kube-9a1c2e7/style.css">
<link rel="canonical" href="{esc_attr(url)}">
<title>{esc_text(title)}</title>
<script defer data-domain="huggingface.co" src="/js/script.js"></script>
</head>
"""


_HEADER = """<div class="SVELTE_HYDRATER contents" data-target="SystemThemeMonitor" data-props="{&quot;isLoggedIn&quot;:true}"></div>
<div class="SVELTE_HYDRATER contents" data-target="MainHeader" data-props="{&quot;classNames&quot;:&quot;&quot;,&quot;isWide&quot;:false,&quot;isZh&quot;:false,&quot;isPro&quot;:false}"><header class="border-b border-gray-100 dark:border-gray-800"><div class="w-full px-4 container flex h-16 items-center"><div class="flex flex-1 items-center"><a class="mr-5 flex flex-none items-center lg:mr-6" href="/"><img alt="Hugging Face's logo" class="w-7 md:mr-2" src="/front/assets/huggingface_logo-noborder.svg"><span class="hidden whitespace-nowrap text-lg font-bold md:block">Hugging Face</span></a><div class="relative flex-1 lg:max-w-sm mr-2 sm:mr-4 md:mr-3 xl:mr-6"><input autocomplete="off" class="w-full dark:bg-gray-950 pl-8 form-input-alt h-9 pr-3 focus:shadow-xl" name="" placeholder="Search models, datasets, users..." spellcheck="false" type="text" value=""></div></div><nav aria-label="Main" class="ml-auto hidden lg:block"><ul class="flex items-center gap-x-1 2xl:gap-x-2"><li><a class="group flex items-center px-2 py-0.5 hover:text-indigo-700" href="/models">Models</a></li><li><a class="group flex items-center px-2 py-0.5 hover:text-red-700" href="/datasets">Datasets</a></li><li><a class="group flex items-center px-2 py-0.5 hover:text-blue-700" href="/spaces">Spaces</a></li><li><a class="group flex items-center px-2 py-0.5 hover:text-yellow-700" href="/papers">Papers</a></li><li><a class="group flex items-center px-2 py-0.5 hover:text-gray-700" href="/docs">Docs</a></li><li><a class="group flex items-center px-2 py-0.5 hover:text-gray-700" href="/pricing">Pricing</a></li></ul></nav></div></header></div>
"""

_FOOTER = """<footer class="b-12 mb-2 flex border-t border-gray-100 md:h-14"><nav class="container relative flex flex-col justify-between space-y-2 py-6 text-gray-500 max-md:*:self-start md:flex-row md:items-center md:space-y-0 md:py-0 md:text-sm"><div class="SVELTE_HYDRATER contents" data-target="ThemeSwitcher" data-props="{&quot;theme&quot;:&quot;system&quot;,&quot;isLoggedIn&quot;:true,&quot;menuClassNames&quot;:&quot;md:-top-24&quot;}"></div><div class="order-2 flex gap-x-2 md:gap-x-4"><a class="hover:underline" href="/terms-of-service">TOS</a><a class="hover:underline" href="/privacy">Privacy</a><a class="hover:underline" href="/huggingface">About</a><a class="hover:underline" href="https://apply.workable.com/huggingface/">Jobs</a></div></nav></footer>
<script>window.hubConfig = {"features":{"signupDisabled":false},"sshGitUrl":"git@hf.co","moonHttpUrl":"https:\\/\\/huggingface.co","captchaApiKey":"bd5f2066-93dc-4bdd-a64b-a24646ca3859","captchaDisabledOnSignup":true,"datasetViewerPublicUrl":"https:\\/\\/datasets-server.huggingface.co","stripePublicKey":"pk_live_x","environment":"production","userAgent":"HuggingFace (production)","spacesIframeDomain":"hf.space","spacesApiUrl":"https:\\/\\/api.hf.space","docSearchKey":"ece5e02e57300e17d152c08056145326e90c4bff3dd07d7d1ae40cf1c8d39cb6","logoDev":{"apiUrl":"https:\\/\\/img.logo.dev\\/","apiKey":"pk_UHS2HZOeRnaSOdDp7jbd5w"}};</script>
<script type="module" src="/front/build/kube-9a1c2e7/index.js"></script>
"""

_TITLES = {"daily": "Daily Papers - Hugging Face", "week": "Daily Papers - Hugging Face",
           "month": "Daily Papers - Hugging Face", "search": "Daily Papers - Hugging Face",
           "trending": "Trending Papers - Hugging Face"}


def list_page(records: list[dict], *, kind: str, url: str, date_string: str, page_year: int,
              json_mode: str = "ok", json_records: list[dict] | None = None, query: str | None = None,
              logged_in: bool = True, props_first: bool = False, full: bool | None = None) -> str:
    """A whole list page. json_mode: "ok" | "none" (cards only) | "broken" (truncated JSON).
    `json_records` (default: `records`) lets the JSON differ from the cards, as it does when stale.
    `full` (default: search and trending) picks the card layout with abstract, authors and date."""
    jr = records if json_records is None else json_records
    if kind == "search":
        props = list_props([], kind, date_string, query=query, search_records=jr)
        props["dailyPapers"] = []
    else:
        props = list_props(jr, kind, date_string, query=query)
    blob = json.dumps(props, ensure_ascii=False, separators=(",", ":"))
    if json_mode == "broken":
        blob = blob[: len(blob) // 2]
    full = kind in ("search", "trending") if full is None else full
    heading = {"trending": "Trending Papers", "search": "Search results"}.get(kind, "Daily Papers")
    cards = "\n".join(card(r, full=full, logged_in=logged_in, page_year=page_year) for r in records)
    body = (
        '<section class="container relative mb-20 mt-8 md:mt-14">'
        '<div class="mb-10 flex flex-col items-start justify-between gap-4 lg:flex-row lg:items-center">'
        f'<div><h1 class="text-2xl font-bold md:text-3xl">{heading}</h1>'
        '<p class="text-gray-500">by <a href="/akhaliq" class="underline">AK</a> and the research community</p></div>'
        '<div class="flex items-center gap-2"><a href="/papers/date/' + date_string + '" class="btn">'
        + esc_text(date_string) + '</a><a href="/papers/trending" class="btn">Trending</a></div></div>'
        f'<div class="relative grid grid-cols-1 gap-14 lg:grid-cols-2">\n{cards}\n</div></section>'
    )
    if json_mode == "none":
        hyd = f'<div class="SVELTE_HYDRATER contents" data-target="DailyPapers">{body}</div>'
    elif props_first:
        hyd = (f'<div data-props="{esc_attr(blob)}" class="SVELTE_HYDRATER contents" data-target="DailyPapers">'
               f'{body}</div>')
    else:
        hyd = (f'<div class="SVELTE_HYDRATER contents" data-target="DailyPapers" data-props="{esc_attr(blob)}">'
               f'{body}</div>')
    return (_head(_TITLES[kind], url)
            + '<body class="flex flex-col min-h-dvh bg-white dark:bg-gray-950 text-black DailyPapersPage">\n'
            + '<div class="flex min-h-dvh flex-col">\n' + _HEADER
            + f'<main class="flex flex-1 flex-col">\n{hyd}\n</main>\n' + _FOOTER + "</div>\n</body>\n</html>\n")


def paper_page(r: dict, comments: list[dict], *, json_mode: str = "ok") -> str:
    """A `/papers/<id>` page: `data-target="PaperContent"` props + the rendered header, abstract and community."""
    item = hydration_item(r)["paper"]
    item["ai_summary_model"] = "Qwen/Qwen2.5-Coder-32B-Instruct"
    props = {"comments": comments, "primaryEmailConfirmed": True, "paper": item, "canReadDatabase": False,
             "canManagePapers": False, "canSubmit": True, "hasHfLevelAccess": False, "upvoted": False,
             "upvoters": [], "acceptLanguages": ["en"], "dailyPaperRank": 3,
             "markdownContentUrl": f"https://huggingface.co/buckets/papers-content/{r['id']}.md", "query": {}}
    blob = json.dumps(props, ensure_ascii=False, separators=(",", ":"))
    d = date.fromisoformat(r["published"])
    authors = "".join(f'<span class="author"><a href="/papers?q={esc_attr(n)}">{esc_text(n)}</a></span>, '
                      for n in r["authors"])
    abstract = esc_text(r["abstract"])
    comments_html = "".join(
        f'<div class="scroll-mt-4" id="{c["id"]}"><div class="text-sm"><span class="font-semibold">'
        f'{esc_text(c["author"]["name"])}</span><div class="prose">{c["data"]["latest"]["html"]}</div></div></div>'
        for c in comments
    )
    body = (
        '<section class="pt-8 border-gray-100 md:pt-14 lg:pt-20"><div class="container">'
        f'<div class="mb-3"><a href="/papers/date/{r["published"]}" class="text-gray-500">Daily Papers</a></div>'
        f'<h1 class="mb-2 text-2xl font-semibold sm:text-3xl lg:pr-6 lg:text-3xl xl:pr-10 2xl:text-4xl">'
        f'{esc_text(r["title"])}</h1>'
        f'<div class="mb-6 text-gray-500"><span>Published on {MONTHS[d.month - 1]} {d.day}, {d.year}</span>'
        f'<span> · Submitted by <a href="/akhaliq">akhaliq</a> on {MONTHS[d.month - 1]} {d.day}</span></div>'
        f'<div class="mb-6 flex items-center gap-2"><div class="font-semibold text-orange-500">'
        f'{r["upvotes"] or "-"}</div><span>Upvote</span></div>'
        f'<div class="pb-10 md:pb-20"><span class="text-gray-500">Authors:</span> {authors}</div>'
        '</div></section>'
        '<section class="container"><div class="pb-8 pr-4 md:pr-16"><h2 class="mb-2 text-lg font-semibold">Abstract'
        '</h2><div class="flex flex-col gap-y-2.5"><p class="text-gray-600">'
        f'{esc_text(item["ai_summary"])}</p><p class="text-xs text-gray-400">Generated by '
        f'Qwen/Qwen2.5-Coder-32B-Instruct</p><p class="text-gray-700 dark:text-gray-400">{abstract}</p></div>'
        f'<div class="mt-4 flex gap-2"><a href="https://arxiv.org/abs/{r["id"]}" class="btn">View arXiv page</a>'
        f'<a href="https://arxiv.org/pdf/{r["id"]}" class="btn">View PDF</a></div></div>'
        f'<div><h3 id="community" class="text-lg font-semibold">Community</h3>{comments_html}</div></section>'
    )
    if json_mode == "none":
        hyd = f'<div class="SVELTE_HYDRATER contents" data-target="PaperContent">{body}</div>'
    else:
        hyd = f'<div class="SVELTE_HYDRATER contents" data-target="PaperContent" data-props="{esc_attr(blob)}">{body}</div>'
    url = f"{HF}/papers/{r['id']}"
    return (_head(f"Paper page - {r['title']}", url)
            + '<body class="flex flex-col min-h-dvh bg-white dark:bg-gray-950 text-black PaperPage">\n'
            + '<div class="flex min-h-dvh flex-col">\n' + _HEADER
            + f'<main class="flex flex-1 flex-col">\n{hyd}\n</main>\n' + _FOOTER + "</div>\n</body>\n</html>\n")


# ---------------------------------------------------------------- records from the seeds (for size and realism)




def seed_titles_abstracts() -> list[tuple[str, str]]:
    """(title, abstract) pairs read straight from the seed text copies: an abstract is a paragraph of more
    than 250 characters and its title is the line before it. Independent of the parser on purpose."""
    pairs = []
    for path in sorted((shared_dir() / "seeds").glob("*.txt")):
        lines = [ln.strip() for ln in path.read_text(encoding="utf-8").splitlines() if ln.strip()]
        pairs += [(lines[i - 1], ln) for i, ln in enumerate(lines) if i and len(ln) > 250]
    return pairs


def make_records(n: int, *, seed: int = 7, start: date = date(2025, 9, 12)) -> list[dict]:
    rng = random.Random(seed)
    pairs = seed_titles_abstracts() or [("A Placeholder Title", "A placeholder abstract. " * 40)]
    out = []
    for i in range(n):
        title, abstract = pairs[i % len(pairs)]
        if i >= len(pairs):
            title = f"{title} ({i // len(pairs) + 1})"
        published = start - timedelta(days=rng.randint(0, 400))
        out.append({
            "id": f"{published:%y%m}.{rng.randint(1000, 29999):05d}",
            "title": title,
            "abstract": abstract,
            "authors": [f"{rng.choice(FIRST)} {rng.choice(LAST)}" for _ in range(rng.randint(1, 24))],
            "published": published.isoformat(),
            "submitted": f"{start.isoformat()}T0{rng.randint(0, 9)}:{rng.randint(10, 59)}:12.504Z",
            "upvotes": rng.choice([0, 1, 2, 4, 7, 12, 25, 48, 113]),
            "comments": rng.choice([0, 0, 1, 2, 3, 5]),
            "ai_keywords": [w for w in re.findall(r"[A-Z][A-Za-z-]{3,}", abstract)[:6]],
            "org": rng.choice([None, None, *ORGS]),
        })
    return out


def make_list_page(n: int = 100, kind: str = "daily") -> str:
    """A realistic `n`-card list page of `kind` (daily | week | month | trending | search), about 1.3 MB at
    n=100: hydration JSON (the paper twice over, as HF sends it) + full card markup."""
    start = date(2025, 9, 12)
    records = make_records(n, start=start)
    url = {"daily": f"{HF}/papers/date/2025-09-12", "week": f"{HF}/papers/week/2025-W37",
           "month": f"{HF}/papers/month/2025-09", "trending": f"{HF}/papers/trending",
           "search": f"{HF}/papers?q=diffusion"}[kind]
    date_string = {"week": "2025-W37", "month": "2025-09"}.get(kind, "2025-09-12")
    return list_page(records, kind=kind, url=url, date_string=date_string, page_year=2025,
                     query="diffusion" if kind == "search" else None)


if __name__ == "__main__":
    page = make_list_page()
    print(f"{len(page.encode()) / 1e6:.2f} MB, {page.count('<article')} cards")
