"""Learned drift: the history of syncs of each clock and the crystal rate it implies.

Pure: no I/O but the history file. ``host/learn.py`` talks to the clock and calls this.

Conventions (docs/protocol.md, "Drift"): offset = clock time - true time, in seconds; a
crystal running fast makes it grow; rates in ppm, positive = fast. The clock removes the
RATE it holds: ACC is the predicted error not yet stepped, STEPS the net whole seconds it
stepped since the last SET, so ACC - STEPS is its model's predicted drift since that SET.

One sync i (``Sync``): before setting, the clock's state (RATE_i, ACC_i, STEPS_i) and its
measured offset d_i; then the SET at time T_i and the residual r_i after it. Interval i runs
from the SET of sync i-1 to the measurement of sync i (length dt_i). What the clock showed
is d_i = r_{i-1} + (true drift) + STEPS_i, and its model predicted ACC_i - STEPS_i, so the
crystal's base rate over the interval is

    b_i = ( d_i - r_{i-1} - ACC_i + integral of RATE dt ) / dt_i

which is the design's RATE_i + (d_i - r_{i-1} - ACC_i) / dt_i when RATE stayed the same,
and stays right across rate changes made by ``clock51 drift rate`` (recorded in the history
as ``changes``). With temperature compensation the model's temperature part is in ACC, so
b_i is the rate at T0, the one the clock holds in RATE.

Rules (each rejection gives one reason): no interval before the first sync; an interval
whose start is unknown (the previous sync did not finish, the rate in force is unknown, the
clock's RATE was changed by something else, the clock was set in between) is dropped; an
interval shorter than 4 h is "too soon"; |b_i| > 500 ppm is "beyond the plausible bound";
intervals ending more than 90 days before the newest are outside the window. The estimate:
the weighted median of b_i (weights dt_i), then, with 3 or more intervals, those further from
it than 4 sigma are outliers (sigma: the interval's measurement noise with 1 ppm added in
quadrature for the crystal's own wander), then the weighted mean of the rest. Its
uncertainty: the larger of the measurement noise propagated through that mean and the
standard error of the scatter.
"""

from __future__ import annotations

import contextlib
import json
import math
import os
import re
import secrets
import tempfile
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from host.errors import HistoryError

FORMAT = "clock51 drift history"
VERSION = 1
MIN_INTERVAL = 4 * 3600.0  # s: a shorter interval gives no sample
PLAUSIBLE_PPM = 500.0  # |rate| beyond this is not a crystal's drift
OUTLIER_SIGMAS = 4.0
WANDER_PPM = 1.0  # allowed for the crystal's own wander (temperature, ageing) in that test
OUTLIER_MIN = 3  # intervals needed before any is called an outlier
WINDOW = 90 * 86400.0  # s: intervals ending longer before the newest are not used
RESIDUAL_UNKNOWN = 0.010  # s: a sync not verified counts as right within this
ACC_STEP = 0.001  # s: ACC is reported to 1 ms
SET_CHECK = (0.05, 0.5)  # s, ppm: the model may miss this much of RATE x dt before the
#                           interval counts as broken by a SET nobody recorded
HOUR = 3600.0
DAY = 86400.0


# ---------------------------------------------------------------- the history


@dataclass
class Sync:
    """One sync of one clock. Times are PC wall time (epoch seconds); None: not known."""

    time: float | None  # the second the clock was set to; None: the sync did not finish
    measured: float | None = None  # when ``offset`` was measured
    offset: float | None = None  # clock - PC before the set (s); None on a first sync
    offset_err: float | None = None  # half-width of its bracket (s)
    residual: float | None = None  # clock - PC just after the set (s); None: not verified
    residual_err: float | None = None
    drift: bool = False  # the clock answers DRIFT (else RATE, ACC, STEPS are 0)
    rate: float = 0.0  # RATE read before the set (ppm)
    acc: float = 0.0  # ACC read before the set (s)
    steps: int = 0  # STEPS read before the set
    comp: bool = False  # temperature compensation, as read before the set
    k: float | None = None
    t0: int | None = None
    interval: float | None = None  # s from the previous sync's set to ``measured``
    rate_after: float | None = 0.0  # RATE in force after the sync; None: unknown


@dataclass
class Change:
    """A manual write of RATE or COMP (``clock51 drift rate/comp``) between two syncs."""

    time: float
    rate: float  # RATE in force after it
    comp: bool  # COMP after it


