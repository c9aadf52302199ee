"""Keyphrases for papers: noun-phrase-like candidates ranked by KeyBERT-style embedding similarity.

Pure: takes (title, abstract) pairs, returns (phrase, score) lists. No Flask, no SQL.

Why not `KeyBERT.extract_keywords` as it comes: its candidates are CountVectorizer n-grams, which
straddle stop words and verbs ("memorize textual", "learning richly") and cost an embedding each.
We keep KeyBERT's idea and its embedding backend (any `keybert.backend.BaseEmbedder`, default the
bundled all-MiniLM-L6-v2) but choose candidates ourselves: maximal runs of content words between
stop words, verbs, adverbs and punctuation, plus their head-final sub-spans ("graph neural network"
-> "neural network"), never ending on an adjective-like word. Surface variants ("large language
model" / "Large Language Models") collapse into one candidate shown in the casing the text uses.
Each unique phrase is embedded once per batch and memoized across batches (optionally in a
persistent cache the caller provides), which is where the speed comes from.

Score = cosine(phrase, document) plus small bonuses for title terms and repeated terms; the top
phrases are then picked with maximal marginal relevance so chips say different things.
"""

from __future__ import annotations

import hashlib
import json
import math
import re
import threading
from collections import OrderedDict
from dataclasses import dataclass

import numpy as np

from .config import KEYPHRASES_DIVERSITY, KEYPHRASES_TOP_N, KEYPHRASES_TOP_N_MAX
from .embedding import MODEL_NAME, BundledEmbedder

# Bump when candidate generation or scoring changes: cached keyphrases then recompute.
ALGORITHM_VERSION = 2

@dataclass(frozen=True)
class Settings:
    """top_n: phrases per paper. diversity: 0 = pure relevance, 1 = pure novelty (MMR)."""

    top_n: int = KEYPHRASES_TOP_N
    diversity: float = KEYPHRASES_DIVERSITY

    def __post_init__(self):
        if not (1 <= int(self.top_n) <= KEYPHRASES_TOP_N_MAX):
            raise ValueError(f"top_n must be 1..{KEYPHRASES_TOP_N_MAX}")
        if not (0.0 <= float(self.diversity) <= 1.0):
            raise ValueError("diversity must be 0..1")

    def key(self) -> str:
        return json.dumps(
            {"v": ALGORITHM_VERSION, "top_n": int(self.top_n), "diversity": float(self.diversity)}, sort_keys=True
        )


# ---------------------------------------------------------------- candidates

