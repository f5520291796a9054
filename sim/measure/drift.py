"""Issue 20's figures in simulation: ``python -m sim.measure.drift``.

The real host code (``host.cli.main``: ``clock51 sync``, which learns, and ``clock51 drift
comp on``) drives the real firmware image on a simulated board whose DS1302 crystal drifts
(sim.devices.crystal), through ``SimHost``: the host's ``Transport`` and ``TimeSource`` on
the board, in simulated time (the PC's clock is the simulation's true time, so it never
drifts). The board is powered only while it is used; the rest of the time it is switched
off with ``Board.power_cut("battery")`` and the DS1302 counts on its battery at its
crystal's rate, so a month of simulated time takes seconds.

For crystals at +87, -20 and +230 ppm (t0 25 C, k -0.034 ppm/C^2), the scenarios of
issue 20's table, each run from a fresh board and history:

1. the rate ``clock51 sync`` learns from syncs at days 0, 1, 3 and 7 (room at 25 C), beside
   the truth;
2. the clock's error 30 days after the last sync, room at 25 C, the clock in daily use
   (switched on for ``POWERED_S`` at noon every day: it catches up at each power-up and
   steps while it runs; the simulator cannot run a month of powered time in seconds);
3. the same in a room swinging 15-30 C every day (hourly steps of a sine, coldest at
   04:00), learned in it, with temperature compensation on (``clock51 drift comp on``);
4. the error after 30 days unpowered after learning, then a power-up (room at 25 C).

The error is the DS1302's time (to the microsecond) minus the true time, at the instant 30
days after the last sync began, read from the model. "uncorrected" runs the same syncs with
``sync --no-learn`` (no RATE ever reaches the clock); "corrected" with learning, which
writes the rate (``DRIFT RATE``) when the firmware has the ``DRIFT`` command. Today's
firmware answers ``ERR unknown command``: the script finds that out and prints the
corrected column as "n/a (firmware has no DRIFT)" (the learned rate of row 1 comes from the
host alone and is shown all the same). Beside the uncorrected figure: what the crystal alone
builds up in that time (rate x time, the swing averaged over its hourly steps), computed
here without the simulator. The benchmark runs in UTC (the host sets local time).
"""

from __future__ import annotations

import argparse
import contextlib
import datetime as dt
import io
import json
import math
import os
import sys
import tempfile
import time
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from host.client import Clock
    from sim.machine.board import Board

DAY = 86_400.0
START = dt.datetime(2026, 1, 5, 12, 0, 0)  # the first sync (UTC)
EPOCH = dt.datetime(1970, 1, 1)
CRYSTALS = (87.0, -20.0, 230.0)
SYNC_DAYS = (0.0, 1.0, 3.0, 7.0)
AFTER_DAYS = 30.0
T0, K = 25.0, -0.034  # the crystals' turnover and parabola
ROOM_C = 25.0
SWING_C = (15.0, 30.0)
COLDEST_H = 4.0
BOOT_S = 3.0  # a power-up: reset, the ISP bootloader's window, the firmware's start
POWERED_S = 65.0  # a day's use in scenarios 2 and 3: passes a second :30 whatever the time
FIRST_ERROR_S = 3.0  # the clock before the first sync (the first sync sets it)
STEP_S = 0.001  # the board runs at most this far while the host waits for a reply
GOALS = {"rate": "within 1 ppm", "use": "<= 3 s", "swing": "<= 5 s", "unpowered": "<= 5 s"}
NO_DRIFT = "n/a (firmware has no DRIFT)"


def swing_c(hour: float) -> float:
    """The swinging room at ``hour`` (hours since START's midnight): a sine between
    SWING_C, coldest at COLDEST_H."""
    low, high = SWING_C
    mid, half = (low + high) / 2, (high - low) / 2
    return mid - half * math.cos(2 * math.pi * (hour - COLDEST_H) / 24)


def hourly_swing(start_s: float, end_s: float) -> list[tuple[float, float]]:
    """(simulated second, degC) steps of the swing, one an hour, each the sine at the
    middle of its hour, from the hour before ``start_s`` to ``end_s``."""
    first_hour = START.hour + START.minute / 60  # simulated second 0 is START
    steps = []
    h = math.floor(first_hour + start_s / 3600) - 1
    while (h - first_hour) * 3600 < end_s:
        at = max(0.0, (h - first_hour) * 3600)
        steps.append((at, round(swing_c(h + 0.5), 4)))
        h += 1
    return steps


