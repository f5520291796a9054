"""Power cuts through the drift firmware's DS1302 writes (issue 20 item 4): a correction
step at :30, a ``DRIFT RATE/K/T0/COMP`` write, a ``SET`` and the catch-up at power-up, cut
at every instruction (or every ``step`` cycles, or a sample), each followed by a reboot and
a check of the clock against the true time the DS1302 model knows.

    python -m tests.firmware.powercut --drift             # a sample of cut points
    python -m tests.firmware.powercut --drift --full      # every instruction of every window
    python -m tests.firmware.powercut --drift --step 9 --scenario "step at :30"

The board: env ``reference`` (every shipped board has the drift feature), its DS1302 crystal
``PPM`` fast at its turnover temperature in a room at that temperature, the clock told
``DRIFT RATE`` = ``PPM``: the model is exact, so whatever the clock reports is checkable.
Every scenario starts from a DS1302 state the firmware itself produced (``Bases``): the
clock at ``START`` (the true time), ALARM 06:00 ON, 12 h, ID BEEF, RATE +300.00, then

- ``step at :30``: powered up at 12:55:27 after 55 minutes on battery, ACC just under
  1 s, so that the step comes at 12:55:30; the window runs from the clock read that saw
  :30 (the step's start) to the end of its last write (the record copy, then the clock
  burst with the new generation);
- ``DRIFT RATE``, ``DRIFT K``, ``DRIFT T0``, ``DRIFT COMP``: from the clock right after
  that step (STEPS -1), the write (the fold into the older record copy; COMP also the
  settings block);
- ``SET``: the same clock set 3 days on (the burst with offset 2, the reset record, the
  day-of-week write);
- ``catch-up``: the same clock powered up after 2 days on battery (about 52 s to step at
  once: the record with the new generation, a second's edge, the clock burst).

After each cut (cut models ``sim.machine.board.POWER_CUTS``) the board is powered again
``OFF_S`` later (at once for a brown-out; ``off_s`` longer: on battery meanwhile, so that
the catch-up runs over the cut's state) and the clock must come back with

- the time: its error (the model's clock minus true time) equal to the ACC it reports,
  and ACC - STEPS (its model's drift since it was set) equal to the crystal's real drift
  since the true time was set (START, or the SET's time), both within ``TOL_S``. A second
  lost or doubled, a step done twice or not at all, breaks one of them by a second. A SET
  cut before its reset record loses the drift between the SET and the power-up (drift.h,
  documented): that much more is allowed when the clock held "set, record pending" at the
  cut;
- RATE, K, T0, COMP, ID: the old values or the new ones, never a mix;
- ALARM and HOURS: the old ones (the defaults too where the change writes the settings
  block: COMP; as in the existing sweep, a cut there may invalidate it);
- no "set me" mark.

Outcome classes per scenario: whether the change's clock write (the step's burst, the
SET's, the catch-up's) was committed before the cut ("written") or is redone or not at
all afterwards ("not yet"); the values old or new; the settings old, new or defaults.
Anything else is MIXED (the first few printed with the numbers).
"""

from __future__ import annotations

import datetime as dt
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass
from functools import cached_property
from pathlib import Path
from typing import Any

from host.protocol import decode_drift
from sim.frontends.endpoints import MemoryEndpoint
from sim.machine.board import Board
from tests.firmware.clockdriver import BUILD, CLOCK_BURST_W, Clock
from tests.firmware.powercut import MARGIN, MERGE, WriteLog, cut_points, sweep_table

