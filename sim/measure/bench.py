"""``make bench``: every speed and size figure, side by side with its reference, in one run.

1. CPU-bound: our core against s51 (ucsim) on the same compiled program (below).
2. Short programs, one process each, against s51 and against the baseline's clock51-sim,
   with the translation cache filled and empty (``shortprogs.py``).
3. The clock firmware as ``clock51-sim run ... --for 600 --headless`` whole processes, this
   simulator and firmware against the baseline's, 2 x 2 (``clockbench.py``), and the two
   builds' memory use.

The baseline is a checkout of an older commit (default 841ea3b, the state before issue 18)
that ``baseline.py`` unpacks, builds and runs on this machine (``--baseline``,
``--no-baseline``).

CPU-bound: ``python -m sim.measure.bench`` (also ``clock51-sim bench``) compiles
``sim/measure/programs/cpu_bound.c`` with SDCC, runs it to its final ``sjmp .`` in our core
(``sim.frontends.exec.run_program``) and in s51, checks both printed the same checksum after
the same number of machine cycles, and prints simulated machine cycles per wall-clock second
for each, their ratio, and the real-time factor (11.0592 MHz / 12 = 921,600 machine cycles a
second is real time for a 12T 8051).

How s51 is timed: s51 prints its own "Host usage" for the run (CPU time spent simulating,
excluding process start-up and loading); that is the figure used. As a cross-check the
bench also times the whole s51 process and subtracts the wall time of a second s51 process
that loads the same image and quits without running it (start-up, loading, breakpoint
setup). The program runs long enough (``--repeat``) that the two agree within a few
percent. Our core is timed around ``run_program`` only (the image is already loaded).
"""

from __future__ import annotations

import argparse
import shutil
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

from sim.errors import MeasureError
from sim.measure.baseline import DEFAULT_COMMIT

REAL_TIME_CYCLES_PER_S = 11_059_200 / 12  # 921,600 machine cycles/s
BENCH_SOURCE = Path(__file__).resolve().parent / "programs" / "cpu_bound.c"
DEFAULT_REPEAT = 16


@dataclass
class Figure:
    name: str
    cycles: int
    seconds: float
    note: str = ""

    @property
    def rate(self) -> float:
        return self.cycles / self.seconds if self.seconds > 0 else float("inf")

    @property
    def realtime(self) -> float:
        return self.rate / REAL_TIME_CYCLES_PER_S


def compile_bench(outdir: Path, repeat: int, sdcc: str | None = None) -> Path:
    """Compile the benchmark program with ``-DREPEAT=repeat``; returns the .ihx path."""
    exe = sdcc or shutil.which("sdcc")
    if exe is None:
        raise MeasureError("sdcc not found on PATH (needed to build the benchmark program)")
    ihx = outdir / "cpu_bound.ihx"
    cmd = [exe, "-mmcs51", "--std-c99", f"-DREPEAT={repeat}", "-o", str(ihx), str(BENCH_SOURCE)]
    proc = subprocess.run(cmd, cwd=outdir, capture_output=True, text=True, timeout=300)
    if proc.returncode != 0 or not ihx.exists():
        raise MeasureError(f"{' '.join(cmd)} failed", detail=proc.stdout + proc.stderr)
    return ihx


def bench_ours(image: bytes, max_cycles: int, runs: int = 1) -> tuple[Figure, bytes, float]:
    """(best run, UART output, seconds of the first run). The first run starts with no
    translation (disk cache off): it pays for translating every block; later runs in the
    same process reuse the translations, as a long simulation does."""
    from sim.cpu import cache
    from sim.frontends.exec import run_program

    cache.forget(disk=False)
    best = None
    out = b""
    first = 0.0
    for i in range(max(runs, 2)):
        t0 = time.perf_counter()
        res = run_program(image, max_cycles=max_cycles)
        dt = time.perf_counter() - t0
        if res.reason != "selfjump":
            raise MeasureError(f"our core stopped by {res.reason} after {res.cycles} cycles")
        if i == 0:
            first = dt
        elif best is None or dt < best.seconds:
            best = Figure("clock51 core", res.cycles, dt, "translated blocks reused")
        out = res.output
    assert best is not None
    return best, out, first


