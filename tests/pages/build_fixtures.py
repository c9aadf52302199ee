"""Writes the fixture pages in this folder and, next to each, `<name>.expected.json`.

The expected records come from the records below (what the page was built to show), never from the parser.
Rerun after changing a record: `python tests/pages/build_fixtures.py` (from the repo root).
Each list page has 3-10 `<article>` cards with real-looking arXiv ids; markup from benchmarks/pagegen.py.
"""

from __future__ import annotations

import json
import sys
from datetime import date
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent.parent / "benchmarks"))

import pagegen  # noqa: E402

sys.path.insert(0, str(HERE.parent.parent / "backend"))
from paperlens.ids import paper_url, title_id  # noqa: E402  (the id contract, not the parser)

HF = "https://huggingface.co"


def rec(pid, title, abstract, authors, published, upvotes, comments, keywords=(), org=None):
    return {"id": pid, "title": title, "abstract": abstract, "authors": list(authors), "published": published,
            "upvotes": upvotes, "comments": comments, "ai_keywords": list(keywords), "org": org}


R = [
    rec("2509.09737", "World Modeling with Probabilistic Structure Integration",
        "We present Probabilistic Structure Integration (PSI), a system for learning richly controllable and "
        "flexibly promptable world models from data. PSI consists of a three-step cycle.",
        ["Klemen Kotar", "Wanhee Lee", "Rahul Venkatesh", "Honglin Chen", "Daniel Bear", "Jared Watrous",
         "Simon Kim", "Khai Loong Aw", "Lilian Naing Chen", "Stefan Stojanov", "Kevin Feigelis", "Imran Thobani",
         "Alex Durango", "Khaled Jedoui", "Atlas Kazemian", "Dan Yamins"],
        "2025-09-10", 4, 1, ["world models", "probabilistic graphical model", "optical flow"], ("stanford", "Stanford")),
    rec("2509.08827", "A Survey of Reinforcement Learning for Large Reasoning Models",
        "In this paper, we survey recent advances in Reinforcement Learning (RL) for reasoning with Large "
        "Language Models (LLMs). RL has achieved remarkable success in advancing the frontier of LLM capabilities.",
        ["Kaiyan Zhang", "Yuxin Zuo", "Bingxiang He", "Youbang Sun", "Runze Liu"],
        "2025-09-10", 113, 3, ["Reinforcement Learning", "Large Reasoning Models", "RL"]),
    rec("2509.06160", "Reverse-Engineered Reasoning for Open-Ended Generation",
        "While the \"deep reasoning\" paradigm has spurred significant advances in verifiable domains like "
        "mathematics, its application to open-ended, creative generation remains a critical challenge.",
        ["Haozhe Wang", "Haoran Que", "Qixin Xu"], "2025-09-07", 48, 2, ["deep reasoning", "REER"]),
    rec("2408.04840", "mPLUG-Owl3: Towards Long Image-Sequence Understanding in Multi-Modal Large Language Models",
        "Multi-modal Large Language Models (MLLMs) have demonstrated remarkable capabilities in executing "
        "instructions for a variety of single-image tasks. Despite this progress, significant challenges remain.",
        ["Jiabo Ye", "Haiyang Xu", "Haowei Liu", "Anwen Hu", "Ming Yan", "Qi Qian", "Ji Zhang", "Fei Huang",
         "Jingren Zhou"], "2024-08-09", 34, 0, ["hyper attention", "MLLMs"], ("Qwen", "Qwen")),
    rec("2509.07980", "Parallel-R1: Towards Parallel Thinking via Reinforcement Learning",
        "Parallel thinking has emerged as a novel approach for enhancing the reasoning capabilities of large "
        "language models (LLMs) by exploring multiple reasoning paths concurrently.",
        ["Tong Zheng", "Hongming Zhang", "Wenhao Yu", "Xiaoyang Wang"], "2025-09-09", 0, 0, ["parallel thinking"]),
    rec("2509.09372", "VLA-Adapter: An Effective Paradigm for Tiny-Scale Vision-Language-Action Model",
        "Vision-Language-Action (VLA) models typically bridge the gap between perceptual and action spaces by "
        "pre-training a large-scale Vision-Language Model (VLM) on robotic data.",
        ["Yihao Wang"], "2025-09-11", 7, 5, ["Vision-Language-Action", "VLA-Adapter"], ("nvidia", "NVIDIA")),
    rec("2312.00752", "Mamba: Linear-Time Sequence Modeling with Selective State Spaces",
        "Foundation models, now powering most of the exciting applications in deep learning, are almost "
        "universally based on the Transformer architecture and its core attention module.",
        ["Albert Gu", "Tri Dao"], "2023-12-01", 153, 9, ["selective state spaces", "Mamba"]),
    rec("2509.04664", "Why Language Models Hallucinate",
        "Like students facing hard exam questions, large language models sometimes guess when uncertain, "
        "producing plausible yet incorrect statements instead of admitting uncertainty.",
        ["Adam Tauman Kalai", "Ofir Nachum", "Santosh S. Vempala", "Edwin Zhang"], "2025-09-04", 21, 4,
        ["hallucinations", "evaluation"]),
]
XSS = [
    rec("2509.10001", "<script>alert(1)</script> Prompt Injection in the Wild",
        "We study titles & abstracts that carry markup: <b>bold</b> claims and \"quoted\" strings.",
        ["Mallory O'Brien", "Eve <Attacker>"], "2025-09-11", 3, 1, ["prompt injection"]),
    rec("2509.10002", "Images that Fire Events: <img src=x onerror=alert(1)> as a Benchmark",
        "An abstract with an <img src=x onerror=alert(1)> tag and a closing </div> that must stay text.",
        ["Trudy Smith"], "2025-09-10", 0, 0, []),
    rec("2509.10003", "Plain Title After Hostile Ones: a > b < c",
        "Comparisons like a > b < c and entities like &amp; must survive as written.",
        ["Victor Lang", "Walter White"], "2025-09-09", 12, 2, ["entities"]),
]


