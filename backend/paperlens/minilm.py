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
    sentence_bert_config.json) computing in `precision`: "fp32", or "bf16" (the matrix products and the
    attention softmax in bfloat16, the residual stream, layer norms and pooling in float32)."""

    # Attention scores computed at once in bf16, in values (2 MB): see `_attend` and benchmarks/bench_model.py.
    SCORES_PER_CHUNK = 1 << 20

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

    def tokenize(self, texts: list[str]) -> list[list[int]]:
        """Each text's token ids (after truncation), for `encode_ids`; a caller batching by length tokenizes once."""
        return [e.ids for e in self.tokenizer.encode_batch(texts)]

    def encode(self, texts: list[str]) -> np.ndarray:
        """Unit vectors (float32, len(texts) x 384) of one batch (see `encode_ids`)."""
        return self.encode_ids(self.tokenize(texts))

    def encode_ids(self, seqs: list[list[int]]) -> np.ndarray:
        """Unit vectors (float32, len(seqs) x 384) of one batch of token id lists.

        The batch is packed: the matrix products, norms and pooling run on its real tokens only, and only
        attention sees the texts padded to the batch's longest (the seed pages' phrases are 3 to 13 tokens
        long: padded as before, in sorted batches of 64, 27% of the tokens computed were padding). Callers
        still batch texts of similar length together, as attention's work grows with the longest text's
        length squared. An empty id list (no [CLS] even) gets a zero vector."""
        import torch
        import torch.nn.functional as F

        if not seqs:
            return np.zeros((0, self.dim), dtype=np.float32)
        n, h = len(seqs), self.heads
        lengths = torch.tensor([len(s) for s in seqs])
        width = int(lengths.max())
        if not width:
            return np.zeros((n, self.dim), dtype=np.float32)
        real = torch.arange(width)[None, :] < lengths[:, None]  # (n, width): which places hold a token
        full = bool(real.all())  # no padding at all: no scatter, no mask
        places = real.flatten().nonzero().squeeze(1)  # each packed token's place in the padded (n*width)
        ids = torch.tensor([i for s in seqs for i in s], dtype=torch.long)
        position = torch.arange(width).expand(n, width)[real]
        rows = torch.repeat_interleave(torch.arange(n), lengths)
        # Padding's keys get -inf before the softmax; built once per batch, added only where a row is short.
        bias = None if full else torch.zeros((n, 1, 1, width), dtype=self._mm).masked_fill(
            ~real[:, None, None, :], float("-inf"))
        short = [bool(x) for x in (lengths < width)]
        with torch.inference_mode():
            x = self.word[ids].float() + self.position[position] + self.token_type
            x = F.layer_norm(x, (self.dim,), *self.embed_norm, self.eps)
            for layer in self.layers:
                qkv = F.linear(x.to(self._mm), *layer["qkv"])
                if not full:
                    padded = qkv.new_zeros((n * width, qkv.shape[1]))
                    padded[places] = qkv
                    qkv = padded
                q, k, v = qkv.view(n, width, 3, h, -1).permute(2, 0, 3, 1, 4)
                a = self._attend(q, k, v, bias, short).transpose(1, 2).reshape(n * width, -1)
                a = F.linear(a if full else a[places], *layer["o"]).float()
                x = F.layer_norm(x + a, (self.dim,), *layer["norm1"], self.eps)
                up = F.gelu(F.linear(x.to(self._mm), *layer["up"]))
                x = F.layer_norm(x + F.linear(up, *layer["down"]).float(), (self.dim,), *layer["norm2"], self.eps)
            pooled = torch.zeros((n, self.dim)).index_add_(0, rows, x) / lengths[:, None].clamp(min=1).float()
            return F.normalize(pooled, dim=-1).numpy().astype(np.float32, copy=False)

    def _attend(self, q, k, v, bias, short: list[bool]):
        """Softmax attention of (n, heads, t, head size) q, k, v; `bias` is -inf at padding's keys (None: no
        padding), `short` says which rows have padding.

        In bf16 `chunked_attention`: torch's scaled_dot_product_attention (its CPU flash kernel) was 1.4-3.3x
        slower here at every length from 8 to 256 tokens. In fp32 the two were about even (0.9-1.3x, by length
        and run), so the fp32 path, the reference, keeps torch's kernel (the one sentence-transformers runs).
        benchmarks/bench_model.py attention measures both."""
        import torch
        import torch.nn.functional as F

        if q.dtype == torch.float32:
            return F.scaled_dot_product_attention(q, k, v, attn_mask=bias)
        return chunked_attention(q, k, v, bias, short, self.SCORES_PER_CHUNK)


def chunked_attention(q, k, v, bias, short: list[bool], chunk: int):
    """Attention as two matrix products and a softmax, a few texts at a time: each step's scores (at most
    `chunk` values, or one text's) stay in cache between the products and the softmax; all 16 abstracts of a
    batch at once were slower than torch's kernel."""
    import torch

    n, h, t, _ = q.shape
    step = max(1, chunk // (h * t * t))
    q = q * q.shape[-1] ** -0.5
    out = q.new_empty(q.shape)
    for i in range(0, n, step):
        scores = torch.matmul(q[i : i + step], k[i : i + step].transpose(-1, -2))
        if bias is not None and any(short[i : i + step]):
            scores += bias[i : i + step]
        torch.matmul(torch.softmax(scores, dim=-1), v[i : i + step], out=out[i : i + step])
    return out
