"""A simulated clock51 board: the CPU and the chip models, wired from a board profile.

The profile (firmware/boards/<name>.toml) is the same file the firmware was generated from,
so every device sits on the pins the firmware drives. Time is machine cycles: the board runs
the CPU up to the earliest scheduled event (a key edge, a serial byte from the host, the end
of the run), fires it, and goes on; the devices catch up lazily from the pin edges they see.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from pathlib import Path

from boardprofile import Profile, load_profile

from sim.bus.pins import PortBus
from sim.bus.scheduler import Scheduler
from sim.cpu import CPU
from sim.devices.buzzer import Buzzer
from sim.devices.ds18b20 import DS18B20
from sim.devices.ds1302 import DS1302
from sim.devices.hd44780 import HD44780
from sim.devices.keys import Keys
from sim.devices.uart import Endpoint, UartBridge
from sim.errors import ConfigError
from sim.machine.flash import Flash
from sim.machine.image import load_ihx
from sim.machine.power import ChipPower
from sim.machine.state import load_rtc, save_rtc

POWER_CUTS = ("battery", "reset", "brownout")
DEFAULT_TEMPERATURE = 20.0  # the DS18B20's surroundings unless told otherwise (C)


class Board:
    """CPU + DS1302 + LCD1602 + keys + buzzer + UART, on the profile's pins."""

    def __init__(self, profile: Profile | str | Path, image: bytes | str | Path | None, *,
                 endpoint: Endpoint | None = None, key_bounce_ms: float = 3.0,
                 seed: int = 0, flash: Flash | None = None, bootloader: bool = False,
                 power_cycle_on_sync: bool = False,
                 host_baud: Callable[[], int | None] | None = None,
                 notify: Callable[[str], None] | None = None) -> None:
        """``flash``: the chip's flash (sim.machine.flash; ``image`` is then ignored and may
        be None). ``bootloader``: power on through the ISP bootloader's listening window
        (sim.cpu.isp), and report a crashing program in a line instead of raising.
        ``power_cycle_on_sync``, ``host_baud``, ``notify``: see sim.machine.power."""
        self.profile = profile if isinstance(profile, Profile) else load_profile(profile)
        p = self.profile
        if flash is not None:
            image = flash.image()
        elif image is None:
            raise ConfigError("a board needs a firmware image or a flash")
        elif not isinstance(image, bytes | bytearray):
            image = load_ihx(image)
        if len(image) > p.code_size and any(image[p.code_size:]):
            raise ConfigError(f"the image uses {len(image)} bytes of code; board "
                              f"{p.name} has {p.code_size}")
        self.cps = p.cycles_per_second
        self.bus = PortBus()
        self.scheduler = Scheduler()
        self.cpu = CPU(bytes(image), xram_size=p.xram_size, ports=self.bus)
        self.rtc = DS1302(self.bus, p.ds1302_ce, p.ds1302_sclk, p.ds1302_io,
                          cycles_per_second=self.cps)
        self.lcd = HD44780(self.bus, p.lcd_rs, p.lcd_rw, p.lcd_e, list(p.lcd_data),
                           cycles_per_second=self.cps)
        self.keys = Keys(self.bus, self.scheduler, cycles_per_second=self.cps,
                         bounce_ms=key_bounce_ms, seed=seed)
        for key in p.keys:
            self.keys.add(key.name, key.pin, "low" if key.active_low else "high")
        self.buzzer = Buzzer(self.bus, p.buzzer, "low" if p.buzzer_active_low else "high",
                             cycles_per_second=self.cps)
        self.uart = UartBridge(endpoint, self.scheduler, baud=p.baud,
                               cycles_per_second=self.cps)
        self.uart.attach(self.cpu)
        # DS18B20 on the profile's 1-Wire pin (None on a board without one)
        self.thermo: DS18B20 | None = None
        if p.ds18b20 is not None:
            self.thermo = DS18B20(self.bus, p.ds18b20, self._device_at,
                                  cycles_per_second=self.cps, temperature=DEFAULT_TEMPERATURE)
        self.chip = ChipPower(self, flash or Flash(p.code_size, bytes(image)),
                              protocol=p.upload_protocol, cycle_on_sync=power_cycle_on_sync,
                              catch_crashes=bootloader, host_baud=host_baud, notify=notify)
        self.uart.attach(self.chip)  # host bytes go to the bootloader or the CPU's UART
        if bootloader:
            self.chip.power_on(0)

    def _device_at(self, cycle: int, action: Callable[[int], None]) -> None:
        """An event a device schedules while the CPU runs (from a pin watcher)."""
        self.scheduler.at(cycle, action)
        self.cpu.stop_by(cycle)

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
        start = self.cpu.cycles if at_s is None else self.to_cycles(at_s)
        start = max(start, self.cpu.cycles)
        self.keys.hold(key.upper(), start, start + self.to_cycles(hold_s))

    def set_rtc(self, when: dt.datetime, running: bool = True) -> None:
        self.rtc.set_datetime(when, self.cpu.cycles, running=running)

    def set_temperature(self, celsius: float | None, at_s: float | None = None) -> None:
        """The DS18B20's temperature (None: no sensor answers) from simulated second ``at_s``
        (default: now) on."""
        thermo = self.thermo
        if thermo is None:
            raise ConfigError(f"board {self.profile.name} has no DS18B20")
        start = self.cpu.cycles if at_s is None else self.to_cycles(at_s)
        if start <= self.cpu.cycles:
            thermo.set_temperature(celsius, self.cpu.cycles)
        else:
            self.scheduler.at(start, lambda c: thermo.set_temperature(celsius, c))

    def lcd_text(self) -> list[str]:
        return self.lcd.text()

    # -- the battery-backed DS1302 across runs ---------------------------------------------
    def save_rtc_state(self, path: str | Path, wall: dt.datetime | None = None) -> None:
        """The DS1302's state and the wall time it was saved at (sim.machine.state: JSON,
        versioned, written atomically)."""
        save_rtc(self.rtc, self.cpu.cycles, path, wall)

    def load_rtc_state(self, path: str | Path, wall: dt.datetime | None = None) -> None:
        """Restore a saved DS1302; the clock has kept running on its battery in between."""
        load_rtc(self.rtc, self.cpu.cycles, path, wall)

    # -- the chip's supply and flash (sim.machine.power) ---------------------------------------
    @property
    def flash(self) -> Flash:
        return self.chip.flash

    def power_off(self) -> None:
        self.chip.power_off()

    def power_on(self) -> None:
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
        if model != "battery":
            self.rtc.end_transfer(c)
        self.chip.power_off()  # the DS1302's Vcc2 too: a transfer still in flight is dropped

    def power_cycle(self) -> None:
        """Supply off and on: the bootloader listens, then the program in flash starts."""
        self.chip.power_cycle()

    # -- checks ----------------------------------------------------------------------------
    def violations(self) -> list[str]:
        """Every protocol or electrical rule broken so far, as text."""
        found = [f"ds1302 {v}" for v in self.rtc.violations]
        found += [f"lcd {v}" for v in self.lcd.violations]
        if self.thermo is not None:
            found += [f"ds18b20 {v}" for v in self.thermo.violations]
        found += [f"bus {c}" for c in self.bus.conflicts]
        return found
