"""Pin waveforms to a VCD file (GTKWave, PulseView, sigrok), via pyvcd.

Every pin the board profile's parts wire is recorded under a readable name (lcd_rs,
ds1302_io, key_SET, led_D1, uart_txd ...). Timestamps are nanoseconds of simulated
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
    """Readable signal names for every wired pin of the profile (``Profile.signals``)."""
    return profile.signals()


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
