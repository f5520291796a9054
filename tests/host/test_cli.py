"""host.cli.main: commands, output, exit codes and one-line errors (fake port, fake time)."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from host import cli
from host.client import Clock
from tests.host.fakeclock import FakeDevice, FakePort, FakeTime

ROOT = Path(__file__).resolve().parents[2]


class Bench:
    """Runs clock51 in-process against the stand-in device."""

    def __init__(self, capsys: pytest.CaptureFixture[str]) -> None:
        self.capsys = capsys
        self.time = FakeTime()
        self.device = FakeDevice(self.time)
        self.port = FakePort(self.device)
        self.opened: list[tuple[str, int, float]] = []

    def open_clock(self, port: str, baud: int, timeout: float) -> Clock:
        self.opened.append((port, baud, timeout))
        return Clock(self.port, timeout=timeout, time_source=self.time)

    def run(self, *argv: str) -> tuple[int, str, str]:
        code = cli.main(list(argv), open_clock=self.open_clock, time_source=self.time)
        out, err = self.capsys.readouterr()
        return code, out, err


@pytest.fixture
def bench(capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch) -> Bench:
    monkeypatch.delenv(cli.ENV_PORT, raising=False)
    return Bench(capsys)


def one_error_line(err: str) -> str:
    assert err.endswith("\n") and err.count("\n") == 1, err
    assert err.startswith("clock51: error: "), err
    assert "Traceback" not in err
    return err


# ------------------------------------------------------------ commands that work


def test_get_prints_the_clock_time(bench: Bench) -> None:
    assert bench.run("--port", "X", "get") == (0, "2026-11-24 12:05:31 TUE\n", "")
    assert bench.opened == [("X", 9600, 1.0)]
    assert bench.port.closed


def test_global_options_may_follow_the_command(bench: Bench) -> None:
    assert bench.run("get", "--port", "Y", "--baud", "4800", "-t", "0.5")[0] == 0
    assert bench.opened == [("Y", 4800, 0.5)]


def test_port_defaults_to_the_environment(bench: Bench, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv(cli.ENV_PORT, "socket://127.0.0.1:7777")
    assert bench.run("get")[0] == 0
    assert bench.opened[0][0] == "socket://127.0.0.1:7777"


def test_set_sends_the_given_time_and_prints_the_answer(bench: Bench) -> None:
    code, out, _ = bench.run("-p", "X", "set", "2031-12-31 23:59:58")
    assert (code, out) == (0, "2031-12-31 23:59:58 WED\n")
    assert bench.device.sets[0][1].isoformat() == "2031-12-31T23:59:58"


def test_set_now_sends_the_pc_local_time(bench: Bench) -> None:
    code, out, _ = bench.run("-p", "X", "set", "--now")
    assert code == 0
    (_, value), = bench.device.sets
    assert abs(value.timestamp() - bench.time.wall()) < 1.0


def test_sync_reports_the_time_latency_and_residual(bench: Bench) -> None:
    code, out, err = bench.run("-p", "X", "sync", "--pings", "3", "--verify", "2")
    assert code == 0, err
    lines = out.splitlines()
    assert lines[0].startswith("clock set to 2026-11-24 12:05:3")
    assert "latency" in lines[1] and "3 PINGs" in lines[1]
    assert lines[2].startswith("residual offset (clock - PC) ") and "2 GET probes" in lines[2]
    assert abs(bench.device.offset()) <= 0.001


def test_sync_calibrate_reports_the_compensation(bench: Bench) -> None:
    bench.device.set_delay = 0.004
    code, out, err = bench.run("-p", "X", "sync", "--verify", "6", "--calibrate")
    assert code == 0, err
    assert "calibrated: SET compensated by 4." in out
    assert abs(bench.device.offset()) <= 0.001


def test_sync_verify_zero_skips_the_residual(bench: Bench) -> None:
    code, out, _ = bench.run("-p", "X", "sync", "--verify", "0")
    assert code == 0 and "residual" not in out


@pytest.mark.parametrize(("argv", "expected"), [
    (["alarm"], "07:30 off"), (["alarm", "get"], "07:30 off"),
    (["alarm", "set", "6:05"], "06:05 on"), (["alarm", "on"], "07:30 on"),
    (["alarm", "off"], "07:30 off"), (["hours"], "24"), (["hours", "12"], "12"),
    (["info"], "clock51 0.1.0 board=reference mcu=STC89C52RC xtal=11059200 baud=9600 rtc=ok"),
    (["raw", "ping"], "OK PONG#:444"), (["raw", "HOURS", "--no-checksum"], "OK HOURS 24"),
])
def test_commands_print_the_clock_answer(bench: Bench, argv: list[str], expected: str) -> None:
    assert bench.run("-p", "X", *argv) == (0, expected + "\n", "")


def test_info_warns_when_the_rtc_is_unset(bench: Bench) -> None:
    bench.device.rtc_set = False
    code, out, err = bench.run("-p", "X", "info")
    assert code == 0 and out.endswith("rtc=unset\n")
    assert err == "clock51: warning: the clock's RTC is not set: run 'clock51 sync'\n"


def test_monitor_prints_count_lines_once_a_second(bench: Bench) -> None:
    start = bench.time.mono()
    code, out, _ = bench.run("-p", "X", "monitor", "--count", "3")
    lines = out.splitlines()
    assert code == 0 and len(lines) == 3
    assert all(line.startswith("clock 2026-11-24 12:05:3") and line.endswith("clock-pc +0 s")
               for line in lines)
    assert 2.0 < bench.time.mono() - start < 4.0


def test_monitor_stops_quietly_on_ctrl_c(bench: Bench) -> None:
    class Interrupting(FakeTime):
        calls = 0

        def sleep_until(self, deadline: float) -> None:
            self.calls += 1
            if self.calls == 3:
                raise KeyboardInterrupt
            super().sleep_until(deadline)

    bench.time = Interrupting()
    bench.device.time = bench.time
    code, out, err = bench.run("-p", "X", "monitor")
    assert code == 0 and len(out.splitlines()) == 2 and err == ""


def test_ports_lists_devices(bench: Bench, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(cli, "list_ports", lambda: [("/dev/ttyUSB0", "CH340")])
    assert bench.run("ports") == (0, "/dev/ttyUSB0\tCH340\n", "")
    assert bench.opened == []


def test_help_exits_zero(bench: Bench) -> None:
    code, out, _ = bench.run("--help")
    assert code == 0 and "sync" in out


# ------------------------------------------------------------ usage errors: exit 2, nothing sent


@pytest.mark.parametrize("argv", [
    ["set", "2025-02-29 10:00:00"], ["set", "2026-01-01 24:00:00"], ["set", "tomorrow"],
    ["set", "1999-12-31 23:59:59"], ["set", "2100-01-01 00:00:00"], ["set"],
    ["set", "2026-01-01 00:00:00", "--now"], ["alarm", "set"], ["alarm", "set", "24:00"],
    ["alarm", "set", "7:60"], ["alarm", "on", "07:00"], ["alarm", "snooze"], ["hours", "13"],
    ["bogus"], [], ["get", "--timeout", "-1"], ["get", "--baud", "fast"],
    ["sync", "--verify", "-1"], ["sync", "--verify", "0", "--calibrate"],
    ["sync", "--device-delay", "-3"], ["raw", "GET*56"], ["raw", "X" * 40],
])
def test_usage_errors_exit_2_with_one_line_before_anything_is_opened(
        bench: Bench, argv: list[str]) -> None:
    code, out, err = bench.run("-p", "X", *argv)
    assert code == 2 and out == ""
    one_error_line(err)
    assert bench.opened == [] and bench.port.writes == []


def test_invalid_date_message_names_the_problem(bench: Bench) -> None:
    _, _, err = bench.run("-p", "X", "set", "2025-02-29 10:00:00")
    assert "day is out of range for month" in err and "YYYY-MM-DD HH:MM:SS" in err


def test_missing_port_is_a_usage_error(bench: Bench) -> None:
    code, _, err = bench.run("get")
    assert code == 2 and "--port" in one_error_line(err) and cli.ENV_PORT in err


# ------------------------------------------------------------ device errors: exit 1


def test_silent_clock_exits_1_with_one_line(bench: Bench) -> None:
    bench.port.deaf = True
    code, out, err = bench.run("-p", "X", "get")
    assert code == 1 and out == ""
    assert "no answer from the clock" in one_error_line(err)


def test_err_from_the_clock_exits_1_with_its_reason(bench: Bench) -> None:
    answer = bench.device.command

    def refuse_hours_writes(words: list[str], at: float) -> str:
        return "ERR range" if words[0] == "HOURS" and len(words) > 1 else answer(words, at)

    bench.device.command = refuse_hours_writes  # type: ignore[method-assign]
    code, _, err = bench.run("-p", "X", "hours", "12")
    assert code == 1 and "ERR range" in one_error_line(err)
    assert "the clock still shows 24" in err


def test_raw_err_reply_is_printed_and_exits_1(bench: Bench) -> None:
    code, out, err = bench.run("-p", "X", "raw", "FOO", "--no-checksum")
    assert (code, out) == (1, "ERR unknown command\n")
    assert "ERR unknown command" in one_error_line(err)


def test_garbled_answers_exit_1(bench: Bench) -> None:
    bench.port.replies = [b"ERR bad byte\r\n", b"\x00\x01\r\n", b"ERR bad byte\r\n", b"OK ?\r\n"]
    code, _, err = bench.run("-p", "X", "get")
    assert code == 1 and "tried 2 times" in one_error_line(err)


def test_unreachable_ports_exit_1_with_one_line(capsys: pytest.CaptureFixture[str]) -> None:
    import socket

    with socket.socket() as sock:  # a loopback port nobody listens on
        sock.bind(("127.0.0.1", 0))
        free = sock.getsockname()[1]
    for port in ("/dev/clock51-no-such-port", f"socket://127.0.0.1:{free}", "nope://x"):
        assert cli.main(["--port", port, "get"]) == 1
        assert port in one_error_line(capsys.readouterr().err)


# ------------------------------------------------------------ as a subprocess


def run_cli(*argv: str) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if k != cli.ENV_PORT}
    return subprocess.run([sys.executable, "-m", "host", *argv], cwd=ROOT, env=env, text=True,
                          capture_output=True, timeout=60)


def test_subprocess_exit_codes_and_one_line_errors() -> None:
    bad_date = run_cli("--port", "/dev/clock51-no-such-port", "set", "2026-01-01 24:00:00")
    assert bad_date.returncode == 2 and bad_date.stdout == ""
    one_error_line(bad_date.stderr)
    no_port = run_cli("--port", "/dev/clock51-no-such-port", "info")
    assert no_port.returncode == 1 and "no such port" in one_error_line(no_port.stderr)
    assert run_cli("get").returncode == 2
    assert run_cli("--help").returncode == 0
