"""HD44780 LCD controller (LCD1602 module, 16 x 2 characters, ROM A00): a pin-level model.

Datasheet facts implemented (Hitachi HD44780U datasheet):

- Pins RS (0 instruction, 1 data), RW (0 write, 1 read), E and DB0..DB7, or DB4..DB7 only on
  a 4-bit wiring. RS and RW are taken at the rising edge of E. A write is latched on the
  falling edge of E. A read: on E rising with RW = 1 the controller drives the bus (RS = 0:
  busy flag on DB7 and the address counter on DB6..DB0; RS = 1: the data at the address
  counter) and releases it on E falling.
- 4-bit interface (DL = 0): every byte is two transfers, high nibble first, on DB7..DB4, for
  writes and reads alike.
- Instructions and times in controller clocks (270 kHz default: 10 clocks = 37 us,
  410 clocks = 1.52 ms; data write/read 11 clocks = 41 us): clear (spaces, AC = 0, I/D = 1,
  shift 0), return home (AC = 0, shift 0), entry mode I/D S, display on/off D C B,
  cursor/display shift S/C R/L, function set DL N F, set CGRAM address, set DDRAM address,
  busy flag/address read (no time), data write/read.
- While busy nothing but the busy-flag read is executed: a write (instruction or data) or a
  data read arriving early is dropped, and the model records it.
- Power-on internal reset: busy for 10 ms, then 8-bit interface, 1 line, 5x8 font, display
  off, cursor off, blink off, increment, no shift. Initialisation by instruction (0x30 three
  times, then function set; 4-bit wiring: nibble 3 three times, then 2) works from there.
- DDRAM 80 bytes. Two-line mode: line 1 at 0x00-0x27, line 2 at 0x40-0x67; the address
  counter wraps 0x27 -> 0x40 and 0x67 -> 0x00 (and back when decrementing). One-line mode:
  0x00-0x4F, wrapping 0x4F -> 0x00. Display shift moves both lines together.
- CGRAM 64 bytes: 8 glyphs of 5 x 8 (codes 0x00-0x07, mirrored at 0x08-0x0F), 5 bits a row.
- The blinking character alternates with an all-dots block every 102,400 controller clocks
  (409.6 ms at 250 kHz).

Text view (``text()``): two strings of 16 characters. ROM A00 mapping: 0x20-0x7D ASCII except
0x5C -> '¥' (yen); 0x7E -> '→'; 0x7F -> '←'; 0xA1-0xDE -> half-width katakana U+FF61-U+FF9E
(the same JIS X 0201 table); 0xDF -> '°'; CGRAM codes 0x00-0x0F -> '①'..'⑧' (glyph n+1);
0x10-0x1F (blank in ROM A00) -> ' '; anything else (0x80-0xA0, 0xE0-0xFF) -> '·'.
Display off: blank rows. One-line mode (an uninitialised module) shows row 1 as dark blocks
on a real 16x2: text() gives '█' x 16 there while the display is off, the characters when on;
row 2 stays blank.

Deviations (known, on purpose):

- Unconnected DB0..DB3 of a 4-bit wiring read as 1 (the controller's pull-ups) while the
  controller still takes 8-bit transfers: the first init nibble 0x3 is taken as 0x3F.
- In 4-bit mode a byte is dropped if the controller was busy at either of its nibbles.
- Setting a DDRAM address outside the current map (0x28-0x3F, 0x68-0x7F in two-line mode) is
  recorded; the model stores the address as given and maps it onto the 80 bytes.
- E high at power-on (the 8051 resets its latches to 1): that first half transfer is
  ignored, not treated as a read.
- The cursor is only shown while the address counter points into DDRAM.
- 5x10 font (F = 1) is accepted and remembered but drawn as 5x8.
- Data read returns the byte at the address counter (the real chip's read-ahead data
  register, which needs an address set before the first read, is not modelled).

Checks (``violations``; PortBus shorts on the data bus are included): writes and data
reads while busy (dropped), RS/RW changed while E was high, DDRAM addresses outside the map,
the null instruction 0x00.
"""

from __future__ import annotations

from collections.abc import Iterable

from sim.bus.pins import PortBus
from sim.devices._common import (
    DEFAULT_CYCLES_PER_SECOND,
    PinLike,
    Violation,
    as_pin,
    as_pins,
    bus_conflicts,
)
from sim.devices._state import VIOLATIONS, Bool, Int, IntList, Stateful

# execution times in controller clocks
CLOCKS_SHORT = 10  # 37 us at 270 kHz
CLOCKS_LONG = 410  # 1.52 ms at 270 kHz (clear, return home)
CLOCKS_DATA = 11  # 37 us + 4 us
BLINK_CLOCKS = 102_400  # half period of the blink
POWER_ON_BUSY_S = 0.010

