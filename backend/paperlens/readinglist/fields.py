"""What a save holds and the rules for it: tags, notes, read state, the export record, and how two saves of
one paper merge. Pure: no SQL, no Flask.

An export record (what `Store.export_saved` gives, every format writes, and every import gives back) is
RECORD_FIELDS: `{"id", "title", "url", "published", "authors", "abstract", "saved_at", "tags", "note",
"read", "first_seen", "last_seen", "seen_count"}`; paper fields are None/empty when the paper was saved by id
and never seen, and first_seen/last_seen are None when it was never seen on a page. An imported record may
also carry "title_key" (from `ids.title_key`) when it has a title.
"""

from __future__ import annotations

import functools
import math
import re
import unicodedata

from ..config import MAX_ABSTRACT_CHARS, MAX_TITLE_CHARS
from ..errors import PaperLensError
from ..ids import check_paper_id, title_key

MAX_TAGS = 50
MAX_TAG_LEN = 64
MAX_NOTE_LEN = 50_000
# An import is one transaction validated in memory first; this keeps a runaway file from eating the machine.
MAX_IMPORT_RECORDS = 100_000
MAX_ERRORS_SHOWN = 10
# How the reading list may be ordered: by the time saved, oldest first or ("-") newest first.
SAVED_SORTS = ("saved_at", "-saved_at")

_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f]")
# `published`: a full date from a page, or the year (or year and month) a BibTeX entry gives; ISO 8601 either way.
ISO_DATE = re.compile(r"\d{4}(?:-\d{2}(?:-\d{2})?)?")  # fullmatch to validate; match finds one at a text's start



def normalize_tags(tags) -> list[str]:
    """Tags trimmed, inner whitespace collapsed, lower-cased, deduplicated in first-seen order, empty ones dropped.

    Raises PaperLensError(400) for a non-list, non-string items, a tag longer than MAX_TAG_LEN, a tag with a
    comma (commas separate tags in exports and in the extension's input) or control characters, or more than
    MAX_TAGS tags.
    """
    if not isinstance(tags, list) or not all(isinstance(t, str) for t in tags):
        raise PaperLensError("'tags' must be a list of strings", 400)
    out: list[str] = []
    for raw in tags:
        tag = _normalize_tag(raw)
        if tag and tag not in out:
            out.append(tag)
    if len(out) > MAX_TAGS:
        raise PaperLensError(f"{len(out)} tags: at most {MAX_TAGS} per paper", 400)
    return out


@functools.lru_cache(maxsize=4096)  # a library reuses a few dozen tags across thousands of papers
def _normalize_tag(raw: str) -> str:
    tag = " ".join((raw if raw.isascii() else unicodedata.normalize("NFC", raw)).split()).lower()
    if len(tag) > MAX_TAG_LEN:
        raise PaperLensError(f"tag {tag[:20]!r}... is longer than {MAX_TAG_LEN} characters", 400)
    if "," in tag or _CONTROL.search(tag):
        raise PaperLensError(f"tag {tag!r} may not contain commas or control characters", 400)
    return tag


def check_note(note) -> str:
    """The note unchanged if it is a string of at most MAX_NOTE_LEN characters; else PaperLensError(400)."""
    if not isinstance(note, str):
        raise PaperLensError("'note' must be a string", 400)
    if len(note) > MAX_NOTE_LEN:
        raise PaperLensError(f"the note has {len(note)} characters: at most {MAX_NOTE_LEN}", 400)
    return note


def check_read(read) -> bool:
    """`read` itself if it is a JSON boolean; else PaperLensError(400) (no "yes"/1 guessing)."""
    if not isinstance(read, bool):
        raise PaperLensError("'read' must be true or false", 400)
    return read


def merge_saved(old: dict, new: dict) -> dict:
    """Merge an incoming save into an existing one without losing anything: tags united (old first), the old
    note kept unless it is empty, read if either is read, the earlier saved time (compared to the second).
    Returns the merged {"saved_at", "tags", "note", "read"}."""
    saved_at, incoming = old.get("saved_at"), new.get("saved_at")
    # A CSV export keeps saved times to the second: the same second is the same save, not an earlier one
    # (else a library's own CSV would "change" every save when imported back).
    if saved_at is None or (incoming is not None and math.floor(incoming) < math.floor(saved_at)):
        saved_at = incoming
    return {
        "saved_at": saved_at,
        "tags": old["tags"] + [t for t in new["tags"] if t not in old["tags"]],
        "note": old["note"] or new["note"],
        "read": bool(old["read"] or new["read"]),
    }



