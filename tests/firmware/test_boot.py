"""First power-up and start-up: the defined start time, the "set me" mark, the banner."""

from __future__ import annotations

import datetime as dt

import pytest

from tests.firmware.clockdriver import build_date


def test_fresh_chip_boots_to_build_date_and_shows_set_me(make_clock, env):
    clk = make_clock(env).boot(rtc=None)
    day = build_date(clk.image_path)
    start = dt.datetime.combine(day, dt.time(0, 0, 0))
    # the DS1302 was given the build date at 00:00:00 and is running
    now = clk.rtc_now()
    assert now is not None, "the DS1302 is still halted after the first power-up"
    assert start <= now <= start + dt.timedelta(seconds=2)
    assert clk.b.rtc.write_protected, "write protection must be on again after the write"
    # the LCD shows it, with the right weekday and the "set me" mark
    shown = clk.shown()
    assert shown is not None and start <= shown <= start + dt.timedelta(seconds=2), clk.lcd()
    assert clk.parse_date()[1] == start.strftime("%a")
    assert clk.set_me_shown(), clk.lcd()
    assert clk.command("INFO").endswith("rtc=unset")
    # the settings RAM is initialised (valid magic and CRC); the DS1302's time carries the
    # "set me" mark (day-of-week register), written in the same burst as the time
    assert clk.ram_settings()["valid"]
    assert clk.rtc_set_me_mark()


def test_set_clock_boots_to_its_time_without_set_me(make_clock, env):
    when = dt.datetime(2026, 11, 24, 12, 5, 31)
    clk = make_clock(env).boot(rtc=when)
    shown = clk.shown()
    assert shown is not None and when <= shown <= when + dt.timedelta(seconds=2), clk.lcd()
    assert clk.parse_date()[1] == "Tue"
    assert not clk.set_me_shown(), clk.lcd()
    assert clk.command("INFO").endswith("rtc=ok")
    # nothing was written to the clock registers: the running time was kept
    assert clk.clock_writes() == []


def test_banner_once_after_reset_then_silence(make_clock):
    clk = make_clock("reference").boot(rtc=dt.datetime(2026, 1, 1, 8, 0, 0))
    first = clk.take_received()
    assert first.startswith(b"clock51 READY\r\n"), first
    assert first.count(b"clock51 READY") == 1
    assert clk.quiet(1.5) == b"", "nothing but replies may be sent after the banner"


def test_setting_the_time_clears_set_me(make_clock):
    clk = make_clock("reference").boot(rtc=None)
    assert clk.set_me_shown()
    assert clk.command("SET 2026-03-04 05:06:07") == "OK 2026-03-04 05:06:07 WED"
    clk.run_until_lcd(r"2026-03-04 Wed", 0.5, line=0)
    assert not clk.set_me_shown(), clk.lcd()
    assert clk.command("INFO").endswith("rtc=ok")
    assert not clk.rtc_set_me_mark()


def test_set_me_mark_survives_midnight_and_a_power_cycle(make_clock):
    """The mark is the day-of-week register's offset from the date: the chip steps both at
    midnight, so the clock stays unset (and shows the right weekday) on the next day."""
    clk = make_clock("reference").boot(rtc=None)
    rtc = clk.b.rtc
    rtc.registers_at(clk.cycles)
    rtc.regs[0:3] = [0x57, 0x59, 0x23]          # 23:59:57 on the build date, mark kept
    day = build_date(clk.image_path) + dt.timedelta(days=1)
    clk.run_until_lcd(day.strftime("^%Y-%m-%d %a"), 4.0, line=0)
    assert clk.set_me_shown() and clk.rtc_set_me_mark()
    clk.power_cycle(off_s=1.0)
    assert clk.set_me_shown() and clk.command("INFO").endswith("rtc=unset")
    assert clk.clock_writes() == []


@pytest.mark.parametrize("garbage", ["ones", "pattern"])
def test_the_firmware_needs_no_cleared_xram(make_clock, garbage):
    """The build leaves XRAM as power-on left it (no XRAM clearing at start-up, README "The
    firmware"), as a real STC89C52RC's is: with every byte of it garbage the clock boots,
    shows its time, answers, and reads the DS18B20 within its budget (1.5 s)."""
    clk = make_clock("reference")
    board = clk.new_board()
    size = len(board.cpu.xram)
    board.cpu.xram[:] = (b"\xff" * size if garbage == "ones"
                         else bytes((0xA5 ^ i) & 0xFF for i in range(size)))
    board.rtc.set_datetime(dt.datetime(2026, 11, 24, 12, 5, 31), 0)
    assert board.run_until_true(clk._started, 1.0), clk.lcd()
    assert clk.take_received() == b"clock51 READY\r\n"
    clk.run_until_lcd(r"20\.0", 1.5 - board.seconds, line=1)
    assert clk.command("GET").startswith("OK 2026-11-24 12:05:3")
    assert clk.command("PING") == "OK PONG"
