"""The Flask app factory: wiring (store, keyphrases, the annotate pipeline, the guard, the routes), the
one error shape and the access log. The access guard is guard.py; the routes are api.py."""

from __future__ import annotations

import json
import logging
import sqlite3
import sys
import threading
import time
import traceback
from pathlib import Path

from flask import Flask, g, jsonify, request
from werkzeug.exceptions import HTTPException

from . import guard, openapi
from .annotate import Annotator
from .config import EMBEDDING_BACKEND, EMBEDDING_BACKENDS, EMBEDDING_PRECISION, MAX_BODY_BYTES, default_db_path
from .config import EMBEDDING_PRECISIONS as PRECISION_SETTINGS
from .embedding import make_embedder
from .errors import PaperLensError
from .keyphrases import KeyphraseExtractor, Settings
from .ranking import DEFAULT_RANKER, RANKERS
from .store import Store

log = logging.getLogger("paperlens.error")
access_log = logging.getLogger("paperlens.access")

DEFAULTS = dict(
    DB_PATH=None,  # None: default_db_path()
    EMBEDDER=None,
    EMBEDDING_PRECISION=EMBEDDING_PRECISION,
    EMBEDDING_BACKEND=EMBEDDING_BACKEND,
    WARM_MODEL=False,
    MAX_CONTENT_LENGTH=MAX_BODY_BYTES,
    PORT=None,
    ALLOWED_HOSTS=(),
    EXTENSION_IDS=(),
    TOKEN=None,
    ACCESS_LOG=None,
    KEYPHRASES_TOP_N=Settings.top_n,
    KEYPHRASES_DIVERSITY=Settings.diversity,
    RELATED_RANKER=DEFAULT_RANKER,
)


def create_app(config: dict | None = None) -> Flask:
    """Build the app. Config keys:
    DB_PATH; EMBEDDER (a KeyBERT embedder; default the bundled MiniLM); EMBEDDING_PRECISION (the bundled
    model's: "auto", "fp32" or "bf16"); EMBEDDING_BACKEND ("bundled", our forward pass, or "keybert", KeyBERT's
    sentence-transformers backend, fp32); WARM_MODEL (load the model in
    the background at start); MAX_CONTENT_LENGTH (body bytes); PORT (the port Host must name; None or
    TESTING accepts any); ALLOWED_HOSTS (extra Host names, e.g. a LAN address when exposed with a token;
    '*' = any, only with a TOKEN);
    EXTENSION_IDS (pin CORS and Origin to these extension ids); TOKEN (require `Authorization: Bearer`);
    ACCESS_LOG (one JSON line per request on the `paperlens.access` logger; default on unless TESTING);
    KEYPHRASES_TOP_N (phrases per paper, default 5); KEYPHRASES_DIVERSITY (MMR, 0..1, default 0.3);
    RELATED_RANKER (the related-papers ranker, a key of `ranking.RANKERS`: "fusion", the default,
    re-ranks BM25's candidates with the stored MiniLM document embeddings; "bm25" is BM25 alone).
    """
    app = Flask(__name__, static_folder=None)  # we serve no files: no /static route to guard
    app.config.update(DEFAULTS)
    app.config.update(config or {})
    check_settings(app.config)  # before the library is opened: a bad setting leaves no file behind
    app.config["DB_PATH"] = str(app.config["DB_PATH"] or default_db_path())
    if app.config["ACCESS_LOG"] is None:
        app.config["ACCESS_LOG"] = not app.testing
    app.json.sort_keys = False

    app.extensions["paperlens"] = annotator = _annotator(app.config)
    if app.config["WARM_MODEL"]:
        threading.Thread(target=annotator.warm, name="paperlens-warm", daemon=True).start()

    _log_requests(app)  # first: refused requests are timed and logged too
    guard.install(app)
    _answer_errors(app)

    @app.get("/api/openapi.json")
    def openapi_document():
        """The OpenAPI 3.1 description of this API (openapi.py: the file with its rules filled in)."""
        return jsonify(openapi.document())

    from .api import bp

    app.register_blueprint(bp)
    return app


