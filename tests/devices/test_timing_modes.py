"""Typical and strict timing in the DS1302 and DS18B20 models: a bench part takes an edge
that comes too soon (and the rule is recorded); the datasheet's worst part misses it."""

from __future__ import annotations

from sim.bus.pins import PortBus
from sim.bus.scheduler import Scheduler
from sim.devices.ds18b20 import DS18B20
from sim.devices.ds1302 import DS1302

FAST = 40_000_000 // 12  # a 40 MHz 12T MCU: 0.3 us a machine cycle
CE, SCLK, IO = 5, 6, 4  # P3.x


class Pins:
    def __init__(self, bus: PortBus) -> None:
        self.bus = bus
        self.t = 1000

    def set(self, bit: int, level: int, step: int = 1) -> None:
        self.t += step
        latch = self.bus.latch[3]
        self.bus.write_latch(3, latch | 1 << bit if level else latch & ~(1 << bit), self.t)


def write_control(pins: Pins, value: int) -> None:
    """A control register write (0x8E, value), one machine cycle (0.3 us) per pin change:
    the first SCLK rise comes 0.6 us after CE rises (tCC >= 1 us at 5 V); SCLK high and low
    for 0.3 us (tCH, tCL >= 250 ns: fine)."""
    pins.set(CE, 0)  # the port latches reset high
    pins.set(SCLK, 0)
    pins.set(CE, 1, step=10)  # 3 us after CE fell: tCWH >= 1 us met
    for byte in (0x8E, value):
        for i in range(8):
            pins.set(IO, byte >> i & 1)
            pins.set(SCLK, 1)
            pins.set(SCLK, 0)
    pins.set(CE, 0, step=10)


def test_ds1302_ce_to_clock_setup_too_short_is_taken_typical_and_missed_strict() -> None:
    for timing, wp in (("typical", False), ("strict", True)):
        bus = PortBus()
        chip = DS1302(bus, "P3.5", "P3.6", "P3.4", cycles_per_second=FAST, timing=timing)
        assert chip.write_protected  # a fresh chip: WP = 1
        write_control(Pins(bus), 0x00)
        kinds = [v.kind for v in chip.violations]
        assert "timing-tCC" in kinds
        assert chip.write_protected is wp, timing  # strict: the first bit was not clocked


def test_ds18b20_write_sampled_inside_the_window_gives_the_worst_bit_when_strict() -> None:
    """Skip ROM (0xCC, LSB first: 0 0 1 1 0 0 1 1) with its first 1 released 20 us after
    the fall: a typical part samples at 30 us and reads 1; the worst samples at 15 us and
    reads 0, so it gets 0xC8, no command at all."""
    for timing, seen in (("typical", "rom CC"), ("strict", None)):
        bus, sched = PortBus(), Scheduler()
        sensor = DS18B20(bus, "P3.7", sched.at, cycles_per_second=1_000_000, timing=timing)
        t = 100

        def line(level: int, at: int, bus: PortBus = bus, sched: Scheduler = sched) -> None:
            sched.fire_due(at)
            bus.write_latch(3, 0xFF if level else 0x7F, at)

        line(0, t)  # reset: 500 us low, then 500 us for the presence pulse
        line(1, t + 500)
        t += 1000
        for i in range(8):
            bit = 0xCC >> i & 1
            low = 20 if i == 2 else (2 if bit else 70)
            line(0, t)
            line(1, t + low)
            t += 80
        sched.fire_due(t)
        assert (seen in [what for _, what in sensor.log]) if seen else (
            "unknown ROM command 0xC8" in sensor.violations[-1].detail), timing
        assert any(v.kind == "sample-window" for v in sensor.violations)
