"""The board wired from the reference profile, driven by a small SDCC program of the tests'
own (tests/sim/programs/board_probe.c), not by the clock firmware."""

from __future__ import annotations

import datetime as dt
import shutil
import subprocess
from pathlib import Path

import pytest

from sim.machine.board import Board
from sim.machine.image import load_ihx

SOURCE = Path(__file__).resolve().parent / "programs" / "board_probe.c"


@pytest.fixture(scope="module")
def probe_image(tmp_path_factory: pytest.TempPathFactory) -> bytes:
    sdcc = shutil.which("sdcc")
    assert sdcc, "sdcc is installed by make setup"
    out = tmp_path_factory.mktemp("probe")
    subprocess.run([sdcc, "-mmcs51", "--std-c99", "-o", str(out / "probe.ihx"), str(SOURCE)],
                   check=True, capture_output=True, cwd=out)
    return load_ihx(out / "probe.ihx")


def test_program_of_our_own_shows_the_ds1302_time_on_the_lcd(probe_image: bytes) -> None:
    board = Board("reference", probe_image)
    board.set_rtc(dt.datetime(2026, 11, 24, 21, 47, 5))
    board.run_for(0.2)
    assert board.lcd_text() == ["probe ok        ", "t=21:47:05      "]
    assert board.rtc.ram[0] == 0x5A
    assert board.violations() == []


def test_fresh_ds1302_reads_halted_with_ch_set(probe_image: bytes) -> None:
    board = Board("reference", probe_image)
    board.run_for(0.2)
    # a fresh chip: CH = 1 (the program masks it off), time 00:00:00
    assert board.lcd_text()[1].startswith("t=00:00:00")
    assert board.rtc.halted
