"""DS1302 model driven at pin level, as an 8051 bit-banging CE/SCLK/IO would."""

from __future__ import annotations

import datetime as dt
import json
import random

import pytest
from boardprofile import parse_pin

from sim.bus.pins import PortBus
from sim.devices.ds1302 import DS1302, decode_trickle

CPS = 921_600
CE, SCLK, IO = parse_pin("P3.5"), parse_pin("P3.6"), parse_pin("P3.4")


class Mcu:
    """The MCU side: writes port latches with explicit cycles, ``step`` cycles apart."""

    def __init__(self, bus: PortBus, step: int = 2) -> None:
        self.bus = bus
        self.t = 0
        self.step = step
        self.set(CE, 0)
        self.set(SCLK, 0)

    def set(self, pin: tuple[int, int], level: int) -> None:
        port, bit = pin
        latch = self.bus.latch[port]
        latch = latch | 1 << bit if level else latch & ~(1 << bit)
        self.t += self.step
        self.bus.write_latch(port, latch, self.t)

    def send(self, byte: int) -> None:
        for i in range(8):
            self.set(IO, byte >> i & 1)
            self.set(SCLK, 1)
            self.set(SCLK, 0)

    def receive(self) -> int:
        self.set(IO, 1)  # release: the quasi-bidirectional pin can now be pulled low
        value = 0
        for i in range(8):
            value |= self.bus.pin(*IO) << i
            self.set(SCLK, 1)
            self.set(SCLK, 0)
        return value

    def write(self, cmd: int, *data: int) -> None:
        self.set(CE, 1)
        self.send(cmd)
        for b in data:
            self.send(b)
        self.set(CE, 0)

    def read(self, cmd: int, count: int = 1) -> list[int]:
        self.set(CE, 1)
        self.send(cmd)
        out = [self.receive() for _ in range(count)]
        self.set(CE, 0)
        return out


@pytest.fixture
def bus() -> PortBus:
    return PortBus()


@pytest.fixture
def chip(bus: PortBus) -> DS1302:
    return DS1302(bus, "P3.5", "P3.6", "P3.4", cycles_per_second=CPS, power_on_wp=0)


@pytest.fixture
def mcu(bus: PortBus, chip: DS1302) -> Mcu:
    return Mcu(bus)


def kinds(chip: DS1302) -> list[str]:
    return [v.kind for v in chip.violations]


# -- fresh chip ------------------------------------------------------------------------------


def test_fresh_chip_is_halted_with_write_protect_set(bus: PortBus) -> None:
    chip = DS1302(bus, CE, SCLK, IO)
    mcu = Mcu(bus)
    assert chip.halted and chip.write_protected
    assert chip.datetime_at(CPS * 10) is None
    mcu.t = CPS * 10
    assert mcu.read(0x81) == [0x80]
    assert mcu.read(0x8F) == [0x80]


def test_clearing_wp_then_ch_starts_the_clock(bus: PortBus) -> None:
    chip = DS1302(bus, CE, SCLK, IO)
    mcu = Mcu(bus)
    mcu.write(0x8E, 0x00)
    mcu.write(0x80, 0x00)
    start = mcu.t
    assert chip.datetime_at(start) == dt.datetime(2000, 1, 1, 0, 0, 0)
    assert chip.datetime_at(start + 3 * CPS) == dt.datetime(2000, 1, 1, 0, 0, 3)
    assert chip.violations == []


# -- reads ---------------------------------------------------------------------------------


def test_single_register_read_returns_bcd_time(chip: DS1302, mcu: Mcu) -> None:
    chip.set_datetime(dt.datetime(2024, 5, 17, 13, 45, 30), cycle=0)
    assert mcu.read(0x81) == [0x30]
    assert mcu.read(0x83) == [0x45]
    assert mcu.read(0x85) == [0x13]
    assert mcu.read(0x87) == [0x17]
    assert mcu.read(0x89) == [0x05]
    assert mcu.read(0x8B) == [5]  # Friday, ISO weekday
    assert mcu.read(0x8D) == [0x24]
    assert chip.violations == []


