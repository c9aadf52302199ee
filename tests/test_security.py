"""The local-access guard: only the Paper Lens extension may read or change the library.

Every refused request is followed by a look at the library (papers, saves, keyphrase cache) to show
the refusal happened before any side effect.
"""

import json
import logging

import pytest
from conftest import HEADERS

from paperlens.app import create_app
from paperlens.errors import PaperLensError
from paperlens.guard import split_host

# A text copy of a Daily Papers page (the format of the shared seeds), two papers.
PAGE = """Daily Papers

Sparse Attention for Long Context Language Models

We study sparse attention patterns that scale transformers to long documents without quadratic cost.

  \u2022 3 authors
\u00b7
Dec 10 1

Graph Networks for Relational Reasoning

We propose graph networks that learn relational inductive biases for reasoning over entities.

  \u2022 2 authors
\u00b7
May 24, 2023
"""
PAPER = "2509.09737"
EXT = "chrome-extension://abcdefghijklmnopabcdefghijklmnop"


def library_state(app) -> tuple:
    """Everything a request could change: papers, saves (with tags/notes), keyphrase cache rows."""
    store = app.extensions["paperlens"].store
    conn = store._conn()
    return (
        [tuple(r) for r in conn.execute("SELECT id, title, seen_count FROM papers ORDER BY id")],
        [tuple(r) for r in conn.execute("SELECT paper_id, tags, note, read FROM saved ORDER BY paper_id")],
        conn.execute("SELECT COUNT(*) FROM keyphrase_cache").fetchone()[0],
    )


@pytest.fixture
def saved_app(app):
    """An app whose library holds one saved paper (so unsave/retag attempts have something to hit)."""
    client = app.test_client()
    assert client.put(f"/api/saved/{PAPER}", json={"tags": ["keep"]}, headers=HEADERS).status_code == 200
    return app


# Each case: (description, request kwargs for client.open). All must be refused with 403 and no effect.
STATE_CHANGES = [
    ("POST", "/api/annotate", {"json": {"text": PAGE}}),
    ("PUT", f"/api/saved/{PAPER}", {"json": {"tags": ["hacked"]}}),
    ("PUT", "/api/saved/2401.00001", {}),
    ("DELETE", f"/api/saved/{PAPER}", {}),
    ("PATCH", f"/api/saved/{PAPER}", {"json": {"note": "hacked"}}),
    ("POST", "/api/saved/import", {"json": {"format": "json", "data": {"saved": [{"id": "2401.00002"}]}}}),
]


@pytest.mark.parametrize("method,path,kwargs", STATE_CHANGES)
@pytest.mark.parametrize(
    "attack,headers",
    [
        ("web origin", {**HEADERS, "Origin": "https://evil.example"}),
        ("null origin", {**HEADERS, "Origin": "null"}),
        ("same-host web origin", {**HEADERS, "Origin": "http://127.0.0.1:7435"}),
        ("foreign host (DNS rebinding)", {**HEADERS, "Host": "evil.example:7435"}),
        ("foreign host, no port", {**HEADERS, "Host": "attacker.test"}),
        ("no client header", {}),
        ("empty client header", {"X-PaperLens-Client": "  "}),
    ],
)
def test_refused_with_403_and_no_side_effect(saved_app, method, path, kwargs, attack, headers):
    before = library_state(saved_app)
    r = saved_app.test_client().open(path, method=method, headers=headers, **kwargs)
    assert r.status_code == 403, (attack, r.get_json())
    body = r.get_json()
    assert body["ok"] is False and body["status"] == 403 and body["error"]
    assert library_state(saved_app) == before


