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

# The Porter stemmer as Snowball defines it (PyStemmer's C code): the analyzer's one stemmer.
STEMMER = "porter"

# scikit-learn's English stop-word list (318 words, BSD-3-Clause; tests/test_related_bm25.py checks it is
# still sklearn's) plus a few words every abstract uses. IDF would push these down anyway, but BM25 query
# terms add up linearly, so dropping them keeps the scores about content and keeps documents shorter.
# Written out rather than imported: importing scikit-learn costs the server ~110 MB and half a second.
SKLEARN_STOP_WORDS = frozenset("""
a about above across after afterwards again against all almost alone along already also although always am
among amongst amoungst amount an and another any anyhow anyone anything anyway anywhere are around as at
back be became because become becomes becoming been before beforehand behind being below beside besides
between beyond bill both bottom but by call can cannot cant co con could couldnt cry de describe detail do
done down due during each eg eight either eleven else elsewhere empty enough etc even ever every everyone
everything everywhere except few fifteen fifty fill find fire first five for former formerly forty found
four from front full further get give go had has hasnt have he hence her here hereafter hereby herein
hereupon hers herself him himself his how however hundred i ie if in inc indeed interest into is it its
itself keep last latter latterly least less ltd made many may me meanwhile might mill mine more moreover
most mostly move much must my myself name namely neither never nevertheless next nine no nobody none noone
nor not nothing now nowhere of off often on once one only onto or other others otherwise our ours ourselves
out over own part per perhaps please put rather re same see seem seemed seeming seems serious several she
should show side since sincere six sixty so some somehow someone something sometime sometimes somewhere
still such system take ten than that the their them themselves then thence there thereafter thereby
therefore therein thereupon these they thick thin third this those though three through throughout thru thus
to together too top toward towards twelve twenty two un under until up upon us very via was we well were
what whatever when whence whenever where whereafter whereas whereby wherein whereupon wherever whether which
while whither who whoever whole whom whose why will with within without would yet you your yours yourself
yourselves
""".split())
_EXTRA_STOP = """also using use used via based et al paper propose proposed show shows shown non""".split()
STOP_WORDS = SKLEARN_STOP_WORDS | frozenset(_EXTRA_STOP)

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

    Stems are memoized (the vocabulary is small next to the token stream); `surfaces` gives a readable
    word for each stem, so "why" can show "diffusion", not "diffus"."""

    def __init__(self):
        import Stemmer  # PyStemmer: Snowball's C stemmers

        self._stemmer = Stemmer.Stemmer(STEMMER)
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
                with self._lock:  # a PyStemmer object is not thread-safe; the memo makes this rare
                    term = self._stemmer.stemWord(low)
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

    def surfaces(self, text: str, wanted: set[str] | None = None) -> dict[str, str]:
        """{term: what the reader saw where `text` first produced it}: the whole hyphenated word for a part
        of one ("pre-trained" for "pre", "multi-modal" for "modal"), each word lowercased unless an acronym.
        With `wanted`, only those terms, and the text is read only until all of them are found."""
        out: dict[str, str] = {}
        missing = set(wanted) if wanted is not None else None
        if missing is not None and not missing:
            return out
        for compound in _COMPOUND.findall(text or ""):
            words = _WORD.findall(compound)
            for word in words:
                term = self._term(word)
                if term is None or term in out or (missing is not None and term not in missing):
                    continue
                out[term] = _WORD.sub(lambda m: _readable(m.group(0)), compound) if len(words) > 1 else _readable(word)
                if missing is not None:
                    missing.discard(term)
                    if not missing:
                        return out
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
    import Stemmer

    parts = [TITLE_WEIGHT, sorted(STOP_WORDS), _WORD.pattern, _ACRONYM_PLURAL.pattern, STEMMER, Stemmer.version()]
    return hashlib.sha256(repr(parts).encode()).hexdigest()
