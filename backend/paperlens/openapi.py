"""The OpenAPI 3.1 description served at GET /api/openapi.json.

openapi.json holds the prose and the shapes. The rules that have an owner elsewhere (the id patterns, the
limits, the format and sort lists) are not written in it: `document()` fills them in from their owners, so
the description cannot disagree with what the API enforces (tests/test_openapi.py checks the file leaves
every one of them out).
"""

from __future__ import annotations

import copy
import functools
import json
from pathlib import Path

from . import config
from .ids import ARXIV_ID, PAPER_ID
from .readinglist import fields
from .readinglist.formats import EXPORT_FORMATS, IMPORT_FORMATS
from .triage import MUTE_KINDS

TEMPLATE = Path(__file__).with_name("openapi.json")


def _param(name: str) -> tuple[str, str]:
    return ("parameters", name)  # the parameter with this name in an operation's list


def _ecma(pattern: str) -> str:
    """A Python id pattern as OpenAPI's (ECMA-262) regex: Python's end of text \\Z is ECMA's $."""
    return pattern.replace("\\Z", "$")


def rules() -> list[tuple[tuple, str, object]]:
    """(where: keys from the document's root, the parameter name for parameter lists; field; value)."""
    schemas = ("components", "schemas")
    card = (*schemas, "Card", "properties")
    request = (*schemas, "AnnotateRequest", "properties")
    related = ("paths", "/api/papers/{paper_id}/related", "get")
    search = ("paths", "/api/search", "get")
    saved = ("paths", "/api/saved", "get")
    muted = ("paths", "/api/muted")
    mute_body = (*muted, "put", "requestBody", "content", "application/json", "schema", "properties")
    return [
        ((*schemas, "PaperId"), "pattern", _ecma(PAPER_ID.pattern)),
        ((*card, "id"), "pattern", _ecma(ARXIV_ID.pattern)),
        ((*card, "key"), "maxLength", config.MAX_CARD_KEY_CHARS),
        ((*card, "title"), "maxLength", config.MAX_TITLE_CHARS),
        ((*card, "summary"), "maxLength", config.MAX_ABSTRACT_CHARS),
        ((*card, "authors"), "maxItems", config.MAX_CARD_AUTHORS),
        ((*card, "authors", "items"), "maxLength", config.MAX_AUTHOR_CHARS),
        ((*mute_body, "term"), "maxLength", config.MAX_MUTE_TERM_CHARS),
        ((*mute_body, "kind"), "enum", list(MUTE_KINDS)),
        ((*muted, "delete", _param("term"), "schema"), "maxLength", config.MAX_MUTE_TERM_CHARS),
        ((*muted, "delete", _param("kind"), "schema"), "enum", list(MUTE_KINDS)),
        (("paths", "/api/dismissed", "get", _param("limit"), "schema"), "maximum", config.MAX_LIST_LIMIT),
        ((*request, "cards"), "maxItems", config.MAX_PAPERS_PER_PAGE),
        ((*request, "html"), "maxLength", config.MAX_PAGE_CHARS),
        ((*request, "text"), "maxLength", config.MAX_PAGE_CHARS),
        (("paths", "/api/keyphrases", "get", _param("ids"), "schema"), "maxLength", config.MAX_QUERY_STRING),
        ((*related, _param("k"), "schema"), "maximum", config.MAX_RELATED_K),
        ((*related, _param("k"), "schema"), "default", config.RELATED_K),
        ((*search, _param("q"), "schema"), "maxLength", config.MAX_QUERY_CHARS),
        ((*search, _param("k"), "schema"), "maximum", config.MAX_SEARCH_K),
        ((*search, _param("k"), "schema"), "default", config.SEARCH_K),
        ((*saved, _param("q"), "schema"), "maxLength", config.MAX_QUERY_CHARS),
        ((*saved, _param("sort"), "schema"), "enum", list(fields.SAVED_SORTS)),
        ((*saved, _param("limit"), "schema"), "maximum", config.MAX_LIST_LIMIT),
        (("paths", "/api/saved/export", "get", _param("format"), "schema"), "enum", list(EXPORT_FORMATS)),
        (
            ("paths", "/api/saved/import", "post", "requestBody", "content", "application/json", "schema",
             "properties", "format"),
            "enum",
            list(IMPORT_FORMATS),
        ),
    ]


def locate(doc: dict, where: tuple) -> dict:
    """The object at `where` in `doc` (KeyError if the template lacks it)."""
    node = doc
    for step in where:
        if isinstance(step, tuple):  # ("parameters", name): find the parameter by name
            node = next(p for p in node[step[0]] if p["name"] == step[1])
        else:
            node = node[step]
    return node


def template() -> dict:
    """openapi.json as written: without the rules `rules()` fills in."""
    return json.loads(TEMPLATE.read_text(encoding="utf-8"))


@functools.lru_cache(maxsize=1)
def _document() -> dict:
    doc = template()
    for where, field, value in rules():
        locate(doc, where)[field] = value
    return doc


def document() -> dict:
    """The full description: the template with every rule filled in from its owner (a fresh copy)."""
    return copy.deepcopy(_document())
