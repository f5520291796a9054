"""The example of docs/simulate-your-board.md, built and run as the guide says: the
program docs/example/counter.c on the board docs/example/counter.toml (a 4-bit LCD, a key,
two LEDs). The guide's "drive it from pytest" section quotes the two tests below."""

from __future__ import annotations

from pathlib import Path

import pytest

from sim.frontends.cli import main as sim_main
from sim.machine.board import Board
from tests.buildsupport import ROOT, sdcc_build

EXAMPLE = ROOT / "docs" / "example"


@pytest.fixture(scope="module")
def counter(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """sdcc -mmcs51 --std-c99 counter.c, as the guide builds it."""
    return sdcc_build(EXAMPLE / "counter.c", tmp_path_factory.mktemp("counter"))


def test_each_press_of_k1_counts_and_toggles_d1(counter: Path) -> None:
    board = Board(EXAMPLE / "counter.toml", counter)
    board.run_for(0.5)                          # power-on, reset, LCD initialisation
    assert board.lcd.text() == ["presses:        ", "0               "]
    for n in range(1, 4):
        board.press("K1", hold_s=0.1)           # contact bounce included
        board.run_for(0.3)
        assert board.lcd.text()[1].rstrip() == str(n)
        assert board.leds.is_lit("D1") == (n % 2 == 1)
    assert board.violations() == []             # no datasheet rule broken


def test_d2_blinks_twice_a_second_under_the_datasheets_limits(counter: Path) -> None:
    board = Board(EXAMPLE / "counter.toml", counter, timing="strict")
    board.run_for(2.0)
    assert board.leds.changes("D2") in (7, 8)  # a change every 250 ms once running
    assert board.violation_count == 0


def test_the_guides_command_line(counter: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code = sim_main(["run", str(counter), "--board", str(EXAMPLE / "counter.toml"),
                     "--press", "K1@1", "--press", "K1@1.5", "--for", "2", "--headless",
                     "--lcd-text", "--check"])
    out, err = capsys.readouterr()
    assert (code, err) == (0, "")
    assert out.splitlines() == ["presses:        ", "2               "]
