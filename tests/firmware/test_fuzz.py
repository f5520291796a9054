"""Fuzz the serial port with random lines and bytes: no crash, no lost reply, no change.

Seeded. The input mixes printable junk, binary bytes, mutated commands, well-formed
commands with impossible values, read-only commands and bad checksums. Anything that could
be a valid state-changing command (SET, ALARM, HOURS with arguments) is given a bad
checksum, so the clock, the alarm and the settings must come out exactly as they went in.
The host side behaves like a terminal user: it sends a few lines, then reads the replies.
"""

from __future__ import annotations

import datetime as dt
import random
import re
import time

import pytest

from tests.firmware.clockdriver import checksum

SEED = 51
TEMPLATES = ["GET", "PING", "INFO", "HELP", "ALARM", "HOURS", "SET 2026-11-24 12:05:31",
             "ALARM 07:30", "ALARM ON", "ALARM OFF", "HOURS 12", "HOURS 24", "TEMP"]
CHANGES = re.compile(rb"^\s*(SET|ALARM|HOURS)\s+\S", re.IGNORECASE)


def mutate(rng: random.Random, s: bytes) -> bytes:
    b = bytearray(s)
    for _ in range(rng.randint(1, 3)):
        op = rng.randrange(6)
        i = rng.randrange(len(b) + 1)
        if op == 0 and b:
            del b[min(i, len(b) - 1)]
        elif op == 1:
            b.insert(i, rng.choice(b" :-*0123456789AZaz"))
        elif op == 2 and b:
            b[min(i, len(b) - 1)] = rng.randrange(0x20, 0x7F)
        elif op == 3:
            b = bytearray(b.swapcase())
        elif op == 4:
            b[i:i] = b" " * rng.randint(1, 3)
        else:
            b += b"*" + checksum(b.decode("latin-1")).encode()
    return bytes(b)


def impossible(rng: random.Random) -> bytes:
    """Well-formed commands with out-of-range values (each must be ERR range)."""
    k = rng.randrange(5)
    if k == 0:
        y, m = rng.randrange(2000, 2100), rng.randint(1, 12)
        bad_day = rng.choice([0, 32, 99, (dt.date(y + (m == 12), m % 12 + 1, 1)
                                          - dt.timedelta(days=1)).day + 1])
        return f"SET {y}-{m:02d}-{bad_day:02d} 12:00:00".encode()
    if k == 1:
        return f"SET 2026-{rng.choice([0, 13, 19, 99]):02d}-01 00:00:00".encode()
    if k == 2:
        return (f"SET {rng.choice([1999, 1900, 2100, 2199, 3000])}-01-01 "
                f"{rng.randint(24, 99):02d}:00:00").encode()
    if k == 3:
        return f"ALARM {rng.randint(24, 99):02d}:{rng.randint(0, 99):02d}".encode()
    return f"HOURS {rng.choice([0, 1, 11, 13, 23, 25, 99])}".encode()


def make_item(rng: random.Random) -> bytes:
    k = rng.random()
    if k < 0.2:
        line = bytes(rng.randrange(0x20, 0x7F) for _ in range(rng.randint(0, 50)))
    elif k < 0.3:
        line = bytes(rng.randrange(256) for _ in range(rng.randint(1, 30)))
        line = line.replace(b"\r", b"").replace(b"\n", b"")
    elif k < 0.6:
        line = mutate(rng, rng.choice(TEMPLATES).encode())
    elif k < 0.75:
        line = impossible(rng)
    elif k < 0.9:
        line = rng.choice(TEMPLATES[:6]).encode()
        if rng.random() < 0.5:
            line += b"*" + checksum(line.decode()).encode()
    else:
        line = rng.choice(TEMPLATES).encode()
        line += b"*" + rng.choice([b"", b"0", b"ZZ", b"GG", b"1234"])
    if CHANGES.match(line) and not line.endswith(b"*ZZ"):
        line += b"*ZZ"  # could change the clock: poison it with a bad checksum
    return line + rng.choice([b"\r\n", b"\r", b"\n", b"\n\r"])


