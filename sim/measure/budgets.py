"""The firmware's budgets, measured in the simulator and printed (issue 5's figures).

``python -m sim.measure.budgets [--board NAME]`` (or ``clock51-sim budgets``) boots the board's
built firmware and prints:

- code, IRAM and XRAM use (from the build's .mem summary, as the build prints them);
- how long after the DS1302's second rolls over the LCD shows it (worst of 10 rollovers);
- how long after a SET line's last byte the DS1302's seconds are written (worst of 20 SETs
  at different phases of the second), taken from the DS1302 model's divider restart;
- the highest stack pointer under stress: the alarm ringing, keys pressed and serial lines
  streaming at once (and the DS18B20 read all along, on a board with one), and the
  headroom it leaves below the top of IRAM;
- with a DS18B20: the first reading after power-on, a change at the worst phase, and the
  longest time interrupts are held off (single-stepped);
- the work per simulated second of a clock left alone: instructions executed and pin edges
  the DS1302 and DS18B20 models see (``sim.measure.fwprofile`` breaks them down).

All figures are simulated time, so they are the same on any PC. tests/firmware checks the
same limits (50 ms, 2 ms, 16 bytes).
"""

from __future__ import annotations

import argparse
import datetime as dt
import re
import sys
from pathlib import Path

from boardprofile import load_profile

from host.protocol import encode_request
from sim.errors import MeasureError
from sim.machine.board import Board
from sim.machine.image import project_build


def memory_use(image: Path) -> str:
    mem = image.with_suffix(".mem").read_text()
    rom = re.search(r"ROM/EPROM/FLASH\s+\S+\s+\S+\s+(\d+)\s+(\d+)", mem)
    stack = re.search(r"with (\d+) bytes available", mem)
    # the paged segment (__pdata) and the rest of XRAM (__xdata), each with its size
    xram = re.findall(r"(?:PAGED EXT\. RAM|EXTERNAL RAM)\s+(?:\S+\s+\S+\s+)?(\d+)\s+(\d+)",
                      mem)
    parts = []
    if rom:
        parts.append(f"code {rom.group(1)} / {rom.group(2)} bytes")
    if stack:
        parts.append(f"IRAM {256 - int(stack.group(1))} / 256 bytes")
    if xram:
        parts.append(f"XRAM {sum(int(used) for used, _ in xram)} / {xram[-1][1]} bytes")
    return ", ".join(parts)


def send(board: Board, body: str) -> None:
    """A request line as the host tool sends it (``body#CCCC`` LF)."""
    board.uart.inject(encode_request(body), board.cycles)


def lcd_latency_ms(board: Board, rollovers: int = 10) -> float:
    worst = 0.0
    for _ in range(rollovers):
        sec = board.rtc.datetime_at(board.cycles)
        board.run_until_true(lambda s=sec: board.rtc.datetime_at(board.cycles) != s, 1.1,
                             poll_s=0.0002)
        rolled = board.cycles
        shown = board.rtc.datetime_at(rolled).strftime("%H:%M:%S")
        board.run_until_true(lambda t=shown: t in board.lcd_text()[1], 0.5, poll_s=0.0002)
        worst = max(worst, (board.cycles - rolled) * 1000 / board.cps)
    return worst


SETS = 100  # SETs measured by set_latency_ms


def set_latency_ms(board: Board, sets: int = SETS) -> float:
    """The worst time from a SET line's last byte to the DS1302 write, over ``sets`` lines
    ending at phases spread over the second (golden-ratio steps: LCD redraws, DS1302 reads
    and DS18B20 steps all get hit), every other one as the host tool sends it (``#CCCC``:
    the body is parsed ahead at the ``#``) and plain, as typed (parsed when the receive ring
    runs dry after its last digit: the slower case)."""
    worst = 0.0
    target = dt.datetime(2027, 3, 4, 5, 6, 7)
    for i in range(sets):
        board.run_for(0.01 + (i * 0.6180339887) % 1.0)
        line = target.strftime("SET %Y-%m-%d %H:%M:%S")
        if i % 2:
            board.uart.inject(line.encode() + b"\n", board.cycles)
        else:
            send(board, line)
        n = board.uart.rx_log.total
        board.run_until_true(lambda n=n: board.uart.rx_log.total > n and
                             board.uart.pending == 0, 1.0, poll_s=0.0005)
        lf_cycle = board.uart.rx_log[-1][0]
        board.run_until_true(
            lambda: board.rtc.datetime_at(board.cycles) == target, 0.1, poll_s=0.0002)
        written = board.cycles - board.rtc.subsecond_cycles(board.cycles)
        worst = max(worst, (written - lf_cycle) * 1000 / board.cps)
        board.run_for(0.05)
    return worst


def stress_sp(board: Board) -> int:
    send(board, "ALARM 07:01")
    board.run_for(0.2)
    board.set_rtc(dt.datetime(2026, 11, 24, 7, 0, 58))
    board.run_for(3.0)  # ringing now
    for i in range(40):
        for line in ("PING", "GET", "INFO", "ALARM", "HOURS", "HELP"):
            send(board, line)
        board.press(("UP", "DOWN", "MODE")[i % 3], hold_s=0.05)
        board.run_for(0.1)
        if i == 20:
            board.set_rtc(dt.datetime(2026, 11, 24, 7, 0, 59))  # ring again
    return board.cpu.sp_max


