"""BibTeX: `@misc` entries a LaTeX user can paste (export), and entries from any reference manager (import:
the arXiv id from eprint, an arxiv.org URL, an arXiv DOI or "arXiv:NNNN.NNNNN"; title, authors, year or
biblatex's date, keywords as tags, annote as the note)."""

from __future__ import annotations

import functools
import re
import unicodedata

from ...config import MAX_TITLE_CHARS
from ...errors import PaperLensError
from ...ids import ARXIV_ID, ARXIV_PATTERN, paper_url, title_id, title_key
from ..fields import ISO_DATE, Problems, check_note, normalize_tags
from .base import Format
from .bibtex_reader import balanced, line_of, read_bibtex

# ---------------------------------------------------------------- export

# BibTeX counts braces literally, even after a backslash, so a lone "\{" would unbalance the entry: braces
# become the LaTeX kernel's \textbraceleft/\textbraceright, which are balanced whatever the text holds.
_LATEX_SPECIALS = {
    "\\": r"\textbackslash{}",
    "{": r"\textbraceleft{}",
    "}": r"\textbraceright{}",
    "&": r"\&",
    "%": r"\%",
    "$": r"\$",
    "#": r"\#",
    "_": r"\_",
    "~": r"\textasciitilde{}",
    "^": r"\textasciicircum{}",
}
_LATEX_SPECIAL_RE = re.compile(r"[\\{}&%$#_~^]")

# Words that make poor citation-key words (Google Scholar skips them too).
_KEY_STOPWORDS = frozenset(
    "a an the on of in for to and with towards toward via is are do does can how what when why from by at".split()
)


def latex_escape(text: str) -> str:
    """Text with LaTeX's special characters escaped; non-ASCII is kept as UTF-8 (BibTeX 0.99d+, biber and
    every modern LaTeX read it)."""
    return _LATEX_SPECIAL_RE.sub(lambda m: _LATEX_SPECIALS[m.group(0)], text)


_NOT_KEY_CHAR = re.compile(r"[^a-z0-9]+")
_KEY_WORD_SPLIT = re.compile(r"[\s\-:/]+")
_AND_WORD = re.compile(r"\band\b", re.IGNORECASE)


def _ascii_word(text: str) -> str:
    if not text.isascii():
        text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    return _NOT_KEY_CHAR.sub("", text.lower())


def last_name(name: str) -> str:
    """The family name of "First Last" or "Last, First"."""
    name = name.strip()
    if "," in name:
        return name.split(",", 1)[0].strip()
    parts = name.split()
    return parts[-1] if parts else ""


def paper_year(record: dict) -> str | None:
    """The year from `published`, else from the arXiv id (YYMM.NNNNN), else None."""
    if record.get("published"):
        return record["published"][:4]
    if ARXIV_ID.match(record["id"]):
        return "20" + record["id"][:2]
    return None


def citation_key_base(record: dict) -> str:
    """firstauthorlastname + year + first significant title word, ASCII lower case ("anon" without authors)."""
    authors = record.get("authors") or []
    who = _ascii_word(last_name(authors[0])) if authors else ""
    word = fallback = ""
    for raw in _KEY_WORD_SPLIT.split(record.get("title") or ""):
        w = _ascii_word(raw)
        if w and w not in _KEY_STOPWORDS:
            word = w
            break
        fallback = fallback or w
    word = word or fallback
    return (who or "anon") + (paper_year(record) or "") + (word or record["id"].replace(".", "").lower())


def citation_keys(records: list[dict]) -> dict[str, str]:
    """{paper id: unique citation key}. Collisions are resolved in saved order: the earliest save keeps the
    bare key, later ones get b, c, ..., so saving more papers never renames a key already in use."""
    bases = {r["id"]: citation_key_base(r) for r in records}
    taken = set(bases.values())
    used: set[str] = set()
    last_suffix: dict[str, int] = {}  # per base, so a group of k equal bases costs O(k), not O(k^2)
    keys: dict[str, str] = {}
    for r in sorted(records, key=lambda r: (r.get("saved_at") or 0, r["id"])):
        base = bases[r["id"]]
        key, n = base, last_suffix.get(base, 1)
        while key in used or (key != base and key in taken):
            n += 1
            key = base + _letters(n)
        last_suffix[base] = n
        used.add(key)
        keys[r["id"]] = key
    return keys


