"""host.client.Clock against the stand-in device through a fake port (fake time)."""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone

import pytest

from host import protocol as p
from host.client import Clock
from host.errors import DeviceError, NoAnswer, ProtocolError, UsageError
from tests.host.fakeclock import START, FakeDevice, FakePort, FakeTime, TracePort, suffix


@dataclass
class Rig:
    time: FakeTime
    device: FakeDevice
    port: FakePort
    clock: Clock

    def sent(self, prefix: bytes) -> list[bytes]:
        return [line for line in self.port.lines_sent() if line.startswith(prefix)]


@pytest.fixture
def rig() -> Rig:
    time = FakeTime()
    device = FakeDevice(time)
    port = FakePort(device)
    return Rig(time, device, port, Clock(port, timeout=1.0, time_source=time))


def framed(body: str, form: str = "#") -> bytes:
    """A reply line as the clock frames it for a request with the ``form`` check."""
    return f"{body}{suffix(body, form)}\r\n".encode()


# ------------------------------------------------------------ plain commands


def test_every_command_gets_its_typed_answer(rig: Rig) -> None:
    c = rig.clock
    assert c.get_time().when == START
    assert c.get_alarm() == p.Alarm(7, 30, False)
    assert c.set_alarm(6, 45) == p.Alarm(6, 45, True)
    assert c.alarm_off() == p.Alarm(6, 45, False)
    assert c.alarm_on() == p.Alarm(6, 45, True)
    assert c.get_hours() == 24
    assert c.set_hours(12) == 12 and rig.device.hours == 12
    assert c.info().board == "reference"
    assert "SET" in c.help()
    shown = c.set_time(datetime(2030, 5, 6, 7, 8, 9))
    assert str(shown) == "2030-05-06 07:08:09 MON"


def test_first_request_voids_any_partial_line_in_the_clock(rig: Rig) -> None:
    rig.device.buffer += p.encode_request("SET 2001-01-01 00:00:00")[:-1]  # all but the LF
    assert rig.clock.get_time().when == START
    assert rig.device.sets == []  # the stale SET was never completed
    assert rig.port.lines_sent()[0] == b"\x18"
    rig.clock.get_time()
    assert rig.port.lines_sent().count(b"\x18") == 1  # only once per session


def test_ping_round_trip_is_latency_plus_bytes_on_the_wire(rig: Rig) -> None:
    rtt = rig.clock.ping()
    wire = (len(b"PING#CCCC\n") + len(b"OK PONG#CCCC\r\n")) * rig.port.frame
    expected = 2 * rig.port.latency + rig.port.turnaround + wire
    assert rtt == pytest.approx(expected, abs=1e-9)


def test_banner_before_the_reply_is_skipped(rig: Rig) -> None:
    rig.clock.ping()
    rig.port.inject(b"clock51 READY\r\n", delay=0.001)
    assert rig.clock.get_time().when == START


def test_stale_reply_waiting_in_the_input_is_dropped_before_a_request(rig: Rig) -> None:
    rig.clock.ping()
    rig.port.inject(framed("OK PONG"))
    assert rig.clock.get_time().when == START


def test_trace_replay_of_a_get_session() -> None:
    time = FakeTime()
    trace = [
        (b"\x18\n", b"clock51 READY\r\nERR bad byte\r\n"),
        (b"GET#7075\n", framed("OK 2026-11-24 12:05:31 TUE")),
        (b"ALARM#41;>\n", framed("OK ALARM 07:30 ON")),
    ]
    port = TracePort(trace, time)
    with Clock(port, time_source=time) as clock:  # type: ignore[arg-type]
        assert str(clock.get_time()) == "2026-11-24 12:05:31 TUE"
        assert clock.get_alarm() == p.Alarm(7, 30, True)
    assert port.closed and port.trace == []


# ------------------------------------------------------------ retries of queries


def test_query_is_retried_once_after_no_answer(rig: Rig) -> None:
    rig.clock.ping()
    rig.port.replies = [None]
    assert rig.clock.get_time().when - START == timedelta(seconds=1)  # one timeout later
    assert len(rig.sent(b"GET")) == 2


def test_query_gives_up_after_the_one_retry(rig: Rig) -> None:
    rig.clock.ping()
    rig.port.deaf = True
    with pytest.raises(NoAnswer, match="tried 2 times") as caught:
        rig.clock.get_time()
    assert "fake://clock" in str(caught.value)
    assert len(rig.sent(b"GET")) == 1  # the retry's line reset found no clock either


@pytest.mark.parametrize("bad", [b"OK 2026-11-2# 12:05:31 TUE\r\n", b"\xff\x00garbage\r\n",
                                 framed("OK PONG"), b"ERR checksum\r\n", b"ERR overflow\r\n"])