@dataclass
class History:
    """Everything recorded about one clock, keyed by its ID (or its port, without DRIFT)."""

    key: str
    syncs: list[Sync] = field(default_factory=list)
    changes: list[Change] = field(default_factory=list)

    def last_set(self) -> Sync | None:
        """The newest sync that set the clock (the start of the open interval)."""
        return self.syncs[-1] if self.syncs and self.syncs[-1].time is not None else None


# ---------------------------------------------------------------- where histories live


def default_dir(environ: dict[str, str] | None = None) -> Path:
    """``$XDG_STATE_HOME/clock51/drift`` (``~/.local/state/clock51/drift`` by default)."""
    env = os.environ if environ is None else environ
    state = env.get("XDG_STATE_HOME", "")
    if not os.path.isabs(state):  # the XDG spec: a relative path is ignored
        home = env.get("HOME", "")
        if not home:
            try:
                home = str(Path.home())
            except (KeyError, RuntimeError):
                raise HistoryError("no state directory for the drift history: set "
                                   "XDG_STATE_HOME or HOME, or give --history-dir") from None
        state = os.path.join(home, ".local", "state")
    return Path(state) / "clock51" / "drift"


def port_key(port: str) -> str:
    """The history key of a clock without DRIFT (it has no ID): the port it is on."""
    return f"port:{port}"


def file_name(key: str) -> str:
    """``3F2A.json``; ``port-dev_ttyUSB0.json`` for ``port:/dev/ttyUSB0``."""
    if key.startswith("port:"):
        slug = re.sub(r"[^A-Za-z0-9.-]+", "_", key[5:]).strip("_.") or "port"
        return f"port-{slug}.json"
    return f"{key}.json"


# ---------------------------------------------------------------- the file format


def _iso(epoch: float | None) -> str | None:
    if epoch is None:
        return None
    return datetime.fromtimestamp(epoch, UTC).isoformat(timespec="milliseconds")


def _us(seconds: float | None) -> float | None:
    return None if seconds is None else round(seconds, 6)


def to_json(history: History) -> dict[str, Any]:
    def sync(s: Sync) -> dict[str, Any]:
        return {"time": _iso(s.time), "measured": _iso(s.measured), "offset": _us(s.offset),
                "offset_err": _us(s.offset_err), "residual": _us(s.residual),
                "residual_err": _us(s.residual_err), "drift": s.drift, "rate": s.rate,
                "acc": s.acc, "steps": s.steps, "comp": s.comp, "k": s.k, "t0": s.t0,
                "interval": _us(s.interval), "rate_after": s.rate_after}

    return {"format": FORMAT, "version": VERSION, "clock": history.key,
            "syncs": [sync(s) for s in history.syncs],
            "changes": [{"time": _iso(c.time), "rate": c.rate, "comp": c.comp}
                        for c in history.changes]}


class _Reader:
    """Reads one JSON document field by field; any problem is ``file: field: what``."""

    def __init__(self, path: Path) -> None:
        self.path = path

    def fail(self, where: str, what: str) -> HistoryError:
        return HistoryError(f"drift history {self.path}: {where}: {what} (file left as it "
                            "is; move it away to start a new history)")

    def get(self, obj: dict[str, Any], name: str, where: str, check: Callable[[Any], bool],
            expected: str, *, optional: bool = False) -> Any:
        here = f"{where}.{name}" if where else name
        if name not in obj:
            raise self.fail(here, "missing")
        value = obj[name]
        if value is None and optional:
            return None
        if not check(value):
            raise self.fail(here, f"expected {expected}, found {json.dumps(value)[:40]}")
        return value

    def number(self, obj: dict[str, Any], name: str, where: str, limit: float,
               optional: bool = False) -> float | None:
        value = self.get(obj, name, where, lambda v: _is_number(v) and abs(v) <= limit,
                         f"a number within +-{limit:g}", optional=optional)
        return None if value is None else float(value)

    def time(self, obj: dict[str, Any], name: str, where: str,
             optional: bool = False) -> float | None:
        value = self.get(obj, name, where, lambda v: isinstance(v, str),
                         "an ISO 8601 time with its UTC offset", optional=optional)
        if value is None:
            return None
        try:
            when = datetime.fromisoformat(value)
        except ValueError:
            when = None
        if when is None or when.tzinfo is None:
            raise self.fail(f"{where}.{name}", f"expected an ISO 8601 time with its UTC "
                            f"offset, found {json.dumps(value)[:40]}")
        return when.timestamp()


