"""The rules that make a keyphrase chip read like a researcher wrote it (issue 15): LaTeX decoded, no verb at
either end, whole words only, the casing the text uses, one chip per concept on a card, generic phrases
weighing less. Pure rules on candidates; the ranking parts run on the small hash embedder."""

from __future__ import annotations

import numpy as np
import pytest

from paperlens.keyphrases import (
    BROAD,
    KeyphraseExtractor,
    Settings,
    candidates,
    generic_phrase,
    mmr_select,
    plain_text,
    same_concept,
)


def texts(title, abstract=""):
    return {c.text for c in candidates(title, abstract)}


def keyed(title, abstract=""):
    return {c.key: c for c in candidates(title, abstract)}


# ---------------------------------------------------------------- LaTeX


def test_latex_is_decoded_before_candidates_and_percent_signs_survive():
    assert plain_text(r"(I) \textbf{L}azy learning and an apparently na\"{\i}ve ensembling") == (
        "(I) Lazy learning and an apparently naïve ensembling"
    )
    # pylatexenc reads a bare % as a comment: the text after it would be lost.
    assert plain_text(r"cuts the corpus to 0.3% while \emph{keeping} 50% of the gains") == (
        "cuts the corpus to 0.3% while keeping 50% of the gains"
    )
    got = texts("", r"We study (I) \textbf{L}azy learning with an apparently na\"{\i}ve ensembling technique.")
    assert {"lazy learning", "naïve ensembling technique"} <= {t.lower() for t in got}
    assert not any(t.startswith(("azy", "ve ")) for t in got)


def test_math_never_joins_or_enters_a_phrase():
    got = texts("", r"We bound the $\ell_1$ norm of sparse $k$-sparse codes and use \(x^2\) regularization terms.")
    assert not any("ell" in t or "x^2" in t or "sparse regularization" in t for t in got)
    assert "norm" in {t for t in got} or any(t.endswith("norm") for t in got)


# ---------------------------------------------------------------- verbs


@pytest.mark.parametrize(
    "abstract, bad, good",
    [
        # A noun phrase and the third-person verb after it, read as a plural noun.
        ("Grokking, i.e., test performance keeps improving long after training.", "test performance keeps",
         "test performance"),
        ("We ask why a reward model learns these disparate strategies.", "reward model learns", "reward model"),
        ("We prove that SAM learns different features.", "SAM learns", "SAM"),
        ("Conventional neural network training lacks the flexibility.", "neural network training lacks",
         "neural network training"),
        ("Therefore, generative protein modeling necessitates a multimodal approach.",
         "generative protein modeling necessitates", "generative protein modeling"),
        ("While random curricula serve as common baselines, they fail.", "random curricula serve", "random curricula"),
        # A base verb and its object.
        ("Previous works usually encode speech into latent codes.", "encode speech", "speech"),
        # Participles: after an auxiliary, and an -ing verb with its object.
        ("Transformer architectures have revolutionized artificial intelligence.",
         "revolutionized artificial intelligence", "artificial intelligence"),
        ("The plasticity loss is the principal bottleneck impeding efficient training.",
         "principal bottleneck impeding", "principal bottleneck"),
        ("It learns each independent concept underlying the data generating process.",
         "independent concept underlying", "independent concept"),
    ],
)
def test_no_candidate_starts_or_ends_with_a_verb(abstract, bad, good):
    got = {t.lower() for t in texts("", abstract)}
    assert bad.lower() not in got and good.lower() in got, sorted(got)


def test_a_title_verb_after_to_or_after_a_question_is_not_part_of_a_phrase():
    assert "corrupt LLMs" not in texts("Weird Generalization and Inductive Backdoors: New Ways to Corrupt LLMs")
    assert "LLMs" in texts("Weird Generalization and Inductive Backdoors: New Ways to Corrupt LLMs")
    got = texts("Transformer-Based Models Are Not Yet Perfect At Learning to Emulate Structural Recursion")
    assert "structural recursion" in got and not any("emulate" in t.lower() for t in got)
    got = texts("Where to find Grokking in LLM Pretraining? Monitor Memorization-to-Generalization without Test")
    assert "memorization-to-generalization" in got and not any("monitor" in t.lower() for t in got)
    # A noun-phrase title keeps its nouns: "Graph", "Model", "Materials" are not verbs there.
    assert "graph neural networks" in texts("Graph Neural Networks for Chemistry")
    assert "generative hierarchical materials search" in {t.lower() for t in texts("Generative Hierarchical Materials Search")}
    # "to" before a noun is a preposition.
    assert "language modeling" in texts("", "We apply sparse attention to language modeling.")


