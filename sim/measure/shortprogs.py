"""Short programs, one process each: ``clock51-sim exec`` against s51, wall time end to end.

Most runs of a simulator are short: a unit test, a differential test, a ``pio test`` case
each run a program of a few thousand to a hundred thousand machine cycles, once, in a fresh
process. What a user waits for is then start-up, loading and the first execution of cold
code, not the peak speed. This module measures exactly that.

The set: the C templates in ``programs/short/*.c`` (8/16/32-bit arithmetic, float, switch
tables, recursion, pointers and structs in XRAM, printf, timer interrupts), each compiled
with SDCC for ``-DSP_N=0`` .. ``-DSP_N=14``: 105 programs of about 5,000 to 100,000 machine
cycles. Builds are kept in ``.pio/shortprogs/`` (rebuilt when a source or the flags change).

Each program is run as its own process, as a user or PlatformIO would: ``clock51-sim exec
--s51-timing X.ihx`` and s51 driven like ``sim/measure/ucsim.py`` does (command file, breakpoints on
the self-jumps, UART to a file). The two are interleaved program by program in the same
loop, so machine load affects both alike, and each program's best of ``runs`` is kept. Both
must print the same bytes after the same number of machine cycles.
"""

from __future__ import annotations

import hashlib
import os
import re
import resource
import shutil
import subprocess
import sys
import tempfile
import time
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path

from sim.errors import MeasureError

HERE = Path(__file__).resolve().parent
SOURCE_DIR = HERE / "programs" / "short"
ROOT = HERE.parent.parent
BUILD_DIR = ROOT / ".pio" / "shortprogs"
PARAMS = range(15)
SDCC_FLAGS = ("-mmcs51", "--std-c99", "--iram-size", "256", "--code-size", "8192")

_CYCLES_RE = re.compile(rb"^cycles: (\d+)", re.M)


@dataclass
class ShortFigure:
    programs: int
    cycles_min: int
    cycles_max: int
    cycles_total: int
    ours_seconds: float       # best of the runs (the translation cache filled)
    ours_cold_seconds: float  # best of the runs with an empty translation cache
    s51_seconds: float
    ours_cpu: float           # CPU time (user + system) of the best runs
    s51_cpu: float
    base_seconds: float = 0.0       # the baseline's clock51-sim (0: not measured)
    base_cold_seconds: float = 0.0
    base_label: str = ""

    @property
    def ratio(self) -> float:
        return self.ours_seconds / self.s51_seconds if self.s51_seconds else float("inf")

    @property
    def cold_ratio(self) -> float:
        return self.ours_cold_seconds / self.s51_seconds if self.s51_seconds else float("inf")

    def of_s51(self, seconds: float) -> float:
        return seconds / self.s51_seconds if self.s51_seconds else float("inf")


def templates() -> list[Path]:
    return sorted(SOURCE_DIR.glob("*.c"))


def _build_one(src: Path, param: int, sdcc: str) -> Path:
    header = (SOURCE_DIR / "short.h").read_bytes()
    tag = hashlib.sha256(src.read_bytes() + header + " ".join(SDCC_FLAGS).encode()
                         + str(param).encode()).hexdigest()[:12]
    out = BUILD_DIR / f"{src.stem}_{param:02d}_{tag}"
    ihx = out / f"{src.stem}.ihx"
    if ihx.exists():
        return ihx
    tmp = Path(tempfile.mkdtemp(prefix=out.name + ".", dir=BUILD_DIR))
    cmd = [sdcc, *SDCC_FLAGS, f"-DSP_N={param}", "-I", str(SOURCE_DIR),
           "-o", str(tmp / ihx.name), str(src)]
    proc = subprocess.run(cmd, cwd=tmp, capture_output=True, text=True, timeout=300)
    if proc.returncode != 0 or not (tmp / ihx.name).exists():
        shutil.rmtree(tmp, ignore_errors=True)
        raise MeasureError(f"{' '.join(cmd)} failed", detail=proc.stdout + proc.stderr)
    try:
        os.replace(tmp, out)
    except OSError:  # built meanwhile by someone else
        shutil.rmtree(tmp, ignore_errors=True)
    return ihx


