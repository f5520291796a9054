"""Events in simulated time.

Everything advances in machine cycles. An event is a callback due at a cycle; the board runs
the CPU up to the earliest due event, then fires every event due at that cycle in the order
they were scheduled. Key presses, serial bytes from the host and the end of a run are events.
"""

from __future__ import annotations

import heapq
import itertools
from collections.abc import Callable

Action = Callable[[int], None]  # called with the cycle it was due at


class Scheduler:
    def __init__(self) -> None:
        self._heap: list[tuple[int, int, Action]] = []
        self._seq = itertools.count()

    def at(self, cycle: int, action: Action) -> None:
        heapq.heappush(self._heap, (cycle, next(self._seq), action))

    def next_due(self, default: int) -> int:
        """Cycle of the earliest event, or ``default`` if that comes first or none is pending."""
        if self._heap and self._heap[0][0] < default:
            return self._heap[0][0]
        return default

    def fire_due(self, now: int) -> int:
        """Run every event due at or before ``now``; returns how many ran."""
        n = 0
        heap = self._heap
        while heap and heap[0][0] <= now:
            cycle, _, action = heapq.heappop(heap)
            action(cycle)
            n += 1
        return n

    def __len__(self) -> int:
        return len(self._heap)
