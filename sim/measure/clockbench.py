"""The clock firmware as a user runs it, this checkout against a baseline, whole processes.

Each figure is one ``clock51-sim run --board reference --rtc "2026-01-01 00:00:00" --for
SECONDS --headless --stats`` process, timed from outside (start-up, loading, the run, the
exit): simulated seconds per wall second. Both simulators run both firmware images (2 x 2),
interleaved round by round so that machine load hits all four alike, best of ``runs`` each;
the diagonal is the issue's figure (this simulator with this firmware against the
baseline's simulator with the baseline's firmware), the other two say how much each half
gives. Each process must simulate the same time and execute the same instructions in every
round. (The two simulators may count a few instructions apart on one image when their
boards differ: since issue 19 the MCU leaves reset after the board's reset-circuit time.)
"""

from __future__ import annotations

import re
import subprocess
import time
from dataclasses import dataclass

from sim.errors import MeasureError
from sim.measure.baseline import Build

RTC = "2026-01-01 00:00:00"
_STATS = re.compile(r"simulated ([\d.]+) s \((\d+) cycles, (\d+) instructions\)")


@dataclass
class ClockRun:
    sim: str            # whose simulator
    firmware: str       # whose firmware
    sim_seconds: float
    instructions: int
    wall: float         # best of the runs

    @property
    def factor(self) -> float:
        return self.sim_seconds / self.wall


def run_once(sim: Build, firmware: Build, seconds: float) -> tuple[float, int, float]:
    """(simulated seconds, instructions, wall seconds) of one whole process."""
    cmd = sim.sim("run", str(firmware.firmware), "--board", "reference", "--rtc", RTC,
                  "--for", f"{seconds:g}", "--headless", "--stats")
    t0 = time.perf_counter()
    proc = subprocess.run(cmd, cwd=sim.cwd, capture_output=True, text=True, timeout=3600)
    wall = time.perf_counter() - t0
    m = _STATS.search(proc.stderr)
    if proc.returncode != 0 or m is None:
        raise MeasureError(f"{sim.label}'s clock51-sim run on {firmware.label}'s firmware "
                           f"failed (exit {proc.returncode})", detail=proc.stderr[-2000:])
    return float(m.group(1)), int(m.group(3)), wall


def measure(ours: Build, base: Build, seconds: float, runs: int) -> list[ClockRun]:
    pairs = [(s, f) for s in (base, ours) for f in (base, ours)]
    for s, f in pairs:  # fill each simulator's translation cache for each image first
        run_once(s, f, 2.0)
    best: dict[tuple[str, str], ClockRun] = {}
    for _ in range(runs):
        for s, f in pairs:
            sim_s, insns, wall = run_once(s, f, seconds)
            key = (s.label, f.label)
            got = best.get(key)
            if got is not None and (got.sim_seconds, got.instructions) != (sim_s, insns):
                raise MeasureError(f"{key}: {sim_s} s / {insns} instructions, before "
                                   f"{got.sim_seconds} s / {got.instructions}")
            if got is None or wall < got.wall:
                best[key] = ClockRun(s.label, f.label, sim_s, insns, wall)
    return [best[(s.label, f.label)] for s, f in pairs]


def print_figures(ours: Build, base: Build, seconds: float, runs: int) -> float:
    """Prints the 2 x 2 table; returns this/this over base/base."""
    table = {(r.sim, r.firmware): r for r in measure(ours, base, seconds, runs)}
    print(f"clock firmware: reference board, clock51-sim run --rtc \"{RTC}\" --for "
          f"{seconds:g} --headless, whole processes, best of {runs}")
    print("simulated seconds per wall second (wall seconds of the process)")
    width = max(len(base.label), len(ours.label)) + 12
    print(f"{'':<{width}}" + "".join(f"{f.label + ' firmware':>24}" for f in (base, ours)))
    for s in (base, ours):
        cells = [table[(s.label, f.label)] for f in (base, ours)]
        print(f"{s.label + ' simulator':<{width}}"
              + "".join(f"{c.factor:>11.1f} x ({c.wall:6.2f} s)" for c in cells))
    for f in (base, ours):
        counts = ", ".join(f"{table[(s.label, f.label)].instructions:,} in {s.label}'s"
                           for s in (base, ours))
        r = table[(ours.label, f.label)]
        print(f"{f.label} firmware: {r.instructions / r.sim_seconds:,.0f} instructions per "
              f"simulated second ({counts} simulator)")
    whole = table[(ours.label, ours.label)].factor / table[(base.label, base.label)].factor
    sim_half = table[(ours.label, base.label)].factor / table[(base.label, base.label)].factor
    fw_half = table[(base.label, ours.label)].factor / table[(base.label, base.label)].factor
    print(f"this simulator with this firmware: {whole:.2f} x the speed of {base.label}'s "
          f"(the simulator alone {sim_half:.2f} x, the firmware alone {fw_half:.2f} x)")
    return whole


def print_memory(ours: Build, base: Build) -> dict[str, dict[str, tuple[int, int]]]:
    """Code, IRAM and XRAM of both reference builds, from their own build reports."""
    mem = {base.label: base.memory(), ours.label: ours.memory()}
    print("firmware memory, reference build (SDCC's .mem summary)")
    print(f"{'':<12}{base.label:>18}{ours.label:>18}")
    for name in ("Code", "IRAM", "XRAM"):
        b, o = mem[base.label][name], mem[ours.label][name]
        print(f"{name + ' used':<12}{b[0]:>10} / {b[1]:<5}{o[0]:>11} / {o[1]:<5}")
    b, o = mem[base.label]["XRAM"], mem[ours.label]["XRAM"]
    print(f"{'XRAM free':<12}{b[1] - b[0]:>10}{'':8}{o[1] - o[0]:>11}")
    return mem
