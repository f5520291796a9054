"""Run any 8052 program on a bare CPU (``clock51-sim exec``).

The program's UART transmissions are collected (and optionally streamed through
``on_output`` as each byte's frame completes). The run stops when the next instruction
jumps to itself (``sjmp .``), before executing it, so the cycle count equals what s51
reports when stopped by a breakpoint on that instruction; or after ``max_cycles``; or on
power down.

Exit status (for test programs): SFR 0xFF, which no MCS-51 part implements, is the
program's exit status port. It reads 0 after reset, so an ordinary program exits 0. A test
program writes a nonzero value when it starts and 0 only when all its tests passed, just
before its final ``sjmp .``; a program that stops early (or any nonzero value there) fails.
``ExecResult.status`` is the port's value at the stop (``None`` when the cycle budget ran
out: a hung program has no status).
"""

from __future__ import annotations

import time

from sim.cpu import CPU, NEVER

# collections.abc for the annotations only: importing it costs every fresh `exec` 1 ms
TYPE_CHECKING = False
if TYPE_CHECKING:
    from collections.abc import Callable

__all__ = ["EXIT_SFR", "ExecResult", "run_program"]

EXIT_SFR = 0xFF

# run() is called in slices so that a very long program still streams its output and can
# be interrupted with Ctrl-C between slices without losing the statistics.
_SLICE = 1 << 22


class ExecResult:
    # a plain class, not a dataclass: importing dataclasses costs every exec 6 ms
    def __init__(self, output: bytes, cycles: int, instructions: int, wall_seconds: float,
                 reason: str, status: int | None = 0) -> None:
        self.output = output              # the bytes the program sent through the UART
        self.cycles = cycles              # machine cycles executed
        self.instructions = instructions
        self.wall_seconds = wall_seconds
        self.reason = reason              # 'selfjump' | 'max-cycles' | 'powerdown'
        self.status = status              # exit status port (SFR 0xFF); None: max-cycles

    def __repr__(self) -> str:
        return (f"ExecResult(output={self.output!r}, cycles={self.cycles}, "
                f"instructions={self.instructions}, reason={self.reason!r}, "
                f"status={self.status!r})")

    @property
    def mhz_equivalent(self) -> float:
        """Simulated machine cycles per wall-clock second, in millions."""
        return self.cycles / self.wall_seconds / 1e6 if self.wall_seconds > 0 else 0.0


def run_program(image: bytes, *, max_cycles: int | None = None, xram_size: int = 256,
                on_output: Callable[[int], None] | None = None,
                s51_timing: bool = False) -> ExecResult:
    """Run a bare 8052 program to its final self-jump (or ``max_cycles``).

    ``s51_timing`` charges 1 cycle for the hardware LCALL of an interrupt, as s51 0.6.4
    does, instead of the datasheet's 2: the differential tests use it to compare totals.
    """
    cpu = CPU(image, xram_size=xram_size)
    if s51_timing:
        cpu.irq_entry_cycles = 1
    out = bytearray()

    def tx(byte: int, cycle: int) -> None:
        out.append(byte)
        if on_output is not None:
            on_output(byte)

    cpu.on_uart_tx = tx
    limit = NEVER if max_cycles is None else max_cycles
    t0 = time.perf_counter()
    while True:
        until = min(limit, cpu.cycles + _SLICE)
        reason = cpu.run(until, stop_at_selfjump=True)
        if reason != "deadline":
            break
        if cpu.cycles >= limit:
            reason = "max-cycles"
            break
    wall = time.perf_counter() - t0
    status = None if reason == "max-cycles" else cpu.read_direct(EXIT_SFR)
    return ExecResult(bytes(out), cpu.cycles, cpu.instructions, wall, reason, status)
