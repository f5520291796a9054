"""The DS1302's crystal (sim.devices.crystal) against hand-computed values: a constant rate,
the temperature parabola, a room that steps (sim.machine.ambient), time on the battery and
between runs, and the true time beside the clock's.

The figures: +87 ppm for 30 days is 30 x 86400 x 87e-6 = 225.504 s; k = -0.034 ppm/C^2 at
10 C from the turnover is -3.4 ppm.
"""

from __future__ import annotations

import datetime as dt
import json
import random

import pytest

from sim.bus.pins import PortBus
from sim.devices.crystal import Crystal, crystal_for
from sim.devices.ds1302 import DS1302
from sim.machine.ambient import Ambient
from tests.devices.test_ds1302 import Mcu

CPS = 921_600
DAY = 86_400 * CPS  # cycles
START = dt.datetime(2026, 1, 5, 0, 0, 0)


def chip(crystal: Crystal | None, ambient: Ambient | None = None,
         bus: PortBus | None = None) -> DS1302:
    rtc = DS1302(bus or PortBus(), "P3.5", "P3.6", "P3.4", cycles_per_second=CPS,
                 power_on_wp=0, crystal=crystal, ambient=ambient)
    rtc.set_datetime(START, 0)
    return rtc


def test_a_crystal_87_ppm_fast_gains_225_504_s_in_30_days() -> None:
    rtc = chip(Crystal(ppm=87, k=0))
    end = 30 * DAY
    assert rtc.offset_at(end) == pytest.approx(225.504, abs=1e-9)
    assert rtc.datetime_at(end) == START + dt.timedelta(days=30, seconds=225)
    assert rtc.clock_datetime_at(end) == START + dt.timedelta(days=30, seconds=225.504)
    assert rtc.true_datetime_at(end) == START + dt.timedelta(days=30)


def test_a_slow_crystal_loses_and_its_seconds_are_longer() -> None:
    assert chip(Crystal(ppm=-20, k=0)).offset_at(10 * DAY) == pytest.approx(
        -17.28, abs=1e-9)  # 864000 s x 20e-6
    # the first second ends 20 us late: 18.4 cycles after a true second
    rtc = chip(Crystal(ppm=-20, k=0))
    assert rtc.datetime_at(CPS + 18) == START
    assert rtc.datetime_at(CPS + 19) == START + dt.timedelta(seconds=1)


def test_the_parabola_slows_the_crystal_on_both_sides_of_its_turnover() -> None:
    for celsius in (15.0, 35.0):
        rtc = chip(Crystal(ppm=0, t0=25, k=-0.034), Ambient(celsius))
        assert rtc.rate_ppm_at(0) == pytest.approx(-3.4)
        assert rtc.offset_at(10 * DAY) == pytest.approx(-3.4e-6 * 864_000, abs=1e-9)
    at_turnover = chip(Crystal(ppm=0, t0=25, k=-0.034), Ambient(25.0))
    assert at_turnover.offset_at(10 * DAY) == 0.0


def test_a_room_that_steps_is_integrated_piece_by_piece() -> None:
    """10 ppm at 25 C for a day, 6.6 ppm at 35 C for two, -3.6 ppm at 5 C for one."""
    room = Ambient(25.0)
    room.set(35.0, 1 * DAY)
    room.set(5.0, 3 * DAY)
    rtc = chip(Crystal(ppm=10, t0=25, k=-0.034), room)
    expected = (10 * 1 + 6.6 * 2 - 3.6 * 1) * 86_400e-6  # 0.864 + 1.14048 - 0.31104
    assert rtc.offset_at(4 * DAY) == pytest.approx(expected, abs=1e-9)
    assert expected == pytest.approx(1.69344)


def test_touching_the_chip_often_gives_exactly_what_one_look_at_the_end_does() -> None:
    """Lazy time keeping stays exact: no rounding however often it catches up."""
    room = Ambient(18.0)
    for hour in range(1, 48):
        room.set(15.0 + (hour * 7) % 16, hour * 3600 * CPS)
    once = chip(Crystal(ppm=87.25, t0=24, k=-0.035), room)
    often = chip(Crystal(ppm=87.25, t0=24, k=-0.035), room)
    rng = random.Random(1)
    for cycle in sorted(rng.randrange(2 * DAY) for _ in range(3000)):
        often.registers_at(cycle)
    assert often.offset_at(2 * DAY) == once.offset_at(2 * DAY)
    assert often.to_state() == once.to_state()


def test_an_ideal_crystal_is_the_integer_counting_it_always_was() -> None:
    rtc = chip(None, Ambient(-40.0))
    assert rtc.offset_at(30 * DAY) == 0.0
    assert rtc.to_state()["frac"] == 0
    assert rtc.rate_ppm_at(0) == 0.0


def test_time_on_the_battery_counts_at_the_crystals_rate_with_the_room_going_on() -> None:
    room = Ambient(25.0)
    room.set(15.0, 10 * DAY)  # colder while the board is off
    rtc = chip(Crystal(ppm=50, t0=25, k=-0.034), room)
    rtc.power_off(DAY)
    assert rtc.datetime_at(20 * DAY) == START + dt.timedelta(days=20, seconds=int(
        (50 * 10 + (50 - 3.4) * 10) * 0.0864))
    rtc.power_on(20 * DAY)
    assert rtc.offset_at(20 * DAY) == pytest.approx((50 * 10 + 46.6 * 10) * 0.0864, abs=1e-9)


