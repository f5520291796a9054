"""Power-on like a real board: every part powers up at t = 0 and the MCU runs once the
reset circuit (and the crystal) let it, so a program that talks to the LCD 2 ms after
reset finds it ready, as on hardware. Program: programs/lcd4_early.c (4-bit LCD, the
short 0x33/0x32 initialisation 2 ms after reset, fixed delays)."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest
from boardprofile import DEFAULT_RESET_MS

from sim.machine.board import Board
from sim.machine.power import release_seconds
from tests.anyboard.support import load, with_mcu

TEXT = ["HELLO 4-BIT     ", "2 ms after reset"]


@pytest.mark.parametrize("timing", ["typical", "strict"])
def test_first_lcd_command_2_ms_after_reset_works_behind_the_rc_reset(
        program: Callable[[str], Path], timing: str) -> None:
    board = Board(load("lcd4"), program("lcd4_early"), timing=timing)
    board.run_for(0.3)
    assert board.lcd.text() == TEXT
    assert board.violations() == [] and board.violation_count == 0
    # the MCU left reset after the RC reset: 69.3 ms, or 35.7 ms at the RST limit
    assert board.chip.released_at == board.to_cycles(release_seconds(DEFAULT_RESET_MS,
                                                                     timing))


def test_with_rst_tied_low_the_lcd_is_still_in_its_power_on_reset_and_garbles(
        program: Callable[[str], Path]) -> None:
    """What the issue saw on every board before: the first nibbles dropped, the rest out
    of step, garbage on the glass."""
    board = Board(with_mcu(load("lcd4"), reset_ms=0.0), program("lcd4_early"))
    board.run_for(0.3)
    assert board.chip.released_at == board.to_cycles(0.002)  # the crystal's start-up only
    assert board.lcd.text() != TEXT
    first = board.violation_records()[0]
    assert (first.part, first.violation.kind) == ("lcd", "busy-write")
    assert "after power-on, during the internal reset: dropped" in first.violation.detail
    assert "wait > 15 ms after VCC reaches 4.5 V" in first.violation.required


def test_every_part_powers_up_at_t0_and_the_lcd_is_ready_before_the_program_runs(
        program: Callable[[str], Path]) -> None:
    board = Board(load("lcd4"), program("lcd4_early"))
    assert board.lcd.power_on_cycle == 0 and board.chip.state == "reset"
    assert board.lcd.busy_until < board.chip.release_cycles
    board.run_until(board.chip.release_cycles - 1)
    assert board.cpu.instructions == 0 and board.chip.state == "reset"
    board.run_until(board.chip.release_cycles + 10)
    assert board.chip.state == "app" and board.cpu.instructions > 0


def test_power_cut_and_power_on_follow_the_same_sequence(
        program: Callable[[str], Path]) -> None:
    board = Board(load("lcd4"), program("lcd4_early"))
    board.run_for(0.3)
    board.power_off()
    board.run_for(0.5)
    on = board.cycles
    board.power_on()
    assert board.lcd.power_on_cycle == on  # its internal reset: uninitialised again
    assert board.lcd.text() == ["█" * 16, " " * 16]
    board.run_for(0.3)
    assert board.chip.released_at == on + board.chip.release_cycles
    assert board.lcd.text() == TEXT and board.violation_count == 0


def test_a_first_write_with_e_high_since_power_on_is_taken_as_on_real_boards(
        program: Callable[[str], Path]) -> None:
    """Tutorial programs set RS, RW and the data, then "E = 1" (already 1 after reset) and
    lower E: their first command (two lines) shows on real boards. Taken, tAS recorded."""
    board = Board(load("lcd8"), program("lcd8_e_high"))
    board.run_for(0.3)
    assert board.lcd.text() == ["E HIGH AT RESET ", "LINE TWO        "]
    (record,) = board.violation_records()
    assert (record.part, record.violation.kind) == ("lcd", "tAS")
    assert "E high since power-on" in record.violation.detail
    assert "dropped" not in record.violation.detail


def test_a_strict_part_drops_the_first_write_with_e_high_since_power_on(
        program: Callable[[str], Path]) -> None:
    board = Board(load("lcd8"), program("lcd8_e_high"), timing="strict")
    board.run_for(0.3)
    # the function set was lost: one line, and the second line's text is not on the glass
    assert board.lcd.text() == ["E HIGH AT RESET ", " " * 16]
    (record,) = board.violation_records()
    assert record.violation.kind == "tAS" and record.violation.detail.endswith("dropped")


def test_a_fall_of_e_during_the_lcd_internal_reset_is_still_ignored(
        program: Callable[[str], Path]) -> None:
    """RST tied low: the MCU runs 2 ms after power-on, the LCD still in its 10 ms reset."""
    board = Board(with_mcu(load("lcd8"), reset_ms=0.0), program("lcd8_e_high"))
    board.run_for(0.3)
    assert board.lcd.text()[1] == " " * 16  # the function set (two lines) was lost
    assert all(r.violation.kind != "tAS" for r in board.violation_records())
