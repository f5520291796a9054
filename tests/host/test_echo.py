"""A write's echo must be what was asked (issue 10, item 4).

``set``, ``alarm set/on/off`` and ``hours 12/24`` compare the clock's OK reply with the value
sent; a clock that answers OK with something else makes clock51 exit 1 with one line saying
what the clock now holds (and the write is not sent again).
"""

from __future__ import annotations

from datetime import datetime, timedelta

import pytest

from host import cli
from host.client import Clock
from tests.host.fakeclock import FakeDevice, FakePort, FakeTime


class WaywardDevice(FakeDevice):
    """Answers OK to every write but keeps (and echoes) a different value."""

    def command(self, words: list[str], at: float) -> str:
        name, args = words[0].upper(), [w.upper() for w in words[1:]]
        if name == "SET" and len(args) == 2:
            when = datetime.strptime(" ".join(args), "%Y-%m-%d %H:%M:%S")
            wrong = when + timedelta(minutes=10, seconds=10)  # two flipped tens digits
            return super().command(["SET", *wrong.strftime("%Y-%m-%d %H:%M:%S").split()], at)
        if name == "ALARM" and len(args) == 1 and ":" in args[0]:
            super().command(words, at)
            h, m, on = self.alarm
            self.alarm = (h, (m + 1) % 60, on)
            return self._alarm_reply()  # echoes the minute it keeps, not the one asked
        if name == "ALARM" and args in (["ON"], ["OFF"]):
            return self._alarm_reply()  # the switch did not move
        if name == "HOURS" and len(args) == 1:
            return f"OK HOURS {self.hours}"  # the mode did not change
        return super().command(words, at)


class Bench:
    def __init__(self, capsys: pytest.CaptureFixture[str]) -> None:
        self.capsys = capsys
        self.time = FakeTime()
        self.device = WaywardDevice(self.time)
        self.port = FakePort(self.device)

    def open_clock(self, port: str, baud: int, timeout: float) -> Clock:
        return Clock(self.port, timeout=timeout, time_source=self.time)

    def run(self, *argv: str) -> tuple[int, str, str]:
        code = cli.main(["--port", "X", *argv], open_clock=self.open_clock,
                        time_source=self.time)
        out, err = self.capsys.readouterr()
        return code, out, err


@pytest.fixture
def bench(capsys: pytest.CaptureFixture[str]) -> Bench:
    return Bench(capsys)


@pytest.mark.parametrize(("argv", "sent", "holds"), [
    (["set", "2026-11-24 05:06:07"], b"SET 2026-11-24 05:06:07",
     "set 2026-11-24 05:06:07 was not taken as asked: the clock answered OK but now holds "
     "2026-11-24 05:16:17 TUE"),
    (["alarm", "set", "06:45"], b"ALARM 06:45",
     "alarm 06:45 was not taken as asked: the clock answered OK but now holds alarm 06:46 on"),
    (["alarm", "on"], b"ALARM ON",
     "alarm on was not taken as asked: the clock answered OK but now holds alarm 07:30 off"),
    (["hours", "12"], b"HOURS 12",
     "hours 12 was not taken as asked: the clock answered OK but now holds the 24-hour "
     "display"),
])
def test_an_echo_other_than_the_value_sent_exits_1_saying_what_the_clock_holds(
        bench: Bench, argv: list[str], sent: bytes, holds: str) -> None:
    code, out, err = bench.run(*argv)
    assert (code, out) == (1, "")
    assert err == f"clock51: error: {holds}\n"
    writes = [line for line in bench.port.lines_sent() if line.startswith(sent)]
    assert len(writes) == 1  # a write is never sent twice


def test_alarm_off_that_stays_on_exits_1(bench: Bench) -> None:
    bench.device.alarm = (7, 30, True)
    code, _, err = bench.run("alarm", "off")
    assert code == 1 and err.endswith("now holds alarm 07:30 on\n")


def test_hours_24_that_stays_12_exits_1(bench: Bench) -> None:
    bench.device.hours = 12
    code, _, err = bench.run("hours", "24")
    assert code == 1 and err.endswith("now holds the 12-hour display\n")


def test_set_now_is_compared_too(bench: Bench) -> None:
    code, _, err = bench.run("set", "--now")
    assert code == 1 and "was not taken as asked" in err


def test_an_honest_echo_still_exits_0(capsys: pytest.CaptureFixture[str]) -> None:
    time = FakeTime()
    port = FakePort(FakeDevice(time))

    def open_clock(port_name: str, baud: int, timeout: float) -> Clock:
        return Clock(port, timeout=timeout, time_source=time)

    for argv in (["set", "2026-11-24 05:06:07"], ["alarm", "set", "06:45"], ["alarm", "off"],
                 ["alarm", "on"], ["hours", "12"], ["hours", "24"]):
        assert cli.main(["--port", "X", *argv], open_clock=open_clock, time_source=time) == 0
    assert capsys.readouterr().err == ""
