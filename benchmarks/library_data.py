"""Shared benchmark helpers: where the shared data lives, and a big synthetic library built from it.

Data is read from ../shared/data next to the repo (or $PAPERLENS_SHARED) and never
copied into the repo; synthetic libraries are built in memory or in a temp dir.
"""

from __future__ import annotations

import json
import random
import re
from pathlib import Path
from paths import shared_dir  # noqa: E402

ROOT = Path(__file__).resolve().parent.parent




def read_jsonl(path: Path) -> list[dict]:
    with open(path, encoding="utf-8") as f:
        return [json.loads(line) for line in f if line.strip()]


def source_abstracts() -> list[tuple[str, str]]:
    """(title, abstract) pairs from every available source: CSFCube corpus, Inspec, SemEval 2017."""
    data = shared_dir() / "data"
    out: list[tuple[str, str]] = []
    csf = data / "csfcube" / "corpus.jsonl"
    if csf.exists():
        out += [(d["title"], d["abstract"]) for d in read_jsonl(csf)]
    for path in sorted(data.glob("inspec/*.jsonl")) + sorted(data.glob("semeval2017/*.jsonl")):
        for d in read_jsonl(path):
            title = d.get("title") or ""
            abstract = d.get("abstract") or d.get("text") or d.get("document") or ""
            if isinstance(abstract, list):
                abstract = " ".join(abstract)
            if not title and abstract:
                title, _, abstract = abstract.partition(". ")
            if abstract:
                out.append((title, abstract))
    return out


_SENT = re.compile(r"(?<=[.!?])\s+")


def synthetic_library(n: int, seed: int = 0) -> list[dict]:
    """`n` papers {"id", "title", "title_key", "abstract"}: the real abstracts first, then new ones made
    by recombining sentences of real abstracts (a title from one, 5-8 sentences from others), so
    the vocabulary and term statistics stay those of real CS abstracts."""
    rng = random.Random(seed)
    real = source_abstracts()
    if not real:
        raise SystemExit(f"no abstracts found under {shared_dir() / 'data'}")
    sentences = [s for _, a in real for s in _SENT.split(a) if len(s) > 30]
    out = []
    for i in range(n):
        if i < len(real):
            title, abstract = real[i]
        else:
            title = real[rng.randrange(len(real))][0]
            abstract = " ".join(rng.choice(sentences) for _ in range(rng.randint(5, 8)))
        pid = f"{2000 + i // 100000:04d}.{i % 100000:05d}"
        out.append({"id": pid, "title": title, "title_key": f"{title.lower()} #{i}", "abstract": abstract,
                    "url": f"https://huggingface.co/papers/{pid}"})
    return out
