"""A trending page shaped like the live site as a browser saves it (hf-pages.md, "Live structure seen in a
browser-saved trending page (October 2026)"), built in code.

What the older fixtures in pages.py lack and this page has:
- every paper is rendered twice, a mobile layout (`flex ... md:hidden`) and a desktop layout
  (`hidden md:flex`); the page's own stylesheet stands in for Tailwind's responsive rules, so exactly one
  of the two is displayed at any width (the switch is at 768 px, Tailwind's `md`);
- "Submitted by <user>" above the title; under the text either avatars + "N authors" or an organization
  chip (logo + name, a link to `/<org>`); the date as "Published on Oct 4, 2026" on desktop and
  "Oct 4, 2026" on mobile; an Upvote button with its count (`-` for none), "GitHub 1.3k" and "arXiv Page";
- some cards show the one-line AI summary instead of the abstract;
- a title with a line break inside its link: `<br>` in the desktop layout, a raw newline in the mobile one
  (the hydration JSON keeps arXiv's own line break, as arXiv titles often have one).

Whether the live site wraps both layouts in one `<article>` or gives each its own is not visible in the
saved text, so both are built: `live_page("one")` (one card element holding both layouts, as a single
Svelte card component with responsive markup renders) and `live_page("two")` (each layout its own
`<article>`). The hydration div wraps the rendered cards, as on the site.
"""

from __future__ import annotations

import html
from dataclasses import dataclass

from .pages import HF, _doc, _item, hydrater

URLS = {"one": f"{HF}/papers/trending?live=1", "two": f"{HF}/papers/trending?live=2"}
DATE_STRING = "2026-10-06"


@dataclass(frozen=True)
class LivePaper:
    id: str
    title: str  # as the hydration JSON has it; may hold arXiv's "\n  " line break
    abstract: str
    ai_summary: str
    shows: str  # what the card shows under the title: "abstract" or "summary" (the AI one-liner)
    authors: tuple[str, ...]
    org: tuple[str, str] | None  # (handle, display name): the card shows this chip instead of "N authors"
    published: str  # YYYY-MM-DD
    upvotes: int
    github: tuple[str, int] | None  # (repo URL, stars)
    submitter: str

    @property
    def card_text(self) -> str:
        return self.abstract if self.shows == "abstract" else self.ai_summary