COLUMNS = 16
LINE_LENGTH = 40


def rom_char(code: int) -> str:
    """The text-view character for a character code (see module docstring)."""
    if code < 0x10:
        return chr(0x2460 + (code & 7))
    if code < 0x20:
        return " "
    if code == 0x5C:
        return "¥"
    if code < 0x7E:
        return chr(code)
    if code == 0x7E:
        return "→"
    if code == 0x7F:
        return "←"
    if code == 0xDF:
        return "°"
    if 0xA1 <= code <= 0xDE:
        return chr(0xFF61 + code - 0xA1)
    return "·"


class HD44780(Stateful):
    """The controller on RS/RW/E and a 4- or 8-pin data bus. See the module docstring."""

    def __init__(
        self,
        bus: PortBus,
        rs: PinLike,
        rw: PinLike,
        e: PinLike,
        data: Iterable[PinLike] | str,
        *,
        cycles_per_second: int = DEFAULT_CYCLES_PER_SECOND,
        osc_hz: int = 270_000,
        name: str = "lcd",
        cycle: int = 0,
    ) -> None:
        self.bus = bus
        self.rs_pin = as_pin(rs)
        self.rw_pin = as_pin(rw)
        self.e_pin = as_pin(e)
        self.data_pins = as_pins(data)
        if len(self.data_pins) not in (4, 8):
            raise ValueError("the LCD data bus is 8 pins (DB0..DB7) or 4 pins (DB4..DB7)")
        self.wiring = len(self.data_pins)
        self.cps = int(cycles_per_second)
        self.osc_hz = int(osc_hz)
        self.name = name
        self.reset(cycle)
        bus.watch(*self.e_pin, self._on_e)

    def clocks_to_cycles(self, clocks: int) -> int:
        return -(-clocks * self.cps // self.osc_hz)  # ceiling

    # -- state -------------------------------------------------------------------------
    def reset(self, cycle: int = 0, *, keep_violations: bool = False) -> None:
        """Power-on internal reset at ``cycle``: busy for 10 ms. ``keep_violations``: a
        board cycling its supply keeps the record of what went wrong before."""
        if getattr(self, "_driving", False):  # power lost mid-read: the outputs let go
            self._drive_bus(None, cycle, nibble_only=False)
        kept = self._violations if keep_violations else []
        self.ddram = bytearray(b" " * 80)
        self.cgram = bytearray(64)
        self.ac = 0
        self.cgram_mode = False
        self.increment = True
        self.shift_on_write = False
        self.display_on = False
        self.cursor_on = False
        self.blink_on = False
        self.dl8 = True
        self.two_lines = False
        self.font_5x10 = False
        self.shift = 0
        self.function_sets = 0
        self.busy_until = cycle + round(POWER_ON_BUSY_S * self.cps)
        self.power_on_cycle = cycle
        # The 8051 resets its latches to 1, so E is usually high at power-on: that half
        # transfer is ignored (the controller is in its internal reset anyway).
        self._e = bool(self.bus.pin(*self.e_pin))
        self._ignore_fall = self._e
        self._rs = self.bus.pin(*self.rs_pin)
        self._rw = self.bus.pin(*self.rw_pin)
        self._nibble = 0  # 0: next transfer is a high nibble (4-bit mode)
        self._high = 0
        self._dropped_nibble = False
        self._read_value = 0
        self._read_ok = True
        self._driving = False
        self._violations: list[Violation] = kept

    # Saved state (sim.devices._state): every field, declared once.
    STATE_NAME = "lcd"
    STATE_VERSION = 1
    STATE_FIELDS = (
        ("ac", Int(0, 0x7F)), ("cgram_mode", Bool()), ("increment", Bool()),
        ("shift_on_write", Bool()), ("display_on", Bool()), ("cursor_on", Bool()),
        ("blink_on", Bool()), ("dl8", Bool()), ("two_lines", Bool()), ("font_5x10", Bool()),
        ("shift", Int(0, 2 * LINE_LENGTH - 1)), ("function_sets", Int(0)),
        ("busy_until", Int()), ("power_on_cycle", Int()), ("_e", Bool()),
        ("_ignore_fall", Bool()), ("_rs", Int(0, 1)), ("_rw", Int(0, 1)), ("_nibble", Int(0, 1)),
        ("_high", Int(0, 0x0F)), ("_dropped_nibble", Bool()), ("_read_value", Int(0, 0xFF)),
        ("_read_ok", Bool()), ("_driving", Bool()),
        ("ddram", IntList(2 * LINE_LENGTH, as_bytes=True)),
        ("cgram", IntList(64, as_bytes=True)), ("_violations", VIOLATIONS),
    )  # fmt: skip

    @property
    def violations(self) -> list[Violation]:
        return self._violations + bus_conflicts(self.bus, self.name)

    def _violation(self, cycle: int, kind: str, detail: str) -> None:
        self._violations.append(Violation(cycle, kind, detail))

    def busy(self, cycle: int) -> bool:
        return cycle < self.busy_until

    # -- pins --------------------------------------------------------------------------
    def _on_e(self, level: int, cycle: int) -> None:
        rising = bool(level)
        if rising == self._e:
            return
        self._e = rising
        if rising:
            self._ignore_fall = False
            self._rs = self.bus.pin(*self.rs_pin)
            self._rw = self.bus.pin(*self.rw_pin)
            if self._rw:
                self._start_read(cycle)
            return
        if self._ignore_fall:
            self._ignore_fall = False
            return
        if self.bus.pin(*self.rs_pin) != self._rs or self.bus.pin(*self.rw_pin) != self._rw:
            self._violation(cycle, "rs-rw-changed", "RS or RW changed while E was high")
        if self._rw:
            self._end_read(cycle)
        else:
            self._write_transfer(cycle)

    def _bus_value(self) -> int:
        """The byte on the data pins; unconnected DB0..DB3 of a 4-bit wiring read 1."""
        value = 0
        for i, (port, bit) in enumerate(self.data_pins):
            value |= self.bus.pin(port, bit) << i
        return value << 4 | 0x0F if self.wiring == 4 else value

    def _drive_bus(self, value: int | None, cycle: int, nibble_only: bool) -> None:
        pins = self.data_pins
        first = 4 if self.wiring == 8 and nibble_only else 0
        for i, (port, bit) in enumerate(pins):
            if value is None or i < first:
                level = None
            else:
                db = i if self.wiring == 8 else i + 4
                level = value >> db & 1
            self.bus.drive(self.name, port, bit, level, cycle)
        self._driving = value is not None

    def _start_read(self, cycle: int) -> None:
        four_bit = not self.dl8
        if not four_bit or self._nibble == 0:
            if self._rs:
                self._read_ok = not self.busy(cycle)
                if not self._read_ok:
                    self._violation(cycle, "busy-read", "data read while busy: ignored")
                self._read_value = self._memory()[self._mem_index()]
            else:
                bf = 0x80 if self.busy(cycle) else 0
                self._read_value = bf | (self.ac & 0x7F)
        if four_bit:
            nib = self._read_value >> 4 if self._nibble == 0 else self._read_value & 0x0F
            self._drive_bus(nib << 4, cycle, nibble_only=True)
        else:
            self._drive_bus(self._read_value, cycle, nibble_only=False)

    def _end_read(self, cycle: int) -> None:
        self._drive_bus(None, cycle, nibble_only=False)
        if not self.dl8:
            self._nibble ^= 1
            if self._nibble:
                return
        if self._rs and self._read_ok:
            self._step_ac(self.increment)
            self.busy_until = cycle + self.clocks_to_cycles(CLOCKS_DATA)

    def _write_transfer(self, cycle: int) -> None:
        value = self._bus_value()
        if not self.dl8:
            if self._nibble == 0:
                self._high = value >> 4
                self._nibble = 1
                self._dropped_nibble = self.busy(cycle)
                return
            self._nibble = 0
            value = self._high << 4 | value >> 4
            if self._dropped_nibble:
                self._violation(
                    cycle, "busy-write", f"{self._what(value)} sent while busy: dropped"
                )
                return
        if self.busy(cycle):
            self._violation(cycle, "busy-write", f"{self._what(value)} sent while busy: dropped")
            return
        if self._rs:
            self._write_data(value, cycle)
        else:
            self._instruction(value, cycle)

    def _what(self, value: int) -> str:
        return f"{'data' if self._rs else 'instruction'} 0x{value:02X}"

    # -- execution ---------------------------------------------------------------------
    def _instruction(self, code: int, cycle: int) -> None:
        clocks = CLOCKS_SHORT
        if code & 0x80:
            self.ac = code & 0x7F
            self.cgram_mode = False
            if not self._ddram_address_valid(self.ac):
                self._violation(cycle, "ddram-address", f"DDRAM address 0x{self.ac:02X} not mapped")
        elif code & 0x40:
            self.ac = code & 0x3F
            self.cgram_mode = True
        elif code & 0x20:
            self.dl8 = bool(code & 0x10)
            self.two_lines = bool(code & 0x08)
            self.font_5x10 = bool(code & 0x04)
            self.function_sets += 1
            self._nibble = 0
        elif code & 0x10:
            right = bool(code & 0x04)
            if code & 0x08:
                self._shift_display(right)
            else:
                self._step_ac(right)
        elif code & 0x08:
            self.display_on = bool(code & 0x04)
            self.cursor_on = bool(code & 0x02)
            self.blink_on = bool(code & 0x01)
        elif code & 0x04:
            self.increment = bool(code & 0x02)
            self.shift_on_write = bool(code & 0x01)
        elif code & 0x02:
            self.ac, self.cgram_mode, self.shift = 0, False, 0
            clocks = CLOCKS_LONG
        elif code & 0x01:
            self.ddram[:] = b" " * 80
            self.ac, self.cgram_mode, self.shift, self.increment = 0, False, 0, True
            clocks = CLOCKS_LONG
        else:
            self._violation(cycle, "null-instruction", "instruction 0x00")
        self.busy_until = cycle + self.clocks_to_cycles(clocks)

    def _write_data(self, value: int, cycle: int) -> None:
        self._memory()[self._mem_index()] = value if not self.cgram_mode else value & 0x1F
        self._step_ac(self.increment)
        if self.shift_on_write and not self.cgram_mode:
            self._shift_display(not self.increment)
        self.busy_until = cycle + self.clocks_to_cycles(CLOCKS_DATA)

    def _memory(self) -> bytearray:
        return self.cgram if self.cgram_mode else self.ddram

    def _ddram_address_valid(self, ac: int) -> bool:
        if self.two_lines:
            return (ac & 0x3F) < LINE_LENGTH
        return ac < 2 * LINE_LENGTH

    def _mem_index(self) -> int:
        if self.cgram_mode:
            return self.ac & 0x3F
        return self.ddram_index(self.ac)

    def ddram_index(self, address: int) -> int:
        """Index into the 80 DDRAM bytes of a DDRAM address in the current line mode."""
        if self.two_lines:
            return (address >> 6 & 1) * LINE_LENGTH + (address & 0x3F) % LINE_LENGTH
        return address % (2 * LINE_LENGTH)

    def _step_ac(self, up: bool) -> None:
        ac = self.ac
        if self.cgram_mode:
            self.ac = (ac + (1 if up else -1)) & 0x3F
        elif self.two_lines:
            if up:
                self.ac = 0x40 if ac == 0x27 else 0x00 if ac >= 0x67 else ac + 1
            else:
                self.ac = 0x67 if ac == 0x00 else 0x27 if ac == 0x40 else ac - 1
        else:
            self.ac = (ac + (1 if up else -1)) % 0x50

    def _shift_display(self, right: bool) -> None:
        """Shift the window: right moves the text right (the window left)."""
        span = LINE_LENGTH if self.two_lines else 2 * LINE_LENGTH
        self.shift = (self.shift + (-1 if right else 1)) % span

    # -- views -------------------------------------------------------------------------
    def visible_codes(self) -> list[list[int] | None]:
        """Character codes of the 2 x 16 visible cells; None for a row that shows nothing."""
        rows: list[list[int] | None] = []
        if self.two_lines:
            for line in range(2):
                base = line * LINE_LENGTH
                rows.append(
                    [self.ddram[base + (c + self.shift) % LINE_LENGTH] for c in range(COLUMNS)]
                )
        else:
            rows.append([self.ddram[(c + self.shift) % 80] for c in range(COLUMNS)])
            rows.append(None)
        return rows

    def cursor_cell(self) -> tuple[int, int] | None:
        """(row, column) of the cursor if it falls on a visible cell (DDRAM addressing)."""
        if self.cgram_mode:
            return None
        index = self.ddram_index(self.ac)
        if self.two_lines:
            row, col = divmod(index, LINE_LENGTH)
            col = (col - self.shift) % LINE_LENGTH
        else:
            row, col = 0, (index - self.shift) % 80
        return (row, col) if col < COLUMNS else None

    def blink_phase(self, cycle: int) -> bool:
        """True while a blinking cursor shows the all-dots block."""
        clocks = cycle * self.osc_hz // self.cps
        return (clocks // BLINK_CLOCKS) % 2 == 0

    def glyph(self, code: int) -> list[int] | None:
        """Eight 5-bit rows for a CGRAM code (0x00-0x0F), None for ROM characters."""
        if code >= 0x10:
            return None
        base = (code & 7) * 8
        return [b & 0x1F for b in self.cgram[base : base + 8]]

    def text(self) -> list[str]:
        """The two visible rows as text (mapping in the module docstring)."""
        out = []
        for r, codes in enumerate(self.visible_codes()):
            if codes is None:
                out.append(" " * COLUMNS)
            elif not self.display_on:
                out.append("█" * COLUMNS if r == 0 and not self.two_lines else " " * COLUMNS)
            else:
                out.append("".join(rom_char(c) for c in codes))
        return out