RECORD_FIELDS = (
    "id",
    "title",
    "url",
    "published",
    "authors",
    "abstract",
    "saved_at",
    "tags",
    "note",
    "read",
    "first_seen",
    "last_seen",
    "seen_count",
)


class Problems:
    """Collects validation problems so one error names all of them (up to MAX_ERRORS_SHOWN)."""

    def __init__(self, what: str):
        self.what = what
        self.items: list[str] = []

    def add(self, where: str, message: str) -> None:
        self.items.append(f"{where}: {message}")

    def raise_if_any(self) -> None:
        if self.items:
            shown = "; ".join(self.items[:MAX_ERRORS_SHOWN])
            more = f" (and {len(self.items) - MAX_ERRORS_SHOWN} more)" if len(self.items) > MAX_ERRORS_SHOWN else ""
            raise PaperLensError(
                f"nothing imported: {len(self.items)} problem(s) in the {self.what}: {shown}{more}", 400
            )


# The last second a date can show (9999-12-31T23:59:59Z): a time past it imports, then breaks every listing
# and export that prints it.
MAX_TIMESTAMP = 253402300799.0


def opt_number(value, name: str):
    """A time in seconds since 1970 (float), or None."""
    if value is None:
        return None
    if (isinstance(value, bool) or not isinstance(value, (int, float)) or not math.isfinite(value) or value < 0
            or value > MAX_TIMESTAMP):
        raise PaperLensError(f"'{name}' must be seconds since 1970 (0 to {MAX_TIMESTAMP:.0f}, the year 9999) or null",
                             400)
    return float(value)


def check_published(published):
    """'YYYY-MM-DD', 'YYYY-MM', 'YYYY' or None, checked for its shape only: a day that does not exist
    ("2024-02-30") is kept as written, as BibTeX import and older libraries hold such dates, and refusing
    them would make a library's own export fail to restore."""
    published = opt_str(published, "published", 10)
    if published is not None and not ISO_DATE.fullmatch(published):
        raise PaperLensError(f"'published' must be YYYY-MM-DD, YYYY-MM or YYYY (not {published!r}) or null", 400)
    return published


def opt_str(value, name: str, limit: int = MAX_ABSTRACT_CHARS):
    if value is None:
        return None
    if not isinstance(value, str) or len(value) > limit:
        raise PaperLensError(f"'{name}' must be a string of at most {limit} characters or null", 400)
    return value


def check_records(items: list, what: str, places: list[str] | None = None) -> list[dict]:
    """`check_record` for every item; one PaperLensError(400) naming every bad one (`what`: "JSON", "CSV"),
    as "record N", or as `places` says (a CSV's "row N")."""
    problems = Problems(what)
    out = []
    for i, item in enumerate(items):
        where = places[i] if places else f"record {i + 1}"
        try:
            if not isinstance(item, dict):
                raise PaperLensError("not an object", 400)
            where += f" ({item.get('id')!r})"
            out.append(check_record(item))
        except PaperLensError as e:
            problems.add(where, e.message)
    problems.raise_if_any()
    return out


_FIELD_SET = frozenset(RECORD_FIELDS)


