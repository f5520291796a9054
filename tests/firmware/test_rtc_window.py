"""The new-second detector reads the DS1302 only in a window around the predicted second
(issue 18; firmware/src/clock.c): once it has found a second it reads the seconds register
once a tick from just before the next one is due, checks every 100 ms in between, and goes
back to steady reads every 20 ms whenever the prediction fails: after a write to the clock,
or when the second comes outside the window (a clock changed or halted behind the
firmware's back). Every second is still on the LCD within 50 ms of the DS1302's rollover.
"""

from __future__ import annotations

import datetime as dt

from tests.firmware.clockdriver import Clock

START = dt.datetime(2026, 11, 24, 12, 5, 30)
LATENCY_LIMIT_S = 0.050          # tests/firmware/test_timekeeping.py


def count_transfers(clk: Clock) -> list[int]:
    """A list that grows by the cycle of every DS1302 transfer (CE rising) from now on."""
    seen: list[int] = []
    port, bit = clk.b.profile.ds1302.ce

    def rise(level: int, cycle: int) -> None:
        if level:
            seen.append(cycle)

    clk.b.bus.watch(port, bit, rise)
    return seen


def rollover_latencies(clk: Clock, n: int) -> list[float]:
    """The next ``n`` rollovers: how long after each the LCD showed the new second."""
    out = []
    for _ in range(n):
        before = clk.rtc_now()
        assert clk.run_until(lambda b=before: clk.rtc_now() != b, 1.2, poll_s=0.0005)
        t0 = clk.cycles
        clk.run_until_lcd(clk.rtc_now().strftime("%H:%M:%S"), 0.5, line=1, poll_s=0.0005)
        out.append((clk.cycles - t0) / clk.cps)
    return out


def test_once_locked_the_ds1302_is_read_about_fourteen_times_a_second_not_fifty(make_clock):
    clk = make_clock("reference").boot(rtc=START)
    clk.run(3.0)                                  # the second is found and predicted
    transfers = count_transfers(clk)
    clk.run(10.0)
    per_second = len(transfers) / 10.0
    print(f"\nDS1302 transfers per second, locked: {per_second:.1f} (steady reads: 51)")
    # 3 reads in the window, 9 checks between, 1 clock burst: 13; a GET-free clock
    assert 11 <= per_second <= 15, per_second
    assert max(rollover_latencies(clk, 5)) < LATENCY_LIMIT_S


def test_in_the_window_a_second_is_shown_within_a_tick_and_a_redraw(make_clock):
    clk = make_clock("reference").boot(rtc=START)
    clk.run(2.5)
    worst = max(rollover_latencies(clk, 10))
    print(f"\nLCD after the DS1302's rollover, in the window: worst {worst * 1000:.1f} ms")
    assert worst < 0.012, "one 5 ms tick to see it, a few ms to draw it"


def test_after_a_write_the_clock_is_found_again_and_every_second_shown_in_time(make_clock):
    clk = make_clock("reference").boot(rtc=START)
    clk.run(3.0)
    # the write restarts the DS1302's second at its last byte: a new phase
    clk.run(0.37)
    assert clk.command("SET 2026-11-24 18:00:00").startswith("OK 2026-11-24 18:00:00")
    transfers = count_transfers(clk)
    latencies = rollover_latencies(clk, 6)
    assert max(latencies) < LATENCY_LIMIT_S, latencies
    assert len(transfers) < 6 * 51, "steady reads only until the second is found again"


def test_a_clock_moved_behind_the_firmwares_back_is_shown_and_followed_again(make_clock):
    """The DS1302 gets another time and phase without the firmware writing it (as the
    simulator's --rtc does): the check between windows sees it within 100 ms, and from the
    next second on every second is on time again."""
    clk = make_clock("reference").boot(rtc=START)
    clk.run(3.0)
    for shift_s in (0.31, 0.77, 0.05):
        clk.run(shift_s)
        moved = dt.datetime(2027, 5, 6, 7, 8, 9)
        clk.set_rtc(moved)
        t0 = clk.cycles
        clk.run_until_lcd(r"^07:08:09", 0.2, line=1, poll_s=0.0005)
        assert (clk.cycles - t0) / clk.cps <= 0.110
        assert clk.parse_date() == (moved.date(), "Thu")
        latencies = rollover_latencies(clk, 4)
        assert max(latencies) < LATENCY_LIMIT_S, (shift_s, latencies)


def test_a_clock_halted_behind_the_firmwares_back_is_restarted(make_clock):
    """CH set by a supply glitch: the check between windows sees the seconds register
    change (bit 7) and restarts the oscillator where it stopped."""
    clk = make_clock("reference").boot(rtc=START)
    clk.run(3.0)
    rtc = clk.b.rtc
    now = rtc.datetime_at(clk.cycles)
    rtc.set_datetime(now, clk.cycles, running=False)
    assert rtc.halted
    assert clk.run_until(lambda: not rtc.halted, 0.15, poll_s=0.001), "not restarted"
    latencies = rollover_latencies(clk, 3)
    assert max(latencies) < LATENCY_LIMIT_S, latencies
