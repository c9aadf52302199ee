"""Speed for whole-library imports and exports, kept apart from the rules: `benchmarks/bench_library.py`
measures what it buys (its "without" rows)."""

from __future__ import annotations

import gc
from contextlib import contextmanager


@contextmanager
def bulk():
    """Pause Python's cyclic garbage collector for a whole-library import or export. Those build ~100,000
    short-lived dicts, lists and strings with no reference cycles among them (plain refcounting frees them),
    yet each allocation burst makes the collector walk every live object again: ~0.2 s of a 10,000-paper
    import. Safe to nest and to overlap between threads: whichever use disabled it turns it back on, so
    at worst an overlapping import gets the collector back early; it is never left off."""
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            gc.enable()