def segments(stream: bytes) -> list[bytes]:
    """The non-empty lines of a byte stream, as the protocol frames them."""
    return [s for s in re.split(rb"[\r\n]", stream) if s]


def expected_prefix(line: bytes) -> str:
    if len(line) > 40:
        return "ERR too long"
    if any(b < 0x20 or b > 0x7E for b in line):
        return "ERR bad byte"
    return ""


@pytest.mark.parametrize("items", [
    1_500,  # quick (~15 s), in every run
    pytest.param(10_000, marks=pytest.mark.slow),  # the full run (~70 s wall)
])
def test_fuzz_serial(make_clock, items):
    rng = random.Random(SEED + items)
    clk = make_clock("reference").boot(rtc=dt.datetime(2026, 11, 24, 12, 5, 31),
                                       alarm=(6, 30), alarm_on=True)
    before = clk.rtc_fingerprint()
    since = clk.cycles
    code_len = len(clk.image)
    iram = clk.b.profile.iram_size
    wall = time.perf_counter()
    sim_start = clk.cycles
    sent_items = sent_bytes = 0
    carry = b""
    prev = None
    while sent_items < items:
        batch = b""
        for _ in range(rng.randint(1, 4)):
            item = make_item(rng)
            if rng.random() < 0.05:  # bytes with no line end: they join the next line
                batch += item.rstrip(b"\r\n")
            else:
                batch += item
            sent_items += 1
        stream = carry + batch
        cut = max(stream.rfind(b"\r"), stream.rfind(b"\n")) + 1
        lines, carry = segments(stream[:cut]), stream[cut:]
        clk.send_bytes(batch)
        sent_bytes += len(batch)
        try:
            replies = clk.read_replies(len(lines), timeout_s=2.0 + len(batch) * 0.002)
        except AssertionError as e:
            raise AssertionError(f"after {sent_items} items, lines {lines}: {e}; "
                                 f"bytes lost by the UART: {clk.b.uart.rx_lost[:5]}; "
                                 f"batch {batch!r} previous batch {prev!r}") from None
        prev = (batch, lines, replies)
        for line, reply in zip(lines, replies, strict=True):
            assert reply.startswith(("OK", "ERR")), f"{line!r} -> {reply!r}"
            want = expected_prefix(line)
            assert reply.startswith(want), f"{line!r} -> {reply!r}, want {want}"
            if reply.startswith("OK"):
                assert not CHANGES.match(line), f"state-changing line accepted: {line!r}"
        assert clk.b.cpu.pc < code_len, f"PC {clk.b.cpu.pc:#06x} outside the image"
        assert clk.b.cpu.sp_max <= iram - 1 - 16, f"SP reached {clk.b.cpu.sp_max:#04x}"
    clk.send_bytes(b"\r\n")
    clk.quiet(0.2)
    sim_s = (clk.cycles - sim_start) / clk.cps
    print(f"\nfuzz: {sent_items} items, {sent_bytes} bytes, {sim_s:.1f} s simulated, "
          f"{time.perf_counter() - wall:.1f} s wall, sp_max {clk.b.cpu.sp_max:#04x}")
    assert clk.b.uart.rx_lost == [], "the firmware must take every byte"
    # the DS18B20 was read all along (one scratchpad every ~0.83 s) and still reads right
    reads = sum(1 for _, what in clk.b.thermo.log if what == "cmd BE") if clk.b.thermo else 0
    assert reads >= sim_s / 0.9, f"{reads} temperature readings in {sim_s:.1f} s"
    assert clk.command("TEMP") == "OK TEMP 20.0"
    assert clk.command("PING") == "OK PONG"
    assert clk.command(f"PING*{checksum('PING')}") == f"OK PONG*{checksum('OK PONG')}"
    assert clk.writes_since(since) == [], "the fuzz run wrote the DS1302"
    assert clk.rtc_fingerprint() == before
    assert clk.command("ALARM") == "OK ALARM 06:30 ON"
    assert clk.command("HOURS") == "OK HOURS 24"
    shown = clk.shown()
    assert shown is not None and abs((shown - clk.rtc_now()).total_seconds()) <= 1, clk.lcd()