def test_extra_clocks_in_a_single_read_resend_the_byte(chip: DS1302, mcu: Mcu) -> None:
    chip.set_datetime(dt.datetime(2024, 5, 17, 13, 45, 30), cycle=0)
    assert mcu.read(0x83, count=3) == [0x45, 0x45, 0x45]


def test_first_read_bit_is_driven_on_the_falling_edge_after_the_command(
    bus: PortBus, chip: DS1302, mcu: Mcu
) -> None:
    chip.set_datetime(dt.datetime(2024, 5, 17, 13, 45, 30), cycle=0)  # seconds 0x30: bit0 = 0
    mcu.set(CE, 1)
    for i in range(7):
        mcu.set(IO, 0x81 >> i & 1)
        mcu.set(SCLK, 1)
        mcu.set(SCLK, 0)
    mcu.set(IO, 1)
    mcu.set(SCLK, 1)  # 8th command bit sampled
    assert bus.pin(*IO) == 1  # not driven yet
    mcu.set(SCLK, 0)
    assert bus.pin(*IO) == 0  # bit 0 of 0x30
    mcu.set(SCLK, 1)
    assert bus.pin(*IO) == 1  # released on the rising edge
    mcu.set(SCLK, 0)
    mcu.set(CE, 0)
    assert bus.pin(*IO) == 1


def test_burst_read_returns_the_ce_rise_snapshot_across_a_rollover(chip: DS1302, mcu: Mcu) -> None:
    chip.set_datetime(dt.datetime(2024, 12, 31, 23, 59, 59), cycle=0)
    mcu.t = CPS - 60  # 23:59:59.9999: the burst (8 bytes, ~290 cycles) spans midnight
    start = mcu.t
    regs = mcu.read(0xBF, count=8)
    assert mcu.t > CPS > start
    assert regs == [0x59, 0x59, 0x23, 0x31, 0x12, 2, 0x24, 0x00]
    assert mcu.read(0xBF, count=7) == [0x00, 0x00, 0x00, 0x01, 0x01, 3, 0x25]
    assert chip.violations == []


def test_reading_with_ce_low_never_drives_io(bus: PortBus, chip: DS1302, mcu: Mcu) -> None:
    chip.set_datetime(dt.datetime(2024, 1, 1), cycle=0)
    levels: list[int] = []
    bus.watch(*IO, lambda level, cycle: levels.append(level))
    mcu.send(0x81)
    assert mcu.receive() == 0xFF
    assert levels == [0, 1]  # only the MCU's own command bits (0x81, LSB first)
    assert bus.ext[IO[0]] >> IO[1] & 1 == 1
    assert chip.violations == []


# -- writes --------------------------------------------------------------------------------


def test_single_register_write_takes_effect_when_ce_falls(chip: DS1302, mcu: Mcu) -> None:
    chip.set_datetime(dt.datetime(2024, 5, 17, 13, 45, 30), cycle=0)
    mcu.set(CE, 1)
    mcu.send(0x82)
    mcu.send(0x12)
    assert chip.registers_at(mcu.t)[1] == 0x45  # not yet
    mcu.set(CE, 0)
    assert chip.registers_at(mcu.t)[1] == 0x12
    assert chip.violations == []


def test_write_with_wp_set_changes_nothing(chip: DS1302, mcu: Mcu) -> None:
    chip.set_datetime(dt.datetime(2024, 5, 17, 13, 45, 30), cycle=0)
    mcu.write(0x8E, 0x80)
    before = chip.registers_at(mcu.t)
    mcu.write(0x82, 0x00)
    mcu.write(0xC0, 0x55)
    mcu.write(0x90, 0xA5)
    mcu.write(0xBE, 0, 0, 0, 1, 1, 1, 0, 0x00)  # not even the control byte
    assert chip.registers_at(mcu.t) == before
    assert chip.ram[0] == 0 and chip.trickle == 0
    assert chip.write_protected
    assert kinds(chip) == ["write-protected"] * 4
    mcu.write(0x8E, 0x00)  # the control register itself always accepts writes
    assert not chip.write_protected


