"""What an import will do, decided before anything is written. Pure: the store reads what the library
holds, this decides, the store writes the plan in the same transaction.

A paper already saved is merged, never overwritten (`fields.merge_saved`); a paper the library knows only
gets its blank details filled; a paper it does not know is added, marked never seen unless the record says
when it was. A dismissal is added (with its paper, if the library lacks it and the file names it), or moves an
existing one to the earlier time; a muted term is added unless it is muted already. A file that would change
nothing is refused with a 409 that says so.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from ..config import MAX_MUTED_TERMS
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
    dismissals: list[dict] = field(default_factory=list)  # {"id", "dismissed_at"}: new, or an earlier time
    new_mutes: list[dict] = field(default_factory=list)  # {"term", "kind", "key", "added_at"}
    counts: dict = field(default_factory=lambda: {"imported": 0, "updated": 0, "skipped": 0, "dismissed": 0,
                                                  "muted": 0})


def plan_import(
    records: list[dict],
    saves: dict[str, dict],
    blanks: dict[str, set[str]],
    now: float,
    dismissals: list[dict] = (),
    dismissed_before: dict[str, float] | None = None,
    mutes: list[dict] = (),
    muted_before: set[tuple[str, str]] | None = None,
) -> ImportPlan:
    """The plan for importing `records` (validated, unique ids; see `formats.parse_import`) and the file's
    `dismissals` and `mutes` (`fields.check_dismissals`, `fields.check_mutes`).

    `saves`: {id: {"saved_at", "tags", "note", "read"}} for the records' papers already saved.
    `blanks`: {id: the FILLABLE details it lacks} for the records' and dismissals' papers in the library.
    `dismissed_before`: {id: dismissed_at} of the dismissals' papers already dismissed; `muted_before`: the
    (kind, key) of every muted term. `now`: the time of records without one. Raises PaperLensError(409) when
    nothing would change, or when the import would mute more than MAX_MUTED_TERMS terms."""
    plan = ImportPlan()
    counts = plan.counts
    dismissed_before = dismissed_before or {}
    muted_before = muted_before or set()
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
    saved_ids = {r["id"] for r in records}
    for d in dismissals:
        at = now if d.get("dismissed_at") is None else d["dismissed_at"]
        old_at = dismissed_before.get(d["id"])
        if old_at is None:
            plan.dismissals.append({"id": d["id"], "dismissed_at": at})
            counts["dismissed"] += 1
            if d["id"] not in blanks and d["id"] not in saved_ids and d.get("title"):
                plan.new_papers.append({**d, "abstract": "", "authors": [], "published": None})
        elif at < old_at:
            plan.dismissals.append({"id": d["id"], "dismissed_at": at})
    for m in mutes:
        if (m["kind"], m["key"]) not in muted_before:
            plan.new_mutes.append({**m, "added_at": now if m.get("added_at") is None else m["added_at"]})
    counts["muted"] = len(plan.new_mutes)
    if len(muted_before) + len(plan.new_mutes) > MAX_MUTED_TERMS:
        raise PaperLensError(
            f"the import would mute {len(muted_before) + len(plan.new_mutes)} terms: at most {MAX_MUTED_TERMS}", 409
        )
    changes = (plan.new_saves, plan.changed_saves, plan.new_papers, plan.fills, plan.dismissals, plan.new_mutes)
    if (records or dismissals or mutes) and not any(changes):
        # Nothing would change: the same file imported again. Say so rather than answer a quiet 200.
        what = f"all {len(records)} papers in this file are already saved, and it adds nothing to them (no new " \
               "tags, notes, read state or missing details)" if records else "the library has all it holds"
        if dismissals or mutes:
            what += "; its dismissed papers and muted terms are in the library already"
        raise PaperLensError(f"nothing to import: {what}", 409)
    return plan
