"""Power cycles: the battery-backed DS1302 keeps the time, the alarm and the settings."""

from __future__ import annotations

import datetime as dt


def test_power_cycle_keeps_time_and_alarm(make_clock):
    clk = make_clock("reference").boot(rtc=None)
    assert clk.command("SET 2026-11-24 12:05:31") == "OK 2026-11-24 12:05:31 TUE"
    assert clk.command("ALARM 07:30") == "OK ALARM 07:30 ON"
    assert clk.command("HOURS 12") == "OK HOURS 12"
    clk.run(1.0)
    before = clk.rtc_now()
    clk.power_cycle(off_s=5.0)
    assert len(clk.boards) == 2
    assert clk.clock_writes() == [], "a set clock must not be rewritten at power-up"
    now = clk.rtc_now()
    assert before + dt.timedelta(seconds=5) <= now <= before + dt.timedelta(seconds=6)
    clk.run_until_lcd(r"^2026-11-24 Tue", 1.0, line=0)
    clk.run_until_lcd(now.strftime("^%I:%M:%S").replace("^0", "^0?") + ".*P", 1.5, line=1)
    assert not clk.set_me_shown()
    assert clk.bell_shown()
    assert clk.command("ALARM") == "OK ALARM 07:30 ON"
    assert clk.command("HOURS") == "OK HOURS 12"
    assert clk.command("INFO").endswith("rtc=ok")


def test_power_cycle_of_unset_clock_stays_unset_and_keeps_running(make_clock):
    clk = make_clock("reference").boot(rtc=None)
    clk.run(2.0)
    before = clk.rtc_now()
    clk.power_cycle(off_s=3.0)
    assert clk.set_me_shown()
    assert clk.rtc_now() >= before + dt.timedelta(seconds=3)
    assert clk.clock_writes() == []


def test_alarm_rings_after_power_cycle(make_clock):
    clk = make_clock("reference").boot(rtc=dt.datetime(2026, 11, 24, 6, 59, 50),
                                       alarm=(7, 0), alarm_on=True)
    clk.power_cycle(off_s=5.0)
    assert clk.run_until(clk.sounding, 7.0, poll_s=0.01)
    assert clk.rtc_now().strftime("%H:%M") == "07:00"
