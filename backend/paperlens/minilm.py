"""all-MiniLM-L6-v2 in plain torch: the bundled model's weights, its tokenizer, a 6-layer BERT forward, mean
pooling, unit vectors. What sentence-transformers computes for this model, without importing it.

Why not sentence-transformers (or KeyBERT's backend around it): importing it brings transformers and
scikit-learn along, about 190 MB of resident memory and 2.5 s of start-up on top of torch, for a model that is
sixty lines of tensor algebra. tests/test_embedding.py checks the vectors against sentence-transformers'.
"""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np

PRECISIONS = ("fp32", "bf16")


class MiniLM:
    """The model at `path` (a sentence-transformers folder: config.json, model.safetensors, tokenizer.json,
    sentence_bert_config.json) computing in `precision`: "fp32", or "bf16" (the matrix products in
    bfloat16, layer norms and pooling in float32)."""

    def __init__(self, path: str | Path, precision: str = "fp32"):
        import torch
        from safetensors import safe_open
        from tokenizers import Tokenizer

        if precision not in PRECISIONS:
            raise ValueError(f"unknown precision {precision!r}: use one of {', '.join(PRECISIONS)}")
        path = Path(path)
        config = json.loads((path / "config.json").read_text())
        max_len = json.loads((path / "sentence_bert_config.json").read_text())["max_seq_length"]
        self.precision = precision
        self.heads = config["num_attention_heads"]
        self.eps = config["layer_norm_eps"]
        self.dim = config["hidden_size"]
        self.tokenizer = Tokenizer.from_file(str(path / "tokenizer.json"))
        self.tokenizer.no_padding()  # we pad per batch, to the batch's longest text
        self.tokenizer.enable_truncation(max_len)
        # Tensor by tensor: safetensors' load_file reads the whole file into one buffer that any kept tensor
        # keeps alive (90 MB, after the bf16 copies were made).
        with safe_open(str(path / "model.safetensors"), framework="pt") as f:
            w = {name: f.get_tensor(name) for name in f.keys()}
        mm = torch.bfloat16 if precision == "bf16" else torch.float32
        self._mm = mm

        def dense(name: str):  # weights of the matrix products, in their compute dtype
            return w[f"{name}.weight"].to(mm).contiguous(), w[f"{name}.bias"].to(mm)

        def dense_qkv(p: str):  # query, key and value as one product: one pass over the activations, not three
            names = [f"{p}.attention.self.{m}" for m in ("query", "key", "value")]
            return (torch.cat([w[f"{n}.weight"] for n in names]).to(mm).contiguous(),
                    torch.cat([w[f"{n}.bias"] for n in names]).to(mm))

        def norm(name: str):  # copies: see below
            return w[f"{name}.weight"].clone(), w[f"{name}.bias"].clone()

        # The word table is half the model (30,522 x 384): in bf16 it costs 23 MB less and the page's
        # vectors move by nothing measurable (min cosine to fp32 0.99997 with it in bf16 or in fp32).
        self.word = w["embeddings.word_embeddings.weight"].to(mm)
        # safe_open maps the file: every tensor it gives is a view of that mapping, and one kept view keeps
        # all of it resident once read. In bf16 the fp32 weights are read once (to convert them) and then
        # must go, so what is kept in fp32 (norms, positions) is copied: the model took 142 MB of RSS, now 57.
        self.position = w["embeddings.position_embeddings.weight"].clone()
        self.token_type = w["embeddings.token_type_embeddings.weight"][0].clone()
        self.embed_norm = norm("embeddings.LayerNorm")
        self.layers = []
        for i in range(config["num_hidden_layers"]):
            p = f"encoder.layer.{i}"
            self.layers.append(
                {
                    "qkv": dense_qkv(p),
                    "o": dense(f"{p}.attention.output.dense"),
                    "norm1": norm(f"{p}.attention.output.LayerNorm"),
                    "up": dense(f"{p}.intermediate.dense"),
                    "down": dense(f"{p}.output.dense"),
                    "norm2": norm(f"{p}.output.LayerNorm"),
                }
            )

    def token_counts(self, texts: list[str]) -> list[int]:
        """How many tokens each text is (after truncation): what a batch pads to."""
        return [len(e.ids) for e in self.tokenizer.encode_batch(texts)]

    def encode(self, texts: list[str]) -> np.ndarray:
        """Unit vectors (float32, len(texts) x 384) of one batch: pad to its longest text, so callers batch
        texts of similar length together."""
        import torch
        import torch.nn.functional as F

        if not texts:
            return np.zeros((0, self.dim), dtype=np.float32)
        encodings = self.tokenizer.encode_batch(texts)
        width = max(len(e.ids) for e in encodings)
        ids = torch.zeros((len(texts), width), dtype=torch.long)
        mask = torch.zeros((len(texts), width), dtype=torch.bool)
        for row, e in enumerate(encodings):
            ids[row, : len(e.ids)] = torch.tensor(e.ids)
            mask[row, : len(e.ids)] = True
        with torch.inference_mode():
            x = self.word[ids].float() + self.position[:width] + self.token_type
            x = F.layer_norm(x, (self.dim,), *self.embed_norm, self.eps)
            attend = mask[:, None, None, :]  # each token attends to the batch row's real tokens only
            n, t, h = len(texts), width, self.heads
            for layer in self.layers:
                q, k, v = F.linear(x.to(self._mm), *layer["qkv"]).view(n, t, 3, h, -1).permute(2, 0, 3, 1, 4)
                a = F.scaled_dot_product_attention(q, k, v, attn_mask=attend)
                a = F.linear(a.transpose(1, 2).reshape(n, t, -1), *layer["o"]).float()
                x = F.layer_norm(x + a, (self.dim,), *layer["norm1"], self.eps)
                up = F.gelu(F.linear(x.to(self._mm), *layer["up"]))
                x = F.layer_norm(x + F.linear(up, *layer["down"]).float(), (self.dim,), *layer["norm2"], self.eps)
            weights = mask.unsqueeze(-1).float()
            pooled = (x * weights).sum(1) / weights.sum(1).clamp(min=1e-9)
            return F.normalize(pooled, dim=-1).numpy().astype(np.float32, copy=False)