# Written for these tests; ids are arXiv-shaped but fictional (none of them is in pages.py).
PAPERS = [
    LivePaper(
        "2510.06111", "Sparse Attention Routers for Million-Token Contexts",
        "Attention over million-token contexts is dominated by a few relevant blocks. We train sparse attention "
        "routers that select key-value blocks per query, keep exact attention inside the selected blocks and "
        "match dense attention on long-context retrieval while reading eight percent of the context.",
        "Learned sparse attention routers match dense attention on million-token contexts at a fraction of the cost.",
        "abstract", ("Mira Castell", "Jun Okada", "Teodor Baran", "Lina Haddad", "Ravi Menon", "Sara Lind",
                     "Paul Weiss"),
        None, "2026-10-04", 128, ("https://github.com/example-lab/sparse-routers", 1284), "mcastell"),
    LivePaper(
        "2510.06128", "Self-Correcting Code Agents with Execution Feedback",
        "Code agents fail silently when tests are missing. We let agents write their own unit tests, execute "
        "them in a sandbox and revise the patch from the execution trace; on repository-level benchmarks the "
        "agents resolve a third more issues than agents without execution feedback.",
        "Code agents that write and run their own tests fix a third more repository issues.",
        "summary", ("Ana Ruiz", "Kofi Mensah", "Lea Brandt", "Tom Aalto", "Iris Novak"),
        ("lumen-ai", "Lumen AI"), "2026-10-02", 57, ("https://github.com/lumen-ai/selfcorrect", 845), "anaruiz"),
    LivePaper(
        "2510.06135", "Latent Action Pretraining:\n  Robot Policies from Unlabeled Video",
        "Robot demonstrations are scarce while videos of people handling objects are plentiful. We learn latent "
        "actions from unlabeled video with an inverse dynamics model, pretrain a policy to predict them and "
        "fine-tune it on a few hundred robot demonstrations, outperforming policies trained on robot data alone.",
        "Latent actions learned from unlabeled video pretrain robot policies that need few demonstrations.",
        "abstract", ("Hana Sato", "Milan Petrovic", "Chloe Martin"),
        None, "2026-10-04", 96, ("https://github.com/example-robotics/lapa-video", 2093), "hsato"),
    LivePaper(
        "2510.06142", "Calibrated Uncertainty for Retrieval-Augmented Question Answering",
        "Retrieval-augmented language models answer confidently even when the retrieved passages do not support "
        "the answer. We estimate answer uncertainty from agreement between passages and calibrate it with a small "
        "held-out set, reducing unsupported answers without lowering accuracy on open-domain question answering.",
        "Passage agreement gives retrieval-augmented models calibrated uncertainty and fewer unsupported answers.",
        "summary", ("Omar Farouk", "Greta Holm", "Yusuf Demir", "Nadia Rahman"),
        None, "2026-10-03", 41, None, "ofarouk"),
    LivePaper(
        "2510.06157", "Search & Verify: Test-Time Scaling for Theorem Proving",
        "Formal theorem provers gain from more test-time compute, but sampling more proofs saturates quickly. We "
        "interleave proof search with a learned verifier that prunes unpromising branches, and scale the search "
        "budget to solve more competition problems in Lean than sampling at equal compute.",
        "A learned verifier guiding proof search scales test-time compute for Lean theorem proving.",
        "abstract", ("Elif Kaya", "Marco Bellini", "Dana Levi", "Piotr Zielinski", "Aiko Mori", "Ben Carter"),
        ("kestrel-labs", "Kestrel Labs"), "2026-10-01", 212, ("https://github.com/kestrel-labs/search-verify", 12391),
        "ekaya"),
    LivePaper(
        "2510.06163", "Multilingual Speech Tokenizers at Low Bitrates",
        "Speech tokenizers trained on English lose intelligibility in other languages at low bitrates. We train a "
        "residual vector-quantized speech tokenizer on one hundred languages with language-balanced sampling and "
        "keep word error rates low at one kilobit per second across languages.",
        "A speech tokenizer trained on a hundred languages stays intelligible at one kilobit per second.",
        "summary", ("Noor Aziz", "Felix Wagner"),
        None, "2026-10-05", 0, ("https://github.com/example-speech/mst", 318), "naziz"),
    LivePaper(
        "2510.06170", "Diffusion Priors for Sparse-View 3D Reconstruction",
        "Reconstructing a scene from three photographs is ill-posed. We distill a multi-view diffusion prior into "
        "a feed-forward reconstruction model that predicts Gaussian splats from sparse views and fills unseen "
        "regions plausibly, improving novel view synthesis over optimization-based methods.",
        "A distilled multi-view diffusion prior reconstructs 3D scenes from three photographs.",
        "abstract", ("Julia Stein", "Arjun Rao", "Marta Costa", "Leo Grant", "Sofia Weber", "Kai Lin", "Eva Horvat",
                     "Max Kolar", "Ines Duarte"),
        None, "2026-09-29", 73, ("https://github.com/example-vision/dp-sparse3d", 964), "jstein"),
    LivePaper(
        "2510.06188", "Scaling Laws for Mixture-of-Depths Transformers",
        "Mixture-of-depths transformers let tokens skip layers. We fit scaling laws for mixture-of-depths models "
        "across compute budgets and capacity ratios, and find that skipping half of the layers for most tokens is "
        "compute-optimal at large scale.",
        "Scaling laws show when letting tokens skip transformer layers is compute-optimal.",
        "abstract", ("Hugo Laurent", "Wen Li", "Amara Obi"),
        None, "2025-03-08", 305, ("https://github.com/example-lab/mod-scaling", 3702), "hlaurent"),
]