def bench_s51(ihx: Path, runs: int = 1) -> tuple[Figure, bytes, float]:
    """(figure timed by s51's Host usage, UART output, start-up-corrected wall seconds)."""
    from sim.measure.ucsim import run_ihx_detailed

    best = None
    wall_net = float("inf")
    out = b""
    for _ in range(runs):
        r = run_ihx_detailed(ihx)
        if r.reason != "selfjump":
            raise MeasureError(f"s51 stopped at 0x{r.pc:04X} before the self-jump")
        base = run_ihx_detailed(ihx, max_instructions=1, flush_instructions=1)
        if best is None or r.host_seconds < best.seconds:
            best = Figure("s51 (ucsim)", r.cycles, r.host_seconds, "s51 'Host usage'")
        wall_net = min(wall_net, r.wall_seconds - base.wall_seconds)
        out = r.output
    assert best is not None
    return best, out, wall_net


def _count(text: str) -> int:
    """A whole number >= 1 (argparse type)."""
    try:
        value = int(text)
    except ValueError:
        value = 0
    if value < 1:
        raise argparse.ArgumentTypeError(f"{text!r}: expected a whole number >= 1")
    return value


def add_arguments(parser: argparse.ArgumentParser) -> None:
    from sim.frontends.run import parse_duration  # the same rule as run's --for

    parser.add_argument("--repeat", type=_count, default=DEFAULT_REPEAT,
                        help=f"outer loop count of the program (default {DEFAULT_REPEAT}, "
                             "about 150,000 machine cycles each)")
    parser.add_argument("--runs", type=_count, default=1,
                        help="run each simulator this many times and keep the best (default 1)")
    parser.add_argument("--no-s51", action="store_true", help="time our core only")
    parser.add_argument("--ihx", type=Path,
                        help="benchmark this image instead of compiling the bundled program")
    parser.add_argument("--max-cycles", type=_count, default=200_000_000,
                        help="give up after this many machine cycles (default 200,000,000)")
    parser.add_argument("--clock-seconds", type=parse_duration, default=600.0,
                        help="simulated seconds of each clock firmware process (default 600)")
    parser.add_argument("--clock-runs", type=_count, default=3,
                        help="runs of each clock firmware process, best kept (default 3)")
    parser.add_argument("--baseline", default=DEFAULT_COMMIT, metavar="COMMIT",
                        help=f"the commit to compare with (default {DEFAULT_COMMIT}); it is "
                             "unpacked and built in .pio/bench once")
    parser.add_argument("--no-baseline", action="store_true",
                        help="skip the baseline: this checkout against s51 only")
    parser.add_argument("--firmware", type=Path, metavar="IHX",
                        help="the clock firmware to measure as this checkout's (default: its "
                             "reference build; its .mem beside it gives the memory figures)")
    parser.add_argument("--cpu-only", action="store_true",
                        help="skip the short programs and the firmware-on-board figures")
    parser.add_argument("--no-short", action="store_true",
                        help="skip the short programs (clock51-sim exec against s51)")
    parser.add_argument("--short-runs", type=int, default=3,
                        help="runs of each short program, best kept (default 3)")


def _print_figure(f: Figure) -> None:
    print(f"{f.name:<14} {f.cycles:>12,} cycles in {f.seconds:8.3f} s = "
          f"{f.rate / 1e6:7.3f} M cycles/s = {f.realtime:6.2f} x real time"
          + (f"  [{f.note}]" if f.note else ""))


def main(argv: list[str] | None = None) -> int:
    """``python -m sim.measure.bench`` is ``clock51-sim bench`` (same errors, exit codes)."""
    from sim.frontends.cli import main as cli_main

    return cli_main(["bench", *(sys.argv[1:] if argv is None else argv)])


