"""Power cuts at the worst moment: cut the supply every few machine cycles through every
DS1302 write of a scenario, reboot, and check what the clock comes back with (issue 10
item 3).

    python -m tests.firmware.powercut             # a sample of cut points (as make test)
    python -m tests.firmware.powercut --full      # every 2nd machine cycle of every write
    python -m tests.firmware.powercut --step 5 --scenario ALARM --model reset
    python -m tests.firmware.powercut --image other/firmware.ihx   # e.g. an older build
    python -m tests.firmware.powercut --drift [--full]  # the drift firmware (powercut_drift)

Scenarios (each from a clock booted and configured through the firmware itself, so any
firmware version can be swept): the first power-up of a fresh chip, SET over the "set me"
state, a key edit that changes the date and the alarm, ``ALARM 06:01`` over 07:00 OFF (12 h),
``HOURS 12`` over 24 h. Cut models: ``sim.machine.board.POWER_CUTS`` (battery takes over, MCU reset
with pins floating high, brown-out). After each cut the board is powered again (0.5 s later,
at once for a brown-out) and read as a user would: the LCD's time and "?" mark, and the
replies to ``ALARM`` and ``HOURS``.

Allowed outcomes: the time is the old one, the new one, or the "set me" state (build date
running, "?"); the settings (alarm hh:mm, on/off, 12/24 h) are the old ones, the new ones or
the defaults (07:00 OFF, 24 h). Anything else is MIXED. Times are compared with 2 s slack.

Cut points: the DS1302 write transfers the scenario makes (seen on the pins by a small
logic analyser, no model internals), each widened by 40 cycles, groups closer than 400
cycles merged (so cuts also fall between the writes of one save), every ``step`` cycles.
"""

from __future__ import annotations

import argparse
import datetime as dt
import re
import sys
import time
from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from sim.machine.board import POWER_CUTS
from tests.firmware.clockdriver import BUILD, Clock, build_date

START = dt.datetime(2026, 11, 24, 12, 5, 31)
DEFAULTS = ((7, 0), False, False)      # alarm hh:mm, on, 12 h
OFF_S = 0.5
SLACK_S = 2.0
MARGIN, MERGE = 40, 400


Settings = tuple[tuple[int, int], bool, bool]


@dataclass(frozen=True)
class Scenario:
    name: str
    fresh: bool                             # a fresh chip (else START, running)
    setup: tuple[str, ...]                  # serial lines before the change
    change: Callable[[Clock], None]         # starts the change (not waiting for it)
    old_time: Callable[[dt.date], tuple[dt.datetime, bool] | None]
    new_time: Callable[[dt.date], tuple[dt.datetime, bool] | None]
    old: Settings
    new: Settings


def _send(line: str) -> Callable[[Clock], None]:
    return lambda clk: clk.send_line(line)


def _key_edit(clk: Clock) -> None:
    """SET, UP (year + 1), SET x 5 (to the alarm hour), UP UP (+2 h), MODE (leave)."""
    at = clk.b.seconds + 0.05
    for key in ["SET", "UP", "SET", "SET", "SET", "SET", "SET", "UP", "UP", "MODE"]:
        clk.b.press(key, at_s=at, hold_s=0.1)
        at += 0.3


def _set_me(day: dt.date) -> tuple[dt.datetime, bool]:
    return dt.datetime.combine(day, dt.time()), True


SCENARIOS = [
    Scenario("first power-up", True, (), lambda clk: None,
             lambda day: None, lambda day: None, DEFAULTS, DEFAULTS),
    Scenario("SET", True, ("ALARM 06:00", "HOURS 12"), _send("SET 2026-11-24 12:05:31"),
             _set_me, lambda day: (START, False), ((6, 0), True, True), ((6, 0), True, True)),
    Scenario("key edit", False, ("ALARM 06:00", "HOURS 12"), _key_edit,
             lambda day: (START, False), lambda day: (START.replace(year=2027, second=0), False),
             ((6, 0), True, True), ((8, 0), True, True)),
    Scenario("ALARM", False, ("HOURS 12",), _send("ALARM 06:01"),
             lambda day: (START, False), lambda day: (START, False),
             ((7, 0), False, True), ((6, 1), True, True)),
    Scenario("HOURS", False, ("ALARM 06:00",), _send("HOURS 12"),
             lambda day: (START, False), lambda day: (START, False),
             ((6, 0), True, False), ((6, 0), True, True)),
]


