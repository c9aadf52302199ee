"""CSV for spreadsheets: one row per saved paper. Cells a spreadsheet would run as a formula are defused.
Our own CSV export imports back (to the second: JSON is the export that keeps everything exactly)."""

from __future__ import annotations

import csv
import io
from datetime import datetime, timezone

from ...errors import PaperLensError
from ..fields import MAX_IMPORT_RECORDS, Problems, check_records
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


# Spreadsheets execute cells starting with these; a user's note or a page title must never run.
_FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def _defused(text: str) -> bool:
    """Whether the cell for `text` gets a leading apostrophe: it would start a formula, even after the
    apostrophes it already has (so that reading strips exactly the one we added)."""
    return text.lstrip("'").startswith(_FORMULA_STARTS)


def _csv_cell(text: str) -> str:
    return "'" + text if _defused(text) else text


def _cell_text(cell: str) -> str:
    """A cell's text as it was before `_csv_cell`."""
    return cell[1:] if cell.startswith("'") and _defused(cell[1:]) else cell


def iso_time(t: float | None) -> str:
    """Seconds since 1970 as ISO 8601 UTC to the second ("2025-09-11T08:30:00Z"); "" for None."""
    if t is None:
        return ""
    return datetime.fromtimestamp(t, timezone.utc).isoformat(timespec="seconds").replace("+00:00", "Z")


def parse_csv(data) -> list[dict]:
    """Records from our CSV export (its columns in any order; `id` required). Raises PaperLensError(400)
    naming the bad rows, or the columns it does not know."""
    if not isinstance(data, str):
        raise PaperLensError("a CSV import's 'data' must be a string", 400)
    # strict: a quote that never closes is an error, not a cell that swallows the rows after it.
    reader = csv.reader(io.StringIO(data.lstrip("\ufeff"), newline=""), strict=True)
    try:
        rows = list(reader)
    except csv.Error as e:  # an unclosed quote, a cell over the csv module's field size limit
        hint = ": a quote (\") opens a cell that is never closed" if "end of data" in str(e) else ""
        raise PaperLensError(f"the CSV import does not parse at line {reader.line_num}: {e}{hint}", 400) from None
    header = [h.strip() for h in (rows[0] if rows else [])]
    unknown = [h for h in header if h and h not in CSV_FIELDS]
    if "id" not in header or unknown:
        raise PaperLensError(
            f"not a Paper Lens CSV export: its first row must name the columns {', '.join(CSV_FIELDS)}"
            + (f" (unknown: {', '.join(unknown)})" if unknown else " (no 'id' column)"),
            400,
        )
    twice = sorted({h for h in header if h and header.count(h) > 1})
    if twice:
        raise PaperLensError(f"the CSV names the column(s) {', '.join(twice)} twice: which one holds the value?", 400)
    items, places, problems = [], [], Problems("CSV")
    for number, row in enumerate(rows[1:], start=2):
        if not any(cell.strip() for cell in row):
            continue  # a blank line, as spreadsheets leave at the end
        if len(items) >= MAX_IMPORT_RECORDS:
            raise PaperLensError(f"more than {MAX_IMPORT_RECORDS} records: at most {MAX_IMPORT_RECORDS} per import", 400)
        if len(row) > len(header) and any(cell.strip() for cell in row[len(header):]):
            problems.add(f"row {number}", f"{len(row)} cells under a header of {len(header)} columns")
            continue
        cells = {name: _cell_text(value) for name, value in zip(header, row) if name}
        try:
            items.append(_item(cells))
            places.append(f"row {number}")
        except PaperLensError as e:
            problems.add(f"row {number} ({cells.get('id', '')!r})", e.message)
    problems.raise_if_any()
    return check_records(items, "CSV", places)


def _item(cells: dict[str, str]) -> dict:
    """A CSV row -> an export record's shape for `fields.check_record` (which validates it)."""
    def text(name: str) -> str | None:
        return cells.get(name) or None

    read = (cells.get("read") or "false").strip().lower()
    return {
        "id": cells.get("id", "").strip(),
        "title": text("title"),
        "url": text("url"),
        "published": text("published"),
        "authors": [a for a in (cells.get("authors") or "").split("; ") if a.strip()],
        "saved_at": _seconds(cells.get("saved_at") or ""),
        "tags": (cells.get("tags") or "").split(","),
        "note": cells.get("note") or "",
        "read": {"true": True, "false": False}.get(read, read),  # anything else: check_record says so
    }


def _seconds(iso: str):
    """ISO 8601 (as `iso_time` writes it) -> seconds since 1970; "" -> None; PaperLensError(400) else."""
    if not iso.strip():
        return None
    try:
        t = datetime.fromisoformat(iso.strip().replace("Z", "+00:00"))
    except ValueError:
        raise PaperLensError(f"'saved_at' must be an ISO 8601 time like 2025-09-11T08:30:00Z (as the export "
                             f"writes it) or empty, not {iso.strip()[:40]!r}", 400) from None
    return (t if t.tzinfo else t.replace(tzinfo=timezone.utc)).timestamp()


FORMAT = Format(
    name="csv",
    label="CSV",
    purpose="for spreadsheets",
    extensions=(".csv",),
    media_type="text/csv; charset=utf-8",
    write=export_csv,
    read=parse_csv,
    looks_like=lambda text: text.lstrip("\ufeff \t\r\n").startswith("id,"),
)
