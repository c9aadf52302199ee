"""Conventions that keep the repo honest: README commands are the ones CI runs, paths exist."""

import json
import re

from conftest import ROOT


def readme_commands() -> list[str]:
    text = (ROOT / "README.md").read_text()
    section = text.split("## Two commands", 1)[1].split("\n## ", 1)[0]
    return re.findall(r"```sh\n(.+?)\n```", section)


def test_readme_gives_exactly_two_commands():
    commands = readme_commands()
    assert len(commands) == 2
    assert "paperlens serve" in commands[0]
    assert "pytest" in commands[1]


def test_ci_runs_the_readme_test_command():
    ci = (ROOT / ".ci" / "run").read_text().splitlines()
    assert readme_commands()[1] in ci


def test_no_root_entry_starts_with_underscore():
    # Chrome refuses to load an unpacked extension whose root holds names starting with "_".
    assert not [p.name for p in ROOT.iterdir() if p.name.startswith("_")]


def test_manifest_paths_exist():
    manifest = (ROOT / "manifest.json").read_text()
    json.loads(manifest)
    paths = set(re.findall(r'"(extension/[^"*]+)"', manifest))
    assert paths, "manifest names no extension files"
    assert all((ROOT / p).exists() for p in paths), [p for p in paths if not (ROOT / p).exists()]


# A home, a user folder or this project's own work folders written into a file: data must be found through
# PAPERLENS_SHARED or ../shared, and nothing may depend on where one machine keeps its checkout.
MACHINE_PATH = re.compile(r"(?<![\w.~-])(?:/(?:work|home|Users|root)/[\w.-]+|[A-Za-z]:\\Users\\)")


def test_no_file_names_a_path_of_one_machine():
    import subprocess

    tracked = subprocess.run(["git", "ls-files"], cwd=ROOT, capture_output=True, text=True)
    if tracked.returncode != 0:
        import pytest

        pytest.skip("not a git checkout")
    found = []
    for name in tracked.stdout.splitlines():
        path = ROOT / name
        if path.suffix in (".png", ".ico", ".sqlite3") or not path.is_file():
            continue
        text = path.read_text(encoding="utf-8", errors="replace")
        found += [f"{name}: {m.group(0)}" for m in MACHINE_PATH.finditer(text)]
    assert not found, found
