"""The JSON routes. Thin: validate, call the annotator or the store, shape the answer."""

from __future__ import annotations

import json

from flask import Blueprint, Response, current_app, jsonify, request

from . import __version__, config
from .annotate import read_cards, read_visible, with_keys
from .config import (
    MAX_LIST_LIMIT,
    MAX_LIST_OFFSET,
    MAX_PAGE_CHARS,
    MAX_PAPERS_PER_PAGE,
    MAX_RELATED_K,
    MAX_SEARCH_K,
    RELATED_K,
    SEARCH_K,
)
from .errors import NotFound, PaperLensError
from .ids import check_paper_id
from .readinglist import fields, formats, speed
from .triage import check_mute

bp = Blueprint("api", __name__, url_prefix="/api")


def annotator():
    return current_app.extensions["paperlens"]


def json_body() -> dict:
    """The request's JSON object, or a 400/415 that says what is wrong."""
    if not request.is_json:
        raise PaperLensError("send a JSON body with Content-Type: application/json", 415)
    body = request.get_json(silent=True)
    if body is None:
        try:
            json.loads(request.get_data().decode("utf-8"))  # strict: bytes that are not UTF-8 are named too
        except ValueError as e:  # say where it breaks, not only that it is not an object
            raise PaperLensError(f"the body is not valid JSON: {e}", 400) from None
    if not isinstance(body, dict):
        raise PaperLensError("the body must be a JSON object", 400)
    return body


@bp.get("/health")
def health():
    """Liveness, the library's size, and the settings and limits the extension must agree with."""
    ann = annotator()
    return jsonify(
        {
            "ok": True,
            "version": __version__,
            "papers": ann.store.count_papers(),
            "saved": ann.store.count_saved(),
            "model": ann.extractor.model_name,
            "embedding": ann.extractor.describe_backend(),
            "settings": {
                "keyphrases_per_paper": ann.extractor.settings.top_n,
                "related_per_paper": RELATED_K,
                "ranker": ann.ranker_name,
                # The "close to your library" mark's rule (`triage.mark_for_you`), decided here, not by the page.
                "for_you_mark": {
                    "share": config.FOR_YOU_MARK_SHARE,
                    "min": config.FOR_YOU_MARK_MIN,
                    "floor": config.FOR_YOU_MARK_FLOOR,
                    "sure": config.FOR_YOU_MARK_SURE,
                },
            },
            "limits": {
                "cards_per_call": MAX_PAPERS_PER_PAGE,
                "ids_per_call": MAX_PAPERS_PER_PAGE,
                "muted_terms": config.MAX_MUTED_TERMS,
                "mute_term_chars": config.MAX_MUTE_TERM_CHARS,
            },
            "formats": formats.describe(),
        }
    )


@bp.post("/annotate")
def annotate():
    """A page to annotate: {"url"?, "html" | "text", "cards"?, "visible"?, "wait"?}; see `Annotator.annotate`."""
    body = json_body()
    _only_keys(body, ("url", "html", "text", "cards", "visible", "wait"))
    url = body.get("url")
    if url is not None and not isinstance(url, str):
        raise PaperLensError("'url' must be a string", 400)
    if "html" in body and "text" in body:
        raise PaperLensError("send the page as 'html' or as 'text', not both", 400)
    content = body.get("html", body.get("text"))
    cards = read_cards(body["cards"]) if "cards" in body else None
    visible = read_visible(body["visible"], cards) if "visible" in body else None
    if content is not None and not isinstance(content, str):
        raise PaperLensError("'html' / 'text' must be a string", 400)
    if content is not None and len(content) > MAX_PAGE_CHARS:
        raise PaperLensError(f"the page is longer than {MAX_PAGE_CHARS} characters", 413)
    wait = body.get("wait", False)
    if not isinstance(wait, bool):
        raise PaperLensError("'wait' must be true or false", 400)
    return jsonify(annotator().annotate(content, url, wait=wait, cards=cards, visible=visible))


@bp.get("/keyphrases")
def keyphrases():
    """Keyphrases of papers already in the library (the extension polls this for pending papers):
    {"ok", "keyphrases": {id: [{"phrase", "score"}]}, "pending": [id], "unknown": [id]}."""
    raw = request.args.get("ids", "")
    ids = list(dict.fromkeys(i.strip() for i in raw.split(",") if i.strip()))
    if not ids:
        raise PaperLensError("give paper ids as ?ids=a,b,c", 400)
    if len(ids) > MAX_PAPERS_PER_PAGE:
        raise PaperLensError(f"at most {MAX_PAPERS_PER_PAGE} ids per request", 400)
    for paper_id in ids:
        check_paper_id(paper_id)
    found = annotator().keyphrases.by_id(ids)
    settings = annotator().extractor.settings
    found["keyphrases"] = {pid: with_keys(kws, settings) for pid, kws in found["keyphrases"].items()}
    return jsonify({"ok": True, **found})