_MONTHS = "Jan Feb Mar Apr May Jun Jul Aug Sep Oct Nov Dec".split()

# Tailwind's rules for the classes that decide what is displayed, in Tailwind's order (responsive variants
# after the base utilities, so `md:hidden` beats `flex` and `md:flex` beats `hidden` at >= 768 px), plus a
# little look. The page loads no Tailwind, so without these both layouts would show.
LIVE_STYLE = r"""
.hidden{display:none}.flex{display:flex}.block{display:block}.inline-flex{display:inline-flex}
.flex-col{flex-direction:column}.flex-wrap{flex-wrap:wrap}.items-center{align-items:center}.flex-none{flex:none}
.flex-1{flex:1 1 0%}.gap-1\.5{gap:.375rem}.gap-2{gap:.5rem}.gap-3{gap:.75rem}.gap-5{gap:1.25rem}
.list{display:flex;flex-direction:column;gap:1rem}
.btn-s{border:1px solid #e5e7eb;border-radius:.5rem;padding:.1rem .5rem;color:#374151;text-decoration:none;
  background:#fff;font:inherit;font-size:.8rem}
.org{background:rgba(59,130,246,.1);color:#1d4ed8;border-radius:.375rem;padding:0 .35rem;text-decoration:none}
.org img,.sub img{width:14px;height:14px;border-radius:3px}
.avatars{display:flex;list-style:none;margin:0;padding:0}.avatars li{width:14px;height:14px;border-radius:50%;
  background:#d1d5db;border:2px solid #fff;margin-right:-4px}
.thumb-d{width:220px;height:124px;background:linear-gradient(120deg,#eef2ff,#fdf2f8);border-radius:.5rem}
.text-xs{font-size:.75rem}.text-sm{font-size:.85rem}.text-gray-500{color:#6b7280}.italic{font-style:italic}
.p-3{padding:.75rem}.p-4{padding:1rem}.whitespace-nowrap,.btn-s{white-space:nowrap}
article svg{width:.9em;height:.9em;flex:none}
@media (min-width:768px){.md\:hidden{display:none}.md\:flex{display:flex}.md\:block{display:block}}
"""

_SVG_UP = ('<svg class="text-sm" xmlns="http://www.w3.org/2000/svg" aria-hidden="true" width="1em" height="1em" '
           'viewBox="0 0 12 12"><path fill="currentColor" d="M5.19 2.67a.94.94 0 0 1 1.62 0l3.31 5.72a.94.94 0 0 1'
           '-.82 1.4H2.7a.94.94 0 0 1-.82-1.4l3.31-5.7v-.02Z"></path></svg>')
_SVG_GH = ('<svg class="size-3.5" xmlns="http://www.w3.org/2000/svg" aria-hidden="true" viewBox="0 0 16 16">'
           '<path fill="currentColor" d="M8 0C3.58 0 0 3.58 0 8c0 3.54 2.29 6.53 5.47 7.59.4.07.55-.17.55-.38 0-.19'
           '-.01-.82-.01-1.49C3.73 14.91 3.27 13.4 3.27 13.4c-.36-.92-.89-1.17-.89-1.17-.73-.5.06-.49.06-.49z"></path></svg>')
_SVG_ARXIV = ('<svg class="size-3.5" xmlns="http://www.w3.org/2000/svg" aria-hidden="true" viewBox="0 0 24 24">'
              '<path fill="currentColor" d="M4 4h16v16H4z"></path></svg>')


def shown_date(iso: str, prefix: bool) -> str:
    """The card's date: always with the year on this page; the desktop layout says "Published on"."""
    y, m, d = (int(x) for x in iso.split("-"))
    return f"{'Published on ' if prefix else ''}{_MONTHS[m - 1]} {d}, {y}"


def stars(n: int) -> str:
    """GitHub stars as the card shows them: 845, 1.3k, 12.4k."""
    return str(n) if n < 1000 else f"{n / 1000:.1f}k"


