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

from ..config import MAX_ABSTRACT_CHARS
from ..errors import PaperLensError

MAX_TAGS = 50
MAX_TAG_LEN = 64
MAX_NOTE_LEN = 50_000
# An import is one transaction validated in memory first; this keeps a runaway file from eating the machine.
MAX_IMPORT_RECORDS = 100_000
MAX_ERRORS_SHOWN = 10

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
    note kept unless it is empty, read if either is read, the earlier saved time. Returns the merged
    {"saved_at", "tags", "note", "read"}."""
    saved_times = [t for t in (old.get("saved_at"), new.get("saved_at")) if t is not None]
    return {
        "saved_at": min(saved_times) if saved_times else None,
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


def opt_number(value, name: str):
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, (int, float)) or not math.isfinite(value) or value < 0:
        raise PaperLensError(f"'{name}' must be a non-negative number of seconds since 1970 or null", 400)
    return float(value)


def opt_str(value, name: str, limit: int = MAX_ABSTRACT_CHARS):
    if value is None:
        return None
    if not isinstance(value, str) or len(value) > limit:
        raise PaperLensError(f"'{name}' must be a string of at most {limit} characters or null", 400)
    return value