def from_json(r: dict) -> dict:
    """What the hydration JSON says about a record."""
    return {"id": r["id"], "title": r["title"], "abstract": r["abstract"], "authors": r["authors"],
            "author_count": len(r["authors"]), "published": r["published"], "upvotes": r["upvotes"],
            "comments": r["comments"], "url": f"{HF}/papers/{r['id']}", "ai_keywords": r["ai_keywords"]}


def from_card(r: dict, full: bool) -> dict:
    """What a rendered card shows: the compact layout has only title, upvotes and comments; the full layout
    adds the abstract, the first four avatars' names, "N authors" and the date."""
    return {"id": r["id"], "title": r["title"], "abstract": r["abstract"] if full else "",
            "authors": r["authors"][:4] if full else [], "author_count": len(r["authors"]) if full else None,
            "published": r["published"] if full else None, "upvotes": r["upvotes"], "comments": r["comments"],
            "url": f"{HF}/papers/{r['id']}", "ai_keywords": []}


def comment(i: int, name: str, text: str) -> dict:
    return {"id": f"68c2{i:020x}", "author": {"_id": f"60{i:022x}", "fullname": name, "name": name,
                                              "type": "user", "isPro": False},
            "createdAt": "2025-09-12T10:00:00.000Z", "type": "comment",
            "data": {"edited": False, "hidden": False, "latest": {"raw": text, "html": f"<p>{text}</p>"},
                     "reactions": [], "identifiedLanguage": {"language": "en", "probability": 0.9}},
            "replies": []}


def write(name: str, content: str, kind: str, url: str, papers: list[dict], ext: str = "html") -> None:
    (HERE / f"{name}.{ext}").write_text(content, encoding="utf-8")
    expected = {"kind": kind, "url": url, "papers": papers, "warnings": []}
    (HERE / f"{name}.expected.json").write_text(json.dumps(expected, ensure_ascii=False, indent=2) + "\n",
                                                encoding="utf-8")


