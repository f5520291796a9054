"""DS18B20 model alone, driven pin by pin like a 1-Wire master, from the datasheet.

The master here is a test harness on a PortBus pin (latch 0 = pull low, 1 = release) with a
clock of 10 MHz "cycles", so every instant is exact to 0.1 us; scheduled device events fire
at their own cycle before each master action.
"""

from __future__ import annotations

import pytest

from sim.bus.pins import PortBus
from sim.bus.scheduler import Scheduler
from sim.devices.ds18b20 import DS18B20, crc8, raw_temperature, rom_code

CPS = 10_000_000
PORT, BIT = 3, 7


class Master:
    def __init__(self, **kw: object) -> None:
        self.bus = PortBus()
        self.sched = Scheduler()
        self.now = 0
        self.dev = DS18B20(self.bus, (PORT, BIT), self.sched.at, cycles_per_second=CPS,
                           **kw)  # type: ignore[arg-type]

    # -- time and the line ---------------------------------------------------------------
    def wait(self, us: float) -> None:
        self.now += round(us * 10)
        self.sched.fire_due(self.now)

    def low(self) -> None:
        self.sched.fire_due(self.now)
        self.bus.write_latch(PORT, 0xFF & ~(1 << BIT), self.now)

    def release(self) -> None:
        self.sched.fire_due(self.now)
        self.bus.write_latch(PORT, 0xFF, self.now)

    def line(self) -> int:
        self.sched.fire_due(self.now)
        return self.bus.pin(PORT, BIT)

    def kinds(self) -> list[str]:
        return [v.kind for v in self.dev.violations]

    # -- 1-Wire, with datasheet-typical timing -------------------------------------------
    def reset(self, low_us: float = 500, sample_us: float = 70, rest_us: float = 430) -> bool:
        self.low()
        self.wait(low_us)
        self.release()
        self.wait(sample_us)
        present = self.line() == 0
        self.wait(rest_us)
        return present

    def write_bit(self, bit: int, low_us: float | None = None, slot_us: float = 70) -> None:
        low = low_us if low_us is not None else (3 if bit else 65)
        self.low()
        self.wait(low)
        self.release()
        self.wait(slot_us - low)

    def read_bit(self, sample_us: float = 12, low_us: float = 2, slot_us: float = 70) -> int:
        self.low()
        self.wait(low_us)
        self.release()
        self.wait(sample_us - low_us)
        bit = self.line()
        self.wait(slot_us - sample_us)
        return bit

    def write(self, *data: int) -> None:
        for byte in data:
            for i in range(8):
                self.write_bit(byte >> i & 1)

    def read(self, n: int) -> bytes:
        out = bytearray()
        for _ in range(n):
            b = 0
            for i in range(8):
                b |= self.read_bit() << i
            out.append(b)
        return bytes(out)

    def scratchpad(self) -> bytes:
        assert self.reset()
        self.write(0xCC, 0xBE)
        return self.read(9)

    def convert(self, wait_ms: float = 760) -> None:
        assert self.reset()
        self.write(0xCC, 0x44)
        self.wait(wait_ms * 1000)


# ---------------------------------------------------------------- reset and presence

@pytest.mark.parametrize(("wait_us", "pulse_us"), [(30, 120), (15, 60), (60, 60), (60, 240),
                                                   (15, 240)])
def test_presence_pulse_follows_the_reset_release_as_configured(wait_us: float,
                                                                pulse_us: float) -> None:
    m = Master(presence_wait_us=wait_us, presence_us=pulse_us)
    m.low()
    m.wait(480)
    m.release()
    m.wait(wait_us - 0.1)
    assert m.line() == 1                       # still waiting (tPDHIGH)
    m.wait(0.2)
    assert m.line() == 0                       # presence
    m.wait(pulse_us - 0.2)
    assert m.line() == 0
    m.wait(0.2)
    assert m.line() == 1                       # released after tPDLOW
    # the window every part satisfies: low from 60 to 75 us after the release
    assert wait_us <= 60 and wait_us + pulse_us >= 75
    m.wait(480)
    assert m.kinds() == []


def test_presence_timing_outside_the_datasheet_is_refused() -> None:
    with pytest.raises(ValueError):
        Master(presence_wait_us=10)
    with pytest.raises(ValueError):
        Master(presence_us=300)


def test_a_low_shorter_than_480_us_is_no_reset() -> None:
    m = Master()
    m.low()
    m.wait(470)
    m.release()
    m.wait(70)
    assert m.line() == 1                       # no presence pulse
    assert "tLOW0" in m.kinds()                # 470 us: neither a write-0 nor a reset


