"""`clock51-sim`'s one exit path: measurement failures are one line and exit 1."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]


def _sim(*argv: str, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "sim", *argv], capture_output=True, text=True,
                          cwd=ROOT, env=dict(os.environ, **(env or {})), timeout=300)


@pytest.mark.skipif(shutil.which("sdcc") is None, reason="needs sdcc")
def test_bench_with_a_failing_s51_is_one_line_and_exit_1(tmp_path: Path) -> None:
    fake = tmp_path / "s51"
    fake.write_text("#!/bin/sh\necho 'ucsim: something broke' >&2\nexit 3\n")
    fake.chmod(0o755)
    proc = _sim("bench", "--repeat", "1", "--cpu-only", env={"CLOCK51_S51": str(fake)})
    assert proc.returncode == 1, proc.stderr
    assert "Traceback" not in proc.stderr
    assert proc.stderr.strip().splitlines() == ["clock51-sim: error: s51 exited with 3"]


def test_budgets_of_a_board_never_built_is_one_line_and_exit_1(tmp_path: Path) -> None:
    profile = (ROOT / "firmware" / "boards" / "reference.toml").read_text()
    board = tmp_path / "unbuilt.toml"
    board.write_text(profile.replace('name = "reference"', 'name = "unbuilt"'))
    proc = _sim("budgets", "--board", str(board))
    assert proc.returncode == 1
    assert proc.stderr.count("\n") == 1
    assert proc.stderr.startswith("clock51-sim: error: ") and "is not built" in proc.stderr
