"""LEDs on port pins: lit by the active level while powered, changes and lit time counted."""

from __future__ import annotations

import json

import pytest

from sim.bus.pins import PortBus
from sim.devices.leds import Leds
from sim.errors import StateError

CPS = 921_600


def board() -> tuple[PortBus, Leds]:
    bus = PortBus()
    leds = Leds(bus, cycles_per_second=CPS)
    leds.add("D1", "P1.0", "low")
    leds.add("PWR", "P1.1", "high")
    return bus, leds


def test_an_active_low_led_lights_when_its_pin_is_0() -> None:
    bus, leds = board()
    assert leds.lit() == {"D1": False, "PWR": True}  # latches reset to 1
    bus.write_latch(1, 0xFE, 100)
    assert leds.lit() == {"D1": True, "PWR": True}
    bus.write_latch(1, 0xFC, 200)
    assert leds.lit() == {"D1": True, "PWR": False}


def test_changes_and_lit_time_are_counted() -> None:
    bus, leds = board()
    for i in range(10):  # D1 blinks: lit 100 cycles, dark 100
        bus.write_latch(1, 0xFE, 1000 + 200 * i)
        bus.write_latch(1, 0xFF, 1100 + 200 * i)
    assert leds.changes("D1") == 20
    assert leds.lit_seconds("D1", 5000) == pytest.approx(1000 / CPS)


def test_every_led_is_dark_while_the_supply_is_off() -> None:
    bus, leds = board()
    bus.write_latch(1, 0xFE, 10)
    leds.power_off(20)
    assert leds.lit() == {"D1": False, "PWR": False}
    leds.power_on(30)
    assert leds.lit() == {"D1": True, "PWR": True}


def test_state_round_trips_and_names_a_different_wiring() -> None:
    bus, leds = board()
    bus.write_latch(1, 0xFE, 10)
    saved = json.loads(json.dumps(leds.to_state()))
    _, other = board()
    other.from_state(saved)
    assert other.to_state() == leds.to_state() and other.is_lit("D1")
    lone = Leds(PortBus())
    lone.add("X", "P2.0")
    with pytest.raises(StateError, match="leds.leds: the state has LEDs D1, PWR"):
        lone.from_state(saved)
