"""The research case: a busy-flag read with ONE E pulse in 4-bit mode (the datasheet asks
for two; sim/devices/hd44780.py cites what parts do). By the datasheet (the default) the
interface counts every pulse, the program's bytes come out of step and the LCD shows
garbage; a tolerant module (``[lcd] nibble_resync = true``) shows the text. Either way the
half read is recorded. Program: programs/busy_single_e.c."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest

from sim.machine.board import Board
from tests.anyboard.support import load, with_part

TEXT = ["single E busy   ", "read, 4-bit     "]


@pytest.mark.parametrize("timing", ["typical", "strict"])
def test_by_the_datasheet_a_one_pulse_busy_poll_garbles_the_display(
        program: Callable[[str], Path], timing: str) -> None:
    b = Board(load("lcd4"), program("busy_single_e"), timing=timing)
    b.run_for(0.3)
    assert b.lcd.text() != TEXT
    first = b.violation_records()[0].violation
    assert first.kind == "half-read"
    assert "the controller takes it as the read's second half" in first.detail
    assert first.required.startswith("a 4-bit read is two E pulses")


@pytest.mark.parametrize("timing", ["typical", "strict"])
def test_a_tolerant_module_shows_the_text_and_the_half_read_is_still_recorded(
        program: Callable[[str], Path], timing: str) -> None:
    b = Board(with_part(load("lcd4"), "lcd", nibble_resync=True), program("busy_single_e"),
              timing=timing)
    b.run_for(0.3)
    assert b.lcd.text() == TEXT
    kinds = {r.violation.kind for r in b.violation_records()}
    assert kinds == {"half-read"}
    assert "this module starts a new byte" in b.violation_records()[0].violation.detail


def test_our_own_two_pulse_busy_read_breaks_no_rule_on_either_module(
        program: Callable[[str], Path]) -> None:
    """The control case: lcd4_early.c with the datasheet's reads is fine on both."""
    for resync in (False, True):
        b = Board(with_part(load("lcd4"), "lcd", nibble_resync=resync), program("lcd4_early"))
        b.run_for(0.3)
        assert b.violation_count == 0