# Function words, auxiliaries and the verbs and filler words of abstracts: none of them is ever
# part of a keyphrase, so they delimit candidate chunks. (sklearn's list is not used: it holds
# "system", "interest", "part", "detail", words that belong in phrases.)
_STOP = set(
    """
a about above across after afterwards again against all almost alone along already also although always am among
amongst an and another any anyhow anyone anything anyway anywhere are around as at be became because become becomes
becoming been before beforehand behind being below beside besides between beyond both but by can cannot could do
does did doing done down due during each either else elsewhere enough etc even ever every everyone everything
everywhere except few for former formerly from further furthermore had has have having he hence her here hereby
herein hers herself him himself his how however i if in into is it its itself just last latter least less many may
me meanwhile might more moreover most mostly much must my myself namely neither never nevertheless no nobody none
noone nor not nothing now nowhere of off often on once one only onto or other others otherwise our ours ourselves
out over own per perhaps rather same several she should since so some somehow someone something sometime sometimes
somewhere still such than that the their theirs them themselves then thence there thereafter thereby therefore
therein thereupon these they this those though through throughout thus to together too toward towards under until
up upon us very via was we were what whatever when whenever where whereas whereby wherein whether which while who
whoever whom whose why will with within without would yet you your yours yourself yourselves
e.g i.e eg ie et al vs versus cf
zero two three four five six seven eight nine ten twenty hundred thousand million billion first second third
able unable like unlike
use uses used using utilize utilizes utilized utilizing make makes made making
propose proposes proposed proposing present presents presented presenting introduce introduces introduced
introducing describe describes described describing show shows showed shown showing demonstrate demonstrates
demonstrated demonstrating achieve achieves achieved achieving obtain obtains obtained obtaining provide provides
provided providing allow allows allowed allowing enable enables enabled enabling consider considers considered
considering develop develops developed developing study studies studied studying investigate investigates
investigated investigating examine examines examined examining explore explores explored exploring evaluate
evaluates evaluated evaluating apply applies applied applying perform performs performed performing improve
improves improved improving outperform outperforms outperformed outperforming require requires required requiring
include includes included including contain contains contained containing involve involves involved involving
lead leads led leading remain remains remained remaining become yield yields yielded yielding reveal reveals
revealed revealing suggest suggests suggested suggesting find finds found finding indicate indicates indicated
indicating discuss discusses discussed discussing address addresses addressed addressing focus focuses focused
focusing aim aims aimed aiming seek seeks sought seeking take takes took taken taking give gives gave given giving
get gets got getting let lets see sees seen seem seems seemed help helps helped helping tend tends tended
reduce reduces reduced reducing increase increases increased increasing enhance enhances enhanced enhancing
achieve surpass surpasses surpassed surpassing exceed exceeds exceeded exceeding match matches matched
design designs designed designing build builds built building create creates created creating leverage
leverages leveraged leveraging employ employs employed employing adopt adopts adopted adopting rely relies relied
relying depend depends depended based combine combines combined combining call called known termed named
capture captures captured capturing solve solves solved solving handle handles handled handling support supports
supported supporting ensure ensures ensured ensuring exhibit exhibits exhibited exhibiting offer offers offered
offering remain allow generate generates generated train trains trained release releases released
struggle struggles struggled fail fails failed need needs needed want wants wanted try tries tried
compared compare compares comparing relative respectively associated corresponding according regarding
towards whereby thereby hereby able across beyond
new novel various different existing recent recently previous prior current currently certain specific
particular generally typically usually simply important significant significantly
substantial substantially good better best well much many more most less least further additionally additional also
finally moreover overall extensive extensively comprehensive effective effectively efficient efficiently
promising remarkable impressive superior competitive consistent consistently notably particularly especially
paper papers work works result results way ways article
""".split()
)
# Generic nouns: fine as heads of longer phrases ("optimal control problem"), never alone.
_GENERIC = set(
    """
approach method technique problem task study framework experiment performance model system paradigm
""".split()
)

# Words that may appear inside a phrase but never end one (they modify the noun after them).
_NONHEAD_SUFFIXES = ("ly", "ed", "ous", "ive", "al", "ful", "able", "ible", "ic", "ary", "ent", "ant", "less")
_HEAD_EXCEPTIONS = set(
    """
family anomaly assembly supply reply apply poly italy july
need speed seed feed bed red shed embed
objective alternative initiative incentive derivative primitive perspective narrative directive detective
representative executive collective
signal interval journal proposal retrieval tutorial trial potential material total manual approval arrival
removal survival rival capital hospital animal terminal portal criterion protocol principal rational
individual professional chemical mechanical residual
table variable cable label
logic topic metric graphic music clinic traffic electronic mechanic arithmetic heuristic statistic physic
dynamic semantic diagnostic analytic public republic magic fabric plastic characteristic
library boundary dictionary summary vocabulary commentary salary secondary primary binary anniversary itinerary
agent student patient client content component element segment experiment environment document argument
instrument treatment assessment requirement alignment deployment management measurement development statement
improvement movement equipment agreement government investment payment department fragment moment comment
gradient coefficient constraint parent event intent extent consent talent percent current
constant variant participant assistant plant accountant defendant tenant applicant inhabitant descendant
merchant servant restaurant giant
wireless
""".split()
)
_TOKEN = re.compile(r"[A-Za-z0-9]+(?:['’][sS])?(?:[-./+][A-Za-z0-9]+)*\+*|\S")
_NUMBER = re.compile(r"^[\d.,/+-]+%?$")
_SENTENCE_END = {".", "!", "?", ":", ";"}
MAX_WORDS = 4
# Words after which a plain lowercase word is a verb: "to replace", "can identify", "we transfer".
_BEFORE_VERB = set(
    "to can could may might must should shall will would cannot we they it which that who also often not never "
    "does do did i".split()
)
_ER_VERBS = set(
    "transfer deliver render cover gather answer alter recover discover filter cluster encounter register trigger "
    "empower lower uncover bolster foster hinder steer master order differ suffer prefer refer infer confer".split()
)
_NOUN_SUFFIXES = ("s", "ion", "ment", "ity", "ness", "ing", "ism", "ure", "ance", "ence", "er", "or", "ics", "ogy")


