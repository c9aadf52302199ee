"""The reading list's file formats, one module each, and the registry that the API, the CLI, the OpenAPI
description and the popup's export buttons all read (a new format is one module plus its line in FORMATS).

    json.py    our export: everything (saves, dismissed papers, muted terms), restored exactly by an import
    bibtex.py  @misc entries for LaTeX; imports BibTeX from any reference manager (bibtex_reader.py)
    csv.py     for spreadsheets (export only)
"""

from __future__ import annotations

from datetime import datetime, timezone
from typing import NamedTuple

from ...errors import PaperLensError
from ..fields import MAX_IMPORT_RECORDS, merge_saved
from . import bibtex, csv, json
from .base import Format

FORMATS: dict[str, Format] = {f.name: f for f in (json.FORMAT, bibtex.FORMAT, csv.FORMAT)}
EXPORT_FORMATS = tuple(FORMATS)
IMPORT_FORMATS = tuple(name for name, f in FORMATS.items() if f.read is not None)


def help_text(names: tuple[str, ...]) -> str:
    """The formats `names` for a --format help: "json restores everything (...); csv for spreadsheets"."""
    return "; ".join(f"{n} {FORMATS[n].purpose} ({', '.join(FORMATS[n].extensions)})" for n in names)


def describe() -> list[dict]:
    """[{"name", "label", "export", "import"}] for GET /api/health (the popup builds its buttons from it)."""
    return [{"name": f.name, "label": f.label, "export": True, "import": f.read is not None} for f in FORMATS.values()]


def check_export_format(fmt) -> Format:
    """The format called `fmt`; else PaperLensError(400) naming the formats."""
    if fmt not in FORMATS:
        raise PaperLensError(f"unknown export format {fmt!r}: use one of {', '.join(EXPORT_FORMATS)}", 400)
    return FORMATS[fmt]


def check_import_format(fmt) -> Format:
    """The importable format called `fmt`; else PaperLensError(400) naming the importable ones."""
    if fmt not in IMPORT_FORMATS:
        known = f"{fmt!r} files cannot be imported" if fmt in FORMATS else f"unknown import format {fmt!r}"
        raise PaperLensError(f"{known}: import reads {', '.join(IMPORT_FORMATS)}", 400)
    return FORMATS[fmt]


def export_records(records: list[dict], fmt: str, dismissed: list[dict] = (), muted: list[dict] = ()) -> str:
    """The records as a file in format `fmt`, a str, with the reader's dismissals and muted terms in a format
    that carries them (JSON; BibTeX and CSV list the saves only)."""
    f = check_export_format(fmt)
    return f.write(records, dismissed=dismissed, muted=muted) if f.triage else f.write(records)


def export_filename(fmt: str, now: datetime | None = None) -> str:
    """`paperlens-saved-YYYYMMDD.<ext>` for a download."""
    now = now or datetime.now(timezone.utc)
    return f"paperlens-saved-{now:%Y%m%d}{check_export_format(fmt).extensions[0]}"


def format_named_by(filename: str) -> str | None:
    """The format a file name's extension names (".bib" -> bibtex), or None."""
    lower = filename.lower()
    return next((f.name for f in FORMATS.values() if lower.endswith(f.extensions)), None)


def format_for(filename: str, text: str) -> str:
    """The format a file is in: from its name's extension, else the format its text looks like, else BibTeX
    (whose entries may follow any amount of free text)."""
    return format_named_by(filename) or next(
        (f.name for f in FORMATS.values() if f.looks_like(text)), bibtex.FORMAT.name
    )


class Imported(NamedTuple):
    """What an import file holds, validated: `records` (saves, unique by id), how many `duplicates` of them
    the file repeated, and the `dismissed` papers and `muted` terms it carries (`fields.check_dismissals`,
    `fields.check_mutes`; empty in formats without them)."""

    records: list[dict]
    duplicates: int
    dismissed: list[dict]
    muted: list[dict]


def parse_import(fmt: str, data) -> Imported:
    """Validate a whole import before anything is written. Records are unique by id (duplicates inside the
    file merged with `merge_saved`), each an export record whose saved_at may be None (= now) and whose paper
    fields may be None. Raises PaperLensError(400) listing the problems, or when the file holds nothing."""
    f = check_import_format(fmt)
    if isinstance(data, str) and not data.strip("\ufeff \t\r\n"):
        raise PaperLensError(f"the {f.label} import is empty: nothing to import", 400)
    data = f.load(data)
    records = f.read(data)
    dismissed, muted = f.triage(data) if f.triage else ([], [])
    if not (records or dismissed or muted):
        raise PaperLensError("the file holds no saved papers: nothing to import", 400)
    if len(records) > MAX_IMPORT_RECORDS:
        raise PaperLensError(f"{len(records)} records: at most {MAX_IMPORT_RECORDS} per import", 400)
    unique: dict[str, dict] = {}
    for r in records:
        if r["id"] in unique:
            old = unique[r["id"]]
            old.update(merge_saved(old, r))
            for k in ("title", "url", "published", "abstract", "authors"):
                old[k] = old.get(k) or r.get(k)
        else:
            unique[r["id"]] = r
    return Imported(list(unique.values()), len(records) - len(unique), dismissed, muted)
