"""The reader's triage rules: what a muted term may be and which papers it matches, and which cards of a page
get the "close to your library" mark. Pure: no Flask, no SQL (the store keeps what these rules checked).

Muted terms come in three kinds. A `word` or a `phrase` is matched by the ranking analyzer's stems, so
"benchmarks" mutes a paper that says "benchmark" and "graph neural networks" one that says "Graph Neural
Network": a word matches wherever its stem is in the title or abstract, a phrase where its stems follow one
another there (stop words between them do not count; a phrase never straddles title and abstract). An
`author` is a name compared whole, case- and accent-insensitively, with the paper's authors (from the parsed
page, the card, or the library's record).
"""

from __future__ import annotations

import math
import re

from .config import (
    FOR_YOU_MARK_FLOOR,
    FOR_YOU_MARK_MIN,
    FOR_YOU_MARK_SHARE,
    FOR_YOU_MARK_SURE,
    MAX_MUTE_TERM_CHARS,
)
from .errors import PaperLensError
from .ids import title_key

MUTE_KINDS = ("word", "phrase", "author")
_CONTROL = re.compile(r"[\x00-\x1f\x7f]")


def _analyzer():
    from .ranking.analyzer import analyzer  # the one analyzer of documents and queries

    return analyzer()


def name_key(name: str) -> str:
    """The key two spellings of an author's name share: folded as `ids.title_key` folds a title (case,
    accents, punctuation), so "Müller, J." and "muller j" are one name."""
    return title_key(name)


def check_mute(term, kind) -> tuple[str, str, str]:
    """A muted term as the reader sent it -> (kind, term with its whitespace collapsed, key: what two
    spellings of one term share). Raises PaperLensError(400): an unknown kind, a term that is not a
    non-empty string of at most MAX_MUTE_TERM_CHARS characters, a word with spaces, or a term that could
    never match (only stop words or numbers; a name without letters)."""
    if kind not in MUTE_KINDS:
        raise PaperLensError(f"'kind' must be one of {', '.join(MUTE_KINDS)}, not {kind!r}", 400)
    if not isinstance(term, str):
        raise PaperLensError("'term' must be a string", 400)
    term = " ".join(term.split())
    if not term:
        raise PaperLensError("'term' is empty", 400)
    if len(term) > MAX_MUTE_TERM_CHARS:
        raise PaperLensError(f"'term' has {len(term)} characters: at most {MAX_MUTE_TERM_CHARS}", 400)
    if _CONTROL.search(term):
        raise PaperLensError("'term' may not contain control characters", 400)
    if kind == "author":
        key = name_key(term)
        if not key:
            raise PaperLensError(f"{term!r} is no name: an author needs letters", 400)
        return kind, term, key
    if kind == "word" and " " in term:
        raise PaperLensError(f"{term!r} is more than one word: mute it as a phrase", 400)
    if not _analyzer().terms(term):
        raise PaperLensError(
            f"{term!r} would match no paper: stop words and bare numbers are not indexed", 400
        )
    return kind, term, term.casefold()


class MuteMatcher:
    """The reader's muted terms ([{"term", "kind"}], as the store lists them), compiled once per request.
    `match(paper)` -> the ones a paper matches, in the same order, as [{"term", "kind"}]."""

    def __init__(self, muted: list[dict]):
        self.muted = [{"term": m["term"], "kind": m["kind"]} for m in muted]
        a = _analyzer() if any(m["kind"] != "author" for m in muted) else None
        self._rules = []
        for m in self.muted:
            if m["kind"] == "author":
                self._rules.append(("author", name_key(m["term"])))
            else:
                self._rules.append(("terms", tuple(a.terms(m["term"]))))

    def __bool__(self) -> bool:
        return bool(self.muted)

    def match(self, paper: dict) -> list[dict]:
        """The muted terms `paper` ({"title", "abstract"?, "authors"?: [str]}) matches."""
        if not self.muted:
            return []
        fields = None
        names = None
        out = []
        for m, (how, rule) in zip(self.muted, self._rules):
            if how == "author":
                if names is None:
                    names = {name_key(a) for a in paper.get("authors") or [] if isinstance(a, str)}
                hit = rule in names
            else:
                if fields is None:
                    a = _analyzer()
                    fields = (a.terms(paper.get("title") or ""), a.terms(paper.get("abstract") or ""))
                hit = any(_contains(field, rule) for field in fields)
            if hit:
                out.append(m)
        return out


def _contains(terms: list[str], phrase: tuple[str, ...]) -> bool:
    """Whether `phrase` occurs in `terms` as a run of consecutive terms."""
    n = len(phrase)
    if n == 1:
        return phrase[0] in terms
    first = phrase[0]
    return any(t == first and tuple(terms[i : i + n]) == phrase for i, t in enumerate(terms[: len(terms) - n + 1]))


def mark_for_you(scores: list[float], eligible: list[bool] | None = None) -> list[bool]:
    """Which papers of one page get the "close to your library" mark, given their for_you scores (0..1):
    the best FOR_YOU_MARK_SHARE of the page (at least FOR_YOU_MARK_MIN papers) among those scoring at least
    FOR_YOU_MARK_FLOOR, and every paper scoring FOR_YOU_MARK_SURE or more. A fixed cut-off marked 1 card of
    30 on a day whose closest papers scored 0.2-0.3; a share alone would mark noise on a day nothing is
    close. `eligible` (default all) leaves papers out (dismissed ones). Ties at the quota's edge are all
    marked. Returns one bool per score."""
    eligible = eligible if eligible is not None else [True] * len(scores)
    candidates = sorted(
        (s for s, ok in zip(scores, eligible) if ok and s >= FOR_YOU_MARK_FLOOR), reverse=True
    )
    quota = max(FOR_YOU_MARK_MIN, math.ceil(FOR_YOU_MARK_SHARE * len(scores)))
    edge = candidates[quota - 1] if len(candidates) >= quota else (candidates[-1] if candidates else math.inf)
    cut = min(edge, FOR_YOU_MARK_SURE)
    return [bool(ok and s >= FOR_YOU_MARK_FLOOR and s >= cut) for s, ok in zip(scores, eligible)]
