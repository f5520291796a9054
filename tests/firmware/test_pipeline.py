"""Pipelined requests: each reply states the result of its own request (issue 10 item 2),
and every line gets exactly one reply (issue 18).

Lines sent in one write are executed as each ends, but their replies go out one after the
other; a reply generated after later lines changed things must still report its own line.
A long reply on the wire first (INFO) makes every following reply wait in the queue. When the
queue is full the firmware stops taking lines (they wait in the receive ring) instead of
dropping a reply; lines lost when the receive ring overflows too are answered ERR overflow.
"""

from __future__ import annotations

import datetime as dt
import re
from typing import Any

import pytest

from host import protocol as p
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
    """Three SETs behind a long reply on the wire (the queue holds five, docs/protocol.md)."""
    clk = make_clock("reference").boot(rtc=START)
    days = [dt.datetime(2026, 1, d, 3, 4, 5) for d in range(1, 4)]
    sets = [d.strftime("SET %Y-%m-%d %H:%M:%S") for d in days]
    clk.send_bytes(("\r\n".join(["INFO", *sets]) + "\r\n").encode())
    replies = clk.read_replies(4)
    assert replies[1:] == [d.strftime("OK %Y-%m-%d %H:%M:%S ") + d.strftime("%a").upper()
                           for d in days]


# ---- flow control: 32 pipelined requests, every one answered with its own reply ----------

def crc_line(body: str) -> str:
    return p.encode_request(body).decode().rstrip("\n")


def xor_line(body: str) -> str:
    return with_checksum(body)


INFO_OK = ("OK INFO clock51 0.1.0 board=reference mcu=STC89C52RC xtal=11059200 baud=9600 "
           "temp=ok rtc=ok")
HELP_OK = "OK SET GET PING ALARM HOURS INFO HELP CAL TEMP DRIFT"
ANY_TIME = r"OK 20\d\d-\d\d-\d\d \d\d:\d\d:\d\d (MON|TUE|WED|THU|FRI|SAT|SUN)"
CAL_LONGEST = "OK CAL 2012-10-23 term=ShuangJiang fest=ChongYang"

# (body, check form, the reply's text before its check: exact, or a regex after "re:")
# in order; the state runs on from line to line (the alarm starts 07:00 OFF, 24 h)
MIX = [
    ("PING", None, "OK PONG"),
    ("GET", "crc", "re:" + ANY_TIME),          # GET reads the clock when its reply goes out
    ("SET 2027-03-04 05:06:07", None, "OK 2027-03-04 05:06:07 THU"),
    ("CAL", None, "OK CAL 2027-03-04 term=none fest=none"),   # the date the SET before set
    ("ALARM", "xor", "OK ALARM 07:00 OFF"),
    ("ALARM 06:30", "crc", "OK ALARM 06:30 ON"),
    ("ALARM OFF", None, "OK ALARM 06:30 OFF"),
    ("HOURS", None, "OK HOURS 24"),
    ("HOURS 12", "crc", "OK HOURS 12"),
    ("INFO", None, INFO_OK),
    ("TEMP", "xor", "OK TEMP 20.0"),
    ("HELP", None, HELP_OK),
    ("FOO", None, "ERR unknown command"),
    ("SET 2026-1-2 3:4:5", None, "ERR syntax"),
    ("SET 2025-02-29 10:00:00", "crc", "ERR range"),
    ("GET*00", "bad", "ERR checksum"),            # a wrong XOR: the reply carries one
    ("X" * 45, None, "ERR too long"),
    ("PI\x01NG", None, "ERR bad byte"),
    ("ALARM ON", "crc", "OK ALARM 06:30 ON"),
    ("HOURS 24", None, "OK HOURS 24"),
    ("INFO", "crc", INFO_OK),
    ("SET 2028-02-29 23:59:58", "xor", "OK 2028-02-29 23:59:58 TUE"),
    ("TEMP", None, "OK TEMP 20.0"),
    ("HELP", "crc", HELP_OK),
    ("ALARM 24:00", None, "ERR range"),
    ("HOURS 13", "xor", "ERR range"),
    ("ALARM", "crc", "OK ALARM 06:30 ON"),
    ("CAL 2012-10-23", "crc", CAL_LONGEST),    # the longest reply, in two pieces
    ("CAL 2026-02-30", "xor", "ERR range"),
    ("GET", "crc", "re:" + ANY_TIME),
    ("ALARM 05:45", None, "OK ALARM 05:45 ON"),
    ("INFO", None, INFO_OK),
]