def crystal_error(ppm: float, start_s: float, end_s: float,
                  room: Callable[[float], float]) -> float:
    """What a crystal at ``ppm`` (t0 25, k -0.034) builds up from ``start_s`` to ``end_s``
    in a room given as its step at each simulated second (pieces of at most an hour)."""
    total, t = 0.0, start_s
    while t < end_s:
        nxt = min(end_s, (math.floor(t / 3600) + 1) * 3600)
        celsius = room(t)
        total += (nxt - t) * (ppm + K * (celsius - T0) ** 2) * 1e-6
        t = nxt
    return total


@contextlib.contextmanager
def in_utc() -> Iterator[None]:
    """The process in UTC while the host runs (it sets the clock to local time)."""
    old = os.environ.get("TZ")
    os.environ["TZ"] = "UTC"
    time.tzset()
    try:
        yield
    finally:
        if old is None:
            os.environ.pop("TZ", None)
        else:
            os.environ["TZ"] = old
        time.tzset()


class SimHost:
    """A host ``Transport`` and ``TimeSource`` on a simulated board (an in-memory serial
    endpoint): ``mono()`` is the board's time, ``wall()`` the true time (the simulation's,
    START at cycle 0); waiting for a reply runs the board. Nothing here answers for the
    firmware."""

    name = "sim"

    def __init__(self, board: Board, wall0: float) -> None:
        self.board = board
        self.baudrate = 9600
        self.wall0 = wall0
        self._buffer = bytearray()

    # -- the board runs only here
    def advance_to(self, cycle: int) -> None:
        board = self.board
        step = board.to_cycles(STEP_S)
        while board.cycles < cycle:
            board.run_until(min(cycle, board.cycles + step))

    def skip_to(self, seconds: float) -> None:
        """Let simulated time pass up to ``seconds`` in one go (the host idle)."""
        cycle = self.board.to_cycles(seconds)
        if cycle > self.board.cycles:
            self.board.run_until(cycle)

    def opener(self, port: str, baud: int, timeout: float) -> Clock:
        from host.client import Clock

        self.baudrate = baud
        return Clock(self, timeout=timeout, time_source=self)

    # -- TimeSource
    def mono(self) -> float:
        return self.board.seconds

    def wall(self) -> float:
        return self.wall0 + self.mono()

    def sleep_until(self, deadline: float) -> None:
        self.advance_to(math.ceil(deadline * self.board.cps))

    # -- Transport
    def write(self, data: bytes) -> None:
        board = self.board
        board.uart.endpoint.feed(data)
        board.uart.poll(board.cycles)

    def flush(self) -> None:
        pass

    def _take(self) -> None:
        self._buffer += self.board.uart.endpoint.take_sent()

    def read_line(self, timeout: float) -> bytes | None:
        board = self.board
        deadline = board.cycles + board.to_cycles(max(0.0, timeout))
        while True:
            self._take()
            end = self._buffer.find(b"\n")
            if end >= 0:
                line = bytes(self._buffer[:end])
                del self._buffer[: end + 1]
                return line
            if board.cycles >= deadline:
                return None
            self.advance_to(min(deadline, board.cycles + board.to_cycles(STEP_S)))

    def reset_input(self) -> None:
        self._take()
        self._buffer.clear()

    def close(self) -> None:
        pass


@dataclass
class Run:
    """One board from the first sync to the measurement."""

    ppm: float
    learn: bool
    swing: bool = False
    use: str = "daily"  # "daily": on for POWERED_S each day; "unpowered": off all along
    comp: bool = False
    error: float | None = None  # clock - true time at the measurement (s)
    model_offset: float | None = None  # the DS1302 model's own offset_at then (s)
    expected: float | None = None  # what the crystal alone builds up since the last sync
    learned: float | None = None  # the host's estimate (ppm)
    learned_sigma: float | None = None
    drift: bool = False  # the firmware answered DRIFT
    outputs: list[str] = field(default_factory=list)