def _is_number(value: Any) -> bool:
    return (isinstance(value, int | float) and not isinstance(value, bool)
            and math.isfinite(value))


def _is_int(value: Any) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


def from_json(doc: Any, path: Path, key: str) -> History:
    """The history in ``doc`` (read from ``path``), checked field by field."""
    r = _Reader(path)
    if not isinstance(doc, dict):
        raise r.fail("(top level)", "expected an object")
    r.get(doc, "format", "", lambda v: v == FORMAT, json.dumps(FORMAT))
    version = r.get(doc, "version", "", _is_int, "a whole number")
    if version != VERSION:
        raise r.fail("version", f"{version} is not the version this clock51 reads ({VERSION})")
    r.get(doc, "clock", "", lambda v: v == key, f"this clock's key {json.dumps(key)}")
    syncs_raw = r.get(doc, "syncs", "", lambda v: isinstance(v, list), "a list")
    changes_raw = r.get(doc, "changes", "", lambda v: isinstance(v, list), "a list")
    syncs = []
    for i, raw in enumerate(syncs_raw):
        where = f"syncs[{i}]"
        if not isinstance(raw, dict):
            raise r.fail(where, "expected an object")
        syncs.append(Sync(
            time=r.time(raw, "time", where, optional=True),
            measured=r.time(raw, "measured", where, optional=True),
            offset=r.number(raw, "offset", where, 1e9, optional=True),
            offset_err=r.number(raw, "offset_err", where, 1e3, optional=True),
            residual=r.number(raw, "residual", where, 1e9, optional=True),
            residual_err=r.number(raw, "residual_err", where, 1e3, optional=True),
            drift=r.get(raw, "drift", where, lambda v: isinstance(v, bool), "true or false"),
            rate=r.number(raw, "rate", where, 300.0) or 0.0,
            acc=r.number(raw, "acc", where, 2.0) or 0.0,
            steps=r.get(raw, "steps", where, lambda v: _is_int(v) and abs(v) <= 32767,
                        "a whole number within +-32767"),
            comp=r.get(raw, "comp", where, lambda v: isinstance(v, bool), "true or false"),
            k=r.number(raw, "k", where, 0.127, optional=True),
            t0=r.get(raw, "t0", where, lambda v: _is_int(v) and 0 <= v <= 63,
                     "a whole number 0-63", optional=True),
            interval=r.number(raw, "interval", where, 1e10, optional=True),
            rate_after=r.number(raw, "rate_after", where, 300.0, optional=True),
        ))
    changes = []
    for i, raw in enumerate(changes_raw):
        where = f"changes[{i}]"
        if not isinstance(raw, dict):
            raise r.fail(where, "expected an object")
        when = r.time(raw, "time", where)
        assert when is not None
        changes.append(Change(when, r.number(raw, "rate", where, 300.0) or 0.0,
                              r.get(raw, "comp", where, lambda v: isinstance(v, bool),
                                    "true or false")))
    return History(key, syncs, changes)


