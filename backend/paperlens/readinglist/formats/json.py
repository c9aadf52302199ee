"""Our JSON export: everything a save holds, the reader's dismissals and muted terms, and the one format an
import restores exactly (export, import into an empty library and export again gives the same bytes)."""

from __future__ import annotations

import json

from ...errors import PaperLensError
from ..fields import (
    DISMISSAL_FIELDS,
    MAX_IMPORT_RECORDS,
    MUTE_FIELDS,
    RECORD_FIELDS,
    check_dismissals,
    check_mutes,
    check_records,
)
from .base import Format

EXPORT_FORMAT = "paperlens-saved"
# 2 added "dismissed" and "muted". A version-1 file (saves only) still imports; an older Paper Lens refuses a
# version-2 file rather than import its saves and silently drop the rest.
EXPORT_VERSION = 2


def export_json(records: list[dict], dismissed: list[dict] = (), muted: list[dict] = ()) -> str:
    """`{"format": "paperlens-saved", "version": 2, "count": N (saves), "saved": [record], "dismissed":
    [{"id", "title", "url", "dismissed_at"}], "muted": [{"term", "kind", "added_at"}]}` as UTF-8 JSON text.
    Deterministic (no export time inside), so exporting the same library twice gives the same bytes."""
    head = json.dumps({"format": EXPORT_FORMAT, "version": EXPORT_VERSION, "count": len(records)})
    return (
        head[:-1]
        + ', "saved": ' + _lines(records, RECORD_FIELDS)
        + ', "dismissed": ' + _lines(dismissed, DISMISSAL_FIELDS)
        + ', "muted": ' + _lines(muted, MUTE_FIELDS)
        + "}\n"
    )


def _lines(items, keys: tuple[str, ...]) -> str:
    # One item per line: diffable, and json's C encoder (indent= would fall back to the slow pure-Python one).
    lines = ",\n".join(json.dumps({k: r.get(k) for k in keys}, ensure_ascii=False) for r in items)
    return "[\n" + lines + ("\n" if lines else "") + "]"


def load_json(data):
    """The import's data as a JSON value: parsed if it is text. Raises PaperLensError(400) for bad JSON."""
    if isinstance(data, str):
        try:
            return json.loads(data)
        except json.JSONDecodeError as e:
            raise PaperLensError(f"the JSON import is not valid JSON: {e}", 400) from None
    return data


def _check_head(data: dict) -> None:
    if data.get("format", EXPORT_FORMAT) != EXPORT_FORMAT:
        raise PaperLensError(f"not a Paper Lens export: 'format' is {data.get('format')!r}", 400)
    version = data.get("version", EXPORT_VERSION)
    if not isinstance(version, int) or version > EXPORT_VERSION:
        raise PaperLensError(
            f"this export has version {version!r}; this Paper Lens reads up to {EXPORT_VERSION}: upgrade it",
            400,
        )


def parse_json_export(data) -> list[dict]:
    """Saved records from our JSON export (the object, or its text). Also takes `GET /api/saved`'s answer or
    a bare list of records. Raises PaperLensError(400) naming every bad record."""
    data = load_json(data)
    if isinstance(data, dict):
        _check_head(data)
        # An export of a library with dismissals but no saves may leave "saved" empty, never out.
        items = data.get("saved", [] if "dismissed" in data or "muted" in data else None)
    else:
        items = data
    if not isinstance(items, list):
        raise PaperLensError("a JSON import is our export object {\"format\", \"saved\": [...]} or a list", 400)
    count = data.get("count") if isinstance(data, dict) else None
    if count is not None and (isinstance(count, bool) or not isinstance(count, int) or count != len(items)):
        # The export writes how many saves it holds: a file cut short (a failed copy) is not half imported.
        raise PaperLensError(f"the export says it holds {count!r} saved papers but has {len(items)}: the file is "
                             "cut short or was edited; nothing imported", 400)
    if len(items) > MAX_IMPORT_RECORDS:
        raise PaperLensError(f"{len(items)} records: at most {MAX_IMPORT_RECORDS} per import", 400)
    return check_records(items, "JSON")


def parse_json_triage(data) -> tuple[list[dict], list[dict]]:
    """(dismissals, muted terms) of our JSON export (`fields.check_dismissals`, `fields.check_mutes`); none
    from a version-1 export or a bare list."""
    data = load_json(data)
    if not isinstance(data, dict):
        return [], []
    _check_head(data)
    dismissed, muted = data.get("dismissed", []), data.get("muted", [])
    for name, items in (("dismissed", dismissed), ("muted", muted)):
        if isinstance(items, list) and len(items) > MAX_IMPORT_RECORDS:
            raise PaperLensError(f"{len(items)} {name} entries: at most {MAX_IMPORT_RECORDS} per import", 400)
    return check_dismissals(dismissed), check_mutes(muted)


FORMAT = Format(
    name="json",
    label="JSON",
    purpose="restores everything (tags, notes, read state, dismissed papers, muted terms)",
    extensions=(".json",),
    media_type="application/json; charset=utf-8",
    write=export_json,
    read=parse_json_export,
    looks_like=lambda text: text.lstrip("\ufeff \t\r\n")[:1] in ("{", "["),
    load=load_json,
    triage=parse_json_triage,
)
