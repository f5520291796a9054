"""DS18B20 1-Wire digital thermometer: a pin-level model on one open-drain data line.

Datasheet facts implemented (Maxim DS18B20 datasheet):

- Bus: open drain with a ~4.7 kOhm pull-up; the master and the sensor only ever pull low
  (the model drives 0 or releases, never 1). On an 8051 quasi-bidirectional pin this is a
  wired AND with the port latch (``PortBus``).
- Reset: the master pulls low >= 480 us (tRSTL) and releases; the sensor waits 15-60 us
  (tPDHIGH) and pulls low for 60-240 us (tPDLOW): the presence pulse. The master must leave
  the bus alone for >= 480 us after its release (tRSTH) before the first slot.
- Time slots start with a master falling edge; each lasts >= 60 us with >= 1 us recovery
  (high) between slots. Write 1: low >= 1 us, released within 15 us. Write 0: low 60-120 us.
  The sensor samples a write slot 15-60 us after the fall (typically 30 us). Read: the
  master pulls low >= 1 us and releases; a 0 is driven by the sensor from the fall and is
  valid until 15 us after it; a 1 leaves the bus high. Bits go LSB first.
- ROM commands after a reset: 33 Read ROM (8 bytes), 55 Match ROM (+ 64 bits), CC Skip
  ROM, F0 Search ROM (per ROM bit: the bit, its complement, then the master's choice; a
  mismatch deselects), EC Alarm Search (as F0, only with the alarm flag: T >= TH or
  T <= TL). ROM: family 0x28, 48-bit serial number, CRC-8 of the first 7 bytes.
- Function commands: 44 Convert T (read slots return 0 while converting, 1 when done;
  93.75 / 187.5 / 375 / 750 ms at 9 / 10 / 11 / 12 bits, config bits R1 R0), BE Read
  Scratchpad (9 bytes: temp LSB, MSB, TH, TL, config, FF, reserved, 10, CRC; the master may
  stop with a reset; further read slots return 1), 4E Write Scratchpad (TH, TL, config: only
  R1 R0 are writable, the other config bits read 0 11111), 48 Copy Scratchpad (TH, TL,
  config to EEPROM; read slots 0 for 10 ms), B8 Recall E2 (EEPROM to scratchpad), B4 Read
  Power Supply (read slots return 1: external power).
- Temperature register: 16-bit two's complement, 1/16 C per LSB at 12 bits (undefined low
  bits at 9-11 bits, modelled as 0); -55..+125 C. Power-on value +85 C (0x0550); EEPROM
  TH 0x4B, TL 0x46, config 0x7F (12 bit).
- CRC-8, polynomial x^8 + x^5 + x^4 + 1 (reflected 0x8C, initial 0).

Timing (``TIMING``; ``timing="typical"`` a bench part, the default; ``"strict"`` the worst
part the datasheet allows, ``--timing strict``):

- presence wait tPDHIGH: typical 30 us, limit 60 us (datasheet 15-60 us);
- presence pulse tPDLOW: typical 120 us, limit 240 us (datasheet 60-240 us: the strict part
  holds the line longest);
- write-slot sample: typical 30 us after the fall, limit anywhere in 15-60 us (the
  datasheet's "MIN 15, TYP 30, MAX 60", write time slot figure);
- a 0 in a read slot is held 15 us (tRDV, data valid 15 us after the fall) in both modes;
- the master's rules checked: tRSTL >= 480 us, tRSTH >= 480 us, tSLOT >= 60 us, tREC >= 1
  us, tLOW0 60-120 us, tLOW1 >= 1 us.

In strict mode a write slot released inside the 15-60 us sampling window is read as the
wrong bit (a part may sample anywhere in the window), and the presence pulse ends 300 us
after the release: a program that starts its first slot right after seeing presence (the
datasheet asks for 480 us, tRSTH) loses those bits on such a part, while a typical part
(presence over at 150 us) takes them. Either way the slot is recorded (tRSTH).

Deviations (on purpose):

- The sensor's own timing is fixed, not random: presence ``presence_wait_us`` after the
  release, lasting ``presence_us`` (by the timing mode, above); both may be set to the
  datasheet's extremes (15/60, 60/240) to test a master's sampling window. A 0 in a read
  slot is held exactly 15 us after the fall (the shortest valid time), so a master that
  samples late reads 1, i.e. garbage, as on a worst-case part.
- The model watches the wired line and the port latch: a fall counts as a slot only when
  the master (the latch) pulls the line, so another sensor's presence pulse on the same
  line is not taken for one, and while the sensor pulls the line itself the latch tells
  whether the master still holds it (a real part needs neither: its timing makes the
  cases coincide).
- Reserved scratchpad byte 6 reads 0x0C. The conversion measures the temperature at the
  Convert T command. No parasite power, no EEPROM wear, no alarm-search of TH/TL beyond
  the integer comparison of the datasheet.
- ``temperature = None`` models an absent sensor (nothing ever answers).
- ``crc_fault`` corrupts every scratchpad transfer on the wire (bit 2 of the MSB is
  inverted, 64 C off) while the CRC byte is that of the true data: a master that checks
  the CRC rejects it; one that does not shows a wrong temperature.

Checks (``violations``, each with the cycle and the measured time):

- tLOW1: a slot's low shorter than 1 us; while the sensor takes part in the transfer:
  release inside the write sampling window (15-60 us, an ambiguous bit); write-0 low
  longer than 120 us (and shorter than a reset);
- read slot: the master still holding the line low 15 us after the fall (it cannot read);
- tSLOT/tREC: a falling edge less than 61 us after the previous slot's fall or less than
  1 us after the line came back high;
- tRSTH: a slot starting less than 480 us after the release that ended a reset; the master
  pulling the line low during the presence pulse;
- protocol: an unknown ROM or function command, a Write Scratchpad cut short by a reset.
"""

