"""The founding examples: the two text copies parse to exactly their papers.

Expected values were read off the seed files by eye (title line, `• N authors`, date line); abstracts are
compared with the line after the title in the raw file, found without the parser.
"""

from __future__ import annotations

import os
import subprocess
import sys
import json
from pathlib import Path

import pytest
from conftest import SEEDS

from paperlens.digest import parse_page
from paperlens.ids import paper_url, title_id

ROOT = Path(__file__).resolve().parent.parent


def _seeds_dir() -> Path:
    if not SEEDS.is_dir():
        pytest.skip(f"the seed text copies are not in {SEEDS} (set PAPERLENS_SHARED)")
    return SEEDS


def _seed(name: str) -> tuple[Path, str]:
    path = next(_seeds_dir().glob(f"{name}_*.txt"), None)
    if path is None:
        pytest.skip(f"seed {name} not found")
    return path, path.read_text(encoding="utf-8")


def _raw_abstract(text: str, title: str) -> str:
    """The non-empty line after the title line, straight from the file."""
    lines = [ln.strip() for ln in text.splitlines() if ln.strip()]
    return lines[lines.index(title) + 1]


# (position, title, author_count, published, upvotes)
SEED_000 = [
    (0, "Unified Generative and Discriminative Training for Multi-modal Large Language Models", 10, "2024-10-31", None),
    (1, "Educating LLMs like Human Students: Structure-aware Injection of Domain Knowledge", 8, "2024-07-23", None),
    (2, "A good body is all you need: avoiding catastrophic interference via agent architecture search", 4,
     "2021-08-18", None),
    (3, "How connectivity structure shapes rich and lazy learning in neural circuits", 6, "2023-10-12", None),
    (4, "World Modeling with Probabilistic Structure Integration", 16, "2025-09-10", 4),
    (5, "Where to find Grokking in LLM Pretraining? Monitor Memorization-to-Generalization without Test", 3,
     "2025-06-26", 2),
    (None, "In-Context Learning Strategies Emerge Rationally", 6, "2025-06-21", 1),
    (None, "Efficient Generative Model Training via Embedded Representation Warmup", 4, "2025-04-14", 2),
    (None, "Skill-Targeted Adaptive Training", None, None, None),  # no metadata lines at all
    (None, "GraphCodeBERT: Pre-training Code Representations with Data Flow", 18, "2020-09-17", None),
    (None, "Thinking Sparks!: Emergent Attention Heads in Reasoning Models During Post Training", None, None, None),
    (None, "CLR: Channel-wise Lightweight Reprogramming for Continual Learning", 6, "2023-07-21", None),
    (77, "Continual Learning with Dependency Preserving Hypernetworks", 4, "2022-09-16", None),
]

SEED_001 = [
    (0, "Weird Generalization and Inductive Backdoors: New Ways to Corrupt LLMs", 7, "2025-12-10", 1),
    (1, "HARD: Hard Augmentations for Robust Distillation", 3, "2023-05-24", None),
    (3, "Relational inductive biases, deep learning, and graph networks", 27, "2018-06-04", None),
    (None, "Mega-TTS: Zero-Shot Text-to-Speech at Scale with Intrinsic Inductive Bias", 12, "2023-06-06", 4),
    (None, "Bridging Reasoning to Learning: Unmasking Illusions using Complexity Out of Distribution Generalization",
     None, None, None),
    (None, "PredFormer: Transformers Are Effective Spatial-Temporal Predictive Learners", 6, "2024-10-06", None),
    (None, "Geometry aware inference of steady state PDEs using Equivariant Neural Fields representations", 5,
     "2025-04-24", None),
    (None, "Self-Evolving Curriculum for LLM Reasoning", 9, "2025-05-20", None),
    (None, "Pretraining Data Mixtures Enable Narrow Model Selection Capabilities in Transformer Models", 3,
     "2023-11-01", 1),
    (24, "Query-Based Adaptive Aggregation for Multi-Dataset Joint Training Toward Universal Visual Place Recognition",
     3, "2025-07-04", None),
]


def _check(text: str, expected: list, total: int) -> None:
    page = parse_page(text)
    assert page.kind == "text"
    assert len(page.papers) == total
    assert len({p.id for p in page.papers}) == total
    by_title = {p.title: (i, p) for i, p in enumerate(page.papers)}
    for pos, title, count, published, upvotes in expected:
        i, p = by_title[title]
        if pos is not None:
            assert i == pos, title
        assert (p.author_count, p.published, p.upvotes) == (count, published, upvotes), title
        assert p.abstract == _raw_abstract(text, title), title
        assert p.id == title_id(title) and p.url == paper_url(p.id, title)
        assert p.comments is None and p.authors == []


def test_seed_000_records():
    _, text = _seed("000")
    _check(text, SEED_000, 78)


def test_seed_001_records():
    _, text = _seed("001")
    _check(text, SEED_001, 25)
    page = parse_page(text)
    assert sum(p.author_count is None for p in page.papers) == 1


def test_seed_abstracts_are_exact_lines():
    _, text = _seed("000")
    world = next(p for p in parse_page(text).papers if p.title.startswith("World Modeling"))
    assert world.abstract.startswith("We present Probabilistic Structure Integration (PSI), a system for learning")
    assert world.abstract.endswith("to support a full cycle of predictive improvements.")
    assert '"intermediate structures"' in world.abstract


def test_seed_dates_never_after_the_page_date():
    # 000 is dated Oct 31 and 001 Dec 26; both pages show 2024 as the latest explicit year, so they are 2025.
    for name, page_date in (("000", "2025-10-31"), ("001", "2025-12-26")):
        _, text = _seed(name)
        dates = [p.published for p in parse_page(text).papers if p.published]
        assert dates and max(dates) <= page_date


def test_year_from_the_url_wins():
    _, text = _seed("001")
    page = parse_page(text, url="https://huggingface.co/papers/date/2024-12-26")
    weird = page.papers[0]
    assert weird.published == "2024-12-10"
    assert page.kind == "daily"


def test_cli_parse_prints_the_seed():
    path, _ = _seed("000")
    env = dict(os.environ, PYTHONPATH=str(ROOT / "backend"))
    out = subprocess.run([sys.executable, "-m", "paperlens", "parse", str(path)], capture_output=True, text=True,
                         env=env, timeout=120, check=True).stdout
    body = json.loads(out)
    assert body["kind"] == "text" and len(body["papers"]) == 78
    world = next(p for p in body["papers"] if p["title"] == "World Modeling with Probabilistic Structure Integration")
    assert (world["author_count"], world["published"], world["upvotes"]) == (16, "2025-09-10", 4)
