"""The CRC line check ``#CCCC`` (docs/protocol.md) against the real firmware.

The host tool's own encoder makes the requests and its own decoder checks the replies, so
these tests also pin the two sides to one definition of the check.
"""

from __future__ import annotations

import datetime as dt

import pytest

from host import protocol as p
from host.errors import DeviceError

START = dt.datetime(2026, 11, 24, 12, 5, 31)


def ask(clk, line: bytes) -> str:
    """Send one raw line (LF-ended, as the host does) and return the reply line."""
    clk.send_bytes(line)
    return clk.read_reply()


def crc_reply(reply: str) -> str:
    """The payload of a reply that must carry a good ``#CCCC``."""
    return p.parse_reply(reply.encode(), form=p.CRC)


def test_a_crc_request_is_accepted_and_answered_with_a_crc(make_clock, env):
    clk = make_clock(env).boot(rtc=START)
    reply = ask(clk, p.encode_request("GET"))
    assert reply[-5] == "#"
    assert p.decode_time(crc_reply(reply)).when in (START, START + dt.timedelta(seconds=1))


def test_every_query_the_host_sends_is_answered_with_a_good_crc(make_clock):
    clk = make_clock("reference").boot(rtc=START)
    for body, decode in (("PING", p.decode_pong), ("INFO", p.decode_info),
                         ("ALARM", p.decode_alarm), ("HOURS", p.decode_hours),
                         ("HELP", p.decode_help)):
        decode(crc_reply(ask(clk, p.encode_request(body))))


def test_a_crc_set_sets_the_clock_and_echoes_the_time(make_clock):
    clk = make_clock("reference").boot(rtc=START)
    body = "SET 2031-07-08 09:10:11"
    assert crc_reply(ask(clk, p.encode_request(body))) == "2031-07-08 09:10:11 TUE"
    assert clk.rtc_now() == dt.datetime(2031, 7, 8, 9, 10, 11)


def test_the_issue_example_two_flipped_bits_are_refused(make_clock):
    """Bit 0 of the minute and second tens of a SET: 05:06:07 arrives as 05:16:17.
    The old XOR check passed it; the CRC refuses it and nothing changes."""
    clk = make_clock("reference").boot(rtc=START, alarm=(6, 30), alarm_on=True)
    line = bytearray(p.encode_request("SET 2026-11-24 05:06:07"))
    line[line.index(b"06:07")] ^= 1
    line[line.index(b"07#")] ^= 1
    assert line.startswith(b"SET 2026-11-24 05:16:17#")
    before = clk.rtc_fingerprint()
    since = clk.cycles
    reply = ask(clk, bytes(line))
    with pytest.raises(DeviceError) as caught:
        crc_reply(reply)
    assert caught.value.reason == "checksum" and reply.startswith("ERR checksum#")
    clk.run(0.1)
    assert clk.writes_since(since) == [] and clk.rtc_fingerprint() == before


@pytest.mark.parametrize("suffix", [
    "#7074",    # one bit of the value off
    "#707",     # three characters
    "#70755",   # five
    "#",        # none
    "#707E",    # 'E' is not a check character (0x30..0x3F)
    "#7075*",   # a second marker
    "#7075#",
    "*7075",    # the CRC digits after the XOR marker
])
def test_a_bad_crc_suffix_is_err_checksum(make_clock, suffix):
    clk = make_clock("reference").boot(rtc=START)
    assert p.crc_digits(p.crc16("GET")) == "7075"
    reply = ask(clk, b"GET" + suffix.encode() + b"\n")
    assert reply.split("#")[0].split("*")[0] == "ERR checksum", reply


def test_a_flipped_set_body_is_refused_at_every_bit(make_clock):
    """Every single-bit flip of a SET body that keeps it printable: ERR, no write."""
    clk = make_clock("reference").boot(rtc=START)
    good = p.encode_request("SET 2030-01-02 03:04:05")
    mark = good.index(b"#")
    since = clk.cycles
    lines = []
    for pos in range(mark):
        for bit in range(7):
            line = bytearray(good)
            line[pos] ^= 1 << bit
            if 0x20 <= line[pos] <= 0x7E and line[pos] not in b"*#":
                lines.append(bytes(line))
    clk.send_bytes(b"".join(lines))
    replies = clk.read_replies(len(lines), timeout_s=0.2 * len(lines))
    assert all(r.startswith("ERR") for r in replies), [r for r in replies if r[:3] != "ERR"]
    clk.run(0.1)
    assert clk.writes_since(since) == []
    assert clk.rtc_now().year == 2026