def _title_html(title: str, desktop: bool) -> str:
    """The title link's content: arXiv's line break as `<br>` on desktop, as the raw newline on mobile."""
    lines = [html.escape(" ".join(part.split())) for part in title.split("\n")]
    return "<br>".join(lines) if desktop else "\n".join(lines)


def _layout(p: LivePaper, desktop: bool) -> str:
    """One responsive layout of a card: the desktop one (thumbnail beside the text) or the mobile one."""
    href = f"/papers/{p.id}"
    submitted = (
        '<div class="sub flex items-center gap-1.5 text-sm text-gray-500"><span>Submitted by</span>'
        f'<img alt="" src="https://cdn-avatars.huggingface.co/v1/production/uploads/{p.submitter}.png">'
        f'<a href="/{p.submitter}" class="font-medium text-gray-700 hover:underline">{p.submitter}</a></div>'
    )
    h3_cls = "text-lg/6 font-semibold md:text-xl/7" if desktop else "text-base/6 font-semibold"
    title = (f'<h3 class="{h3_cls}"><a href="{href}" class="line-clamp-3 cursor-pointer text-balance hover:underline">'
             f"{_title_html(p.title, desktop)}</a></h3>")
    text_cls = "line-clamp-2 text-sm text-gray-600" if desktop else "line-clamp-3 text-sm text-gray-600"
    if p.shows == "summary":  # the AI one-liner, marked as such with a sparkle icon
        text = (f'<div class="flex gap-1.5"><svg class="flex-none text-xs" aria-hidden="true" viewBox="0 0 12 12">'
                f'<path d="M6 0l1.5 4.5L12 6 7.5 7.5 6 12 4.5 7.5 0 6l4.5-1.5z"></path></svg>'
                f'<p class="{text_cls} italic">{html.escape(p.ai_summary)}</p></div>')
    else:
        text = f'<p class="{text_cls}">{html.escape(p.abstract)}</p>'
    if p.org:
        who = (f'<a href="/{p.org[0]}" class="org flex items-center gap-1.5 text-sm">'
               f'<img alt="" src="https://cdn-avatars.huggingface.co/v1/production/uploads/{p.org[0]}.png">'
               f'<span class="truncate">{html.escape(p.org[1])}</span></a>')
    else:
        n = len(p.authors)
        avatars = "".join(f'<li title="{html.escape(a, quote=True)}"></li>' for a in p.authors[:4])
        who = (f'<a href="{href}" class="flex items-center gap-1.5 text-sm text-gray-500">'
               f'<ul class="avatars">{avatars}</ul><span>{n} author{"s" if n != 1 else ""}</span></a>')
    meta = (f'<div class="flex flex-wrap items-center gap-2 text-sm text-gray-500">{who}<span>·</span>'
            f'<span class="whitespace-nowrap">{shown_date(p.published, prefix=desktop)}</span></div>')
    actions = [
        '<button type="button" class="btn-s inline-flex items-center gap-1.5 font-semibold" '
        f'aria-label="Upvote this paper">{_SVG_UP}<span>Upvote</span>'
        f'<div class="leading-none">{p.upvotes or "-"}</div></button>'
    ]
    if p.github:
        actions.append(f'<a href="{p.github[0]}" target="_blank" rel="noopener" class="btn-s inline-flex items-center '
                       f'gap-1.5">{_SVG_GH}<span>GitHub</span><span class="font-medium leading-none">{stars(p.github[1])}</span></a>')
    actions.append(f'<a href="https://arxiv.org/abs/{p.id}" target="_blank" rel="noopener" class="btn-s inline-flex '
                   f'items-center gap-1.5">{_SVG_ARXIV}<span>arXiv Page</span></a>')
    actions_html = f'<div class="flex flex-wrap items-center gap-2">{"".join(actions)}</div>'
    body = f"{submitted}{title}{text}{meta}{actions_html}"
    if desktop:
        thumb = (f'<a href="{href}" class="thumb-d block flex-none overflow-hidden" tabindex="-1" aria-hidden="true">'
                 f'<img src="https://cdn-thumbnails.huggingface.co/social-thumbnails/papers/{p.id}.png" alt="" '
                 'loading="lazy" width="1" height="1"></a>')
        return f'{thumb}<div class="flex flex-1 flex-col gap-2">{body}</div>'
    return body