# ---------------------------------------------------------------- whole words


def test_possessives_are_never_dropped_into_a_phrase():
    got = texts("", "Bonuses use the agent's entire training experience and a robot's physical structure.")
    assert not any(t.startswith(("agent entire", "robot physical")) for t in got)
    assert "entire training experience" in got and "physical structure" in got


def test_dashes_split_words():
    got = texts("", "The structure of biological neural circuits—modular, hierarchical—inspires us.")
    assert "biological neural circuits" in got and not any("modular" in t for t in got)
    # A hyphen typed for a dash: before a pronoun, or after a plural noun before an adjective.
    got = texts("", "The structure of biological neural circuits-modular, hierarchical, and sparse.")
    assert "biological neural circuits" in got and not any("circuits-modular" in t for t in got)
    got = texts("", "As events or stimuli-we reconceptualize neural architectures.")
    assert not any("stimuli-we" in t for t in got)
    # Real compounds stay whole.
    got = texts("", "State-of-the-art end-to-end models use circuit-level analysis.")
    assert "circuit-level analysis" in got


def test_a_span_cut_out_of_a_longer_term_is_marked_clipped():
    cs = keyed("", "We solve steady state PDEs with a generally applicable data augmentation framework.")
    assert cs["steady state pde"].whole and not cs["state pde"].whole
    assert cs["data augmentation framework"].whole and not cs["augmentation framework"].whole
    # A leading -ing verb is no part of the term after it: that term is whole.
    assert keyed("Model Breadcrumbs: Scaling Multi-Task Model Merging with Sparse Masks")["multi-task model merging"].whole
    # The right edge: a noun the suffix rule took for an adjective ("descent") still heads the phrase.
    assert "vanilla gradient descent" in texts("", "We run vanilla gradient descent on a polynomial.")
    assert "vanilla gradient" not in texts("", "We run vanilla gradient descent on a polynomial.")


def test_numbers_and_sizes_are_no_phrases():
    got = texts("", "Our ResNets are 1.7x - 2.7x faster, training a 1.5B parameter model on 210B tokens.")
    assert not any(t[0].isdigit() for t in got), got
    assert "parameter model" in got


def test_web_addresses_are_no_phrases():
    assert not any("www" in t or ".ai" in t for t in texts("", "Code is at www.atom3d.ai and github.com/x."))


# ---------------------------------------------------------------- casing


def test_casing_follows_the_text_not_the_title_case():
    got = texts("Learning Features with Parameter-Free Layers")
    assert "parameter-free layers" in got
    got = texts("Multi-Head Adapter Routing for Cross-Task Generalization")
    assert {"multi-head adapter routing", "cross-task generalization"} <= got
    # A sentence-case title keeps its capitals (names); its first word is a sentence start.
    got = texts("Lagrangian PINNs: A causality-conforming solution to failure modes of physics-informed neural networks")
    assert "Lagrangian PINNs" in got and "physics-informed neural networks" in got
    assert "dense Hebbian neural networks" in texts("Dense Hebbian neural networks: a replica symmetric picture")
    # Capitals an acronym was introduced with say nothing about the words elsewhere.
    got = texts("Unified Training for Multi-modal Large Language Models",
                "Multimodal Large Language Models (MLLMs) have been trained under two paradigms.")
    assert "multi-modal large language models" in got
    # A name keeps its capitals; a method named at a sentence start keeps them too.
    assert "Monte Carlo Tree Search" in texts("", "We then perform a Monte Carlo Tree Search to collect data.")
    assert "Dynamic Fine-Tuning" in texts("", "It is costly. Dynamic Fine-Tuning (DFT) recently emerged.")
    assert "ATOM3D" in texts("ATOM3D: Tasks On Molecules in Three Dimensions", "We present ATOM3D, a collection.")


