"""HD44780 LCD controller (LCD1602 and kin, ROM A00): a pin-level model.

Datasheet facts implemented (Hitachi HD44780U datasheet):

- Pins RS (0 instruction, 1 data), RW (0 write, 1 read; or tied to ground: write only), E
  and DB0..DB7, or DB4..DB7 only on a 4-bit wiring. RS and RW are taken at the rising edge
  of E. A write is latched on the falling edge of E. A read: on E rising with RW = 1 the
  controller drives the bus (RS = 0: busy flag on DB7 and the address counter on DB6..DB0;
  RS = 1: the data at the address counter) and releases it on E falling.
- 4-bit interface (DL = 0): every byte is two transfers, high nibble first, on DB7..DB4, for
  writes and reads alike; "the busy flag must be checked after the 4-bit data has been
  transferred twice. Two more 4-bit operations then transfer the busy flag and address
  counter data" (HD44780U Figure 9; the ST7066U datasheet, "Interfacing to the MPU", says
  the same).
- Instructions and times in controller clocks (10 clocks = 37 us at 270 kHz, 410 clocks =
  1.52 ms; data write/read 11 clocks = 41 us): clear (spaces, AC = 0, I/D = 1, shift 0),
  return home (AC = 0, shift 0), entry mode I/D S, display on/off D C B, cursor/display
  shift S/C R/L, function set DL N F, set CGRAM address, set DDRAM address, busy
  flag/address read (no time), data write/read.
- E high from power-on (an 8051's port latches reset to 1) and first lowered after the
  internal reset: a program that sets RS, RW and the data while E is still high and then
  lowers it (many tutorial programs: their first "E = 1" changes nothing) has that write
  taken on real boards (the first function set, two lines, shows on their LCDs); the model
  takes it with RS at the fall, records tAS broken, and a strict part drops it. A fall
  with RW high, during the internal reset, or with RS and the data still as the 8051's
  reset left them (a program lowering E first; a chip would write 0xFF at DDRAM 0, which
  the initialisation's clear erases) is ignored.
- While busy nothing but the busy-flag read is executed: a write (instruction or data) or a
  data read arriving early is dropped, and the model records it.
- Power-on internal reset: busy for 10 ms after VCC reaches 4.5 V, then 8-bit interface, 1
  line, 5x8 font, display off, cursor off, blink off, increment, no shift. Initialisation by
  instruction (0x30 three times, then function set; 4-bit wiring: nibble 3 three times,
  then 2) works from there.
- DDRAM 80 bytes. Two-line mode: line 1 at 0x00-0x27, line 2 at 0x40-0x67; the address
  counter wraps 0x27 -> 0x40 and 0x67 -> 0x00 (and back when decrementing). One-line mode:
  0x00-0x4F, wrapping 0x4F -> 0x00. Display shift moves both lines together.
- CGRAM 64 bytes: 8 glyphs of 5 x 8 (codes 0x00-0x07, mirrored at 0x08-0x0F), 5 bits a row.
- The blinking character alternates with an all-dots block every 102,400 controller clocks
  (409.6 ms at 250 kHz).

Module geometry (``size``, ``boardprofile.parts.LCD_SIZES``): 8, 16, 20, 24 or 40 columns, 1
or 2 rows, and 16x4 / 20x4, whose rows 3 and 4 continue lines 1 and 2 (row 3 of a 20x4
starts at DDRAM 0x14, row 4 at 0x54). 40x4 needs two controllers and is not modelled.

Timing (``TIMING``; ``timing="typical"`` a bench part, the default; ``"strict"`` the
worst a part may do, ``--timing strict``):

- oscillator fOSC, which every execution time scales with: typical 270 kHz, limit 190 kHz
  (HD44780U electrical characteristics, Rf = 91 kOhm, VCC = 5 V: min 190, typ 270, max
  350 kHz);
- short instruction (10 clocks): 37 us, limit 52.6 us; clear / return home (410 clocks):
  1.52 ms, limit 2.16 ms; data write / read (11 clocks, 37 us + tADD 4 us): 41 us, limit
  57.9 us (the instruction table, at 270 kHz, scaled to 190 kHz);
- power-on busy (internal reset): 10 ms, limit 15 ms ("busy until 10 ms after VCC reaches
  4.5 V"; the initialisation flowchart's "wait for more than 15 ms");
- bus timing at VCC = 5 V: E pulse width PWEH >= 230 ns, E cycle tcycE >= 500 ns.

In typical mode the busy flag clears after the typical time; in strict mode only after the
limit, so a program with fixed delays tuned to the typical time loses writes there (and a
program that polls the busy flag works in both). Bus timing: an E pulse shorter than PWEH
or sooner than tcycE after the last one is recorded; strict mode ignores such a transfer.
At 12 clocks per machine cycle an 8051 cannot break them below 40 MHz.

A busy-flag read with one E pulse in 4-bit mode (the datasheet asks for two). What parts
do, from the sources:

- the Hitachi and ST7066U datasheets: a 4-bit transfer is always two E pulses, reads
  included (above); nothing says a change of RS or RW restarts the pair;
- forum reports of real modules: "every time I try it [reading the busy flag in 4-bit
  mode] the LCD goes south" and "some displays allow you to not even need to read the last
  4 bits ... but for correct operation you should read all 8" (PICList, April 2000,
  pic.hallikainen.org/piclist/2000/a/04/21/124610a.txt); "every 4-bit access must be a
  two-nibble sequence, otherwise the LCD loses step" (forum.e-lab.de, t=3097); a VF module
  that returns the upper nibble on every poll while busy and needs the second read only
  after (PICList, Oct 1999, pic.hallikainen.org/piclist/1999/b/10/27/003311a.txt);
- MAME's hd44780 device (src/devices/video/hd44780.cpp, ``update_nibble``) starts a new
  byte whenever RS or RW differs from the previous transfer's, which makes a lone busy
  read harmless there; its notes list KS0066, ST7066U, SPLC780C and SED1278 as clones
  with the HD44780's instruction timing (KS0066: data read/write 11 clocks).

The model follows the datasheet by default: the 4-bit interface counts every E pulse,
reads and writes alike, so a one-pulse busy poll reads BF on every other pulse only (the
others give AC3), the next write's high nibble is taken as a read's second half, bytes
are assembled from the wrong halves, and the display fills with garbage, as the failing
modules do. ``nibble_resync=True`` (profile ``[lcd] nibble_resync = true``) models the
tolerant modules, the ones that "allow you to not even need to read the last 4 bits": a
transfer whose RS or RW differs from the previous one starts a new byte (MAME), and a
status read while busy does not advance the pair (the VF module above), so a one-pulse
poll sees BF each time and the write after it starts a byte. Either way a lone half-read
followed by a write is recorded (``half-read``).

Text view (``text()``): one string per row, ``columns`` characters each. ROM A00 mapping:
0x20-0x7D ASCII except 0x5C -> '¥' (yen); 0x7E -> '→'; 0x7F -> '←'; 0xA1-0xDE ->
half-width katakana U+FF61-U+FF9E (the same JIS X 0201 table); 0xDF -> '°'; CGRAM codes
0x00-0x0F -> '①'..'⑧' (glyph n+1); 0x10-0x1F (blank in ROM A00) -> ' '; anything else
(0x80-0xA0, 0xE0-0xFF) -> '·'. Display off: blank rows. One-line mode (an uninitialised
module) shows the rows of controller line 1 as dark blocks on a multi-row module:
text() gives '█' there while the display is off, the characters when on; the rows of line
2 stay blank. A one-row module shows nothing while off.

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
- A 4-bit read at the second half after a write returns the low nibble of the last value
  read; a write at the second half after a read is joined to the last high nibble written.

Checks (``violations``; PortBus shorts on the data bus are included): writes and data
reads while busy (dropped), RS/RW changed while E was high, DDRAM addresses outside the map,
the null instruction 0x00, E pulse width and cycle, a 4-bit half read followed by a write.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Any

from boardprofile.parts import LCD_SIZES

from sim.bus.pins import PortBus
from sim.devices._common import (
    DEFAULT_CYCLES_PER_SECOND,
    Limit,
    PartContext,
    PinLike,
    Violation,
    as_pin,
    as_pins,
    bus_conflicts,
    report,
)
from sim.devices._state import VIOLATIONS, Bool, Int, IntList, Stateful

# execution times in controller clocks
CLOCKS_SHORT = 10  # 37 us at 270 kHz
CLOCKS_LONG = 410  # 1.52 ms at 270 kHz (clear, return home)
CLOCKS_DATA = 11  # 37 us + 4 us
BLINK_CLOCKS = 102_400  # half period of the blink

TIMING: dict[str, Limit] = {
    "osc_hz": Limit(270_000, 190_000, "Hz", "oscillator, Rf = 91 kOhm, VCC = 5 V "
                    "(min 190, typ 270, max 350 kHz): execution times scale with it"),
    "power_on_s": Limit(0.010, 0.015, "s", "power-on busy: 10 ms after VCC reaches 4.5 V; "
                        "the initialisation flowchart waits > 15 ms"),
    "pweh_ns": Limit(230, 230, "ns", "E pulse width PWEH >= 230 ns (VCC = 5 V)"),
    "tcyce_ns": Limit(500, 500, "ns", "E cycle time tcycE >= 500 ns (VCC = 5 V)"),
}
POWER_ON_BUSY_S = TIMING["power_on_s"].typical

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
        rw: PinLike | None,
        e: PinLike,
        data: Iterable[PinLike] | str,
        *,
        cycles_per_second: int = DEFAULT_CYCLES_PER_SECOND,
        osc_hz: int | None = None,
        name: str = "lcd",
        cycle: int = 0,
        size: str = "16x2",
        timing: str = "typical",
        nibble_resync: bool = False,
    ) -> None:
        self.bus = bus
        self.rs_pin = as_pin(rs)
        self.rw_pin = as_pin(rw) if rw is not None else None  # None: RW tied to ground
        self.e_pin = as_pin(e)
        self.data_pins = as_pins(data)
        if len(self.data_pins) not in (4, 8):
            raise ValueError("the LCD data bus is 8 pins (DB0..DB7) or 4 pins (DB4..DB7)")
        if size not in LCD_SIZES:
            raise ValueError(f"LCD size {size!r}: expected one of {', '.join(LCD_SIZES)}")
        self.size = size
        self.columns, self.row_map = LCD_SIZES[size]
        self.wiring = len(self.data_pins)
        self.cps = int(cycles_per_second)
        self.timing = timing
        self.osc_hz = int(osc_hz if osc_hz is not None else TIMING["osc_hz"].value(timing))
        self.nibble_resync = nibble_resync
        self.name = name
        self.violation_sink: Any = None
        self.reset(cycle)
        bus.watch(*self.e_pin, self._on_e)

    @classmethod
    def build(cls, parts: Sequence[Any], ctx: PartContext) -> list[HD44780]:
        """One controller per ``[lcd]`` part (``boardprofile.parts``)."""
        return [cls(ctx.bus, p.rs, p.rw, p.e, list(p.data),
                    cycles_per_second=ctx.cycles_per_second, name=p.name, size=p.size,
                    timing=ctx.timing, nibble_resync=p.nibble_resync) for p in parts]

    def clocks_to_cycles(self, clocks: int) -> int:
        return -(-clocks * self.cps // self.osc_hz)  # ceiling

    @property
    def rows(self) -> int:
        return len(self.row_map)

    # -- state -------------------------------------------------------------------------
    def reset(self, cycle: int = 0, *, keep_violations: bool = False) -> None:
        """Power-on internal reset at ``cycle``: busy for 10 ms (15 ms in strict timing).
        ``keep_violations``: a board cycling its supply keeps the record of what went wrong
        before."""
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
        self.busy_until = cycle + round(TIMING["power_on_s"].value(self.timing) * self.cps)
        self.power_on_cycle = cycle
        self.powered = True
        # The 8051 resets its latches to 1, so E is usually high at power-on: its first
        # fall is judged by _first_fall.
        self._e = bool(self.bus.pin(*self.e_pin))
        self._ignore_fall = self._e
        self._rs = self.bus.pin(*self.rs_pin)
        self._rw = self._read_rw()
        self._nibble = 0  # 0: next transfer is a high nibble (4-bit mode)
        self._high = 0
        self._dropped_nibble = False
        self._read_value = 0
        self._read_ok = True
        self._driving = False
        self._violations: list[Violation] = kept
        self._timing_trackers()

    def _timing_trackers(self) -> None:
        """What the bus-timing and half-read checks remember (not saved state)."""
        self._e_rise: int | None = None
        self._e_fall: int | None = None
        self._short_pulse = False
        self._prev_rs = -1  # RS / RW of the previous transfer (4-bit half-read check)
        self._prev_rw = -1

    def power_off(self, cycle: int) -> None:
        """The module loses its supply: the bus outputs let go; nothing is taken."""
        if self._driving:
            self._drive_bus(None, cycle, nibble_only=False)
        self.powered = False

    def power_on(self, cycle: int) -> None:
        """The supply comes back: the power-on internal reset (violations are kept)."""
        self.reset(cycle, keep_violations=True)

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

    def _state_loaded(self, cycle: int) -> None:
        self._timing_trackers()

    @property
    def violations(self) -> list[Violation]:
        return self._violations + bus_conflicts(self.bus, self.name)

    def _violation(self, cycle: int, kind: str, detail: str, required: str = "") -> None:
        report(self, Violation(cycle, kind, detail, required))

    def busy(self, cycle: int) -> bool:
        return cycle < self.busy_until

    def _read_rw(self) -> int:
        return self.bus.pin(*self.rw_pin) if self.rw_pin is not None else 0

    def _ns(self, cycles: int) -> float:
        return cycles * 1e9 / self.cps

    # -- pins --------------------------------------------------------------------------
    def _on_e(self, level: int, cycle: int) -> None:
        rising = bool(level)
        if rising == self._e or not self.powered:
            return
        self._e = rising
        if rising:
            self._ignore_fall = False
            last = self._e_rise
            self._e_rise = cycle
            self._short_pulse = False
            if last is not None and self._ns(cycle - last) < TIMING["tcyce_ns"].limit:
                self._violation(cycle, "tcycE", f"E rose {self._ns(cycle - last):.0f} ns after "
                                "the previous rise", ">= 500 ns between E pulses (tcycE)")
                self._short_pulse = True
            self._rs = self.bus.pin(*self.rs_pin)
            self._rw = self._read_rw()
            if not self.dl8:
                self._pair_check(cycle)
            if self._rw:
                self._start_read(cycle)
            return
        if self._ignore_fall:
            self._ignore_fall = False
            self._first_fall(cycle)
            return
        rise = self._e_rise
        if rise is not None and self._ns(cycle - rise) < TIMING["pweh_ns"].limit:
            self._violation(cycle, "PWEH", f"E high for {self._ns(cycle - rise):.0f} ns",
                            "E pulse width >= 230 ns (PWEH)")
            self._short_pulse = True
        if self.bus.pin(*self.rs_pin) != self._rs or self._read_rw() != self._rw:
            self._violation(cycle, "rs-rw-changed", "RS or RW changed while E was high",
                            "RS and RW stable from before E rises until after it falls "
                            "(tAS, tAH)")
        if self._short_pulse and self.timing == "strict":
            if self._rw:
                self._drive_bus(None, cycle, nibble_only=False)
            return  # a worst-case part takes nothing from a pulse that short
        if self._rw:
            self._end_read(cycle)
        else:
            self._write_transfer(cycle)

    def _first_fall(self, cycle: int) -> None:
        """E high since power-on (the 8051's latches reset to 1) falls for the first time.
        During the internal reset nothing is taken. After it (the board's reset circuit held
        the MCU longer), a write whose RS, RW and data were set while E stayed high is taken
        with RS as it is at the fall: the tutorial programs that send their first command
        without lowering E first work on real boards. RS and RW were never set up before a
        rising edge (tAS): recorded, and a strict part takes nothing. A read is ignored, and
        so is a fall with RS and the data as the 8051's reset left them (all high): a
        program lowering E before anything else (a chip would write 0xFF at address 0,
        which every initialisation's clear erases)."""
        if self.busy(cycle) or self._read_rw():
            return
        if self.bus.pin(*self.rs_pin) and self._bus_value() == 0xFF:
            return
        self._violation(cycle, "tAS", "first transfer after power-on with E high since "
                        "power-on: RS and RW set while E was high"
                        + (": dropped" if self.timing == "strict" else ""),
                        "E low, RS and RW set, then E rises (tAS >= 40 ns)")
        if self.timing == "strict":
            return
        self._rs = self.bus.pin(*self.rs_pin)
        self._rw = 0
        self._write_transfer(cycle)

    def _pair_check(self, cycle: int) -> None:
        """4-bit mode, at E rising: a transfer that is the second half of a pair whose first
        half was a read, but is not the same read (a write, or the other register)."""
        second = self._nibble == 1
        changed = self._rs != self._prev_rs or self._rw != self._prev_rw
        if second and changed and self._prev_rw == 1:
            what = "a write" if not self._rw else "a read of the other register"
            self._violation(
                cycle, "half-read",
                f"4-bit read of one nibble (RS={self._prev_rs}) followed by {what}: "
                + ("this module starts a new byte (nibble_resync)" if self.nibble_resync
                   else "the controller takes it as the read's second half, later bytes "
                   "are out of step"),
                "a 4-bit read is two E pulses, high nibble then low nibble (HD44780U "
                "Figure 9)")
        if self.nibble_resync and changed:
            self._nibble = 0
        self._prev_rs, self._prev_rw = self._rs, self._rw

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
                    self._violation(cycle, "busy-read", "data read while busy: ignored",
                                    "read the busy flag until BF = 0 first")
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
            if (self.nibble_resync and self._nibble == 0 and not self._rs
                    and self._read_value & 0x80):
                return  # a tolerant module: a busy status read does not advance the pair
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
                self._busy_write(cycle, value)
                return
        if self.busy(cycle):
            self._busy_write(cycle, value)
            return
        if self._rs:
            self._write_data(value, cycle)
        else:
            self._instruction(value, cycle)

    def _busy_write(self, cycle: int, value: int) -> None:
        since = (cycle - self.power_on_cycle) / self.cps
        if since < TIMING["power_on_s"].value(self.timing):
            why = (f"{self._what(value)} sent {since * 1000:.2f} ms after power-on, "
                   "during the internal reset: dropped")
            need = (f"wait > {TIMING['power_on_s'].limit * 1000:.0f} ms after VCC reaches "
                    "4.5 V (internal reset)")
        else:
            why = f"{self._what(value)} sent while busy: dropped"
            need = "wait for BF = 0 (or the instruction's execution time) before writing"
        self._violation(cycle, "busy-write", why, need)

    def _what(self, value: int) -> str:
        return f"{'data' if self._rs else 'instruction'} 0x{value:02X}"

    # -- execution ---------------------------------------------------------------------
    def _instruction(self, code: int, cycle: int) -> None:
        clocks = CLOCKS_SHORT
        if code & 0x80:
            self.ac = code & 0x7F
            self.cgram_mode = False
            if not self._ddram_address_valid(self.ac):
                self._violation(cycle, "ddram-address", f"DDRAM address 0x{self.ac:02X} not mapped",
                                "DDRAM addresses 0x00-0x27 and 0x40-0x67 (two lines), "
                                "0x00-0x4F (one line)")
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
            self._violation(cycle, "null-instruction", "instruction 0x00",
                            "0x00 is no instruction")
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
    def _cell_index(self, row: int, col: int) -> int | None:
        """The DDRAM index shown at (row, col), or None where the row shows nothing."""
        line, offset = self.row_map[row]
        if self.two_lines:
            return line * LINE_LENGTH + (offset + col + self.shift) % LINE_LENGTH
        if line:
            return None  # one-line mode drives only the rows of controller line 1
        return (offset + col + self.shift) % (2 * LINE_LENGTH)

    def visible_codes(self) -> list[list[int] | None]:
        """Character codes of the visible cells, row by row; None for a row that shows
        nothing."""
        rows: list[list[int] | None] = []
        for r in range(self.rows):
            cells = [self._cell_index(r, c) for c in range(self.columns)]
            rows.append(None if cells[0] is None else [self.ddram[i] for i in cells])
        return rows

    def dark_rows(self) -> list[bool]:
        """Rows whose unlit dots show as dark blocks: the rows of controller line 1 of a
        multi-row module in one-line mode (an uninitialised module)."""
        multi = len({line for line, _ in self.row_map}) > 1
        return [multi and not self.two_lines and line == 0 for line, _ in self.row_map]

    def cursor_cell(self) -> tuple[int, int] | None:
        """(row, column) of the cursor if it falls on a visible cell (DDRAM addressing)."""
        if self.cgram_mode:
            return None
        index = self.ddram_index(self.ac)
        for r in range(self.rows):
            for c in range(self.columns):
                if self._cell_index(r, c) == index:
                    return r, c
        return None

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
        """The visible rows as text (mapping in the module docstring)."""
        out = []
        dark = self.dark_rows()
        blank = " " * self.columns
        for r, codes in enumerate(self.visible_codes()):
            if codes is None:
                out.append(blank)
            elif not self.display_on:
                out.append("█" * self.columns if dark[r] else blank)
            else:
                out.append("".join(rom_char(c) for c in codes))
        return out