def wire(body: str, form: str | None) -> bytes:
    """The request line: with a CRC or XOR check made here, or as given ("bad", None)."""
    line = crc_line(body) if form == "crc" else xor_line(body) if form == "xor" else body
    return line.encode("latin-1") + b"\r\n"


def check_reply(reply: str, form: str | None, want: str) -> None:
    """The reply carries the request's form of check, good, around the wanted text."""
    text = reply
    if form == "bad":
        form = "xor"
    if form == "crc":
        assert re.fullmatch(r".*#[0-?]{4}", reply), reply
        text = reply[:-5]
        assert p.crc_digits(p.crc16(text)) == reply[-4:], f"bad CRC: {reply!r}"
    elif form == "xor":
        assert re.fullmatch(r".*\*[0-9A-F]{2}", reply), reply
        text = reply[:-3]
        assert f"{p.checksum(text):02X}" == reply[-2:], f"bad XOR: {reply!r}"
    if want.startswith("re:"):
        assert re.fullmatch(want[3:], text), f"{text!r} !~ {want[3:]!r}"
    else:
        assert text == want


def booted(make_clock):
    """A clock at START whose DS18B20 reading (20.0 C) is on show."""
    clk = make_clock("reference").boot(rtc=START)
    clk.run_until_lcd(r"20\.0", 2.0, line=1)
    return clk


def run_lines(clk, lines: list[tuple[str, str | None, str]], timeout_s: float) -> list[str]:
    clk.send_bytes(b"".join(wire(body, form) for body, form, _ in lines))
    replies = clk.read_replies(len(lines), timeout_s=timeout_s)
    assert clk.quiet(0.3) == b"", "a reply too many"
    return replies


def test_32_pipelined_requests_of_every_kind_each_get_their_own_reply_in_order(make_clock):
    clk = booted(make_clock)
    assert len(MIX) == 32
    replies = run_lines(clk, MIX, timeout_s=3.0)
    for (_body, form, want), reply in zip(MIX, replies, strict=True):
        check_reply(reply, form, want)
    assert clk.ram_settings() == {"valid": True, "alarm": (5, 45), "alarm_on": True,
                                  "hours12": False}
    assert clk.rtc_now() - dt.datetime(2028, 2, 29, 23, 59, 58) < dt.timedelta(seconds=3)


def _thirty_two(kind: str) -> list[tuple[str, str | None, str]]:
    """32 requests of one kind, each with a result of its own where the kind has one."""
    if kind == "SET":
        days = [dt.datetime(2030, 1, 1, 1, 2, 3) + dt.timedelta(days=37 * i, seconds=61 * i)
                for i in range(32)]
        return [(d.strftime("SET %Y-%m-%d %H:%M:%S"), None,
                 d.strftime("OK %Y-%m-%d %H:%M:%S ") + d.strftime("%a").upper()) for d in days]
    if kind == "ALARM":
        return [(f"ALARM {i % 24:02d}:{(7 * i) % 60:02d}", None,
                 f"OK ALARM {i % 24:02d}:{(7 * i) % 60:02d} ON") for i in range(32)]
    if kind == "HOURS":                     # sets and queries: each reply the mode after it
        lines, mode = [], 24
        for i in range(32):
            if i % 3:
                mode = 12 if i % 2 else 24
                lines.append((f"HOURS {mode}", None, f"OK HOURS {mode}"))
            else:
                lines.append(("HOURS", None, f"OK HOURS {mode}"))
        return lines
    if kind == "ALARM ON/OFF":
        return [(f"ALARM {'ON' if i % 2 else 'OFF'}", None,
                 f"OK ALARM 07:00 {'ON' if i % 2 else 'OFF'}") for i in range(32)]
    if kind == "ALARM QUERY":
        return [("ALARM", None, "OK ALARM 07:00 OFF")] * 32
    simple = {"PING": "OK PONG", "GET": "re:" + ANY_TIME, "INFO": INFO_OK,
              "TEMP": "OK TEMP 20.0", "HELP": HELP_OK, "NOPE": "ERR unknown command",
              "HOURS 99": "ERR range"}
    return [(kind, None, simple[kind])] * 32