from __future__ import annotations

import math
from collections import deque
from collections.abc import Callable

from sim.bus.pins import PortBus
from sim.devices._common import (
    DEFAULT_CYCLES_PER_SECOND,
    Limit,
    PartContext,
    PinLike,
    Violation,
    as_pin,
    bus_conflicts,
    report,
)

FAMILY = 0x28
POWER_ON_TEMP = 0x0550  # +85 C
RANGE_C = (-55.0, 125.0)  # the measuring range, C: what the register can be set to
CONVERSION_MS = {9: 93.75, 10: 187.5, 11: 375.0, 12: 750.0}
COPY_MS = 10.0
# timing limits, microseconds
T_RSTL = 480.0
T_RSTH = 480.0
T_LOW1_MIN = 1.0
T_RDV = 15.0  # read data valid after the fall / end of a write-1 low
T_SAMPLE_END = 60.0  # the sensor samples a write slot by then
T_SAMPLE_TYP = 30.0
T_LOW0_MAX = 120.0
T_SLOT = 60.0
T_REC = 1.0

LOG_KEEP = 10_000

TIMING: dict[str, Limit] = {
    "presence_wait_us": Limit(30.0, 60.0, "us", "presence wait tPDHIGH: 15-60 us"),
    "presence_us": Limit(120.0, 240.0, "us", "presence pulse tPDLOW: 60-240 us"),
    "write_sample_us": Limit(30.0, 60.0, "us", "write-slot sample: 15 (min), 30 (typ), "
                             "60 us (max) after the fall"),
}

Scheduler = Callable[[int, Callable[[int], None]], None]  # at(cycle, action)


def crc8(data: bytes | list[int]) -> int:
    """Dallas/Maxim CRC-8 (x^8 + x^5 + x^4 + 1, LSB first, initial 0)."""
    crc = 0
    for b in data:
        for _ in range(8):
            mix = (crc ^ b) & 1
            crc >>= 1
            if mix:
                crc ^= 0x8C
            b >>= 1
    return crc


def rom_code(serial: int) -> bytes:
    """The 8 ROM bytes (LSB first on the wire): family 0x28, 48-bit serial, CRC."""
    body = bytes([FAMILY]) + serial.to_bytes(6, "little")
    return body + bytes([crc8(body)])


def raw_temperature(celsius: float, resolution: int = 12) -> int:
    """The 16-bit register value (two's complement, 1/16 C) for ``celsius``."""
    low, high = RANGE_C
    raw = max(round(low * 16), min(round(high * 16), math.floor(celsius * 16 + 0.5)))
    raw &= ~((1 << (12 - resolution)) - 1)
    return raw & 0xFFFF