class WriteLog:
    """DS1302 write transfers seen on the pins: (CE rise, CE fall, command); clock-burst
    reads (0xBF) too, in ``clock_reads``."""

    def __init__(self, clk: Clock) -> None:
        self.writes: list[tuple[int, int, int]] = []
        self.clock_reads: list[tuple[int, int, int]] = []
        rtc, bus = clk.b.rtc, clk.b.bus
        self._io = rtc.io_pin
        self._bus = bus
        self._rise = self._bits = self._cmd = 0
        self._ce = False
        bus.watch(*rtc.ce_pin, self._on_ce)
        bus.watch(*rtc.sclk_pin, self._on_sclk)

    def _on_ce(self, level: int, cycle: int) -> None:
        if level and not self._ce:
            self._rise, self._bits, self._cmd = cycle, 0, 0
        elif not level and self._ce and self._bits >= 8 and self._cmd & 0x81 == 0x80:
            self.writes.append((self._rise, cycle, self._cmd))
        elif not level and self._ce and self._bits >= 8 and self._cmd == 0xBF:
            self.clock_reads.append((self._rise, cycle, self._cmd))
        self._ce = bool(level)

    def _on_sclk(self, level: int, cycle: int) -> None:
        if level and self._ce and self._bits < 8:
            self._cmd |= self._bus.pin(*self._io) << self._bits
            self._bits += 1


@dataclass
class Outcome:
    time: str
    settings: str

    @property
    def mixed(self) -> bool:
        return "MIXED" in (self.time, self.settings)

    def __str__(self) -> str:
        return f"time {self.time}, settings {self.settings}"


class Sweep:
    def __init__(self, image: Path) -> None:
        self.image = image
        self.day = build_date(image)

    def _prepare(self, sc: Scenario) -> Clock:
        """A booted, configured clock, the change started (deterministic: same cycles)."""
        clk = Clock("reference", self.image)
        if sc.fresh and not sc.setup:          # first power-up: the boot is the change
            clk.new_board()
            return clk
        clk.boot(rtc=None if sc.fresh else START)
        for line in sc.setup:
            reply = clk.command(line)
            assert reply.startswith("OK"), f"{sc.name}: {line} -> {reply}"
        clk.run(0.2)
        clk.take_received()
        sc.change(clk)
        return clk

    def windows(self, sc: Scenario) -> tuple[list[tuple[int, int]], int]:
        """Cycle ranges to cut in, and the cycle the change started at."""
        writes, start = self.writes(sc)
        spans: list[tuple[int, int]] = []
        for rise, fall, _cmd in writes:
            lo, hi = rise - MARGIN, fall + MARGIN
            if spans and lo - spans[-1][1] < MERGE:
                spans[-1] = (spans[-1][0], hi)
            else:
                spans.append((max(start, lo), hi))
        return spans, start

    def writes(self, sc: Scenario) -> tuple[list[tuple[int, int, int]], int]:
        """The scenario's DS1302 writes (CE rise, CE fall, command) and its start cycle."""
        clk = self._prepare(sc)
        start = clk.cycles
        log = WriteLog(clk)
        clk.run(4.0)
        return log.writes, start

    def cut(self, sc: Scenario, model: str, at: int, start: int) -> Outcome:
        clk = self._prepare(sc)
        b = clk.b
        b.uart.poll(b.cycles)
        b.run_until(at)
        b.power_cut(model)
        off = 0.0 if model == "brownout" else OFF_S
        total, since_change = b.seconds + off, (b.cycles - start) / b.cps + off
        # Power back on a new board with the DS1302 carried over (what Clock.power_cycle
        # does): the cut's effects are in the DS1302 state, the rest starts from reset.
        if not clk.restart(b.rtc.to_state(), off, 3.0):
            return Outcome("MIXED", "MIXED")
        b = clk.b
        clk.run(0.1)
        return Outcome(self._time(clk, sc, total + b.seconds, since_change + b.seconds),
                       self._settings(clk, sc))

    def _time(self, clk: Clock, sc: Scenario, total: float, since_change: float) -> str:
        """The LCD's time and mark against: old (running since cycle 0 of the first board),
        new (written at most ``since_change`` ago), set-me (the build date, since a boot)."""
        shown, mark = shown_24h(clk), clk.set_me_shown()
        if shown is None:
            return "MIXED"

        def near(t: dt.datetime, lo: float, hi: float) -> bool:
            d = (shown - t).total_seconds()
            return lo - SLACK_S <= d <= hi + SLACK_S

        checks = [("old", sc.old_time(self.day), total, total),
                  ("new", sc.new_time(self.day), 0.0, since_change)]
        for name, want, lo, hi in checks:
            if want is not None and mark == want[1] and near(want[0], lo, hi):
                return name
        if mark and near(_set_me(self.day)[0], 0.0, total):
            return "set-me"
        return "MIXED"

    def _settings(self, clk: Clock, sc: Scenario) -> str:
        alarm = clk.command("ALARM").split()
        hours = clk.command("HOURS").split()
        hh, mm = alarm[2].split(":")
        got = ((int(hh), int(mm)), alarm[3] == "ON", hours[2] == "12")
        for name, want in (("old", sc.old), ("new", sc.new), ("defaults", DEFAULTS)):
            if got == want:
                return name
        return "MIXED"


