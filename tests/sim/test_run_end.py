"""How a `clock51-sim run` ends: after --for T (the LCD then shows the clock T seconds on),
or on Ctrl-C, SIGTERM or SIGHUP, which save --rtc-state and finish as a normal end does."""

from __future__ import annotations

import errno
import json
import os
import signal
import subprocess
import sys
from pathlib import Path

import pytest

from sim.frontends.cli import main as sim_main
from sim.machine import state as state_mod
from sim.machine.board import Board

ROOT = Path(__file__).resolve().parents[2]
IHX = ":0200000080FE80\n:00000001FF\n"  # SJMP $: only the DS1302 and the run loop matter


def run_cli(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    capsys.readouterr()
    code = sim_main(["run", *argv])
    out, err = capsys.readouterr()
    return code, out, err


# -- --for T ---------------------------------------------------------------------------------
@pytest.mark.parametrize(("start", "seconds", "shown"), [
    ("2024-02-28 23:59:55", "10", ("2024-02-29 Thu", "00:00:05")),  # the README's example
    ("2026-11-24 12:05:31", "1", ("2026-11-24 Tue", "12:05:32")),
    ("2026-12-31 23:59:58", "2", ("2027-01-01 Fri", "00:00:00")),
])
def test_the_lcd_after_for_t_shows_the_clock_t_seconds_on(
        firmware: dict[str, Path], capsys: pytest.CaptureFixture[str],
        start: str, seconds: str, shown: tuple[str, str]) -> None:
    code, out, _ = run_cli(capsys, str(firmware["reference"]), "--rtc", start, "--for",
                           seconds, "--headless", "--lcd-text")
    assert code == 0
    top, bottom = out.splitlines()[-2:]
    assert top.startswith(shown[0]) and bottom.startswith(shown[1]), out


def test_for_t_runs_t_plus_the_redraw_budget(tmp_path: Path,
                                             capsys: pytest.CaptureFixture[str]) -> None:
    fw = tmp_path / "fw.ihx"
    fw.write_text(IHX)
    code, _, err = run_cli(capsys, str(fw), "--for", "3", "--headless", "--stats")
    assert code == 0
    # 3.05 s x 921,600 = 2810880 cycles, rounded up to the end of an instruction: the SJMP $
    # loop (2 cycles) runs from the moment the MCU left reset (the board's RC reset)
    release = Board("reference", bytes.fromhex("80FE")).chip.release_cycles
    end = 2810880 + (2810880 - release) % 2
    assert err.startswith(f"simulated 3.050 s ({end} cycles"), err


# -- signals ---------------------------------------------------------------------------------
@pytest.fixture
def fw(tmp_path: Path) -> Path:
    path = tmp_path / "fw.ihx"
    path.write_text(IHX)
    return path


def signal_after(monkeypatch: pytest.MonkeyPatch, seconds: float, *sigs: int) -> None:
    """Send ``sigs`` to this process once the board has run ``seconds`` (one per slice)."""
    original = Board.run_until
    pending = list(sigs)

    def run_until(self: Board, cycle: int) -> None:
        original(self, cycle)
        if pending and self.seconds >= seconds:
            signal.raise_signal(pending.pop(0))

    monkeypatch.setattr(Board, "run_until", run_until)


@pytest.mark.parametrize(("sig", "code", "line"), [
    (signal.SIGTERM, 143, "clock51-sim: terminated by SIGTERM"),
    (signal.SIGHUP, 129, "clock51-sim: terminated by SIGHUP"),
    (signal.SIGINT, 130, "clock51-sim: interrupted"),
])
def test_a_stop_signal_saves_the_state_and_exits_128_plus_its_number(
        fw: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str],
        monkeypatch: pytest.MonkeyPatch, sig: int, code: int, line: str) -> None:
    state = tmp_path / "rtc.json"
    signal_after(monkeypatch, 1.0, sig)
    got, out, err = run_cli(capsys, str(fw), "--headless", "--for", "100", "--rtc",
                            "2026-11-24 12:00:00", "--rtc-state", str(state), "--lcd-text")
    assert (got, err.splitlines()) == (code, [line])
    saved = json.loads(state.read_text())
    assert saved["version"] == 2
    assert 1.0 <= saved["cycle"] / 921_600 <= 1.2, "stopped at the next slice, not at 100 s"
    assert len(out.splitlines()) == 2, "the run finished as a normal end (--lcd-text)"
    assert signal.getsignal(sig) is not None and signal.getsignal(sig) != signal.SIG_IGN


