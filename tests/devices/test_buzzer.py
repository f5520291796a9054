"""Buzzer: sounds, their durations and tone frequency measured from pin toggles."""

from __future__ import annotations

import pytest

from sim.bus.pins import PortBus
from sim.devices.buzzer import Buzzer

CPS = 921_600
PIN = (2, 3)


def set_pin(bus: PortBus, level: int, cycle: int) -> None:
    latch = bus.latch[2]
    bus.write_latch(2, latch | 0x08 if level else latch & ~0x08, cycle)


def toggle(bus: PortBus, start: int, half_period: int, count: int) -> int:
    """``count`` full periods starting low (active for an active-low buzzer); returns end."""
    t = start
    for _ in range(count):
        set_pin(bus, 0, t)
        set_pin(bus, 1, t + half_period)
        t += 2 * half_period
    return t


def test_silent_after_reset_for_active_low() -> None:
    bus = PortBus()
    buzzer = Buzzer(bus, "P2.3", "low", cycles_per_second=CPS)
    assert not buzzer.is_sounding(0) and buzzer.sounds == []


def test_active_high_buzzer_sounds_from_reset_until_cleared() -> None:
    bus = PortBus()
    buzzer = Buzzer(bus, "P2.3", "high", cycles_per_second=CPS)
    assert buzzer.is_sounding(0)
    set_pin(bus, 0, 500)
    assert not buzzer.is_sounding(CPS)
    assert buzzer.intervals() == [(0.0, 500 / CPS, 0.0)]


def test_toggled_at_2_khz_frequency_is_measured() -> None:
    bus = PortBus()
    buzzer = Buzzer(bus, PIN, "low", cycles_per_second=CPS)
    end = toggle(bus, 1000, 230, 2000)  # period 460 cycles = 2003.5 Hz
    assert buzzer.frequency_hz() == pytest.approx(CPS / 460, rel=1e-6)
    assert buzzer.is_sounding(1000 + 230 + 5)  # in an inactive half period
    assert buzzer.is_sounding(end - 100)
    assert not buzzer.is_sounding(end + round(0.05 * CPS))
    ((start_s, duration_s, freq),) = buzzer.intervals()
    assert start_s == pytest.approx(1000 / CPS)
    assert duration_s == pytest.approx(2000 * 460 / CPS, abs=1e-3)
    assert freq == pytest.approx(2003.5, abs=0.1)


def test_active_buzzer_held_for_60_seconds() -> None:
    bus = PortBus()
    buzzer = Buzzer(bus, PIN, "low", cycles_per_second=CPS)
    set_pin(bus, 0, 5 * CPS)
    assert buzzer.intervals(now=30 * CPS) == [(5.0, 25.0, 0.0)]
    set_pin(bus, 1, 65 * CPS)
    assert buzzer.intervals() == [(5.0, 60.0, 0.0)]
    assert buzzer.is_sounding(40 * CPS) and not buzzer.is_sounding(66 * CPS)


def test_beeps_separated_by_silence_are_separate_sounds() -> None:
    bus = PortBus()
    buzzer = Buzzer(bus, PIN, "low", cycles_per_second=CPS)
    end = toggle(bus, 0, 230, 200)
    gap = round(0.1 * CPS)
    toggle(bus, end + gap, 115, 400)  # 4 kHz
    first, second = buzzer.intervals()
    assert first[2] == pytest.approx(CPS / 460)
    assert second[2] == pytest.approx(CPS / 230)
    assert not buzzer.is_sounding(end + gap // 2)
    assert buzzer.frequency_hz(end + gap + 1000) == pytest.approx(CPS / 230)


def test_state_round_trip() -> None:
    bus = PortBus()
    buzzer = Buzzer(bus, PIN, "low", cycles_per_second=CPS)
    toggle(bus, 0, 230, 10)
    other = Buzzer(PortBus(), PIN, "low", cycles_per_second=CPS)
    other.from_state(buzzer.to_state())
    assert other.to_state() == buzzer.to_state()
