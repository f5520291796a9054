"""DS1302 trickle-charge timekeeping chip: a pin-level model on CE, SCLK and I/O.

Datasheet facts implemented (Maxim DS1302 datasheet):

- A transfer starts when CE rises (SCLK should be low then) and ends when CE falls; CE low
  aborts. First a command byte, LSB first, sampled on SCLK rising edges: bit 7 must be 1 (a 0
  makes the chip ignore the transfer), bit 6 RAM (1) / clock (0), bits 5..1 address, bit 0
  read (1) / write (0).
- Read: the first data bit is driven on the SCLK falling edge right after the 8th command
  bit, LSB first, one bit per falling edge; I/O goes high-impedance (released) on every rising
  edge of a read and when CE falls. Extra clocks keep shifting: a single-register read
  re-sends the same byte, a burst read goes on to the next byte (and wraps).
- Write: data bits are sampled on SCLK rising edges; extra clocks after the last byte are
  ignored. Writes take effect when CE falls: a single register once its 8 data bits arrived;
  a clock burst (0xBE) only if all 8 bytes (7 clock registers + control) arrived; a RAM burst
  (0xFE) keeps the whole bytes sent.
- On CE rising the clock registers are copied into a user buffer; clock reads (single and
  burst) come from it, so a burst read is coherent across a rollover.
- Writing the seconds register restarts the divider chain: the sub-second phase restarts at
  the CE fall that commits it (see ``subsecond_cycles`` / ``phase_ms``).
- Registers: seconds (CH = bit 7 stops the oscillator), minutes, hours (bit 7 = 12 h mode,
  bit 5 = PM), date, month, day of week (1-7, steps at midnight), year 00-99 (2000-2099, every
  4th year leap), control (WP = bit 7, bits 6..0 read 0), trickle charger (TCS = 1010 enables;
  DS 01/10 = 1/2 diodes; RS 01/10/11 = 2/4/8 kOhm; anything else disables; not in bursts),
  31 bytes of RAM, clock burst 0xBE/0xBF, RAM burst 0xFE/0xFF.
- WP = 1 blocks every write except to the control register; a clock-burst write with WP = 1
  transfers nothing, not even the control byte.
- Power: Vcc2 main supply, Vcc1 backup. With Vcc2 off the clock keeps running from the
  battery and RAM is kept; the pins are ignored (a transfer in flight is dropped). Without
  either, all state is lost. ``end_transfer`` ends a transfer as a CE fall would (for the
  board's power-cut models).
- Year 99 rolls over to 00: 2099-12-31 23:59:59 + 1 s reads 2000-01-01 00:00:00.
- The day-of-week register counts 1-7 and steps at midnight; what 1 means is the program's
  convention. ``set_datetime`` (``--rtc``, the browser view) writes it by ``weekday_one``:
  "monday" (1 = Monday .. 7 = Sunday, ISO; the clock51 firmware) or "sunday" (1 = Sunday ..
  7 = Saturday, common in published DS1302 code); the profile's ``[ds1302] weekday_one``.

Timing (``TIMING``; the datasheet's AC table gives limits only, at VCC = 5 V and 2 V):

| figure | 5 V | 2 V | rule |
|---|---|---|---|
| tCC, CE high to the first SCLK rise | >= 1 us | >= 4 us | setup |
| tCWH, CE low between transfers | >= 1 us | >= 4 us | recovery |
| tCL / tCH, SCLK low / high | >= 250 ns | >= 1000 ns | clock |

With ``timing="typical"`` (a bench part, which has margin) an edge that comes too soon is
still taken and the violation recorded; with ``"strict"`` (the worst part, ``--timing
strict``) the chip misses it: a CE rise too soon after the last fall starts no transfer, a
SCLK edge too soon is not clocked.

Time keeping is lazy: ``_epoch`` is the cycle at which ``regs`` were exact and ``_sub`` the
cycles already counted into the current second then; the calendar is brought up to date
(arithmetically, O(1) for any span) only when touched: CE rise, a commit, a power change or
a test/CLI query.

The crystal (sim.devices.crystal, ``crystal``): the chip counts its own oscillator, which
runs at (1 + (ppm + k (T - t0)^2) x 1e-6) times the true rate at the room's temperature T
(``ambient``: the board's one schedule, piecewise constant). ``_sub`` then counts the chip's
own cycles (a chip second is ``cycles_per_second`` of them) and ``_frac`` the 1e-12 parts of
one; a catch-up integrates the rate exactly, in integers, piece by piece between the
temperature steps (no per-second work: one multiplication per piece, one piece when k = 0
or the room stays put). Time on the battery counts the same way (a power cut: the board's
schedule goes on; ``rebase``: the time away between two runs, at the rate at the room's
temperature when the run starts). Without a crystal (``crystal=None``, an ideal one) the
counting is the integer arithmetic it always was: ``_frac`` stays 0.

The true time (``true_datetime_at``, ``offset_at``): the time the chip would show with a
perfect crystal, i.e. what it was set to plus the simulated time since. It is set by
``set_datetime`` (``--rtc``, the browser view), carried across runs in the state (plus the
time away, at the true rate), and by a program's clock write that *sets* the clock: one
that leaves it more than ``SET_SLACK_S`` (2 s) further from the true time than it was, a
write to a stopped clock, or the first write to a chip whose true time is unknown (fresh,
or a state from before the true time was saved: then the clock's own time at the load). A
write that brings the clock nearer the true time (a sync, a drift correction stepping a
second or catching up after a power cut) or moves it by a step of a second keeps it, so
``offset_at`` shows the clock's error, corrections included.

Deviations (known, on purpose):

- Fresh chip (first power-up, or power lost without battery): datasheet says CH and WP are
  undefined. Modelled as seconds 0x80 (CH = 1, halted), minutes/hours 00, date/month 01,
  day 1, year 00, control = WP (``power_on_wp``, default 1: a firmware that forgets to clear
  WP is caught), trickle 0x00 (disabled; the real power-on value is unverified), RAM zeros.
- Illogical register contents give undefined operation on the chip. The model keeps what was
  written (and reads it back), records a violation, and if the clock must count over them it
  first coerces them to the nearest logical values (and records that too).
- The ~40 kOhm pull-downs inside the chip are not modelled (the 8051 pull-up wins), so
  clocking with CE low reads 1s here; I/O is never driven then (boards without pull-ups
  read zeros, the chips.md pitfall).
- Reading an undefined clock address (0x92-0xBC) returns 0x00.
- Timing limits below 5 V: the 2.0 V column of the datasheet is used for any Vcc < 4.5 V.
- The trickle charger is only decoded (``trickle_setting``); no charge current is modelled.

Checks (``violations``; PortBus shorts on I/O are included):

- I/O driven high by the chip while the MCU holds it low (``PortBus.conflicts``),
- SCLK high when CE rises, CE-to-clock setup tCC (1 us at 5 V, 4 us at 2 V), CE inactive
  time tCWH (1 / 4 us), SCLK high/low times tCH/tCL (250 / 1000 ns): a 12T 8051 at 11.0592
  MHz cannot break these (one machine cycle is 1.085 us), a 1T part can,
- command bit 7 = 0, undefined addresses, writes cut short (CE fell mid-byte, clock burst
  with fewer than 8 bytes), writes while WP = 1, illogical values written (bad BCD, month 13,
  date 32, Feb 30 ...), the clock counting over illogical contents.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from sim.bus.pins import PortBus
from sim.devices import ds1302_calendar as cal
from sim.devices._common import (
    DEFAULT_CYCLES_PER_SECOND,
    Ambient,
    Limit,
    PartContext,
    PinLike,
    Violation,
    as_pin,
    bus_conflicts,
    report,
)
from sim.devices._state import VIOLATIONS, Bool, Int, IntList, Stateful, Str
from sim.devices.crystal import Crystal, crystal_for
from sim.errors import StateError

CLOCK_BURST = 31
RAM_BURST = 31
CONTROL = 7
TRICKLE = 8
RAM_SIZE = 31

# phases of a transfer
IDLE, COMMAND, READ, WRITE, IGNORE = "idle", "command", "read", "write", "ignore"

# (tCC, tCWH, tCH/tCL) in seconds at 5 V and at 2 V
_TIMING_5V = (1e-6, 1e-6, 250e-9)
_TIMING_2V = (4e-6, 4e-6, 1000e-9)
TIMING: dict[str, Limit] = {  # at VCC = 5 V: the datasheet gives limits, no typical values
    "tCC_s": Limit(1e-6, 1e-6, "s", "CE to SCLK setup tCC >= 1 us (4 us at 2 V)"),
    "tCWH_s": Limit(1e-6, 1e-6, "s", "CE inactive time tCWH >= 1 us (4 us at 2 V)"),
    "tCL_s": Limit(250e-9, 250e-9, "s", "SCLK low / high time tCL, tCH >= 250 ns "
                   "(1000 ns at 2 V)"),
}
WEEKDAY_ONE = ("monday", "sunday")
PICO = 10**12  # a chip cycle's parts in ``_frac`` (the crystal's rate units are 1e-12)
SET_SLACK_S = 2  # a clock write moving the clock this much further from the truth sets it
EPOCH = dt.datetime(2000, 1, 1)  # the true time is kept as whole seconds since then


@dataclass(frozen=True)
class TrickleSetting:
    """Decoded trickle-charge register. ``enabled`` False means no charging path."""

    enabled: bool
    diodes: int  # 1 or 2 (0 when disabled)
    resistor_ohms: int  # 2000, 4000 or 8000 (0 when disabled)

    def current_ma(self, vcc2: float = 5.0, vbat: float = 3.0) -> float:
        """Charge current with the datasheet's 0.7 V per diode; 0 when disabled."""
        if not self.enabled:
            return 0.0
        return max(0.0, (vcc2 - 0.7 * self.diodes - vbat) / self.resistor_ohms * 1000.0)


