"""``clock51 sync`` that learns the clock's drift (docs/protocol.md "Drift", README).

Order of one learning sync, each step only once the one before it succeeded:

1. ``DRIFT``: the clock's ID and drift state. ``ERR unknown command``: a clock built
   without the feature; it is synced as before, its history kept under its port's name and
   its samples recorded with RATE 0 (the rate is learned, never written).
2. The history folder must be writable and the clock's history readable (a damaged file:
   one line, nothing written to the clock). A clock with no ID gets a random unused one
   (``DRIFT ID``).
3. If the clock has been synced before: the offset before the set, bracketed by timed GET
   probes (``measure_offset``), between two ``DRIFT`` reads whose STEPS must agree (a step
   during the probes would shift them by a second: measured once more, then given up).
4. The sample is appended, still unfinished, and the history saved: a sync killed from
   here on leaves a record that the next one recognises ("did not finish").
5. The aligned SET (``host.sync``). Right after its reply the learned rate is written
   (``DRIFT RATE``), so it applies from the set on, and the history saved again.
6. The residual probes; the history saved with the residual.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from host import drift as d
from host import protocol as p
from host.client import Clock
from host.errors import Clock51Error, DeviceError, ProtocolError
from host.sync import Latency, SyncResult, measure_latency, measure_offset, sync

LEARN_PROBES = 7  # GET probes before the set: a 1 s bracket halved 6 times, 15.6 ms wide
UNKNOWN_COMMAND = "unknown command"
NO_LEARN_HINT = "'clock51 sync --no-learn' syncs without learning"


@dataclass
class Learned:
    """What a learning sync found and did."""

    key: str
    path: Path
    state: p.Drift | None  # the clock's drift state before the set; None: no DRIFT
    assigned_id: str | None = None  # the ID this sync gave the clock
    sample: d.Sync | None = None
    estimate: d.Estimate | None = None
    intervals: list[d.Interval] = field(default_factory=list)
    history: d.History | None = None
    target: float | None = None  # the rate to write (ppm), clamped to the clock's range
    written: p.Drift | None = None  # the clock's state after the write
    write_error: Clock51Error | None = None
    offset_note: str = ""


def read_drift(clock: Clock) -> p.Drift | None:
    """The clock's drift state; None when its firmware has no DRIFT command."""
    try:
        return clock.drift()
    except DeviceError as exc:
        if exc.reason == UNKNOWN_COMMAND:
            return None
        raise


def _measure(clock: Clock, latency: Latency, probes: int,
             before: p.Drift | None) -> tuple[p.Drift | None, float | None, float | None, str]:
    """(drift state after, offset, its half-width, note) with no step during the probes."""
    note = ""
    for _ in range(2):
        residual = measure_offset(clock, latency, probes, thresholds=())
        after = clock.drift() if before is not None else None
        if after is not None and before is not None and after.steps != before.steps:
            note = "the clock stepped a second during the probes"
            before = after
            continue
        if not residual.half_width < 0.25:
            return after, None, None, f"offset not measured ({residual.note or 'no probes'})"
        return after, residual.estimate, residual.half_width, note and f"{note}: measured again"
    return before, None, None, f"offset not measured ({note}, twice)"


def clamp_rate(ppm: float) -> float:
    limit = p.DRIFT_RATE_MAX
    return max(-limit, min(limit, round(ppm, 2)))