class Bench:
    """Runs scenarios on the firmware ``image`` of board profile ``board``."""

    def __init__(self, image: Path, board: str = "reference",
                 sync_days: Sequence[float] = SYNC_DAYS, after_days: float = AFTER_DAYS,
                 powered_s: float = POWERED_S) -> None:
        self.image = Path(image)
        self.board_name = board
        self.sync_days = tuple(sync_days)
        self.after_days = after_days
        self.powered_s = powered_s

    def _room(self, swing: bool) -> Callable[[float], float]:
        if not swing:
            return lambda _s: ROOM_C
        return lambda s: swing_c(math.floor(START.hour + s / 3600) + 0.5)

    def _host(self, host: SimHost, folder: str, *argv: str) -> str:
        from host import cli

        out = io.StringIO()
        with contextlib.redirect_stdout(out), contextlib.redirect_stderr(out):
            code = cli.main(["--port", "sim", *argv, "--history-dir", folder],
                            open_clock=host.opener, time_source=host)
        if code:
            from sim.errors import MeasureError

            raise MeasureError(f"clock51 {' '.join(argv)} failed (exit {code}): "
                               f"{out.getvalue().strip().splitlines()[-1:]}", out.getvalue())
        return out.getvalue()

    def _power_on(self, host: SimHost, at_s: float) -> None:
        board = host.board
        host.skip_to(at_s)
        board.power_on()
        host.skip_to(at_s + BOOT_S)
        host.reset_input()  # the banner

    def run(self, scenario: Run) -> Run:
        from host import drift as d
        from sim.frontends.endpoints import MemoryEndpoint
        from sim.machine.board import Board

        board = Board(self.board_name, self.image, endpoint=MemoryEndpoint(),
                      crystal={"ppm": scenario.ppm, "t0": T0, "k": K})
        host = SimHost(board, (START - EPOCH).total_seconds())
        last_sync = self.sync_days[-1] * DAY
        end = last_sync + self.after_days * DAY
        if scenario.swing:
            for at_s, celsius in hourly_swing(0.0, end + DAY):
                board.set_temperature(celsius, at_s)
        else:
            board.set_temperature(ROOM_C)
        board.set_rtc(START - dt.timedelta(seconds=FIRST_ERROR_S))
        host.skip_to(BOOT_S)
        host.reset_input()
        with tempfile.TemporaryDirectory(prefix="clock51-drift-") as folder:
            from host.learn import read_drift

            scenario.drift = read_drift(host.opener("sim", 9600, 1.0)) is not None
            for i, day in enumerate(self.sync_days):
                if i:
                    board.power_cut("battery")
                    self._power_on(host, day * DAY - BOOT_S)
                scenario.outputs.append(self._host(
                    host, folder, "sync", *([] if scenario.learn else ["--no-learn"])))
                if i == 0 and scenario.comp and scenario.drift:
                    scenario.outputs.append(self._host(host, folder, "drift", "comp", "on"))
            if scenario.learn:
                files = sorted(Path(folder).glob("*.json"))
                if files:
                    key = json.loads(files[0].read_text())["clock"]
                    estimate, _ = d.analyse(d.Store(folder).load(key))
                    if estimate is not None:
                        scenario.learned, scenario.learned_sigma = estimate.rate, estimate.sigma
            board.power_cut("battery")
            if scenario.use == "daily":
                day = 1
                while day < self.after_days:
                    self._power_on(host, last_sync + day * DAY)
                    host.skip_to(last_sync + day * DAY + BOOT_S + self.powered_s)
                    board.power_cut("battery")
                    day += 1
            self._power_on(host, end - BOOT_S)
            host.skip_to(end)
        rtc = board.rtc
        cycle = board.cycles
        clock = rtc.clock_datetime_at(cycle)
        truth = START + dt.timedelta(seconds=cycle / board.cps)
        scenario.error = None if clock is None else (clock - truth).total_seconds()
        scenario.model_offset = rtc.offset_at(cycle)
        scenario.expected = crystal_error(scenario.ppm, last_sync, end,
                                          self._room(scenario.swing))
        return scenario


@dataclass
class Row:
    scenario: str
    crystal: float
    uncorrected: str
    expected: str
    corrected: str
    goal: str


def figures(bench: Bench, crystals: Sequence[float] = CRYSTALS,
            progress: Callable[[str], None] | None = None) -> tuple[list[Row], bool]:
    """Every scenario for every crystal: the rows of the table, and whether the firmware
    has DRIFT."""
    rows: list[Row] = []
    has_drift = False
    after = f"{bench.after_days:g} d"
    days = ", ".join(f"{d:g}" for d in bench.sync_days)

    def say(text: str) -> None:
        if progress is not None:
            progress(text)

    def seconds(value: float | None) -> str:
        return "-" if value is None else f"{value:+.3f} s"

    for ppm in crystals:
        say(f"crystal {ppm:+g} ppm: learning at 25 C, then {after} unpowered")
        learned = bench.run(Run(ppm, learn=True, use="unpowered"))
        has_drift = learned.drift
        rate = "no estimate" if learned.learned is None else (
            f"learned {learned.learned:+.2f} ppm +- {learned.learned_sigma:.2f} "
            f"(error {learned.learned - ppm:+.2f})")
        rows.append(Row(f"rate after syncs at days {days} (25 C)", ppm, "-",
                        f"{ppm:+.2f} ppm", rate, GOALS["rate"]))
        cases = [("use", f"error {after} after the last sync, 25 C, on {bench.powered_s:g} s "
                         "a day", False, "daily"),
                 ("swing", f"error {after} after the last sync, 15-30 C daily swing, comp on, "
                           f"on {bench.powered_s:g} s a day", True, "daily"),
                 ("unpowered", f"{after} unpowered after learning, then power-up (25 C)",
                  False, "unpowered")]
        for goal, title, swing, use in cases:
            say(f"crystal {ppm:+g} ppm: {title}: uncorrected")
            plain = bench.run(Run(ppm, learn=False, swing=swing, use=use))
            if use == "unpowered":
                corrected = learned
            elif has_drift:
                say(f"crystal {ppm:+g} ppm: {title}: corrected")
                corrected = bench.run(Run(ppm, learn=True, swing=swing, use=use, comp=swing))
            else:
                corrected = None
            rows.append(Row(title, ppm, seconds(plain.error), seconds(plain.expected),
                            seconds(corrected.error) if has_drift and corrected else NO_DRIFT,
                            GOALS[goal]))
    return rows, has_drift


