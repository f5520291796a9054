"""Pipelined requests: each reply states the result of its own request (issue 10 item 2).

Lines sent in one write are executed as each ends, but their replies go out one after the
other; a reply generated after later lines changed things must still report its own line.
A long reply on the wire first (INFO) makes every following reply wait in the queue.
"""

from __future__ import annotations

import datetime as dt

import pytest

from tests.firmware.clockdriver import with_checksum

START = dt.datetime(2026, 11, 24, 12, 5, 31)

PAIRS = [
    (("HOURS 24", "OK HOURS 24"), ("HOURS 12", "OK HOURS 12")),
    (("HOURS 12", "OK HOURS 12"), ("HOURS 24", "OK HOURS 24")),
    (("ALARM 06:06", "OK ALARM 06:06 ON"), ("ALARM 05:45", "OK ALARM 05:45 ON")),
    (("ALARM OFF", "OK ALARM 07:00 OFF"), ("ALARM ON", "OK ALARM 07:00 ON")),
    (("ALARM ON", "OK ALARM 07:00 ON"), ("ALARM OFF", "OK ALARM 07:00 OFF")),
    (("SET 2026-01-02 03:04:05", "OK 2026-01-02 03:04:05 FRI"),
     ("SET 2027-02-03 04:05:06", "OK 2027-02-03 04:05:06 WED")),
    (("HOURS", "OK HOURS 24"), ("HOURS 12", "OK HOURS 12")),
    (("ALARM", "OK ALARM 07:00 OFF"), ("ALARM 06:30", "OK ALARM 06:30 ON")),
    (("HOURS 12", "OK HOURS 12"), ("ALARM 06:30", "OK ALARM 06:30 ON")),
]


@pytest.mark.parametrize("checksum", [False, True], ids=["plain", "checksum"])
@pytest.mark.parametrize("first,second", PAIRS, ids=[f"{a[0]}+{b[0]}" for a, b in PAIRS])
def test_each_pipelined_reply_reports_its_own_request(make_clock, first, second, checksum):
    clk = make_clock("reference").boot(rtc=START)
    lines = ["INFO", first[0], second[0]]
    wire = [with_checksum(x) if checksum else x for x in lines]
    clk.send_bytes(("\r\n".join(wire) + "\r\n").encode())
    replies = clk.read_replies(3)
    if checksum:
        replies = [r.rsplit("*", 1)[0] for r in replies]
    assert replies[1:] == [first[1], second[1]]


def test_info_reports_the_set_me_state_of_its_own_time(make_clock):
    clk = make_clock("reference").boot(rtc=None)
    clk.send_bytes(b"GET\r\nINFO\r\nSET 2026-01-02 03:04:05\r\nINFO\r\n")
    replies = clk.read_replies(4)
    assert replies[1].endswith("rtc=unset") and replies[3].endswith("rtc=ok"), replies
    assert replies[2] == "OK 2026-01-02 03:04:05 FRI"


def test_get_reads_the_clock_when_its_reply_is_sent(make_clock):
    """GET is the exception, as documented: it reports the clock, not the request time."""
    clk = make_clock("reference").boot(rtc=START)
    clk.send_bytes(b"INFO\r\nGET\r\nSET 2026-01-02 03:04:05\r\n")
    replies = clk.read_replies(3)
    assert replies[1] == "OK 2026-01-02 03:04:05 FRI"
    assert replies[2] == "OK 2026-01-02 03:04:05 FRI"


def test_three_sets_waiting_each_get_their_own_echo(make_clock):
    """The queue's bound for SETs (docs/protocol.md): three behind a reply on the wire."""
    clk = make_clock("reference").boot(rtc=START)
    days = [dt.datetime(2026, 1, d, 3, 4, 5) for d in range(1, 4)]
    sets = [d.strftime("SET %Y-%m-%d %H:%M:%S") for d in days]
    clk.send_bytes(("\r\n".join(["INFO", *sets]) + "\r\n").encode())
    replies = clk.read_replies(4)
    assert replies[1:] == [d.strftime("OK %Y-%m-%d %H:%M:%S ") + d.strftime("%a").upper()
                           for d in days]
