"""A simulated board: the CPU and whatever parts its profile lists, on their pins.

The profile (firmware/boards/<name>.toml, or any path) says what the board is: its MCU,
crystal and reset circuit, and its parts, each optional (boardprofile.parts, the one
registry: LCD, DS1302, DS18B20s, keys, buzzer, LEDs, the serial port). ``Board`` builds
each part's chip model from that registry (sim.machine.parts) and powers the board on as a
real one does (sim.machine.power): every part at t = 0, the MCU once its reset circuit and
crystal let it run.

Time is machine cycles: the board runs the CPU up to the earliest scheduled event (a key
edge, a serial byte from the host, the end of the run), fires it, and goes on; the devices
catch up lazily from the pin edges they see.

The board's room (``ambient``, sim.machine.ambient) is the one temperature schedule: the
DS1302's crystal drifts with it, the DS18B20s read it.

Every rule a part sees broken is reported to the board as it happens
(``violation_records``: the part, the cycle, the rule, what the datasheet requires, what
the program did), for ``clock51-sim run --check`` and the browser view; ``violations()``
lists what the models kept, as text.
"""

from __future__ import annotations

import datetime as dt
from collections import deque
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from boardprofile import REGISTRY, Profile, load_profile

from sim.bus.pins import PortBus
from sim.bus.scheduler import Scheduler
from sim.cpu import CPU
from sim.devices._common import BUS_CONFLICT_RULE, TIMINGS, PartContext, Violation
from sim.devices.uart import Endpoint, UartBridge
from sim.errors import ConfigError
from sim.machine.ambient import DEFAULT_C, Ambient
from sim.machine.flash import Flash
from sim.machine.image import load_ihx
from sim.machine.parts import build_parts
from sim.machine.power import ChipPower
from sim.machine.serialrate import receive_line
from sim.machine.state import load_rtc, save_rtc

POWER_CUTS = ("battery", "reset", "brownout")
DEFAULT_TEMPERATURE = DEFAULT_C  # the room (and so the DS18B20s) unless told otherwise
VIOLATION_LOG = 10_000  # the board keeps the latest reports (the total is counted)


@dataclass(frozen=True)
class ViolationRecord:
    """One broken rule as the board saw it: ``seq`` counts every report from 1."""

    seq: int
    part: str
    violation: Violation

    @property
    def cycle(self) -> int:
        return self.violation.cycle