def test_capitals_that_spell_an_acronym_are_typography():
    got = texts("KIND: Knowledge Integration and Diversion in Diffusion Models",
                "We propose Knowledge INtegration and Diversion (KIND), which decomposes parameter matrices.")
    assert "knowledge integration" in got and not any("INtegration" in t for t in got)
    got = texts("", "We introduce Recursive IntroSpEction (RISE), an approach for fine-tuning LLMs.")
    assert "recursive introspection" in got
    # Camel-case names keep theirs: not a dictionary word, or ending in a capital.
    got = texts("", "We train LLaMA with FlashAttention on ResNet features, unlike BERTology studies.")
    assert {"LLaMA", "FlashAttention"} <= got and not {"llama", "flashattention"} & got, got


# ---------------------------------------------------------------- one chip per concept


@pytest.mark.parametrize(
    "a, b",
    [
        ("few-shot learning", "transductive few-shot learning"),  # contained
        ("lazier learning", "lazy learning"),  # a variant after lemmas
        ("few-shot tasks", "transductive few-shot learning"),  # a generic head dropped
        ("few-shot learning experiments", "few-shot learning"),
        ("PETL methods", "parameter-efficient transfer learning"),  # acronym and expansion
        ("PINNs", "physics-informed neural networks"),
        ("Lagrangian PINNs", "physics-informed neural networks"),
        ("NSR", "Neural-Symbolic Recursive Machine"),
        ("CoT", "high-quality Chain-of-Thought"),
        ("zero-shot TTS", "zero-shot text-to-speech"),
        ("SFT", "Anchored Supervised Fine-Tuning"),
        ("IHs", "IH emergence dynamics"),  # an acronym's plural is its singular
        ("Feature Construction", "Rich Feature Construction"),
    ],
)
def test_same_concept(a, b):
    assert same_concept(a, b) and same_concept(b, a)


@pytest.mark.parametrize(
    "a, b",
    [
        ("in-context learning", "in-context classification task"),
        ("task vectors", "task structure"),
        ("code completion", "code representations"),
        ("graph transformer", "positional encoding"),
        ("CNNs", "convolutional networks"),
    ],
)
def test_different_concepts(a, b):
    assert not same_concept(a, b)


def test_mmr_conflicts_skip_or_replace():
    relevance = np.array([0.9, 0.8, 0.7, 0.6])
    sims = np.eye(4)
    # 1 is a variant of 0: passed over; 3 says more than 2: it takes 2's place.
    conflict = {(1, 0): "skip", (3, 2): "replace"}
    assert mmr_select(relevance, sims, 3, 0.0, lambda i, j: conflict.get((i, j))) == [0, 3]
    assert mmr_select(relevance, sims, 3, 0.0) == [0, 1, 2]


ABSTRACT = (
    "Few-shot learning is hard. We propose transductive few-shot learning with clustering. Our few-shot "
    "learning experiments on few-shot tasks show that large-scale clustering and prototype-based objectives "
    "with Laplacian regularization help. Physics-informed neural networks (PINNs) are not used here."
)


def generic_weights(ex, cs) -> dict:
    """{candidate key: the generic penalty `_generic` gives it}, each candidate embedded on its own."""
    vecs = np.stack([ex.embed_phrases([c.key])[c.key] for c in cs])
    return dict(zip((c.key for c in cs), ex._generic(cs, vecs)))


def test_a_card_holds_one_chip_per_concept_and_fills_up(embedder):
    ex = KeyphraseExtractor(embedder=embedder, settings=Settings(top_n=5, floors=()))
    [chips] = ex.extract([("Transductive Few-Shot Learning: Clustering is All You Need?", ABSTRACT)])
    phrases = [p for p, _ in chips]
    assert len(phrases) == 5, phrases
    assert not any(same_concept(a, b) for i, a in enumerate(phrases) for b in phrases[i + 1 :]), phrases
    # The title's term is the one kept for its concept.
    assert "transductive few-shot learning" in phrases