def run(args: argparse.Namespace) -> int:
    """Entry point for an already-parsed namespace (``clock51-sim bench``)."""
    from sim.measure import baseline

    summary: list[str] = []
    ours = base = None
    if not args.cpu_only:
        if not args.no_baseline:
            base = baseline.prepare(args.baseline)
        ours = baseline.current(args.firmware)
        if not ours.firmware.exists():
            raise MeasureError(f"{ours.firmware}: no such image" if args.firmware else
                               f"{ours.firmware} is not built (pio run -e reference)")
    code = run_cpu(args, summary)
    if code == 0 and not args.cpu_only and not args.no_short:
        from sim.measure.shortprogs import print_short_figures

        print()
        f = print_short_figures(args.short_runs,
                                base=None if base is None else (base.label, base.launcher))
        line = (f"short programs, empty translation cache: clock51-sim takes "
                f"{f.cold_ratio:.2f} x s51's wall time")
        if base is not None:
            line += f" ({base.label}: {f.of_s51(f.base_cold_seconds):.2f} x)"
        summary.append(line + f"; {f.ratio:.2f} x with it filled   [target: <= 3 x cold]")
    if code == 0 and not args.cpu_only:
        from sim.measure.boardbench import print_fast_forward_off

        assert ours is not None
        print()
        if base is not None:
            from sim.measure.clockbench import print_figures, print_memory

            whole = print_figures(ours, base, args.clock_seconds, args.clock_runs)
            summary.append(f"clock firmware, reference board, --for "
                           f"{args.clock_seconds:g} headless: {whole:.2f} x the speed of "
                           f"{base.label}   [target: >= 2.8 x]")
            print()
            mem = print_memory(ours, base)
            code_b, code_o = mem[base.label]["Code"][0], mem[ours.label]["Code"][0]
            x = mem[ours.label]["XRAM"]
            summary.append(f"code {code_o} B ({base.label}: {code_b} B)   [target: <= 8000 B, "
                           f"192 B free with every feature on]; "
                           f"XRAM free {x[1] - x[0]} B   [target: >= 64 B]")
        else:
            from sim.measure.clockbench import run_once

            sim_s, _, wall = run_once(ours, ours, args.clock_seconds)
            print(f"clock firmware, reference board, --for {args.clock_seconds:g} headless, "
                  f"one whole process: {sim_s / wall:.1f} x real time")
            summary.append(f"clock firmware: {sim_s / wall:.1f} x real time")
        print()
        print_fast_forward_off(ours.firmware, "reference", 2.0)
    if summary:
        print()
        print("summary")
        for line in summary:
            print("  " + line)
    return code


def run_cpu(args: argparse.Namespace, summary: list[str] | None = None) -> int:
    """Our core against s51 on the CPU-bound program."""
    from sim.machine.image import load_ihx
    from sim.measure.ucsim import s51_path

    with tempfile.TemporaryDirectory(prefix="clock51-bench-") as tmp:
        ihx = args.ihx or compile_bench(Path(tmp), args.repeat)
        image = load_ihx(ihx)
        print(f"program: {ihx if args.ihx else BENCH_SOURCE.name + f' (REPEAT={args.repeat})'}, "
              f"{len(image)} bytes; real time = {REAL_TIME_CYCLES_PER_S:,.0f} machine cycles/s")
        ours, out, first = bench_ours(image, args.max_cycles, args.runs)
        _print_figure(ours)
        print(f"{'':<14} first run, translating every block: {first:.3f} s "
              f"({ours.cycles / first / 1e6:.3f} M cycles/s)")
        if args.no_s51:
            return 0
        if s51_path() is None:
            print("bench: s51 not found, skipping the comparison", file=sys.stderr)
            return 0
        ref, ref_out, wall_net = bench_s51(Path(ihx), args.runs)
        _print_figure(ref)
        if wall_net > 0:
            print(f"{'':<14} cross-check: s51 process wall time minus start-up = "
                  f"{wall_net:.3f} s ({ref.cycles / wall_net / 1e6:.3f} M cycles/s)")
        print(f"ratio: our core runs at {ours.rate / ref.rate:.2f} x the speed of s51")
        if summary is not None:
            summary.append(f"CPU-bound: {ours.rate / ref.rate:.2f} x the speed of s51 "
                           f"({ours.cycles / first / ref.rate:.2f} x on the first run)"
                           f"   [target: >= 2 x]")
        if out != ref_out or ours.cycles != ref.cycles:
            print(f"bench: MISMATCH: ours {ours.cycles} cycles {out!r}, "
                  f"s51 {ref.cycles} cycles {ref_out!r}", file=sys.stderr)
            return 1
        print(f"same output {out.strip().decode(errors='replace')!r} "
              f"and same cycle count in both")
    return 0


if __name__ == "__main__":
    sys.exit(main())
