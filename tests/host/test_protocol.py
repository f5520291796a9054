"""host.protocol: request encoding, reply decoding, every reply kind and ERR reason."""

from __future__ import annotations

from datetime import datetime

import pytest

from host import protocol as p
from host.errors import DeviceError, ProtocolError, UsageError
from tests.host.fakeclock import crc16_bitwise, suffix


def with_sum(body: str) -> bytes:
    return f"{body}*{p.checksum(body):02X}\r\n".encode()


# ------------------------------------------------------------ checksum


@pytest.mark.parametrize(("text", "value"), [
    ("", 0x00),
    ("A", 0x41),
    ("GET", 0x56),  # 0x47 ^ 0x45 ^ 0x54
    ("PING", 0x10),  # 0x50 ^ 0x49 ^ 0x4E ^ 0x47
    ("OK PONG", 0x32),
    ("AA", 0x00),
])
def test_checksum_is_the_xor_of_every_byte(text: str, value: int) -> None:
    assert p.checksum(text) == value
    assert p.checksum(text.encode()) == value


@pytest.mark.parametrize(("text", "value"), [
    ("123456789", 0x31C3),  # the published check value of CRC-16/XMODEM
    ("", 0x0000),
    ("GET", 0x7075),
    ("OK PONG", 0xA444),
])
def test_crc_is_crc16_xmodem(text: str, value: int) -> None:
    assert p.crc16(text) == p.crc16(text.encode()) == crc16_bitwise(text.encode()) == value


def test_crc_digits_are_0x30_plus_each_nibble_high_first() -> None:
    assert p.crc_digits(0x31C3) == "31<3"
    assert p.crc_digits(0x0000) == "0000"
    assert p.crc_digits(0xFA9F) == "?:9?"


def test_request_ends_with_the_crc_check_and_a_single_lf() -> None:
    assert p.encode_request("GET") == b"GET#7075\n"
    assert p.encode_request("PING") == b"PING#>0>7\n"


def test_set_request_is_zero_padded_24_hour() -> None:
    body = p.req_set(datetime(2026, 1, 2, 3, 4, 5, 999_000))
    assert body == "SET 2026-01-02 03:04:05"
    assert p.encode_request(body) == f"{body}{suffix(body, '#')}\n".encode()


@pytest.mark.parametrize(("body", "expected"), [
    (p.req_ping(), "PING"), (p.req_get(), "GET"), (p.req_alarm(), "ALARM"),
    (p.req_alarm_set(7, 5), "ALARM 07:05"), (p.req_alarm_switch(True), "ALARM ON"),
    (p.req_alarm_switch(False), "ALARM OFF"), (p.req_hours(), "HOURS"),
    (p.req_hours(12), "HOURS 12"), (p.req_info(), "INFO"), (p.req_help(), "HELP"),
])
def test_request_bodies_match_the_protocol_table(body: str, expected: str) -> None:
    assert body == expected


@pytest.mark.parametrize("year", [1999, 2100])
def test_set_outside_the_clock_years_is_a_usage_error(year: int) -> None:
    with pytest.raises(UsageError, match="2000-2099"):
        p.req_set(datetime(year, 6, 1))


@pytest.mark.parametrize("bad", [(24, 0), (12, 60), (-1, 0)])
def test_alarm_time_out_of_range_is_a_usage_error(bad: tuple[int, int]) -> None:
    with pytest.raises(UsageError):
        p.req_alarm_set(*bad)


def test_hours_mode_other_than_12_or_24_is_a_usage_error() -> None:
    with pytest.raises(UsageError):
        p.req_hours(13)


@pytest.mark.parametrize("body", ["GET*", "GET#", "GET\n", "G\x00T", "", "   ", "X" * 36])
def test_unsendable_request_bodies_are_usage_errors(body: str) -> None:
    with pytest.raises(UsageError):
        p.encode_request(body)


def test_longest_request_fits_40_characters_with_checksum() -> None:
    assert len(p.encode_request("X" * 35)) == 41  # 40 characters + LF


def test_raw_line_without_checksum_goes_out_as_typed() -> None:
    assert p.encode_raw("get", add_checksum=False) == b"get\n"
    assert p.encode_raw("get") == b"get#=437\n"
    assert p.encode_raw("X" * 60, add_checksum=False) == b"X" * 60 + b"\n"


# ------------------------------------------------------------ reply frame


def test_ok_reply_payload_with_verified_checksum() -> None:
    assert p.parse_reply(b"OK PONG*32\r\n") == "PONG"
    assert p.parse_reply(b"OK PONG*32") == "PONG"
    assert p.parse_reply(b"ok pong*32") == "pong"  # six case bits flip: same XOR


def test_lower_case_checksum_digits_are_accepted() -> None:
    body = "OK ALARM 07:30 ON"
    assert p.parse_reply(f"{body}*{p.checksum(body):02x}".encode()) == "ALARM 07:30 ON"


def test_ok_reply_with_a_wrong_checksum_is_a_protocol_error() -> None:
    with pytest.raises(ProtocolError, match="checksum"):
        p.parse_reply(b"OK PONG*33\r\n")


@pytest.mark.parametrize("raw", [b"OK PONG*3", b"OK PONG*3G", b"OK PONG*", b"OK PONG*321"])
def test_malformed_checksum_suffix_is_a_protocol_error(raw: bytes) -> None:
    with pytest.raises(ProtocolError):
        p.parse_reply(raw)


def test_ok_reply_without_checksum_is_refused_when_one_was_sent() -> None:
    with pytest.raises(ProtocolError, match="no checksum"):
        p.parse_reply(b"OK PONG\r\n")
    assert p.parse_reply(b"OK PONG\r\n", require_checksum=False) == "PONG"


