"""Editing every field with the keys: SET steps, UP/DOWN change with wrap-around, leaving
writes the DS1302 once with the seconds zeroed."""

from __future__ import annotations

import datetime as dt

from tests.firmware.clockdriver import Clock


def step(clk: Clock, key: str, pattern: str, line: int) -> None:
    """Press ``key`` and wait for the LCD to show ``pattern`` (the edited field blinks)."""
    clk.press(key)
    clk.run_until_lcd(pattern, 1.2, line=line)


def left_edit_with_one_write(clk: Clock, since: int, want: dt.datetime) -> None:
    """Leaving wrote the clock exactly once (one clock burst, seconds 00, no other write to
    a clock register but the day-of-week register with the drift record's generation), and
    the DS1302 holds ``want`` (plus the time since), the right weekday, write protection
    back on."""
    writes = clk.time_writes(since)
    assert len(writes) == 1, f"leaving edit mode must write the clock once: {writes}"
    cycle, cmd, data = writes[0]
    assert cmd == 0xBE and len(data) == 8, f"one clock burst expected: {writes}"
    assert data[0] == 0x00, f"seconds register written as {data[0]:#04x}, want 0x00"
    elapsed = (clk.cycles - cycle) // clk.cps
    assert clk.rtc_now() == want + dt.timedelta(seconds=elapsed)
    assert clk.weekday_offset() == clk.expected_weekday_offset()
    assert clk.b.rtc.write_protected


def test_edit_year_and_leave(make_clock, env):
    clk = make_clock(env).boot(rtc=dt.datetime(2026, 11, 24, 12, 5, 31))
    since = clk.cycles
    step(clk, "SET", r"^2026-11-24", 0)
    step(clk, "UP", r"^2027-11-24 Wed", 0)
    assert clk.clock_writes(since) == [], "nothing is written while editing"
    clk.press("MODE")  # leaves at once
    left_edit_with_one_write(clk, since, dt.datetime(2027, 11, 24, 12, 5, 0))
    clk.run_until_lcd(r"^12:05:0\d", 1.2, line=1)


def test_edit_every_field(make_clock):
    clk = make_clock("reference").boot(rtc=dt.datetime(2024, 2, 29, 10, 20, 30))
    since = clk.cycles
    step(clk, "SET", r"^2024-02-29", 0)             # year
    step(clk, "UP", r"^2025-02-28 Fri", 0)          # Feb 29 -> 28 in a common year
    step(clk, "SET", r"^2025-02-28", 0)             # month
    step(clk, "DOWN", r"^2025-01-28 Tue", 0)
    step(clk, "SET", r"^2025-01-28", 0)             # day
    step(clk, "DOWN", r"^2025-01-27 Mon", 0)
    step(clk, "SET", r"^10:20", 1)                  # hour
    step(clk, "UP", r"^11:20", 1)
    step(clk, "SET", r"^11:20", 1)                  # minute
    step(clk, "DOWN", r"^11:19", 1)
    step(clk, "SET", r"07:00", 1)                   # alarm hour (alarm shown)
    step(clk, "UP", r"08:00", 1)
    step(clk, "SET", r"08:00", 1)                   # alarm minute
    step(clk, "UP", r"08:01", 1)
    step(clk, "SET", r"OFF", 1)                     # alarm on/off
    step(clk, "UP", r"\bON\b", 1)
    assert clk.clock_writes(since) == []
    clk.press("SET")                                # past the last field: leave
    left_edit_with_one_write(clk, since, dt.datetime(2025, 1, 27, 11, 19, 0))
    ram = clk.ram_settings()
    assert ram["valid"] and ram["alarm"] == (8, 1) and ram["alarm_on"]
    clk.run_until_lcd(r"^2025-01-27 Mon", 1.2, line=0)
    clk.run_until_lcd(r"^11:19:0\d", 1.2, line=1)
    assert clk.bell_shown(), clk.lcd()
    assert clk.command("ALARM") == "OK ALARM 08:01 ON"