# ---------------------------------------------------------------- the reading list

def _only_keys(body: dict, allowed: tuple[str, ...]) -> None:
    unknown = sorted(set(body) - set(allowed))
    if unknown:
        raise PaperLensError(f"unknown field(s) {', '.join(unknown)}: this route takes {', '.join(allowed)}", 400)


def _save_fields(body: dict) -> dict:
    """tags/note/read from a body, validated and normalized; absent ones are None."""
    return {
        "tags": None if body.get("tags") is None else fields.normalize_tags(body["tags"]),
        "note": None if body.get("note") is None else fields.check_note(body["note"]),
        "read": None if body.get("read") is None else fields.check_read(body["read"]),
    }


@bp.put("/saved/<paper_id>")
def save(paper_id: str):
    """Save a paper (idempotent), optionally replacing its tags and note. Works for papers not seen yet."""
    check_paper_id(paper_id)
    body = json_body() if request.content_length or request.data else {}
    _only_keys(body, ("tags", "note"))
    fields = _save_fields(body)
    return jsonify({"ok": True, "saved": annotator().store.save_paper(paper_id, fields["tags"], fields["note"])})


@bp.patch("/saved/<paper_id>")
def update_saved(paper_id: str):
    check_paper_id(paper_id)
    body = json_body()
    _only_keys(body, ("tags", "note", "read"))
    if not body:
        raise PaperLensError("send at least one of tags, note, read", 400)
    record = annotator().store.update_saved(paper_id, **_save_fields(body))
    if record is None:
        raise NotFound(f"{paper_id} is not saved")
    return jsonify({"ok": True, "saved": record})


@bp.delete("/saved/<paper_id>")
def unsave(paper_id: str):
    check_paper_id(paper_id)
    if not annotator().store.unsave_paper(paper_id):
        raise NotFound(f"{paper_id} is not saved")
    return jsonify({"ok": True, "id": paper_id, "saved": False})


@bp.get("/saved/<paper_id>")
def get_saved(paper_id: str):
    """One save with its reading history (when and on which pages the paper was seen; null if never)."""
    check_paper_id(paper_id)
    store = annotator().store
    record = store.get_saved(paper_id)
    if record is None:
        raise NotFound(f"{paper_id} is not saved")
    return jsonify({"ok": True, "saved": record, "history": store.paper_history(paper_id)})


@bp.get("/saved")
def list_saved():
    args = request.args
    limit = int_arg("limit", 100, 1, MAX_LIST_LIMIT)
    offset = int_arg("offset", 0, 0, MAX_LIST_OFFSET - 1)
    read = args.get("read")
    if read not in (None, "", "true", "false"):
        raise PaperLensError("'read' must be true or false", 400)
    sort = args.get("sort", "-saved_at")
    if sort not in fields.SAVED_SORTS:
        raise PaperLensError(f"'sort' must be one of {', '.join(fields.SAVED_SORTS)}", 400)
    q = args.get("q", "")  # its length is capped for every route by guard.py
    tags = fields.normalize_tags([args.get("tag", "")])
    filters = {"tag": tags[0] if tags else None, "read": None if not read else read == "true", "q": q}
    store = annotator().store
    return jsonify(
        {
            "ok": True,
            "total": store.count_saved(**filters),
            "saved": store.list_saved(limit, offset, sort=sort, **filters),
        }
    )


@bp.get("/saved/export")
def export_saved():
    """The whole reading list as a file download (json, the default; or any format of the registry)."""
    fmt = formats.check_export_format(request.args.get("format", "json"))
    store = annotator().store
    with speed.bulk():
        text = formats.export_records(store.export_saved(), fmt.name, store.export_dismissed(), store.list_muted())
    return Response(
        text,
        content_type=fmt.media_type,
        headers={"Content-Disposition": f'attachment; filename="{formats.export_filename(fmt.name)}"'},
    )


@bp.post("/saved/import")
def import_saved():
    """Import our JSON export (with its dismissals and muted terms), CSV or BibTeX: validated in full first,
    then written in one transaction."""
    with speed.bulk():
        body = json_body()
        _only_keys(body, ("format", "data"))
        fmt = formats.check_import_format(body.get("format")).name
        if "data" not in body:
            raise PaperLensError("send the file's content as 'data'", 400)
        got = formats.parse_import(fmt, body["data"])
        counts = annotator().store.import_saved(got.records, dismissed=got.dismissed, muted=got.muted)
    counts["skipped"] += got.duplicates
    return jsonify({"ok": True, **counts})