class Board:
    """The CPU and the profile's parts, on the profile's pins."""

    def __init__(self, profile: Profile | str | Path, image: bytes | str | Path | None, *,
                 endpoint: Endpoint | None = None, key_bounce_ms: float = 3.0,
                 seed: int = 0, flash: Flash | None = None, bootloader: bool = False,
                 power_cycle_on_sync: bool = False,
                 host_baud: Callable[[], int | None] | None = None,
                 notify: Callable[[str], None] | None = None,
                 timing: str = "typical",
                 temperature: float | None = DEFAULT_TEMPERATURE,
                 crystal: Mapping[str, float] | None = None) -> None:
        """``flash``: the chip's flash (sim.machine.flash; ``image`` is then ignored and may
        be None). ``bootloader``: power on through the ISP bootloader's listening window
        (sim.cpu.isp), and report a crashing program in a line instead of raising.
        ``power_cycle_on_sync``, ``host_baud``, ``notify``: see sim.machine.power.
        ``timing``: "typical" (a bench board: the datasheets' typical values) or "strict"
        (their limits). ``temperature``: the room's temperature from power-on (None: no
        DS18B20 answers, the room at ``DEFAULT_TEMPERATURE``). ``crystal``: the DS1302
        crystal's fields (``ppm``, ``t0``, ``k``: --crystal) over the profile's."""
        self.profile = profile if isinstance(profile, Profile) else load_profile(profile)
        p = self.profile
        if timing not in TIMINGS:
            raise ConfigError(f"timing must be one of {', '.join(TIMINGS)}, not {timing!r}")
        self.timing = timing
        if flash is not None:
            image = flash.image()
        elif image is None:
            raise ConfigError("a board needs a firmware image or a flash")
        elif not isinstance(image, bytes | bytearray):
            image = load_ihx(image)
        if len(image) > p.code_size and any(image[p.code_size:]):
            raise ConfigError(f"the image uses {len(image)} bytes of code; board "
                              f"{p.name} has {p.code_size}")
        if endpoint is not None and p.uart is None:
            raise ConfigError(f"board {p.name} has no serial port (its profile lists no "
                              "[uart])")
        if bootloader and p.mcu.isp == "none":
            raise ConfigError(f"board {p.name}'s {p.mcu.part} has no ISP bootloader "
                              "([mcu] isp = \"none\")")
        self.cps = p.cycles_per_second
        self.bus = PortBus()
        self.scheduler = Scheduler()
        self.cpu = CPU(bytes(image), xram_size=p.xram_size, ports=self.bus)
        self._log: deque[ViolationRecord] = deque(maxlen=VIOLATION_LOG)
        self.violation_total = 0
        self._conflicts_seen = 0
        self.ambient = Ambient(temperature, at=self._when)
        ctx = PartContext(self.bus, self.scheduler, self._device_at, self.cps, timing=timing,
                          seed=seed, key_bounce_ms=key_bounce_ms, temperature=temperature,
                          endpoint=endpoint, ambient=self.ambient, crystal=crystal)
        self.parts: dict[str, list[Any]] = build_parts(p, ctx)
        self.ambient.watch(self._sense)
        if "uart" not in self.parts:  # the chip's serial port, wired to no host
            self.parts["uart"] = [UartBridge(None, self.scheduler, cycles_per_second=self.cps)]
        self.uart: UartBridge = self.parts["uart"][0]
        self.uart.rate = lambda: receive_line(self.cpu, p.crystal_hz)
        self.uart.attach(self.cpu)
        for model in self.models():
            if hasattr(model, "violation_sink"):
                model.violation_sink = self._report
        self.chip = ChipPower(self, flash or Flash(p.code_size, bytes(image)),
                              protocol=p.mcu.isp, cycle_on_sync=power_cycle_on_sync,
                              catch_crashes=bootloader, host_baud=host_baud, notify=notify)
        self.uart.attach(self.chip)  # host bytes go to the bootloader or the CPU's UART
        self.chip.power_on(0, bootloader=bootloader)

    # -- the parts -------------------------------------------------------------------------
    def models(self) -> list[Any]:
        """Every part's model, in registry order."""
        return [m for models in self.parts.values() for m in models]

    def _first(self, table: str) -> Any:
        found = self.parts.get(table)
        return found[0] if found else None

    @property
    def lcd(self) -> Any:
        """The HD44780 (None on a board without an LCD)."""
        return self._first("lcd")

    @property
    def rtc(self) -> Any:
        """The DS1302 (None on a board without one)."""
        return self._first("ds1302")

    @property
    def keys(self) -> Any:
        """The keys (one model for all of them; None on a board without keys)."""
        return self._first("keys")

    @property
    def buzzer(self) -> Any:
        return self._first("buzzer")

    @property
    def leds(self) -> Any:
        """The LEDs (one model for all of them; None on a board without LEDs)."""
        return self._first("leds")

    @property
    def thermos(self) -> list[Any]:
        """Every DS18B20."""
        return list(self.parts.get("ds18b20", ()))

    @property
    def thermo(self) -> Any:
        """The first DS18B20 (None on a board without one)."""
        return self._first("ds18b20")

    def lamps(self) -> dict[str, bool]:
        """Every light of the parts whose registry view is "lamp" (LEDs ...): name -> lit
        now. What the live and browser views draw, whatever the part type."""
        out: dict[str, bool] = {}
        for table, models in self.parts.items():
            if REGISTRY[table].view == "lamp":
                for model in models:
                    out.update(model.lamps(self.cycles))
        return out

    def _need(self, model: Any, what: str, table: str) -> Any:
        if model is None:
            raise ConfigError(f"board {self.profile.name} has no {what} (its profile lists "
                              f"no [{table}])")
        return model

    def _device_at(self, cycle: int, action: Callable[[int], None]) -> None:
        """An event a device schedules while the CPU runs (from a pin watcher)."""
        self.scheduler.at(cycle, action)
        self.cpu.stop_by(cycle)

    def _when(self, cycle: int, action: Callable[[int], None]) -> None:
        """``action(cycle)`` now if ``cycle`` has come, else when it does (between slices)."""
        if cycle <= self.cpu.cycles:
            action(self.cpu.cycles)
        else:
            self.scheduler.at(cycle, action)

    def _sense(self, cycle: int, reading: float | None) -> None:
        """A step of the room: every DS18B20 reads it (None: they are unplugged)."""
        for thermo in self.thermos:
            thermo.set_temperature(reading, cycle)

    # -- time ------------------------------------------------------------------------------
    @property
    def cycles(self) -> int:
        return self.cpu.cycles

    @property
    def seconds(self) -> float:
        return self.cpu.cycles / self.cps

    def to_cycles(self, seconds: float) -> int:
        return round(seconds * self.cps)

    def run_until(self, cycle: int) -> str | None:
        """Run the CPU and the events up to ``cycle`` (an instruction boundary at or after).

        Returns "breakpoint" if the CPU stopped earlier, before an instruction at one of its
        breakpoints (``CPU.set_breakpoints``; events due then fire on the next run)."""
        cpu = self.cpu
        sched = self.scheduler
        chip = self.chip
        if chip.pending_requests:
            chip.apply_requests()
        while cpu.cycles < cycle:
            target = sched.next_due(cycle)
            if target > cpu.cycles:
                # the CPU runs unless the bootloader owns the chip
                if chip.run_cpu(target) == "breakpoint":
                    return "breakpoint"
            sched.fire_due(cpu.cycles)
        sched.fire_due(cpu.cycles)
        return None

    def run_for(self, seconds: float) -> None:
        self.run_until(self.cpu.cycles + self.to_cycles(seconds))

    def run_until_true(self, predicate: Callable[[], bool], timeout_s: float,
                       poll_s: float = 0.005) -> bool:
        """Run in slices of ``poll_s`` until ``predicate()`` holds; False on timeout."""
        end = self.cpu.cycles + self.to_cycles(timeout_s)
        step = max(1, self.to_cycles(poll_s))
        while True:
            if predicate():
                return True
            if self.cpu.cycles >= end:
                return False
            self.run_until(min(end, self.cpu.cycles + step))

    # -- people and the outside world ---------------------------------------------------------
    def press(self, key: str, at_s: float | None = None, hold_s: float = 0.15) -> None:
        """Press ``key`` at simulated second ``at_s`` (default: now) for ``hold_s``."""
        keys = self._need(self.keys, "keys", "[keys]")
        start = self.cpu.cycles if at_s is None else self.to_cycles(at_s)
        start = max(start, self.cpu.cycles)
        keys.hold(key.upper(), start, start + self.to_cycles(hold_s))

    def set_rtc(self, when: dt.datetime, running: bool = True) -> None:
        """Load the DS1302 with ``when`` (the day register by the profile's weekday_one)."""
        self._need(self.rtc, "DS1302", "ds1302").set_datetime(when, self.cpu.cycles,
                                                             running=running)

    @property
    def feels_temperature(self) -> bool:
        """Something on the board depends on the room: a DS18B20, or a DS1302 with a
        crystal model (an ideal one does not drift)."""
        return bool(self.thermos) or getattr(self.rtc, "crystal", None) is not None

    def set_temperature(self, celsius: float | None, at_s: float | None = None) -> None:
        """The room's temperature from simulated second ``at_s`` (default: now) on; None:
        the DS18B20s stop answering (unplugged) while the room stays as it was. The
        crystal and the sensors follow (sim.machine.ambient)."""
        if not self.feels_temperature:
            raise ConfigError(f"board {self.profile.name} has no DS18B20 and its DS1302 "
                              "(if any) has an ideal crystal: nothing feels the temperature")
        start = self.cpu.cycles if at_s is None else max(self.cpu.cycles,
                                                          self.to_cycles(at_s))
        self.ambient.set(celsius, start)

    def lcd_text(self) -> list[str]:
        return self._need(self.lcd, "LCD", "lcd").text()

    # -- the battery-backed DS1302 across runs ---------------------------------------------
    def save_rtc_state(self, path: str | Path, wall: dt.datetime | None = None) -> None:
        """The DS1302's state and the wall time it was saved at (sim.machine.state: JSON,
        versioned, written atomically)."""
        save_rtc(self._need(self.rtc, "DS1302", "ds1302"), self.cpu.cycles, path, wall)

    def load_rtc_state(self, path: str | Path, wall: dt.datetime | None = None) -> None:
        """Restore a saved DS1302; the clock has kept running on its battery in between."""
        load_rtc(self._need(self.rtc, "DS1302", "ds1302"), self.cpu.cycles, path, wall)

    # -- the chip's supply and flash (sim.machine.power) ---------------------------------------
    @property
    def flash(self) -> Flash:
        return self.chip.flash

    def power_off(self) -> None:
        self.chip.power_off()

    def power_on(self) -> None:
        """Supply on: every part powers up now; the MCU runs once its reset circuit and
        crystal let it (sim.machine.power), through the ISP bootloader's window."""
        self.chip.power_on()

    def power_cut(self, model: str) -> None:
        """Supply off now, at the current machine cycle, at the worst moment (then run the
        time away and ``power_on()``). ``model`` (POWER_CUTS) says what the DS1302 sees of
        a transfer in flight: "battery": Vcc2 drops, the chip runs on its battery and drops
        the transfer (nothing of it is written); "reset": the MCU dies first, its pins float
        high (a low SCLK rises and clocks in one more bit, read high), the chip keeps the
        whole bytes clocked so far (a clock burst needs all 8), then runs on its battery;
        "brownout": the supply dips, the MCU resets while the DS1302 stays powered and sees
        CE drop at this bit (whole bytes kept, the partial one dropped; power_on() at once)."""
        if model not in POWER_CUTS:
            raise ConfigError(f"power cut model must be one of {', '.join(POWER_CUTS)}, "
                              f"not {model!r}")
        c = self.cpu.cycles
        if model == "reset":
            for port in range(4):
                self.bus.write_latch(port, 0xFF, c)
        if model != "battery" and self.rtc is not None:
            self.rtc.end_transfer(c)
        self.chip.power_off()  # the DS1302's Vcc2 too: a transfer still in flight is dropped

    def power_cycle(self) -> None:
        """Supply off and on: the bootloader listens, then the program in flash starts."""
        self.chip.power_cycle()

    # -- checks ----------------------------------------------------------------------------
    def _report(self, part: str, v: Violation) -> None:
        self.violation_total += 1
        self._log.append(ViolationRecord(self.violation_total, part, v))

    def _pull_conflicts(self) -> None:
        conflicts = self.bus.conflicts
        for c in conflicts[self._conflicts_seen:]:
            self._report(c.owner, Violation(
                c.cycle, "bus-conflict", f"P{c.port}.{c.bit} driven high by {c.owner} while "
                "held low", BUS_CONFLICT_RULE))
        self._conflicts_seen = len(conflicts)

    def violation_records(self, since: int = 0) -> list[ViolationRecord]:
        """The broken rules reported after report number ``since`` (the board keeps the
        latest ``VIOLATION_LOG``; ``violation_total`` counts them all), by cycle."""
        self._pull_conflicts()
        newer: list[ViolationRecord] = []
        for r in reversed(self._log):  # the log is in report order: scan only the new end
            if r.seq <= since:
                break
            newer.append(r)
        return sorted(newer, key=lambda r: (r.cycle, r.seq))

    @property
    def violation_count(self) -> int:
        """Every broken rule reported so far, bus conflicts included."""
        self._pull_conflicts()
        return self.violation_total

    def violations(self) -> list[str]:
        """Every protocol or electrical rule broken so far that the models kept, as text."""
        found = []
        for table in ("ds1302", "lcd", "ds18b20"):
            for model in self.parts.get(table, ()):
                found += [f"{model.name} {v}" for v in model.violations]
        found += [f"bus {c}" for c in self.bus.conflicts]
        return found