def test_clock_burst_write_of_8_bytes_sets_time_and_control(chip: DS1302, mcu: Mcu) -> None:
    mcu.write(0xBE, 0x56, 0x34, 0x12, 0x29, 0x02, 4, 0x24, 0x80)
    assert chip.datetime_at(mcu.t) == dt.datetime(2024, 2, 29, 12, 34, 56)
    assert chip.write_protected
    assert chip.violations == []


def test_clock_burst_write_with_only_7_bytes_does_nothing(chip: DS1302, mcu: Mcu) -> None:
    chip.set_datetime(dt.datetime(2024, 5, 17, 13, 45, 30), cycle=0)
    mcu.write(0xBE, 0x00, 0x00, 0x00, 0x01, 0x01, 1, 0x00)
    assert chip.datetime_at(mcu.t) == dt.datetime(2024, 5, 17, 13, 45, 30)
    assert kinds(chip) == ["short-burst"]


def test_seconds_write_resets_the_subsecond_phase(chip: DS1302, mcu: Mcu) -> None:
    chip.set_datetime(dt.datetime(2024, 5, 17, 13, 45, 30), cycle=0)
    mcu.t = int(0.7 * CPS)
    assert chip.phase_ms(mcu.t) == pytest.approx(700, abs=0.01)
    mcu.write(0x80, 0x10)
    written = mcu.t  # CE fell here
    assert chip.subsecond_cycles(written) == 0
    assert chip.datetime_at(written + CPS - 1) == dt.datetime(2024, 5, 17, 13, 45, 10)
    assert chip.datetime_at(written + CPS) == dt.datetime(2024, 5, 17, 13, 45, 11)


def test_other_register_writes_keep_the_phase(chip: DS1302, mcu: Mcu) -> None:
    chip.set_datetime(dt.datetime(2024, 5, 17, 13, 45, 30), cycle=0)
    mcu.t = int(0.5 * CPS)
    mcu.write(0x82, 0x00)
    assert chip.datetime_at(CPS) == dt.datetime(2024, 5, 17, 13, 0, 31)


def test_ch_set_halts_and_keeps_the_time(chip: DS1302, mcu: Mcu) -> None:
    chip.set_datetime(dt.datetime(2024, 5, 17, 13, 45, 30), cycle=0)
    mcu.write(0x80, 0x80 | 0x30)
    assert chip.halted
    assert chip.datetime_at(mcu.t + 100 * CPS) is None
    assert chip.registers_at(mcu.t + 200 * CPS)[:2] == [0xB0, 0x45]


def test_illogical_values_are_recorded(chip: DS1302, mcu: Mcu) -> None:
    mcu.write(0x88, 0x13)  # month 13
    mcu.write(0x86, 0x32)  # date 32
    mcu.write(0x82, 0x5A)  # bad BCD
    assert kinds(chip) == ["illogical-value"] * 3


def test_burst_writing_feb_30_is_recorded(chip: DS1302, mcu: Mcu) -> None:
    mcu.write(0xBE, 0x00, 0x00, 0x00, 0x30, 0x02, 1, 0x23, 0x00)
    assert kinds(chip) == ["illogical-value"]
    assert "does not exist" in chip.violations[0].detail


def test_clock_counting_over_feb_30_is_recorded_once(chip: DS1302, mcu: Mcu) -> None:
    chip.set_datetime(dt.datetime(2023, 2, 28, 10, 0, 0), cycle=0)
    mcu.write(0x86, 0x30)  # single writes cannot tell; the chip then counts over Feb 30
    chip.datetime_at(mcu.t + 5 * CPS)
    chip.datetime_at(mcu.t + 9 * CPS)
    assert kinds(chip) == ["illogical-running"]


