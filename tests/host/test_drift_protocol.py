"""The DRIFT command (docs/protocol.md, "Drift"): request bodies, the strict reply decoder,
and the client's writes with their echo check (fake port, fake time)."""

from __future__ import annotations

import math

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from host import protocol as p
from host.client import Clock
from host.errors import DeviceError, NoAnswer, NotTaken, ProtocolError, UsageError
from tests.host.fakeclock import FakeDevice, FakePort, FakeTime

EXAMPLE = "DRIFT ID 3F2A RATE +87.00 ACC -0.412 STEPS -12 COMP OFF K -0.034 T0 25"


# ------------------------------------------------------------ requests


@pytest.mark.parametrize(("body", "expected"), [
    (p.req_drift(), "DRIFT"),
    (p.req_drift_rate(-20.5), "DRIFT RATE -20.50"),
    (p.req_drift_rate(87), "DRIFT RATE 87.00"),
    (p.req_drift_rate(300), "DRIFT RATE 300.00"),
    (p.req_drift_rate(-300), "DRIFT RATE -300.00"),
    (p.req_drift_rate(87.014), "DRIFT RATE 87.01"),
    (p.req_drift_rate(-0.004), "DRIFT RATE 0.00"),  # never -0.00
    (p.req_drift_comp(True), "DRIFT COMP ON"),
    (p.req_drift_comp(False), "DRIFT COMP OFF"),
    (p.req_drift_k(-0.034), "DRIFT K -0.034"),
    (p.req_drift_k(0.127), "DRIFT K 0.127"),
    (p.req_drift_k(-0.0004), "DRIFT K 0.000"),
    (p.req_drift_t0(25), "DRIFT T0 25"),
    (p.req_drift_t0(0), "DRIFT T0 0"),
    (p.req_drift_t0(63), "DRIFT T0 63"),
    (p.req_drift_id("3f2a"), "DRIFT ID 3F2A"),
])
def test_drift_request_bodies_match_the_protocol(body: str, expected: str) -> None:
    assert body == expected
    assert len(p.encode_request(body)) <= p.MAX_LINE + 1


@pytest.mark.parametrize("make", [
    lambda: p.req_drift_rate(300.01), lambda: p.req_drift_rate(-300.006),
    lambda: p.req_drift_rate(math.nan), lambda: p.req_drift_rate(math.inf),
    lambda: p.req_drift_k(0.128), lambda: p.req_drift_k(-1), lambda: p.req_drift_t0(64),
    lambda: p.req_drift_t0(-1), lambda: p.req_drift_id("0000"), lambda: p.req_drift_id("ffff"),
    lambda: p.req_drift_id("12345"), lambda: p.req_drift_id("XY12"), lambda: p.req_drift_id(""),
])
def test_drift_values_the_clock_cannot_hold_are_usage_errors(make) -> None:  # type: ignore
    with pytest.raises(UsageError):
        make()


# ------------------------------------------------------------ the reply


def test_drift_reply_decodes_every_field() -> None:
    state = p.decode_drift(EXAMPLE)
    assert state == p.Drift("3F2A", 87.0, -0.412, -12, False, -0.034, 25)
    assert str(state) == EXAMPLE[len("DRIFT "):]


def test_drift_reply_without_an_id_decodes_to_none() -> None:
    state = p.decode_drift("DRIFT ID NONE RATE +0.00 ACC +0.000 STEPS +0 COMP ON K +0.000 T0 0")
    assert state.id is None and state.comp and state.rate == 0.0 and state.steps == 0


@pytest.mark.parametrize("payload", [
    "",
    "DRIFT",
    EXAMPLE + " X",
    EXAMPLE.replace("ID 3F2A ", ""),
    EXAMPLE.replace("RATE +87.00 ACC -0.412", "ACC -0.412 RATE +87.00"),  # order
    EXAMPLE.replace("+87.00", "87.00"),  # RATE always signed
    EXAMPLE.replace("+87.00", "+87.0"),  # with 2 decimals
    EXAMPLE.replace("-0.412", "-0.41"),  # ACC with 3 decimals
    EXAMPLE.replace("-0.412", "0.412"),
    EXAMPLE.replace("STEPS -12", "STEPS 12"),  # STEPS signed too
    EXAMPLE.replace("K -0.034", "K -0.03"),
    EXAMPLE.replace("T0 25", "T0 +25"),
    EXAMPLE.replace("COMP OFF", "COMP MAYBE"),
    EXAMPLE.replace("3F2A", "3f2a"),  # upper-case hex
    EXAMPLE.replace("3F2A", "3F2"),
    EXAMPLE.replace("DRIFT", "drift"),
    EXAMPLE.replace("  ", " ").replace("RATE", "RATE "),
    EXAMPLE.replace("+87.00", "+300.01"),  # beyond the clock's range
    EXAMPLE.replace("-0.412", "+2.000"),
    EXAMPLE.replace("STEPS -12", "STEPS -40000"),
    EXAMPLE.replace("K -0.034", "K -0.128"),
    EXAMPLE.replace("T0 25", "T0 64"),
    EXAMPLE.replace("3F2A", "0000"),  # no ID is sent as NONE
    EXAMPLE.replace("3F2A", "FFFF"),
    "ALARM 07:30 ON",
])
def test_a_drift_reply_that_does_not_match_is_a_protocol_error(payload: str) -> None:
    with pytest.raises(ProtocolError):
        p.decode_drift(payload)