class Store:
    """The folder of history files, one per clock; each written atomically."""

    def __init__(self, directory: Path | str) -> None:
        self.directory = Path(directory)

    def path(self, key: str) -> Path:
        return self.directory / file_name(key)

    def load(self, key: str) -> History:
        """The clock's history; an empty one when it has none yet. HistoryError if damaged."""
        path = self.path(key)
        try:
            raw = path.read_bytes()
        except FileNotFoundError:
            return History(key)
        except OSError as exc:
            raise HistoryError(f"cannot read the drift history {path}: "
                               f"{exc.strerror or exc}") from None
        try:
            doc = json.loads(raw.decode("utf-8"))
        except UnicodeDecodeError:
            raise _Reader(path).fail("(file)", "not UTF-8 text") from None
        except json.JSONDecodeError as exc:
            raise _Reader(path).fail("(file)", f"not JSON (line {exc.lineno} column "
                                     f"{exc.colno}: {exc.msg})") from None
        return from_json(doc, path, key)

    def save(self, history: History) -> Path:
        """Write the history atomically: a temporary file in the same folder, fsync, rename."""
        path = self.path(history.key)
        text = json.dumps(to_json(history), indent=1) + "\n"
        try:
            self.directory.mkdir(parents=True, exist_ok=True)
            fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp",
                                       dir=self.directory)
            try:
                with os.fdopen(fd, "w", encoding="utf-8") as out:
                    out.write(text)
                    out.flush()
                    os.fsync(out.fileno())
                os.replace(tmp, path)
            except BaseException:
                with contextlib.suppress(OSError):
                    os.unlink(tmp)
                raise
            _fsync_dir(self.directory)
        except OSError as exc:
            raise HistoryError(f"cannot write the drift history {path}: "
                               f"{exc.strerror or exc} (the file is left as it was)") from None
        return path

    def check_writable(self) -> None:
        """HistoryError now, before the clock is touched, if no history can be written."""
        try:
            self.directory.mkdir(parents=True, exist_ok=True)
            fd, tmp = tempfile.mkstemp(prefix=".probe.", suffix=".tmp", dir=self.directory)
            os.close(fd)
            os.unlink(tmp)
        except OSError as exc:
            raise HistoryError(f"cannot write drift histories in {self.directory}: "
                               f"{exc.strerror or exc}") from None

    def unused_id(self, draw: Callable[[], int] | None = None) -> str:
        """A random clock ID (0001-FFFE) that no history in this folder uses yet."""
        draw = draw or (lambda: 1 + secrets.randbelow(0xFFFE))
        for _ in range(1000):
            ident = f"{draw():04X}"
            if ident not in ("0000", "FFFF") and not self.path(ident).exists():
                return ident
        raise HistoryError(f"no unused clock ID left in {self.directory}")


def _fsync_dir(directory: Path) -> None:
    """Make the rename itself durable (best effort: not every system can open a folder)."""
    try:
        fd = os.open(directory, os.O_RDONLY)
    except OSError:
        return
    try:
        os.fsync(fd)
    except OSError:
        pass
    finally:
        os.close(fd)


# ---------------------------------------------------------------- the rate in force


@dataclass(frozen=True)
class Timeline:
    """RATE and COMP in force from a sync's set on, with the manual changes after it."""

    start: float
    points: tuple[tuple[float, float, bool], ...]  # (from, rate, comp), first at ``start``

    @classmethod
    def after(cls, sync: Sync, changes: Iterable[Change], until: float) -> Timeline:
        assert sync.time is not None and sync.rate_after is not None
        points = [(sync.time, sync.rate_after, sync.comp)]
        for c in sorted(changes, key=lambda c: c.time):
            if sync.time < c.time < until:
                points.append((c.time, c.rate, c.comp))
        return cls(sync.time, tuple(points))

    def rate_integral(self, end: float) -> float:
        """Seconds of drift the RATE in force predicts from ``start`` to ``end``."""
        total = 0.0
        for i, (since, rate, _) in enumerate(self.points):
            upto = self.points[i + 1][0] if i + 1 < len(self.points) else end
            total += rate * 1e-6 * max(0.0, min(upto, end) - since)
        return total

    @property
    def rate(self) -> float:
        return self.points[-1][1]

    @property
    def comp_ever(self) -> bool:
        return any(comp for _, _, comp in self.points)


# ---------------------------------------------------------------- intervals and estimate


@dataclass(frozen=True)
class Interval:
    """What one sync says about the rate: the interval that ends at its measurement."""

    index: int  # of the sync in History.syncs
    length: float | None = None  # s
    rate: float | None = None  # implied base rate (ppm)
    sigma: float | None = None  # its measurement noise (ppm)
    used: bool = False
    reason: str = ""  # why it is not used


def hours(seconds: float) -> str:
    """A duration as shown: ``5.2 h``, or ``3.0 d`` from two days on."""
    return f"{seconds / DAY:.1f} d" if seconds >= 2 * DAY else f"{seconds / HOUR:.1f} h"


def local(epoch: float | None) -> str:
    """A PC time as shown: local ``YYYY-MM-DD HH:MM``."""
    return "-" if epoch is None else datetime.fromtimestamp(epoch).strftime("%Y-%m-%d %H:%M")


