"""The alarm: rings in its minute, any key silences it, at most 60 s unattended."""

from __future__ import annotations

import datetime as dt

from tests.firmware.clockdriver import Clock

BOOT = dt.datetime(2026, 11, 24, 6, 59, 57)  # the DS1302 starts here at cycle 0
ALARM_AT = dt.datetime(2026, 11, 24, 7, 0, 0)


def at(clk: Clock, cycle: int) -> dt.datetime:
    """Wall time of the DS1302 at ``cycle`` (it started at BOOT on cycle 0, untouched)."""
    return BOOT + dt.timedelta(seconds=cycle / clk.cps)


def test_alarm_rings_in_its_minute_and_a_key_silences_it(make_clock):
    clk = make_clock("reference").boot(rtc=BOOT, alarm=(7, 0), alarm_on=True)
    assert clk.bell_shown(), clk.lcd()
    assert clk.run_until(clk.sounding, 5.0, poll_s=0.01), "the alarm never sounded"
    start = clk.b.buzzer.sounds[0].start
    assert ALARM_AT <= at(clk, start) < ALARM_AT + dt.timedelta(minutes=1)
    print(f"\nalarm sound starts {(at(clk, start) - ALARM_AT).total_seconds() * 1000:.1f} ms "
          "after the minute begins")
    clk.run(2.0)
    n = len(clk.b.buzzer.sounds)
    assert n > 1, "still ringing two seconds on"
    pressed = clk.cycles
    clk.press("DOWN", hold_s=0.1, settle_s=0.05)
    quiet_from = pressed + clk.b.to_cycles(0.05)
    clk.run(5.0)
    late = [s for s in clk.b.buzzer.sounds if s.start > quiet_from or
            (s.end or clk.cycles) > quiet_from]
    assert late == [], f"sound after the key: {late[:3]}"
    # still the same minute: silenced means it does not start again
    assert clk.rtc_now() < ALARM_AT + dt.timedelta(minutes=1)
    # the key only silenced the alarm (DOWN would otherwise switch 12/24 h)
    assert clk.command("HOURS") == "OK HOURS 24"
    assert clk.command("ALARM") == "OK ALARM 07:00 ON", "silencing keeps the alarm set"


def test_alarm_sounds_at_most_60s_when_nobody_presses(make_clock):
    clk = make_clock("reference").boot(rtc=BOOT, alarm=(7, 0), alarm_on=True)
    clk.run(70.0)
    sounds = clk.b.buzzer.intervals(clk.cycles)
    assert sounds, "the alarm never sounded"
    first = sounds[0][0]
    last_end = max(s + d for s, d, _ in sounds)
    span = last_end - first
    print(f"\nunattended alarm: {len(sounds)} sounds over {span:.2f} s")
    assert span <= 60.0 + 0.05, f"rang for {span:.2f} s"
    assert span >= 10.0, f"an alarm of {span:.2f} s is no alarm"
    assert not clk.sounding()


def test_alarm_off_does_not_ring(make_clock):
    clk = make_clock("reference").boot(rtc=BOOT, alarm=(7, 0), alarm_on=False)
    assert not clk.bell_shown()
    clk.run(5.0)
    assert clk.b.buzzer.sounds == []


def test_alarm_set_by_serial_rings(make_clock):
    clk = make_clock("reference").boot(rtc=dt.datetime(2026, 11, 24, 21, 14, 58))
    assert clk.command("ALARM 21:15") == "OK ALARM 21:15 ON"
    clk.run_until_lcd("\u2460", 0.5, line=1)  # bell glyph (CGRAM 0) after the time
    assert clk.bell_shown()
    assert clk.run_until(clk.sounding, 3.0, poll_s=0.01)
    assert clk.rtc_now().strftime("%H:%M") == "21:15"
    clk.press("SET")
    clk.run(1.0)
    assert not clk.sounding()
