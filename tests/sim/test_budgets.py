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
