"""`clock51-sim run`: every option of design.md, on the real firmware image."""

from __future__ import annotations

import json
import re
import subprocess
import sys
from pathlib import Path

import pytest
from PIL import Image

from sim.frontends.cli import main as sim_main

ROOT = Path(__file__).resolve().parents[2]


def run_cli(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    code = sim_main(["run", *argv])
    out, err = capsys.readouterr()
    return code, out, err


def test_rtc_start_time_shows_on_the_lcd_after_a_headless_run(
        firmware: dict[str, Path], capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run_cli(capsys, str(firmware["reference"]), "--board", "reference",
                           "--rtc", "2026-11-24 12:05:31", "--for", "2.5", "--headless",
                           "--lcd-text")
    assert code == 0
    lines = out.splitlines()[-2:]
    assert lines[0].startswith("2026-11-24 Tue")
    assert lines[1].startswith("12:05:33")


def test_firmware_defaults_to_the_boards_own_build(
        firmware: dict[str, Path], capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run_cli(capsys, "--board", "breadboard", "--rtc", "2030-01-01 08:00:00",
                           "--for", "1.2", "--headless", "--lcd-text")
    assert code == 0
    assert out.splitlines()[-2].startswith("2030-01-01 Tue")


def test_rtc_state_file_keeps_the_clock_across_runs(
        firmware: dict[str, Path], capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    state = tmp_path / "rtc.json"
    run_cli(capsys, str(firmware["reference"]), "--rtc", "2026-03-01 10:00:00",
            "--rtc-state", str(state), "--for", "2", "--headless")
    saved = json.loads(state.read_text())
    assert "ds1302" in saved
    code, out, _ = run_cli(capsys, str(firmware["reference"]), "--rtc-state", str(state),
                           "--for", "1.5", "--headless", "--lcd-text")
    assert code == 0
    top, bottom = out.splitlines()[-2:]
    assert top.startswith("2026-03-01")
    # It ran 2 s, then at least 1.5 s more (plus the wall time between the runs).
    assert re.match(r"10:00:0[3-9]", bottom), bottom


def test_press_holds_a_key_at_a_simulated_time(
        firmware: dict[str, Path], capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run_cli(capsys, str(firmware["reference"]), "--rtc", "2026-11-24 12:00:00",
                           "--press", "MODE@1.0", "--for", "1.6", "--headless", "--lcd-text")
    assert code == 0
    top = out.splitlines()[-2]
    assert not top.startswith("2026-11-24"), "MODE shows the second page"


def test_vcd_records_the_profile_pins(
        firmware: dict[str, Path], capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    vcd = tmp_path / "pins.vcd"
    run_cli(capsys, str(firmware["reference"]), "--rtc", "2026-11-24 12:00:00",
            "--for", "0.3", "--headless", "--vcd", str(vcd))
    text = vcd.read_text()
    for name in ("lcd_e", "lcd_rs", "ds1302_ce", "ds1302_sclk", "ds1302_io", "key_SET"):
        assert re.search(rf"\$var wire 1 \S+ {name} \$end", text), name
    assert text.count("#") > 100, "the LCD and DS1302 traffic shows as edges"


def test_screenshot_saves_the_lcd_as_a_png(
        firmware: dict[str, Path], capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    png = tmp_path / "lcd.png"
    run_cli(capsys, str(firmware["reference"]), "--rtc", "2026-11-24 12:00:00",
            "--for", "1", "--headless", "--screenshot", str(png))
    with Image.open(png) as img:
        assert img.format == "PNG"
        assert img.width > img.height > 20


def test_unknown_key_is_one_line_error(capsys: pytest.CaptureFixture[str],
                                       firmware: dict[str, Path]) -> None:
    code, _, err = run_cli(capsys, str(firmware["reference"]), "--press", "FIRE@1",
                           "--for", "1", "--headless")
    assert code == 1
    assert err.strip().splitlines() == [
        "clock51-sim: error: --press FIRE: board reference has keys DOWN, MODE, SET, UP"]


def test_unknown_board_is_one_line_error(capsys: pytest.CaptureFixture[str]) -> None:
    code, _, err = run_cli(capsys, "x.ihx", "--board", "nope", "--for", "1", "--headless")
    assert code == 1
    assert len(err.strip().splitlines()) == 1
    assert "unknown board 'nope'" in err


@pytest.mark.parametrize("bad", [["--rtc", "2026-13-01 00:00:00"], ["--press", "SET"],
                                 ["--serial", "usb"]])
def test_malformed_options_are_usage_errors(bad: list[str]) -> None:
    proc = subprocess.run([sys.executable, "-m", "sim.frontends.cli", "run", "x.ihx", *bad],
                          capture_output=True, text=True, cwd=ROOT)
    assert proc.returncode == 2
    assert "Traceback" not in proc.stderr


def test_serial_over_tcp_answers_pyserial_socket_url(firmware: dict[str, Path]) -> None:
    import serial

    with subprocess.Popen(
            [sys.executable, "-m", "sim.frontends.cli", "run", str(firmware["reference"]),
             "--rtc", "2026-11-24 12:00:00", "--serial", "tcp:0", "--headless", "--realtime",
             "--for", "20"],
            stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True, cwd=ROOT) as proc:
        try:
            assert proc.stdout is not None
            first = proc.stdout.readline()
            m = re.match(r"serial: (socket://127\.0\.0\.1:\d+)", first)
            assert m, first
            with serial.serial_for_url(m.group(1), baudrate=9600, timeout=3) as port:
                # bytes sent before the firmware has set up its UART are lost, as on a
                # real board: wait for the banner first
                assert port.readline() == b"clock51 READY\r\n"
                port.write(b"PING\n")
                assert port.readline() == b"OK PONG\r\n"
        finally:
            proc.kill()
            proc.wait(timeout=10)


def test_ctrl_c_saves_the_rtc_state_and_exits_130_with_one_line(
        firmware: dict[str, Path], tmp_path: Path) -> None:
    import signal

    state = tmp_path / "rtc.json"
    proc = subprocess.Popen(
        [sys.executable, "-m", "sim", "run", str(firmware["reference"]), "--headless",
         "--serial", "pty", "--rtc", "2026-11-24 12:00:00", "--rtc-state", str(state)],
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, cwd=ROOT)
    assert proc.stdout is not None
    assert proc.stdout.readline().startswith("serial: /dev/")
    proc.send_signal(signal.SIGINT)
    out, err = proc.communicate(timeout=30)
    assert proc.returncode == 130
    assert err.strip().splitlines() == ["clock51-sim: interrupted"]
    assert json.loads(state.read_text())["ds1302"]
