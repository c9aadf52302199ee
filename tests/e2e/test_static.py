"""Checks on the extension's files that need no browser: manifest rules, the start command,
packaging, no innerHTML with data."""

from __future__ import annotations

import json
import re
import subprocess
import sys
import zipfile

from .harness import ROOT

MANIFEST = json.loads((ROOT / "manifest.json").read_text())


def readme_commands() -> list[str]:
    text = (ROOT / "README.md").read_text()
    section = text.split("## Two commands", 1)[1].split("\n## ", 1)[0]
    return re.findall(r"```sh\n(.+?)\n```", section)


def test_start_command_is_the_readmes_backend_command():
    settings = (ROOT / "extension" / "shared" / "settings.js").read_text()
    command = re.search(r'const START_COMMAND = "([^"]+)"', settings).group(1)
    assert command == readme_commands()[0]


def test_manifest_permissions_are_minimal():
    assert MANIFEST["manifest_version"] == 3
    assert MANIFEST["permissions"] == ["storage"]
    assert MANIFEST["host_permissions"] == ["http://127.0.0.1/*", "http://localhost/*"]
    text = json.dumps(MANIFEST)
    assert "<all_urls>" not in text and "*://*/*" not in text
    assert [cs["matches"] for cs in MANIFEST["content_scripts"]] == [["https://huggingface.co/papers*"]]


def test_manifest_loads_in_firefox_too():
    bg = MANIFEST["background"]
    assert bg["service_worker"] in bg["scripts"]
    assert MANIFEST["browser_specific_settings"]["gecko"]["id"]


def test_every_manifest_path_is_under_extension():
    def strings(node):
        if isinstance(node, dict):
            for v in node.values():
                yield from strings(v)
        elif isinstance(node, list):
            for v in node:
                yield from strings(v)
        elif isinstance(node, str):
            yield node

    paths = [s for s in strings(MANIFEST) if re.search(r"\.(js|css|html|png)$", s)]
    assert paths and all(p.startswith("extension/") and (ROOT / p).is_file() for p in paths), paths


def test_icons_are_pngs_of_the_declared_sizes():
    import struct

    for size, rel in MANIFEST["icons"].items():
        data = (ROOT / rel).read_bytes()
        assert data[:8] == b"\x89PNG\r\n\x1a\n"
        assert struct.unpack(">II", data[16:24]) == (int(size), int(size))


def test_only_api_js_fetches_and_nothing_uses_innerhtml():
    js = {p.relative_to(ROOT).as_posix(): p.read_text() for p in (ROOT / "extension").rglob("*.js")}
    assert [p for p, t in js.items() if re.search(r"\bfetch\(", t)] == ["extension/background/api.js"]
    assert [p for p, t in js.items() if re.search(r"innerHTML|outerHTML\s*=|insertAdjacentHTML|document\.write", t)] == []


def test_injected_classes_are_prefixed():
    css = (ROOT / "extension" / "content" / "content.css").read_text()
    classes = set(re.findall(r"\.([a-zA-Z][\w-]*)", re.sub(r"/\*.*?\*/", "", css, flags=re.S)))
    assert classes and all(c.startswith("pl-") or c == "dark" for c in classes), classes


def test_package_contains_only_the_manifest_and_extension(tmp_path):
    out = subprocess.run(
        [sys.executable, str(ROOT / "scripts" / "package_extension.py"), "--out", str(tmp_path)],
        check=True, capture_output=True, text=True,
    ).stdout.strip()
    with zipfile.ZipFile(out) as zf:
        names = zf.namelist()
        assert json.loads(zf.read("manifest.json")) == MANIFEST
    assert names[0] == "manifest.json"
    assert all(n == "manifest.json" or n.startswith("extension/") for n in names)
    expected = {p.relative_to(ROOT).as_posix() for p in (ROOT / "extension").rglob("*") if p.is_file()}
    assert set(names) - {"manifest.json"} == expected


def test_what_the_extension_must_know_of_the_backend_agrees_with_it():
    from paperlens.config import CLIENT_HEADER, DEFAULT_HOST, DEFAULT_PORT

    settings = (ROOT / "extension" / "shared" / "settings.js").read_text()
    api = (ROOT / "extension" / "background" / "api.js").read_text()
    assert re.search(r'backendUrl: "([^"]+)"', settings).group(1) == f"http://{DEFAULT_HOST}:{DEFAULT_PORT}"
    assert re.search(r'const CLIENT_HEADER = "([^"]+)"', api).group(1) == CLIENT_HEADER


def test_readme_names_the_shortcuts_the_manifest_suggests():
    readme = (ROOT / "README.md").read_text()
    keyboard = readme.split("**Keyboard:**", 1)[1].split("\n\n", 1)[0]
    named = re.findall(r"`((?:Alt|Ctrl|Shift|Command|MacCtrl)\+[^`]+)`", keyboard)
    assert named == [c["suggested_key"]["default"] for c in MANIFEST["commands"].values()]
