"""What an import will do, decided before anything is written. Pure: the store reads what the library
holds, this decides, the store writes the plan in the same transaction.

A paper already saved is merged, never overwritten (`fields.merge_saved`); a paper the library knows only
gets its blank details filled; a paper it does not know is added, marked never seen unless the record says
when it was. A file that would change nothing is refused with a 409 that says so.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from ..errors import PaperLensError
from .fields import merge_saved

# The paper details an import may fill in where the library has none.
FILLABLE = ("authors", "abstract", "published", "url")


@dataclass
class ImportPlan:
    new_papers: list[dict] = field(default_factory=list)  # records of papers to add (with "title_key")
    fills: list[dict] = field(default_factory=list)  # records whose details fill a known paper's blanks
    new_saves: list[dict] = field(default_factory=list)  # {"id", "saved_at", "tags", "note", "read"}
    changed_saves: list[dict] = field(default_factory=list)  # the same, merged with the existing save
    counts: dict = field(default_factory=lambda: {"imported": 0, "updated": 0, "skipped": 0})


def plan_import(records: list[dict], saves: dict[str, dict], blanks: dict[str, set[str]], now: float) -> ImportPlan:
    """The plan for importing `records` (validated, unique ids; see `formats.parse_import`).

    `saves`: {id: {"saved_at", "tags", "note", "read"}} for the records' papers already saved.
    `blanks`: {id: the FILLABLE details it lacks} for the records' papers already in the library.
    `now`: the saved time of records without one. Raises PaperLensError(409) when nothing would change."""
    plan = ImportPlan()
    counts = plan.counts
    for r in records:
        paper_id = r["id"]
        paper_changed = False
        lacking = blanks.get(paper_id)
        if lacking is not None:
            if any(r.get(name) for name in lacking):
                plan.fills.append(r)
                paper_changed = True
        elif r.get("title"):
            plan.new_papers.append(r)
            paper_changed = True
        incoming = {
            "id": paper_id,
            "saved_at": now if r.get("saved_at") is None else r["saved_at"],
            "tags": r["tags"],
            "note": r["note"],
            "read": r["read"],
        }
        old = saves.get(paper_id)
        if old is None:
            plan.new_saves.append(incoming)
            counts["imported"] += 1
            continue
        merged = merge_saved(old, incoming)
        if merged == old:
            # The save is unchanged; filling in the paper's missing details still updates it.
            counts["updated" if paper_changed else "skipped"] += 1
        else:
            plan.changed_saves.append({"id": paper_id, **merged})
            counts["updated"] += 1
    if records and not (plan.new_saves or plan.changed_saves or plan.new_papers or plan.fills):
        # Nothing would change: the same file imported again. Say so rather than answer a quiet 200.
        raise PaperLensError(
            f"nothing to import: all {len(records)} papers in this file are already saved, and it adds "
            "nothing to them (no new tags, notes, read state or missing details)",
            409,
        )
    return plan
