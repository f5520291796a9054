"""The rules a program broke, for the person running it: ``clock51-sim run --check``.

Every chip model reports a broken datasheet rule to the board as it happens
(``Board.violation_records``). ``ViolationPrinter.poll`` (called by the run loop between
slices of simulated time) writes the new ones, one line each::

    clock51-sim: 0.071234 s: lcd: busy-write: instruction 0x38 sent 2.00 ms after
    power-on, during the internal reset: dropped (datasheet: wait > 15 ms after VCC
    reaches 4.5 V (internal reset))

(simulated time, part, rule, what the program did, what the datasheet requires; one
line). A program that repeats a mistake in a loop gets the first ``PRINT_PER_RULE`` of
each part and rule printed, then one line saying the rest are only counted.
``summary()`` is the line for the end of a run without ``--check``:
``3 timing/protocol violations; --check lists them``.
"""

from __future__ import annotations

import sys
from typing import Any, TextIO

PRINT_PER_RULE = 20


def describe(record: Any, cps: int) -> str:
    """One line for a ``sim.machine.board.ViolationRecord``."""
    v = record.violation
    line = f"{v.cycle / cps:.6f} s: {record.part}: {v.kind}: {v.detail}"
    return f"{line} (datasheet: {v.required})" if v.required else line


class ViolationPrinter:
    """Writes a board's violations as they are reported (``echo``) and counts them."""

    def __init__(self, board: Any, *, echo: bool, out: TextIO | None = None) -> None:
        self.board = board
        self.echo = echo
        self.out = out
        self.seen = 0
        self._per_rule: dict[tuple[str, str], int] = {}

    def poll(self) -> None:
        records = self.board.violation_records(self.seen)
        if not records:
            return
        self.seen = max(r.seq for r in records)
        if not self.echo:
            return
        out = self.out or sys.stderr
        for r in records:
            key = (r.part, r.violation.kind)
            n = self._per_rule.get(key, 0) + 1
            self._per_rule[key] = n
            if n <= PRINT_PER_RULE:
                print(f"clock51-sim: {describe(r, self.board.cps)}", file=out)
            elif n == PRINT_PER_RULE + 1:
                print(f"clock51-sim: {r.part}: {r.violation.kind}: more of these are "
                      "counted, not printed", file=out)
        out.flush()

    @property
    def total(self) -> int:
        return self.board.violation_count

    def summary(self) -> str | None:
        """The end-of-run line without ``--check`` (None when nothing was broken)."""
        n = self.total
        if not n:
            return None
        return f"{n} timing/protocol violation{'s' if n != 1 else ''}; --check lists them"
