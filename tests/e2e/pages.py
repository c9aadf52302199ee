"""Fixture pages shaped like huggingface.co/papers (see the shared notes, ../shared/notes/hf-pages.md), built in code.

Each list page carries the SSR hydration div (`data-target="DailyPapers"`, HTML-escaped JSON in
`data-props`) and one `<article>` card per paper with the `h3 > a[href="/papers/<id>"]` title link;
the paper page carries `data-target="PaperContent"` and an `h1`. A small stylesheet makes them look
roughly like the site so the README screenshot is readable.
"""

from __future__ import annotations

import html
import json

HF = "https://huggingface.co"

# (id, title, abstract): written for these tests; ids are arXiv-shaped but fictional.
DAILY = [
    ("2510.01001", "Sparse Mixture-of-Experts Scaling Laws for Language Models",
     "We study scaling laws for sparse mixture-of-experts language models. Expert routing, the number of "
     "experts and the compute budget jointly determine loss; we fit scaling laws across 200 training runs "
     "and show that fine-grained experts improve sample efficiency for large language models."),
    ("2510.01002", "Diffusion Transformers for High-Resolution Image Synthesis",
     "Diffusion transformers replace the convolutional backbone of latent diffusion models with a vision "
     "transformer. We scale diffusion transformers to high-resolution image synthesis, study patch size and "
     "classifier-free guidance, and report state-of-the-art FID on ImageNet."),
    ("2510.01003", "Retrieval-Augmented Generation with Long-Context Language Models",
     "Long-context language models can read entire corpora, yet retrieval-augmented generation remains "
     "competitive. We compare retrieval-augmented generation against long-context prompting on question "
     "answering benchmarks and propose a hybrid retrieval strategy that halves inference cost."),
    ("2510.01004", "Vision-Language Models Learn Spatial Reasoning from Synthetic Scenes",
     "Vision-language models struggle with spatial reasoning about object positions. We generate synthetic "
     "3D scenes with question answer pairs and fine-tune vision-language models, improving spatial "
     "reasoning benchmarks without hurting general visual question answering."),
    ("2510.01005", "Reinforcement Learning from Verifiable Rewards for Mathematical Reasoning",
     "Reinforcement learning with verifiable rewards trains language models on math problems whose answers "
     "can be checked automatically. We analyse policy optimization, reward sparsity and chain-of-thought "
     "length, and show gains in mathematical reasoning on competition benchmarks."),
    ("2510.01006", "Efficient Speculative Decoding with Draft Model Distillation",
     "Speculative decoding accelerates language model inference with a small draft model. We distill the "
     "draft model from the target language model, raising acceptance rates and inference speed by two times "
     "without changing output quality."),
]

TRENDING = [
    ("2510.02001", "Scaling Test-Time Compute for Reasoning Language Models",
     "Spending more test-time compute on reasoning improves language models. We study search, voting and "
     "sequential revision strategies for test-time compute and derive compute-optimal scaling of reasoning."),
    ("2510.02002", "Video Diffusion Models as World Simulators",
     "Video diffusion models generate long coherent videos. We train a video diffusion transformer on "
     "large-scale video data and evaluate it as a world simulator for robotics and games."),
    ("2510.02003", "Tokenizer-Free Language Modeling with Byte-Level Transformers",
     "Byte-level transformers remove the tokenizer from language modeling. Dynamic patching of bytes "
     "matches tokenizer-based language models at scale while improving robustness to noisy text."),
    ("2510.02004", "Preference Optimization without Reward Models",
     "Direct preference optimization aligns language models with human preferences without a reward model. "
     "We unify preference optimization objectives and show when offline preference data suffices."),
]

SEARCH_Q = "diffusion"
SEARCH = [
    ("2510.03001", "Consistency Distillation for Few-Step Diffusion Sampling",
     "Diffusion models need many sampling steps. Consistency distillation trains a student that maps noise "
     "to images in one to four steps, keeping the quality of diffusion sampling."),
    ("2510.03002", "Masked Diffusion Language Models",
     "Masked diffusion language models generate text by iterative unmasking. We scale masked diffusion "
     "language models and close much of the gap to autoregressive language models."),
    # No arXiv id on the page: the backend names it t-<hash of the title>, the card is matched by title.
    ("", "Diffusion Policies for Dexterous Robot Manipulation",
     "Diffusion policies model multimodal action distributions for robot manipulation. We train diffusion "
     "policies on dexterous manipulation demonstrations and deploy them on a robot hand."),
    ("2510.01002", "Diffusion Transformers for High-Resolution Image Synthesis", DAILY[1][2]),
]