def table(rows: Sequence[Row]) -> list[str]:
    head = ("scenario", "crystal", "uncorrected", "crystal x time", "corrected", "goal")
    body = [(r.scenario, f"{r.crystal:+g} ppm", r.uncorrected, r.expected, r.corrected, r.goal)
            for r in rows]
    widths = [max(len(line[i]) for line in (head, *body)) for i in range(len(head))]
    out = ["  ".join(c.ljust(w) for c, w in zip(head, widths, strict=True)).rstrip()]
    out.append("  ".join("-" * w for w in widths))
    out += ["  ".join(c.ljust(w) for c, w in zip(line, widths, strict=True)).rstrip()
            for line in body]
    return out


def _numbers(text: str, what: str) -> list[float]:
    try:
        values = [float(x) for x in text.split(",")]
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r}: expected {what} separated by commas") \
            from None
    if not values or not all(math.isfinite(v) for v in values):
        raise argparse.ArgumentTypeError(f"{text!r}: expected {what} separated by commas")
    return values


class _Parser(argparse.ArgumentParser):
    """Usage errors in one line (exit 2), not the usage text."""

    def error(self, message: str) -> None:  # type: ignore[override]
        print(f"{self.prog}: error: {message} (see '{self.prog} --help')", file=sys.stderr)
        raise SystemExit(2)


def main(argv: list[str] | None = None) -> int:
    from sim.errors import SimError
    from sim.machine.image import project_build

    parser = _Parser(prog="python -m sim.measure.drift", description=__doc__.splitlines()[0])
    parser.add_argument("firmware", nargs="?", type=Path,
                        help="the image (default: the board's build)")
    parser.add_argument("--board", default="reference")
    parser.add_argument("--ppm", type=lambda t: _numbers(t, "ppm values"),
                        default=list(CRYSTALS), help="crystals (default 87,-20,230)")
    parser.add_argument("--sync-days", type=lambda t: _numbers(t, "days"),
                        default=list(SYNC_DAYS), help="days of the syncs (default 0,1,3,7)")
    parser.add_argument("--after-days", type=float, default=AFTER_DAYS,
                        help="days from the last sync to the measurement (default 30)")
    parser.add_argument("--powered-s", type=float, default=POWERED_S,
                        help=f"seconds on each day of use (default {POWERED_S:g})")
    args = parser.parse_args(argv)
    days = args.sync_days
    if len(days) < 2 or any(b <= a for a, b in zip(days, days[1:], strict=False)) \
            or days[0] != 0 or not 1 <= args.after_days <= 3650 or args.powered_s < 40:
        parser.error("--sync-days: two or more increasing days from 0; --after-days 1-3650; "
                     "--powered-s at least 40")
    image = args.firmware or project_build(args.board)
    if not image.is_file():
        why = "no such file" if args.firmware else \
            f"not built (run: .venv/bin/pio run -e {args.board})"
        print(f"{parser.prog}: error: {image}: {why}", file=sys.stderr)
        return 1
    bench = Bench(image, args.board, days, args.after_days, args.powered_s)
    began = time.perf_counter()
    try:
        with in_utc():
            rows, has_drift = figures(bench, args.ppm,
                                      lambda t: print(f"  ... {t}", file=sys.stderr,
                                                      flush=True))
    except SimError as e:
        print(f"python -m sim.measure.drift: error: {e}", file=sys.stderr)
        return 1
    print(f"firmware {image} on board {args.board}: "
          f"{'answers DRIFT' if has_drift else 'answers ERR unknown command to DRIFT'}")
    print(f"crystals t0 {T0:g} C, k {K:g} ppm/C^2; syncs at days "
          f"{', '.join(f'{d:g}' for d in days)}; measured {args.after_days:g} d after the "
          "last one (clock - true time)")
    for line in table(rows):
        print(line)
    print(f"({time.perf_counter() - began:.0f} s wall)")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
