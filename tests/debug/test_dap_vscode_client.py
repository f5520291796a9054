"""The debug adapter against a DAP client we did not write: Microsoft's DebugClient
(@vscode/debugadapter-testsupport, from npm, installed into node_modules by `make setup`)
runs the issue's scenarios with mocha (tests/debug/js/adapter.test.js) on the clock
firmware's debug build. Skipped, saying why, only where Node.js is not installed."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
MOCHA = ROOT / "node_modules" / ".bin" / "mocha"
NODE = shutil.which("node")


@pytest.mark.skipif(NODE is None, reason="Node.js is not installed (Debian: apt-get install "
                    "nodejs npm; then make setup installs the npm packages)")
def test_vscode_debugclient_scenarios_pass_under_mocha(debug_firmware: Path) -> None:
    assert MOCHA.exists(), "node_modules is missing: run make setup (npm ci)"
    env = dict(os.environ, CLOCK51_PYTHON=sys.executable, FORCE_COLOR="0")
    proc = subprocess.run([str(MOCHA), "--reporter", "spec", "tests/debug/js"], cwd=ROOT,
                          env=env, capture_output=True, text=True, timeout=600)
    report = proc.stdout + proc.stderr
    assert proc.returncode == 0, report
    assert " 8 passing" in report and "failing" not in report, report
