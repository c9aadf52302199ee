"""Our JSON export: everything a save holds, and the one format an import restores exactly (export, import
into an empty library and export again gives the same bytes)."""

from __future__ import annotations

import json

from ...config import MAX_TITLE_CHARS
from ...errors import PaperLensError
from ...ids import check_paper_id, title_key
from ..fields import (
    ISO_DATE,
    MAX_IMPORT_RECORDS,
    RECORD_FIELDS,
    Problems,
    check_note,
    check_read,
    normalize_tags,
    opt_number,
    opt_str,
)
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
    problems = Problems("JSON")
    out = []
    for i, item in enumerate(items):
        where = f"record {i + 1}"
        try:
            if not isinstance(item, dict):
                raise PaperLensError("not an object", 400)
            where += f" ({item.get('id')!r})"
            out.append(_json_record(item))
        except PaperLensError as e:
            problems.add(where, e.message)
    problems.raise_if_any()
    return out


_FIELD_SET = frozenset(RECORD_FIELDS)


def _json_record(item: dict) -> dict:
    unknown = item.keys() - _FIELD_SET
    if unknown:
        raise PaperLensError(f"unknown field(s) {', '.join(sorted(unknown))}", 400)
    paper_id = check_paper_id(item.get("id"))
    published = opt_str(item.get("published"), "published", 10)
    if published is not None and not ISO_DATE.fullmatch(published):
        raise PaperLensError("'published' must be YYYY-MM-DD, YYYY-MM, YYYY or null", 400)
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


FORMAT = Format(
    name="json",
    label="JSON",
    purpose="restores everything (tags, notes, read state)",
    extensions=(".json",),
    media_type="application/json; charset=utf-8",
    write=export_json,
    read=parse_json_export,
)