def shown_24h(clk: Clock) -> dt.datetime | None:
    """The main page's date and time, 12 h display ("12:05:31P", "12:05:31 PM") converted."""
    d, t = clk.parse_date(), clk.parse_time()
    if d is None or t is None:
        return None
    h, m, sec = t
    ampm = re.match(r"^ ?\d{1,2}:\d{2}:\d{2} ?([AP])", clk.lcd()[1])
    if ampm:
        h = h % 12 + (12 if ampm[1] == "P" else 0)
    try:
        return dt.datetime.combine(d[0], dt.time(h, m, sec))
    except ValueError:
        return None


def cut_points(spans: list[tuple[int, int]], step: int | None, sample: int | None) -> list[int]:
    every = [c for lo, hi in spans for c in range(lo, hi + 1, step or 1)]
    if sample is None or sample >= len(every):
        return every
    return [every[(2 * i + 1) * len(every) // (2 * sample)] for i in range(sample)]


def sweep_table(scenarios: Sequence[Any], names: list[str] | None, models: list[str] | None,
                plan: Callable[[Any], tuple[list[int], Callable[[str, int], Any]]],
                fields: tuple[str, ...], header: str,
                row: Callable[[str, str, Counter[str], float], str],
                out: Callable[[str], None]) -> dict[tuple[str, str], Counter[str]]:
    """The loop of both sweeps (this one and powercut_drift.py's): for each scenario (only
    ``names`` when given) ``plan(sc)`` gives the cut points and ``cut(model, at)``; under each
    cut model (only ``models`` when given) every point is cut. Returns per (scenario, model)
    a Counter of 'cuts', 'FIELD:value' for each of the outcome's ``fields``, and 'MIXED';
    prints the header, ``row(...)`` per pair, and the first three MIXED outcomes of each."""
    results: dict[tuple[str, str], Counter[str]] = {}
    examples: list[str] = []
    out(header)
    for sc in scenarios:
        if names and sc.name not in names:
            continue
        points, cut = plan(sc)
        for model in POWER_CUTS:
            if models and model not in models:
                continue
            t0 = time.monotonic()
            n: Counter[str] = Counter()
            for at in points:
                o = cut(model, at)
                n["cuts"] += 1
                for field in fields:
                    n[f"{field}:{getattr(o, field)}"] += 1
                if o.mixed:
                    n["MIXED"] += 1
                    if n["MIXED"] <= 3:
                        examples.append(f"  MIXED: {sc.name} / {model} cut at cycle {at}: {o}")
            results[(sc.name, model)] = n
            out(row(sc.name, model, n, time.monotonic() - t0))
    for line in examples:
        out(line)
    return results


def run(image: Path, *, step: int | None = 2, sample: int | None = None,
        scenarios: list[str] | None = None, models: list[str] | None = None,
        out: Callable[[str], None] = print) -> dict[tuple[str, str], Counter[str]]:
    """Sweep; returns per (scenario, model) a Counter of 'time:X', 'settings:Y', 'MIXED',
    'cuts', and prints one table row per pair."""
    sweep = Sweep(image)

    def plan(sc: Scenario) -> tuple[list[int], Callable[[str, int], Outcome]]:
        spans, start = sweep.windows(sc)
        return cut_points(spans, step, sample), lambda model, at: sweep.cut(sc, model, at,
                                                                               start)

    def row(name: str, model: str, n: Counter[str], seconds: float) -> str:
        return (f"{name:15} {model:9} {n['cuts']:5}  "
                f"{n['time:old']:5} {n['time:new']:5} {n['time:set-me']:5}      "
                f"{n['settings:old']:5} {n['settings:new']:5} {n['settings:defaults']:5}   "
                f"{n['MIXED']:5}  {seconds:5.1f} s")

    return sweep_table(SCENARIOS, scenarios, models, plan, ("time", "settings"),
                       f"{'scenario':15} {'model':9} {'cuts':>5}  time old/new/set-me  "
                       f"settings old/new/defaults  MIXED  wall", row, out)


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(prog="python -m tests.firmware.powercut",
                                 description="Power-cut sweep over the DS1302 writes.")
    ap.add_argument("--drift", action="store_true",
                    help="the drift firmware's scenarios (tests/firmware/powercut_drift.py) "
                         "on reference: a step, DRIFT writes, SET, the catch-up")
    ap.add_argument("--image", type=Path,
                    help="firmware image; default: the reference build")
    grp = ap.add_mutually_exclusive_group()
    grp.add_argument("--full", action="store_true",
                     help="every 2nd cycle of every write (--drift: every instruction)")
    grp.add_argument("--step", type=int, help="cut every STEP machine cycles")
    ap.add_argument("--sample", type=int, default=8,
                    help="cut points per scenario and model without --full/--step (8)")
    ap.add_argument("--scenario", action="append", metavar="NAME",
                    help="only this scenario (repeatable): " + "; ".join(
                        [s.name for s in SCENARIOS] + ["--drift: " + ", ".join(
                            _drift().BY_NAME)]))
    ap.add_argument("--model", action="append", choices=list(POWER_CUTS))
    ap.add_argument("--off", type=float, metavar="SECONDS",
                    help="--drift: time on battery after each cut (default 0.5)")
    args = ap.parse_args(argv)
    if args.step is not None and args.step < 1:
        ap.error("--step must be at least 1")
    if args.off is not None and (not args.drift or args.off < 0):
        ap.error("--off takes a time of at least 0 s, with --drift")
    names = _drift().BY_NAME if args.drift else {s.name: s for s in SCENARIOS}
    for name in args.scenario or []:
        if name not in names:
            ap.error(f"no scenario {name!r} (choose from {', '.join(names)})")
    env = "reference"
    image = args.image or BUILD / env / "firmware.ihx"
    if not image.is_file():
        print(f"powercut: error: {image}: no firmware image (pio run -e {env})",
              file=sys.stderr)
        return 2
    t0 = time.monotonic()
    if args.drift:
        sample = None if args.full or args.step else args.sample
        res = _drift().run(image, step=args.step, sample=sample, scenarios=args.scenario,
                           models=args.model, off_s=_drift().OFF_S if args.off is None
                           else args.off)
    else:
        step = 2 if args.full else args.step
        sample = None if step else args.sample
        res = run(image, step=step or 1, sample=sample, scenarios=args.scenario,
                  models=args.model)
    mixed = sum(n["MIXED"] for n in res.values())
    cuts = sum(n["cuts"] for n in res.values())
    print(f"{cuts} cuts, {mixed} MIXED, {time.monotonic() - t0:.0f} s")
    return 1 if mixed else 0


def _drift():  # type: ignore[no-untyped-def]
    """The drift scenarios' module (it imports this one)."""
    from tests.firmware import powercut_drift
    return powercut_drift


if __name__ == "__main__":
    sys.exit(main())