ENV = "reference"
IMAGE = BUILD / ENV / "firmware.ihx"
PPM = 300.0
START = dt.datetime(2026, 1, 5, 11, 59, 55)   # the true time of the first boot
AWAY_TO_STEP_S = 3331.0     # on battery: ACC 0.9995 s at power-up 12:55:27, the step at :30
AWAY_CATCH_UP_S = 2 * 86400.0
SET_TIME = dt.datetime(2026, 1, 8, 9, 30, 0)
OFF_S = 0.5
TOL_S = 0.1                 # a step's phase is ~15 ms (drift.c STEP_LAG); a second is 1 s
RESTART_S = 4.0             # a catch-up waits up to two seconds' edges before its burst
OLD = ("+300.00", "-0.034", 25, False, "BEEF")   # RATE, K, T0, COMP, ID
SETTINGS = ("OK ALARM 06:00 ON", "OK HOURS 12")
DEFAULTS = ("OK ALARM 07:00 OFF", "OK HOURS 24")

Values = tuple[str, str, int, bool, str | None]


class CrystalClock(Clock):
    """A Clock on ``reference`` whose DS1302 crystal runs PPM fast (at 25 C, its
    turnover, in a room at 25 C: the rate is PPM exactly)."""

    def __init__(self, image: Path) -> None:
        super().__init__(ENV, image)

    def make_board(self) -> Board:
        board = Board(self.profile, self.image, endpoint=MemoryEndpoint(),
                      crystal={"ppm": PPM, "t0": 25.0, "k": -0.034})
        board.set_temperature(25.0)
        return board

    def power_up(self, state: dict[str, Any], off_s: float) -> None:
        """A new board whose DS1302 is ``state`` after ``off_s`` on battery, powered at
        cycle 0, not run yet (Clock.restart without the run)."""
        board = self.new_board()
        board.rtc.from_state(state)
        board.rtc.rebase(0, off_s)
        board.rtc.set_vcc2(True, 0)

    def ok(self, line: str) -> str:
        reply = self.command(line)
        assert reply.startswith("OK"), f"{line} -> {reply}"
        return reply


def values(reply: str) -> Values:
    """RATE, K, T0, COMP, ID of a DRIFT reply, as the reply writes them."""
    w = reply.split()
    return (w[5], w[13], int(w[15]), w[11] == "ON", None if w[3] == "NONE" else w[3])


def wday_offset(board: Board) -> int | None:
    """The DS1302's day-of-week register less the date's weekday (drift.h: 0/1 the
    generation, 2 set with the record pending, 3 "set me")."""
    now = board.rtc.datetime_at(board.cycles)
    if now is None:
        return None
    return (board.rtc.registers_at(board.cycles)[5] - now.isoweekday()) % 7


class Bases:
    """The DS1302 states the scenarios start from, each made by the firmware (once)."""

    def __init__(self, image: Path) -> None:
        self.image = image

    @cached_property
    def configured(self) -> dict[str, Any]:
        """START, settings, ID BEEF, RATE +300.00; switched off 0.5 s later."""
        clk = CrystalClock(self.image).boot(rtc=START, alarm=(6, 0), alarm_on=True,
                                            hours12=True)
        clk.ok("DRIFT ID BEEF")
        clk.ok(f"DRIFT RATE {PPM:.2f}")
        return clk.b.rtc.to_state()

    @cached_property
    def stepped(self) -> dict[str, Any]:
        """After the step at 12:55:30 (STEPS -1), switched off at about 12:55:35."""
        clk = CrystalClock(self.image)
        clk.power_up(self.configured, AWAY_TO_STEP_S)
        clk.run(8.0)
        got = clk.command("DRIFT")
        assert " STEPS -1 " in got, f"no step at 12:55:30: {got}"
        return clk.b.rtc.to_state()


@dataclass(frozen=True)
class DriftScenario:
    name: str
    base: str                               # Bases attribute
    away_s: float                           # on battery before the power-up
    line: str | None                        # the change (None: it comes by itself)
    new: Values                             # the values once the change is made
    writes_settings: bool = False           # the change writes the settings block
    lead: bool = False                      # the window starts at the clock read before


