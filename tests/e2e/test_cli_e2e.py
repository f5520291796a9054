"""`clock51` against `clock51-sim run` on the reference firmware, over a pty and over TCP.

The simulator is a subprocess (real-time paced, fresh per transport); `clock51` runs as a
subprocess (``python -m host``) or in-process (``host.cli.main``). Then the error paths:
no such port, nobody answering, ERR from the clock, usage errors.
"""

from __future__ import annotations

import contextlib
import os
import re
import socket
import time
from datetime import datetime, timedelta

import pytest

from host.cli import main as clock51_main
from tests.e2e.rig import SIM_RTC, SimProcess, clock51

TIME_RE = re.compile(r"^(\d{4}-\d\d-\d\d \d\d:\d\d:\d\d) (MON|TUE|WED|THU|FRI|SAT|SUN)$")


def shown(stdout: str) -> datetime:
    match = TIME_RE.match(stdout.strip())
    assert match, stdout
    when = datetime.strptime(match.group(1), "%Y-%m-%d %H:%M:%S")
    assert match.group(2) == when.strftime("%a").upper()
    return when


def one_error_line(stderr: str) -> str:
    lines = stderr.strip().splitlines()
    assert len(lines) == 1, stderr
    assert lines[0].startswith("clock51: error: "), stderr
    return lines[0]


def run_main(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    code = clock51_main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


# ---------------------------------------------------------------- against the simulator
# (the tests of one transport run in file order on one simulator)

def test_get_reads_the_simulated_rtc(sim: SimProcess) -> None:
    res = clock51(sim.port, "get")
    assert res.returncode == 0, res.stderr
    elapsed = time.monotonic() - sim.started
    when = shown(res.stdout)
    start = datetime.strptime(SIM_RTC, "%Y-%m-%d %H:%M:%S")
    assert start <= when <= start + timedelta(seconds=elapsed + 3)
    assert res.stderr == ""


def test_info_names_the_board(sim: SimProcess) -> None:
    res = clock51(sim.port, "info")
    assert res.returncode == 0, res.stderr
    assert re.match(r"^clock51 \S+ board=reference mcu=\S+ xtal=11059200 baud=9600 "
                    r"temp=(wait|ok) rtc=ok$",
                    res.stdout.strip()), res.stdout


def test_set_a_given_time_then_get_it_back(sim: SimProcess) -> None:
    res = clock51(sim.port, "set", "2031-05-06 07:08:09")
    assert res.returncode == 0, res.stderr
    assert res.stdout.strip() == "2031-05-06 07:08:09 TUE"
    res = clock51(sim.port, "get")
    assert res.returncode == 0, res.stderr
    assert timedelta(0) <= shown(res.stdout) - datetime(2031, 5, 6, 7, 8, 9) <= timedelta(
        seconds=3)


def test_set_now_sets_the_pc_time(sim: SimProcess,
                                  capsys: pytest.CaptureFixture[str]) -> None:
    code, out, err = run_main(capsys, "--port", sim.port, "set", "--now")
    assert code == 0, err
    assert abs((shown(out) - datetime.now()).total_seconds()) <= 2
    code, out, err = run_main(capsys, "--port", sim.port, "get")
    assert code == 0, err
    # the reply is truncated to the second (up to 1 s), and a real-time simulator starved of
    # the CPU for more than 0.25 s drops that time (sim/frontends/run.py, MAX_BEHIND_S), so a
    # loaded 2-core runner can show a second more here (seen once: 2.15 s); the set's own
    # accuracy is tests/e2e/test_sync_accuracy.py's (10 ms)
    assert abs((shown(out) - datetime.now()).total_seconds()) <= 3


def test_alarm_set_off_get_on(sim: SimProcess, capsys: pytest.CaptureFixture[str]) -> None:
    res = clock51(sim.port, "alarm", "set", "06:45")
    assert (res.returncode, res.stdout.strip()) == (0, "06:45 on"), res.stderr
    for argv, want in ((["alarm", "off"], "06:45 off"), (["alarm", "get"], "06:45 off"),
                       (["alarm"], "06:45 off"), (["alarm", "on"], "06:45 on"),
                       (["alarm", "get"], "06:45 on")):
        code, out, err = run_main(capsys, "--port", sim.port, *argv)
        assert (code, out.strip(), err) == (0, want, ""), argv


def test_hours_12_and_back_to_24(sim: SimProcess, capsys: pytest.CaptureFixture[str]) -> None:
    for argv, want in ((["hours", "12"], "12"), (["hours"], "12"), (["hours", "24"], "24"),
                       (["hours"], "24")):
        code, out, err = run_main(capsys, "--port", sim.port, *argv)
        assert (code, out.strip(), err) == (0, want, ""), argv


def test_sync_sets_the_pc_time(sim: SimProcess) -> None:
    res = clock51(sim.port, "sync", "--verify", "1")
    assert res.returncode == 0, res.stderr
    assert res.stdout.startswith("clock set to "), res.stdout
    res = clock51(sim.port, "get")
    assert abs((shown(res.stdout) - datetime.now()).total_seconds()) <= 1.5


def test_err_from_the_clock_is_exit_1_with_its_reason(sim: SimProcess) -> None:
    before = clock51(sim.port, "get")
    res = clock51(sim.port, "raw", "SET 2025-02-29 00:00:00")
    assert res.returncode == 1
    assert res.stdout.strip().startswith("ERR range")
    assert "ERR range" in one_error_line(res.stderr)
    after = clock51(sim.port, "get")
    assert 0 <= (shown(after.stdout) - shown(before.stdout)).total_seconds() <= 3, \
        "the clock kept its time"


def test_set_of_an_impossible_date_is_a_usage_error(sim: SimProcess) -> None:
    res = clock51(sim.port, "set", "2025-02-29 00:00:00")
    assert (res.returncode, res.stdout) == (2, "")
    assert "2025-02-29" in one_error_line(res.stderr)


# ---------------------------------------------------------------- ports nobody serves

def test_no_such_device_is_exit_1_one_line() -> None:
    res = clock51("/dev/ttyclock51-none", "get")
    assert (res.returncode, res.stdout) == (1, "")
    assert "no such port" in one_error_line(res.stderr)


def test_refused_tcp_port_is_exit_1_one_line() -> None:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]  # bound, not listening: connections are refused
        res = clock51(f"socket://127.0.0.1:{port}", "get")
    assert (res.returncode, res.stdout) == (1, "")
    assert "connection refused" in one_error_line(res.stderr)


