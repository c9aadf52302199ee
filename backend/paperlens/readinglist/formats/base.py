"""What a reading-list file format is: a name, how it is shown and downloaded, how records become a file
and (for formats we can read back) how a file becomes records. A format that also carries the reader's
triage (dismissed papers, muted terms: our JSON) says how to read those back, and its `write` takes them too."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass


@dataclass(frozen=True)
class Format:
    name: str  # the API's and the CLI's name for it: json, bibtex, csv
    label: str  # how the popup's button says it
    purpose: str  # what it is for, in the CLI's help ("for spreadsheets")
    extensions: tuple[str, ...]  # file name endings, the first one for downloads (".bib")
    media_type: str  # the download's Content-Type
    # Export records -> the file's text; with `triage`, also write(records, dismissed=[...], muted=[...]).
    write: Callable[..., str]
    # The request's data, as `load` gives it -> records; None: not importable.
    read: Callable[[object], list[dict]] | None = None
    # Whether a file's text is in this format, for a file whose name says nothing (standard input).
    looks_like: Callable[[str], bool] = lambda text: False
    # The data as `read` and `triage` take it (JSON: parsed once, for both).
    load: Callable[[object], object] = lambda data: data
    # The loaded data -> (dismissals, muted terms) it carries; None: the format carries no triage.
    triage: Callable[[object], tuple[list[dict], list[dict]]] | None = None
