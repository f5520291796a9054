"""Board.power_cut / power_on: what the DS1302 keeps of a write in flight under each cut
model (issue 10 item 3). The pins are driven from the test (the CPU only spins in SJMP $)."""

from __future__ import annotations

import datetime as dt

import pytest

from sim.errors import ConfigError
from sim.machine.board import POWER_CUTS, Board

SPIN = bytes([0x80, 0xFE])          # SJMP $
CE, SCLK, IO = 5, 6, 4              # reference profile: P3.5 / P3.6 / P3.4
OLD_RAM = bytes(range(0x11, 0x11 + 31))


class Pins:
    """Bit-bangs the DS1302 on P3, two machine cycles per pin change."""

    def __init__(self, board: Board) -> None:
        self.b = board
        self.set(ce=0, sclk=0, io=1)

    def set(self, **levels: int) -> None:
        self.b.run_until(self.b.cycles + 2)
        latch = self.b.bus.latch[3]
        for name, level in levels.items():
            bit = {"ce": CE, "sclk": SCLK, "io": IO}[name]
            latch = latch | 1 << bit if level else latch & ~(1 << bit)
        self.b.bus.write_latch(3, latch, self.b.cycles)

    def bits(self, value: int, n: int = 8) -> None:
        for i in range(n):
            self.set(io=value >> i & 1)
            self.set(sclk=1)
            self.set(sclk=0)

    def write(self, cmd: int, *data: int) -> None:
        self.set(ce=1)
        for b in (cmd, *data):
            self.bits(b)
        self.set(ce=0)


def board_mid_ram_burst(whole: int, extra_bits: int) -> Board:
    """A RAM burst write of 0xA0, 0xA1, .. cut after ``whole`` bytes and ``extra_bits``."""
    board = Board("reference", SPIN)
    board.rtc.ram[:] = OLD_RAM
    pins = Pins(board)
    pins.write(0x8E, 0x00)                      # WP off
    pins.set(ce=1)
    pins.bits(0xFE)
    for i in range(whole):
        pins.bits(0xA0 + i)
    pins.bits(0xA0 + whole, extra_bits)
    return board


def test_battery_takes_over_and_drops_the_transfer_in_flight():
    board = board_mid_ram_burst(2, 3)
    board.power_cut("battery")
    board.run_for(1.0)
    board.power_on()
    assert bytes(board.rtc.ram) == OLD_RAM


@pytest.mark.parametrize("model", ["reset", "brownout"])
def test_reset_and_brownout_keep_the_whole_bytes_clocked(model):
    board = board_mid_ram_burst(2, 3)
    board.power_cut(model)
    board.run_for(1.0)
    board.power_on()
    assert bytes(board.rtc.ram) == bytes([0xA0, 0xA1]) + OLD_RAM[2:]


def test_reset_pins_float_high_and_clock_one_more_bit():
    """Seven bits of the third byte sent: the floating SCLK rises with I/O high, the byte
    completes with bit 7 = 1 and is kept. A brown-out drops CE instead: no extra bit."""
    board = board_mid_ram_burst(2, 7)
    board.power_cut("reset")
    board.power_on()
    assert bytes(board.rtc.ram[:3]) == bytes([0xA0, 0xA1, 0xA2 | 0x80])
    board = board_mid_ram_burst(2, 7)
    board.power_cut("brownout")
    board.power_on()
    assert bytes(board.rtc.ram[:3]) == bytes([0xA0, 0xA1]) + OLD_RAM[2:3]


@pytest.mark.parametrize("model", POWER_CUTS)
def test_a_clock_burst_cut_short_writes_nothing(model):
    board = Board("reference", SPIN)
    board.set_rtc(dt.datetime(2026, 11, 24, 12, 5, 31))
    pins = Pins(board)
    pins.write(0x8E, 0x00)
    pins.set(ce=1)
    for b in (0xBE, 0x00, 0x00, 0x08, 0x01, 0x01, 0x04, 0x30):   # 7 of the 8 data bytes
        pins.bits(b)
    board.power_cut(model)
    board.run_for(2.0)
    board.power_on()
    now = board.rtc.datetime_at(board.cycles)
    assert now is not None and now.date() == dt.date(2026, 11, 24)


def test_the_ds1302_runs_on_its_battery_while_off_and_takes_its_pins_again_at_power_on():
    board = Board("reference", SPIN)
    board.set_rtc(dt.datetime(2026, 11, 24, 12, 5, 31))
    board.run_for(1.0)
    board.power_cut("battery")
    assert board.chip.state == "off" and not board.rtc.vcc2_on
    board.run_for(5.0)
    assert board.rtc.datetime_at(board.cycles) == dt.datetime(2026, 11, 24, 12, 5, 37)
    board.power_on()
    assert board.rtc.vcc2_on and board.chip.state != "off"
    pins = Pins(board)
    pins.write(0x8E, 0x00)
    pins.write(0xC0, 0x42)                      # RAM0: the chip listens again
    assert board.rtc.ram[0] == 0x42


def test_unknown_cut_model_is_a_config_error():
    board = Board("reference", SPIN)
    with pytest.raises(ConfigError, match="battery, reset, brownout"):
        board.power_cut("lightning")
