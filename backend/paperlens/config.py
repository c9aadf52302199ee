"""Defaults shared by the CLI, the app and the docs."""

from __future__ import annotations

import os
from pathlib import Path

DEFAULT_HOST = "127.0.0.1"
# Fixed, so the extension's default backend URL just works; unassigned by IANA and rarely taken.
DEFAULT_PORT = 7435
CLIENT_HEADER = "X-PaperLens-Client"


def default_db_path() -> Path:
    """$PAPERLENS_DB, or library.sqlite3 in the user's data directory."""
    env = os.environ.get("PAPERLENS_DB")
    if env:
        return Path(env).expanduser()
    from platformdirs import user_data_dir

    return Path(user_data_dir("paperlens", appauthor=False)) / "library.sqlite3"