_ARTICLE = "relative overflow-hidden rounded-xl border border-gray-100 bg-white"
_MOBILE = "flex flex-col gap-2 p-3 md:hidden"
_DESKTOP = "hidden gap-5 p-4 md:flex"


def card(p: LivePaper, wrap: str, desktop_first: bool = False) -> str:
    """Both layouts of one paper: inside one `<article>` ("one") or as two sibling articles ("two"). The
    saved page has the mobile layout first; `desktop_first` swaps them (whichever comes first is the
    one a parser meets first)."""
    if wrap == "one":
        layouts = [f'<div class="{_MOBILE}">{_layout(p, desktop=False)}</div>',
                   f'<div class="{_DESKTOP}">{_layout(p, desktop=True)}</div>']
    else:
        layouts = [f'<article class="{_ARTICLE} {_MOBILE}">{_layout(p, desktop=False)}</article>',
                   f'<article class="{_ARTICLE} {_DESKTOP}">{_layout(p, desktop=True)}</article>']
    both = "".join(layouts[::-1] if desktop_first else layouts)
    return f'<article class="{_ARTICLE}">{both}</article>' if wrap == "one" else both


def item(p: LivePaper) -> dict:
    """The paper's `dailyPapers[i]` item: pages._item's shape with the fields a trending item carries."""
    out = _item(p.id, p.title, p.abstract)
    out["paper"].update(
        authors=[{"_id": f"{p.id.replace('.', '')}{k:013x}", "name": a, "hidden": False} for k, a in enumerate(p.authors)],
        publishedAt=f"{p.published}T17:59:51.000Z",
        submittedOnDailyAt=f"{DATE_STRING}T02:11:09.000Z",
        submittedOnDailyBy={"fullname": p.submitter, "user": p.submitter, "type": "user"},
        upvotes=p.upvotes,
        ai_summary=p.ai_summary,
        ai_keywords=[],
    )
    if p.github:
        out["paper"].update(githubRepo=p.github[0], githubStars=p.github[1])
    if p.org:
        org = {"name": p.org[0], "fullname": p.org[1]}
        out["paper"]["organization"] = out["organization"] = org
    out["submittedBy"] = {"fullname": p.submitter, "name": p.submitter}
    out["numComments"] = 0
    return out


def props(papers=PAPERS) -> dict:
    return {"dailyPapers": [item(p) for p in papers], "periodType": "day", "dateString": DATE_STRING,
            "query": {}, "isTrending": True, "canSubmit": True}


def live_page(wrap: str = "one", papers=PAPERS, with_json: bool = True, desktop_first: bool = False) -> str:
    """The whole trending page; `with_json=False` leaves the hydration div without data-props (the cards
    are then all a parser has)."""
    cards = "".join(card(p, wrap, desktop_first) for p in papers)
    body = f'<h1 class="page">Trending Papers</h1><div class="list" id="cards">{cards}</div>'
    holder = hydrater("DailyPapers", props(papers)) if with_json else '<div class="SVELTE_HYDRATER contents" data-target="DailyPapers"></div>'
    holder = holder[: -len("</div>")] + body + "</div>"  # the site renders its cards inside the hydration div
    page = _doc("Trending Papers - Hugging Face", holder, "")
    return page.replace("</head>", f"<style>{LIVE_STYLE}</style></head>", 1)


def site() -> dict[str, str]:
    """URL -> HTML of the live-shaped pages, for pages.site()."""
    return {url: live_page(wrap) for wrap, url in URLS.items()}
