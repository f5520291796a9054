"""`make run` without a terminal (tools/run_demo.py): build, a bounded headless run synced
over TCP, then the final LCD (showing the PC's date and time) and the sync report."""

from __future__ import annotations

import re
import subprocess
import sys
from datetime import datetime, timedelta
from pathlib import Path

from tests.e2e.rig import ROOT

DEMO_TIMEOUT_S = 180.0  # a build (normally up to date) plus 12 s of simulated clock


def test_run_demo_without_a_terminal_shows_the_pc_time_and_the_sync_report(
        reference_ihx: Path) -> None:
    started = datetime.now()
    res = subprocess.run([sys.executable, "-m", "tools.run_demo"], cwd=ROOT,
                         stdin=subprocess.DEVNULL, capture_output=True, text=True,
                         timeout=DEMO_TIMEOUT_S)
    ended = datetime.now()
    out = res.stdout
    assert res.returncode == 0, out + res.stderr
    lines = out.splitlines()
    assert any(line.startswith("serial: socket://127.0.0.1:") for line in lines), out
    # the final LCD: date line, then the time line
    days = {started.strftime("%Y-%m-%d"), ended.strftime("%Y-%m-%d")}
    top = next((i for i, line in enumerate(lines) if line[:10] in days), None)
    assert top is not None, f"no LCD line with today's date in:\n{out}"
    assert lines[top][11:14] in {started.strftime("%a"), ended.strftime("%a")}, lines[top]
    # (the reference board's DS18B20 reading, 20.0 C in the simulator, follows the time)
    match = re.match(r"^(\d\d):(\d\d):(\d\d)(  20\.0\u00b0)?\s*$", lines[top + 1])
    assert match, lines[top + 1]
    shown = datetime.strptime(f"{lines[top][:10]} {lines[top + 1][:8]}",
                              "%Y-%m-%d %H:%M:%S")
    assert started - timedelta(seconds=1) <= shown <= ended + timedelta(seconds=1), (
        f"the LCD shows {shown}, the PC time was {started:%T}-{ended:%T}")
    report = out[out.index("clock51 sync:"):]
    assert report.startswith("clock51 sync: clock set to "), report
    assert "residual offset" in report