def build_all(jobs: int = 2) -> list[Path]:
    """Compile every (template, parameter) pair not built yet; returns the .ihx paths."""
    sdcc = shutil.which("sdcc")
    if sdcc is None:
        raise MeasureError("sdcc not found on PATH (needed to build the short programs)")
    BUILD_DIR.mkdir(parents=True, exist_ok=True)
    pairs = [(src, p) for src in templates() for p in PARAMS]
    with ThreadPoolExecutor(max_workers=jobs) as pool:
        return list(pool.map(lambda sp: _build_one(sp[0], sp[1], sdcc), pairs))


def _sim_command() -> list[str]:
    exe = Path(sys.executable).with_name("clock51-sim")
    if exe.exists():
        return [str(exe)]
    return [sys.executable, "-m", "sim"]


def _children_cpu() -> float:
    r = resource.getrusage(resource.RUSAGE_CHILDREN)
    return r.ru_utime + r.ru_stime


def run_ours(ihx: Path, env: dict[str, str] | None = None,
             sim: list[str] | None = None) -> tuple[bytes, int, float]:
    """(UART output, machine cycles, process wall seconds) of ``clock51-sim exec``
    (``sim``: the argv prefix of another clock51-sim, e.g. the baseline's)."""
    cmd = [*(sim or _sim_command()), "exec", "--s51-timing", str(ihx)]
    t0 = time.perf_counter()
    proc = subprocess.run(cmd, capture_output=True, timeout=120, env=env)
    wall = time.perf_counter() - t0
    m = _CYCLES_RE.search(proc.stderr)
    if m is None:
        raise MeasureError(f"{' '.join(cmd)}: no cycle count", detail=proc.stderr.decode()[-500:])
    return proc.stdout, int(m.group(1)), wall


def run_s51(ihx: Path) -> tuple[bytes, int, float]:
    """(UART output, machine cycles, s51 process wall seconds), driven as
    sim/measure/ucsim.py does."""
    from sim.measure.ucsim import run_ihx_detailed

    r = run_ihx_detailed(ihx)
    if r.reason != "selfjump":
        raise MeasureError(f"{ihx}: s51 stopped at 0x{r.pc:04X} before the self-jump")
    return r.output, r.cycles, r.wall_seconds


