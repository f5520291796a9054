"""Boards that are not clocks: one with only an LCD and LEDs, one at 12 MHz with no serial
port. Programs: programs/lcd_leds.c, programs/timer12.c."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest

from sim.errors import ConfigError
from sim.frontends.cli import main as sim_main
from sim.frontends.endpoints import MemoryEndpoint
from sim.machine.board import Board
from tests.anyboard.support import board, load


def cli(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    capsys.readouterr()
    code = sim_main(["run", *argv])
    out, err = capsys.readouterr()
    return code, out, err


@pytest.mark.parametrize("timing", ["typical", "strict"])
def test_a_board_with_only_an_lcd_and_leds(program: Callable[[str], Path], timing: str) -> None:
    b = Board(board("lcd_leds"), program("lcd_leds"), timing=timing)
    assert (b.rtc, b.keys, b.buzzer, b.thermo) == (None, None, None, None)
    b.run_for(1.0)
    assert b.lcd.text() == ["row 1: 20x4 module  ", "row 2 at 0x40       ",
                            "row 3 at 0x14       ", "row 4 at 0x54       "]
    # D1 toggles every 100 ms, D2 every 200 ms, D3 stays lit (active low, pin 0)
    d1, d2 = b.leds.changes("D1"), b.leds.changes("D2")
    assert d1 >= 8 and d2 in (d1 // 2, d1 // 2 + 1)
    assert b.leds.is_lit("D3") and b.leds.changes("D3") == 1
    assert b.leds.lit_seconds("D1", b.cycles) == pytest.approx(0.4, abs=0.11)
    assert b.violation_count == 0


def test_the_lcd_and_led_board_from_the_command_line(
        program: Callable[[str], Path], capsys: pytest.CaptureFixture[str]) -> None:
    code, out, err = cli(capsys, str(program("lcd_leds")), "--board", str(board("lcd_leds")),
                         "--for", "0.5", "--headless", "--lcd-text", "--check")
    assert code == 0 and err == ""
    assert out.splitlines() == ["row 1: 20x4 module  ", "row 2 at 0x40       ",
                                "row 3 at 0x14       ", "row 4 at 0x54       "]


@pytest.mark.parametrize(("option", "message"), [
    (["--press", "SET@1"], "--press SET: board lcd-leds has no keys"),
    (["--rtc", "2026-01-01 00:00:00"],
     "--rtc: board lcd-leds has no DS1302 (its profile lists no [ds1302])"),
    (["--rtc-state", "state.json"],
     "--rtc-state: board lcd-leds has no DS1302 (its profile lists no [ds1302])"),
    (["--serial", "pty"],
     "--serial: board lcd-leds has no serial port (its profile lists no [uart])"),
])
def test_options_for_parts_the_board_lacks_are_one_line(
        program: Callable[[str], Path], capsys: pytest.CaptureFixture[str],
        option: list[str], message: str) -> None:
    code, _, err = cli(capsys, str(program("lcd_leds")), "--board", str(board("lcd_leds")),
                       "--for", "0.1", "--headless", *option)
    assert code == 1
    assert err.splitlines() == [f"clock51-sim: error: {message}"]


@pytest.mark.parametrize("timing", ["typical", "strict"])
def test_a_12_mhz_board_with_no_uart_keeps_its_own_time(program: Callable[[str], Path],
                                                        timing: str) -> None:
    b = Board(board("timer12"), program("timer12"), timing=timing)
    assert b.cps == 1_000_000 and load("timer12").uart is None
    b.run_for(10.2)
    assert b.lcd.text() == ["up 12 MHz       ", "t=10 s          "]
    assert b.leds.changes("LED") == 10
    assert b.violation_count == 0


def test_a_board_without_a_serial_port_takes_no_host(program: Callable[[str], Path]) -> None:
    with pytest.raises(ConfigError, match="board timer12 has no serial port"):
        Board(board("timer12"), program("timer12"), endpoint=MemoryEndpoint())