def test_phrases_any_ml_paper_would_have_weigh_less(embedder):
    ex = KeyphraseExtractor(embedder=embedder)
    cs = candidates("", "Large language models and spectral graph sparsification.")
    by = {c.key: c for c in cs}
    generic = generic_weights(ex, cs)
    assert "large language models" in BROAD
    assert generic["large language model"] > 0.1 and generic["spectral graph sparsification"] == 0
    assert by["large language model"].context  # the first sentence is context too
    # A phrase of nothing but words every ML abstract uses counts as generic, whatever its embedding.
    generic = generic_weights(ex, candidates("", "We study the trainable parameters and spectral graph sparsification."))
    assert generic["trainable parameter"] == pytest.approx(ex.GENERIC_WEIGHT)
    assert generic["spectral graph sparsification"] == 0


@pytest.mark.parametrize(
    "chip", ["memory footprint", "useful representations", "entire training experience", "optimal policies",
             "resource constraints", "task distribution", "higher accuracy", "LLM pretraining", "plain CNNs"],
)
def test_a_generic_modifier_before_a_generic_noun_is_a_generic_phrase(chip):
    assert generic_phrase(chip)


@pytest.mark.parametrize(
    "chip", ["activation memory", "catastrophic forgetting", "crystal structure", "soft constraints",
             "knowledge retention", "SFT", "multiple training episodes", "DPLM-2 training", "post-trained LLMs"],
)
def test_a_phrase_with_one_specific_word_or_a_name_is_not_generic(chip):
    assert not generic_phrase(chip)


def test_generic_phrases_weigh_as_much_as_generic_words(embedder):
    ex = KeyphraseExtractor(embedder=embedder)
    generic = generic_weights(ex, candidates("", "We cut the memory footprint of spectral graph sparsification."))
    assert generic["memory footprint"] == pytest.approx(ex.GENERIC_WEIGHT)
    assert generic["spectral graph sparsification"] == 0


@pytest.mark.parametrize(
    "floors, scores, kept",
    [
        ((0.4, 0.5), [0.9, 0.6, 0.55, 0.5, 0.3], 4),  # down to the first under its floor
        ((0.4, 0.5), [0.9, 0.45, 0.49, 0.8], 2),  # the second needs 0.4, the third on 0.5; nothing after a gap
        ((0.4, 0.5), [0.2, 0.1], 1),  # the first phrase always shows
        ((0.4, 0.5), [], 0),
        ((), [0.9, 0.1, 0.0, -0.3], 4),  # no floors: the whole ranking
    ],
)
def test_a_card_keeps_phrases_down_to_the_floor_for_their_place(floors, scores, kept):
    assert Settings(floors=floors).kept(scores) == kept


def test_floors_are_not_part_of_the_settings_key():
    # The cache holds the whole ranking; the floors are applied when answering, so changing them
    # recomputes nothing.
    assert Settings(floors=(0.4, 0.5)).key() == Settings(floors=()).key()
    assert Settings(top_n=4).key() != Settings(top_n=5).key()
    assert Settings(floors=[0.4, 0.5]) == Settings(floors=(0.4, 0.5))
    with pytest.raises(ValueError):
        Settings(floors=(float("nan"),))


def test_floors_mark_what_a_card_shows_behind_more_never_cut_the_ranking(embedder):
    from paperlens.annotate import with_keys

    docs = [("Transductive Few-Shot Learning: Clustering is All You Need?", ABSTRACT)]
    [ranked] = KeyphraseExtractor(embedder=embedder, settings=Settings(top_n=5, floors=())).extract(docs)
    floored = Settings(top_n=5, floors=(0.0, 1.0))
    [card] = KeyphraseExtractor(embedder=embedder, settings=floored).extract(docs)
    assert card == ranked and len(card) == 5
    answered = with_keys([{"phrase": p, "score": s} for p, s in card], floored)
    shown = 1 + (ranked[1][1] >= 0.0)
    assert [k["more"] for k in answered] == [False] * shown + [True] * (5 - shown)
    assert [k["phrase"] for k in answered] == [p for p, _ in ranked]