def test_an_absent_sensor_never_answers() -> None:
    m = Master(temperature=None)
    assert not m.reset()
    m.write(0xCC, 0xBE)
    assert m.read(2) == b"\xff\xff"
    assert m.bus.ext[PORT] == 0xFF             # it never pulled the line


# ---------------------------------------------------------------- ROM commands

def test_read_rom_gives_family_0x28_serial_and_crc() -> None:
    m = Master(serial=0x0123456789AB)
    assert m.reset()
    m.write(0x33)
    rom = m.read(8)
    assert rom[0] == 0x28
    assert rom[1:7] == bytes.fromhex("AB8967452301")
    assert crc8(rom[:7]) == rom[7] and crc8(rom) == 0
    assert rom == rom_code(0x0123456789AB)


def test_match_rom_selects_only_the_matching_sensor() -> None:
    m = Master()
    rom = m.dev.rom
    assert m.reset()
    m.write(0x55, *rom, 0xBE)
    assert crc8(m.read(9)) == 0                 # selected: a valid scratchpad
    assert m.reset()
    m.write(0x55, *bytes([rom[0] ^ 1]) + rom[1:], 0xBE)
    assert m.read(9) == b"\xff" * 9             # another ROM: the sensor stays silent


def test_search_rom_finds_the_one_sensor() -> None:
    m = Master()
    assert m.reset()
    m.write(0xF0)
    bits = []
    for _ in range(64):
        b, nb = m.read_bit(), m.read_bit()
        assert b != nb                           # one sensor: never a discrepancy
        bits.append(b)
        m.write_bit(b)
    found = bytes(sum(bits[i * 8 + j] << j for j in range(8)) for i in range(8))
    assert found == m.dev.rom
    m.write(0xBE)                                # selected after the search
    assert crc8(m.read(9)) == 0


def test_search_rom_with_the_wrong_direction_deselects() -> None:
    m = Master()
    assert m.reset()
    m.write(0xF0)
    b = m.read_bit()
    m.read_bit()
    m.write_bit(b ^ 1)
    assert [m.read_bit() for _ in range(4)] == [1, 1, 1, 1]


def test_alarm_search_answers_only_with_the_alarm_flag() -> None:
    m = Master(temperature=25.0)
    assert m.reset()
    m.write(0xCC, 0x4E, 30, 10, 0x7F)            # TH 30 C, TL 10 C
    m.convert()
    assert m.reset()
    m.write(0xEC)
    assert (m.read_bit(), m.read_bit()) == (1, 1)   # 25 C between TL and TH: silent
    m.dev.set_temperature(30.0, m.now)          # T >= TH
    m.convert()
    assert m.reset()
    m.write(0xEC)
    b, nb = m.read_bit(), m.read_bit()
    assert b == (m.dev.rom[0] & 1) and nb == b ^ 1


# ---------------------------------------------------------------- function commands

def test_power_on_scratchpad_reads_85_c_with_a_valid_crc() -> None:
    m = Master(temperature=21.0)
    pad = m.scratchpad()
    assert pad[:2] == bytes([0x50, 0x05])       # +85 C before any conversion
    assert pad[2:8] == bytes([0x4B, 0x46, 0x7F, 0xFF, 0x0C, 0x10])
    assert crc8(pad[:8]) == pad[8]


@pytest.mark.parametrize(("celsius", "raw"), [(125, 0x07D0), (85, 0x0550), (25.0625, 0x0191),
                                              (10.125, 0x00A2), (0.5, 0x0008), (0, 0x0000),
                                              (-0.5, 0xFFF8), (-10.125, 0xFF5E),
                                              (-25.0625, 0xFE6F), (-55, 0xFC90)])
def test_conversion_gives_the_datasheet_register_values(celsius: float, raw: int) -> None:
    assert raw_temperature(celsius) == raw
    m = Master(temperature=celsius)
    m.convert()
    pad = m.scratchpad()
    assert pad[0] | pad[1] << 8 == raw
    assert crc8(pad) == 0


def test_out_of_range_temperatures_clamp_to_the_sensor_range() -> None:
    assert raw_temperature(130) == 0x07D0
    assert raw_temperature(-60) == 0xFC90


@pytest.mark.parametrize(("config", "bits", "ms", "raw"), [
    (0x1F, 9, 93.75, 0x0190), (0x3F, 10, 187.5, 0x0190), (0x5F, 11, 375.0, 0x0190),
    (0x7F, 12, 750.0, 0x0191)])
