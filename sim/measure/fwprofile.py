"""Where the firmware's time goes: instructions and pin edges per simulated second, by
function.

``python -m sim.measure.fwprofile [--board NAME] [--image FW.ihx] [--seconds S]`` (or
``clock51-sim fwprofile``) boots the board's built firmware with the DS1302 running, lets it
settle, then single-steps ``--seconds`` of simulated time (``CPU.step()``) and charges every
instruction to the function whose code holds its address, and every pin edge the chip models
see (DS1302 CE/SCLK/IO, the DS18B20's 1-Wire line, the LCD's RS/RW/E, the keys, the buzzer)
to the function that was running when it happened, whoever drove it (the CPU's port write or
a chip answering it). Each edge is a call the simulator must make into a pin-level model, so
edges are simulator work as much as instructions are. It prints, per simulated second:

- the totals: instructions (and how many of them are iterations of a delay loop that jumps
  to itself, DJNZ x,$ or SJMP $, which the simulator runs in one step), machine cycles awake
  (not in idle mode), interrupts taken, and the pin edges of each chip;
- the functions, busiest first: instructions, their share, their delay-loop iterations, and
  their edges per chip.

Symbols come from the build: SDCC's relocated listings (``src/*.rst`` beside the image: every
label, static functions included) or, without them, the link map (``firmware.map``: the
global functions only). Optional traffic: ``--get-every MS`` sends a ``GET`` line every MS
milliseconds (as a polling host does), ``--press KEY@S`` presses a key.

While the CPU sleeps in idle mode a step jumps to its next wake-up (the timer tick or a
received byte), so events scheduled by the outside world (a host's byte, a key edge) are
delivered at that wake-up, at most one tick late; the chips' own events (the DS18B20's
presence pulse, its read slots) come while the CPU is awake and are exact. All figures are
simulated time: the same on any PC.
"""

from __future__ import annotations

import argparse
import bisect
import datetime as dt
import re
import sys
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path

from boardprofile import load_profile

from sim.errors import MeasureError, UsageError
from sim.machine.board import Board
from sim.machine.image import project_build

START = dt.datetime(2026, 1, 1, 0, 0, 0)
CHIPS = ("ds1302", "ds18b20", "lcd", "keys", "buzzer")

_RST_AREA = re.compile(r"\s\.area\s+(\S+)")
_RST_LABEL = re.compile(r"^\s+([0-9A-F]{6})\s+\d+\s+([A-Za-z_]\w*):")
_MAP_CODE = re.compile(r"^\s*C:\s+([0-9A-Fa-f]{8})\s+(\S+)")
CODE_AREAS = ("HOME", "CSEG", "GSINIT", "GSINIT0", "GSINIT1", "GSINIT2", "GSINIT3", "GSINIT4",
              "GSINIT5", "GSFINAL")


class Symbols:
    """Code address -> the name of the function (label) that holds it."""

    def __init__(self, pairs: Iterable[tuple[int, str]]) -> None:
        table = sorted(set(pairs))
        self.addrs = [a for a, _ in table]
        self.names = [n for _, n in table]

    def __len__(self) -> int:
        return len(self.addrs)

    def entries(self, suffix: str) -> set[int]:
        """Addresses of the labels whose names end with ``suffix``."""
        return {a for a, n in zip(self.addrs, self.names, strict=True) if n.endswith(suffix)}

    def name_at(self, pc: int) -> str:
        i = bisect.bisect_right(self.addrs, pc) - 1
        return self.names[i] if i >= 0 else f"0x{pc:04X}"


def read_symbols(image: Path) -> Symbols:
    """Function labels of a build: ``src/*.rst`` (statics too) or else ``firmware.map``."""
    pairs: list[tuple[int, str]] = []
    for rst in sorted((image.parent / "src").glob("*.rst")):
        area = ""
        for line in rst.read_text(errors="replace").splitlines():
            m = _RST_AREA.search(line)
            if m:
                area = m.group(1)
                continue
            if area in CODE_AREAS:
                m = _RST_LABEL.match(line)
                if m:
                    pairs.append((int(m.group(1), 16), m.group(2).lstrip("_")))
    mapfile = image.with_suffix(".map")
    if mapfile.exists():
        for line in mapfile.read_text(errors="replace").splitlines():
            m = _MAP_CODE.match(line)
            if m and not m.group(2).startswith(("s_", "l_")):
                pairs.append((int(m.group(1), 16), m.group(2).lstrip("_")))
    if not pairs:
        raise MeasureError(f"no symbols for {image} (no src/*.rst, no .map beside it)")
    return Symbols(pairs)


