"""The bundled model's speed: how it computes attention, and how many texts it takes per call. Two tables.

Attention: as the bundled model computes it in bf16 (minilm.py `chunked_attention`) against torch's
scaled_dot_product_attention, at the text lengths a page has (phrases of 8 tokens to abstracts of 256), in
bf16 and fp32, in one run. Prints a table: milliseconds per batch of 4,096 padded tokens (the fastest call;
the kernels take turns) and the largest
difference to an fp32 reference, for `chunked_attention` at several chunk sizes (values of scores computed at
once; the model's SCORES_PER_CHUNK is marked) and for torch's kernel. The model runs `chunked_attention` in
bf16 and torch's kernel in fp32 (see `MiniLM._attend`): this table is why.

Shapes are the model's: 12 heads of 32. Each batch has rows of random real length (three quarters of the
width up to all of it, the first row full), masked as the model masks them.

Batches: the seed pages' 103 papers embedded as the keyphrase worker does it (passes of 4, then 8 papers:
each pass's abstracts, then its new candidate phrases), in the served precision, at several BATCH_MAX
(embedding.py: texts per model call; the model's setting is marked), alternating, best of `--rounds`.

    PYTHONPATH=backend .venv/bin/python benchmarks/bench_model.py [attention|batches|all] [--repeat 40]

Nothing is downloaded. The seeds come from $PAPERLENS_SHARED or ../shared.
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "backend"))

import torch  # noqa: E402
import torch.nn.functional as F  # noqa: E402

from paperlens.minilm import MiniLM, chunked_attention  # noqa: E402

HEADS, HEAD_SIZE, BATCH_TOKENS = 12, 32, 4096
CHUNKS = (1 << 18, 1 << 20, 1 << 22, 1 << 24)  # 16M: a batch's 16 abstracts at once


def best_ms(fns: dict, calls: int) -> dict:
    """{name: the fastest single call of fns[name], in ms}: the functions take turns, call by call, so a burst
    of load on this shared machine slows all of them alike instead of one table cell."""
    for fn in fns.values():
        fn()  # warm up
    best = dict.fromkeys(fns, float("inf"))
    for _ in range(calls):
        for name, fn in fns.items():
            started = time.perf_counter()
            fn()
            best[name] = min(best[name], (time.perf_counter() - started) * 1000)
    return best


def attention(repeat: int) -> None:
    torch.manual_seed(0)
    print(f"torch {torch.__version__}, {torch.get_num_threads()} threads; ms per batch of {BATCH_TOKENS} padded "
          f"tokens, the fastest of {repeat} calls taken in turns (max |difference| to fp32 torch); the model's "
          f"chunk is {MiniLM.SCORES_PER_CHUNK:,} scores\n")
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

            fns = {"torch": theirs}
            for chunk in CHUNKS:
                fns[chunk] = lambda chunk=chunk: chunked_attention(q, k, v, bias, short, chunk)
            best = best_ms(fns, repeat)
            cells = [f"{best[name]:.2f} ({error(fn()):.4f})" for name, fn in fns.items()]
            t_torch, ours_model = best["torch"], best[MiniLM.SCORES_PER_CHUNK]
            name = "bf16" if dtype == torch.bfloat16 else "fp32"
            print(f"| {name} | {width} | {n} | {' | '.join(cells)} | {t_torch / ours_model:.2f}x |")


def passes() -> list[tuple[list[str], list[str]]]:
    """[(a pass's "title. abstract" texts, its candidate phrases not embedded by an earlier pass)], as the
    keyphrase worker sends them to the model for the seed pages (keyphrase_jobs.py RAMP, BATCH)."""
    from serverlib import seed_texts

    from paperlens.digest import parse_page
    from paperlens.keyphrase_jobs import KeyphraseWorker
    from paperlens.keyphrases import KeyphraseExtractor, candidates

    papers = parse_page("\n".join(seed_texts())).papers
    pruner = KeyphraseExtractor(embedder=object())
    out, seen, start = [], set(), 0
    sizes = list(KeyphraseWorker.RAMP)
    while start < len(papers):
        size = sizes.pop(0) if sizes else KeyphraseWorker.BATCH
        part = papers[start : start + size]
        start += size
        phrases = [c.key for p in part for c in pruner._prune(candidates(p.title, p.abstract))]
        fresh = [x for x in dict.fromkeys(phrases) if x not in seen]
        seen.update(fresh)
        out.append(([f"{p.title}. {p.abstract}" for p in part], fresh))
    return out


def batches(rounds: int) -> None:
    from paperlens import embedding

    work = passes()
    embedder = embedding.BundledEmbedder("auto")
    embedder.embed(work[0][0] + work[0][1])  # load and warm up
    settings = sorted({64, 128, embedding.BATCH_MAX, 512})
    model_setting = embedding.BATCH_MAX
    best = {b: [float("inf"), float("inf")] for b in settings}
    try:
        for _ in range(rounds):
            for b in settings:
                embedding.BATCH_MAX = b
                for i, texts in enumerate(zip(*work)):  # (all passes' abstracts), (all passes' phrases)
                    started = time.perf_counter()
                    for batch in texts:
                        embedder.embed(batch)
                    best[b][i] = min(best[b][i], time.perf_counter() - started)
    finally:
        embedding.BATCH_MAX = model_setting
    docs, phrases = sum(len(d) for d, _ in work), sum(len(p) for _, p in work)
    print(f"\nThe seed pages in {len(work)} passes: {docs} abstracts, {phrases} new phrases; precision "
          f"{embedder.precision}; seconds, best of {rounds}\n")
    print("| BATCH_MAX | abstracts s | phrases s | total s |")
    print("|---|---|---|---|")
    for b in settings:
        mark = " (model)" if b == model_setting else ""
        print(f"| {b}{mark} | {best[b][0]:.3f} | {best[b][1]:.3f} | {sum(best[b]):.3f} |")


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("what", nargs="?", default="all", choices=["attention", "batches", "all"])
    ap.add_argument("--repeat", type=int, default=40, help="attention: calls of each kernel, taken in turns")
    ap.add_argument("--rounds", type=int, default=3, help="batches: alternating rounds")
    args = ap.parse_args()
    if args.what in ("attention", "all"):
        attention(args.repeat)
    if args.what in ("batches", "all"):
        batches(args.rounds)


if __name__ == "__main__":
    main()
