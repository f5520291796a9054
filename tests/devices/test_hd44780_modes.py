"""HD44780 module geometries, RW tied to ground, the typical and strict timing tables, the
4-bit half read. Driven pin by pin like tests/devices/test_hd44780.py."""

from __future__ import annotations

import pytest
from boardprofile import parse_pin
from boardprofile.parts import LCD_SIZES

from sim.bus.pins import PortBus
from sim.devices.hd44780 import HD44780, TIMING
from sim.frontends.screenshot import geometry, lcd_cells, render

CPS = 921_600
MS = CPS // 1000


class Mcu:
    """RS P2.6, RW P2.5, E P2.7, DB0..DB7 = P0; one machine cycle per pin change."""

    RS, RW, E = parse_pin("P2.6"), parse_pin("P2.5"), parse_pin("P2.7")

    def __init__(self, bus: PortBus, t: int = 0) -> None:
        self.bus = bus
        self.t = t
        self.set(self.E, 0)

    def set(self, pin: tuple[int, int], level: int) -> None:
        port, bit = pin
        latch = self.bus.latch[port]
        self.t += 1
        self.bus.write_latch(port, latch | 1 << bit if level else latch & ~(1 << bit), self.t)

    def write(self, rs: int, value: int, wait: int = 40) -> None:
        self.set(self.RS, rs)
        self.set(self.RW, 0)
        self.t += 1
        self.bus.write_latch(0, value, self.t)
        self.set(self.E, 1)
        self.set(self.E, 0)
        self.t += wait

    def init(self, *codes: int) -> None:
        self.t = max(self.t, 16 * MS)
        for c in (0x30, 0x30, 0x30, *codes):
            self.write(0, c, 5 * MS if c == 0x30 else 2 * MS)

    def text(self, s: str) -> None:
        for ch in s:
            self.write(1, ord(ch))


def lcd(size: str = "16x2", **kw: object) -> tuple[HD44780, Mcu]:
    bus = PortBus()
    model = HD44780(bus, "P2.6", "P2.5", "P2.7", "P0", cycles_per_second=CPS, size=size,
                    **kw)  # type: ignore[arg-type]
    return model, Mcu(bus)


# -- geometry ----------------------------------------------------------------------------------
def test_a_20x4_shows_lines_1_and_2_continued_on_rows_3_and_4() -> None:
    model, mcu = lcd("20x4")
    mcu.init(0x38, 0x0C, 0x06)
    for address, text in ((0x80, "row one"), (0xC0, "row two"), (0x94, "row three"),
                          (0xD4, "row four")):
        mcu.write(0, address)
        mcu.text(text)
    assert model.text() == [f"{t:<20}" for t in ("row one", "row two", "row three",
                                                  "row four")]
    mcu.write(0, 0x80 + 19)
    mcu.text("AB")  # column 20 of row 1 is followed by row 3 (DDRAM 0x14)
    assert model.text()[0][19] == "A" and model.text()[2][0] == "B"
    assert model.cursor_cell() == (2, 1)
    assert model.violations == []


@pytest.mark.parametrize("size", list(LCD_SIZES))
def test_every_size_draws_its_cells_and_picture(size: str) -> None:
    model, mcu = lcd(size)
    columns, rows = LCD_SIZES[size]
    mcu.init(0x38, 0x0C)
    mcu.text("x")
    assert len(model.text()) == len(rows) and all(len(r) == columns for r in model.text())
    assert model.text()[0][0] == "x"
    assert len(lcd_cells(model)) == columns * len(rows)
    g = geometry(3, columns, len(rows))
    assert render(model).size == (g["width"], g["height"])


def test_an_uninitialised_4_row_module_shows_blocks_on_rows_1_and_3() -> None:
    model, _ = lcd("20x4")
    assert model.text() == ["█" * 20, " " * 20, "█" * 20, " " * 20]
    one_row, _ = lcd("16x1")
    assert one_row.text() == [" " * 16]