def _is_word(tok: str) -> bool:
    return tok[0].isalnum()


def _is_stop(tok: str) -> bool:
    low = tok.lower()
    if low in _STOP or _NUMBER.match(tok):
        return True
    if len(tok) == 1 and not tok.isupper():
        return True
    # Adverbs (-ly) glue clauses together, not nouns ("learning richly").
    if low.endswith("ly") and low not in _HEAD_EXCEPTIONS and len(low) > 4:
        return True
    return False


def _can_end(word: str) -> bool:
    """Could this word be the head (last word) of a noun phrase?"""
    low = word.lower()
    if word.isupper() or _is_name(word):
        return True  # acronyms and model names ("LLMs", "CLIP", "GPT-4", "MMedBench")
    if "-" in low:
        low = low.rsplit("-", 1)[1] or low
    if low in _HEAD_EXCEPTIONS:
        return True
    return not low.endswith(_NONHEAD_SUFFIXES)


def _is_name(word: str) -> bool:
    """Acronyms and model or data set names: "LLMs", "CLIP", "GPT-4", "MMedBench"."""
    # A capital right after a hyphen is Title Case ("Neural-Symbolic"), not a name.
    return any(c.isdigit() for c in word) or any(c.isupper() and word[i] != "-" for i, c in enumerate(word[1:]))


def singular(word: str) -> str:
    """A cheap singular for matching variants: models -> model, LLMs -> LLM, studies -> study."""
    low = word.lower()
    if len(low) <= 3 or low.endswith(("ss", "us", "is", "ics")):
        return word
    if low.endswith("ies") and len(low) > 4:
        return word[:-3] + ("Y" if word[-3:].isupper() else "y")
    if low.endswith(("ches", "shes", "xes", "sses")):
        return word[:-2]
    if low.endswith("s"):
        return word[:-1]
    return word


@dataclass
class Candidate:
    key: str  # lowercased, last word singular: the identity of a phrase across surface variants
    text: str  # the surface form to show (the most common casing in the abstract)
    count: int
    first: int  # token position of the first occurrence (title tokens come first)
    in_title: bool
    words: int


def candidates(title: str, abstract: str, max_words: int = MAX_WORDS) -> list[Candidate]:
    """Noun-phrase-like spans of a paper, surface variants merged. Title occurrences come first."""
    found: dict[str, dict] = {}
    pos = 0
    after_to = False
    for part, is_title in ((title or "", True), (abstract or "", False)):
        tokens = _TOKEN.findall(part)
        chunk: list[tuple[str, bool]] = []  # (word, sentence_initial)
        sentence_start = True
        for tok in tokens + ["."]:
            pos += 1
            if _is_word(tok) and not _is_stop(tok):
                if after_to and tok.islower() and (not tok.endswith(_NOUN_SUFFIXES) or tok in _ER_VERBS):
                    after_to = False
                    tok = ","  # "to replace missing copies", "we identify X": the verb delimits
                else:
                    after_to = False
                    chunk.append((_clean(tok), sentence_start))
                    sentence_start = False
                    continue
            # An adverb keeps the expectation: "do not uniquely identify Hitler".
            after_to = tok.lower() in _BEFORE_VERB or (after_to and tok.lower().endswith("ly"))
            if chunk:
                start = pos - len(chunk)
                for offset, piece in _split_clauses(chunk):
                    _add_spans(found, piece, start + offset, is_title, max_words)
                chunk = []
            sentence_start = (not _is_word(tok) and tok in _SENTENCE_END) or (sentence_start and not _is_word(tok))
            if _is_word(tok):
                sentence_start = False
    out = []
    for key, c in found.items():
        if key in _GENERIC:
            continue
        out.append(
            Candidate(
                key=key,
                text=_best_surface(c["surfaces"]),
                count=c["count"],
                first=c["first"],
                in_title=c["in_title"],
                words=len(key.split()),
            )
        )
    return out


