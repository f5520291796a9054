"""Board.power_cycle() at any moment: the firmware starts again and draws the clock, the
battery-backed DS1302 keeps its time, and nothing on the buses is left driven."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

from sim.machine.board import Board

BANNER = b"clock51 READY\r\n"


@pytest.mark.parametrize("at_s", [2.0, 2.0004, 2.3])  # 2.0: mid LCD update (a busy read)
def test_power_cycle_restarts_the_firmware_and_keeps_the_clock(
        firmware: dict[str, Path], at_s: float) -> None:
    board = Board("reference", firmware["reference"])
    board.set_rtc(dt.datetime(2026, 11, 24, 12, 5, 31))
    board.run_for(at_s)
    assert board.lcd_text()[0].startswith("2026-11-24 Tue")
    sent = len(board.uart.tx_log)
    cycle = board.cycles
    board.power_cycle()
    assert board.cycles == cycle, "simulated time goes on"
    assert not board.lcd.display_on
    board.run_for(2.5)
    assert bytes(b for _, b in board.uart.tx_log[sent:]) == BANNER
    top, bottom = board.lcd_text()
    assert top.startswith("2026-11-24 Tue"), "the LCD took its initialisation again"
    assert bottom.startswith(f"12:05:{31 + int(at_s + 2.5)}")
    assert board.violations() == []