@pytest.mark.parametrize(
    "content_type,data",
    [
        ("text/plain", json.dumps({"text": PAGE})),
        ("application/x-www-form-urlencoded", "text=" + PAGE),
        ("multipart/form-data; boundary=x", "--x\r\nContent-Disposition: form-data; name=\"text\"\r\n\r\nhi\r\n--x--\r\n"),
        (None, json.dumps({"text": PAGE})),
    ],
)
@pytest.mark.parametrize("method,path", [("POST", "/api/annotate"), ("PUT", f"/api/saved/{PAPER}"),
                                         ("PUT", "/api/saved/2401.00001"), ("PATCH", f"/api/saved/{PAPER}")])
def test_simple_request_content_types_change_nothing(saved_app, method, path, content_type, data):
    """What a web form or fetch(no-cors) can send without a preflight: without our header 403; even
    with it (a non-browser client) anything but JSON is 415. Never a side effect."""
    client = saved_app.test_client()
    before = library_state(saved_app)
    extra = {"Content-Type": content_type} if content_type else {}
    r = client.open(path, method=method, data=data, headers=extra)
    assert r.status_code == 403
    r = client.open(path, method=method, data=data, headers={**HEADERS, **extra})
    assert r.status_code == 415, r.get_json()
    assert r.get_json()["status"] == 415
    assert library_state(saved_app) == before


def test_reads_are_refused_to_web_pages_too(saved_app):
    client = saved_app.test_client()
    for path in ["/api/saved", "/api/health", "/api/openapi.json"]:
        r = client.get(path, headers={**HEADERS, "Origin": "https://evil.example"})
        assert r.status_code == 403 and "access-control-allow-origin" not in {k.lower() for k in r.headers.keys()}
        assert client.get(path, headers={**HEADERS, "Host": "evil.example"}).status_code == 403


def test_health_and_openapi_need_no_header_but_the_rest_do(client):
    assert client.get("/api/health").status_code == 200
    assert client.get("/api/openapi.json").status_code == 200
    assert client.get("/api/saved").status_code == 403
    assert client.post("/api/health", json={}).status_code in (403, 405)


def test_extension_origin_gets_cors_and_preflight(saved_app):
    client = saved_app.test_client()
    pre = client.options(
        f"/api/saved/{PAPER}",
        headers={
            "Origin": EXT,
            "Access-Control-Request-Method": "PUT",
            "Access-Control-Request-Headers": "x-paperlens-client, content-type",
        },
    )
    assert pre.status_code == 200
    assert pre.headers["Access-Control-Allow-Origin"] == EXT
    assert "x-paperlens-client" in pre.headers["Access-Control-Allow-Headers"].lower()
    r = client.get("/api/saved", headers={**HEADERS, "Origin": EXT})
    assert r.status_code == 200 and r.headers["Access-Control-Allow-Origin"] == EXT
    firefox = "moz-extension://0b1c2d3e-aaaa-bbbb-cccc-123456789abc"
    assert client.get("/api/saved", headers={**HEADERS, "Origin": firefox}).status_code == 200


def test_preflight_from_a_web_origin_is_refused(saved_app):
    r = saved_app.test_client().options(
        f"/api/saved/{PAPER}",
        headers={"Origin": "https://evil.example", "Access-Control-Request-Method": "DELETE",
                 "Access-Control-Request-Headers": "x-paperlens-client"},
    )
    assert r.status_code == 403 and "Access-Control-Allow-Origin" not in r.headers


def test_pinned_extension_ids(tmp_path, embedder):
    app = create_app({"TESTING": True, "DB_PATH": str(tmp_path / "l.sqlite3"), "EMBEDDER": embedder,
                      "EXTENSION_IDS": ["ourid"]})
    client = app.test_client()
    assert client.get("/api/saved", headers={**HEADERS, "Origin": "chrome-extension://ourid"}).status_code == 200
    assert client.get("/api/saved", headers={**HEADERS, "Origin": "chrome-extension://otherid"}).status_code == 403