def _plural_looking(word: str) -> bool:
    if re.fullmatch(r"[A-Z][A-Z0-9]+s", word):  # "LLMs", "VLMs"
        return True
    low = word.lower()
    return (
        word[1:] == low[1:]
        and len(low) > 3
        and low.endswith("s")
        and not low.endswith(("ss", "us", "is", "ics", "ous", "ness", "sis"))
    )


def _split_clauses(chunk: list[tuple[str, bool]]) -> list[tuple[int, list[tuple[str, bool]]]]:
    """Cut a content-word run where a verb we have no list for probably sits.

    English noun compounds use singular modifiers ("language model", not "languages model"), so
    a plural-looking word inside a run ends a noun phrase, and a plain lowercase word right after
    it is most likely the verb ("models memorize textual patterns" -> "models" | "textual
    patterns"). A past participle after a noun is a verb too ("features learned by ...")."""
    pieces, cur, cur_start, i = [], [], 0, 0
    while i < len(chunk):
        word = chunk[i][0]
        if cur and word.lower().endswith("ed") and word.islower() and word.lower() not in _HEAD_EXCEPTIONS:
            pieces.append((cur_start, cur))
            cur, cur_start = [], i
        cur.append(chunk[i])
        if _plural_looking(word) and i + 1 < len(chunk):
            pieces.append((cur_start, cur))
            cur, cur_start = [], i + 1
            nxt = chunk[i + 1][0]
            if nxt.islower() and not nxt.endswith("s"):
                i += 1  # the verb
                cur_start = i + 1
        i += 1
    if cur:
        pieces.append((cur_start, cur))
    return pieces


def _clean(tok: str) -> str:
    if tok.endswith(("'s", "’s", "'S", "’S")):
        tok = tok[:-2]
    return tok.rstrip(".")




def _add_spans(found: dict, chunk: list[tuple[str, bool]], start: int, is_title: bool, max_words: int) -> None:
    n = len(chunk)
    # The head of an English noun phrase is its last word: spans end where the run ends ("graph
    # neural network", "neural network", "network"), or, if the run ends on a modifier, at the last
    # word that can be a head. Prefixes like "graph neural" are modifiers, never phrases.
    end = next((e for e in range(n, 0, -1) if _can_end(chunk[e - 1][0])), 0)
    spans = [(b, end) for b in range(max(0, end - max_words), end)] if end else []
    # A name inside a run stands on its own too ("CLIP" in "CLIP learn", "GPT-4" in "GPT-4 outputs").
    spans += [(i, i + 1) for i in range(n) if i + 1 != end and _is_name(chunk[i][0])]
    if spans:
        for begin, end in spans:
            words = [w for w, _ in chunk[begin:end]]
            if len(words) > 1 and words[0].endswith("ing") and not _is_name(words[0]):
                continue  # "acquiring out-of-print materials": a verb, most of the time
            key = " ".join([w.lower() for w in words[:-1]] + [singular(words[-1]).lower()])
            entry = found.setdefault(key, {"count": 0, "first": start + begin, "in_title": False, "surfaces": {}})
            entry["count"] += 1
            entry["in_title"] = entry["in_title"] or is_title
            surface = " ".join(words)
            # Casing evidence: abstract mid-sentence counts most, sentence starts and Title Case least.
            weight = 0.2 if is_title else (0.5 if chunk[begin][1] else 1.0)
            entry["surfaces"][surface] = entry["surfaces"].get(surface, 0.0) + weight


