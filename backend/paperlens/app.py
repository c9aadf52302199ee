"""The Flask app factory, the access guard, limits, the one error shape and the access log.

The backend listens on 127.0.0.1, which every web page the reader opens can also reach. The guard
(modelled on Zotero's connector server) lets only the Paper Lens extension in:

1. Host must name this machine (127.0.0.1 / localhost / [::1]) and our port: defeats DNS rebinding,
   where a hostile domain is re-pointed at 127.0.0.1 and so looks same-origin to the browser.
2. An Origin header, when present, must be an extension origin (chrome-extension://, moz-extension://,
   optionally pinned to our ids): web pages always send theirs on cross-origin requests.
3. Every request but `GET /api/health` and the OpenAPI document carries `X-PaperLens-Client`. A custom
   header forces a CORS preflight, which (4) only grants to extension origins, so a web page cannot
   even send the request.
4. CORS only for extension origins.
5. Requests with a body must say `Content-Type: application/json`: the "simple request" types
   (text/plain, form posts) that need no preflight are refused before any route runs.
6. With a TOKEN configured (needed to listen beyond loopback), `Authorization: Bearer <token>` too.
"""

from __future__ import annotations

import hmac
import json
import logging
import re
import sqlite3
import sys
import threading
import time
import traceback
from pathlib import Path

from flask import Flask, Response, g, jsonify, request
from flask_cors import CORS
from werkzeug.exceptions import HTTPException

from .config import (
    CLIENT_HEADER,
    LOOPBACK_HOSTS,
    MAX_BODY_BYTES,
    MAX_QUERY_CHARS,
    MAX_QUERY_STRING,
    default_db_path,
)
from .errors import PaperLensError
from .annotate import Annotator
from .keyphrases import KeyphraseExtractor, Settings
from .ranking import DEFAULT_RANKER, RANKERS
from .store import Store

log = logging.getLogger("paperlens.error")
access_log = logging.getLogger("paperlens.access")

OPENAPI_PATH = Path(__file__).with_name("openapi.json")
# Routes any local client may read without the client header: liveness and the API description.
OPEN_ROUTES = frozenset({"/api/health", "/api/openapi.json"})
STATE_CHANGING = frozenset({"POST", "PUT", "PATCH", "DELETE"})


def extension_origins(ids: list[str] | tuple[str, ...] | None = None) -> re.Pattern:
    """The Origin values we accept: any extension origin, or only the given extension ids."""
    if ids:
        alternatives = "|".join(re.escape(i.strip()) for i in ids if i.strip())
        return re.compile(rf"^(chrome|moz)-extension://({alternatives})$")
    return re.compile(r"^(chrome|moz)-extension://[a-z0-9-]+$")


