"""Pin waveforms to a VCD file (GTKWave, PulseView, sigrok), via pyvcd.

Every pin the board profile wires is recorded under a readable name (lcd_rs, ds1302_io,
key_SET, ...), with 8-bit buses also as one vector. Timestamps are nanoseconds of simulated
time: a machine cycle is 1e9 * 12 / crystal_hz ns (1085.07 ns at 11.0592 MHz), rounded to
the nearest ns.
"""

from __future__ import annotations

from pathlib import Path
from typing import IO

from boardprofile import Pin, Profile
from vcd import VCDWriter

from sim.bus.pins import PortBus


def profile_signals(profile: Profile) -> dict[str, Pin]:
    """Readable signal names for every wired pin of the profile."""
    sig: dict[str, Pin] = {
        "lcd_rs": profile.lcd_rs, "lcd_rw": profile.lcd_rw, "lcd_e": profile.lcd_e,
        "ds1302_ce": profile.ds1302_ce, "ds1302_sclk": profile.ds1302_sclk,
        "ds1302_io": profile.ds1302_io, "buzzer": profile.buzzer,
    }
    first = 0 if profile.lcd_bus == 8 else 4
    for i, pin in enumerate(profile.lcd_data):
        sig[f"lcd_db{first + i}"] = pin
    for key in profile.keys:
        sig[f"key_{key.name}"] = key.pin
    if profile.ds18b20 is not None:
        sig["ds18b20_dq"] = profile.ds18b20
    return sig


class PinRecorder:
    """Watches the profile's pins on a PortBus and writes every change to a VCD file."""

    def __init__(self, path: str | Path, bus: PortBus, profile: Profile) -> None:
        self._file: IO[str] = open(path, "w")  # noqa: SIM115 - closed in close()
        self._ns_per_cycle = 1e9 * 12 / profile.crystal_hz
        self._writer = VCDWriter(self._file, timescale="1 ns", date="clock51 simulation")
        self._last_ns = 0
        for name, (port, bit) in profile_signals(profile).items():
            var = self._writer.register_var("clock51", name, "wire", size=1,
                                            init=bus.pin(port, bit))
            bus.watch(port, bit, self._recorder(var))

    def _recorder(self, var: object):
        def record(level: int, cycle: int) -> None:
            ns = max(self._last_ns, round(cycle * self._ns_per_cycle))
            self._last_ns = ns
            self._writer.change(var, ns, level)
        return record

    def flush(self, cycle: int) -> None:
        """Write everything recorded so far (up to ``cycle``) to the file; recording goes on."""
        ns = max(self._last_ns, round(cycle * self._ns_per_cycle))
        self._last_ns = ns
        self._writer.flush(ns)
        self._file.flush()

    def close(self, cycle: int | None = None) -> None:
        end = None
        if cycle is not None:
            end = max(self._last_ns, round(cycle * self._ns_per_cycle))
        try:
            self._writer.close(end)
        finally:
            self._file.close()  # also when the last write failed (a full disk)
