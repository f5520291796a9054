"""The room the board stands in: one ambient temperature over simulated time.

Every part that feels the temperature reads this one schedule, which belongs to the board:
the DS1302's crystal (its rate, sim.devices.crystal: the model integrates it piece by piece
between the steps) and the DS18B20s (what they measure: the board hands each sensor the
room's reading at every step, as it happens). ``--temp``, the browser view's temperature
control and the live view's + / - all change this same room.

The schedule is piecewise constant: steps, each holding from its cycle until the next one;
the first at cycle 0 (cycles before it take its value too). A step either sets the room's
temperature (the sensors answer) or is a "none" step (``--temp none``): the sensors are
unplugged (no presence pulse) while the room keeps the temperature it had, the step
before's (``DEFAULT_C``, 20 degC, if none came before), and the crystal goes on feeling
it. Steps may be added for any cycle from now on; a step at a cycle that has one replaces
it, later steps stay (a schedule's future steps still happen after a change by hand).
"""

from __future__ import annotations

import bisect
from collections.abc import Callable, Iterator
from dataclasses import dataclass

DEFAULT_C = 20.0  # the room unless told otherwise (degC)

Watcher = Callable[[int, "float | None"], None]  # (cycle, what a sensor reads then)


@dataclass(frozen=True)
class Step:
    """From ``cycle`` on: the room at ``celsius`` (None: as before), the sensors answering
    or not."""

    cycle: int
    celsius: float | None
    sensors: bool = True


class Ambient:
    """The room's temperature schedule (see the module docstring).

    ``at(cycle, action)``: how a change is handed on when its cycle comes (the board runs
    ``action(cycle)`` then, or at once for a cycle already reached); without it, watchers
    are told at once."""

    def __init__(self, celsius: float | None = DEFAULT_C,
                 at: Callable[[int, Callable[[int], None]], None] | None = None) -> None:
        self._steps: list[Step] = [Step(0, celsius, celsius is not None)]
        self._cycles: list[int] = [0]
        self._room: list[float] = []
        self._at = at
        self._watchers: list[Watcher] = []
        self._resolve()

    def _resolve(self) -> None:
        """The room's temperature during each step (a none step keeps the one before)."""
        room = []
        last = DEFAULT_C
        for step in self._steps:
            if step.celsius is not None:
                last = step.celsius
            room.append(last)
        self._room = room
        self._cycles = [s.cycle for s in self._steps]

    # -- reading -------------------------------------------------------------------------
    def _index(self, cycle: int) -> int:
        return max(0, bisect.bisect_right(self._cycles, cycle) - 1)

    def celsius_at(self, cycle: int) -> float:
        """The room's temperature at ``cycle``."""
        return self._room[self._index(cycle)]

    def sensors_at(self, cycle: int) -> bool:
        """Whether the DS18B20s answer at ``cycle`` (False after a none step)."""
        return self._steps[self._index(cycle)].sensors

    def reading_at(self, cycle: int) -> float | None:
        """What a DS18B20 reads at ``cycle``: the room's temperature, None when unplugged."""
        i = self._index(cycle)
        return self._room[i] if self._steps[i].sensors else None

    def spans(self, start: int, end: int) -> Iterator[tuple[int, float]]:
        """(cycles, degC) pieces of ``start..end`` cut at the steps, in order."""
        i = self._index(start)
        here = start
        cycles = self._cycles
        while here < end:
            nxt = cycles[i + 1] if i + 1 < len(cycles) else end
            stop = min(max(nxt, here), end)
            if stop > here:
                yield stop - here, self._room[i]
                here = stop
            i += 1

    @property
    def steps(self) -> list[Step]:
        return list(self._steps)

    # -- changing --------------------------------------------------------------------------
    def watch(self, watcher: Watcher) -> None:
        """``watcher(cycle, reading)`` at every step as its cycle comes."""
        self._watchers.append(watcher)

    def set(self, celsius: float | None, cycle: int) -> None:
        """From ``cycle`` on the room is at ``celsius`` with the sensors answering, or (None)
        the sensors are unplugged and the room stays as it was."""
        i = bisect.bisect_right(self._cycles, cycle)
        if i and self._cycles[i - 1] == cycle:  # this cycle has a step: it changes
            old = self._steps[i - 1]
            self._steps[i - 1] = Step(cycle, old.celsius if celsius is None else celsius,
                                      celsius is not None)
        else:
            self._steps.insert(i, Step(cycle, celsius, celsius is not None))
        self._resolve()
        if self._at is None:
            self._tell(cycle)
        else:
            self._at(cycle, self._tell)

    def _tell(self, cycle: int) -> None:
        reading = self.reading_at(cycle)
        for watcher in self._watchers:
            watcher(cycle, reading)