def _best_surface(surfaces: dict[str, float]) -> str:
    best = max(surfaces.items(), key=lambda kv: (kv[1], -len(kv[0])))[0]
    if sum(surfaces.values()) <= 0.5 or all(w <= 0.5 for w in surfaces.values()):
        # Seen only at a sentence start or in a Title Case title: lowercase plain capitalized words,
        # keep acronyms and mixed-case names.
        best = " ".join(w.lower() if w[:1].isupper() and w[1:].islower() else w for w in best.split())
    return best


# ---------------------------------------------------------------- ranking


def _normalize(m: np.ndarray) -> np.ndarray:
    m = np.asarray(m, dtype=np.float32)
    norms = np.linalg.norm(m, axis=1, keepdims=True)
    return m / np.where(norms == 0, 1, norms)


def mmr_select(relevance: np.ndarray, sims: np.ndarray, top_n: int, diversity: float) -> list[int]:
    """Maximal marginal relevance: indices chosen one by one, trading relevance against the
    similarity to what is already chosen."""
    chosen: list[int] = []
    left = list(range(len(relevance)))
    while left and len(chosen) < top_n:
        if chosen:
            penalty = sims[np.ix_(left, chosen)].max(axis=1)
            value = (1 - diversity) * relevance[left] - diversity * penalty
        else:
            value = relevance[left]
        pick = left[int(np.argmax(value))]
        chosen.append(pick)
        left.remove(pick)
    return chosen


class PhraseMemo:
    """In-process LRU of phrase embeddings, in front of an optional persistent cache with
    `get_many(model, phrases) -> {phrase: vector}` and `put_many(model, {phrase: vector})`."""

    def __init__(self, size: int = 50_000, persistent=None):
        self.size = size
        self.persistent = persistent
        self._lru: OrderedDict[str, np.ndarray] = OrderedDict()
        self._lock = threading.Lock()

    def lookup(self, model: str, phrases: list[str]) -> dict[str, np.ndarray]:
        out = {}
        with self._lock:
            for p in phrases:
                v = self._lru.get(p)
                if v is not None:
                    self._lru.move_to_end(p)
                    out[p] = v
        missing = [p for p in phrases if p not in out]
        if missing and self.persistent is not None:
            got = self.persistent.get_many(model, missing)
            out.update(got)
            self._remember(got)
        return out

    def store(self, model: str, vectors: dict[str, np.ndarray]) -> None:
        self._remember(vectors)
        if self.persistent is not None and vectors:
            self.persistent.put_many(model, vectors)

    def _remember(self, vectors: dict[str, np.ndarray]) -> None:
        with self._lock:
            for p, v in vectors.items():
                self._lru[p] = v
                self._lru.move_to_end(p)
            while len(self._lru) > self.size:
                self._lru.popitem(last=False)