def _letters(n: int) -> str:
    """1 -> a, 2 -> b, ..., 26 -> z, 27 -> aa."""
    out = ""
    while n > 0:
        n, rem = divmod(n - 1, 26)
        out = chr(ord("a") + rem) + out
    return out


def bibtex_entry(record: dict, key: str) -> str:
    """One `@misc` entry LaTeX users can paste: title (capitalization protected by braces), author, year,
    eprint/archivePrefix for arXiv papers, url, keywords (tags) and annote (the note, which standard styles
    do not print)."""
    fields: list[tuple[str, str]] = []
    if record.get("title"):
        fields.append(("title", "{" + latex_escape(record["title"]) + "}"))
    authors = record.get("authors") or []
    if authors:
        fields.append(("author", " and ".join(_bib_name(a) for a in authors)))
    year = paper_year(record)
    if year:
        fields.append(("year", year))
    is_arxiv = bool(ARXIV_ID.match(record["id"]))
    if is_arxiv:
        fields.append(("eprint", record["id"]))
        fields.append(("archivePrefix", "arXiv"))
        if record.get("primary_class"):
            fields.append(("primaryClass", latex_escape(record["primary_class"])))
        url = f"https://arxiv.org/abs/{record['id']}"
    else:
        url = record.get("url") or ""
    if url:
        # URLs are typeset verbatim by \url; only braces would break the field (quoted URLs have none).
        fields.append(("url", url.replace("{", "%7B").replace("}", "%7D")))
    if record.get("tags"):
        fields.append(("keywords", latex_escape(", ".join(record["tags"]))))
    if record.get("note"):
        fields.append(("annote", latex_escape(record["note"])))
    body = ",\n".join(f"  {name} = {{{value}}}" for name, value in fields)
    return f"@misc{{{key},\n{body}\n}}\n"


def _bib_name(name: str) -> str:
    escaped = latex_escape(" ".join(name.split()))
    # A comma or a bare "and" would split or reorder the name; braces make it one literal name.
    if "," in escaped or _AND_WORD.search(escaped):
        return "{" + escaped + "}"
    return escaped


def export_bibtex(records: list[dict]) -> str:
    """All records as BibTeX, in the records' order, one blank line between entries."""
    keys = citation_keys(records)
    header = "% Exported by Paper Lens. UTF-8.\n\n"
    return header + "\n".join(bibtex_entry(r, keys[r["id"]]) for r in records)


# ---------------------------------------------------------------- import

_ARXIV_IN_TEXT = (
    re.compile(rf"arxiv\.org/(?:abs|pdf)/({ARXIV_PATTERN})", re.IGNORECASE),
    re.compile(rf"10\.48550/arxiv\.({ARXIV_PATTERN})", re.IGNORECASE),
    re.compile(rf"arxiv:\s*({ARXIV_PATTERN})", re.IGNORECASE),
)
_EPRINT = re.compile(rf"^(?:arxiv:)?({ARXIV_PATTERN})(?:v\d+)?$", re.IGNORECASE)
# Our own escapes, undone exactly; anything else goes to pylatexenc. One token pattern, one capturing group:
# `split` puts each token at the odd positions in one C call per text (no Python callback per escape, as with
# `sub`), and a token that is none of ours, a backslash starting something else or a ~ tie, is LaTeX we did
# not write.
_LATEX_TOKEN = re.compile(
    r"(\\(?:textbackslash|textasciitilde|textasciicircum|textbraceleft|textbraceright)\{\}|\\[{}&%$#_]|[{}]|\\|~)"
)
_OWN_UNESCAPES = {
    r"\textbackslash{}": "\\",
    r"\textasciitilde{}": "~",
    r"\textasciicircum{}": "^",
    r"\textbraceleft{}": "{",
    r"\textbraceright{}": "}",
    **{"\\" + c: c for c in "{}&%$#_"},
    "{": "",
    "}": "",
}


