"""The clocks the host tool reads, behind one small interface so tests can inject a fake.

``wall()`` is the PC's time of day (epoch seconds, what the clock is set to);
``mono()`` is a monotonic high-resolution counter used for every delay and measurement;
``sleep_until(t)`` returns when ``mono()`` has reached ``t``.
"""

from __future__ import annotations

import time
from typing import Protocol

SPIN = 0.002  # the last 2 ms of a precise wait are spun, not slept (sleep overshoots)


class TimeSource(Protocol):
    def wall(self) -> float: ...

    def mono(self) -> float: ...

    def sleep_until(self, deadline: float) -> None: ...


class SystemTime:
    """The real clocks: time.time, time.perf_counter; sleep then spin for precision."""

    def wall(self) -> float:
        return time.time()

    def mono(self) -> float:
        return time.perf_counter()

    def sleep_until(self, deadline: float) -> None:
        while True:
            left = deadline - time.perf_counter()
            if left <= 0:
                return
            if left > SPIN:
                time.sleep(left - SPIN)


def wall_to_mono(source: TimeSource, wall_target: float) -> float:
    """The ``mono()`` reading at which ``wall()`` will read ``wall_target``.

    Reads mono, wall, mono and pairs wall with the midpoint, so the mapping error is at
    most half the (microsecond) gap between the two mono reads.
    """
    m0 = source.mono()
    w = source.wall()
    m1 = source.mono()
    return (m0 + m1) / 2 + (wall_target - w)