def check_record(item: dict) -> dict:
    """One export record from an import (our JSON export's item, or a CSV row read into the same shape),
    validated and normalized; PaperLensError(400) says what is wrong."""
    unknown = item.keys() - _FIELD_SET
    if unknown:
        raise PaperLensError(f"unknown field(s) {', '.join(sorted(unknown))}", 400)
    paper_id = check_paper_id(item.get("id"))
    published = check_published(item.get("published"))
    authors = item.get("authors") or []
    if not isinstance(authors, list) or not all(isinstance(a, str) for a in authors) or len(authors) > 5000:
        raise PaperLensError("'authors' must be a list of strings", 400)
    seen_count = item.get("seen_count")
    if seen_count is not None and (isinstance(seen_count, bool) or not isinstance(seen_count, int) or seen_count < 0):
        raise PaperLensError("'seen_count' must be a non-negative integer or null", 400)
    title = opt_str(item.get("title"), "title", MAX_TITLE_CHARS)
    record = {
        "id": paper_id,
        "title": title if title and title.strip() else None,
        "url": opt_str(item.get("url"), "url", 4000),
        "published": published,
        "authors": authors,
        "abstract": opt_str(item.get("abstract"), "abstract"),
        "saved_at": opt_number(item.get("saved_at"), "saved_at"),
        "tags": normalize_tags(item.get("tags", [])),
        "note": check_note(item.get("note", "")),
        "read": check_read(item.get("read", False)),
        "first_seen": opt_number(item.get("first_seen"), "first_seen"),
        "last_seen": opt_number(item.get("last_seen"), "last_seen"),
        "seen_count": seen_count,
    }
    if record["title"] is not None:
        record["title_key"] = title_key(record["title"])
    return record


# The reader's triage in an export (our JSON): each dismissal with the paper's title and URL (so an import
# into another library can name it), each muted term as the reader wrote it.
DISMISSAL_FIELDS = ("id", "title", "url", "dismissed_at")
MUTE_FIELDS = ("term", "kind", "added_at")


def check_dismissals(items, what: str = "JSON") -> list[dict]:
    """A list of dismissal records {"id", "title"?, "url"?, "dismissed_at"?}, validated; one per paper (the
    earliest time wins). Returns [{"id", "title", "title_key"?, "url", "dismissed_at"}]; PaperLensError(400)
    names every bad one."""
    if not isinstance(items, list):
        raise PaperLensError("'dismissed' must be a list of {id, title, url, dismissed_at}", 400)
    problems = Problems(what)
    out: dict[str, dict] = {}
    for i, item in enumerate(items):
        where = f"dismissed {i + 1}"
        try:
            if not isinstance(item, dict):
                raise PaperLensError("not an object", 400)
            where += f" ({item.get('id')!r})"
            unknown = item.keys() - set(DISMISSAL_FIELDS)
            if unknown:
                raise PaperLensError(f"unknown field(s) {', '.join(sorted(unknown))}", 400)
            title = opt_str(item.get("title"), "title", MAX_TITLE_CHARS)
            record = {
                "id": check_paper_id(item.get("id")),
                "title": title if title and title.strip() else None,
                "url": opt_str(item.get("url"), "url", 4000),
                "dismissed_at": opt_number(item.get("dismissed_at"), "dismissed_at"),
            }
        except PaperLensError as e:
            problems.add(where, e.message)
            continue
        if record["title"] is not None:
            record["title_key"] = title_key(record["title"])
        old = out.get(record["id"])
        if old is None:
            out[record["id"]] = record
        else:
            times = [t for t in (old["dismissed_at"], record["dismissed_at"]) if t is not None]
            old["dismissed_at"] = min(times) if times else None
    problems.raise_if_any()
    return list(out.values())


def check_mutes(items, what: str = "JSON") -> list[dict]:
    """A list of muted terms {"term", "kind", "added_at"?}, each checked by `triage.check_mute`; one per
    kind and key (the earliest time wins). Returns [{"term", "kind", "key", "added_at"}]; PaperLensError(400)
    names every bad one."""
    from ..triage import check_mute

    if not isinstance(items, list):
        raise PaperLensError("'muted' must be a list of {term, kind, added_at}", 400)
    problems = Problems(what)
    out: dict[tuple[str, str], dict] = {}
    for i, item in enumerate(items):
        where = f"muted {i + 1}"
        try:
            if not isinstance(item, dict):
                raise PaperLensError("not an object", 400)
            unknown = item.keys() - set(MUTE_FIELDS)
            if unknown:
                raise PaperLensError(f"unknown field(s) {', '.join(sorted(unknown))}", 400)
            kind, term, key = check_mute(item.get("term"), item.get("kind"))
            added = opt_number(item.get("added_at"), "added_at")
        except PaperLensError as e:
            problems.add(where, e.message)
            continue
        old = out.get((kind, key))
        if old is None:
            out[(kind, key)] = {"term": term, "kind": kind, "key": key, "added_at": added}
        elif added is not None and (old["added_at"] is None or added < old["added_at"]):
            old["added_at"] = added
    problems.raise_if_any()
    return list(out.values())
