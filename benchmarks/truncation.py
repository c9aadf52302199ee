"""Abstracts cut shorter than the model's own 256 tokens: what it would cost in quality, measured before doing it.

The product cuts texts where all-MiniLM-L6-v2 was trained to (sentence_bert_config.json's max_seq_length, 256
tokens). A shorter cut makes a fresh page cheaper (attention grows with the square of a text's length), so
bench_keyphrases.py and bench_chips.py take `--max-tokens N` to measure keyphrase F1 and the chips a reader
sees with it; nothing in the product reads this.
"""

from __future__ import annotations


def cut_texts_at(embedder, max_tokens: int | None) -> None:
    """Make this process's bundled model (behind `embedder`, a BundledEmbedder) cut every text at `max_tokens`
    tokens (None: leave the model's own cut)."""
    if max_tokens is None:
        return
    if max_tokens < 2:
        raise SystemExit("--max-tokens must be at least 2 (the model's [CLS] and [SEP])")
    embedder.load().tokenizer.enable_truncation(max_tokens)