@pytest.mark.parametrize(
    "host,ok",
    [("127.0.0.1:7435", True), ("localhost:7435", True), ("[::1]:7435", True), ("LOCALHOST:7435", True),
     ("127.0.0.1:8000", False), ("127.0.0.1", False), ("evil.example:7435", False),
     ("127.0.0.1.evil.example:7435", False), ("localhost.:7435", False), ("[::2]:7435", False)],
)
def test_host_must_name_this_machine_and_port(tmp_path, embedder, host, ok):
    # Not TESTING: the port is enforced too.
    app = create_app({"DB_PATH": str(tmp_path / "l.sqlite3"), "EMBEDDER": embedder, "PORT": 7435,
                      "ACCESS_LOG": False})
    r = app.test_client().get("/api/saved", headers={**HEADERS, "Host": host})
    assert (r.status_code == 200) is ok, r.get_json()
    if not ok:
        assert r.status_code == 403


def test_split_host():
    assert split_host("[::1]:7435") == ("::1", "7435")
    assert split_host("LocalHost:1") == ("localhost", "1")
    assert split_host("127.0.0.1") == ("127.0.0.1", "")


def test_token_required_when_configured(tmp_path, embedder):
    app = create_app({"TESTING": True, "DB_PATH": str(tmp_path / "l.sqlite3"), "EMBEDDER": embedder,
                      "TOKEN": "s3cret"})
    client = app.test_client()
    before = library_state(app)
    for auth in [None, "Bearer wrong", "s3cret", "Basic s3cret", "Bearer "]:
        headers = {**HEADERS, **({"Authorization": auth} if auth else {})}
        r = client.put(f"/api/saved/{PAPER}", json={}, headers=headers)
        assert r.status_code == 401, auth
        assert client.get("/api/health", headers=headers).status_code == 401
    assert library_state(app) == before
    good = {**HEADERS, "Authorization": "Bearer s3cret"}
    assert client.put(f"/api/saved/{PAPER}", json={}, headers=good).status_code == 200
    assert client.get("/api/health", headers={"Authorization": "Bearer s3cret"}).status_code == 200


def test_any_host_only_with_a_token(tmp_path, embedder):
    with pytest.raises(PaperLensError, match="needs a TOKEN"):
        create_app({"TESTING": True, "DB_PATH": str(tmp_path / "l.sqlite3"), "EMBEDDER": embedder,
                    "ALLOWED_HOSTS": ["*"]})
    assert not (tmp_path / "l.sqlite3").exists()  # refused before the library was opened
    app = create_app({"TESTING": True, "DB_PATH": str(tmp_path / "l.sqlite3"), "EMBEDDER": embedder,
                      "TOKEN": "t", "ALLOWED_HOSTS": ["*"]})
    client = app.test_client()
    assert client.get("/api/saved", headers={**HEADERS, "Host": "box.lan:7435"}).status_code == 401
    ok = {**HEADERS, "Host": "box.lan:7435", "Authorization": "Bearer t"}
    assert client.get("/api/saved", headers=ok).status_code == 200


def test_serve_refuses_non_loopback_without_token():
    from click.testing import CliRunner

    from paperlens.cli import cli

    for host in ["0.0.0.0", "192.168.1.20", "::"]:
        result = CliRunner().invoke(cli, ["serve", "--host", host], env={"PAPERLENS_TOKEN": ""})
        assert result.exit_code != 0 and "without a token" in result.output, result.output


def test_allowed_hosts_extend_loopback(tmp_path, embedder):
    app = create_app({"TESTING": True, "DB_PATH": str(tmp_path / "l.sqlite3"), "EMBEDDER": embedder,
                      "TOKEN": "t", "ALLOWED_HOSTS": ["192.168.1.20"]})
    headers = {**HEADERS, "Authorization": "Bearer t"}
    assert app.test_client().get("/api/saved", headers={**headers, "Host": "192.168.1.20:7435"}).status_code == 200
    assert app.test_client().get("/api/saved", headers={**headers, "Host": "evil.example"}).status_code == 403


# ------------------------------------------------------------------ limits