def test_query_is_retried_once_after_a_garbled_answer_or_a_lost_line(rig: Rig,
                                                                    bad: bytes) -> None:
    rig.clock.ping()
    rig.port.replies = [bad]
    assert rig.clock.get_time().when == START
    assert len(rig.sent(b"GET")) == 2


def test_query_is_not_retried_after_a_real_err(rig: Rig) -> None:
    rig.clock.ping()
    rig.port.replies = [framed("ERR syntax")]
    with pytest.raises(DeviceError) as caught:
        rig.clock.get_time()
    assert caught.value.reason == "syntax"
    assert len(rig.sent(b"GET")) == 1


def test_two_garbled_answers_give_a_protocol_error(rig: Rig) -> None:
    rig.clock.ping()
    # garbled, then the line reset before the retry, then garbled again
    rig.port.replies = [b"OK ???\r\n", b"ERR bad byte\r\n", b"OK ???\r\n"]
    with pytest.raises(ProtocolError, match="tried 2 times"):
        rig.clock.get_time()


# ------------------------------------------------------------ writes: sent once, re-read


def test_set_is_never_resent_and_a_lost_reply_is_resolved_by_rereading(
        rig: Rig, caplog: pytest.LogCaptureFixture) -> None:
    rig.clock.ping()
    rig.port.replies = [None]  # the clock sets itself, its reply is lost
    target = datetime(2030, 1, 1, 0, 0, 0)
    with caplog.at_level(logging.WARNING, logger="clock51"):
        shown = rig.clock.set_time(target)
    assert abs((shown.when - target).total_seconds()) <= 2
    assert len(rig.sent(b"SET")) == 1
    assert "it took the value" in caplog.text


def test_set_lost_on_the_wire_reports_what_the_clock_still_shows(rig: Rig) -> None:
    rig.clock.ping()
    rig.port.lose_lines = 1
    with pytest.raises(NoAnswer) as caught:
        rig.clock.set_time(datetime(2030, 1, 1))
    message = str(caught.value)
    assert message.startswith("set 2030-01-01 00:00:00 failed (no answer")
    assert "the clock still shows 2026-11-24 12:05:3" in message
    assert len(rig.sent(b"SET")) == 1 and rig.device.sets == []


def test_set_refused_by_the_clock_reports_the_reason_and_the_time_shown(rig: Rig) -> None:
    rig.clock.ping()
    rig.port.replies = [framed("ERR range")]
    with pytest.raises(DeviceError) as caught:
        rig.clock.set_time(datetime(2030, 1, 1))
    assert "ERR range" in str(caught.value) and "the clock still shows" in str(caught.value)
    assert caught.value.reason == "range"


def test_set_failure_with_no_way_to_reread_says_the_outcome_is_unknown(rig: Rig) -> None:
    rig.clock.ping()
    rig.port.deaf = True
    with pytest.raises(NoAnswer, match="unknown whether the clock took it"):
        rig.clock.set_time(datetime(2030, 1, 1))


def test_set_with_a_garbled_reply_that_was_taken_succeeds(rig: Rig) -> None:
    rig.clock.ping()
    rig.port.replies = [b"OK 20\x0030-01-01\r\n"]
    assert rig.clock.set_time(datetime(2030, 1, 1)).when.year == 2030


def test_alarm_write_lost_reports_the_alarm_still_set(rig: Rig) -> None:
    rig.clock.ping()
    rig.port.lose_lines = 1
    with pytest.raises(NoAnswer, match="alarm on failed .*the clock still shows 07:30 off"):
        rig.clock.alarm_on()
    rig.port.lose_lines = 1
    with pytest.raises(NoAnswer, match="alarm 06:00 failed .*still shows 07:30 off"):
        rig.clock.set_alarm(6, 0)


def test_hours_write_with_lost_reply_but_taken_succeeds(rig: Rig) -> None:
    rig.clock.ping()
    rig.port.replies = [None]
    assert rig.clock.set_hours(12) == 12
    assert len(rig.sent(b"HOURS 12")) == 1


def test_set_time_rejects_years_the_clock_cannot_keep_before_sending(rig: Rig) -> None:
    with pytest.raises(UsageError):
        rig.clock.set_time(datetime(2100, 1, 1))
    assert rig.port.writes == []


def test_set_time_sends_local_whole_seconds(rig: Rig) -> None:
    aware = datetime(2030, 1, 1, 12, 0, 0, 700_000, tzinfo=timezone(timedelta(hours=5)))
    local = aware.astimezone().replace(tzinfo=None, microsecond=0)
    assert rig.clock.set_time(aware).when == local


def test_raw_returns_the_reply_line_as_received(rig: Rig) -> None:
    assert rig.clock.raw("ping") == framed("OK PONG")[:-1]
    assert rig.clock.raw("bogus", add_checksum=False) == b"ERR unknown command\r"
    assert rig.clock.raw("X" * 45, add_checksum=False) == b"ERR too long\r"