def create_app(config: dict | None = None) -> Flask:
    """Build the app. Config keys:
    DB_PATH; EMBEDDER (a KeyBERT embedder; default the bundled MiniLM); WARM_MODEL (load the model in
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
    app.config.update(
        DB_PATH=str(default_db_path()),
        EMBEDDER=None,
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
    if app.config["RELATED_RANKER"] not in RANKERS:
        raise ValueError(f"unknown RELATED_RANKER {app.config['RELATED_RANKER']!r}: use one of {', '.join(RANKERS)}")
    app.extensions["paperlens"] = Annotator(store, extractor, ranker=app.config["RELATED_RANKER"])
    if app.config["WARM_MODEL"]:
        threading.Thread(target=app.extensions["paperlens"].warm, name="paperlens-warm", daemon=True).start()

    origins = extension_origins(app.config["EXTENSION_IDS"])
    allowed_hosts = LOOPBACK_HOSTS | {h.lower().strip("[]") for h in app.config["ALLOWED_HOSTS"]}
    if "*" in allowed_hosts and not app.config["TOKEN"]:
        # Any Host would re-open the DNS-rebinding hole; only a token (which a web page cannot know) closes it.
        raise ValueError("ALLOWED_HOSTS '*' needs a TOKEN")
    token = app.config["TOKEN"] or None
    port = app.config["PORT"]
    if app.config["ACCESS_LOG"] is None:
        app.config["ACCESS_LOG"] = not app.testing
    if app.config["ACCESS_LOG"]:
        _json_lines_to_stderr(access_log)
        _json_lines_to_stderr(log)

    CORS(
        app,
        resources={r"/api/*": {"origins": origins}},
        allow_headers=[CLIENT_HEADER, "Content-Type", "Authorization"],
        methods=["GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"],
        max_age=600,
    )

    @app.before_request
    def guard():
        g.started = time.perf_counter()
        check_host(request.host, allowed_hosts, None if app.testing else port)
        origin = request.headers.get("Origin")
        if origin is not None and not origins.match(origin):
            raise PaperLensError(f"origin {origin!r} may not call Paper Lens: only its browser extension may", 403)
        if request.method == "OPTIONS":  # a CORS preflight from an extension: flask-cors answers it
            return None
        if token is not None:
            scheme, _, sent = request.headers.get("Authorization", "").partition(" ")
            if scheme.lower() != "bearer" or not hmac.compare_digest(sent.strip().encode(), token.encode()):
                raise PaperLensError("this server needs 'Authorization: Bearer <token>' (see paperlens serve --token)", 401)
        if not (request.path in OPEN_ROUTES and request.method in ("GET", "HEAD")):
            if not request.headers.get(CLIENT_HEADER, "").strip():
                raise PaperLensError(
                    f"missing the {CLIENT_HEADER} header: only the Paper Lens extension may call this API", 403
                )
        if request.method in STATE_CHANGING:
            check_body()
        check_query()
        return None

    @app.get("/api/openapi.json")
    def openapi():
        """The OpenAPI 3.1 description of this API (served as the file in the package)."""
        return Response(OPENAPI_PATH.read_bytes(), mimetype="application/json")

    @app.after_request
    def log_request(response):
        if app.config["ACCESS_LOG"]:
            access_log.info(json.dumps(access_record(response.status_code)))
        return response

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

    from .api import bp

    app.register_blueprint(bp)
    return app


def split_host(host: str) -> tuple[str, str]:
    """'127.0.0.1:7435' -> ('127.0.0.1', '7435'); '[::1]:7435' -> ('::1', '7435'); no port -> ''."""
    host = host.lower()
    if host.startswith("["):
        name, _, rest = host[1:].partition("]")
        return name, rest[1:] if rest.startswith(":") else ""
    if host.count(":") == 1:
        name, _, port = host.partition(":")
        return name, port
    return host, ""


def check_host(host: str, allowed: frozenset | set, port: int | None) -> None:
    """Raise 403 unless `host` (the Host header) names an allowed host ('*': any), and `port` when given."""
    name, host_port = split_host(host)
    if name not in allowed and "*" not in allowed:
        raise PaperLensError(f"Host {host!r} is not this machine: Paper Lens answers only to 127.0.0.1/localhost", 403)
    if port is not None and host_port != str(port):
        raise PaperLensError(f"Host {host!r} does not name this server's port {port}", 403)


def check_body() -> None:
    """A state-changing request's body, if any, must be declared JSON (a preflighted content type)."""
    has_body = (request.content_length or 0) > 0 or request.headers.get("Transfer-Encoding", "").lower() == "chunked"
    if request.content_length and request.content_length > (request.max_content_length or MAX_BODY_BYTES):
        raise PaperLensError(f"the request body is larger than {request.max_content_length} bytes", 413)
    if has_body and request.mimetype != "application/json":
        raise PaperLensError("send a JSON body with Content-Type: application/json", 415)


def check_query() -> None:
    """Bound the query string and the search query (`q`) so one request cannot make us scan forever."""
    if len(request.query_string) > MAX_QUERY_STRING:
        raise PaperLensError(f"the query string is longer than {MAX_QUERY_STRING} bytes", 422)
    q = request.args.get("q")
    if q is not None and len(q) > MAX_QUERY_CHARS:
        raise PaperLensError(f"'q' is longer than {MAX_QUERY_CHARS} characters", 422)


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
    return jsonify({"ok": False, "error": message, "status": status}), status
