"""Board benchmark: the clock firmware on a simulated board, with and without idle
fast-forward.

Runs the built firmware image on a board (default: reference, DS1302 started running) for a
stretch of simulated time and prints simulated seconds per wall second. "fast-forward on" is
how the simulator always runs: idle mode, SJMP $, JB/JNB bit,$ and DJNZ Rn,$ jump straight
to the next event. "off" steps through them (an idle CPU then costs one slow-path turn per
machine cycle), which shows what the fast-forward buys.
"""

from __future__ import annotations

import datetime as dt
import time
from dataclasses import dataclass
from pathlib import Path

from boardprofile import load_profile

from sim.machine.board import Board
from sim.machine.image import project_build

START = dt.datetime(2026, 11, 24, 12, 0, 0)


@dataclass
class BoardFigure:
    label: str
    sim_seconds: float
    wall_seconds: float
    instructions: int
    cpu_seconds: float = 0.0  # process CPU time: less sensitive to a busy machine

    @property
    def factor(self) -> float:
        return self.sim_seconds / self.wall_seconds if self.wall_seconds else 0.0

    @property
    def cpu_factor(self) -> float:
        return self.sim_seconds / self.cpu_seconds if self.cpu_seconds else 0.0


def default_image(board: str) -> Path:
    return project_build(load_profile(board).name)


def bench_board(image: Path, board: str, seconds: float, fast_forward: bool) -> BoardFigure:
    b = Board(board, image)
    b.cpu.fast_forward = fast_forward
    b.set_rtc(START)
    b.run_for(1.0)  # boot (LCD init, first draw) outside the timing
    i0 = b.cpu.instructions
    c0 = time.process_time()
    t0 = time.perf_counter()
    b.run_for(seconds)
    wall = time.perf_counter() - t0
    cpu = time.process_time() - c0
    label = "fast-forward on" if fast_forward else "fast-forward off"
    return BoardFigure(label, seconds, wall, b.cpu.instructions - i0, cpu)


def print_fast_forward_off(image: Path, board: str, seconds: float) -> BoardFigure:
    """What idle fast-forward buys: the firmware in this process with it on and off."""
    print(f"idle fast-forward, {board} board, in one process (after a 1 s boot):")
    figures = []
    for ff, secs in ((True, seconds * 10), (False, seconds)):
        f = bench_board(image, board, secs, ff)
        print(f"  {f.label:<17} {f.sim_seconds:6.1f} s simulated in {f.wall_seconds:7.3f} s "
              f"wall = {f.factor:7.1f} x real time ({f.instructions:,} instructions)")
        figures.append(f)
    return figures[1]
