"""`clock51-sim run --temp ... / --temp-fault`: the DS18B20's surroundings from the command
line, on the real firmware (the issue's contract), and bad values as one-line usage errors."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from sim.frontends.cli import main as sim_main
from sim.frontends.temperature import parse_temp

ROOT = Path(__file__).resolve().parents[2]
DEG = "\u00b0"


def run_cli(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, list[str], str]:
    code = sim_main(["run", *argv])
    out, err = capsys.readouterr()
    return code, out.splitlines()[-2:], err


@pytest.mark.parametrize("board", ["reference", "hc6800"])
def test_contract_minus_7_5_and_none(firmware: dict[str, Path], board: str,
                                     capsys: pytest.CaptureFixture[str]) -> None:
    code, lcd, _ = run_cli(capsys, str(firmware[board]), "--board", board, "--temp", "-7.5",
                           "--for", "3", "--headless", "--lcd-text")
    assert code == 0
    assert f" -7.5{DEG}" in lcd[1], lcd
    code, lcd, _ = run_cli(capsys, str(firmware[board]), "--board", board, "--temp", "none",
                           "--for", "3", "--headless", "--lcd-text")
    assert code == 0
    assert f" --.-{DEG}" in lcd[1] and not any(c.isdigit() for c in lcd[1][9:15]), lcd


def test_schedule_and_crc_fault(firmware: dict[str, Path],
                                capsys: pytest.CaptureFixture[str]) -> None:
    image = str(firmware["breadboard"])
    code, lcd, _ = run_cli(capsys, image, "--board", "breadboard", "--temp", "0:none,1:31.5",
                           "--for", "3", "--headless", "--lcd-text")
    assert code == 0 and f" 31.5{DEG}" in lcd[1], lcd
    code, lcd, _ = run_cli(capsys, image, "--board", "breadboard", "--temp", "22",
                           "--temp-fault", "crc", "--for", "3", "--headless", "--lcd-text")
    assert code == 0 and lcd[1][9:15] == "   Err", lcd


def test_default_temperature_is_20(firmware: dict[str, Path],
                                   capsys: pytest.CaptureFixture[str]) -> None:
    code, lcd, _ = run_cli(capsys, str(firmware["reference"]), "--for", "1.5", "--headless",
                           "--lcd-text")
    assert code == 0 and f" 20.0{DEG}" in lcd[1], lcd


@pytest.mark.parametrize(("text", "steps"), [
    ("23.5", [(0.0, 23.5)]), ("none", [(0.0, None)]), ("NONE", [(0.0, None)]),
    ("-55", [(0.0, -55.0)]), ("125", [(0.0, 125.0)]),
    ("0:20,60:-5.5", [(0.0, 20.0), (60.0, -5.5)]), ("0:20, 2.5:none", [(0.0, 20.0),
                                                                      (2.5, None)])])
def test_temp_values_parse(text: str, steps: list[tuple[float, float | None]]) -> None:
    assert parse_temp(text) == steps


@pytest.mark.parametrize(("argv", "message"), [
    (["--temp", "warm"], "'warm' is not a temperature"),
    (["--temp", "125.5"], "125.5 C is outside the DS18B20's range -55..125 C"),
    (["--temp", "-60"], "-60 C is outside"),
    (["--temp", "nan"], "nan C is outside"),
    (["--temp", "0:20,x:5"], "'x:5' is not SECONDS:VALUE"),
    (["--temp", "0:20,-1:5"], "'-1:5' is not SECONDS:VALUE"),
    (["--temp", "5:20,5:21"], "the times must increase"),
    (["--temp", "0:200"], "200 C is outside"),
    (["--temp", ""], "'' is not a temperature"),
    (["--temp-fault", "flaky"], "--temp-fault 'flaky': expected crc"),
])
def test_bad_temp_values_are_one_line_and_exit_2(argv: list[str], message: str) -> None:
    proc = subprocess.run([sys.executable, "-m", "sim.frontends.cli", "run", "x.ihx", *argv,
                           "--for", "1", "--headless"], capture_output=True, text=True,
                          cwd=ROOT)
    assert proc.returncode == 2, proc.stderr
    lines = proc.stderr.splitlines()
    assert len(lines) == 1 and lines[0].startswith("clock51-sim: error: --temp"), lines
    assert message in lines[0]


def test_temp_on_a_board_where_nothing_feels_it_is_one_line(firmware: dict[str, Path],
                                                             tmp_path: Path,
                                                             capsys: pytest.CaptureFixture[str]
                                                             ) -> None:
    """No DS18B20 and an ideal crystal: --temp would change nothing. (With --crystal the
    room matters to the DS1302: tests/sim/test_run_crystal.py.)"""
    text = (ROOT / "firmware" / "boards" / "reference.toml").read_text()
    plain = tmp_path / "plain.toml"
    plain.write_text(text.replace('[ds18b20]\npin = "P3.7"', ""))
    code, _, err = run_cli(capsys, str(firmware["reference"]), "--board", str(plain),
                           "--temp", "20", "--for", "1", "--headless")
    assert code == 1
    assert err.splitlines() == [
        "clock51-sim: error: --temp: nothing on board reference feels the temperature: it "
        "has no DS18B20 (add [ds18b20] pin = ... to its profile) and its DS1302 has an "
        "ideal crystal (give --crystal or [ds1302] crystal_ppm ...)"]
    code, _, err = run_cli(capsys, str(firmware["reference"]), "--board", str(plain),
                           "--temp-fault", "crc", "--crystal", "ppm=10", "--for", "1",
                           "--headless")
    assert code == 1
    assert err.splitlines() == ["clock51-sim: error: --temp-fault: board reference has no "
                                "DS18B20 (add [ds18b20] pin = ... to its profile)"]


def test_live_view_plus_and_minus_nudge_the_room_the_sensor_reads(
        firmware: dict[str, Path]) -> None:
    from sim.frontends.temperature import nudge
    from sim.machine.board import Board

    board = Board("reference", firmware["reference"])
    thermo = board.thermo
    assert thermo is not None and thermo.temperature == 20.0
    assert nudge(board, "+") and thermo.temperature == 20.5
    assert nudge(board, "-") and nudge(board, "-") and thermo.temperature == 19.5
    assert not nudge(board, "s") and thermo.temperature == 19.5
    board.set_temperature(125.0)
    assert nudge(board, "+") and thermo.temperature == 125.0
    board.set_temperature(None)  # unplugged: the room keeps its 125 C
    assert thermo.temperature is None and board.ambient.celsius_at(board.cycles) == 125.0
    assert nudge(board, "-") and thermo.temperature == 125.0     # plugged back in
    board.set_temperature(20.0)
    board.run_for(1.5)
    assert f" 20.0{DEG}" in board.lcd_text()[1]
    assert board.violations() == []


def test_vcd_records_the_1_wire_line(firmware: dict[str, Path], tmp_path: Path,
                                     capsys: pytest.CaptureFixture[str]) -> None:
    """The reset pulse (>= 480 us low) and the presence pulse show in the waveform."""
    import re

    vcd = tmp_path / "pins.vcd"
    code, _, _ = run_cli(capsys, str(firmware["reference"]), "--for", "0.1", "--headless",
                         "--vcd", str(vcd))
    assert code == 0
    text = vcd.read_text()
    ident = re.search(r"\$var wire 1 (\S+) ds18b20_dq \$end", text)
    assert ident
    edges = []
    stamp = 0
    for line in text.splitlines():
        if line.startswith("#"):
            stamp = int(line[1:])
        elif line[1:] == ident.group(1) and line[0] in "01":
            edges.append((stamp, int(line[0])))
    assert "$timescale 1 ns $end" in text
    lows = [b[0] - a[0] for a, b in zip(edges, edges[1:], strict=False) if a[1] == 0]
    assert max(lows) >= 480_000                  # the reset pulse
    assert any(115_000 <= low <= 125_000 for low in lows)   # the model's 120 us presence
    assert len(edges) >= 2 + 2 + 2 * 16          # reset, presence, Skip ROM + Convert T