SCENARIOS = [
    DriftScenario("step at :30", "configured", AWAY_TO_STEP_S, None, OLD, lead=True),
    DriftScenario("DRIFT RATE", "stepped", 2.0, "DRIFT RATE 297.50",
                  ("+297.50", *OLD[1:])),
    DriftScenario("DRIFT K", "stepped", 2.0, "DRIFT K 0.05", ("+300.00", "+0.050", *OLD[2:])),
    DriftScenario("DRIFT T0", "stepped", 2.0, "DRIFT T0 31", (*OLD[:2], 31, *OLD[3:])),
    DriftScenario("DRIFT COMP", "stepped", 2.0, "DRIFT COMP ON",
                  (*OLD[:3], True, OLD[4]), writes_settings=True),
    DriftScenario("SET", "stepped", 2.0, f"SET {SET_TIME:%Y-%m-%d %H:%M:%S}", OLD),
    DriftScenario("catch-up", "stepped", AWAY_CATCH_UP_S, None, OLD),
]
BY_NAME = {s.name: s for s in SCENARIOS}


@dataclass
class Outcome:
    clock: str          # "written" / "not yet": the change's clock write before the cut
    values: str         # old / new / MIXED
    settings: str       # old / new / defaults / MIXED
    time: str           # "ok" or what is wrong, with the numbers

    @property
    def mixed(self) -> bool:
        return self.time != "ok" or "MIXED" in (self.values, self.settings)


class DriftSweep:
    def __init__(self, image: Path, off_s: float = OFF_S) -> None:
        self.bases = Bases(image)
        self.image = image
        self.off_s = off_s

    def _prepare(self, sc: DriftScenario) -> tuple[CrystalClock, int]:
        """The clock powered up from the scenario's base, the change started
        (deterministic: same cycles every time); and the cycle the change starts at."""
        clk = CrystalClock(self.image)
        clk.power_up(getattr(self.bases, sc.base), sc.away_s)
        if sc.name == "catch-up":
            return clk, 0                   # the power-up is the change
        assert clk.run_until(clk._started, RESTART_S), f"{sc.name}: no boot"
        if sc.line is not None:
            clk.run(0.2)
            clk.take_received()
            clk.send_line(sc.line)
        return clk, clk.cycles

    def windows(self, sc: DriftScenario, lead: bool = True) -> tuple[list[tuple[int, int]], int]:
        """Cycle ranges to cut in (the change's DS1302 writes, each widened by MARGIN,
        merged when closer than MERGE; with ``lead`` and a scenario that has one, the first
        from the CE fall of the clock read before it), and the change's start cycle."""
        clk, start = self._prepare(sc)
        log = WriteLog(clk)
        clk.run(4.0)
        spans: list[tuple[int, int]] = []
        for rise, fall, _cmd in log.writes:
            lo, hi = rise - MARGIN, fall + MARGIN
            if spans and lo - spans[-1][1] < MERGE:
                spans[-1] = (spans[-1][0], hi)
            else:
                spans.append((max(start, lo), hi))
        assert spans, f"{sc.name}: no DS1302 write seen"
        if lead and sc.lead:
            before = [fall for _rise, fall, _cmd in log.clock_reads if fall < spans[0][0]]
            spans[0] = (before[-1], spans[0][1])
        return spans, start

    def instructions(self, sc: DriftScenario, spans: list[tuple[int, int]]) -> list[int]:
        """Every instruction boundary in ``spans`` (the CPU stepped through them)."""
        clk, _start = self._prepare(sc)
        b = clk.b
        b.uart.poll(b.cycles)
        points: list[int] = []
        for lo, hi in spans:
            b.run_until(lo)
            while b.cycles <= hi:
                points.append(b.cycles)
                b.run_until(b.cycles + 1)
        return points

    def cut(self, sc: DriftScenario, model: str, at: int) -> Outcome:
        clk, start = self._prepare(sc)
        b = clk.b
        b.uart.poll(b.cycles)
        b.run_until(at)
        b.power_cut(model)
        written = any(cyc >= start and cmd == CLOCK_BURST_W for cyc, cmd, _ in clk.write_log)
        pending = wday_offset(b) == 2
        off = 0.0 if model == "brownout" else self.off_s
        if not clk.restart(b.rtc.to_state(), off, RESTART_S):
            return Outcome("written" if written else "not yet", "MIXED", "MIXED",
                           f"no restart: {clk.lcd()}")
        clk.run(0.1)
        return self._check(clk, sc, "written" if written else "not yet", pending)

    def _check(self, clk: CrystalClock, sc: DriftScenario, written: str,
               pending: bool) -> Outcome:
        reply = clk.command("DRIFT")
        d = decode_drift(reply[3:])
        got = values(reply)
        vals = "old" if got == OLD else "new" if got == sc.new else "MIXED"
        sets = (clk.command("ALARM"), clk.command("HOURS"))
        settings = ("old" if sets == SETTINGS
                    else "defaults" if sets == DEFAULTS and sc.writes_settings else "MIXED")
        b = clk.b
        off = b.rtc.offset_at(b.cycles)
        true_now = b.rtc.true_datetime_at(b.cycles)
        if off is None or true_now is None:
            return Outcome(written, vals, settings, "the DS1302 stopped or lost its time")
        # the true time was set at START, or by the SET (to SET_TIME) when the SET held
        base = SET_TIME if SET_TIME <= true_now < SET_TIME + dt.timedelta(hours=1) else START
        drift = PPM * 1e-6 * (true_now - base).total_seconds()
        slack = TOL_S + (drift if pending and base == SET_TIME else 0.0)
        problems = []
        if abs(off - d.acc) > slack:
            problems.append(f"clock error {off:+.3f} s but ACC {d.acc:+.3f}")
        if abs(d.acc - d.steps - drift) > slack:
            problems.append(f"ACC - STEPS {d.acc - d.steps:+.3f} s but the crystal drifted "
                            f"{drift:+.3f} since {base:%m-%d %H:%M:%S}")
        if clk.set_me_shown():
            problems.append("the set-me mark")
        return Outcome(written, vals, settings, "; ".join(problems) or "ok")


