"""`python -m sim.measure.budgets` prints the firmware's budgets, measured in the simulator."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from sim.measure.budgets import main


def test_budgets_are_printed_and_within_the_limits(
        firmware: dict[str, Path], capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["--board", "reference"]) == 0
    out = capsys.readouterr().out
    lcd = float(re.search(r"new second ([\d.]+) ms after", out).group(1))
    set_ms = float(re.search(r"DS1302 write: ([\d.]+) ms", out).group(1))
    headroom = int(re.search(r"(\d+) bytes of stack headroom", out).group(1))
    assert lcd < 50 and set_ms < 2 and headroom >= 16
    # issue 18: the work a clock left alone costs the simulator (51,050 instructions and
    # 2,670 DS1302 pin edges a second before the new-second window and the idle ticks)
    work = re.search(r"work per simulated second, the clock alone: ([\d,]+) instructions; "
                     r"pin edges DS1302 ([\d,]+), DS18B20 ([\d,]+)", out)
    assert work, out
    instructions, ds1302, ds18b20 = (int(g.replace(",", "")) for g in work.groups())
    assert instructions < 22_000 and ds1302 < 1_000 and ds18b20 < 300, work.group(0)