@dataclass
class FunctionFigures:
    instructions: int = 0
    spins: int = 0  # of which: iterations of a self-loop (DJNZ x,$ / SJMP $)
    edges: dict[str, int] = field(default_factory=dict)


@dataclass
class Profile:
    seconds: float
    instructions: int
    spins: int
    awake_cycles: int
    interrupts: int
    edges: dict[str, int]
    functions: dict[str, FunctionFigures]

    def per_second(self, n: float) -> float:
        return n / self.seconds


def self_loops(code: bytes) -> set[int]:
    """Addresses of the instructions that jump to themselves: DJNZ Rn,$ (D8-DF FE),
    DJNZ direct,$ (D5 dd FD), SJMP $ (80 FE). The simulator runs a whole delay loop of these
    in one step (idle fast-forward), so their iterations cost it almost nothing."""
    found = set()
    for pc in range(len(code) - 2):
        op = code[pc]
        if (0xD8 <= op <= 0xDF or op == 0x80) and code[pc + 1] == 0xFE:
            found.add(pc)
        elif op == 0xD5 and code[pc + 2] == 0xFD:
            found.add(pc)
    return found


def _chip_pins(board: Board) -> dict[str, list[tuple[int, int]]]:
    """The pins of each part type the profile lists (ds1302, lcd, keys, buzzer, ds18b20 ...);
    the UART's are left out (its edges are serial traffic, not work)."""
    pins: dict[str, list[tuple[int, int]]] = {}
    for part in board.profile.parts:
        if part.type != "uart":
            pins.setdefault(part.type, []).extend(pin for _signal, pin in part.pins)
    return pins


def profile(board: Board, seconds: float, symbols: Symbols) -> Profile:
    """Single-step ``seconds`` of ``board`` and charge instructions and pin edges."""
    cpu, sched = board.cpu, board.scheduler
    funcs: dict[str, FunctionFigures] = {}
    current = ["(idle)"]
    edges = {chip: 0 for chip in _chip_pins(board)}

    def fig(name: str) -> FunctionFigures:
        f = funcs.get(name)
        if f is None:
            f = funcs[name] = FunctionFigures()
        return f

    def watcher(chip: str):
        def seen(_level: int, _cycle: int) -> None:
            edges[chip] += 1
            e = fig(current[0]).edges
            e[chip] = e.get(chip, 0) + 1
        return seen

    for chip, pins in _chip_pins(board).items():
        for port, bit in pins:
            board.bus.watch(port, bit, watcher(chip))

    end = cpu.cycles + board.to_cycles(seconds)
    awake = interrupts = 0
    i0 = cpu.instructions
    name_at = symbols.name_at
    isr_entries = symbols.entries("_isr")
    loops = self_loops(cpu.code[:0x10000])
    spins = 0
    while cpu.cycles < end:
        c0 = cpu.cycles
        idle = cpu.idle
        n0 = cpu.instructions
        pc = cpu.pc
        current[0] = "(idle)" if idle else name_at(pc)
        cpu.step()
        if not idle:
            awake += cpu.cycles - c0
        n = cpu.instructions - n0
        if cpu.pc in isr_entries and n <= 1:
            # an interrupt was taken: its hardware LCALL and the vector's LJMP
            interrupts += 1
            if n:
                fig("(interrupt vectors)").instructions += n
        elif n:
            f = fig(current[0])
            f.instructions += n
            if pc in loops and not idle:
                f.spins += n
                spins += n
        sched.fire_due(cpu.cycles)
    return Profile(seconds, cpu.instructions - i0, spins, awake, interrupts, edges, funcs)