KINDS = ["PING", "GET", "SET", "ALARM", "ALARM ON/OFF", "ALARM QUERY", "HOURS", "INFO",
         "TEMP", "HELP", "NOPE", "HOURS 99"]


@pytest.mark.parametrize("form", [None, "crc", "xor"], ids=["plain", "crc", "xor"])
@pytest.mark.parametrize("kind", sorted(set(KINDS)))
def test_32_pipelined_requests_of_one_kind_each_get_their_own_reply(make_clock, kind, form):
    clk = booted(make_clock)
    lines = [(body, form, want) for body, _, want in _thirty_two(kind)]
    replies = run_lines(clk, lines, timeout_s=5.0)
    for (_body, _, want), reply in zip(lines, replies, strict=True):
        check_reply(reply, form, want)


CAL_DAYS = [  # (date, term, festival): 32 days, each reply as long as CAL's replies get
    ("2012-10-23", "ShuangJiang", "ChongYang"), ("2026-09-25", "none", "ZhongQiu"),
    ("2008-08-07", "LiQiu", "QiXi"), ("2002-08-23", "ChuShu", "ZhongYuan"),
    ("2026-04-05", "QingMing", "QingMing"), ("2026-02-16", "none", "ChuXi"),
    ("2027-02-05", "none", "ChuXi"), ("2099-12-21", "DongZhi", "none"),
    ("2000-01-01", "none", "none"), ("2084-03-20", "ChunFen", "none"),
] * 4


def test_32_pipelined_cals_each_get_one_reply_in_order_their_own_or_err_overflow(make_clock):
    """A CAL reply (up to 50 characters and a check) takes three times as long on the wire
    as its request, and its queue entry is 4 bytes (docs/protocol.md: 14 wait in the
    queue): a host streaming 32 of them without reading overruns the receive ring, as it
    would with any request shorter than its reply. Every line still gets exactly one
    reply, in order: its own, or ERR overflow for a line lost."""
    clk = booted(make_clock)
    lines = [(f"CAL {d}", "crc", f"OK CAL {d} term={t} fest={f}") for d, t, f in CAL_DAYS[:32]]
    replies = run_lines(clk, lines, timeout_s=8.0)
    lost = [i for i, r in enumerate(replies) if r == "ERR overflow"]
    for i, (_body, form, want) in enumerate(lines):
        if i not in lost:
            check_reply(replies[i], form, want)
    assert len(lines) - len(lost) >= 16, f"lines answered with their own reply: {replies}"
    print(f"\n32 CALs: {len(lines) - len(lost)} answered with their own reply, "
          f"{len(lost)} ERR overflow")


# ---- a flood that overruns the receive ring: ERR overflow for the lines lost, only -------

def test_a_flood_beyond_the_buffers_gets_err_overflow_for_each_lost_line_and_only_those(
        make_clock):
    """120 ALARMs, each with a time of its own, interleaved with INFOs (long replies), sent
    back to back: the firmware cannot hold them all. Every line still gets exactly one
    reply, in order: its own, or ERR overflow; the alarm ends at the last line taken."""
    clk = booted(make_clock)
    lines = []
    for i in range(120):
        t = f"{i % 24:02d}:{(11 * i) % 60:02d}"
        lines.append((f"ALARM {t}", None, f"OK ALARM {t} ON"))
        if i % 3 == 0:
            lines.append(("INFO", "crc", INFO_OK))
    replies = run_lines(clk, lines, timeout_s=20.0)
    lost = [i for i, r in enumerate(replies) if r == "ERR overflow"]
    assert lost, "the flood should have overrun the receive ring"
    taken = [i for i in range(len(lines)) if i not in lost]
    for i in taken:
        check_reply(replies[i], lines[i][1], lines[i][2])
    last_alarm = max(i for i in taken if lines[i][0].startswith("ALARM"))
    h, m = lines[last_alarm][0].split()[1].split(":")
    assert clk.ram_settings()["alarm"] == (int(h), int(m))
    print(f"\n{len(lines)} lines, {len(lost)} lost to the overflow "
          f"(first at line {lost[0]}), {len(taken)} answered with their own reply")
    # and the clock takes the next request as usual
    assert clk.command("PING") == "OK PONG"