class DS18B20:
    """The sensor on one pin. See the module docstring for facts, deviations and checks."""

    def __init__(self, bus: PortBus, pin: PinLike, at: Scheduler, *,
                 cycles_per_second: int = DEFAULT_CYCLES_PER_SECOND,
                 serial: int = 0x0000_1B2C_3D4E, temperature: float | None = 25.0,
                 presence_wait_us: float | None = None, presence_us: float | None = None,
                 name: str = "ds18b20", timing: str = "typical") -> None:
        if presence_wait_us is None:
            presence_wait_us = TIMING["presence_wait_us"].value(timing)
        if presence_us is None:
            presence_us = TIMING["presence_us"].value(timing)
        if not 15.0 <= presence_wait_us <= 60.0 or not 60.0 <= presence_us <= 240.0:
            raise ValueError("presence timing outside the datasheet's 15-60 / 60-240 us")
        self.timing = timing
        self.violation_sink: object = None
        self.bus = bus
        self.pin = as_pin(pin)
        self._at = at
        self.cps = int(cycles_per_second)
        self.name = name
        self.rom = rom_code(serial)
        self.temperature = temperature
        self.crc_fault = False
        self.presence_wait = self._cycles(presence_wait_us)
        self.presence_len = self._cycles(presence_us)
        self._violations: list[Violation] = []
        # (cycle, "reset" | "rom XX" | "cmd XX"), the last LOG_KEEP..2 * LOG_KEEP entries
        self.log: list[tuple[int, str]] = []
        # memory
        self.eeprom = [0x4B, 0x46, 0x7F]  # TH, TL, config
        self.temp_reg = POWER_ON_TEMP
        self.th, self.tl, self.config = self.eeprom
        self._conv_value: float | None = None
        self._busy_until = 0  # read slots return 0 before this cycle (Convert, Copy)
        # line state
        self._gen = 0  # invalidates scheduled events of an older reset / slot
        self._driving = False
        self._fall: int | None = None  # the master's last falling edge
        self._prev_fall: int | None = None
        self._rise: int | None = None  # the line's last rise
        self._reset_release: int | None = None
        self._in_presence = False
        self._slot_is_read = False
        self._own = False  # the line changes because the sensor drives it
        self.powered = True
        self._idle()
        bus.watch(*self.pin, self._on_edge)

    @classmethod
    def build(cls, parts: object, ctx: PartContext) -> list[DS18B20]:
        """One sensor per ``[ds18b20]`` / ``[[ds18b20]]`` part; several may share a pin."""
        return [cls(ctx.bus, p.pin, ctx.at, cycles_per_second=ctx.cycles_per_second,
                    serial=p.serial, temperature=ctx.temperature, name=p.name,
                    timing=ctx.timing) for p in parts]  # type: ignore[attr-defined]

    # -- helpers -----------------------------------------------------------------------
    def _cycles(self, us: float) -> int:
        return math.ceil(us * self.cps / 1e6 - 1e-9)

    def _us(self, cycles: int) -> float:
        return cycles * 1e6 / self.cps

    def _log(self, cycle: int, what: str) -> None:
        self.log.append((cycle, what))
        if len(self.log) > 2 * LOG_KEEP:  # a long live run: keep the recent history
            del self.log[:LOG_KEEP]

    def _violation(self, cycle: int, kind: str, detail: str, required: str = "") -> None:
        report(self, Violation(cycle, kind, detail, required))

    @property
    def violations(self) -> list[Violation]:
        return self._violations + bus_conflicts(self.bus, self.name)

    @property
    def resolution(self) -> int:
        return 9 + (self.config >> 5 & 3)

    @property
    def conversion_cycles(self) -> int:
        return self._cycles(CONVERSION_MS[self.resolution] * 1000.0)

    def scratchpad(self, cycle: int) -> bytes:
        """The 9 scratchpad bytes at ``cycle`` (CRC included, as a correct part sends them)."""
        self._finish_conversion(cycle)
        t = self.temp_reg
        body = bytes([t & 0xFF, t >> 8, self.th, self.tl, self.config, 0xFF, 0x0C, 0x10])
        return body + bytes([crc8(body)])

    def _finish_conversion(self, cycle: int) -> None:
        if self._conv_value is not None and cycle >= self._busy_until:
            self.temp_reg = raw_temperature(self._conv_value, self.resolution)
            self._conv_value = None

    @property
    def alarm(self) -> bool:
        t = self.temp_reg - 0x10000 if self.temp_reg & 0x8000 else self.temp_reg
        whole = t >> 4
        th = self.th - 256 if self.th & 0x80 else self.th
        tl = self.tl - 256 if self.tl & 0x80 else self.tl
        return whole >= th or whole <= tl

    # -- protocol state ----------------------------------------------------------------
    def _idle(self) -> None:
        """Not selected: slots are ignored until the next reset."""
        self._tx: deque[int] = deque()
        self._rx_bits = 0
        self._rx_byte = 0
        self._rx_need = 0
        self._rx_got: list[int] = []
        self._one_bit = False  # Search ROM: the master's direction is one bit, not a byte
        self._on_rx: Callable[[list[int], int], None] | None = None
        self._after_tx: Callable[[int], None] | None = None
        self._read_mode = ""  # "busy": 0 until _busy_until then 1; "ones": always 1
        self._search: list[int] | None = None
        self._search_step = 0

    def _expect(self, n: int, handler: Callable[[list[int], int], None]) -> None:
        self._tx.clear()
        self._read_mode = ""
        self._rx_need = n
        self._rx_got = []
        self._rx_bits = self._rx_byte = 0
        self._one_bit = False
        self._on_rx = handler

    def _send(self, data: bytes, then: Callable[[int], None] | None = None) -> None:
        self._on_rx = None
        self._read_mode = ""
        self._tx = deque((b >> i) & 1 for b in data for i in range(8))
        self._after_tx = then

    def _ones(self, _cycle: int = 0) -> None:
        self._on_rx = None
        self._tx.clear()
        self._read_mode = "ones"

    def _rom_command(self, got: list[int], cycle: int) -> None:
        cmd = got[0]
        self._log(cycle, f"rom {cmd:02X}")
        if cmd == 0x33:
            self._send(self.rom, then=self._to_function)
        elif cmd == 0x55:
            self._expect(8, self._match)
        elif cmd == 0xCC:
            self._to_function(cycle)
        elif cmd in (0xF0, 0xEC):
            self._finish_conversion(cycle)
            if cmd == 0xEC and not self.alarm:
                self._idle()
                return
            self._search = [(self.rom[i // 8] >> (i % 8)) & 1 for i in range(64)]
            self._search_step = 0
            self._search_next()
        else:
            self._violation(cycle, "protocol", f"unknown ROM command 0x{cmd:02X}",
                            "ROM commands 33, 55, CC, F0, EC after a reset")
            self._idle()

    def _match(self, got: list[int], cycle: int) -> None:
        if bytes(got) == self.rom:
            self._to_function(cycle)
        else:
            self._idle()

    def _search_next(self) -> None:
        """Send the ROM bit and its complement, then take the master's direction."""
        assert self._search is not None
        bit = self._search[self._search_step]
        self._send(b"", then=self._search_choice)
        self._tx.extend((bit, bit ^ 1))

    def _search_choice(self, _cycle: int) -> None:
        self._expect(1, self._search_bit)
        self._one_bit = True

    def _search_bit(self, got: list[int], cycle: int) -> None:
        assert self._search is not None
        if got[0] != self._search[self._search_step]:
            self._idle()
            return
        self._search_step += 1
        if self._search_step == 64:
            self._search = None
            self._to_function(cycle)
        else:
            self._search_next()

    def _to_function(self, _cycle: int) -> None:
        self._expect(1, self._function)

    def _function(self, got: list[int], cycle: int) -> None:
        cmd = got[0]
        self._log(cycle, f"cmd {cmd:02X}")
        self._finish_conversion(cycle)
        if cmd == 0x44:
            self._conv_value = self.temperature if self.temperature is not None else 85.0
            self._busy_until = cycle + self.conversion_cycles
            self._busy()
        elif cmd == 0xBE:
            data = bytearray(self.scratchpad(cycle))
            if self.crc_fault:
                data[1] ^= 0x04
            self._send(bytes(data), then=self._ones)
        elif cmd == 0x4E:
            self._expect(3, self._write_scratchpad)
        elif cmd == 0x48:
            self.eeprom = [self.th, self.tl, self.config]
            self._busy_until = cycle + self._cycles(COPY_MS * 1000.0)
            self._busy()
        elif cmd == 0xB8:
            self.th, self.tl, self.config = self.eeprom
            self._busy_until = cycle
            self._busy()
        elif cmd == 0xB4:
            self._ones()
        else:
            self._violation(cycle, "protocol", f"unknown function command 0x{cmd:02X}",
                            "function commands 44, BE, 4E, 48, B8, B4")
            self._idle()

    def _busy(self) -> None:
        self._on_rx = None
        self._tx.clear()
        self._read_mode = "busy"

    def _write_scratchpad(self, got: list[int], _cycle: int) -> None:
        self.th, self.tl = got[0], got[1]
        self.config = 0x1F | (got[2] & 0x60)
        self._idle()

    # -- bits --------------------------------------------------------------------------
    def _read_bit(self, cycle: int) -> int | None:
        """The bit the sensor sends in a read slot starting now (None: not sending)."""
        if self._tx:
            bit = self._tx.popleft()
            if not self._tx and self._after_tx is not None:
                then, self._after_tx = self._after_tx, None
                then(cycle)
            return bit
        if self._read_mode == "busy":
            self._finish_conversion(cycle)
            return 0 if cycle < self._busy_until else 1
        if self._read_mode == "ones":
            return 1
        return None

    def _write_bit(self, bit: int, cycle: int) -> None:
        if self._on_rx is None:
            return
        if self._one_bit:
            handler, self._on_rx = self._on_rx, None
            handler([bit], cycle)
            return
        self._rx_byte |= bit << self._rx_bits
        self._rx_bits += 1
        if self._rx_bits == 8:
            self._rx_got.append(self._rx_byte)
            self._rx_bits = self._rx_byte = 0
            if len(self._rx_got) == self._rx_need:
                handler, self._on_rx = self._on_rx, None
                handler(self._rx_got, cycle)

    # -- the line ----------------------------------------------------------------------
    def _drive_low(self, cycle: int) -> None:
        self._driving = True
        self._own = True
        self.bus.drive(self.name, *self.pin, 0, cycle)
        self._own = False

    def _release(self, cycle: int) -> None:
        self._driving = False
        self._own = True
        self.bus.drive(self.name, *self.pin, None, cycle)
        self._own = False

    def _master_low(self) -> bool:
        port, bit = self.pin
        return not (self.bus.latch[port] >> bit & 1)

    def _on_edge(self, level: int, cycle: int) -> None:
        if self._own:  # the sensor's own edge (the master had already released)
            if level:
                self._rise = cycle
            return
        if self.temperature is None or not self.powered:
            return
        if level == 0:
            if self._master_low():  # not another sensor's presence pulse
                self._on_fall(cycle)
        else:
            self._on_rise(cycle)

    def _on_fall(self, cycle: int) -> None:
        rel = self._reset_release
        if rel is not None:
            if cycle - rel < self._cycles(T_RSTH):
                self._violation(cycle, "tRSTH", f"slot {self._us(cycle - rel):.1f} us after "
                                "the reset's release (>= 480 us)",
                                "the first slot >= 480 us after the reset pulse ends (tRSTH)")
            self._reset_release = None
            self._prev_fall = None
        elif self._prev_fall is not None:
            if cycle - self._prev_fall < self._cycles(T_SLOT + T_REC):
                self._violation(cycle, "tSLOT", f"slot of {self._us(cycle - self._prev_fall):.1f}"
                                " us (>= 60 us + 1 us recovery)",
                                "time slots >= 60 us with >= 1 us recovery (tSLOT, tREC)")
            elif self._rise is not None and cycle - self._rise < self._cycles(T_REC):
                self._violation(cycle, "tREC", f"recovery of {self._us(cycle - self._rise):.2f}"
                                " us (>= 1 us)", "the line high >= 1 us between slots (tREC)")
        self._gen += 1
        self._fall = cycle
        self._prev_fall = cycle
        self._slot_is_read = False
        if self.temperature is None:
            return
        bit = self._read_bit(cycle)
        if bit is None:
            return
        self._slot_is_read = True
        if bit == 0:
            self._drive_low(cycle)
            gen = self._gen
            self._at(cycle + self._cycles(T_RDV), lambda c, g=gen: self._end_read0(c, g))

    def _end_read0(self, cycle: int, gen: int) -> None:
        if gen != self._gen or not self._driving:
            return
        self._release(cycle)  # a master still holding the line is reported at its release

    def _on_rise(self, cycle: int) -> None:
        self._rise = cycle
        if self._fall is None:
            return
        low = cycle - self._fall
        low_us = self._us(low)
        fall, self._fall = self._fall, None
        if low >= self._cycles(T_RSTL):
            self._reset(cycle)
            return
        if low_us < T_LOW1_MIN:
            self._violation(fall, "tLOW1", f"slot low for {low_us:.2f} us (>= 1 us)",
                            "a slot's low >= 1 us (tLOW1)")
        if T_LOW0_MAX < low_us:
            self._violation(fall, "tLOW0", f"low for {low_us:.1f} us: longer than a write-0 "
                            "slot (60-120 us), shorter than a reset (480 us)",
                            "write 0: low 60-120 us (tLOW0); reset: low >= 480 us (tRSTL)")
        if not self._slot_is_read and self._on_rx is None:
            return  # not taking part (not selected, or another sensor's read slot)
        if self._slot_is_read:
            if low_us > T_RDV:
                self._violation(fall, "read-slot", f"read slot held low {low_us:.1f} us (the "
                                "master must release and sample within 15 us)",
                                "read slot: release and sample within 15 us of the fall "
                                "(tRDV)")
            return
        bit = 1 if low_us < T_SAMPLE_TYP else 0
        if T_RDV <= low_us < T_SAMPLE_END:
            self._violation(fall, "sample-window", f"released {low_us:.1f} us after the fall, "
                            "inside the 15-60 us sampling window",
                            "write 1: release within 15 us; write 0: hold >= 60 us (the "
                            "sensor samples 15-60 us after the fall)")
            if self.timing == "strict":
                bit ^= 1  # a worst-case part samples at the other end of the window
        self._write_bit(bit, cycle)

    def _reset(self, cycle: int) -> None:
        if self._on_rx is not None and self._on_rx == self._write_scratchpad:
            self._violation(cycle, "protocol", "Write Scratchpad cut short by a reset "
                            f"({len(self._rx_got)} of 3 bytes)",
                            "Write Scratchpad sends TH, TL and config before a reset")
        self._gen += 1
        self._idle()
        self._reset_release = cycle
        self._prev_fall = None
        self._log(cycle, "reset")
        if self.temperature is None:
            return
        gen = self._gen
        self._at(cycle + self.presence_wait, lambda c, g=gen: self._presence_start(c, g))

    def _presence_start(self, cycle: int, gen: int) -> None:
        if gen != self._gen or self.temperature is None:
            return
        self._drive_low(cycle)
        self._in_presence = True
        self._at(cycle + self.presence_len, lambda c, g=gen: self._presence_end(c, g))

    def _presence_end(self, cycle: int, gen: int) -> None:
        if not self._in_presence:
            return
        self._in_presence = False
        if self._master_low():
            self._violation(cycle, "tRSTH", "the master pulled the line low during the "
                            "presence pulse", "the line left to the sensor for 480 us after "
                            "the reset (tRSTH)")
            self._fall = cycle
        self._release(cycle)
        if gen == self._gen:
            self._expect(1, self._rom_command)

    # -- outside world -----------------------------------------------------------------
    def power_off(self, cycle: int) -> None:
        """The board's supply goes off: the sensor lets go of the line and sees nothing."""
        if self._driving:
            self._release(cycle)
        self._gen += 1
        self._in_presence = False
        self.powered = False

    def power_on(self, cycle: int) -> None:
        """The board's supply came back: power-on scratchpad (+85 C, EEPROM values), no
        conversion, nothing selected, the line released (violations are kept)."""
        self.powered = True
        if self._driving:
            self._release(cycle)
        self._gen += 1
        self._idle()
        self._in_presence = False
        self._fall = self._prev_fall = self._reset_release = self._rise = None
        self.temp_reg = POWER_ON_TEMP
        self.th, self.tl, self.config = self.eeprom
        self._conv_value = None
        self._busy_until = 0

    def set_temperature(self, celsius: float | None, cycle: int) -> None:
        """The temperature around the sensor from ``cycle`` on (None: the sensor is gone)."""
        if celsius is None and self._driving:
            self._release(cycle)
        if (celsius is None) != (self.temperature is None):
            self._gen += 1
            self._idle()
            self._in_presence = False
            self._fall = self._prev_fall = self._reset_release = None
        self.temperature = celsius