def latex_unescape(text: str) -> str:
    """Undo `latex_escape` exactly (and drop grouping braces); text with other LaTeX (accents like {\\"u},
    ~ ties, commands) is decoded by pylatexenc."""
    if "\\" not in text and "~" not in text:
        return text.replace("{", "").replace("}", "")
    parts = _LATEX_TOKEN.split(text)
    try:
        parts[1::2] = map(_OWN_UNESCAPES.__getitem__, parts[1::2])
    except KeyError:  # a lone backslash or ~: LaTeX we did not write
        return _latex_to_text().latex_to_text(text)
    return "".join(parts)


# pylatexenc drops argument-less macros it does not know, and it knows none of the TeX logos: a title like
# "The {\TeX}book" or "Parsing \BibTeX{} Files" would lose a word.
_LATEX_LOGOS = {
    "TeX": "TeX", "LaTeX": "LaTeX", "LaTeXe": "LaTeX2e", "BibTeX": "BibTeX", "XeTeX": "XeTeX",
    "XeLaTeX": "XeLaTeX", "LuaTeX": "LuaTeX", "LuaLaTeX": "LuaLaTeX", "pdfTeX": "pdfTeX", "pdfLaTeX": "pdfLaTeX",
    "AmS": "AmS", "AmSTeX": "AmS-TeX", "ConTeXt": "ConTeXt", "METAFONT": "METAFONT",
}


@functools.lru_cache(maxsize=1)
def _latex_to_text():
    """pylatexenc's LaTeX-to-text converter (imported on first use), knowing the TeX logos."""
    from pylatexenc.latex2text import LatexNodes2Text, MacroTextSpec, get_default_latex_context_db

    db = get_default_latex_context_db()  # a fresh db: extending it changes no one else's
    db.add_context_category(
        "paperlens-logos", prepend=True, macros=[MacroTextSpec(m, simplify_repl=t) for m, t in _LATEX_LOGOS.items()]
    )
    return LatexNodes2Text(latex_context=db, math_mode="verbatim", strict_latex_spaces=True)


# Precompiled: `re.split(pattern, flags=re.I)` looks its pattern up in re's cache on every call, and on
# Python 3.11 reading the flag enum alone cost more than the split over 10,000 entries.
_AND = re.compile(r"\s+and\s+", re.IGNORECASE)
_TAG_SEPARATORS = re.compile(r"[,;]")


def _bib_authors(value: str) -> list[str]:
    """The names in a BibTeX author field, as "First Last"."""
    # Most fields: plain names, single spaces (isprintable() is False for every other kind of white space).
    if value.isprintable() and "  " not in value and not _NAME_SPECIALS.search(value):
        return [name for name in map(str.strip, _AND.split(value)) if name]
    return [_bib_author(a) for a in _split_names(value)]


def _split_names(value: str) -> list[str]:
    """BibTeX's author list split on ` and ` outside braces."""
    if "{" not in value:
        return [n.strip() for n in _AND.split(value) if n.strip()]
    value = " ".join(value.split())
    names, depth, start, i = [], 0, 0, 0
    while i < len(value):
        c = value[i]
        if c == "{":
            depth += 1
        elif c == "}":
            depth -= 1
        elif depth == 0 and value[i : i + 5].lower() == " and " :
            names.append(value[start:i])
            start = i + 5
            i += 4
        i += 1
    names.append(value[start:])
    return [n.strip() for n in names if n.strip()]


_NAME_SPECIALS = re.compile(r"[\\{},~]")


def _bib_author(raw: str) -> str:
    raw = " ".join(raw.split())
    if not _NAME_SPECIALS.search(raw):
        return raw  # "First Last" with nothing to decode: most names
    if raw.startswith("{") and raw.endswith("}") and balanced(raw[1:-1]):
        return latex_unescape(raw[1:-1])  # one literal name, exactly as written
    name = latex_unescape(raw)
    if "," in name:  # "Last, First" or "Last, Jr, First"
        parts = [p.strip() for p in name.split(",")]
        name = " ".join([parts[-1], parts[0]] + parts[1:-1]) if len(parts) > 2 else f"{parts[1]} {parts[0]}"
    return " ".join(name.split())


