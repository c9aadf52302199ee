"""The JSON routes. Thin: validate, call the annotator or the store, shape the answer."""

from __future__ import annotations

import re

from flask import Blueprint, current_app, jsonify, request

from . import __version__
from .errors import NotFound, PaperLensError
from .keyphrases import MODEL_NAME

bp = Blueprint("api", __name__, url_prefix="/api")

PAPER_ID = re.compile(r"^(\d{4}\.\d{4,5}|t-[0-9a-f]{16})$")


def annotator():
    return current_app.extensions["paperlens"]


def json_body() -> dict:
    """The request's JSON object, or a 400/415 that says what is wrong."""
    if not request.is_json:
        raise PaperLensError("send a JSON body with Content-Type: application/json", 415)
    body = request.get_json(silent=True)
    if not isinstance(body, dict):
        raise PaperLensError("the body must be a JSON object", 400)
    return body


def check_paper_id(paper_id: str) -> str:
    if not PAPER_ID.match(paper_id):
        raise PaperLensError(
            f"{paper_id!r} is not a paper id: use an arXiv id like 2509.09737 or a t-<16 hex> title id", 400
        )
    return paper_id


@bp.get("/health")
def health():
    store = annotator().store
    return jsonify(
        {
            "ok": True,
            "version": __version__,
            "papers": store.count_papers(),
            "saved": store.count_saved(),
            "model": annotator().extractor.model_name or MODEL_NAME,
        }
    )


@bp.post("/annotate")
def annotate():
    body = json_body()
    url = body.get("url")
    if url is not None and not isinstance(url, str):
        raise PaperLensError("'url' must be a string", 400)
    content = body.get("html", body.get("text"))
    if not isinstance(content, str):
        raise PaperLensError("send the page as 'html' or 'text' (a string)", 400)
    wait = body.get("wait", False)
    if not isinstance(wait, bool):
        raise PaperLensError("'wait' must be true or false", 400)
    return jsonify(annotator().annotate(content, url, wait=wait))


MAX_IDS = 500


@bp.get("/keyphrases")
def keyphrases():
    """Keyphrases of papers already in the library (the extension polls this for pending papers):
    {"ok", "keyphrases": {id: [{"phrase", "score"}]}, "pending": [id], "unknown": [id]}."""
    raw = request.args.get("ids", "")
    ids = list(dict.fromkeys(i.strip() for i in raw.split(",") if i.strip()))
    if not ids:
        raise PaperLensError("give paper ids as ?ids=a,b,c", 400)
    if len(ids) > MAX_IDS:
        raise PaperLensError(f"at most {MAX_IDS} ids per request", 400)
    for paper_id in ids:
        check_paper_id(paper_id)
    return jsonify({"ok": True, **annotator().keyphrases_by_id(ids)})


@bp.put("/saved/<paper_id>")
def save(paper_id: str):
    check_paper_id(paper_id)
    body = request.get_json(silent=True) if request.data else {}
    if not isinstance(body, dict):
        raise PaperLensError("the body must be a JSON object", 400)
    tags, note = body.get("tags"), body.get("note")
    if tags is not None and not (isinstance(tags, list) and all(isinstance(t, str) for t in tags)):
        raise PaperLensError("'tags' must be a list of strings", 400)
    if note is not None and not isinstance(note, str):
        raise PaperLensError("'note' must be a string", 400)
    return jsonify({"ok": True, "saved": annotator().store.save_paper(paper_id, tags, note)})


@bp.delete("/saved/<paper_id>")
def unsave(paper_id: str):
    check_paper_id(paper_id)
    if not annotator().store.unsave_paper(paper_id):
        raise NotFound(f"{paper_id} is not saved")
    return jsonify({"ok": True, "id": paper_id, "saved": False})


@bp.get("/saved")
def list_saved():
    try:
        limit = int(request.args.get("limit", 100))
        offset = int(request.args.get("offset", 0))
    except ValueError:
        raise PaperLensError("'limit' and 'offset' must be integers", 400) from None
    if not (1 <= limit <= 1000) or offset < 0:
        raise PaperLensError("'limit' must be 1..1000 and 'offset' >= 0", 400)
    store = annotator().store
    return jsonify({"ok": True, "total": store.count_saved(), "saved": store.list_saved(limit, offset)})