def test_conversion_time_and_resolution_follow_the_config_bits(
        config: int, bits: int, ms: float, raw: int) -> None:
    m = Master(temperature=25.0625)
    assert m.reset()
    m.write(0xCC, 0x4E, 0x4B, 0x46, config)
    assert m.dev.resolution == bits
    assert m.reset()
    m.write(0xCC, 0x44)
    start = m.now
    assert m.read_bit() == 0                    # converting
    while m.read_bit() == 0:
        assert (m.now - start) / 10 < ms * 1000 + 200
    took_ms = (m.now - start) / 10_000
    assert ms <= took_ms <= ms + 0.2
    pad = m.scratchpad()
    assert pad[0] | pad[1] << 8 == raw
    assert pad[4] == config


def test_the_temperature_is_taken_at_convert_t() -> None:
    m = Master(temperature=20.0)
    m.convert()
    m.dev.set_temperature(30.0, m.now)
    assert m.scratchpad()[:2] == raw_temperature(20.0).to_bytes(2, "little")
    m.convert()
    assert m.scratchpad()[:2] == raw_temperature(30.0).to_bytes(2, "little")


def test_write_scratchpad_keeps_fixed_config_bits_copy_and_recall() -> None:
    m = Master()
    assert m.reset()
    m.write(0xCC, 0x4E, 0x50, 0xF6, 0xFF)       # TH 80, TL -10, config with stray bits
    pad = m.scratchpad()
    assert pad[2:5] == bytes([0x50, 0xF6, 0x7F])
    assert m.reset()
    m.write(0xCC, 0x48)                          # copy to EEPROM: busy ~10 ms
    assert m.read_bit() == 0
    m.wait(10_000)
    assert m.read_bit() == 1
    assert m.reset()
    m.write(0xCC, 0x4E, 0x01, 0x02, 0x1F)
    assert m.reset()
    m.write(0xCC, 0xB8)                          # recall
    assert m.read_bit() == 1
    assert m.scratchpad()[2:5] == bytes([0x50, 0xF6, 0x7F])
    assert m.kinds() == []


def test_read_power_supply_reports_external_power() -> None:
    m = Master()
    assert m.reset()
    m.write(0xCC, 0xB4)
    assert m.read_bit() == 1


def test_reading_past_the_scratchpad_gives_ones() -> None:
    m = Master()
    assert m.reset()
    m.write(0xCC, 0xBE)
    m.read(9)
    assert m.read(2) == b"\xff\xff"


def test_crc_fault_corrupts_the_transfer_but_not_the_crc_byte() -> None:
    m = Master(temperature=23.5)
    m.convert()
    m.dev.crc_fault = True
    pad = m.scratchpad()
    assert crc8(pad[:8]) != pad[8]
    assert pad[1] == 0x05                        # 0x01 with bit 2 flipped: 87.5 C on the wire
    m.dev.crc_fault = False
    assert crc8(m.scratchpad()) == 0


# ---------------------------------------------------------------- read slot timing

def test_a_zero_is_valid_until_15_us_after_the_fall() -> None:
    m = Master()
    m.convert()                                  # temp 25 C = 0x0190: LSB bit 0 is 0
    assert m.reset()
    m.write(0xCC, 0xBE)
    assert m.read_bit(sample_us=14.9) == 0
    assert m.read_bit(sample_us=15.1) == 1      # bit 1 of 0x90 is 0 as well: gone at 15 us
    assert m.kinds() == []


def test_write_bits_are_sampled_by_the_datasheet_window() -> None:
    m = Master()
    assert m.reset()
    # 0xCC with write-1 lows of 1 us and 14 us, write-0 lows of 60 us and 120 us
    for i, bit in enumerate((0, 0, 1, 1, 0, 0, 1, 1)):
        m.write_bit(bit, low_us=(1, 14)[i % 2] if bit else (60, 120)[i % 2], slot_us=130)
    m.write(0xBE)
    assert crc8(m.read(9)) == 0
    assert m.kinds() == []


# ---------------------------------------------------------------- violations

def test_a_clean_transaction_records_nothing() -> None:
    m = Master()
    m.convert()
    m.scratchpad()
    assert m.dev.violations == []
    assert [e for _, e in m.dev.log] == ["reset", "rom CC", "cmd 44", "reset", "rom CC",
                                         "cmd BE"]


def test_violation_low_shorter_than_1_us() -> None:
    m = Master()
    assert m.reset()
    m.write_bit(1, low_us=0.5)
    assert m.kinds() == ["tLOW1"]