def test_command_with_bit7_clear_is_ignored(chip: DS1302, mcu: Mcu) -> None:
    chip.set_datetime(dt.datetime(2024, 5, 17, 13, 45, 30), cycle=0)
    mcu.write(0x02, 0x00)
    assert chip.registers_at(mcu.t)[1] == 0x45
    assert kinds(chip) == ["command-bit7"]


# -- calendar ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("start", "after"),
    [
        (dt.datetime(2024, 2, 28, 23, 59, 59), dt.datetime(2024, 2, 29, 0, 0, 0)),
        (dt.datetime(2024, 2, 29, 23, 59, 59), dt.datetime(2024, 3, 1, 0, 0, 0)),
        (dt.datetime(2023, 2, 28, 23, 59, 59), dt.datetime(2023, 3, 1, 0, 0, 0)),
        (dt.datetime(2000, 2, 28, 23, 59, 59), dt.datetime(2000, 2, 29, 0, 0, 0)),
        (dt.datetime(2024, 4, 30, 23, 59, 59), dt.datetime(2024, 5, 1, 0, 0, 0)),
        (dt.datetime(2024, 12, 31, 23, 59, 59), dt.datetime(2025, 1, 1, 0, 0, 0)),
    ],
)
def test_rollover_one_second_later(chip: DS1302, start: dt.datetime, after: dt.datetime) -> None:
    chip.set_datetime(start, cycle=0)
    assert chip.datetime_at(CPS) == after


def test_year_2099_wraps_to_2000_so_2100_is_never_reached(chip: DS1302) -> None:
    chip.set_datetime(dt.datetime(2099, 12, 31, 23, 59, 59), cycle=0)
    assert chip.datetime_at(CPS) == dt.datetime(2000, 1, 1, 0, 0, 0)
    chip.set_datetime(dt.datetime(2099, 2, 28, 23, 59, 59), cycle=CPS)
    assert chip.datetime_at(2 * CPS) == dt.datetime(2099, 3, 1, 0, 0, 0)


def test_advancing_80_years_is_arithmetic_and_exact(chip: DS1302) -> None:
    start = dt.datetime(2001, 3, 4, 5, 6, 7)
    chip.set_datetime(start, cycle=0)
    seconds = 80 * 365 * 86_400 + 12_345
    assert chip.datetime_at(seconds * CPS) == start + dt.timedelta(seconds=seconds)
    expected_day = (start + dt.timedelta(seconds=seconds)).isoweekday()
    assert chip.registers_at(seconds * CPS)[5] == expected_day


def test_random_spans_match_python_datetime_arithmetic(chip: DS1302) -> None:
    rng = random.Random(1302)
    cycle = 0
    for _ in range(300):
        start = dt.datetime(2000, 1, 1) + dt.timedelta(seconds=rng.randrange(90 * 365 * 86_400))
        span = rng.choice([1, 59, 3600, 86_399, 86_400, rng.randrange(9 * 365 * 86_400)])
        chip.set_datetime(start, cycle)
        cycle += span * CPS
        end = start + dt.timedelta(seconds=span)
        assert chip.datetime_at(cycle) == end
        assert chip.registers_at(cycle)[5] == end.isoweekday()


def test_day_of_week_steps_at_midnight_from_7_to_1(chip: DS1302, mcu: Mcu) -> None:
    chip.set_datetime(dt.datetime(2024, 5, 19, 23, 59, 59), cycle=0)  # Sunday = 7
    assert chip.registers_at(0)[5] == 7
    assert chip.registers_at(CPS)[5] == 1