def test_up_wraps_every_field(make_clock):
    clk = make_clock("reference").boot(rtc=dt.datetime(2099, 12, 31, 23, 59, 30),
                                       alarm=(22, 59), alarm_on=True)
    since = clk.cycles
    step(clk, "SET", r"^2099-12-31", 0)
    step(clk, "UP", r"^2000-12-31", 0)              # 2099 -> 2000
    step(clk, "SET", r"^2000-12-31", 0)
    step(clk, "UP", r"^2000-01-31", 0)              # 12 -> 1
    step(clk, "SET", r"^2000-01-31", 0)
    step(clk, "UP", r"^2000-01-01 Sat", 0)          # 31 -> 1
    step(clk, "SET", r"^23:59", 1)
    step(clk, "UP", r"^00:59", 1)                   # 23 -> 0
    step(clk, "SET", r"^00:59", 1)
    step(clk, "UP", r"^00:00", 1)                   # 59 -> 0
    step(clk, "SET", r"22:59", 1)
    step(clk, "UP", r"23:59", 1)
    step(clk, "UP", r"00:59", 1)                    # alarm hour 23 -> 0
    step(clk, "SET", r"00:59", 1)
    step(clk, "UP", r"00:00", 1)                    # alarm minute 59 -> 0
    step(clk, "SET", r"\bON\b", 1)
    step(clk, "UP", r"OFF", 1)                      # on -> off
    step(clk, "UP", r"\bON\b", 1)                   # off -> on
    clk.press("MODE")
    left_edit_with_one_write(clk, since, dt.datetime(2000, 1, 1, 0, 0, 0))
    ram = clk.ram_settings()
    assert ram["alarm"] == (0, 0) and ram["alarm_on"]


def test_down_wraps_date_and_time(make_clock):
    clk = make_clock("reference").boot(rtc=dt.datetime(2000, 1, 1, 0, 0, 30))
    since = clk.cycles
    step(clk, "SET", r"^2000-01-01", 0)
    step(clk, "DOWN", r"^2099-01-01", 0)            # 2000 -> 2099
    step(clk, "SET", r"^2099-01-01", 0)
    step(clk, "DOWN", r"^2099-12-01", 0)            # 1 -> 12
    step(clk, "SET", r"^2099-12-01", 0)
    step(clk, "DOWN", r"^2099-12-31 Thu", 0)        # 1 -> 31
    step(clk, "SET", r"^00:00", 1)
    step(clk, "DOWN", r"^23:00", 1)                 # 0 -> 23
    step(clk, "SET", r"^23:00", 1)
    step(clk, "DOWN", r"^23:59", 1)                 # 0 -> 59
    clk.press("MODE")
    left_edit_with_one_write(clk, since, dt.datetime(2099, 12, 31, 23, 59, 0))


def test_day_clamped_when_month_changes(make_clock):
    clk = make_clock("reference").boot(rtc=dt.datetime(2026, 3, 31, 8, 0, 10))
    since = clk.cycles
    step(clk, "SET", r"^2026-03-31", 0)
    step(clk, "SET", r"^2026-03-31", 0)             # month
    step(clk, "DOWN", r"^2026-02-28 Sat", 0)        # 31 -> 28
    step(clk, "UP", r"^2026-03-28", 0)              # stays 28
    clk.press("MODE")
    left_edit_with_one_write(clk, since, dt.datetime(2026, 3, 28, 8, 0, 0))


def test_up_held_auto_repeats(make_clock):
    clk = make_clock("reference").boot(rtc=dt.datetime(2026, 5, 10, 9, 30, 0))
    step(clk, "SET", r"^2026", 0)
    step(clk, "SET", r"^2026-05", 0)
    step(clk, "SET", r"^2026-05-10", 0)             # day
    clk.press("UP", hold_s=1.5)
    shown = clk.run_until_lcd(r"^2026-05-(\d\d)", 1.2, line=0)
    assert int(shown[1]) >= 13, f"holding UP 1.5 s should repeat: {clk.lcd()}"
    clk.press("MODE")