def text_copy() -> tuple[str, list[dict]]:
    """A copy of a daily page in the seeds' format, page date Sep 12 (year 2025, inferred from 2024's dates)."""
    lines = ["new", "", "Get trending papers in your email inbox!", "", "Subscribe", "", "Daily Papers", "",
             "byAK and the research community", "", "Sep 12", ""]
    papers = []
    for r in [R[0], R[3], R[5], R[1], R[6]]:
        lines += [r["title"], "", r["abstract"], ""]
        d = date.fromisoformat(r["published"])
        shown = pagegen.shown_date(r["published"], 2025)
        meta = r is not R[5]  # one paper without any metadata lines, as in the seeds
        if meta:
            up = f" {r['upvotes']}" if r["upvotes"] else ""
            lines += [f"  • {len(r['authors'])} authors", "·", shown + up, ""]
        pid = title_id(r["title"])
        from_text = {"id": pid, "title": r["title"], "abstract": r["abstract"], "authors": [],
                     "author_count": len(r["authors"]) if meta else None, "published": d.isoformat() if meta else None,
                     "upvotes": (r["upvotes"] if up else None) if meta else None, "comments": None, "url": paper_url(pid, r["title"]),
                     "ai_keywords": []}
        papers.append(from_text)
    return "\n".join(lines), papers


def main() -> None:
    day = f"{HF}/papers/date/2025-09-12"
    daily = [R[0], R[1], R[2], R[4], R[5]]
    write("daily", pagegen.list_page(daily, kind="daily", url=day, date_string="2025-09-12", page_year=2025),
          "daily", day, [from_json(r) for r in daily])

    week_url = f"{HF}/papers/week/2025-W37"
    week = [R[1], R[0], R[5], R[7]]
    write("week", pagegen.list_page(week, kind="week", url=week_url, date_string="2025-W37", page_year=2025),
          "week", week_url, [from_json(r) for r in week])

    month_url = f"{HF}/papers/month/2025-09"
    month = [R[1], R[2], R[0], R[7], R[5], R[4]]
    write("month", pagegen.list_page(month, kind="month", url=month_url, date_string="2025-09", page_year=2025,
                                     logged_in=False),
          "month", month_url, [from_json(r) for r in month])

    search_url = f"{HF}/papers?q=reasoning"
    search = [R[2], R[1], R[4]]
    write("search", pagegen.list_page(search, kind="search", url=search_url, date_string="2025-09-12",
                                      page_year=2025, query="reasoning", logged_in=False),
          "search", search_url, [from_json(r) for r in search])

    trending_url = f"{HF}/papers/trending"
    trending = [R[6], R[3], R[1], R[0]]
    write("trending", pagegen.list_page(trending, kind="trending", url=trending_url, date_string="2025-09-12",
                                        page_year=2025),
          "trending", trending_url, [from_json(r) for r in trending])

    paper_url = f"{HF}/papers/2509.09737"
    comments = [comment(1, "akhaliq", "Nice <b>work</b>!"), comment(2, "klemenk", "Code is at github.com/x.")]
    p = dict(from_json(R[0]), comments=2)
    write("paper", pagegen.paper_page(R[0], comments), "paper", paper_url, [p])

    # Cards only: the hydration div carries no data-props (older layout with abstract, avatars and dates).
    cards = [R[0], R[3], R[6], R[7]]
    write("cards_only", pagegen.list_page(cards, kind="daily", url=day, date_string="2025-09-12", page_year=2025,
                                          json_mode="none", logged_in=False, full=True),
          "daily", day, [from_card(r, True) for r in cards])

    # Stale JSON: the SPA switched day, the cards are the new day's, data-props still the previous day's.
    # Cards win (R[7], R[6] come from their compact cards); R[1] is in both, so the JSON fills it in.
    stale_cards = [R[7], R[1], R[6]]
    write("stale_json", pagegen.list_page(stale_cards, kind="daily", url=day, date_string="2025-09-12",
                                          page_year=2025, json_records=[R[0], R[1], R[2]]),
          "daily", day, [from_card(R[7], False), from_json(R[1]), from_card(R[6], False)])

    # Truncated JSON: the cards (compact) are all we can trust.
    broken = [R[2], R[4], R[5]]
    write("broken_json", pagegen.list_page(broken, kind="daily", url=day, date_string="2025-09-12", page_year=2025,
                                           json_mode="broken"),
          "daily", day, [from_card(r, False) for r in broken])

    # Hostile titles, escaped as Svelte escapes them (`<` -> `&lt;`, `>` raw); data-props before data-target.
    write("xss", pagegen.list_page(XSS, kind="daily", url=day, date_string="2025-09-12", page_year=2025,
                                   props_first=True),
          "daily", day, [from_json(r) for r in XSS])

    text, papers = text_copy()
    write("text_copy", text + "\n", "text", None, papers, ext="txt")


if __name__ == "__main__":
    main()
