"""The keyboard shortcuts the manifest suggests (and the README promises) are bound on a fresh Chromium profile.

Chromium binds a suggested key only if the browser has no shortcut of its own on it (CommandService::
CanAutoAssign refuses a key chrome::IsChromeAccelerator knows): Alt+Shift+A is its "focus inactive popup",
and Chromium 156 refuses Alt+Shift+ A, B, C, N, P, R, T, W, X and Z. A refused key is not an error: the
command just has an empty shortcut, which only this check notices."""

from __future__ import annotations

import json

import pytest

from .harness import ROOT, launch

pytestmark = pytest.mark.e2e


def test_both_keyboard_commands_are_bound_on_a_fresh_profile(ext, tmp_path):
    manifest = json.loads((ROOT / "manifest.json").read_text())
    suggested = {name: c["suggested_key"]["default"] for name, c in manifest["commands"].items()}
    ctx, sw, _ = launch(ext.playwright, tmp_path / "fresh-profile")
    try:
        bound = {c["name"]: c["shortcut"] for c in sw.evaluate("() => chrome.commands.getAll()")}
    finally:
        ctx.close()
    assert {name: bound.get(name) for name in suggested} == suggested
