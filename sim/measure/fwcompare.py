"""The firmware beside a reference build of itself, in one run: memory use, the work it does
per simulated second, and how fast the simulator runs it (issue 18's firmware figures).

``python -m sim.measure.fwcompare [--ref REV] [--board NAME] [--seconds S] [--runs N]``
(or ``clock51-sim fwcompare``) builds the firmware of git revision REV (default 841ea3b, the
issue's baseline) from ``git archive`` into ``.pio/fwref/REV/`` with that revision's own
dev-platform and this checkout's offline PlatformIO packages (kept: later runs reuse it),
takes the board's current build, and prints for both, side by side:

- code, IRAM and XRAM, from each build's ``.mem`` summary;
- per simulated second of a clock left alone (DS1302 running, DS18B20 at 20 C), single-
  stepped (``sim.measure.fwprofile``): instructions, the part of them that are delay-loop
  iterations the simulator runs in one step, machine cycles awake, interrupts, and the pin
  edges the DS1302 and DS18B20 models see;
- the simulator's speed on it: ``clock51-sim run IMAGE --board NAME --rtc "2026-01-01
  00:00:00" --for S --headless --stats`` as whole processes, the two images interleaved,
  the best of N runs each: simulated seconds per wall second and per CPU second (the CPU
  figure is less disturbed by other jobs on a shared machine).

Both images run on the same simulator in the same run, so the ratios hold on any PC even
though the absolute speeds do not.
"""

from __future__ import annotations

import argparse
import os
import re
import resource
import shutil
import subprocess
import sys
import time
from pathlib import Path

from boardprofile import load_profile

from sim.errors import MeasureError, UsageError
from sim.machine.board import Board
from sim.machine.image import project_build
from sim.measure.fwprofile import START, profile, read_symbols

ROOT = Path(__file__).resolve().parents[2]
DEFAULT_REF = "841ea3b"
_MEM = (("code", r"ROM/EPROM/FLASH\s+\S+\s+\S+\s+(\d+)"),
        ("xram", r"(?:PAGED EXT\. RAM|EXTERNAL RAM)\s+(?:\S+\s+\S+\s+)?(\d+)\s+\d+"),
        ("stack", r"with (\d+) bytes available"))
_STATS = re.compile(r"simulated ([\d.]+) s .* in ([\d.]+) s wall")


def memory(image: Path, iram_size: int) -> dict[str, int]:
    """Code, IRAM and XRAM bytes used, from the .mem summary beside ``image``."""
    mem = image.with_suffix(".mem")
    if not mem.exists():
        raise MeasureError(f"no memory summary {mem}")
    text = mem.read_text()
    found = {}
    for name, pattern in _MEM:              # (XRAM: paged and external segments summed)
        found[name] = sum(int(m.group(1)) for m in re.finditer(pattern, text))
    return {"code": found["code"], "iram": iram_size - found["stack"], "xram": found["xram"]}


def build_reference(rev: str, env: str) -> Path:
    """The firmware of git revision ``rev`` for ``env``, built once into .pio/fwref/REV."""
    if not (ROOT / ".git").exists() or shutil.which("git") is None:
        raise MeasureError("fwcompare needs a git checkout of the project (and git)")
    try:
        full = subprocess.run(["git", "rev-parse", "--verify", f"{rev}^{{commit}}"], cwd=ROOT,
                              capture_output=True, text=True, check=True).stdout.strip()
    except subprocess.CalledProcessError:
        raise MeasureError(f"--ref {rev!r} is not a commit of this repository") from None
    dest = ROOT / ".pio" / "fwref" / full[:12]
    image = dest / ".pio" / "build" / env / "firmware.ihx"
    if image.exists():
        return image
    dest.mkdir(parents=True, exist_ok=True)
    archive = subprocess.run(["git", "archive", full, "firmware", "platformio.ini"], cwd=ROOT,
                             capture_output=True, check=False)
    if archive.returncode:
        raise MeasureError(f"git archive {rev} failed: {archive.stderr.decode().strip()}")
    subprocess.run(["tar", "-x", "-C", str(dest)], input=archive.stdout, check=True)
    # its own PlatformIO state (so its own dev-platform, firmware/platform of that revision,
    # is the one linked), with this checkout's offline packages (tool-scons)
    core = dest / ".pio-core"
    core.mkdir(exist_ok=True)
    if not (core / "packages").exists():
        (core / "packages").symlink_to(ROOT / ".pio-core" / "packages")
    pio = Path(sys.executable).with_name("pio")
    env_vars = dict(os.environ, PLATFORMIO_CORE_DIR=str(core), PLATFORMIO_NO_ANSI="1")
    built = subprocess.run([str(pio) if pio.exists() else "pio", "run", "-e", env], cwd=dest,
                           env=env_vars, capture_output=True, text=True, check=False)
    if built.returncode or not image.exists():
        raise MeasureError(f"building {rev} for {env} failed", detail=built.stdout + built.stderr)
    return image