def arxiv_id_of(fields: dict[str, str]) -> str | None:
    """The arXiv id an entry names: eprint (with archivePrefix arXiv or none), else an arxiv.org URL,
    an arXiv DOI or "arXiv:NNNN.NNNNN" in url/doi/journal/note/howpublished. Version suffixes dropped."""
    prefix = fields.get("archiveprefix", "arxiv").strip().lower()
    eprint = fields.get("eprint", "").strip()
    if eprint and prefix == "arxiv":
        m = _EPRINT.match(eprint)
        if m:
            return m.group(1)
    for name in ("url", "doi", "journal", "note", "howpublished", "eprint"):
        for pattern in _ARXIV_IN_TEXT:
            m = pattern.search(fields.get(name, ""))
            if m:
                return m.group(1)
    return None


def parse_bibtex(text) -> list[dict]:
    """Records from a BibTeX string: one per entry, id = the arXiv id it names, else the title id (the same
    id a page without arXiv ids gives that title). Tags come from `keywords`, the note from `annote`.
    Raises PaperLensError(400) on malformed BibTeX or an entry with neither arXiv id nor title."""
    if not isinstance(text, str):
        raise PaperLensError("a BibTeX import's 'data' must be a string", 400)
    entries, errors = read_bibtex(text)
    problems = Problems("BibTeX")
    for pos, message in errors:
        snippet = " ".join(text[pos : pos + 60].split())
        problems.add(f"line {line_of(text, pos)}", f"malformed entry {snippet!r}: {message}")
    if not entries and not problems.items:
        raise PaperLensError("no BibTeX entries found", 400)
    out = []
    for entry in entries:
        try:
            out.append(_bib_record(entry["fields"]))
        except PaperLensError as e:
            problems.add(f"entry {entry['key']!r} (line {line_of(text, entry['pos'])})", e.message)
    problems.raise_if_any()
    return out


_BIB_YEAR = re.compile(r"\{?(\d{4})\}?")


def _bib_date(fields: dict[str, str]) -> str | None:
    """biblatex's ISO `date` (its start: "2024-05-17", "2024-05", "2024/2025" -> 2024), else BibTeX's `year`,
    else None. The year is what our BibTeX export writes, so a round trip keeps it."""
    date = fields.get("date", "").strip()
    m = ISO_DATE.match(date)
    if m:
        return m.group(0)
    m = _BIB_YEAR.fullmatch(fields.get("year", "").strip())
    return m.group(1) if m else None


def _bib_record(fields: dict[str, str]) -> dict:
    title = " ".join(latex_unescape(fields.get("title", "")).split())
    arxiv_id = arxiv_id_of(fields)
    if not arxiv_id and not title:
        raise PaperLensError("no arXiv id (eprint/url) and no title", 400)
    if len(title) > MAX_TITLE_CHARS:
        raise PaperLensError(f"the title is longer than {MAX_TITLE_CHARS} characters", 400)
    paper_id = arxiv_id or title_id(title)
    keywords = latex_unescape(fields.get("keywords", ""))
    url = fields.get("url", "").strip()
    if arxiv_id or not url.startswith(("http://", "https://")):
        url = paper_url(paper_id, title) if (arxiv_id or title) else ""
    record = {
        "id": paper_id,
        "title": title or None,
        "url": url,
        "published": _bib_date(fields),
        "authors": _bib_authors(fields.get("author", "")),
        "abstract": " ".join(latex_unescape(fields.get("abstract", "")).split()) or None,
        "saved_at": None,
        "tags": normalize_tags(_TAG_SEPARATORS.split(keywords)),
        "note": check_note(latex_unescape(fields.get("annote", ""))),
        "read": False,
        "first_seen": None,
        "last_seen": None,
        "seen_count": None,
    }
    if title:
        record["title_key"] = title_key(title)
    return record


FORMAT = Format(
    name="bibtex",
    label="BibTeX",
    purpose="for LaTeX and reference managers",
    extensions=(".bib", ".bibtex"),
    media_type="application/x-bibtex; charset=utf-8",
    write=export_bibtex,
    read=parse_bibtex,
)