def int_arg(name: str, default: int, low: int, high: int) -> int:
    """Query parameter `name` as an int in [low, high], or a 400 that says so."""
    raw = request.args.get(name)
    if raw is None or raw == "":
        return default
    try:
        value = int(raw)
    except ValueError:
        raise PaperLensError(f"'{name}' must be an integer {low}..{high}, not {raw!r}", 400) from None
    if not low <= value <= high:
        raise PaperLensError(f"'{name}' must be {low}..{high}, not {value}", 400)
    return value


@bp.get("/papers/<paper_id>/related")
def paper_related(paper_id: str):
    check_paper_id(paper_id)
    k = int_arg("k", RELATED_K, 1, MAX_RELATED_K)
    return jsonify({"ok": True, "id": paper_id, "related": annotator().related_to(paper_id, k)})


@bp.get("/search")
def search():
    q = request.args.get("q", "").strip()
    if not q:
        raise PaperLensError("give a search query: /api/search?q=words", 400)
    k = int_arg("k", SEARCH_K, 1, MAX_SEARCH_K)
    return jsonify({"ok": True, "q": q, "results": annotator().search(q, k)})


# ---------------------------------------------------------------- triage: dismissed papers, muted terms, the seed


def _no_body() -> None:
    """A route that takes no body: an empty one (or {}) is fine, any field is a 400."""
    if request.content_length or request.data:
        _only_keys(json_body(), ())


@bp.put("/papers/<paper_id>/dismissed")
def dismiss(paper_id: str):
    """Dismiss a paper the library holds ("not for me"); idempotent, the first time is kept."""
    check_paper_id(paper_id)
    _no_body()
    if annotator().store.dismiss_paper(paper_id) is None:
        raise NotFound(f"{paper_id} is not in your library: only a paper seen on a page can be dismissed")
    return jsonify({"ok": True, "id": paper_id, "dismissed": True})


@bp.delete("/papers/<paper_id>/dismissed")
def undismiss(paper_id: str):
    check_paper_id(paper_id)
    if not annotator().store.undismiss_paper(paper_id):
        raise NotFound(f"{paper_id} is not dismissed")
    return jsonify({"ok": True, "id": paper_id, "dismissed": False})


@bp.get("/dismissed")
def list_dismissed():
    """The dismissed papers, newest first (at most `limit`, default 100)."""
    limit = int_arg("limit", 100, 1, MAX_LIST_LIMIT)
    return jsonify({"ok": True, "papers": annotator().store.list_dismissed(limit)})


@bp.get("/muted")
def list_muted():
    return jsonify({"ok": True, "muted": annotator().store.list_muted()})


@bp.put("/muted")
def mute():
    """Mute a word, phrase or author: {"term", "kind"}; idempotent."""
    body = json_body()
    _only_keys(body, ("term", "kind"))
    kind, term, key = check_mute(body.get("term"), body.get("kind"))
    return jsonify({"ok": True, "muted": annotator().store.mute_term(kind, term, key)})


@bp.delete("/muted")
def unmute():
    """Unmute ?kind=...&term=... (the term as muted, any case)."""
    kind, term, key = check_mute(request.args.get("term"), request.args.get("kind"))
    removed = annotator().store.unmute_term(kind, key)
    if removed is None:
        raise NotFound(f"the {kind} {term!r} is not muted")
    return jsonify({"ok": True, "term": removed["term"], "kind": kind, "muted": False})


@bp.get("/for-you/seed")
def get_seed():
    """What seeds for_you: {"tag": a tag or null (all saved papers), "papers": how many}."""
    return jsonify({"ok": True, "seed": annotator().store.for_you_seed()})


@bp.put("/for-you/seed")
def put_seed():
    """{"tag": "rl-reading"} seeds for_you with the saved papers of that tag; {"tag": null} with all."""
    body = json_body()
    _only_keys(body, ("tag",))
    if "tag" not in body:
        raise PaperLensError("send {\"tag\": \"a tag\"}, or {\"tag\": null} for all saved papers", 400)
    tag = body["tag"]
    if tag is not None:
        if not isinstance(tag, str):
            raise PaperLensError("'tag' must be a string or null", 400)
        tags = fields.normalize_tags([tag])
        if not tags:
            raise PaperLensError("'tag' is empty: send null for all saved papers", 400)
        tag = tags[0]
    seed = annotator().store.set_for_you_seed(tag)
    if seed is None:
        raise PaperLensError(f"no saved paper has the tag {tag!r}", 400)
    return jsonify({"ok": True, "seed": seed})