def test_12_hour_mode_counts_through_noon_and_midnight(chip: DS1302, mcu: Mcu) -> None:
    mcu.write(0xBE, 0x59, 0x59, 0x80 | 0x11, 0x17, 0x05, 5, 0x24, 0x00)  # 11:59:59 AM
    t = mcu.t
    assert chip.datetime_at(t) == dt.datetime(2024, 5, 17, 11, 59, 59)
    assert chip.registers_at(t + CPS)[2] == 0x80 | 0x20 | 0x12  # 12 PM
    assert chip.datetime_at(t + CPS) == dt.datetime(2024, 5, 17, 12, 0, 0)
    assert chip.registers_at(t + CPS + 3600 * CPS)[2] == 0x80 | 0x20 | 0x01  # 1 PM
    chip.set_datetime(dt.datetime(2024, 5, 17, 23, 59, 59), cycle=t + 2 * 3600 * CPS, hour12=True)
    assert chip.registers_at(t + 2 * 3600 * CPS)[2] == 0x80 | 0x20 | 0x11
    assert chip.registers_at(t + 2 * 3600 * CPS + CPS)[2] == 0x80 | 0x12  # 12 AM
    assert chip.violations == []


def test_hours_register_bit6_set_is_illogical(chip: DS1302, mcu: Mcu) -> None:
    mcu.write(0x84, 0x40)
    assert kinds(chip) == ["illogical-value"]


# -- RAM and trickle -----------------------------------------------------------------------


def test_ram_single_and_burst_access(chip: DS1302, mcu: Mcu) -> None:
    mcu.write(0xC0 + 2 * 5, 0xA5)
    assert chip.ram[5] == 0xA5
    assert mcu.read(0xC1 + 2 * 5) == [0xA5]
    data = list(range(31))
    mcu.write(0xFE, *data)
    assert mcu.read(0xFF, count=31) == data


def test_partial_ram_burst_keeps_the_bytes_sent(chip: DS1302, mcu: Mcu) -> None:
    mcu.write(0xFE, *([0xEE] * 31))
    mcu.write(0xFE, 1, 2, 3)
    assert list(chip.ram[:5]) == [1, 2, 3, 0xEE, 0xEE]
    assert chip.violations == []


@pytest.mark.parametrize(
    ("reg", "enabled", "diodes", "ohms"),
    [
        (0xA5, True, 1, 2000),
        (0xA6, True, 1, 4000),
        (0xAB, True, 2, 8000),
        (0xA9, True, 2, 2000),
        (0xA4, False, 0, 0),  # RS = 00: no resistor, disabled
        (0xAD, False, 0, 0),  # DS = 11: disabled
        (0x5C, False, 0, 0),
        (0x00, False, 0, 0),
    ],
)
def test_trickle_register_decoding(reg: int, enabled: bool, diodes: int, ohms: int) -> None:
    t = decode_trickle(reg)
    assert (t.enabled, t.diodes, t.resistor_ohms) == (enabled, diodes, ohms)


def test_trickle_register_written_by_pins_and_not_in_bursts(chip: DS1302, mcu: Mcu) -> None:
    mcu.write(0x90, 0xA7)
    assert mcu.read(0x91) == [0xA7]
    setting = chip.trickle_setting()
    assert (setting.diodes, setting.resistor_ohms) == (1, 8000)
    assert setting.current_ma(5.0, 3.0) == pytest.approx((5.0 - 0.7 - 3.0) / 8.0)
    mcu.write(0xBE, 0, 0, 0, 1, 1, 1, 0, 0)
    assert chip.trickle == 0xA7


# -- checks --------------------------------------------------------------------------------


def test_sclk_high_when_ce_rises_is_recorded(chip: DS1302, mcu: Mcu) -> None:
    mcu.set(SCLK, 1)
    mcu.set(CE, 1)
    mcu.set(SCLK, 0)
    mcu.set(CE, 0)
    assert "sclk-high-at-ce" in kinds(chip)


def test_mcu_holding_io_low_during_a_read_is_a_bus_conflict(
    bus: PortBus, chip: DS1302, mcu: Mcu
) -> None:
    chip.set_datetime(dt.datetime(2024, 5, 17, 13, 45, 31), cycle=0)  # seconds bit 0 = 1
    mcu.set(CE, 1)
    mcu.send(0x81)
    mcu.set(IO, 0)  # the classic bug: MCU keeps driving I/O low
    mcu.set(SCLK, 1)
    mcu.set(SCLK, 0)
    mcu.set(CE, 0)
    assert "bus-conflict" in kinds(chip)