# Papers without an arXiv id whose titles fold differently in JavaScript and Python (ß lower-cases to ß in
# JS, case-folds to "ss" in Python): the backend alone names them, and answers them under the card's key.
UNICODE_Q = "strasse"
UNICODE = [
    ("", "Große Straße: Street Graphs for Route Planning",
     "Street graphs of large cities have millions of edges. We plan routes on them with hierarchical graph "
     "neural networks trained on historical traffic."),
    ("", "İstanbul Ｆｅｒｒｙ Schedules with Café-Level Demand 🚢",
     "Ferry schedules are planned from demand estimates. We estimate demand per pier from card payments and "
     "re-plan the schedules of a city ferry network."),
]

PAPER = ("2510.04001", "Mixture-of-Experts Routing with Load Balancing Losses",
         "Expert routing in mixture-of-experts language models suffers from load imbalance. We compare load "
         "balancing losses and expert capacity for sparse mixture-of-experts transformers.")

# Titles that must render as text, never as markup (in the page and in the backend's answers).
HOSTILE = [
    ("2510.05001", '<img src=x onerror="document.documentElement.dataset.pwned=\'img\'"> Diffusion sampling',
     "Diffusion sampling with transformer denoisers and guidance for image generation."),
    ("2510.05002", "<script>document.documentElement.dataset.pwned='script'</script> Diffusion transformers",
     "Diffusion transformers for image generation with guidance and fast sampling."),
    ("2510.05003", "Guidance Schedules for Diffusion Transformer Sampling",
     "Guidance schedules improve diffusion transformer sampling for image generation."),
]

STYLE = """
body{margin:0;font:15px/1.5 "Source Sans Pro",system-ui,sans-serif;background:#fff;color:#111827}
html.dark body{background:#0b0f19;color:#e5e7eb}
header.hf{display:flex;align-items:center;gap:.6rem;padding:.7rem 1.5rem;border-bottom:1px solid #e5e7eb;font-weight:600}
html.dark header.hf{border-color:#1f2937}
main{max-width:1200px;margin:0 auto;padding:1rem 1.5rem}
h1.page{font-size:1.6rem;margin:.5rem 0 1rem}
.grid{display:grid;grid-template-columns:repeat(3,minmax(0,1fr));gap:1rem}
article{position:relative;display:flex;flex-direction:column;overflow:hidden;border-radius:.75rem;border:1px solid #e5e7eb}
html.dark article{border-color:#1f2937;background:#111827}
article .thumb{display:block;height:70px;background:linear-gradient(120deg,#eef2ff,#fdf2f8)}
html.dark article .thumb{background:linear-gradient(120deg,#1e1b4b,#3b0764)}
article .body{padding:.6rem .9rem .8rem}
article h3{font-size:1.05rem;line-height:1.3;margin:0 0 .2rem}
article h3 a{color:inherit;text-decoration:none}
article .meta{font-size:.8rem;color:#6b7280}
article p{font-size:.85rem;color:#4b5563;margin:.3rem 0}
section.paper h1{font-size:1.8rem;line-height:1.25}
"""


def _item(pid: str, title: str, abstract: str) -> dict:
    """One `dailyPapers[i]` item in the shape the site embeds."""
    return {
        "paper": {
            "id": pid,
            "authors": [{"_id": "a1", "name": "Ada Lovelace", "hidden": False}],
            "publishedAt": "2025-10-30T17:00:00.000Z",
            "title": title,
            "summary": abstract,
            "upvotes": 12,
        },
        "title": title,
        "summary": abstract,
        "thumbnail": f"https://cdn-thumbnails.huggingface.co/social-thumbnails/papers/{pid}.png",
        "numComments": 2,
        "submittedBy": {"fullname": "A Reader", "name": "reader"},
    }


def card(pid: str, title: str, abstract: str = "", with_abstract: bool = False) -> str:
    """One list card (article) as the site renders it; papers without an id have no title link."""
    t = html.escape(title)
    head = f'<a href="/papers/{pid}" class="line-clamp-3 cursor-pointer text-balance">{t}</a>' if pid else t
    thumb = (
        f'<a href="/papers/{pid}" class="thumb" aria-hidden="true" tabindex="-1">'
        f'<img src="https://cdn-thumbnails.huggingface.co/social-thumbnails/papers/{pid}.png" alt="" width="1" height="1">'
        "</a>"
        if pid
        else '<div class="thumb"></div>'
    )
    body = f"<p>{html.escape(abstract)}</p>" if with_abstract else ""
    comments = f'<a href="/papers/{pid}#community">2</a>' if pid else "2"
    return (
        '<article class="relative flex flex-col overflow-hidden rounded-xl border">'
        f"{thumb}<div class=\"body\"><h3>{head}</h3>{body}"
        f'<div class="meta">Submitted by reader · {comments} comments</div></div></article>'
    )