def test_a_flood_of_short_lines_is_answered_line_for_line(make_clock):
    """2-byte lines ("X" LF) arrive ten times faster than their 21-byte replies leave."""
    clk = make_clock("reference").boot(rtc=START)
    lines = [("X", None, "ERR unknown command"), ("PING", None, "OK PONG")] * 100
    replies = run_lines(clk, lines, timeout_s=20.0)
    lost = [i for i, r in enumerate(replies) if r == "ERR overflow"]
    assert lost
    for i, (_body, form, want) in enumerate(lines):
        if i not in lost:
            check_reply(replies[i], form, want)


# ---- DRIFT in the mix (issue 20) ---------------------------------------------------------



def drift_re(ident: str = "NONE", rate: str = "+0.00", comp: str = "OFF", k: str = "-0.034",
             t0: int = 25) -> str:
    """A DRIFT reply with these fields (ACC: a few ms at most here, STEPS 0)."""
    return (rf"re:OK DRIFT ID {ident} RATE {re.escape(rate)} ACC [+-]0\.00\d STEPS \+0 "
            rf"COMP {comp} K {re.escape(k)} T0 {t0}")


# each DRIFT reply states the result of its own line, the ones after it not yet made
MIX_DRIFT = [
    ("PING", None, "OK PONG"),
    ("DRIFT", "crc", drift_re()),
    ("DRIFT RATE -20.5", None, drift_re(rate="-20.50")),
    ("SET 2027-03-04 05:06:07", None, "OK 2027-03-04 05:06:07 THU"),
    ("DRIFT ID 3f2a", "xor", drift_re("3F2A", "-20.50")),
    ("DRIFT K 0.1", "crc", drift_re("3F2A", "-20.50", k="+0.100")),
    ("DRIFT RATE 300.01", None, "ERR range"),
    ("DRIFT COMP ON", "crc", drift_re("3F2A", "-20.50", "ON", "+0.100")),
    ("DRIFT T0 30", None, drift_re("3F2A", "-20.50", "ON", "+0.100", 30)),
    ("DRIFT FOO 1", None, "ERR syntax"),
    ("GET", "crc", "re:" + ANY_TIME),
    ("ALARM 06:30", "crc", "OK ALARM 06:30 ON"),
    ("INFO", None, INFO_OK),
    ("DRIFT", "xor", drift_re("3F2A", "-20.50", "ON", "+0.100", 30)),
    ("HELP", None, HELP_OK),
    ("DRIFT ID 0000", None, "ERR range"),
    ("DRIFT COMP OFF", None, drift_re("3F2A", "-20.50", "OFF", "+0.100", 30)),
    ("HOURS 12", "crc", "OK HOURS 12"),
    ("DRIFT RATE +87", "crc", drift_re("3F2A", "+87.00", "OFF", "+0.100", 30)),
    ("TEMP", None, "OK TEMP 20.0"),
    ("DRIFT K 0.2", "xor", "ERR range"),
    ("CAL", None, "OK CAL 2027-03-04 term=none fest=none"),
    ("DRIFT*00", "bad", "ERR checksum"),
    ("DRIFT RATE 1.234", None, "ERR syntax"),
    ("drift rate -0.01", None, drift_re("3F2A", "-0.01", "OFF", "+0.100", 30)),
    ("ALARM", None, "OK ALARM 06:30 ON"),
    ("DRIFT T0 25", "crc", drift_re("3F2A", "-0.01", "OFF", "+0.100", 25)),
    ("HOURS 24", None, "OK HOURS 24"),
    ("DRIFT K -0.034", None, drift_re("3F2A", "-0.01", "OFF", "-0.034", 25)),
    ("INFO", "crc", INFO_OK),
    ("DRIFT ID BEEF", None, drift_re("BEEF", "-0.01", "OFF", "-0.034", 25)),
    ("DRIFT", "crc", drift_re("BEEF", "-0.01", "OFF", "-0.034", 25)),
]