def test_body_too_large_is_413_json(tmp_path, embedder):
    app = create_app({"TESTING": True, "DB_PATH": str(tmp_path / "l.sqlite3"), "EMBEDDER": embedder,
                      "MAX_CONTENT_LENGTH": 1000})
    client = app.test_client()
    r = client.post("/api/annotate", json={"text": "x" * 5000}, headers=HEADERS)
    assert r.status_code == 413
    assert r.get_json() == {"ok": False, "error": r.get_json()["error"], "status": 413}
    assert client.get("/api/health").get_json()["papers"] == 0


def test_page_and_papers_per_page_limits(client, monkeypatch):
    import paperlens.api
    import paperlens.annotate

    monkeypatch.setattr(paperlens.api, "MAX_PAGE_CHARS", 100)
    r = client.post("/api/annotate", json={"text": "y" * 101}, headers=HEADERS)
    assert r.status_code == 413 and r.get_json()["status"] == 413
    monkeypatch.setattr(paperlens.api, "MAX_PAGE_CHARS", 10**7)
    monkeypatch.setattr(paperlens.annotate, "MAX_PAPERS_PER_PAGE", 0)
    r = client.post("/api/annotate", json={"text": PAGE}, headers=HEADERS)
    assert r.status_code == 422 and "at most 0" in r.get_json()["error"]
    assert client.get("/api/health").get_json()["papers"] == 0  # refused before anything was stored


def test_query_limits_are_422(client):
    r = client.get("/api/saved?q=" + "a" * 501, headers=HEADERS)
    assert r.status_code == 422 and r.get_json()["status"] == 422
    r = client.get("/api/saved?tag=" + "b" * 9000, headers=HEADERS)
    assert r.status_code == 422
    assert client.get("/api/saved?limit=1001", headers=HEADERS).status_code == 400
    assert client.get("/api/saved?limit=1000", headers=HEADERS).status_code == 200


# ------------------------------------------------------------------ logs


def test_access_log_is_one_json_line_without_values(tmp_path, embedder, caplog):
    app = create_app({"TESTING": True, "DB_PATH": str(tmp_path / "l.sqlite3"), "EMBEDDER": embedder,
                      "ACCESS_LOG": True})
    logger = logging.getLogger("paperlens.access")
    logger.addHandler(caplog.handler)
    try:
        client = app.test_client()
        client.get("/api/saved?q=secret-query-words&limit=5", headers=HEADERS)
        client.post("/api/annotate", json={"text": "private page body text"}, headers=HEADERS)
        client.get("/api/saved")  # refused
    finally:
        logger.removeHandler(caplog.handler)
    lines = [r.getMessage() for r in caplog.records if r.name == "paperlens.access"]
    assert len(lines) == 3
    records = [json.loads(line) for line in lines]
    assert records[0] == {"method": "GET", "path": "/api/saved", "query": ["limit", "q"], "status": 200,
                          "ms": records[0]["ms"]}
    assert isinstance(records[0]["ms"], float) and records[0]["ms"] >= 0
    assert [(r["method"], r["path"]) for r in records[1:]] == [("POST", "/api/annotate"), ("GET", "/api/saved")]
    assert records[2]["status"] == 403
    text = "\n".join(lines)
    assert "secret" not in text and "private" not in text


def test_unexpected_error_is_500_json_and_logged_without_message(client, app, monkeypatch, caplog):
    def boom(*a, **k):
        raise RuntimeError("contains private page text")

    monkeypatch.setattr(app.extensions["paperlens"].store, "list_saved", boom)
    with caplog.at_level(logging.ERROR, logger="paperlens.error"):
        r = client.get("/api/saved", headers=HEADERS)
    assert r.status_code == 500 and r.get_json() == {"ok": False, "error": "internal error: see the server log",
                                                      "status": 500}
    errors = [json.loads(rec.getMessage()) for rec in caplog.records if rec.name == "paperlens.error"]
    assert errors and errors[0]["error"] == "RuntimeError" and errors[0]["path"] == "/api/saved"
    assert "private" not in caplog.text