def learning_sync(clock: Clock, store: d.Store, port: str, *, pings: int = 5,
                  verify: int = 4, device_delay: float = 0.0, calibrate: bool = False,
                  probes: int = LEARN_PROBES) -> tuple[SyncResult, Learned]:
    """Sync ``clock`` and learn from it (see the module doc for the order)."""
    t = clock.time
    try:
        state = read_drift(clock)
    except (DeviceError, ProtocolError) as exc:  # a clock that answers DRIFT, but not so
        exc.add_detail(NO_LEARN_HINT)
        raise
    store.check_writable()
    key = d.port_key(port) if state is None else state.id
    assigned = None
    if key is not None:
        history = store.load(key)  # a damaged file stops us here, before any write
    else:  # a clock with DRIFT but no ID yet: give it one
        assert state is not None
        key = assigned = store.unused_id()
        state = clock.set_drift_id(key)
        history = d.History(key)
    learned = Learned(key, store.path(key), state, assigned, history=history)

    latency = measure_latency(clock, int(pings))
    sample = d.Sync(time=None, drift=state is not None, rate_after=None)
    last = history.syncs[-1] if history.syncs else None
    if last is not None:
        state, offset, err, learned.offset_note = _measure(clock, latency, probes, state)
        sample.measured, sample.offset, sample.offset_err = t.wall(), offset, err
        if last.time is not None:
            sample.interval = sample.measured - last.time
    if state is not None:
        sample.rate, sample.acc, sample.steps = state.rate, state.acc, state.steps
        sample.comp, sample.k, sample.t0 = state.comp, state.k, state.t0
    history.syncs.append(sample)
    learned.sample = sample
    learned.estimate, learned.intervals = d.analyse(history)
    store.save(history)  # unfinished: a sync killed from here on is recognised as such
    if state is not None and learned.estimate is not None:
        learned.target = clamp_rate(learned.estimate.rate)

    def after_set(result: SyncResult) -> None:
        rate_after: float | None = state.rate if state is not None else 0.0
        target = learned.target
        if state is not None and target is not None \
                and p.hundredths(target) != p.hundredths(state.rate):
            try:
                learned.written = clock.set_drift_rate(target)
                rate_after = learned.written.rate
            except Clock51Error as exc:
                learned.write_error = exc
                try:
                    rate_after = clock.drift().rate
                except Clock51Error:
                    rate_after = None  # unknown: the next interval is not used
        sample.time, sample.rate_after = result.boundary, rate_after
        store.save(history)

    result = sync(clock, pings=pings, verify=verify, device_delay=device_delay,
                  calibrate=calibrate, latency=latency, after_set=after_set)
    sample.time = result.boundary
    if result.residual is not None and result.residual.half_width < 0.25:
        sample.residual = result.residual.estimate
        sample.residual_err = result.residual.half_width
    store.save(history)
    return result, learned


# ---------------------------------------------------------------- reports


def describe_interval(history: d.History, iv: d.Interval) -> str:
    s = history.syncs[iv.index]
    if iv.used and iv.rate is not None and iv.length is not None:
        return (f"interval of {d.hours(iv.length)} ending with this sync: offset "
                f"{s.offset:+.3f} s before the set, implied rate {iv.rate:+.2f} ppm "
                f"(+- {iv.sigma or 0:.2f})")
    return f"interval ending {d.local(s.measured or s.time)}: not used: {iv.reason}"


def report(learned: Learned) -> list[str]:
    """The lines ``clock51 sync`` prints about learning (every rejection one line)."""
    lines = []
    history = learned.history
    assert history is not None and learned.sample is not None
    who = f"clock {learned.key}" if learned.state is not None else \
        f"the clock on {learned.key[5:]}"
    if learned.assigned_id:
        lines.append(f"drift: this clock had no ID: it is now {learned.assigned_id}")
    lines.append(f"drift: {who}, sync {len(history.syncs)} recorded in {learned.path}")
    if learned.state is None:
        lines.append("note: this clock cannot correct itself (its firmware has no DRIFT "
                     "command): its rate is learned, not written")
    if learned.offset_note:
        lines.append(f"drift: {learned.offset_note}")
    newest = learned.intervals[-1] if learned.intervals else None
    if newest is not None and newest.index > 0:
        lines.append("drift: " + describe_interval(history, newest))
    for iv in learned.intervals[:-1]:
        if iv.reason.startswith("outlier"):
            lines.append("drift: " + describe_interval(history, iv))
    est = learned.estimate
    if est is None:
        lines.append(f"drift: no rate yet: {d.not_enough(history)}")
        return lines
    lines.append(f"drift: estimated rate {est.rate:+.2f} ppm +- {est.sigma:.2f} ppm from "
                 f"{est.count} interval(s) over {d.hours(est.span)}")
    if est.note:
        lines.append(f"drift: {est.note}")
    target, state = learned.target, learned.state
    if state is None or target is None:
        return lines
    if abs(est.rate) > p.DRIFT_RATE_MAX:
        lines.append(f"drift: the clock corrects at most {p.DRIFT_RATE_MAX:.0f} ppm: "
                     f"writing {target:+.2f}")
    if learned.written is not None:
        lines.append(f"drift: RATE {learned.written.rate:+.2f} ppm written to the clock "
                     f"(was {state.rate:+.2f})")
    elif learned.write_error is None:
        lines.append(f"drift: RATE {state.rate:+.2f} ppm in the clock already (unchanged)")
    return lines