def dev_booted(make_clock):
    clk = make_clock("reference").boot(rtc=START)
    clk.run_until_lcd(r"20\.0", 2.0, line=1)
    return clk


def mix_drift_expected(lost: set[int]) -> list[str]:
    """MIX_DRIFT's replies when the lines in ``lost`` never ran: each reply states what its
    own line left (a DRIFT field changed by a lost line keeps its value; the ALARM query
    answers the alarm before it)."""
    state: dict[str, Any] = {"ident": "NONE", "rate": "+0.00", "comp": "OFF", "k": "-0.034",
                             "t0": 25}
    alarm = "OK ALARM 07:00 OFF"
    out = []
    for i, (body, _form, want) in enumerate(MIX_DRIFT):
        words = body.upper().split()
        ran = i not in lost
        if want.startswith("re:OK DRIFT"):
            if ran and len(words) == 3:
                field, value = words[1], words[2]
                if field == "RATE":
                    state["rate"] = f"{float(value):+.2f}"
                elif field == "K":
                    state["k"] = f"{float(value):+.3f}"
                elif field == "T0":
                    state["t0"] = int(value)
                elif field == "COMP":
                    state["comp"] = value
                else:
                    state["ident"] = value
            want = drift_re(**state)
        elif body == "ALARM 06:30":
            alarm = want if ran else alarm
        elif body == "ALARM":
            want = alarm
        out.append(want)
    return out


def test_the_drift_mix_model_gives_the_listed_replies_when_nothing_is_lost() -> None:
    assert mix_drift_expected(set()) == [want for _, _, want in MIX_DRIFT]
    # a lost DRIFT K 0.1 (line 5) leaves K at its default until DRIFT K -0.034
    after = mix_drift_expected({5})
    assert "K \\-0\\.034 T0 30" in after[13] and "K \\-0\\.034" in after[31]


def test_32_pipelined_requests_with_drift_each_get_one_reply_in_order(make_clock):
    """Sent in one write: a DRIFT reply (about 75 characters and a check) takes five times
    as long on the wire as its request, so, as with 32 CALs, the receive ring overruns:
    every line still gets exactly one reply, in order, its own or ERR overflow for a line
    lost; a line taken after lost ones states what it found (the lost changes never made:
    mix_drift_expected())."""
    clk = dev_booted(make_clock)
    assert len(MIX_DRIFT) == 32
    replies = run_lines(clk, MIX_DRIFT, timeout_s=8.0)
    lost = [i for i, r in enumerate(replies) if r == "ERR overflow"]
    wants = mix_drift_expected(set(lost))
    for i, ((_body, form, _), reply) in enumerate(zip(MIX_DRIFT, replies, strict=True)):
        if i not in lost:
            check_reply(reply, form, wants[i])
    assert len(MIX_DRIFT) - len(lost) >= 16, replies
    print(f"\n32 with DRIFT: {32 - len(lost)} answered with their own reply, "
          f"{len(lost)} ERR overflow")


def test_32_requests_with_drift_paced_by_fours_each_get_their_own_reply(make_clock):
    """The same mix, four lines per write, each write once the replies before it are in:
    all 32 replies are their own, and the last state survives a power cycle."""
    clk = dev_booted(make_clock)
    replies = []
    for i in range(0, 32, 4):
        replies += run_lines(clk, MIX_DRIFT[i:i + 4], timeout_s=3.0)
    for (_body, form, want), reply in zip(MIX_DRIFT, replies, strict=True):
        check_reply(reply, form, want)
    assert clk.ram_settings()["alarm"] == (6, 30)
    clk.power_cycle(1.0)
    check_reply(clk.command("DRIFT"), None, drift_re("BEEF", "-0.01", "OFF", "-0.034", 25))