class KeyphraseExtractor:
    """Extracts keyphrases for a batch of papers in one pass.

    embedder: a `keybert.backend.BaseEmbedder` (or anything KeyBERT accepts); default the bundled
    MiniLM, loaded on first use. phrase_cache: optional persistent phrase-embedding cache (see
    `PhraseMemo`)."""

    # Ranking weights, chosen on Inspec (never on SemEval, which is the held-out check).
    TITLE_BONUS = 0.04
    COUNT_BONUS = 0.03
    POSITION_BONUS = 0.02
    # Lone common words ("system", "simulation") are rarely what a reader wants; lone names are.
    SINGLE_WORD_PENALTY = 0.15
    MAX_CANDIDATES = 25

    def __init__(self, embedder=None, settings: Settings | None = None, phrase_cache=None):
        self._embedder = embedder
        self._backend = None
        self.settings = settings or Settings()
        self.memo = PhraseMemo(persistent=phrase_cache)

    @property
    def model_name(self) -> str:
        return getattr(self._embedder, "name", MODEL_NAME) if self._embedder is not None else MODEL_NAME

    def cache_key(self, title: str, abstract: str) -> str:
        """Key for the per-paper cache: content + settings + model + algorithm version."""
        blob = json.dumps([self.model_name, self.settings.key(), title, abstract])
        return hashlib.sha256(blob.encode()).hexdigest()

    def backend(self):
        """The embedder: the injected one (anything with KeyBERT's `embed(texts)`), else the bundled model
        (`embedding.BundledEmbedder`, its precision chosen for this CPU)."""
        if self._backend is None:
            self._backend = self._embedder if self._embedder is not None else BundledEmbedder()
        return self._backend

    def describe_backend(self) -> dict:
        """How the embedder runs: {"model", "precision", "setting"} (precision and setting None for an
        injected embedder that does not say)."""
        describe = getattr(self.backend(), "describe", None)
        return describe() if callable(describe) else {"model": self.model_name, "precision": None, "setting": None}

    def embed_phrases(self, phrases: list[str]) -> dict[str, np.ndarray]:
        """{phrase: unit vector}, each unique phrase embedded at most once per process."""
        unique = list(dict.fromkeys(phrases))
        got = self.memo.lookup(self.model_name, unique)
        missing = [p for p in unique if p not in got]
        if missing:
            vecs = _normalize(self.backend().embed(missing))
            fresh = dict(zip(missing, vecs))
            self.memo.store(self.model_name, fresh)
            got.update(fresh)
        return got

    def extract(self, docs: list[tuple[str, str]]) -> list[list[tuple[str, float]]]:
        """[(title, abstract)] -> [[(phrase, score), ...]] in the same order, best first."""
        return self.extract_with_vectors(docs)[0]

    def extract_with_vectors(
        self, docs: list[tuple[str, str]]
    ) -> tuple[list[list[tuple[str, float]]], list[np.ndarray | None]]:
        """Like `extract`, plus the document embedding the ranking used (one pass of the model):
        ([[(phrase, score), ...]], [unit float32 vector of "title. abstract", or None if empty]).
        The related-papers fusion reuses these vectors instead of embedding papers again."""
        if not docs:
            return [], []
        cands = [self._prune(candidates(t, a)) for t, a in docs]
        texts = [f"{t}. {a}" if t and a else (t or a or "") for t, a in docs]
        doc_vecs = _normalize(self.backend().embed(texts)) if any(texts) else None
        phrase_vecs = self.embed_phrases([c.key for cs in cands for c in cs])
        out = []
        for i, cs in enumerate(cands):
            if not cs or not texts[i]:
                out.append([])
                continue
            out.append(self._rank(cs, doc_vecs[i], np.stack([phrase_vecs[c.key] for c in cs])))
        vecs = [
            np.asarray(doc_vecs[i], dtype=np.float32) if doc_vecs is not None and texts[i] else None
            for i in range(len(docs))
        ]
        return out, vecs

    def _prune(self, cs: list[Candidate]) -> list[Candidate]:
        # Long abstracts make many candidates; keep the likeliest (title, repeated, early) so a
        # page's embedding work stays bounded.
        if len(cs) <= self.MAX_CANDIDATES:
            return cs
        last = max(c.first for c in cs) or 1
        prior = {
            id(c): 2.0 * c.in_title + math.log(c.count) + 0.7 * (c.words > 1 or _is_name(c.text)) - c.first / last
            for c in cs
        }
        return sorted(cs, key=lambda c: -prior[id(c)])[: self.MAX_CANDIDATES]

    def _rank(self, cs: list[Candidate], doc_vec: np.ndarray, vecs: np.ndarray) -> list[tuple[str, float]]:
        sim = vecs @ doc_vec
        last = max(c.first for c in cs) or 1
        bonus = np.array(
            [
                self.TITLE_BONUS * c.in_title
                + self.COUNT_BONUS * math.log(c.count)
                + self.POSITION_BONUS * (1 - c.first / last)
                - self.SINGLE_WORD_PENALTY * (c.words == 1 and not _is_name(c.text))
                for c in cs
            ],
            dtype=np.float32,
        )
        relevance = sim + bonus
        chosen = mmr_select(relevance, vecs @ vecs.T, self.settings.top_n, self.settings.diversity)
        picked = sorted(chosen, key=lambda i: -relevance[i])
        return [(cs[i].text, round(float(relevance[i]), 4)) for i in picked]