def interval(history: History, index: int) -> Interval:
    """The interval that sync ``index`` ends, with its implied rate or why it has none."""
    s = history.syncs[index]
    if index == 0:
        return Interval(index, reason="first sync: it starts the first interval")
    prev = history.syncs[index - 1]
    if prev.time is None:
        return Interval(index, reason="the previous sync did not finish (the clock may or "
                                      "may not have been set then)")
    if s.offset is None or s.measured is None:
        return Interval(index, reason="the offset before this sync was not measured")
    if prev.rate_after is None:
        return Interval(index, reason="the RATE in force after the previous sync is unknown")
    length = s.measured - prev.time
    if length < MIN_INTERVAL:
        return Interval(index, length, reason=f"too soon after the previous sync "
                                              f"({hours(length)} < 4 h)")
    if s.drift != prev.drift:
        return Interval(index, length, reason="the clock's firmware changed (DRIFT answered "
                                              "at one sync, not at the other)")
    line = Timeline.after(prev, history.changes, s.measured)
    if round(line.rate * 100) != round(s.rate * 100):
        return Interval(index, length, reason=f"the clock's RATE was changed outside clock51 "
                                              f"(expected {line.rate:+.2f}, read {s.rate:+.2f})")
    modelled = line.rate_integral(s.measured)
    missing = s.acc - s.steps - modelled
    if not (line.comp_ever or s.comp) and \
            abs(missing) > SET_CHECK[0] + SET_CHECK[1] * 1e-6 * length:
        return Interval(index, length, reason=f"the clock was set since the previous sync (its "
                                              f"model holds {s.acc - s.steps:+.3f} s of drift, "
                                              f"RATE x time is {modelled:+.3f} s: a set, a key "
                                              "edit or a sync --no-learn)")
    r_prev = prev.residual if prev.residual is not None else 0.0
    r_err = prev.residual_err if prev.residual is not None and prev.residual_err is not None \
        else RESIDUAL_UNKNOWN
    model_error = s.offset - r_prev - s.acc
    rate = (model_error + modelled) / length * 1e6
    d_err = s.offset_err if s.offset_err is not None else RESIDUAL_UNKNOWN
    sigma = math.sqrt(d_err ** 2 + r_err ** 2 + (ACC_STEP / 2) ** 2) / math.sqrt(3) \
        / length * 1e6
    if abs(rate) > PLAUSIBLE_PPM:
        hint = ""
        whole = round(model_error / HOUR)
        if whole and abs(model_error - whole * HOUR) < 120:
            hint = f"; the PC's local time moved by {whole:+d} h (daylight saving time?)"
        return Interval(index, length, rate, sigma, reason=f"beyond the plausible bound "
                                                           f"({rate:+.1f} ppm, |rate| > "
                                                           f"{PLAUSIBLE_PPM:.0f} ppm{hint})")
    return Interval(index, length, rate, sigma, used=True)


@dataclass(frozen=True)
class Estimate:
    rate: float  # ppm
    sigma: float  # ppm
    count: int  # intervals used
    span: float  # s they cover
    note: str = ""


def weighted_median(pairs: list[tuple[float, float]]) -> float:
    """The median of values weighted by weights: [(value, weight)], weights > 0."""
    ordered = sorted(pairs)
    total = sum(w for _, w in ordered)
    cumulative = 0.0
    for i, (value, weight) in enumerate(ordered):
        cumulative += weight
        if math.isclose(cumulative, total / 2, rel_tol=1e-12) and i + 1 < len(ordered):
            return (value + ordered[i + 1][0]) / 2
        if cumulative > total / 2:
            return value
    return ordered[-1][0]