def longest_interrupts_off(board: Board, seconds: float) -> int:
    """Single-step ``seconds`` of the board: the longest run of machine cycles with EA = 0
    (interrupts held off), measured at instruction boundaries."""
    cpu, sched = board.cpu, board.scheduler
    end = cpu.cycles + board.to_cycles(seconds)
    off_since: int | None = None
    worst = 0
    while cpu.cycles < end:
        cpu.step()
        sched.fire_due(cpu.cycles)
        if not cpu.sfr[0xA8] & 0x80:  # IE.EA
            off_since = cpu.cycles if off_since is None else off_since
        elif off_since is not None:
            worst = max(worst, cpu.cycles - off_since)
            off_since = None
    return worst


def temperature_figures(profile: str, image: Path) -> str:
    """DS18B20: first reading after power-on, a change at the worst phase (just after the
    sensor sampled), and the longest stretch with interrupts off (single-stepped)."""
    board = Board(profile, image)
    thermo = board.thermo
    assert thermo is not None
    board.set_temperature(23.5)
    board.run_until_true(lambda: "23.5" in board.lcd_text()[1], 2.0, poll_s=0.001)
    first = board.seconds

    def converts() -> int:
        return sum(1 for _, what in thermo.log if what == "cmd 44")

    n = converts()
    board.run_until_true(lambda: converts() > n, 1.0, poll_s=0.0002)
    t0 = board.seconds
    board.set_temperature(-7.5)
    board.run_until_true(lambda: "-7.5" in board.lcd_text()[1], 3.0, poll_s=0.001)
    change = board.seconds - t0
    worst = longest_interrupts_off(board, 2.0)
    frame_us = 1e6 * 10 / board.uart.baud  # the line the firmware set up
    return (f"DS18B20: first reading shown {first:.3f} s after power-on (budget 1.5 s); a "
            f"change shown {change:.3f} s later at the worst phase (budget 2 s); interrupts "
            f"off at most {worst * 1e6 / board.cps:.1f} us (half a UART frame: "
            f"{frame_us / 2:.0f} us)")


def work_per_second(profile: str, image: Path, seconds: float = 10.0) -> str:
    """Instructions and DS1302/DS18B20 pin edges per simulated second, the clock alone."""
    board = Board(profile, image)
    board.set_rtc(dt.datetime(2026, 1, 1, 0, 0, 0))
    board.run_for(3.0)                  # boot, the second found, the first reading
    edges = {"DS1302": 0, "DS18B20": 0}
    pins = {chip.upper(): [pin for part in board.profile.parts if part.type == chip
                           for _signal, pin in part.pins] for chip in ("ds1302", "ds18b20")}
    pins = {chip: chip_pins for chip, chip_pins in pins.items() if chip_pins}

    def count(chip: str):
        def seen(_level: int, _cycle: int) -> None:
            edges[chip] += 1
        return seen

    for chip, chip_pins in pins.items():
        for port, bit in chip_pins:
            board.bus.watch(port, bit, count(chip))
    i0 = board.cpu.instructions
    board.run_for(seconds)
    n = (board.cpu.instructions - i0) / seconds
    return (f"work per simulated second, the clock alone: {n:,.0f} instructions; pin edges "
            + ", ".join(f"{chip} {e / seconds:,.0f}" for chip, e in edges.items()
                        if chip in pins))


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--board", default="reference",
                        help="board whose built firmware is measured (default reference)")


def main(argv: list[str] | None = None) -> int:
    """``python -m sim.measure.budgets`` is ``clock51-sim budgets`` (same errors, exit codes)."""
    from sim.frontends.cli import main as cli_main

    return cli_main(["budgets", *(sys.argv[1:] if argv is None else argv)])


def run(args: argparse.Namespace) -> int:
    """Entry point for an already-parsed namespace (``clock51-sim budgets``)."""
    name = load_profile(args.board).name
    image = project_build(name)
    if not image.exists():
        raise MeasureError(f"{image} is not built (pio run -e {name})")
    print(f"board {name}: {memory_use(image)}")
    board = Board(args.board, image)
    board.set_rtc(dt.datetime(2026, 11, 24, 12, 0, 0))
    board.run_for(1.5)
    print(f"LCD shows a new second {lcd_latency_ms(board):.1f} ms after the DS1302 rolls over "
          "(worst of 10; budget 50 ms)")
    print(f"SET's last byte to the DS1302 write: {set_latency_ms(board):.2f} ms "
          f"(worst of {SETS}; budget 2 ms)")
    board = Board(args.board, image)
    board.set_rtc(dt.datetime(2026, 11, 24, 7, 0, 0))
    board.run_for(1.5)
    sp = stress_sp(board)
    print(f"highest SP under stress (alarm + keys + serial): 0x{sp:02X}, "
          f"{0xFF - sp} bytes of stack headroom (budget 16)")
    if board.thermo is not None:
        reads = sum(1 for _, what in board.thermo.log if what == "cmd BE")
        print(f"DS18B20 read {reads} times meanwhile, {len(board.thermo.violations)} 1-Wire "
              "violations")
        print(temperature_figures(args.board, image))
    print(work_per_second(args.board, image))
    problems = board.violations() + [f"lost RX byte at {c}" for c, _ in board.uart.rx_lost]
    if problems:
        raise MeasureError(f"{len(problems)} violations under stress, first: {problems[0]}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