def test_pty_with_nobody_behind_it_is_no_answer() -> None:
    master, slave = os.openpty()
    try:
        path = os.ttyname(slave)
        started = time.monotonic()
        res = clock51(path, "--timeout", "0.3", "get")
        assert time.monotonic() - started < 10
        assert (res.returncode, res.stdout) == (1, "")
        assert "no answer" in one_error_line(res.stderr)
    finally:
        os.close(master)
        os.close(slave)


def test_tcp_port_that_never_answers_is_no_answer(listener: socket.socket) -> None:
    port = listener.getsockname()[1]
    res = clock51(f"socket://127.0.0.1:{port}", "--timeout", "0.3", "get")
    assert (res.returncode, res.stdout) == (1, "")
    assert "no answer" in one_error_line(res.stderr)


def test_tcp_port_that_closes_is_no_answer(listener: socket.socket,
                                           capsys: pytest.CaptureFixture[str]) -> None:
    import threading

    port = listener.getsockname()[1]
    listener.setblocking(True)
    listener.settimeout(10)

    def close_each_connection() -> None:
        with contextlib.suppress(OSError):
            for _ in range(3):
                conn, _ = listener.accept()
                conn.close()

    closer = threading.Thread(target=close_each_connection, daemon=True)
    closer.start()
    code, out, err = run_main(capsys, "--port", f"socket://127.0.0.1:{port}",
                              "--timeout", "0.5", "get")
    assert (code, out) == (1, "")
    assert "no answer" in one_error_line(err)


@pytest.mark.parametrize("argv", [
    ["set", "2025-13-01 00:00:00"], ["set"], ["alarm", "set"], ["alarm", "set", "24:00"],
    ["hours", "13"], ["sync", "--verify", "-1"], ["frobnicate"],
])
def test_usage_error_is_exit_2_and_sends_nothing(argv: list[str],
                                                 listener: socket.socket) -> None:
    master, slave = os.openpty()
    try:
        for port in (os.ttyname(slave), f"socket://127.0.0.1:{listener.getsockname()[1]}"):
            res = clock51(port, *argv)
            assert (res.returncode, res.stdout) == (2, ""), argv
            one_error_line(res.stderr)
        os.set_blocking(master, False)
        with pytest.raises(BlockingIOError):
            os.read(master, 100)  # nothing was written to the pty
        with pytest.raises(BlockingIOError):
            listener.accept()  # nobody connected
    finally:
        os.close(master)
        os.close(slave)
