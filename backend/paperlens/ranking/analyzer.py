"""The analyzer: text -> index terms, the same for documents and queries (one tokenizer for both).

Pure: no I/O. Words split at hyphens and punctuation, acronym plurals folded (LLMs -> LLM), lowercased,
English stop words and bare numbers dropped, Porter stems. `surfaces` maps terms back to words the
reader saw, for the "why" of a related paper.
"""

from __future__ import annotations

import hashlib
import re
import threading

# The title says what a paper is about more densely than any abstract sentence: its tokens count twice.
TITLE_WEIGHT = 2

# scikit-learn's English list (318 words) plus a few words every abstract uses. IDF would push
# these down anyway, but BM25 query terms add up linearly, so dropping them keeps the scores
# about content and keeps documents shorter.
_EXTRA_STOP = """also using use used via based et al paper propose proposed show shows shown non""".split()

def _stop_words() -> frozenset[str]:
    from sklearn.feature_extraction.text import ENGLISH_STOP_WORDS

    return frozenset(ENGLISH_STOP_WORDS) | frozenset(_EXTRA_STOP)

STOP_WORDS = _stop_words()

# Words are runs of letters/digits; hyphens and slashes split compounds ("self-supervised" ->
# "self", "supervised"), so the hyphenated and the spaced spelling match.
_WORD = re.compile(r"[A-Za-z0-9]+")
# An all-caps acronym with a plural s ("LLMs", "GANs", "VLMs") is the acronym: stemming the
# lowercased word would work for "llms" but not for e.g. "VAEs" -> "vae" vs "vaes".
_ACRONYM_PLURAL = re.compile(r"^([A-Z][A-Z0-9]+)s$")
# A word as the reader wrote it, hyphens and slashes included ("pre-trained", "encoder-decoder", "GPT-4").
_COMPOUND = re.compile(r"[A-Za-z0-9]+(?:[-/][A-Za-z0-9]+)*")


def _readable(word: str) -> str:
    """One word as "why" shows it: an acronym as written (its plural folded), anything else lowercased."""
    m = _ACRONYM_PLURAL.match(word)
    base = m.group(1) if m else word
    return base if base.isupper() and len(base) > 1 else base.lower()

class Analyzer:
    """Text -> index terms: split, acronym plurals folded, lowercased, stop words and bare numbers
    dropped, Porter-stemmed. The same analyzer builds documents and queries.

    Stems are memoized (the vocabulary is small next to the token stream); `surface` remembers a
    readable word for each stem, so "why" can show "diffusion", not "diffus"."""

    def __init__(self):
        from nltk.stem.porter import PorterStemmer

        self._stemmer = PorterStemmer()
        self._memo: dict[str, str | None] = {}
        self._lock = threading.Lock()

    def _term(self, word: str) -> str | None:
        term = self._memo.get(word)
        if term is None and word not in self._memo:
            m = _ACRONYM_PLURAL.match(word)
            low = (m.group(1) if m else word).lower()
            if len(low) < 2 or low in STOP_WORDS or low.isdigit():
                term = None
            else:
                term = self._stemmer.stem(low)
                if term in STOP_WORDS or len(term) < 2:
                    term = None
            with self._lock:
                self._memo[word] = term
        return term

    def terms(self, text: str) -> list[str]:
        """The index terms of `text`, in order, repeats kept: list[str]."""
        words = _WORD.findall(text or "")
        memo = self._memo
        try:
            # map() over the memo runs at C speed: this is the hot loop of a cold start.
            return [t for t in map(memo.__getitem__, words) if t]
        except KeyError:
            for word in words:
                if word not in memo:
                    self._term(word)
            return [t for t in map(memo.__getitem__, words) if t]

    def surfaces(self, text: str) -> dict[str, str]:
        """{term: what the reader saw where `text` first produced it}: the whole hyphenated word for a part
        of one ("pre-trained" for "pre", "multi-modal" for "modal"), each word lowercased unless an acronym."""
        out: dict[str, str] = {}
        for compound in _COMPOUND.findall(text or ""):
            words = _WORD.findall(compound)
            for word in words:
                term = self._term(word)
                if term is not None and term not in out:
                    out[term] = _WORD.sub(lambda m: _readable(m.group(0)), compound) if len(words) > 1 else _readable(word)
        return out

    def paper_terms(self, title: str, abstract: str, keywords: list[str] | None = None) -> list[str]:
        """The terms of one paper, fields weighted by repetition: title x TITLE_WEIGHT, abstract,
        keywords (HF's `ai_keywords`) once. list[str]."""
        return (
            self.terms(title) * TITLE_WEIGHT
            + self.terms(abstract)
            + [t for kw in (keywords or []) for t in self.terms(kw)]
        )

_analyzer: Analyzer | None = None

def analyzer() -> Analyzer:
    """The process-wide analyzer (its stem memo is shared by every index and query)."""
    global _analyzer
    if _analyzer is None:
        _analyzer = Analyzer()
    return _analyzer



def fingerprint() -> str:
    """Changes whenever the analyzer would produce other terms: an index built under another
    fingerprint must be rebuilt, never mixed with new terms."""
    import nltk

    parts = [TITLE_WEIGHT, sorted(STOP_WORDS), _WORD.pattern, _ACRONYM_PLURAL.pattern, nltk.__version__]
    return hashlib.sha256(repr(parts).encode()).hexdigest()