def check_settings(config: dict) -> None:
    """Raise PaperLensError (one sentence with the fix) for any setting `create_app` would refuse; touches
    nothing. `paperlens serve` calls it before gunicorn starts, since inside a worker a bad setting is a
    traceback, not a sentence. `config` as for create_app (missing keys take DEFAULTS)."""
    cfg = DEFAULTS | dict(config)
    _keyphrase_settings(cfg)
    if cfg["EMBEDDING_PRECISION"] not in PRECISION_SETTINGS:
        raise PaperLensError(
            f"unknown EMBEDDING_PRECISION {cfg['EMBEDDING_PRECISION']!r}: use one of {', '.join(PRECISION_SETTINGS)}",
            400,
        )
    if cfg["EMBEDDING_BACKEND"] not in EMBEDDING_BACKENDS:
        raise PaperLensError(
            f"unknown EMBEDDING_BACKEND {cfg['EMBEDDING_BACKEND']!r}: use one of {', '.join(EMBEDDING_BACKENDS)}", 400
        )
    if cfg["EMBEDDING_BACKEND"] == "keybert" and cfg["EMBEDDING_PRECISION"] not in ("auto", "fp32"):
        raise PaperLensError("the keybert embedding backend computes fp32 only: leave the precision at auto or fp32", 400)
    if cfg["RELATED_RANKER"] not in RANKERS:
        raise PaperLensError(
            f"unknown RELATED_RANKER {cfg['RELATED_RANKER']!r}: use one of {', '.join(RANKERS)}", 400
        )
    guard.check_config(cfg)


def _keyphrase_settings(cfg) -> Settings:
    try:
        return Settings(top_n=int(cfg["KEYPHRASES_TOP_N"]), diversity=float(cfg["KEYPHRASES_DIVERSITY"]))
    except (TypeError, ValueError) as e:
        raise PaperLensError(f"bad keyphrase settings: {e}", 400) from None


def _annotator(cfg) -> Annotator:
    """The library at DB_PATH with the keyphrase extractor and the ranker the config names."""
    settings = _keyphrase_settings(cfg)
    store = Store(cfg["DB_PATH"])
    embedder = cfg["EMBEDDER"]
    if embedder is None:
        embedder = make_embedder(cfg["EMBEDDING_BACKEND"], cfg["EMBEDDING_PRECISION"])
    extractor = KeyphraseExtractor(embedder=embedder, settings=settings, phrase_cache=store.phrase_embeddings())
    return Annotator(store, extractor, ranker=cfg["RELATED_RANKER"])


def _log_requests(app: Flask) -> None:
    if app.config["ACCESS_LOG"]:
        _json_lines_to_stderr(access_log)
        _json_lines_to_stderr(log)

    @app.before_request
    def start_clock():
        g.started = time.perf_counter()

    @app.after_request
    def log_request(response):
        if app.config["ACCESS_LOG"]:
            access_log.info(json.dumps(access_record(response.status_code)))
        return response


def _answer_errors(app: Flask) -> None:
    """Every failure answers in the one error shape, with its real status."""

    @app.errorhandler(PaperLensError)
    def handle_error(e: PaperLensError):
        return error_response(e.message, e.status)

    @app.errorhandler(HTTPException)
    def handle_http(e: HTTPException):
        if e.code == 413:
            return error_response(f"the request body is larger than {app.config['MAX_CONTENT_LENGTH']} bytes", 413)
        return error_response(e.description or e.name, e.code or 500)

    @app.errorhandler(sqlite3.OperationalError)
    def handle_storage(e: sqlite3.OperationalError):
        # The transaction was rolled back, so the library is as it was before this request.
        text = str(e).lower()
        if "full" in text:
            log.error(json.dumps(access_record(507) | {"event": "error", "error": "disk full"}))
            return error_response("the disk holding the library is full: nothing was changed; free some space", 507)
        if "locked" in text or "busy" in text:
            return error_response("the library is busy (another writer held it for 30 s): try again", 503)
        return handle_unexpected(e)

    @app.errorhandler(Exception)
    def handle_unexpected(e: Exception):
        # Type and where only: an exception's message (or a local) may quote the page it choked on.
        frames = traceback.extract_tb(e.__traceback__)[-8:]
        record = access_record(500) | {
            "event": "error",
            "error": type(e).__name__,
            "at": [f"{Path(f.filename).name}:{f.lineno} {f.name}" for f in frames],
        }
        log.error(json.dumps(record))
        return error_response("internal error: see the server log", 500)


def access_record(status: int) -> dict:
    """One access-log entry: never query values, bodies or page contents (they are the reader's reading)."""
    started = g.get("started")
    return {
        "method": request.method,
        "path": request.path,
        "query": sorted(request.args.keys()),
        "status": status,
        "ms": round((time.perf_counter() - started) * 1000, 1) if started else None,
    }


def _json_lines_to_stderr(logger: logging.Logger) -> None:
    if not any(getattr(h, "_paperlens", False) for h in logger.handlers):
        handler = logging.StreamHandler(sys.stderr)
        handler.setFormatter(logging.Formatter("%(message)s"))
        handler._paperlens = True
        logger.addHandler(handler)
    logger.setLevel(logging.INFO)
    logger.propagate = False


def error_response(message: str, status: int):
    """The one error shape: {"ok": false, "error": message, "status": status}, with that HTTP status."""
    return jsonify({"ok": False, "error": message, "status": status}), status