def decode_trickle(reg: int) -> TrickleSetting:
    tcs, ds, rs = reg >> 4, (reg >> 2) & 3, reg & 3
    if tcs != 0b1010 or ds not in (1, 2) or rs == 0:
        return TrickleSetting(False, 0, 0)
    return TrickleSetting(True, ds, {1: 2000, 2: 4000, 3: 8000}[rs])


class DS1302(Stateful):
    """The chip on three pins. See the module docstring for facts, deviations and checks."""

    def __init__(
        self,
        bus: PortBus,
        ce: PinLike,
        sclk: PinLike,
        io: PinLike,
        *,
        cycles_per_second: int = DEFAULT_CYCLES_PER_SECOND,
        vcc: float = 5.0,
        name: str = "ds1302",
        power_on_wp: int = 1,
        cycle: int = 0,
        timing: str = "typical",
        weekday_one: str = "monday",
        crystal: Crystal | None = None,
        ambient: Ambient | None = None,
    ) -> None:
        """``crystal``: its 32.768 kHz crystal (None: an ideal one); ``ambient``: the room
        whose temperature the crystal feels (None: always at the crystal's turnover)."""
        if weekday_one not in WEEKDAY_ONE:
            raise ValueError(f"weekday_one: expected monday or sunday, not {weekday_one!r}")
        self.bus = bus
        self.timing = timing
        self.weekday_one = weekday_one
        self.violation_sink: Any = None
        self.ce_pin = as_pin(ce)
        self.sclk_pin = as_pin(sclk)
        self.io_pin = as_pin(io)
        self.cps = int(cycles_per_second)
        self.vcc = vcc
        self.name = name
        self.power_on_wp = 1 if power_on_wp else 0
        self.crystal = crystal
        self.ambient = ambient
        t = _TIMING_5V if vcc >= 4.5 else _TIMING_2V
        self.t_cc, self.t_cwh, self.t_clk = t
        # Observers of every write transfer, called when CE ends it, before it takes effect
        # (whether or not it does: WP, a short clock burst): fn(cycle, command, bytes sent).
        self.write_observers: list[Callable[[int, int, bytes], None]] = []
        self.reset(cycle)
        bus.watch(*self.ce_pin, self._on_ce)
        bus.watch(*self.sclk_pin, self._on_sclk)

    @classmethod
    def build(cls, parts: Any, ctx: PartContext) -> list[DS1302]:
        """One chip per ``[ds1302]`` part (``boardprofile.parts``): its crystal from the
        part's crystal_ fields and --crystal (``ctx.crystal``), in the board's room."""
        return [cls(ctx.bus, p.ce, p.sclk, p.io, cycles_per_second=ctx.cycles_per_second,
                    name=p.name, timing=ctx.timing, weekday_one=p.weekday_one,
                    crystal=crystal_for(p.values, ctx.crystal), ambient=ctx.ambient)
                for p in parts]

    # -- state -------------------------------------------------------------------------
    def reset(self, cycle: int = 0) -> None:
        """A fresh chip powered at ``cycle`` (main supply on, battery fitted)."""
        self.vcc2_on = True
        self.battery = True
        self._violations: list[Violation] = []
        self._fresh(cycle)
        self._true_s: int | None = None  # the true time at _true_cycle, s since EPOCH
        self._true_cycle = 0

    def _fresh(self, cycle: int) -> None:
        self.regs = [0x80, 0x00, 0x00, 0x01, 0x01, 0x01, 0x00]
        self.control = 0x80 if self.power_on_wp else 0x00
        self.trickle = 0x00
        self.ram = bytearray(RAM_SIZE)
        self._epoch = cycle
        self._sub = 0
        self._frac = 0
        self._lost = False
        self._reported_coerce = ""
        self._idle_protocol()
        self._ce = bool(self.bus.pin(*self.ce_pin))
        self._sclk = bool(self.bus.pin(*self.sclk_pin))
        self._ce_fall_cycle: int | None = None

    def _idle_protocol(self) -> None:
        self._phase = IDLE
        self._bits = 0
        self._shift = 0
        self._cmd = 0
        self._buffer = list(self.regs)
        self._out: list[int] = []
        self._out_bits = 0
        self._written: list[int] = []
        self._ce_rise_cycle = 0
        self._clocked = False
        self._last_sclk_edge: int | None = None
        self._driving: int | None = None

    # Saved state (sim.devices._state): every field, declared once.
    STATE_NAME = "ds1302"
    STATE_VERSION = 2  # 1: no frac, true_s, true_cycle (an ideal crystal, no true time)
    STATE_READS = (1, 2)
    STATE_FIELDS = (
        ("regs", IntList(7)), ("control", Int(0, 0xFF)), ("trickle", Int(0, 0xFF)),
        ("ram", IntList(RAM_SIZE, as_bytes=True)), ("_epoch", Int()), ("_sub", Int(0)),
        ("_frac", Int(0, PICO - 1)), ("_true_s", Int(optional=True)), ("_true_cycle", Int()),
        ("vcc2_on", Bool()), ("battery", Bool()), ("_lost", Bool()),
        ("_reported_coerce", Str()), ("_phase", Str((IDLE, COMMAND, READ, WRITE, IGNORE))),
        ("_bits", Int(0, 7)), ("_shift", Int(0, 0xFF)), ("_cmd", Int(0, 0xFF)),
        ("_buffer", IntList(7)), ("_out", IntList(max_len=RAM_SIZE)),
        ("_out_bits", Int(0)), ("_written", IntList(max_len=RAM_SIZE)), ("_ce", Bool()),
        ("_sclk", Bool()), ("_ce_rise_cycle", Int()), ("_ce_fall_cycle", Int(optional=True)),
        ("_clocked", Bool()), ("_last_sclk_edge", Int(optional=True)),
        ("_driving", Int(0, 1, optional=True)), ("_violations", VIOLATIONS),
    )  # fmt: skip

    @classmethod
    def _upgrade_state(cls, state: dict[str, Any], version: int) -> dict[str, Any]:
        """Version 1 had no crystal phase and no true time: 0 and unknown (the clock's own
        time once loaded, ``rebase``)."""
        added = {"frac": 0, "true_s": None, "true_cycle": 0}
        for key in added:
            if key in state:
                raise StateError(f"{cls.STATE_NAME}.{key}: unknown field in a version "
                                 f"{version} state")
        return {**state, **added}

    def _check_state(self, values: dict[str, Any]) -> None:
        if values["_sub"] >= self.cps:
            raise StateError(f"ds1302.sub: {values['_sub']} cycles is a second or more "
                             f"(a second is {self.cps} cycles on this board)")
        if values["_phase"] == READ and not values["_out"]:
            raise StateError("ds1302.out: a read in progress needs the bytes being sent")

    def _state_set(self, attr: str, value: Any) -> None:
        if attr == "_driving":  # the I/O drive is re-applied (after _epoch is restored)
            self._drive(value, self._epoch)
        else:
            setattr(self, attr, value)

    def rebase(self, cycle: int, elapsed_seconds: float = 0.0) -> None:
        """Start a new simulation run at ``cycle`` with a state loaded from a previous run.

        The clock is taken to have run on its battery for ``elapsed_seconds`` in between
        (0: it resumes exactly where it was saved). Any half-done transfer is dropped and the
        pins are re-read.
        """
        extra = round(elapsed_seconds * self.cps) if self.battery or self.vcc2_on else 0
        self._true_cycle += cycle - extra - self._epoch  # the saved run's cycles -> this run's
        if self.crystal is None:
            self._epoch = cycle - extra
            self._advance(cycle)
        else:  # away from the board's schedule: at the rate of the room as the run starts
            self._epoch = cycle
            if extra and not self.halted and self.powered:
                self._count(self._tick(extra * (PICO + self.crystal.units(
                    self.celsius_at(cycle)))), cycle)
        if self._true_s is None:
            self._anchor(cycle)
        self._drive(None, cycle)
        self._idle_protocol()
        self._ce = bool(self.bus.pin(*self.ce_pin))
        self._sclk = bool(self.bus.pin(*self.sclk_pin))
        self._ce_fall_cycle = None

    # -- checks ------------------------------------------------------------------------
    @property
    def violations(self) -> list[Violation]:
        return self._violations + bus_conflicts(self.bus, self.name)

    def _violation(self, cycle: int, kind: str, detail: str, required: str = "") -> None:
        report(self, Violation(cycle, kind, detail, required))

    # -- time keeping ------------------------------------------------------------------
    @property
    def halted(self) -> bool:
        return bool(self.regs[cal.SEC] & 0x80)

    @property
    def write_protected(self) -> bool:
        return bool(self.control & 0x80)

    @property
    def powered(self) -> bool:
        return self.vcc2_on or self.battery

    def _advance(self, cycle: int) -> None:
        if cycle < self._epoch:
            raise ValueError(f"DS1302 asked about cycle {cycle}, before {self._epoch}")
        if self.halted or not self.powered:
            self._epoch = cycle
            return
        if self.crystal is None:
            seconds, self._sub = divmod(self._sub + cycle - self._epoch, self.cps)
        else:
            seconds = self._tick(self._progress(self._epoch, cycle))
        self._epoch = cycle
        if seconds:
            self._count(seconds, cycle)

    def _count(self, seconds: int, cycle: int) -> None:
        """The calendar goes on by ``seconds`` (coerced first if it is not logical)."""
        if not seconds:
            return
        err = cal.calendar_error(self.regs)
        if err:
            if err != self._reported_coerce:
                self._violation(cycle, "illogical-running", f"clock counts over {err}",
                                "valid BCD date and time")
                self._reported_coerce = err
            self.regs = cal.coerce(self.regs)
        self.regs = cal.add_seconds(self.regs, seconds)

    # -- the crystal -------------------------------------------------------------------
    def celsius_at(self, cycle: int) -> float:
        """The temperature the crystal feels at ``cycle`` (the room's; without a room, its
        turnover)."""
        if self.ambient is not None:
            return self.ambient.celsius_at(cycle)
        return self.crystal.t0 if self.crystal is not None else 25.0

    def rate_ppm_at(self, cycle: int) -> float:
        """The crystal's rate at ``cycle``, ppm (positive: fast; 0 for an ideal one)."""
        if self.crystal is None:
            return 0.0
        return self.crystal.units(self.celsius_at(cycle)) / 1e6

    def _progress(self, start: int, end: int) -> int:
        """Chip cycles x PICO the crystal counts from ``start`` to ``end`` (true cycles)."""
        crystal = self.crystal
        assert crystal is not None
        if crystal.flat or self.ambient is None:
            return (end - start) * (PICO + crystal.units(self.celsius_at(start)))
        return sum(n * (PICO + crystal.units(celsius))
                   for n, celsius in self.ambient.spans(start, end))

    def _tick(self, progress: int) -> int:
        """Add ``progress`` (chip cycles x PICO) to the phase; the whole seconds it ends."""
        seconds, rest = divmod(self._sub * PICO + self._frac + progress, self.cps * PICO)
        self._sub, self._frac = divmod(rest, PICO)
        return seconds

    # -- the true time -----------------------------------------------------------------
    def _position(self) -> tuple[int, int] | None:
        """The running clock now as (whole seconds since EPOCH, chip cycles into the
        second); None when it is stopped, unpowered or not a logical time."""
        if self.halted or not self.powered:
            return None
        when = cal.to_datetime(self.regs)
        if when is None:
            return None
        return int((when - EPOCH).total_seconds()), self._sub

    def _anchor(self, cycle: int) -> None:
        """The true time becomes the clock's own time at ``cycle`` (if it runs)."""
        pos = self._position()
        if pos is not None:
            self._true_s, self._true_cycle = pos[0], cycle - pos[1]

    def _off_cycles(self, pos: tuple[int, int], cycle: int) -> int:
        """Clock minus true time in cycles (the clock at ``pos`` at ``cycle``)."""
        assert self._true_s is not None
        return (pos[0] - self._true_s) * self.cps + pos[1] - (cycle - self._true_cycle)

    def _retrue(self, before: tuple[int, int] | None, cycle: int) -> None:
        """After a program's clock write at ``cycle``: a set moves the true time (see the
        module doc), a correction keeps it."""
        after = self._position()
        if after is None:
            return  # stopped: the true time goes on
        if self._true_s is None or before is None or abs(self._off_cycles(after, cycle)) > \
                abs(self._off_cycles(before, cycle)) + SET_SLACK_S * self.cps:
            self._true_s, self._true_cycle = after[0], cycle - after[1]

    def true_datetime_at(self, cycle: int) -> dt.datetime | None:
        """What the clock would show at ``cycle`` with a perfect crystal (to the us); None
        before the chip was ever set."""
        if self._true_s is None:
            return None
        us = (cycle - self._true_cycle) * 1_000_000 // self.cps
        return EPOCH + dt.timedelta(seconds=self._true_s, microseconds=us)

    def clock_datetime_at(self, cycle: int) -> dt.datetime | None:
        """The clock's time at ``cycle`` with its fraction of a second (to the us; chip
        seconds); None if it is stopped, unpowered or not a logical time."""
        self._advance(cycle)
        pos = self._position()
        if pos is None:
            return None
        us = (pos[1] * PICO + self._frac) * 1_000_000 // (self.cps * PICO)
        return EPOCH + dt.timedelta(seconds=pos[0], microseconds=us)

    def offset_at(self, cycle: int) -> float | None:
        """Clock minus true time at ``cycle``, seconds; None when either is unknown."""
        self._advance(cycle)
        pos = self._position()
        if pos is None or self._true_s is None:
            return None
        return (self._off_cycles(pos, cycle) + self._frac / PICO) / self.cps

    def registers_at(self, cycle: int) -> list[int]:
        """The 7 live clock registers at ``cycle`` (seconds .. year, raw BCD)."""
        self._advance(cycle)
        return list(self.regs)

    def datetime_at(self, cycle: int) -> dt.datetime | None:
        """The time at ``cycle`` in whole seconds; None if halted, unpowered or illogical."""
        self._advance(cycle)
        if self.halted or not self.powered:
            return None
        return cal.to_datetime(self.regs)

    def set_datetime(
        self, when: dt.datetime, cycle: int, running: bool = True, hour12: bool = False
    ) -> None:
        """Load a time as if written by a clock burst at ``cycle`` (WP is left unchanged);
        the true time becomes ``when`` (whole seconds) too.

        The day-of-week register gets the weekday by ``weekday_one``: the ISO weekday (1 =
        Monday .. 7 = Sunday), or 1 = Sunday .. 7 = Saturday.
        """
        self._advance(cycle)
        self.regs = cal.from_datetime(when, halted=not running, mode12=hour12)
        self.regs[cal.DAY] = self.weekday_register(when.date())
        self._sub = 0
        self._frac = 0
        self._epoch = cycle
        self._reported_coerce = ""
        self._true_s = int((when.replace(microsecond=0) - EPOCH).total_seconds())
        self._true_cycle = cycle

    def weekday_register(self, day: dt.date) -> int:
        """The day-of-week register value for ``day`` by this chip's ``weekday_one``."""
        iso = day.isoweekday()
        return iso if self.weekday_one == "monday" else iso % 7 + 1

    def subsecond_cycles(self, cycle: int) -> int:
        """Cycles counted into the current second at ``cycle`` (0 right after a seconds write)."""
        self._advance(cycle)
        return self._sub

    def phase_ms(self, cycle: int) -> float:
        return self.subsecond_cycles(cycle) * 1000.0 / self.cps

    def trickle_setting(self) -> TrickleSetting:
        return decode_trickle(self.trickle)

    # -- power -------------------------------------------------------------------------
    def set_vcc2(self, on: bool, cycle: int) -> None:
        """Main supply on/off. Off: pins ignored, clock runs on the battery if fitted."""
        self._advance(cycle)
        if not on and self.vcc2_on:
            self._drive(None, cycle)
            self._idle_protocol()
        self.vcc2_on = on
        self._power_check(cycle)
        if on:
            self._ce = bool(self.bus.pin(*self.ce_pin))
            self._sclk = bool(self.bus.pin(*self.sclk_pin))

    def power_off(self, cycle: int) -> None:
        """The board's supply goes off: Vcc2 off, the chip runs on its battery."""
        self.set_vcc2(False, cycle)

    def power_on(self, cycle: int) -> None:
        """The board's supply comes back: Vcc2 on, the pins are read again."""
        self.set_vcc2(True, cycle)

    def end_transfer(self, cycle: int) -> None:
        """The transfer in flight ends now as at a CE fall, whatever the CE pin does: whole
        bytes written take effect by the usual rules (a partial byte is dropped, a clock burst
        needs all 8). What the chip sees when the MCU resets or loses power mid-transfer."""
        if self._phase == WRITE:
            self._commit(cycle)
        self._drive(None, cycle)
        self._phase = IDLE
        self._ce_fall_cycle = cycle

    def set_battery(self, present: bool, cycle: int) -> None:
        self._advance(cycle)
        self.battery = present
        self._power_check(cycle)

    def _power_check(self, cycle: int) -> None:
        if not self.powered:
            self._lost = True
        elif self._lost:
            violations = self._violations
            self._fresh(cycle)
            self._violations = violations

    # -- pins --------------------------------------------------------------------------
    def _drive(self, level: int | None, cycle: int) -> None:
        if level != self._driving:
            self._driving = level
            self.bus.drive(self.name, *self.io_pin, level, cycle)

    def _on_ce(self, level: int, cycle: int) -> None:
        if not self.vcc2_on:
            return
        rising = bool(level)
        if rising == self._ce:
            return
        self._ce = rising
        if rising:
            if self._sclk:
                self._violation(cycle, "sclk-high-at-ce", "SCLK was high when CE rose",
                                "SCLK low while CE rises (the datasheet's timing diagrams)")
            fall = self._ce_fall_cycle
            if fall is not None and (cycle - fall) / self.cps < self.t_cwh:
                self._violation(cycle, "timing-tCWH", f"CE low for {self._us(cycle - fall)} < tCWH",
                                f"CE low >= {self.t_cwh * 1e6:g} us between transfers (tCWH)")
                if self.timing == "strict":
                    self._phase = IGNORE  # the chip has not recovered: no transfer starts
                    self._ce_rise_cycle = cycle
                    return
            self._advance(cycle)
            self._idle_protocol()
            self._buffer = list(self.regs)
            self._phase = COMMAND
            self._ce_rise_cycle = cycle
        else:
            self._drive(None, cycle)
            if self._phase == WRITE:
                if self._written:
                    for observe in self.write_observers:
                        observe(cycle, self._cmd, bytes(self._written))
                self._commit(cycle)
            elif self._phase == COMMAND and self._bits:
                self._violation(cycle, "aborted", f"CE fell after {self._bits} command bits",
                                "CE high through the whole transfer")
            self._phase = IDLE
            self._ce_fall_cycle = cycle

    def _on_sclk(self, level: int, cycle: int) -> None:
        if not self.vcc2_on:
            return
        rising = bool(level)
        if rising == self._sclk:
            return
        self._sclk = rising
        if not self._ce:
            self._last_sclk_edge = cycle
            return
        last = self._last_sclk_edge
        missed = False
        if last is not None and last >= self._ce_rise_cycle:
            if (cycle - last) / self.cps < self.t_clk:
                which = "tCL" if rising else "tCH"
                self._violation(
                    cycle, f"timing-{which}", f"SCLK edge after {self._us(cycle - last)}",
                    f"SCLK {'low' if rising else 'high'} >= {self.t_clk * 1e9:g} ns ({which})"
                )
                missed = self.timing == "strict"
        self._last_sclk_edge = cycle
        if rising:
            if not self._clocked:
                self._clocked = True
                if (cycle - self._ce_rise_cycle) / self.cps < self.t_cc:
                    self._violation(
                        cycle,
                        "timing-tCC",
                        f"first SCLK rise {self._us(cycle - self._ce_rise_cycle)} after CE",
                        f"CE high >= {self.t_cc * 1e6:g} us before the first SCLK rise (tCC)",
                    )
                    missed = missed or self.timing == "strict"
            if missed:
                return  # a worst-case part does not see the edge
            self._rising(cycle)
        elif missed:
            return
        elif self._phase == READ:
            byte = self._out[(self._out_bits // 8) % len(self._out)]
            self._drive(byte >> (self._out_bits % 8) & 1, cycle)
            self._out_bits += 1

    def _us(self, cycles: int) -> str:
        return f"{cycles * 1e6 / self.cps:.3f} us"

    def _rising(self, cycle: int) -> None:
        bit = self.bus.pin(*self.io_pin)
        if self._phase == COMMAND:
            self._shift |= bit << self._bits
            self._bits += 1
            if self._bits == 8:
                self._command(self._shift, cycle)
        elif self._phase == READ:
            self._drive(None, cycle)
        elif self._phase == WRITE:
            if len(self._written) >= self._write_limit():
                return  # extra clocks after the last byte are ignored
            self._shift |= bit << self._bits
            self._bits += 1
            if self._bits == 8:
                self._written.append(self._shift)
                self._shift = 0
                self._bits = 0

    def _write_limit(self) -> int:
        addr = self._cmd >> 1 & 0x1F
        if addr == 31:
            return RAM_SIZE if self._cmd & 0x40 else 8
        return 1

    def _command(self, cmd: int, cycle: int) -> None:
        self._cmd = cmd
        self._bits = 0
        self._shift = 0
        if not cmd & 0x80:
            self._violation(cycle, "command-bit7", f"command 0x{cmd:02X} has bit 7 = 0: ignored",
                            "command byte bit 7 = 1")
            self._phase = IGNORE
            return
        is_ram, addr = bool(cmd & 0x40), cmd >> 1 & 0x1F
        if cmd & 1:
            self._phase = READ
            self._out_bits = 0
            self._out = self._read_bytes(is_ram, addr, cycle)
        else:
            self._phase = WRITE
            self._written = []
            if not is_ram and TRICKLE < addr < CLOCK_BURST:
                self._violation(cycle, "bad-address", f"write command 0x{cmd:02X}: no register",
                                "clock addresses 0-8 and 31 (burst), RAM 0-31")

    def _read_bytes(self, is_ram: bool, addr: int, cycle: int) -> list[int]:
        if is_ram:
            return list(self.ram) if addr == RAM_BURST else [self.ram[addr]]
        if addr == CLOCK_BURST:
            return self._buffer[:7] + [self.control]
        if addr < 7:
            return [self._buffer[addr]]
        if addr == CONTROL:
            return [self.control]
        if addr == TRICKLE:
            return [self.trickle]
        self._violation(cycle, "bad-address", f"read of undefined clock address {addr}",
                        "clock addresses 0-8 and 31 (burst), RAM 0-31")
        return [0x00]

    def _commit(self, cycle: int) -> None:
        is_ram, addr, data = bool(self._cmd & 0x40), self._cmd >> 1 & 0x1F, self._written
        what = f"{'RAM' if is_ram else 'clock'} address {addr}"
        if self._bits:
            self._violation(cycle, "incomplete-write", f"CE fell {self._bits} bits into a byte",
                            "whole bytes: CE falls after the 8th data bit")
        if not data:
            return
        burst = addr == 31
        if not is_ram and burst and len(data) < 8:
            self._violation(
                cycle, "short-burst", f"clock burst write of {len(data)} bytes: nothing written",
                "a clock burst write sends all 8 bytes"
            )
            return
        if self.write_protected and (is_ram or addr != CONTROL):
            self._violation(cycle, "write-protected", f"write to {what} with WP = 1: ignored",
                            "clear WP (control register bit 7) before writing")
            return
        if is_ram:
            for i, value in enumerate(data if burst else data[:1]):
                self.ram[i if burst else addr] = value
            return
        self._advance(cycle)
        before = self._position() if burst or addr < 7 else None
        if burst:
            for i in range(7):
                self._write_clock_reg(i, data[i], cycle)
            self.control = data[7] & 0x80
            err = cal.calendar_error(self.regs)
            if err:
                self._violation(cycle, "illogical-value", f"clock burst wrote {err}",
                                "valid BCD date and time (illogical values: undefined "
                                "operation)")
        elif addr < 7:
            self._write_clock_reg(addr, data[0], cycle)
        elif addr == CONTROL:
            self.control = data[0] & 0x80
        elif addr == TRICKLE:
            self.trickle = data[0]
        if burst or addr < 7:
            self._retrue(before, cycle)

    def _write_clock_reg(self, index: int, value: int, cycle: int) -> None:
        err = cal.field_error(index, value)
        if err:
            self._violation(cycle, "illogical-value", err, "valid BCD date and time "
                            "(illogical values: undefined operation)")
        self.regs[index] = value & 0xFF
        self._reported_coerce = ""
        if index == cal.SEC:
            self._sub = 0  # divider chain reset
            self._frac = 0
            self._epoch = cycle
