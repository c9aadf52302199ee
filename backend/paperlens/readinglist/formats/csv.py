"""CSV for spreadsheets: one row per saved paper. Cells a spreadsheet would run as a formula are defused."""

from __future__ import annotations

import csv
import io
from datetime import datetime, timezone

from .base import Format


CSV_FIELDS = ("id", "title", "authors", "published", "url", "saved_at", "tags", "note", "read")


def export_csv(records: list[dict]) -> str:
    """One row per saved paper: id, title, authors ("; "-joined), published, url, saved_at (ISO 8601 UTC),
    tags (", "-joined), note, read (true/false). Cells that a spreadsheet would run as a formula get a
    leading apostrophe."""
    buf = io.StringIO()
    writer = csv.writer(buf, lineterminator="\r\n")
    writer.writerow(CSV_FIELDS)
    for r in records:
        writer.writerow(
            [
                _csv_cell(r["id"]),
                _csv_cell(r.get("title") or ""),
                _csv_cell("; ".join(r.get("authors") or [])),
                r.get("published") or "",
                _csv_cell(r.get("url") or ""),
                iso_time(r["saved_at"]),
                _csv_cell(", ".join(r.get("tags") or [])),
                _csv_cell(r.get("note") or ""),
                "true" if r.get("read") else "false",
            ]
        )
    return buf.getvalue()


def _csv_cell(text: str) -> str:
    # Spreadsheets execute cells starting with these; a user's note or a page title must never run.
    return "'" + text if text[:1] in ("=", "+", "-", "@", "\t", "\r") else text


def iso_time(t: float | None) -> str:
    """Seconds since 1970 as ISO 8601 UTC to the second ("2025-09-11T08:30:00Z"); "" for None."""
    if t is None:
        return ""
    return datetime.fromtimestamp(t, timezone.utc).isoformat(timespec="seconds").replace("+00:00", "Z")


FORMAT = Format(
    name="csv",
    label="CSV",
    purpose="for spreadsheets",
    extensions=(".csv",),
    media_type="text/csv; charset=utf-8",
    write=export_csv,
)