def points_for(sweep: DriftSweep, sc: DriftScenario, step: int | None,
               sample: int | None) -> list[int]:
    """Every instruction (step None, sample None), every ``step`` cycles, or ``sample``
    points spread over the writes (without the lead)."""
    spans, _start = sweep.windows(sc, lead=sample is None)
    if step is None and sample is None:
        return sweep.instructions(sc, spans)
    return cut_points(spans, step or 1, sample)


def run(image: Path, *, step: int | None = None, sample: int | None = None,
        scenarios: list[str] | None = None, models: list[str] | None = None,
        off_s: float = OFF_S, out: Callable[[str], None] = print
        ) -> dict[tuple[str, str], Counter[str]]:
    """Sweep; per (scenario, model) a Counter of 'clock:X', 'values:Y', 'settings:Z',
    'MIXED', 'cuts'; one table row per pair printed."""
    sweep = DriftSweep(image, off_s)

    def plan(sc: DriftScenario) -> tuple[list[int], Callable[[str, int], Outcome]]:
        return points_for(sweep, sc, step, sample), lambda model, at: sweep.cut(sc, model, at)

    def row(name: str, model: str, n: Counter[str], seconds: float) -> str:
        return (f"{name:12} {model:9} {n['cuts']:5}  "
                f"{n['clock:written']:7} {n['clock:not yet']:7}        "
                f"{n['values:old']:5} {n['values:new']:5}   "
                f"{n['settings:old']:5} {n['settings:defaults']:5}       "
                f"{n['MIXED']:5}  {seconds:5.1f} s")

    return sweep_table(SCENARIOS, scenarios, models, plan, ("clock", "values", "settings"),
                       f"{'scenario':12} {'model':9} {'cuts':>5}  clock written/not-yet  "
                       f"values old/new  settings old/defaults  MIXED  wall", row, out)
