"""Fuzzing: whatever comes back from the port, the host tool raises only its documented
exceptions (ProtocolError, DeviceError, NoAnswer), never anything else."""

from __future__ import annotations

from datetime import datetime

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from host import protocol as p
from host.client import Clock
from host.errors import (
    Clock51Error,
    DeviceError,
    NoAnswer,
    NotTaken,
    ProtocolError,
    UsageError,
)
from tests.host.fakeclock import FakeDevice, FakePort, FakeTime, suffix

FUZZ = settings(database=None, deadline=None, max_examples=300,
                suppress_health_check=[HealthCheck.too_slow])

DECODERS = (p.decode_time, p.decode_alarm, p.decode_hours, p.decode_info, p.decode_pong,
            p.decode_help, p.decode_drift)

printable = st.text(st.characters(min_codepoint=0x20, max_codepoint=0x7E), max_size=50)
keywords = st.sampled_from(["OK", "ERR", "ok", "OK ALARM", "OK HOURS", "OK INFO", "OK PONG",
                            "OK 2026-11-24 12:05:31 TUE", "OK 2026-02-30 25:61:61 XYZ", "",
                            "OK DRIFT ID 3F2A RATE +87.00 ACC -0.412 STEPS -12 COMP OFF K",
                            "OK DRIFT ID NONE RATE +0.00 ACC +0.000 STEPS +0 COMP ON K +0.000 T0"])


@st.composite
def reply_lines(draw: st.DrawFn) -> bytes:
    """Replies near the real ones: a keyword, noise, maybe a right or wrong checksum."""
    text = draw(keywords) + draw(st.sampled_from(["", " "])) + draw(printable)
    kind = draw(st.sampled_from(["none", "right", "wrong", "crc", "crc wrong", "bytes"]))
    if kind == "right":
        text = f"{text}*{p.checksum(text):02X}"
    elif kind == "wrong":
        text = f"{text}*{draw(st.integers(0, 255)):02X}"
    elif kind == "crc":
        text = text + suffix(text, "#")
    elif kind == "crc wrong":
        text = f"{text}#{p.crc_digits(draw(st.integers(0, 0xFFFF)))}"
    raw = text.encode()
    if kind == "bytes":
        raw += draw(st.binary(max_size=8))
    return raw + draw(st.sampled_from([b"", b"\r", b"\r\n", b"\n"]))


any_reply = st.one_of(st.binary(max_size=80), reply_lines())


@FUZZ
@given(any_reply, st.booleans())
def test_any_reply_parses_or_raises_a_documented_error(raw: bytes, strict: bool) -> None:
    try:
        payload = p.parse_reply(raw, require_checksum=strict)
    except (ProtocolError, DeviceError):
        return
    for decode in DECODERS:
        try:
            decode(payload)
        except ProtocolError:
            pass


@FUZZ
@given(st.lists(st.one_of(st.none(), any_reply), min_size=1, max_size=8),
       st.sampled_from(["ping", "get_time", "get_alarm", "get_hours", "info", "help",
                        "set_time", "set_hours", "alarm_on", "set_alarm", "drift",
                        "set_drift_rate", "set_drift_comp", "set_drift_id"]))
def test_client_facing_random_replies_raises_only_documented_errors(
        script: list[bytes | None], method: str) -> None:
    time = FakeTime()
    port = FakePort(FakeDevice(time, drift=True))
    port.replies = [r if r is None else r + b"\r\n" for r in script]
    clock = Clock(port, time_source=time)
    calls = {
        "set_time": lambda: clock.set_time(datetime(2030, 1, 1)),
        "set_hours": lambda: clock.set_hours(12),
        "set_alarm": lambda: clock.set_alarm(6, 0),
        "set_drift_rate": lambda: clock.set_drift_rate(-20.5),
        "set_drift_comp": lambda: clock.set_drift_comp(True),
        "set_drift_id": lambda: clock.set_drift_id("3F2A"),
    }
    try:
        calls.get(method, getattr(clock, method))()
    except (ProtocolError, DeviceError, NoAnswer):
        pass
    except NotTaken:  # a well-formed echo of another value: only a write can meet it
        assert method in calls or method.startswith("alarm_")


@FUZZ
@given(printable)
def test_every_printable_body_encodes_with_a_checksum_the_device_accepts(body: str) -> None:
    try:
        line = p.encode_request(body)
    except UsageError:
        assert "*" in body or "#" in body or not body.strip() or len(body) > 35
        return
    text = line[:-1].decode()
    assert line.endswith(b"\n") and b"\r" not in line and len(text) <= 40
    assert text == body + suffix(body, "#")
    device = FakeDevice(FakeTime())
    reply = device.answer(line[:-1], 0.0)
    assert not reply.startswith(b"ERR checksum")


@FUZZ
@given(st.datetimes(min_value=datetime(2000, 1, 1), max_value=datetime(2099, 12, 31, 23, 59, 59)))
def test_time_replies_round_trip(when: datetime) -> None:
    when = when.replace(microsecond=0)
    body = f"OK {when:%Y-%m-%d %H:%M:%S} {p.WEEKDAYS[when.weekday()]}"
    shown = p.decode_time(p.parse_reply(f"{body}*{p.checksum(body):02X}\r\n".encode()))
    assert shown.when == when and shown.weekday_consistent
    assert p.req_set(when) == f"SET {str(shown)[:19]}"


def test_documented_exceptions_share_one_base() -> None:
    for cls in (ProtocolError, DeviceError, NoAnswer, UsageError):
        assert issubclass(cls, Clock51Error)