def cards_html(papers, with_abstract: bool = False) -> str:
    return "".join(card(pid, title, abstract, with_abstract) for pid, title, abstract in papers)


def _doc(title: str, hydrater: str, body: str, dark: bool = False) -> str:
    cls = ' class="dark"' if dark else ""
    return (
        f'<!doctype html><html lang="en"{cls}><head><meta charset="utf-8"><title>{html.escape(title)}</title>'
        f"<style>{STYLE}</style></head><body>"
        '<header class="hf"><span style="background:#fbbf24;border-radius:50%;padding:0 .35rem">HF</span> Hugging Face <span style="font-weight:400;color:#6b7280">Papers</span></header>'
        f"<main>{hydrater}{body}</main></body></html>"
    )


def hydrater(target: str, props: dict) -> str:
    data = html.escape(json.dumps(props), quote=True)
    return f'<div class="SVELTE_HYDRATER contents" data-target="{target}" data-props="{data}"></div>'


def list_page(papers, heading: str = "Daily Papers", query: str | None = None, dark: bool = False) -> str:
    """A daily/week/month/trending page, or a search page when `query` is given."""
    items = [_item(*p) for p in papers]
    props = {"dailyPapers": items, "periodType": "day", "dateString": "2025-10-31", "isTrending": False}
    if query is not None:
        props = {"dailyPapers": [_item(*p) for p in DAILY], "query": {"q": query}, "searchResults": items}
    grid = f'<div class="grid" id="cards">{cards_html(papers, with_abstract=query is not None)}</div>'
    return _doc(
        "Daily Papers - Hugging Face", hydrater("DailyPapers", props), f'<h1 class="page">{heading}</h1>{grid}', dark
    )


def paper_page(pid: str, title: str, abstract: str) -> str:
    props = {"paper": _item(pid, title, abstract)["paper"], "comments": [], "upvoted": False}
    body = (
        f'<section class="paper"><h1>{html.escape(title)}</h1><p>Published on Oct 30, 2025</p>'
        f"<h2>Abstract</h2><p>{html.escape(abstract)}</p>"
        '<h3 id="community">Community</h3></section>'
    )
    return _doc(f"Paper page - {title}", hydrater("PaperContent", props), body)


def big_papers(n: int = 100, month: str = "2511") -> list[tuple[str, str, str]]:
    """n papers for a month page (ids `<month>.NNNNN`): the seed digests' titles and abstracts when present,
    else the hand-written papers above with numbered titles."""
    from paperlens.digest import parse_page

    out: list[tuple[str, str, str]] = []
    from conftest import SEEDS

    seeds = sorted(SEEDS.glob("*.txt"))
    for path in seeds:
        for p in parse_page(path.read_text(encoding="utf-8")).papers:
            out.append((p.title, p.abstract))
    if len(out) < n:
        # Each paper once: a paper on two fixture pages would be one keyphrase job for two ids (the same
        # title and abstract), and tests that watch the order papers fill in would see it twice.
        base = list({t: (t, a) for _, t, a in DAILY + TRENDING + SEARCH + [PAPER]}.values())
        out += [(f"{t} (part {i})", a) for i in range(n) for t, a in base][: n - len(out)]
    return [(f"{month}.{i + 1:05d}", t, a) for i, (t, a) in enumerate(out[:n])]


def site() -> dict[str, str]:
    """URL -> HTML for every fixture page the tests open."""
    from . import live_pages  # here, not at the top: live_pages imports this module's helpers

    return {
        f"{HF}/papers": list_page(DAILY),
        f"{HF}/papers/date/2025-10-31": list_page(DAILY),
        f"{HF}/papers/trending": list_page(TRENDING, heading="Trending Papers"),
        f"{HF}/papers?q={SEARCH_Q}": list_page(SEARCH, heading=f"Search: {SEARCH_Q}", query=SEARCH_Q),
        f"{HF}/papers?q={UNICODE_Q}": list_page(UNICODE, heading=f"Search: {UNICODE_Q}", query=UNICODE_Q),
        f"{HF}/papers/{PAPER[0]}": paper_page(*PAPER),
        f"{HF}/papers/month/2025-11": list_page(big_papers(100), heading="Papers of the month"),
        # The same papers under other ids: a page no other test has opened (nothing remembered of it).
        f"{HF}/papers/month/2025-12": list_page(big_papers(100, "2512"), heading="Papers of the month"),
        f"{HF}/papers/week/2025-W44": list_page(HOSTILE, heading="Week 44"),
        f"{HF}/papers/date/2025-10-30": list_page(DAILY, dark=True),
        **live_pages.site(),  # /papers/trending?live=1 and ?live=2: the live site's two-layout cards
    }
