"""Where the benchmarks find the repo and the shared data (seeds, Inspec, SemEval, CSFCube).

The data is never copied into the repo (CSFCube is CC BY-NC, evaluation only): it is read from
$PAPERLENS_SHARED, else ../shared beside the repo (as in CI).
"""

from __future__ import annotations

import os
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def shared_dir() -> Path:
    """The shared data folder (see the module docstring)."""
    env = os.environ.get("PAPERLENS_SHARED")
    return Path(env) if env else ROOT.parent / "shared"
