"""HD44780 model driven at pin level on an 8-bit (P0) and a 4-bit (P1.4-P1.7) wiring."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from boardprofile import parse_pin
from PIL import Image

from sim.bus.pins import PortBus
from sim.devices.hd44780 import HD44780, rom_char
from sim.frontends.screenshot import PALETTES, render, save_png

CPS = 921_600
MS = CPS // 1000  # 921 cycles, a little under 1 ms
SHORT = 40  # cycles > 37 us
LONG = 1500  # cycles > 1.52 ms


class Lcd8:
    """MCU side of the reference wiring: RS P2.6, RW P2.5, E P2.7, DB0..DB7 = P0."""

    RS, RW, E = parse_pin("P2.6"), parse_pin("P2.5"), parse_pin("P2.7")

    def __init__(self, bus: PortBus) -> None:
        self.bus = bus
        self.t = 0
        self.set(self.E, 0)

    def set(self, pin: tuple[int, int], level: int) -> None:
        port, bit = pin
        latch = self.bus.latch[port]
        self.t += 1
        self.bus.write_latch(port, latch | 1 << bit if level else latch & ~(1 << bit), self.t)

    def put(self, value: int) -> None:
        self.t += 1
        self.bus.write_latch(0, value, self.t)

    def get(self) -> int:
        return self.bus.level(0)

    def transfer_write(self, rs: int, value: int) -> None:
        self.set(self.RS, rs)
        self.set(self.RW, 0)
        self.put(value)
        self.set(self.E, 1)
        self.set(self.E, 0)

    def transfer_read(self, rs: int) -> int:
        self.set(self.RS, rs)
        self.set(self.RW, 1)
        self.put(0xFF)  # release the port
        self.set(self.E, 1)
        value = self.get()
        self.set(self.E, 0)
        self.set(self.RW, 0)
        return value

    def cmd(self, value: int, wait: int = SHORT) -> None:
        self.transfer_write(0, value)
        self.t += wait

    def data(self, value: int, wait: int = SHORT) -> None:
        self.transfer_write(1, value)
        self.t += wait

    def read(self, rs: int) -> int:
        return self.transfer_read(rs)

    def text(self, s: str) -> None:
        for ch in s:
            self.data(ord(ch))

    def init(self) -> None:
        self.t += 16 * MS
        self.cmd(0x30, 5 * MS)
        self.cmd(0x30, 110)
        self.cmd(0x30)
        for c in (0x38, 0x08):
            self.cmd(c)
        self.cmd(0x01, LONG)
        self.cmd(0x06)
        self.cmd(0x0C)


class Lcd4(Lcd8):
    """MCU side of the breadboard wiring: RS P1.0, RW P1.1, E P1.2, DB4..DB7 = P1.4..P1.7."""

    RS, RW, E = parse_pin("P1.0"), parse_pin("P1.1"), parse_pin("P1.2")

    def put(self, value: int) -> None:  # the high nibble goes on P1.4-P1.7
        self.t += 1
        self.bus.write_latch(1, (self.bus.latch[1] & 0x0F) | (value & 0xF0), self.t)

    def get(self) -> int:
        return self.bus.level(1) & 0xF0

    def cmd(self, value: int, wait: int = SHORT) -> None:
        self.transfer_write(0, value)
        self.transfer_write(0, value << 4)
        self.t += wait

    def nibble(self, value: int, wait: int) -> None:
        self.transfer_write(0, value << 4)
        self.t += wait

    def data(self, value: int, wait: int = SHORT) -> None:
        self.transfer_write(1, value)
        self.transfer_write(1, value << 4)
        self.t += wait

    def read(self, rs: int) -> int:
        return self.transfer_read(rs) | self.transfer_read(rs) >> 4

    def init(self) -> None:
        self.t += 16 * MS
        self.nibble(0x3, 5 * MS)
        self.nibble(0x3, 110)
        self.nibble(0x3, SHORT)
        self.nibble(0x2, SHORT)
        for c in (0x28, 0x08):
            self.cmd(c)
        self.cmd(0x01, LONG)
        self.cmd(0x06)
        self.cmd(0x0C)


@pytest.fixture
def bus() -> PortBus:
    return PortBus()


@pytest.fixture
def lcd(bus: PortBus) -> HD44780:
    return HD44780(bus, "P2.6", "P2.5", "P2.7", "P0", cycles_per_second=CPS)


@pytest.fixture
def mcu(bus: PortBus, lcd: HD44780) -> Lcd8:
    return Lcd8(bus)


@pytest.fixture
def ready(lcd: HD44780, mcu: Lcd8) -> Lcd8:
    mcu.init()
    assert lcd.violations == []
    return mcu


def kinds(lcd: HD44780) -> list[str]:
    return [v.kind for v in lcd.violations]


# -- power-on and initialisation -------------------------------------------------------------


def test_power_on_state_is_8bit_one_line_display_off(lcd: HD44780) -> None:
    assert lcd.dl8 and not lcd.two_lines and not lcd.display_on and lcd.increment
    assert lcd.text() == ["█" * 16, " " * 16]


def test_power_on_reset_is_busy_for_10_ms(lcd: HD44780, mcu: Lcd8) -> None:
    assert mcu.read(0) & 0x80
    mcu.cmd(0x38)
    assert kinds(lcd) == ["busy-write"]
    assert not lcd.two_lines
    mcu.t = 10 * CPS // 1000 + 1
    assert mcu.read(0) == 0x00


def test_8bit_init_sequence_then_text(lcd: HD44780, ready: Lcd8) -> None:
    ready.text("HELLO, 12:34")
    assert lcd.dl8 and lcd.two_lines and lcd.display_on and not lcd.cursor_on
    assert lcd.text() == ["HELLO, 12:34    ", " " * 16]
    assert lcd.violations == []


def test_4bit_init_sequence_then_text_on_line_2(bus: PortBus) -> None:
    lcd = HD44780(bus, "P1.0", "P1.1", "P1.2", ["P1.4", "P1.5", "P1.6", "P1.7"])
    mcu = Lcd4(bus)
    mcu.init()
    assert not lcd.dl8 and lcd.two_lines and lcd.display_on
    mcu.cmd(0xC0)
    mcu.text("2024-05-17 Fri")
    assert lcd.text() == [" " * 16, "2024-05-17 Fri  "]
    assert lcd.violations == []


def test_4bit_busy_flag_and_address_read_takes_two_nibbles(bus: PortBus) -> None:
    lcd = HD44780(bus, "P1.0", "P1.1", "P1.2", ["P1.4", "P1.5", "P1.6", "P1.7"])
    mcu = Lcd4(bus)
    mcu.init()
    mcu.cmd(0xC5)
    mcu.transfer_write(1, ord("x"))
    mcu.transfer_write(1, ord("x") << 4)
    assert mcu.read(0) == 0x80 | 0x46  # busy, AC already moved
    mcu.t += SHORT
    assert mcu.read(0) == 0x46
    mcu.cmd(0xC5)
    assert mcu.read(1) == ord("x")
    assert lcd.violations == []


# -- busy ------------------------------------------------------------------------------------


def test_write_during_busy_is_dropped_and_recorded(lcd: HD44780, ready: Lcd8) -> None:
    ready.cmd(0x01, wait=100)  # clear takes 1.52 ms: 100 cycles is far too short
    ready.data(ord("A"))
    assert lcd.text()[0] == " " * 16
    assert kinds(lcd) == ["busy-write"]
    assert "data 0x41" in lcd.violations[0].detail


def test_clear_busy_time_is_1_52_ms_at_270_khz(lcd: HD44780, ready: Lcd8) -> None:
    ready.transfer_write(0, 0x01)
    done = ready.t
    expected = -(-410 * CPS // 270_000)  # 1400 cycles
    assert lcd.busy(done + expected - 1) and not lcd.busy(done + expected)


def test_slower_oscillator_lengthens_busy_time(bus: PortBus) -> None:
    lcd = HD44780(bus, "P2.6", "P2.5", "P2.7", "P0", osc_hz=250_000)
    assert lcd.clocks_to_cycles(10) == 37  # 40 us
    assert lcd.clocks_to_cycles(410) == 1512  # 1.64 ms


def test_busy_flag_read_returns_bf_and_address_counter(lcd: HD44780, ready: Lcd8) -> None:
    ready.cmd(0x80 | 0x05)
    ready.transfer_write(1, ord("Z"))
    assert ready.read(0) == 0x80 | 0x06
    ready.t += SHORT
    assert ready.read(0) == 0x06
    assert lcd.violations == []


def test_4bit_byte_whose_first_nibble_came_while_busy_is_dropped(bus: PortBus) -> None:
    lcd = HD44780(bus, "P1.0", "P1.1", "P1.2", ["P1.4", "P1.5", "P1.6", "P1.7"])
    mcu = Lcd4(bus)
    mcu.init()
    mcu.transfer_write(0, 0x01)
    mcu.transfer_write(0, 0x01 << 4)
    mcu.transfer_write(1, ord("A"))  # first nibble while clearing
    mcu.t += LONG
    mcu.transfer_write(1, ord("A") << 4)
    assert kinds(lcd) == ["busy-write"]
    assert lcd.text()[0] == " " * 16


# -- addressing ------------------------------------------------------------------------------


def test_ddram_address_wraps_from_0x27_to_0x40(lcd: HD44780, ready: Lcd8) -> None:
    ready.cmd(0x80 | 0x27)
    ready.text("AB")
    assert lcd.ddram[0x27] == ord("A")
    assert lcd.ddram[40] == ord("B")  # line 2, first byte
    assert ready.read(0) == 0x41
    assert lcd.text()[1].startswith("B")


def test_ddram_address_wraps_from_0x67_to_0x00(lcd: HD44780, ready: Lcd8) -> None:
    ready.cmd(0x80 | 0x67)
    ready.text("YZ")
    assert lcd.text()[0].startswith("Z")
    assert ready.read(0) == 0x01


def test_decrement_mode_wraps_backwards(lcd: HD44780, ready: Lcd8) -> None:
    ready.cmd(0x04)  # I/D = 0
    ready.cmd(0x80 | 0x40)
    ready.text("PQ")
    assert ready.read(0) == 0x26
    assert lcd.ddram[0x27] == ord("Q")


def test_one_line_mode_wraps_at_0x4f(lcd: HD44780, ready: Lcd8) -> None:
    ready.cmd(0x30)  # 8-bit, 1 line
    ready.cmd(0x80 | 0x4F)
    ready.text("ab")
    assert ready.read(0) == 0x01
    assert lcd.text()[0].startswith("b")
    assert lcd.text()[1] == " " * 16


def test_unmapped_ddram_address_is_recorded(lcd: HD44780, ready: Lcd8) -> None:
    ready.cmd(0x80 | 0x30)
    assert kinds(lcd) == ["ddram-address"]


def test_data_read_returns_ddram_and_advances(lcd: HD44780, ready: Lcd8) -> None:
    ready.text("QRS")
    ready.cmd(0x81)
    assert ready.read(1) == ord("R")
    ready.t += SHORT
    assert ready.read(1) == ord("S")
    ready.t += SHORT
    assert ready.read(0) == 0x03


def test_cursor_move_instruction(lcd: HD44780, ready: Lcd8) -> None:
    ready.cmd(0x14)  # cursor right
    ready.cmd(0x14)
    assert ready.read(0) == 0x02
    ready.cmd(0x10)  # cursor left
    assert ready.read(0) == 0x01


def test_return_home_resets_address_and_shift(lcd: HD44780, ready: Lcd8) -> None:
    ready.text("ABC")
    ready.cmd(0x18)
    ready.cmd(0x02, LONG)
    assert ready.read(0) == 0 and lcd.shift == 0


# -- display ---------------------------------------------------------------------------------


def test_display_shift_moves_both_lines_together(lcd: HD44780, ready: Lcd8) -> None:
    ready.text("ABCDEFGHIJKLMNOPQ")
    ready.cmd(0xC0)
    ready.text("abcdefghijklmnopq")
    ready.cmd(0x18)  # shift display left
    assert lcd.text() == ["BCDEFGHIJKLMNOPQ", "bcdefghijklmnopq"]
    ready.cmd(0x1C)  # and right
    ready.cmd(0x1C)
    assert lcd.text() == [" ABCDEFGHIJKLMNO", " abcdefghijklmno"]


def test_entry_mode_shift_on_write(lcd: HD44780, ready: Lcd8) -> None:
    ready.cmd(0x07)  # increment + shift
    ready.cmd(0x80 | 0x10)
    ready.text("XY")
    assert lcd.shift == 2
    assert lcd.text()[0][-2:] == "XY"


def test_display_off_shows_nothing_and_on_restores(lcd: HD44780, ready: Lcd8) -> None:
    ready.text("TEXT")
    ready.cmd(0x08)
    assert lcd.text() == [" " * 16, " " * 16]
    ready.cmd(0x0C)
    assert lcd.text()[0].startswith("TEXT")


def test_rom_a00_text_mapping() -> None:
    assert rom_char(0x5C) == "¥"
    assert rom_char(0xDF) == "°"
    assert rom_char(0x7E) == "→" and rom_char(0x7F) == "←"
    assert rom_char(0xB1) == "ｱ"
    assert rom_char(0x03) == "④" and rom_char(0x0B) == "④"
    assert rom_char(0xE4) == "·"
    assert rom_char(0x41) == "A"


# -- CGRAM and picture -----------------------------------------------------------------------

HEART = [0x00, 0x0A, 0x1F, 0x1F, 0x0E, 0x04, 0x00, 0x00]


def dot_colour(img: Image.Image, row: int, col: int, x: int, y: int) -> tuple[int, ...]:
    pitch, margin = 4, 16
    cell_w, cell_h = 6 * pitch, 9 * pitch
    return img.getpixel((margin + col * cell_w + x * pitch, margin + row * cell_h + y * pitch))


def test_cgram_glyph_appears_in_text_and_picture(lcd: HD44780, ready: Lcd8) -> None:
    ready.cmd(0x40 | 8 * 2)  # glyph 2
    for row in HEART:
        ready.data(row)
    ready.cmd(0x80)
    ready.data(0x02)
    ready.data(0x0A)  # mirror of glyph 2
    assert lcd.text()[0][:2] == "③③"
    assert lcd.glyph(0x0A) == HEART
    img = render(lcd)
    _, _, on, _ = PALETTES["green"]
    assert dot_colour(img, 0, 0, 1, 1) == on  # HEART row 1 = .#.#.
    assert dot_colour(img, 0, 0, 0, 1) != on
    assert dot_colour(img, 0, 1, 0, 2) == on  # row 2 = #####


def test_rom_characters_and_cursor_in_picture(lcd: HD44780, ready: Lcd8, tmp_path: Path) -> None:
    ready.text("A")
    ready.cmd(0x0E)  # display, cursor, no blink
    img = render(lcd, backlight="blue")
    _, off, on, _ = PALETTES["blue"]
    assert dot_colour(img, 0, 0, 0, 6) == on and dot_colour(img, 0, 0, 2, 0) == on  # 'A'
    assert dot_colour(img, 0, 1, 0, 7) == on  # cursor underline under column 1
    assert dot_colour(img, 0, 1, 0, 6) == off
    path = tmp_path / "lcd.png"
    save_png(lcd, path, backlight="blue")
    with Image.open(path) as png:
        assert png.format == "PNG" and png.size == img.size


def test_blinking_cursor_alternates_with_a_block(lcd: HD44780, ready: Lcd8) -> None:
    ready.cmd(0x0D)  # display, blink
    half = -(-102_400 * CPS // 270_000)
    _, off, on, _ = PALETTES["green"]
    shown = render(lcd, cycle=0)
    hidden = render(lcd, cycle=half + 1)
    assert lcd.blink_phase(0) and not lcd.blink_phase(half + 1)
    assert dot_colour(shown, 0, 0, 0, 0) == on
    assert dot_colour(hidden, 0, 0, 0, 0) == off


def test_uninitialised_module_shows_one_row_of_blocks(lcd: HD44780) -> None:
    img = render(lcd)
    _, off, _, block = PALETTES["green"]
    assert dot_colour(img, 0, 5, 2, 3) == block
    assert dot_colour(img, 1, 5, 2, 3) == off


# -- state -----------------------------------------------------------------------------------


def test_state_round_trips_through_json(bus: PortBus, lcd: HD44780, ready: Lcd8) -> None:
    ready.text("SAVED")
    ready.cmd(0x40)
    ready.data(0x1F)
    saved = json.loads(json.dumps(lcd.to_state()))
    other = HD44780(PortBus(), "P2.6", "P2.5", "P2.7", "P0")
    other.from_state(saved)
    assert other.to_state() == lcd.to_state()
    assert other.text() == lcd.text()


def test_reset_is_a_power_on(lcd: HD44780, ready: Lcd8) -> None:
    ready.text("X")
    lcd.reset(ready.t)
    assert lcd.text() == ["█" * 16, " " * 16] and lcd.busy(ready.t + 1)


def test_rs_change_while_e_high_is_recorded(lcd: HD44780, ready: Lcd8) -> None:
    ready.set(ready.RS, 0)
    ready.set(ready.RW, 0)
    ready.put(0x0C)
    ready.set(ready.E, 1)
    ready.set(ready.RS, 1)
    ready.set(ready.E, 0)
    assert "rs-rw-changed" in kinds(lcd)


def test_mcu_driving_the_bus_low_during_a_read_is_a_conflict(
    bus: PortBus, lcd: HD44780, ready: Lcd8
) -> None:
    ready.text("A")  # 0x41 at DDRAM 0
    ready.cmd(0x80)
    ready.set(ready.RS, 1)
    ready.set(ready.RW, 1)
    ready.put(0x00)  # forgot to release P0
    ready.set(ready.E, 1)
    ready.set(ready.E, 0)
    assert "bus-conflict" in kinds(lcd)