def test_the_time_away_between_runs_counts_at_the_rate_of_the_room_as_the_run_starts() -> None:
    rtc = chip(Crystal(ppm=87, t0=25, k=-0.034), Ambient(25.0))
    rtc.registers_at(5 * CPS)
    saved = json.loads(json.dumps(rtc.to_state()))
    again = DS1302(PortBus(), "P3.5", "P3.6", "P3.4", cycles_per_second=CPS,
                   crystal=Crystal(ppm=87, t0=25, k=-0.034), ambient=Ambient(35.0))
    again.from_state(saved)
    again.rebase(0, 30 * 86_400)  # 30 days away at 35 C: 87 - 3.4 = 83.6 ppm
    gained = 87e-6 * 5 + 83.6e-6 * 30 * 86_400  # 0.000435 + 216.6912 s
    assert again.offset_at(0) == pytest.approx(gained, abs=1e-9)
    assert again.true_datetime_at(0) == START + dt.timedelta(days=30, seconds=5)
    assert again.clock_datetime_at(0) == START + dt.timedelta(days=30, seconds=5 + 216,
                                                              microseconds=691635)


def test_a_version_1_state_loads_with_the_clocks_own_time_as_the_true_time() -> None:
    rtc = chip(None)
    rtc.registers_at(3 * CPS)
    v1 = rtc.to_state()
    for key in ("version", "frac", "true_s", "true_cycle"):
        del v1[key]
    again = DS1302(PortBus(), "P3.5", "P3.6", "P3.4", cycles_per_second=CPS,
                   crystal=Crystal(ppm=100, k=0))
    again.from_state(v1)
    again.rebase(0, 10.0)  # 10.001 s away at 100 ppm: the clock's own time, to a cycle
    assert again.true_datetime_at(0) == START + dt.timedelta(seconds=13, microseconds=999)
    assert again.offset_at(0) == pytest.approx(0.0, abs=1 / CPS)
    assert again.offset_at(10_000 * CPS) == pytest.approx(1.0, abs=1 / CPS)  # 100 ppm


def burst(mcu: Mcu, when: dt.datetime, at: int) -> None:
    """The program writes the clock burst (the time ``when``) at cycle ``at``."""
    def bcd(v: int) -> int:
        return (v // 10) << 4 | v % 10
    mcu.t = at
    mcu.write(0xBE, bcd(when.second), bcd(when.minute), bcd(when.hour), bcd(when.day),
              bcd(when.month), when.isoweekday(), bcd(when.year - 2000), 0x00)


def test_a_correction_keeps_the_true_time_and_a_set_moves_it() -> None:
    bus = PortBus()
    rtc = chip(Crystal(ppm=87, k=0), bus=bus)
    mcu = Mcu(bus)
    # 30 days on: 225.5 s fast; the program steps it back by 225 s (a catch-up)
    at = 30 * DAY
    shown = rtc.datetime_at(at)
    assert shown is not None
    burst(mcu, shown - dt.timedelta(seconds=225), at)
    assert rtc.true_datetime_at(mcu.t) == START + dt.timedelta(days=30, microseconds=
                                                             (mcu.t - at) * 10**6 // CPS)
    assert abs(rtc.offset_at(mcu.t)) < 1.0  # what is left: the fraction, now reset
    # a one-second step the wrong way is still a correction (within 2 s)
    shown = rtc.datetime_at(mcu.t)
    assert shown is not None
    burst(mcu, shown - dt.timedelta(seconds=1), mcu.t + CPS // 4)
    assert -2.0 < rtc.offset_at(mcu.t) < -0.5
    # a set to another time moves the true time with it
    other = dt.datetime(2031, 6, 1, 8, 0, 0)
    burst(mcu, other, mcu.t + CPS)
    assert rtc.offset_at(mcu.t) == 0.0
    assert rtc.true_datetime_at(mcu.t) == other
    # and set_datetime (--rtc, the browser view) always does
    rtc.set_datetime(dt.datetime(2040, 1, 1), mcu.t + CPS)
    assert rtc.true_datetime_at(mcu.t + CPS) == dt.datetime(2040, 1, 1)


def test_the_first_start_of_a_fresh_chip_sets_its_true_time() -> None:
    bus = PortBus()
    rtc = DS1302(bus, "P3.5", "P3.6", "P3.4", cycles_per_second=CPS, power_on_wp=0,
                 crystal=Crystal(ppm=-20, k=0))
    assert rtc.true_datetime_at(5 * CPS) is None and rtc.offset_at(5 * CPS) is None
    mcu = Mcu(bus)
    burst(mcu, START, 5 * CPS)
    assert rtc.true_datetime_at(mcu.t) == START
    assert rtc.offset_at(mcu.t + 1000 * CPS) == pytest.approx(-0.02, abs=1e-9)


def test_the_profile_fields_and_the_run_option_make_the_crystal() -> None:
    assert crystal_for({}) is None
    assert crystal_for({"crystal_ppm": None, "crystal_t0": None, "crystal_k": None}) is None
    assert crystal_for({"crystal_ppm": 87.0}) == Crystal(87.0, 25.0, -0.034)
    assert crystal_for({"crystal_ppm": 87.0, "crystal_k": 0.0}, {"ppm": -20.0}) == \
        Crystal(-20.0, 25.0, 0.0)
    assert crystal_for({}, {"t0": 20.0}) == Crystal(0.0, 20.0, -0.034)
    with pytest.raises(ValueError, match="crystal ppm: 2000.0 is outside -1000..1000"):
        Crystal(ppm=2000.0)
