"""The access guard: only the Paper Lens extension may use the API.

The backend listens on 127.0.0.1, which every web page the reader opens can also reach. The guard
(modelled on Zotero's connector server) lets only the extension in:

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
Plus bounds on the body and the query string, so one request cannot tie a worker up.
"""

from __future__ import annotations

import hmac
import re

from flask import Flask, request
from flask_cors import CORS

from .config import CLIENT_HEADER, LOOPBACK_HOSTS, MAX_BODY_BYTES, MAX_QUERY_CHARS, MAX_QUERY_STRING
from .errors import PaperLensError

# Routes any local client may read without the client header: liveness and the API description.
OPEN_ROUTES = frozenset({"/api/health", "/api/openapi.json"})
STATE_CHANGING = frozenset({"POST", "PUT", "PATCH", "DELETE"})


# What follows "chrome-extension://" (Chrome's 32 letters a-p) or "moz-extension://" (the UUID Firefox gives
# the add-on in each profile) in an extension's origin.
EXTENSION_ID = re.compile(r"[a-z0-9-]+")


def extension_origins(ids: list[str] | tuple[str, ...] | None = None) -> re.Pattern:
    """The Origin values we accept: any extension origin, or only the given extension ids."""
    if ids:
        alternatives = "|".join(re.escape(i.strip()) for i in ids if i.strip())
        return re.compile(rf"^(chrome|moz)-extension://({alternatives})$")
    return re.compile(rf"^(chrome|moz)-extension://{EXTENSION_ID.pattern}$")


def check_config(cfg) -> None:
    """Raise PaperLensError (one sentence with the fix) for guard settings that cannot work: an extension id
    no origin can carry, or any Host ('*' in ALLOWED_HOSTS) without a TOKEN."""
    for ext_id in cfg["EXTENSION_IDS"]:
        if not EXTENSION_ID.fullmatch(ext_id.strip()):
            raise PaperLensError(
                f"{ext_id!r} is not an extension id: give what follows chrome-extension:// or moz-extension:// "
                "(lower-case letters, digits and dashes) as chrome://extensions or about:debugging shows it",
                400,
            )
    if "*" in cfg["ALLOWED_HOSTS"] and not cfg["TOKEN"]:
        # Any Host would re-open the DNS-rebinding hole; only a token (which a web page cannot know) closes it.
        raise PaperLensError("ALLOWED_HOSTS '*' (any Host) needs a TOKEN: set --token or $PAPERLENS_TOKEN", 400)


def install(app: Flask) -> None:
    """Guard every request to `app` by its config: PORT (the port Host must name; None or TESTING accepts
    any), ALLOWED_HOSTS (extra Host names; '*' = any, only with a TOKEN), EXTENSION_IDS, TOKEN."""
    cfg = app.config
    check_config(cfg)
    origins = extension_origins(cfg["EXTENSION_IDS"])
    allowed_hosts = LOOPBACK_HOSTS | {h.lower().strip("[]") for h in cfg["ALLOWED_HOSTS"]}
    token = cfg["TOKEN"] or None
    port = None if app.testing else cfg["PORT"]

    CORS(
        app,
        resources={r"/api/*": {"origins": origins}},
        allow_headers=[CLIENT_HEADER, "Content-Type", "Authorization"],
        methods=["GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"],
        max_age=600,
    )

    @app.before_request
    def guard():
        check_host(request.host, allowed_hosts, port)
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