@pytest.mark.parametrize("low_us", [15.0, 30.0, 59.9])
def test_violation_release_inside_the_sampling_window(low_us: float) -> None:
    m = Master()
    assert m.reset()
    m.write_bit(0, low_us=low_us, slot_us=low_us + 10)
    assert m.kinds() == ["sample-window"]


def test_violation_write_zero_low_too_long() -> None:
    m = Master()
    assert m.reset()
    m.write_bit(0, low_us=200, slot_us=210)
    assert m.kinds() == ["tLOW0"]


def test_violation_master_holds_a_read_slot_low() -> None:
    m = Master()
    m.convert()
    assert m.reset()
    m.write(0xCC, 0xBE)
    m.read_bit(low_us=20, sample_us=25)          # the sensor sends 0 and lets go at 15 us
    m.read_bit(low_us=20, sample_us=25)
    assert m.kinds() == ["read-slot", "read-slot"]


def test_violation_slot_too_short() -> None:
    m = Master()
    assert m.reset()
    m.write_bit(1, slot_us=40)
    m.write_bit(1, slot_us=70)
    assert m.kinds() == ["tSLOT"]


def test_violation_recovery_too_short() -> None:
    m = Master()
    assert m.reset()
    m.write_bit(0, low_us=70, slot_us=70.5)     # high again for only 0.5 us
    m.write_bit(1)
    assert m.kinds() == ["tREC"]


def test_violation_slot_too_soon_after_the_reset() -> None:
    m = Master()
    assert m.reset(rest_us=100)                  # first slot 170 us after the release
    m.write(0xCC)
    assert m.kinds() == ["tRSTH"]


def test_violation_master_pulls_low_during_the_presence_pulse() -> None:
    m = Master()
    m.low()
    m.wait(500)
    m.release()
    m.wait(70)
    m.low()                                      # during the presence pulse (30..150 us)
    m.wait(100)
    m.release()
    m.wait(500)
    assert "tRSTH" in m.kinds()


def test_violation_unknown_commands_and_a_cut_short_write_scratchpad() -> None:
    m = Master()
    assert m.reset()
    m.write(0x12)
    assert m.reset()
    m.write(0xCC, 0x99)
    assert m.reset()
    m.write(0xCC, 0x4E, 0x10)
    assert m.reset()
    assert [v.kind for v in m.dev.violations] == ["protocol"] * 3
    text = " ".join(str(v) for v in m.dev.violations)
    assert "0x12" in text and "0x99" in text and "1 of 3 bytes" in text


def test_the_sensor_only_ever_pulls_low() -> None:
    m = Master()
    m.convert()
    m.scratchpad()
    assert m.bus.conflicts == []
    assert all(hi == 0 for _, hi in m.bus.drives(PORT).values())


def test_two_sensors_wired_and_on_one_line_are_both_found_by_search_rom() -> None:
    """Wired AND: both sensors answer each search bit; the master resolves discrepancies
    (the datasheet's search algorithm) and then addresses each one with Match ROM."""
    m = Master(serial=0x000000000005, temperature=10.0)
    other = DS18B20(m.bus, (PORT, BIT), m.sched.at, cycles_per_second=CPS,
                    serial=0x000000000003, temperature=-20.0, name="ds18b20-2")
    found: list[bytes] = []
    last_zero_fork = -1
    prev: list[int] = []
    while True:
        assert m.reset()
        m.write(0xF0)
        bits: list[int] = []
        fork = -1
        for i in range(64):
            b, nb = m.read_bit(), m.read_bit()
            assert (b, nb) != (1, 1)
            if b != nb:
                choice = b
            elif i < last_zero_fork:
                choice = prev[i]
            else:
                choice = 1 if i == last_zero_fork else 0
            if b == nb and choice == 0:
                fork = i
            bits.append(choice)
            m.write_bit(choice)
        found.append(bytes(sum(bits[k * 8 + j] << j for j in range(8)) for k in range(8)))
        prev, last_zero_fork = bits, fork
        if fork < 0:
            break
    assert sorted(found) == sorted([m.dev.rom, other.rom])
    for dev, celsius in ((m.dev, 10.0), (other, -20.0)):
        assert m.reset()
        m.write(0x55, *dev.rom, 0x44)
        m.wait(760_000)
        assert m.reset()
        m.write(0x55, *dev.rom, 0xBE)
        pad = m.read(9)
        assert crc8(pad) == 0 and pad[0] | pad[1] << 8 == raw_temperature(celsius)
    assert m.dev.violations == [] and other.violations == []