drift_states = st.builds(
    p.Drift,
    st.one_of(st.none(), st.integers(1, 0xFFFE).map(lambda v: f"{v:04X}")),
    st.integers(-30000, 30000).map(lambda v: v / 100),
    st.integers(-1999, 1999).map(lambda v: v / 1000),
    st.integers(-32767, 32767),
    st.booleans(),
    st.integers(-127, 127).map(lambda v: v / 1000),
    st.integers(0, 63),
)


@settings(database=None, deadline=None, max_examples=300)
@given(drift_states)
def test_every_drift_state_round_trips_through_its_reply(state: p.Drift) -> None:
    assert p.decode_drift(f"DRIFT {state}") == state


# ------------------------------------------------------------ the client


@pytest.fixture
def rig() -> tuple[FakeDevice, FakePort, Clock]:
    time = FakeTime()
    device = FakeDevice(time, drift=True)
    port = FakePort(device)
    return device, port, Clock(port, time_source=time)


def test_each_drift_write_is_echoed_and_checked(rig) -> None:  # type: ignore[no-untyped-def]
    device, port, clock = rig
    assert clock.drift().id is None
    assert clock.set_drift_id("3f2a").id == "3F2A"
    assert clock.set_drift_rate(-20.5).rate == -20.5
    assert clock.set_drift_k(-0.04).k == -0.04
    assert clock.set_drift_t0(20).t0 == 20
    assert clock.set_drift_comp(True).comp
    assert not clock.set_drift_comp(False).comp
    assert (device.drift_id, device.drift_rate, device.drift_k, device.drift_t0) == (
        "3F2A", -20.5, -0.04, 20)
    sent = [line.split(b"#")[0] for line in port.lines_sent()]
    assert b"DRIFT RATE -20.50" in sent and b"DRIFT K -0.040" in sent


class StubbornDevice(FakeDevice):
    """Answers OK to every DRIFT write but keeps what it had."""

    def _drift(self, args: list[str], at: float) -> str:
        return self._drift_reply(at) if args else super()._drift(args, at)


@pytest.mark.parametrize(("write", "message"), [
    (lambda c: c.set_drift_rate(12), "drift rate +12.00 was not taken as asked: the clock "
                                     "answered OK but now holds RATE +0.00"),
    (lambda c: c.set_drift_k(0.1), "drift k +0.100 was not taken as asked: the clock answered "
                                   "OK but now holds K -0.034"),
    (lambda c: c.set_drift_t0(30), "now holds T0 25"),
    (lambda c: c.set_drift_comp(True), "now holds COMP OFF"),
    (lambda c: c.set_drift_id("1234"), "now holds ID NONE"),
])
def test_a_drift_echo_other_than_the_value_sent_is_not_taken(write, message: str) -> None:  # type: ignore
    time = FakeTime()
    port = FakePort(StubbornDevice(time, drift=True))
    clock = Clock(port, time_source=time)
    with pytest.raises(NotTaken, match=message.replace("+", r"\+")):
        write(clock)
    assert sum(line.startswith(b"DRIFT ") for line in port.lines_sent()) == 1  # sent once


def test_a_lost_drift_write_is_resolved_by_reading_back(rig) -> None:  # type: ignore
    device, port, clock = rig
    clock.ping()
    port.lose_lines = 1
    with pytest.raises(NoAnswer, match=r"drift rate \+5.00 failed .*the clock still shows ID "
                                       r"NONE RATE \+0.00"):
        clock.set_drift_rate(5)
    port.replies = [None]  # taken, reply lost: counts as done
    assert clock.set_drift_rate(5).rate == 5.0


def test_compensation_without_a_sensor_is_one_clear_refusal(rig) -> None:  # type: ignore
    device, port, clock = rig
    device.temp = None
    with pytest.raises(DeviceError, match="has no DS18B20") as caught:
        clock.set_drift_comp(True)
    assert caught.value.reason == "sensor" and "\n" not in str(caught.value)
    assert not device.drift_comp


def test_a_clock_without_the_feature_answers_unknown_command() -> None:
    time = FakeTime()
    clock = Clock(FakePort(FakeDevice(time)), time_source=time)
    with pytest.raises(DeviceError) as caught:
        clock.drift()
    assert caught.value.reason == "unknown command"


@pytest.mark.parametrize(("line", "reply"), [
    ("DRIFT RATE 300.01", "ERR range"), ("DRIFT RATE 1.234", "ERR syntax"),
    ("DRIFT RATE +5", "OK"), ("DRIFT K 0.2", "ERR range"), ("DRIFT T0 64", "ERR range"),
    ("DRIFT ID 0000", "ERR range"), ("DRIFT ID 12", "ERR syntax"), ("DRIFT FOO 1", "ERR syntax"),
    ("DRIFT RATE", "ERR syntax"), ("DRIFT COMP MAYBE", "ERR syntax"),
])
def test_the_stand_in_answers_drift_errors_as_the_protocol_says(line: str, reply: str) -> None:
    time = FakeTime()
    device = FakeDevice(time, drift=True)
    before = device._drift_reply(0.0)
    answer = device.answer(line.encode(), 0.0).decode()
    assert answer.startswith(reply)
    if reply.startswith("ERR"):
        assert device._drift_reply(0.0) == before  # an error changes nothing