def speed(image: Path, board: str, seconds: float) -> tuple[float, float]:
    """One ``clock51-sim run`` process: simulated seconds per wall second and per CPU
    second (the child's user + system time)."""
    sim = Path(sys.executable).with_name("clock51-sim")
    cmd = [str(sim) if sim.exists() else "clock51-sim", "run", str(image), "--board", board,
           "--rtc", START.strftime("%Y-%m-%d %H:%M:%S"), "--for", f"{seconds:g}",
           "--headless", "--stats"]
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    t0 = time.perf_counter()
    done = subprocess.run(cmd, capture_output=True, text=True, check=False)
    wall = time.perf_counter() - t0
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    m = _STATS.search(done.stdout + done.stderr)
    if done.returncode or not m:
        raise MeasureError(f"clock51-sim run {image} failed: {(done.stderr or done.stdout)[-200:]}")
    simulated = float(m.group(1))
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    return simulated / wall, simulated / cpu if cpu else 0.0


def work(image: Path, board: str, seconds: float) -> dict[str, float]:
    """fwprofile's totals per simulated second, the clock alone."""
    b = Board(board, image)
    b.set_rtc(START)
    b.run_for(3.0)
    prof = profile(b, seconds, read_symbols(image))
    ps = prof.per_second
    edges = prof.edges
    return {"instructions": ps(prof.instructions), "loops": ps(prof.spins),
            "real": ps(prof.instructions - prof.spins), "awake": ps(prof.awake_cycles),
            "interrupts": ps(prof.interrupts), "ds1302": ps(edges.get("ds1302", 0)),
            "ds18b20": ps(edges.get("ds18b20", 0)), "edges": ps(sum(edges.values()))}


ROWS = [
    ("code bytes", "code", "{:,.0f}"),
    ("IRAM bytes", "iram", "{:,.0f}"),
    ("XRAM bytes", "xram", "{:,.0f}"),
    ("instructions / simulated s", "instructions", "{:,.0f}"),
    ("  of them delay-loop iterations", "loops", "{:,.0f}"),
    ("  the rest", "real", "{:,.0f}"),
    ("machine cycles awake / s", "awake", "{:,.0f}"),
    ("interrupts / s", "interrupts", "{:,.0f}"),
    ("DS1302 pin edges / s", "ds1302", "{:,.0f}"),
    ("DS18B20 pin edges / s", "ds18b20", "{:,.0f}"),
    ("all watched pin edges / s", "edges", "{:,.0f}"),
    ("simulated s per wall s", "wall_x", "{:,.1f} x"),
    ("simulated s per CPU s", "cpu_x", "{:,.1f} x"),
]


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--ref", default=DEFAULT_REF,
                        help=f"git revision of the reference firmware (default {DEFAULT_REF})")
    parser.add_argument("--board", default="reference", help="board (default reference)")
    parser.add_argument("--image", type=Path, default=None, metavar="FW.ihx",
                        help="the firmware to compare (default: the board's current build)")
    parser.add_argument("--seconds", type=float, default=600.0,
                        help="simulated seconds of each speed run (default 600)")
    parser.add_argument("--profile-seconds", type=float, default=5.0,
                        help="simulated seconds single-stepped for the work figures (default 5)")
    parser.add_argument("--runs", type=int, default=3, help="speed runs of each (default 3)")


def run(args: argparse.Namespace) -> int:
    if not (0 < args.seconds <= 3600 and 0 < args.profile_seconds <= 60 and 1 <= args.runs <= 20):
        raise UsageError("--seconds must be in (0, 3600], --profile-seconds in (0, 60], "
                         "--runs in 1..20")
    prof = load_profile(args.board)
    mine = args.image or project_build(prof.name)
    if not mine.exists():
        raise MeasureError(f"{mine} is not built (pio run -e {prof.name})")
    ref = build_reference(args.ref, prof.name)
    images = {"ref": ref, "new": mine}
    figures: dict[str, dict[str, float]] = {}
    for key, image in images.items():
        figures[key] = {**memory(image, prof.iram_size),
                        **work(image, args.board, args.profile_seconds)}
        figures[key]["wall_x"] = figures[key]["cpu_x"] = 0.0
    for _ in range(args.runs):                  # interleaved: both see the same machine load
        for key, image in images.items():
            wall_x, cpu_x = speed(image, args.board, args.seconds)
            figures[key]["wall_x"] = max(figures[key]["wall_x"], wall_x)
            figures[key]["cpu_x"] = max(figures[key]["cpu_x"], cpu_x)
    print(f"board {prof.name}: reference firmware {args.ref} ({ref}) beside {mine}")
    print(f"speed: clock51-sim run --for {args.seconds:g} --headless, best of {args.runs}, "
          "interleaved")
    print(f"{'figure':<34}{'reference':>14}{'this build':>14}{'ratio':>9}")
    for label, key, fmt in ROWS:
        a, b = figures["ref"][key], figures["new"][key]
        ratio = f"{b / a:.2f}" if a else "-"
        print(f"{label:<34}{fmt.format(a):>14}{fmt.format(b):>14}{ratio:>9}")
    return 0


def main(argv: list[str] | None = None) -> int:
    """``python -m sim.measure.fwcompare`` is ``clock51-sim fwcompare`` (same errors)."""
    from sim.frontends.cli import main as cli_main

    return cli_main(["fwcompare", *(sys.argv[1:] if argv is None else argv)])


if __name__ == "__main__":
    sys.exit(main())