# -- RW tied to ground -------------------------------------------------------------------------
def test_rw_tied_to_ground_makes_every_transfer_a_write() -> None:
    bus = PortBus()
    model = HD44780(bus, "P2.6", None, "P2.7", "P0", cycles_per_second=CPS)
    mcu = Mcu(bus)
    mcu.init(0x38, 0x0C)
    mcu.set(mcu.RW, 1)  # P2.5 is not wired: the LCD does not see it
    mcu.write(1, ord("W"))
    assert model.text()[0][0] == "W" and model.violations == []


# -- timing ------------------------------------------------------------------------------------
def test_strict_timing_is_the_slowest_oscillator_of_the_datasheet() -> None:
    typical, _ = lcd()
    strict, _ = lcd(timing="strict")
    assert (typical.osc_hz, strict.osc_hz) == (270_000, 190_000)
    assert strict.clocks_to_cycles(10) == 49  # 52.6 us
    assert strict.clocks_to_cycles(410) == 1989  # 2.16 ms


def test_a_wait_tuned_to_the_typical_part_loses_writes_on_the_slowest() -> None:
    for timing, kept in (("typical", "AB"), ("strict", "A ")):
        model, mcu = lcd(timing=timing)
        mcu.init(0x38, 0x0C, 0x06)
        mcu.write(1, ord("A"), wait=42)  # 45 us after the write: > 41 us, < 57.9 us
        mcu.write(1, ord("B"))
        assert model.text()[0][:2] == kept, timing
        assert [v.kind for v in model.violations] == ([] if timing == "typical"
                                                      else ["busy-write"])


@pytest.mark.parametrize(("timing", "at_ms", "taken"), [
    ("typical", 12, True), ("strict", 12, False), ("strict", 16, True)])
def test_power_on_busy_is_10_ms_typical_and_15_ms_at_the_limit(timing: str, at_ms: int,
                                                                 taken: bool) -> None:
    model, mcu = lcd(timing=timing)
    assert TIMING["power_on_s"].value(timing) == (0.010 if timing == "typical" else 0.015)
    mcu.t = at_ms * MS
    mcu.write(0, 0x38)
    assert model.two_lines is taken
    if not taken:
        v = model.violations[0]
        assert v.kind == "busy-write" and "after power-on, during the internal reset" in v.detail


def test_an_e_pulse_shorter_than_pweh_is_recorded_and_ignored_when_strict() -> None:
    fast = 40_000_000 // 12  # a 40 MHz 12T part: 300 ns a cycle; half a cycle is too short
    for timing in ("typical", "strict"):
        bus = PortBus()
        model = HD44780(bus, "P2.6", "P2.5", "P2.7", "P0", cycles_per_second=fast * 2,
                        timing=timing)  # 150 ns a step
        mcu = Mcu(bus, t=fast)  # 0.5 s: past the power-on reset
        mcu.write(0, 0x38, wait=1000)
        kinds = [v.kind for v in model.violations]
        assert "PWEH" in kinds
        assert model.two_lines is (timing == "typical")


# -- 4-bit half read ---------------------------------------------------------------------------
def test_a_4_bit_read_of_one_nibble_then_a_write_is_recorded() -> None:
    bus = PortBus()
    model = HD44780(bus, "P1.0", "P1.1", "P1.2", ["P1.4", "P1.5", "P1.6", "P1.7"],
                    cycles_per_second=CPS)
    t = 20 * MS

    def pulse(rs: int, rw: int, nibble: int) -> None:
        nonlocal t
        latch = (nibble << 4) | rs | rw << 1
        bus.write_latch(1, latch, t)
        bus.write_latch(1, latch | 0x04, t + 1)
        bus.write_latch(1, latch, t + 2)
        t += 100

    bus.write_latch(1, 0xFB, t - MS)  # E lowered first (RS, RW still high from reset)
    for n in (3, 3, 3, 2):
        pulse(0, 0, n)
        t += 5 * MS
    pulse(0, 1, 0xF)  # one pulse of a busy read
    pulse(0, 0, 0x2)  # a write: taken as the read's second half
    assert [v.kind for v in model.violations] == ["half-read"]