def estimate(intervals: list[Interval]) -> tuple[Estimate | None, list[Interval]]:
    """The robust rate estimate from the usable intervals, and the intervals with the
    outliers marked. None: no usable interval."""
    result = list(intervals)
    usable = [(n, iv.rate, iv.sigma, iv.length) for n, iv in enumerate(intervals)
              if iv.used and iv.rate is not None and iv.sigma is not None
              and iv.length is not None]
    if not usable:
        return None, result
    median = weighted_median([(rate, length) for _, rate, _, length in usable])
    kept: list[tuple[float, float, float]] = []  # (rate, sigma, length)
    for n, rate, sigma, length in usable:
        limit = OUTLIER_SIGMAS * math.hypot(sigma, WANDER_PPM)
        if len(usable) >= OUTLIER_MIN and abs(rate - median) > limit:
            result[n] = replace(result[n], used=False, reason=(
                f"outlier: {rate - median:+.2f} ppm from the median {median:+.2f} ppm (more "
                f"than {OUTLIER_SIGMAS:g} sigma = {limit:.2f} ppm)"))
        else:
            kept.append((rate, sigma, length))
    total = sum(length for _, _, length in kept)
    mean = sum(rate * length for rate, _, length in kept) / total
    noise = math.sqrt(sum((length * sigma) ** 2 for _, sigma, length in kept)) / total
    spread = 0.0
    n_eff = total ** 2 / sum(length ** 2 for _, _, length in kept)
    if len(kept) >= 2 and n_eff > 1:
        var = sum(length * (rate - mean) ** 2 for rate, _, length in kept) / total
        spread = math.sqrt(var / (n_eff - 1))
    note = ""
    if len(kept) == 2:
        (ra, sa, _), (rb, sb, _) = kept
        if abs(ra - rb) > OUTLIER_SIGMAS * math.sqrt(sa ** 2 + sb ** 2 + 2 * WANDER_PPM ** 2):
            note = (f"the two intervals disagree ({ra:+.2f} and {rb:+.2f} ppm): a third sync "
                    "at least 4 h later tells which to trust")
    return Estimate(mean, max(noise, spread), len(kept), total, note), result


def analyse(history: History) -> tuple[Estimate | None, list[Interval]]:
    """Every sync's interval (used or why not) and the estimate from the used ones."""
    intervals = [interval(history, i) for i in range(len(history.syncs))]
    ends = [history.syncs[iv.index].measured for iv in intervals if iv.used]
    if ends:
        newest = max(e for e in ends if e is not None)
        for n, iv in enumerate(intervals):
            end = history.syncs[iv.index].measured
            if iv.used and end is not None and end < newest - WINDOW:
                intervals[n] = replace(iv, used=False, reason=f"older than the "
                                       f"{WINDOW / DAY:.0f}-day window")
    return estimate(intervals)


def not_enough(history: History) -> str:
    """Why there is no estimate yet, in one line."""
    if len(history.syncs) <= 1:
        return "need a second sync at least 4 h after the first"
    return "no usable interval yet: need a sync at least 4 h after a completed one"


# ---------------------------------------------------------------- predictions and plot data


@dataclass(frozen=True)
class Prediction:
    error: float  # s: predicted clock - true time now (the model's part; ACC comes on top)
    sigma: float  # s
    since: float  # s since the last set
    rate_now: float  # the RATE in force now


def predict(history: History, est: Estimate, now: float,
            rate_in_clock: float | None = None) -> Prediction | None:
    """The clock's predicted error now: est x time since the last set minus what its RATE
    removed (with manual changes), plus the residual that set left. None: never set."""
    last = history.last_set()
    if last is None or last.time is None:
        return None
    since = max(0.0, now - last.time)
    base = last if last.rate_after is not None else replace(
        last, rate_after=rate_in_clock if rate_in_clock is not None else 0.0)
    line = Timeline.after(base, history.changes, now)
    removed = line.rate_integral(now)
    residual = last.residual or 0.0
    error = residual + est.rate * 1e-6 * since - removed
    rate_now = line.rate if rate_in_clock is None else rate_in_clock
    return Prediction(error, est.sigma * 1e-6 * since, since, rate_now)


@dataclass(frozen=True)
class PlotPoint:
    time: float  # PC wall time of the measurement
    free: float  # s the crystal alone would have gained since the first sync
    used: bool


def free_running(history: History, intervals: list[Interval],
                 est: Estimate | None) -> list[PlotPoint]:
    """The offset the crystal alone would have built up since the first sync, at each sync:
    the sum of each interval's base drift (b_i x dt_i); an interval with no rate adds the
    estimate's drift instead (its point, where it has a rate, is drawn as rejected)."""
    points: list[PlotPoint] = []
    if not history.syncs or history.syncs[0].time is None:
        return points
    total = 0.0
    points.append(PlotPoint(history.syncs[0].time, 0.0, True))
    for iv in intervals[1:]:
        s = history.syncs[iv.index]
        if iv.length is None or s.measured is None:
            continue
        fallback = (est.rate if est is not None else 0.0) * 1e-6 * iv.length
        mine = iv.rate * 1e-6 * iv.length if iv.rate is not None else None
        if mine is not None:
            points.append(PlotPoint(s.measured, total + mine, iv.used))
        total += mine if iv.used and mine is not None else fallback
    return points