def print_profile(prof: Profile, top: int, out=None) -> None:
    out = out or sys.stdout
    chips = [c for c in CHIPS if c in prof.edges]
    ps = prof.per_second
    total_edges = sum(prof.edges.values())
    print(f"per simulated second (over {prof.seconds:g} s): {ps(prof.instructions):,.0f} "
          f"instructions ({ps(prof.spins):,.0f} of them delay-loop iterations the simulator "
          f"runs in one step), {ps(prof.awake_cycles):,.0f} machine cycles awake "
          f"({100 * ps(prof.awake_cycles) / 921600:.1f} % at 11.0592 MHz), "
          f"{ps(prof.interrupts):,.0f} interrupts", file=out)
    print("pin edges per simulated second: " + ", ".join(
        f"{c} {ps(prof.edges[c]):,.0f}" for c in chips) + f" (all {ps(total_edges):,.0f})",
        file=out)
    head = (f"{'function':<26}{'instr/s':>10}{'share':>8}{'loops/s':>9}"
            + "".join(f"{c:>9}" for c in chips))
    print(head, file=out)
    rows = sorted(prof.functions.items(),
                  key=lambda kv: (-kv[1].instructions, -sum(kv[1].edges.values())))
    shown = 0
    for name, f in rows:
        if not f.instructions and not f.edges:
            continue
        if shown >= top:
            break
        share = 100 * f.instructions / prof.instructions if prof.instructions else 0.0
        print(f"{name:<26}{ps(f.instructions):>10,.0f}{share:>7.1f}%{ps(f.spins):>9,.0f}" + "".join(
            f"{ps(f.edges.get(c, 0)):>9,.0f}" for c in chips), file=out)
        shown += 1


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--board", default="reference",
                        help="board profile (default reference)")
    parser.add_argument("--image", type=Path, default=None, metavar="FW.ihx",
                        help="image to profile (default: the board's build); its symbols "
                        "come from the src/*.rst or .map beside it")
    parser.add_argument("--seconds", type=float, default=5.0,
                        help="simulated seconds single-stepped (default 5)")
    parser.add_argument("--settle", type=float, default=2.0,
                        help="simulated seconds run before (boot, first reading; default 2)")
    parser.add_argument("--get-every", type=float, default=None, metavar="MS",
                        help="a host sends GET every MS milliseconds")
    parser.add_argument("--press", action="append", default=[], metavar="KEY@S",
                        help="press KEY at S seconds into the profiled stretch (repeatable)")
    parser.add_argument("--top", type=int, default=25, help="functions listed (default 25)")


def run(args: argparse.Namespace) -> int:
    if not (0 < args.seconds <= 600) or not (0 <= args.settle <= 600):
        raise UsageError("--seconds must be in (0, 600] and --settle in [0, 600]")
    if args.get_every is not None and not (1 <= args.get_every <= 10_000):
        raise UsageError("--get-every must be 1..10000 ms")
    presses = []
    for item in args.press:
        key, _, at = item.partition("@")
        try:
            presses.append((key.upper(), float(at)))
        except ValueError:
            raise UsageError(f"--press {item!r}: expected KEY@SECONDS") from None
    name = load_profile(args.board).name
    image = args.image or project_build(name)
    if not image.exists():
        raise MeasureError(f"{image} is not built (pio run -e {name})")
    symbols = read_symbols(image)
    board = Board(args.board, image)
    board.set_rtc(START)
    board.run_for(args.settle)
    t0 = board.seconds
    if args.get_every is not None:
        step = board.to_cycles(args.get_every / 1000)
        uart = board.uart
        for c in range(board.cycles, board.cycles + board.to_cycles(args.seconds), step):
            board.scheduler.at(c, lambda cyc: uart.inject(b"GET\r\n", cyc))
    for key, at in presses:
        if key not in {k.name for k in board.profile.keys}:
            raise UsageError(f"--press: board {name} has no key {key!r}")
        board.press(key, at_s=t0 + at)
    prof = profile(board, args.seconds, symbols)
    print(f"board {name}, image {image} ({len(symbols)} symbols), DS1302 from "
          f"{START:%Y-%m-%d %H:%M:%S}, profiled {t0:g}..{board.seconds:.3f} s")
    print_profile(prof, args.top)
    return 0


def main(argv: list[str] | None = None) -> int:
    """``python -m sim.measure.fwprofile`` is ``clock51-sim fwprofile`` (same errors)."""
    from sim.frontends.cli import main as cli_main

    return cli_main(["fwprofile", *(sys.argv[1:] if argv is None else argv)])


if __name__ == "__main__":
    sys.exit(main())