def test_12t_timing_at_5v_is_clean_but_a_1t_part_breaks_tcc(bus: PortBus) -> None:
    fast = DS1302(bus, CE, SCLK, IO, cycles_per_second=11_059_200, power_on_wp=0)
    mcu = Mcu(bus, step=1)  # 90 ns per step
    mcu.read(0x81)
    found = {v.kind for v in fast.violations}
    assert {"timing-tCC", "timing-tCH", "timing-tCL"} <= found


def test_at_2_volts_a_12t_part_breaks_tcc_and_tcwh(bus: PortBus) -> None:
    slow = DS1302(bus, CE, SCLK, IO, vcc=2.0, power_on_wp=0)
    mcu = Mcu(bus, step=1)
    mcu.read(0x81)
    mcu.read(0x81)
    found = {v.kind for v in slow.violations}
    assert {"timing-tCC", "timing-tCWH"} <= found


def test_5v_12t_transfers_break_no_timing(chip: DS1302) -> None:
    mcu = Mcu(chip.bus, step=1)
    mcu.read(0x81)
    mcu.read(0xBF, 8)
    assert chip.violations == []


# -- power and state -----------------------------------------------------------------------


def test_vcc2_off_on_battery_keeps_time_and_ram_and_ignores_pins(chip: DS1302, mcu: Mcu) -> None:
    chip.set_datetime(dt.datetime(2024, 5, 17, 13, 45, 30), cycle=0)
    mcu.write(0xC0, 0x42)
    chip.set_vcc2(False, mcu.t)
    mcu.write(0x82, 0x00)  # ignored
    assert mcu.read(0x83) == [0xFF]  # nobody drives I/O
    mcu.t = 3600 * CPS
    chip.set_vcc2(True, mcu.t)
    assert chip.datetime_at(mcu.t) == dt.datetime(2024, 5, 17, 14, 45, 30)
    assert chip.ram[0] == 0x42


def test_power_lost_without_battery_gives_a_fresh_chip(chip: DS1302, mcu: Mcu) -> None:
    chip.set_datetime(dt.datetime(2024, 5, 17, 13, 45, 30), cycle=0)
    chip.set_battery(False, 10)
    chip.set_vcc2(False, 20)
    chip.set_vcc2(True, 30)
    assert chip.halted and chip.datetime_at(40) is None


def test_state_round_trips_through_json(bus: PortBus, chip: DS1302, mcu: Mcu) -> None:
    chip.set_datetime(dt.datetime(2024, 5, 17, 13, 45, 30), cycle=0)
    mcu.write(0xC2, 0x99)
    mcu.write(0x90, 0xA5)
    mcu.t = CPS // 3
    chip.registers_at(mcu.t)
    saved = json.loads(json.dumps(chip.to_state()))
    other = DS1302(PortBus(), CE, SCLK, IO)
    other.from_state(saved)
    assert other.to_state() == chip.to_state()
    assert other.datetime_at(5 * CPS) == chip.datetime_at(5 * CPS)


def test_rebase_continues_the_saved_time_in_a_new_run(chip: DS1302) -> None:
    chip.set_datetime(dt.datetime(2024, 5, 17, 13, 45, 30), cycle=0)
    saved = chip.to_state()
    fresh = DS1302(PortBus(), CE, SCLK, IO)
    fresh.from_state(saved)
    fresh.rebase(0, elapsed_seconds=90.0)
    assert fresh.datetime_at(0) == dt.datetime(2024, 5, 17, 13, 47, 0)


def test_reset_returns_a_fresh_chip(chip: DS1302) -> None:
    chip.set_datetime(dt.datetime(2024, 5, 17), cycle=0)
    chip.reset(100)
    assert chip.halted and chip.ram == bytearray(31)
