"""Stack headroom under load: keys, serial traffic and the alarm sounding at once.

All interrupts of the firmware are low priority (none nests), so the deepest stack is the
deepest main-loop call chain plus one interrupt frame; this run drives the deep paths
(protocol replies, SET with its DS1302 writes, the lunar page redraw, key editing with
auto-repeat) while the tone interrupt (Timer 2), the serial interrupt and the tick run.
"""

from __future__ import annotations

import datetime as dt
import random

from tests.firmware.clockdriver import Clock, with_checksum

HEADROOM = 16


def padded(line: str) -> bytes:
    """Requests padded with spaces (ignored) so they are longer than their replies: the
    host never sends faster than the clock can answer."""
    return (line + " " * (40 - len(line))).encode() + b"\r\n"


def flood(clk: Clock, lines: list[str]) -> None:
    clk.send_bytes(b"".join(padded(x) for x in lines))


def test_stack_headroom_under_keys_serial_and_alarm(make_clock):
    rng = random.Random(3)
    clk = make_clock("reference").boot(rtc=dt.datetime(2026, 11, 24, 6, 59, 58),
                                       alarm=(7, 0), alarm_on=True)
    iram = clk.b.profile.iram_size
    clk.press("MODE")  # lunar page: its redraw computes the lunar date
    reads = ["GET", "PING", "INFO", "HELP", "ALARM", "HOURS", "FOO", "SET 2025-02-29 07:00:00"]

    # 1. alarm ringing, SETs that move the date (lunar recomputed), reads, errors
    assert clk.run_until(clk.sounding, 3.0, poll_s=0.01)
    sets = []
    for _ in range(25):
        day = dt.date(2001, 1, 1) + dt.timedelta(days=rng.randrange(36000))
        sets.append(f"SET {day:%Y-%m-%d} 07:00:{rng.randrange(10, 50):02d}")
    lines = [x for s in sets for x in (s, with_checksum(rng.choice(reads)))]
    flood(clk, lines)
    clk.run(1.5)
    recent = clk.cycles - clk.b.to_cycles(1.0)
    assert any(x.start >= recent for x in clk.b.buzzer.sounds), "the alarm should still ring"
    # 2. keys while the traffic goes on: the first silences, then edit with auto-repeat
    flood(clk, [with_checksum(rng.choice(reads[:6])) for _ in range(60)])
    clk.press("SET")        # silences the alarm
    clk.press("SET")        # edit: year
    clk.press("UP", hold_s=1.2)  # auto-repeat
    clk.press("SET")
    clk.press("DOWN", hold_s=0.8)
    clk.press("MODE")       # leave: writes the DS1302
    # 3. the next minute's alarm starts while UP is held in edit mode and traffic flows
    reply_time = clk.rtc_now() + dt.timedelta(minutes=1)
    clk.quiet(1.0)
    assert clk.command(f"ALARM {reply_time:%H:%M}").startswith("OK ALARM")
    now = clk.rtc_now()
    clk.set_rtc(now.replace(second=58))
    flood(clk, [with_checksum(rng.choice(reads[:6])) for _ in range(80)])
    clk.run(0.5)
    clk.press("SET")
    clk.press("SET")
    clk.press("SET")        # day
    clk.b.press("UP", hold_s=3.0)
    assert clk.run_until(clk.sounding, 3.0, poll_s=0.01), "alarm did not start"
    clk.run(3.0)
    clk.press("MODE")
    clk.quiet(3.0)
    sp = clk.b.cpu.sp_max
    print(f"\nstress: sp_max = {sp:#04x}, headroom = {iram - 1 - sp} bytes of {iram}")
    assert sp <= iram - 1 - HEADROOM, f"stack reached {sp:#04x}: headroom below {HEADROOM}"
    assert clk.b.cpu.pc < len(clk.image)
    assert clk.command("PING") == "OK PONG"
    assert clk.b.uart.rx_lost == [], f"bytes lost by the UART: {clk.b.uart.rx_lost[:5]}"
