"""The day-of-week register means what the program says it means: --rtc and the browser
view write it by the profile's [ds1302] weekday_one. Program: programs/weekday.c, which
numbers the days 1 = Sunday (as much published DS1302 code does)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from pathlib import Path

import pytest

from sim.frontends.cli import main as sim_main
from sim.machine.board import Board
from tests.anyboard.support import board, load, variant, with_part

TUESDAY = dt.datetime(2026, 11, 24, 12, 0, 0)


@pytest.mark.parametrize("timing", ["typical", "strict"])
def test_a_sunday_is_one_program_shows_the_right_day(program: Callable[[str], Path],
                                                     timing: str) -> None:
    b = Board(board("weekday"), program("weekday"), timing=timing)
    b.set_rtc(TUESDAY)
    assert b.rtc.regs[5] == 3  # Sun 1, Mon 2, Tue 3
    b.run_for(0.5)
    assert b.lcd.text() == ["2026-11-24 Tue  ", "12:00:00        "]
    assert b.violation_count == 0


def test_with_the_other_convention_the_program_shows_the_day_before(
        program: Callable[[str], Path]) -> None:
    """A profile that says Monday is 1 writes ISO days: this program then reads Tuesday
    (2) as Monday, as it would on a real board set by such a tool."""
    b = Board(with_part(load("weekday"), "ds1302", weekday_one="monday"), program("weekday"))
    b.set_rtc(TUESDAY)
    b.run_for(0.5)
    assert b.lcd.text()[0] == "2026-11-24 Mon  "


@pytest.mark.parametrize(("day", "sunday_one", "monday_one"), [
    (dt.date(2026, 11, 22), 1, 7), (dt.date(2026, 11, 23), 2, 1),
    (dt.date(2026, 11, 28), 7, 6)])
def test_day_register_values_of_both_conventions(day: dt.date, sunday_one: int,
                                                 monday_one: int) -> None:
    sunday = Board(board("weekday"), bytes.fromhex("80FE")).rtc
    monday = Board(with_part(load("weekday"), "ds1302", weekday_one="monday"),
                   bytes.fromhex("80FE")).rtc
    assert sunday.weekday_register(day) == sunday_one
    assert monday.weekday_register(day) == monday_one


def test_rtc_option_writes_the_day_by_the_profile(program: Callable[[str], Path],
                                                  capsys: pytest.CaptureFixture[str],
                                                  tmp_path: Path) -> None:
    for profile, shown in ((board("weekday"), "Tue"),
                           (variant(tmp_path, "weekday", 'weekday_one = "sunday"',
                                    'weekday_one = "monday"'), "Mon")):
        capsys.readouterr()
        code = sim_main(["run", str(program("weekday")), "--board", str(profile), "--rtc",
                         "2026-11-24 12:00:00", "--for", "0.5", "--headless", "--lcd-text"])
        out = capsys.readouterr().out
        assert code == 0 and out.splitlines()[-2] == f"2026-11-24 {shown}  "
