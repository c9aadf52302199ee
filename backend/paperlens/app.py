"""The Flask app factory, the access guard and the one error shape."""

from __future__ import annotations

import logging
import threading

from flask import Flask, jsonify, request
from flask_cors import CORS
from werkzeug.exceptions import HTTPException

from .config import CLIENT_HEADER, default_db_path
from .errors import PaperLensError
from .keyphrases import KeyphraseExtractor, Settings, load_embedder
from .service import Annotator
from .store import Store

log = logging.getLogger("paperlens")

# Only our own extension pages may read responses cross-origin; web pages never.
EXTENSION_ORIGINS = r"^(chrome|moz)-extension://[a-z0-9-]+$"


def create_app(config: dict | None = None) -> Flask:
    """Build the app. Config keys: DB_PATH, EMBEDDER (a KeyBERT embedder; default the bundled
    MiniLM), WARM_MODEL (load the model in the background at start), MAX_CONTENT_LENGTH,
    KEYPHRASES_TOP_N (phrases per paper, default 5), KEYPHRASES_DIVERSITY (0..1, default 0.3)."""
    app = Flask(__name__)
    app.config.update(DB_PATH=str(default_db_path()), EMBEDDER=None, WARM_MODEL=False, MAX_CONTENT_LENGTH=25 << 20)
    app.config.update(KEYPHRASES_TOP_N=Settings.top_n, KEYPHRASES_DIVERSITY=Settings.diversity)
    app.config.update(config or {})
    app.json.sort_keys = False

    store = Store(app.config["DB_PATH"])
    try:
        settings = Settings(
            top_n=int(app.config["KEYPHRASES_TOP_N"]), diversity=float(app.config["KEYPHRASES_DIVERSITY"])
        )
    except (TypeError, ValueError) as e:
        raise ValueError(f"bad keyphrase settings: {e}") from None
    extractor = KeyphraseExtractor(
        embedder=app.config["EMBEDDER"], settings=settings, phrase_cache=store.phrase_embeddings()
    )
    app.extensions["paperlens"] = Annotator(store, extractor)
    if app.config["WARM_MODEL"] and app.config["EMBEDDER"] is None:
        threading.Thread(target=load_embedder, name="paperlens-warm", daemon=True).start()

    CORS(app, resources={r"/api/*": {"origins": EXTENSION_ORIGINS}}, allow_headers=[CLIENT_HEADER, "Content-Type"])

    @app.before_request
    def require_client_header():
        if request.path == "/api/health" and request.method in ("GET", "HEAD", "OPTIONS"):
            return None
        if request.method == "OPTIONS":  # CORS preflight: flask-cors answers it
            return None
        if not request.headers.get(CLIENT_HEADER, "").strip():
            raise PaperLensError(f"missing the {CLIENT_HEADER} header: only the Paper Lens extension may call this API", 403)
        return None

    @app.errorhandler(PaperLensError)
    def handle_error(e: PaperLensError):
        return error_response(e.message, e.status)

    @app.errorhandler(HTTPException)
    def handle_http(e: HTTPException):
        return error_response(e.description or e.name, e.code or 500)

    @app.errorhandler(Exception)
    def handle_unexpected(e: Exception):
        log.exception("unexpected error on %s %s", request.method, request.path)
        return error_response("internal error: see the server log", 500)

    from .api import bp

    app.register_blueprint(bp)
    return app


def error_response(message: str, status: int):
    return jsonify({"ok": False, "error": message, "status": status}), status
