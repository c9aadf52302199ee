"""Attention as the bundled model computes it in bf16 (minilm.py `chunked_attention`) against torch's
scaled_dot_product_attention, at the text lengths a page has (phrases of 8 tokens to abstracts of 256), in
bf16 and fp32, in one run. Prints a table: milliseconds per batch of 4,096 padded tokens and the largest
difference to an fp32 reference, for `chunked_attention` at several chunk sizes (values of scores computed at
once; the model's SCORES_PER_CHUNK is marked) and for torch's kernel. The model runs `chunked_attention` in
bf16 and torch's kernel in fp32 (see `MiniLM._attend`): this table is why.

    PYTHONPATH=backend .venv/bin/python benchmarks/bench_attention.py [--repeat 20]

Shapes are the model's: 12 heads of 32. Each batch has rows of random real length (three quarters of the
width up to all of it, the first row full), masked as the model masks them. Nothing is downloaded.
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "backend"))

import torch  # noqa: E402
import torch.nn.functional as F  # noqa: E402

from paperlens.minilm import MiniLM, chunked_attention  # noqa: E402

HEADS, HEAD_SIZE, BATCH_TOKENS = 12, 32, 4096
CHUNKS = (1 << 18, 1 << 20, 1 << 22, 1 << 24)  # 16M: a batch's 16 abstracts at once


def ms(fn, repeat: int) -> float:
    """Best of three means of `repeat` calls, in milliseconds (the machine is shared)."""
    fn()
    best = float("inf")
    for _ in range(3):
        started = time.perf_counter()
        for _ in range(repeat):
            fn()
        best = min(best, (time.perf_counter() - started) / repeat * 1000)
    return best


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--repeat", type=int, default=20)
    args = ap.parse_args()
    torch.manual_seed(0)
    print(f"torch {torch.__version__}, {torch.get_num_threads()} threads; ms per batch of {BATCH_TOKENS} padded "
          f"tokens (max |difference| to fp32 torch); the model's chunk is {MiniLM.SCORES_PER_CHUNK:,} scores\n")
    head = " | ".join(f"ours, chunk {c:,}{' (model)' if c == MiniLM.SCORES_PER_CHUNK else ''}" for c in CHUNKS)
    print(f"| precision | tokens | rows | torch sdpa | {head} | torch / ours (model) |")
    print("|---" * (5 + len(CHUNKS)) + "|")
    for dtype in (torch.bfloat16, torch.float32):
        for width in (8, 16, 32, 64, 128, 192, 256):
            n = BATCH_TOKENS // width
            q, k, v = (torch.randn(n, HEADS, width, HEAD_SIZE) for _ in range(3))
            lengths = torch.randint(max(1, width * 3 // 4), width + 1, (n,))
            lengths[0] = width
            real = torch.arange(width)[None, :] < lengths[:, None]
            mask = real[:, None, None, :]
            bias = torch.zeros((n, 1, 1, width), dtype=dtype).masked_fill(~mask, float("-inf"))
            short = [bool(x) for x in lengths < width]
            reference = F.scaled_dot_product_attention(q, k, v, attn_mask=mask)
            q, k, v = (t.to(dtype) for t in (q, k, v))

            def error(out):
                return (out.float() - reference).transpose(1, 2)[real].abs().max().item()  # real queries only

            def theirs():  # as the model calls it in fp32: the same -inf bias
                return F.scaled_dot_product_attention(q, k, v, attn_mask=bias)

            t_torch = ms(theirs, args.repeat)
            cells = [f"{t_torch:.2f} ({error(theirs()):.4f})"]
            ours_model = None
            for chunk in CHUNKS:
                t = ms(lambda: chunked_attention(q, k, v, bias, short, chunk), args.repeat)
                cells.append(f"{t:.2f} ({error(chunked_attention(q, k, v, bias, short, chunk)):.4f})")
                if chunk == MiniLM.SCORES_PER_CHUNK:
                    ours_model = t
            name = "bf16" if dtype == torch.bfloat16 else "fp32"
            print(f"| {name} | {width} | {n} | {' | '.join(cells)} | {t_torch / ours_model:.2f}x |")


if __name__ == "__main__":
    main()