@pytest.mark.parametrize("raw", [b"", b"\r", b"HELLO", b"OKAY*00", b"OK\x00PONG", b"\xff\xfe",
                                 b"clock51 READY"])
def test_lines_that_are_not_ok_or_err_are_protocol_errors(raw: bytes) -> None:
    with pytest.raises(ProtocolError):
        p.parse_reply(raw, require_checksum=False)


@pytest.mark.parametrize(("reason", "words"), [
    ("unknown command", "does not know"),
    ("syntax", "shape"),
    ("range", "out of range"),
    ("too long", "40 characters"),
    ("bad byte", "printable"),
    ("checksum", "checksum mismatch"),
])
def test_every_err_reason_is_a_device_error_with_that_reason(reason: str, words: str) -> None:
    for raw in (with_sum(f"ERR {reason}"), f"ERR {reason}\r\n".encode()):
        with pytest.raises(DeviceError) as caught:
            p.parse_reply(raw)
        assert caught.value.reason == reason
        assert f"ERR {reason}" in str(caught.value) and words in str(caught.value)
        assert caught.value.exit_code == 1


def test_unknown_err_reason_is_still_a_device_error() -> None:
    with pytest.raises(DeviceError) as caught:
        p.parse_reply(b"ERR battery low\r\n")
    assert caught.value.reason == "battery low"


def test_err_with_a_wrong_checksum_is_a_protocol_error() -> None:
    with pytest.raises(ProtocolError):
        p.parse_reply(b"ERR syntax*00\r\n")


def test_err_without_reason_is_a_protocol_error() -> None:
    with pytest.raises(ProtocolError):
        p.parse_reply(b"ERR\r\n")


def test_banner_is_recognised() -> None:
    assert p.is_banner(b"clock51 READY\r")
    assert not p.is_banner(b"OK PONG*32")


# ------------------------------------------------------------ payloads


def test_time_reply_decodes_to_datetime_and_weekday() -> None:
    shown = p.decode_time(p.parse_reply(with_sum("OK 2026-11-24 12:05:31 TUE")))
    assert shown.when == datetime(2026, 11, 24, 12, 5, 31)
    assert shown.weekday == "TUE" and shown.weekday_consistent
    assert str(shown) == "2026-11-24 12:05:31 TUE"


def test_time_reply_with_a_weekday_that_disagrees_is_kept_as_reported() -> None:
    shown = p.decode_time("2026-11-24 12:05:31 MON")
    assert shown.weekday == "MON" and not shown.weekday_consistent


@pytest.mark.parametrize("payload", [
    "2026-11-24 12:05:31", "2026-11-24 12:05:31 XYZ", "2026-1-24 12:05:31 TUE",
    "2026-11-24T12:05:31 TUE", "PONG", "", "2026-11-24 12:05:31 TUE extra",
    "２０２６-11-24 12:05:31 TUE",
])
def test_malformed_time_reply_is_a_protocol_error(payload: str) -> None:
    with pytest.raises(ProtocolError):
        p.decode_time(payload)


@pytest.mark.parametrize("payload", ["2025-02-29 00:00:00 SAT", "2026-13-01 00:00:00 MON",
                                     "2026-01-01 24:00:00 THU", "2000-00-00 00:00:00 MON"])
def test_impossible_time_from_the_clock_is_a_protocol_error_hinting_sync(payload: str) -> None:
    with pytest.raises(ProtocolError, match="sync"):
        p.decode_time(payload)


def test_alarm_reply_decodes() -> None:
    assert p.decode_alarm("ALARM 07:30 ON") == p.Alarm(7, 30, True)
    assert p.decode_alarm("alarm 23:59 off") == p.Alarm(23, 59, False)
    assert str(p.Alarm(7, 5, False)) == "07:05 off"


@pytest.mark.parametrize("payload", ["ALARM 7:30 ON", "ALARM 07:30", "ALARM 24:00 ON",
                                     "ALARM 07:60 OFF", "HOURS 24", "ALARM 07:30 MAYBE"])
def test_malformed_alarm_reply_is_a_protocol_error(payload: str) -> None:
    with pytest.raises(ProtocolError):
        p.decode_alarm(payload)


def test_hours_reply_decodes() -> None:
    assert p.decode_hours("HOURS 24") == 24
    assert p.decode_hours("HOURS 12") == 12


@pytest.mark.parametrize("payload", ["HOURS 13", "HOURS", "HOURS 24 12", "24"])
def test_malformed_hours_reply_is_a_protocol_error(payload: str) -> None:
    with pytest.raises(ProtocolError):
        p.decode_hours(payload)


def test_info_reply_decodes_name_version_and_fields_in_order() -> None:
    info = p.decode_info("INFO clock51 0.1.0 board=reference mcu=STC89C52RC xtal=11059200 "
                         "baud=9600 rtc=ok")
    assert (info.firmware, info.version, info.board, info.rtc_ok) == (
        "clock51", "0.1.0", "reference", True)
    assert list(info.fields) == ["board", "mcu", "xtal", "baud", "rtc"]
    assert not p.decode_info("INFO clock51 0.1.0 rtc=unset").rtc_ok


@pytest.mark.parametrize("payload", ["INFO", "INFO clock51", "INFO clock51 0.1.0 board",
                                     "INFO a=b c d", "PONG clock51 0.1.0"])
def test_malformed_info_reply_is_a_protocol_error(payload: str) -> None:
    with pytest.raises(ProtocolError):
        p.decode_info(payload)


def test_pong_and_help_replies_decode() -> None:
    p.decode_pong("PONG")
    assert p.decode_help("PING GET SET ALARM HOURS INFO HELP")[0] == "PING"
    with pytest.raises(ProtocolError):
        p.decode_pong("PANG")
    with pytest.raises(ProtocolError):
        p.decode_help("")
