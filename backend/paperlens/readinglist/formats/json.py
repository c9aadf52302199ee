"""Our JSON export: everything a save holds, and the one format an import restores exactly (export, import
into an empty library and export again gives the same bytes)."""

from __future__ import annotations

import json

from ...errors import PaperLensError
from ..fields import MAX_IMPORT_RECORDS, RECORD_FIELDS, check_records
from .base import Format

EXPORT_FORMAT = "paperlens-saved"
EXPORT_VERSION = 1


def export_json(records: list[dict]) -> str:
    """`{"format": "paperlens-saved", "version": 1, "count": N, "saved": [record]}` as UTF-8 JSON text.
    Deterministic (no export time inside), so exporting the same library twice gives the same bytes."""
    head = json.dumps({"format": EXPORT_FORMAT, "version": EXPORT_VERSION, "count": len(records)})
    # One record per line: diffable, and json's C encoder (indent= would fall back to the slow pure-Python one).
    lines = ",\n".join(json.dumps({k: r.get(k) for k in RECORD_FIELDS}, ensure_ascii=False) for r in records)
    return head[:-1] + ', "saved": [\n' + lines + ("\n" if lines else "") + "]}\n"



def parse_json_export(data) -> list[dict]:
    """Records from our JSON export (the object, or its text). Also takes `GET /api/saved`'s answer or a
    bare list of records. Raises PaperLensError(400) naming every bad record."""
    if isinstance(data, str):
        try:
            data = json.loads(data)
        except json.JSONDecodeError as e:
            raise PaperLensError(f"the JSON import is not valid JSON: {e}", 400) from None
    if isinstance(data, dict):
        if data.get("format", EXPORT_FORMAT) != EXPORT_FORMAT:
            raise PaperLensError(f"not a Paper Lens export: 'format' is {data.get('format')!r}", 400)
        version = data.get("version", EXPORT_VERSION)
        if not isinstance(version, int) or version > EXPORT_VERSION:
            raise PaperLensError(
                f"this export has version {version!r}; this Paper Lens reads up to {EXPORT_VERSION}: upgrade it",
                400,
            )
        items = data.get("saved")
    else:
        items = data
    if not isinstance(items, list):
        raise PaperLensError("a JSON import is our export object {\"format\", \"saved\": [...]} or a list", 400)
    if len(items) > MAX_IMPORT_RECORDS:
        raise PaperLensError(f"{len(items)} records: at most {MAX_IMPORT_RECORDS} per import", 400)
    return check_records(items, "JSON")


FORMAT = Format(
    name="json",
    label="JSON",
    purpose="restores everything (tags, notes, read state)",
    extensions=(".json",),
    media_type="application/json; charset=utf-8",
    write=export_json,
    read=parse_json_export,
    looks_like=lambda text: text.lstrip("\ufeff \t\r\n")[:1] in ("{", "["),
)
