"""The extension's JavaScript unit tests (tests/js/*.test.js) under Node's built-in test runner.

They check the pure extension modules (the contract cases, paper links, settings validation) without a
browser. Skipped where Node is missing, except with CI=true, where that is a failure.
"""

from __future__ import annotations

import os
import shutil
import subprocess

import pytest
from conftest import ROOT


def test_node_unit_tests_pass():
    node = shutil.which("node")
    if node is None:
        if os.environ.get("CI") == "true":
            pytest.fail("node is missing; CI=true, so the JavaScript unit tests must run (install Node.js 20+)")
        pytest.skip("node is missing: the JavaScript unit tests need Node.js 20+")
    files = sorted(str(p) for p in (ROOT / "tests" / "js").glob("*.test.js"))
    assert files, "no JavaScript tests found"
    run = subprocess.run([node, "--test", *files], capture_output=True, text=True, timeout=120, cwd=ROOT)
    assert run.returncode == 0, run.stdout[-6000:] + run.stderr[-2000:]
    assert "# fail 0" in run.stdout
