"""The real host tool (host/) talking to the real firmware image, in simulated time.

``SimLink`` is both the host's ``Transport`` (host/transport.py) and its ``TimeSource``
(host/timesource.py), so ``host.client.Clock``, ``host.sync`` and ``host.cli.main`` run
unchanged against a simulated board:

- time: ``mono()`` is the board's cycle counter in seconds; ``wall()`` is ``mono()`` plus
  a fixed offset (the PC's clock, which never drifts here); ``sleep_until`` runs the board
  up to that instant.
- bytes: ``write`` hands them to the board's UART at the current cycle (the first arrives
  one frame later, the next a frame apart: a zero-latency cable); ``read_line`` runs the
  board until the firmware has sent a whole line or the deadline passes.

The board only ever advances here, in slices of at most ``STEP_S``; after every slice the
``SecondWatch`` samples the DS1302 model and the LCD. Nothing here answers for the
firmware: every byte and every pixel comes from the compiled image.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from host.client import Clock as HostClock
from sim.measure.drift import STEP_S, SimHost
from tests.firmware.clockdriver import Clock


@dataclass
class Second:
    """One second of the DS1302 as it ran: its time, first and (once over) last+1 cycle,
    and how long after its start the LCD first showed it while it lasted (None: not)."""

    when: dt.datetime
    began: int
    ended: int | None = None
    shown_after: float | None = None


class SecondWatch:
    """Every DS1302 second while the board runs, and when the LCD showed it."""

    def __init__(self, clk: Clock) -> None:
        self.clk = clk
        self.seconds: list[Second] = []

    def sample(self) -> None:
        clk, rtc = self.clk, self.clk.b.rtc
        cycle = clk.cycles
        now = rtc.datetime_at(cycle)
        if now is None:
            return
        began = cycle - rtc.subsecond_cycles(cycle)
        last = self.seconds[-1] if self.seconds else None
        if last is None or (last.when, last.began) != (now, began):
            if last is not None:
                last.ended = began
            last = Second(now, began)
            self.seconds.append(last)
        if last.shown_after is None and clk.shown() == now:
            last.shown_after = (cycle - last.began) / clk.cps

    def after_boundary_ms(self, cycle: int) -> float | None:
        """How far into its DS1302 second ``cycle`` fell, in ms (None: not watched)."""
        for s in self.seconds:
            if s.began <= cycle and (s.ended is None or cycle < s.ended):
                return (cycle - s.began) * 1000 / self.clk.cps
        return None

    def finished(self, since: int = 0) -> list[Second]:
        """The seconds that began at or after cycle ``since`` and are over."""
        return [s for s in self.seconds if s.began >= since and s.ended is not None]

    def late_or_missed(self, budget_s: float, since: int = 0) -> list[str]:
        """Seconds not shown within ``budget_s`` of their start. A second cut shorter than
        the budget (by a SET) and never shown is not counted: it had no chance."""
        bad = []
        cps = self.clk.cps
        for s in self.finished(since):
            assert s.ended is not None
            lasted = (s.ended - s.began) / cps
            if s.shown_after is None and lasted < budget_s:
                continue
            if s.shown_after is None or s.shown_after > budget_s:
                what = ("never shown" if s.shown_after is None
                        else f"shown after {s.shown_after * 1000:.0f} ms")
                bad.append(f"{s.when:%H:%M:%S} ({lasted * 1000:.0f} ms long) {what}")
        return bad


class SimLink(SimHost):
    """A host ``Transport`` and ``TimeSource`` on a booted simulated board: the benchmark's
    ``SimHost`` (time, reading lines) with the LCD watched after every slice and every write
    logged."""

    def __init__(self, clk: Clock, wall_offset: float) -> None:
        super().__init__(clk.b, wall_offset)  # wall() = mono() + wall_offset
        self.clk = clk
        self.baudrate = self.board.uart.baud
        self.watch = SecondWatch(clk)
        self._line_free = 0  # cycle by which the UART delivers every byte written so far
        #: every write: (cycle its last byte reaches the MCU, the bytes)
        self.written: list[tuple[int, bytes]] = []
        self.clk.take_received()  # the banner and anything before the host opened the port
        self.watch.sample()

    # -- the board runs only here
    def advance_to(self, cycle: int) -> None:
        step = self.board.to_cycles(STEP_S)
        while self.board.cycles < cycle:
            self.board.run_until(min(cycle, self.board.cycles + step))
            self.watch.sample()

    def run(self, seconds: float) -> None:
        """Let time pass with the host idle (between two commands)."""
        self.advance_to(self.board.cycles + self.board.to_cycles(seconds))

    def host_clock(self, timeout: float = 1.0) -> HostClock:
        """host.client.Clock on this link (what ``Clock.open`` would return)."""
        return HostClock(self, timeout=timeout, time_source=self)

    def opener(self, port: str, baud: int, timeout: float) -> HostClock:
        """For ``host.cli.main(open_clock=...)``."""
        assert baud == self.baudrate, f"the host asked for {baud} baud"
        return self.host_clock(timeout)

    # -- Transport
    def write(self, data: bytes) -> None:
        uart = self.board.uart
        self._line_free = max(self.board.cycles, self._line_free) + len(data) * uart.frame_cycles
        self.written.append((self._line_free, data))
        self.clk.send_bytes(data)