def measure(runs: int = 3, jobs: int = 2, verbose: bool = False,
            base: tuple[str, list[str]] | None = None) -> ShortFigure:
    """Build the set, run every program in both simulators ``runs`` times interleaved and
    sum each program's best wall time. Each run of a program is: clock51 with an empty
    translation cache (cold), clock51 again (warm: what the cold run cached), s51, and with
    ``base`` = (label, clock51-sim argv prefix) the baseline's clock51 cold and warm."""
    images = build_all(jobs)
    _compile_sources()
    n = len(images)
    best_ours = [float("inf")] * n
    best_s51 = [float("inf")] * n
    cpu_ours = [0.0] * n
    cpu_s51 = [0.0] * n
    cold = [float("inf")] * n
    base_warm = [float("inf")] * n
    base_cold = [float("inf")] * n
    cycles = [0] * n
    cache = Path(tempfile.mkdtemp(prefix="clock51-shortcache-"))
    env = dict(os.environ, CLOCK51_CACHE_DIR=str(cache))

    def empty_cache() -> None:  # cold: no translated block on disk
        for f in cache.glob("blocks-*"):
            f.unlink()

    try:
        for _ in range(runs):
            for i, ihx in enumerate(images):
                empty_cache()
                _, _, wall_cold = run_ours(ihx, env)
                cold[i] = min(cold[i], wall_cold)
                c0 = _children_cpu()
                out, cyc, wall = run_ours(ihx, env)  # warm: the blocks of the cold run
                c1 = _children_cpu()
                ref_out, ref_cyc, ref_wall = run_s51(ihx)
                c2 = _children_cpu()
                if out != ref_out or cyc != ref_cyc:
                    raise MeasureError(f"{ihx}: MISMATCH ours {cyc} cycles {out!r}, "
                                       f"s51 {ref_cyc} cycles {ref_out!r}")
                cycles[i] = cyc
                if wall < best_ours[i]:
                    best_ours[i], cpu_ours[i] = wall, c1 - c0
                if ref_wall < best_s51[i]:
                    best_s51[i], cpu_s51[i] = ref_wall, c2 - c1
                if base is not None:
                    empty_cache()
                    b_out, b_cyc, b_cold = run_ours(ihx, env, base[1])
                    _, _, b_warm = run_ours(ihx, env, base[1])
                    if (b_out, b_cyc) != (out, cyc):
                        raise MeasureError(f"{ihx}: MISMATCH {base[0]} {b_cyc} cycles "
                                           f"{b_out!r}, ours {cyc} cycles {out!r}")
                    base_cold[i] = min(base_cold[i], b_cold)
                    base_warm[i] = min(base_warm[i], b_warm)
                if verbose:
                    print(f"{ihx.parent.name:<28} {cyc:>8} cycles  clock51 {wall * 1e3:6.1f} ms"
                          f" ({wall_cold * 1e3:6.1f} ms cold)  s51 {ref_wall * 1e3:6.1f} ms")
    finally:
        shutil.rmtree(cache, ignore_errors=True)
    return ShortFigure(n, min(cycles), max(cycles), sum(cycles),
                       sum(best_ours), sum(cold), sum(best_s51), sum(cpu_ours), sum(cpu_s51),
                       sum(base_warm) if base else 0.0, sum(base_cold) if base else 0.0,
                       base[0] if base else "")


def _compile_sources() -> None:
    """Byte-compile the simulator, as an installed package is (PYTHONDONTWRITEBYTECODE
    would otherwise make every process compile it from source)."""
    import compileall

    compileall.compile_dir(str(HERE.parent), quiet=2)


def print_short_figures(runs: int = 3, verbose: bool = False,
                        base: tuple[str, list[str]] | None = None) -> ShortFigure:
    f = measure(runs, verbose=verbose, base=base)
    print(f"short programs: {f.programs} SDCC programs of {f.cycles_min:,} to "
          f"{f.cycles_max:,} machine cycles, one process each, best of {runs}; total wall")
    print(f"{'':<24}{'translation cache filled':>26}{'cache empty (cold)':>26}")
    print(f"{'s51 (ucsim)':<24}{f.s51_seconds:>13.3f} s{'':>12}")
    rows = [("this clock51-sim exec", f.ours_seconds, f.ours_cold_seconds)]
    if base is not None:
        rows.append((f"{f.base_label} clock51-sim exec", f.base_seconds, f.base_cold_seconds))
    for label, warm, cold in rows:
        print(f"{label:<24}{warm:>13.3f} s = {f.of_s51(warm):4.2f} x s51"
              f"{cold:>11.3f} s = {f.of_s51(cold):4.2f} x s51")
    print(f"CPU time: clock51 {f.ours_cpu:.3f} s, s51 {f.s51_cpu:.3f} s "
          f"({f.ours_cpu / f.s51_cpu:.2f} x); same output and cycle count in every program"
          + (" and in both clock51s" if base is not None else ""))
    return f


if __name__ == "__main__":
    import argparse

    ap = argparse.ArgumentParser(description="short programs: clock51-sim exec against s51")
    ap.add_argument("--runs", type=int, default=3)
    ap.add_argument("-v", "--verbose", action="store_true")
    a = ap.parse_args()
    print_short_figures(a.runs, a.verbose)