def test_a_second_signal_ends_the_run_at_once_and_still_saves(
        fw: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str],
        monkeypatch: pytest.MonkeyPatch) -> None:
    state = tmp_path / "rtc.json"
    original = Board.run_until
    sent: list[int] = []

    def run_until(self: Board, cycle: int) -> None:
        original(self, cycle)
        if self.seconds >= 1.0 and len(sent) < 2:
            sent.append(1)
            signal.raise_signal(signal.SIGTERM)
            if len(sent) == 1:  # the second one arrives before the loop looks at the first
                sent.append(2)
                signal.raise_signal(signal.SIGTERM)

    monkeypatch.setattr(Board, "run_until", run_until)
    got, _, err = run_cli(capsys, str(fw), "--headless", "--for", "100", "--rtc-state",
                          str(state))
    assert (got, err.splitlines()) == (143, ["clock51-sim: terminated by SIGTERM"])
    assert json.loads(state.read_text())["version"] == 2


def test_handlers_are_restored_after_a_run(fw: Path, capsys: pytest.CaptureFixture[str]) -> None:
    before = {s: signal.getsignal(s) for s in (signal.SIGINT, signal.SIGTERM, signal.SIGHUP)}
    assert run_cli(capsys, str(fw), "--headless", "--for", "0.2")[0] == 0
    assert {s: signal.getsignal(s) for s in before} == before


@pytest.mark.parametrize(("sig", "code", "line"), [
    (signal.SIGTERM, 143, "clock51-sim: terminated by SIGTERM"),
    (signal.SIGHUP, 129, "clock51-sim: terminated by SIGHUP"),
])
def test_a_killed_serial_run_saves_its_state(fw: Path, tmp_path: Path, sig: int, code: int,
                                            line: str) -> None:
    state = tmp_path / "rtc.json"
    proc = subprocess.Popen(
        [sys.executable, "-m", "sim", "run", str(fw), "--headless", "--serial", "pty",
         "--rtc", "2026-11-24 12:00:00", "--rtc-state", str(state)],
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, cwd=ROOT)
    assert proc.stdout is not None
    assert proc.stdout.readline().startswith("serial: /dev/")
    proc.send_signal(sig)
    _, err = proc.communicate(timeout=30)
    assert proc.returncode == code
    assert err.splitlines() == [line]
    assert json.loads(state.read_text())["ds1302"]["regs"]


# -- a failed save ---------------------------------------------------------------------------
def test_a_failed_save_at_exit_is_one_line_and_keeps_the_old_file(
        fw: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str],
        monkeypatch: pytest.MonkeyPatch) -> None:
    state = tmp_path / "rtc.json"
    assert run_cli(capsys, str(fw), "--headless", "--for", "0.2", "--rtc",
                   "2026-11-24 12:00:00", "--rtc-state", str(state))[0] == 0
    old = state.read_bytes()

    def full(fd: int) -> None:
        raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))

    monkeypatch.setattr(state_mod.os, "fsync", full)
    code, _, err = run_cli(capsys, str(fw), "--headless", "--for", "0.2", "--rtc-state",
                           str(state))
    assert code == 1
    assert err.splitlines() == [f"clock51-sim: error: {state}: cannot save the DS1302 state "
                                "(No space left on device); the file is unchanged"]
    assert state.read_bytes() == old
    assert [p.name for p in tmp_path.iterdir() if p.name.startswith(".")] == []


def test_a_terminated_browser_view_run_saves_its_state(fw: Path, tmp_path: Path) -> None:
    state = tmp_path / "rtc.json"
    proc = subprocess.Popen(
        [sys.executable, "-m", "sim", "run", str(fw), "--headless", "--web", "0",
         "--rtc", "2026-11-24 12:00:00", "--rtc-state", str(state)],
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, cwd=ROOT)
    assert proc.stdout is not None
    assert proc.stdout.readline().startswith("web: http://")
    proc.send_signal(signal.SIGTERM)
    _, err = proc.communicate(timeout=30)
    assert proc.returncode == 143
    assert err.splitlines() == ["clock51-sim: terminated by SIGTERM"]
    assert json.loads(state.read_text())["version"] == 2
