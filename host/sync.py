"""``clock51 sync``: set the clock to the PC's local time, aligned to the second.

The firmware writes the DS1302 seconds register (restarting its divider chain) within
2 ms of a SET line's last byte. So the SET line for second boundary B is sent early, all
but its final LF, and the LF is written at the instant that makes it *arrive* at B:

    arrival of the LF = write() of the LF + one frame (10 bits / baud) + one-way latency
    write the LF at     B - frame - latency - device_delay

where ``device_delay`` is the firmware's own delay before the register write: documented
as 0-2 ms and not measurable from outside, so it defaults to 0 (the clock then ends up at
most 2 ms behind); pass 0.001 to aim at the middle of that window.

Latency model, from a few PINGs: round trip = out + request bytes on the wire + clock
turnaround + reply bytes on the wire + back, so

    one-way = (fastest round trip - (request + reply bytes) x frame) / 2

(the clock's turnaround is folded in: it can only make the estimate a little long). The
fastest round trip, not the median: delays (a busy PC, a busy simulator, USB polling) only
ever add to a round trip, so the fastest one is the closest to the link itself (NTP's
minimum-delay rule). On the reference firmware the PING turnaround (~0.67 ms from the LF
to the reply's start bit, plus ~36 us between reply bytes, ~1.1 ms in all) lengthens the
estimate by ~0.5 ms, and the SET's register write ~0.9 ms after the LF (device_delay 0)
puts the clock ~0.9 ms behind: net ~0.4 ms behind, well inside the 10 ms target
(tests/e2e/test_sync_accuracy.py measures it against the simulator's DS1302 model).

Residual (``verify`` probes): each probe is one GET whose LF is timed, with the same model,
to arrive at the PC instant N + x near a second boundary N. The clock answers the whole
second c it showed then, so its offset d (clock minus PC) lies in [c - (N + x), that + 1).
Probes at x = -10 ms and +10 ms bracket |d| < 10 ms in one second; each further probe
halves the bracket (bisection). HONEST LIMIT: the probes use the same latency model as the
SET, so a systematic latency error cancels out and is invisible here; what the residual
does show is scheduling error (sleep jitter, a late write), the clock's own SET/GET timing
and latency jitter. A true check needs an outside reference (the simulator's DS1302 phase).
"""

from __future__ import annotations

import contextlib
import logging
import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace
from datetime import datetime

from host import protocol as p
from host.client import Clock
from host.errors import Clock51Error, LateWrite, NoAnswer
from host.timesource import wall_to_mono

log = logging.getLogger("clock51")

DEVICE_DELAY = 0.0  # firmware: register written 0-2 ms after the LF (not compensated)
MARGIN = 0.1  # seconds between the SET prefix leaving and the final byte
LATE_LIMIT = 0.002  # a final byte this late is not sent: the line is voided and retried
THRESHOLDS = (0.010, -0.010)  # first verify probes: is |offset| < 10 ms?
PONG_REPLY_BYTES = len(b"OK PONG#CCCC\r\n")


@dataclass(frozen=True)
class Latency:
    one_way: float  # seconds, estimated
    round_trips: tuple[float, ...]
    frame: float  # seconds per byte on the wire


@dataclass(frozen=True)
class Residual:
    """Clock-minus-PC offset bracket [low, high) in seconds, from ``probes`` timed GETs."""

    low: float
    high: float
    probes: int
    note: str = ""

    @property
    def estimate(self) -> float:
        return (self.low + self.high) / 2

    @property
    def half_width(self) -> float:
        return (self.high - self.low) / 2

    def __str__(self) -> str:
        if not self.half_width < 0.25:
            return f"not determined ({self.note or 'no probes'})"
        text = (f"{self.estimate * 1000:+.1f} ms (+/- {self.half_width * 1000:.1f} ms, "
                f"{self.probes} GET probes; same latency model as the SET)")
        return text + (f"; {self.note}" if self.note else "")


@dataclass(frozen=True)
class SyncResult:
    clock: p.ClockTime  # what the clock answered to the SET
    boundary: float  # the PC wall time (epoch seconds) the SET was aimed at
    latency: Latency
    planned_at: float  # mono() at which the final byte was to be written
    written_at: float  # mono() at which its write() was issued
    residual: Residual | None
    device_delay: float = DEVICE_DELAY  # the SET delay compensation used


def measure_latency(clock: Clock, pings: int = 5) -> Latency:
    """One-way link latency from the fastest of ``pings`` PING round trips (at least one)."""
    request = p.encode_request(p.req_ping())
    trips = tuple(clock.ping() for _ in range(max(1, pings)))
    frame = clock.frame_time
    wire = (len(request) + PONG_REPLY_BYTES) * frame
    return Latency(max(0.0, (min(trips) - wire) / 2), trips, frame)


def final_byte_deadline(boundary_mono: float, latency: Latency,
                        device_delay: float = DEVICE_DELAY) -> float:
    """mono() at which to write a line's last byte so the clock acts at ``boundary_mono``."""
    return boundary_mono - latency.frame - latency.one_way - device_delay


def _aligned_set(clock: Clock, latency: Latency, device_delay: float,
                 margin: float) -> SyncResult:
    t = clock.time
    line_len = len(p.encode_request(p.req_set(datetime(2000, 1, 1))))  # fixed-width line
    lead = line_len * latency.frame + latency.one_way + device_delay + margin
    boundary = math.ceil(t.wall() + lead)
    target = datetime.fromtimestamp(boundary)
    planned = final_byte_deadline(wall_to_mono(t, boundary), latency, device_delay)
    # a lost reply: re-read, reply = clock now; a LateWrite: the partial line is voided
    reply = clock.set_time(target, send=clock.timed_send(planned, LATE_LIMIT))
    return SyncResult(reply, boundary, latency, planned, clock.last_timed_write_at, None,
                      device_delay)


def sync(clock: Clock, *, pings: int = 5, verify: int = 4,
         device_delay: float = DEVICE_DELAY, calibrate: bool = False,
         margin: float = MARGIN, attempts: int = 3, latency: Latency | None = None,
         after_set: Callable[[SyncResult], None] | None = None) -> SyncResult:
    """Measure latency, send the aligned SET, then estimate the residual offset.

    ``calibrate``: when the residual is clearly not zero, take it as the clock's extra SET
    delay (relative to a GET's read), set again with that compensation and verify again.
    This removes what the probes can see (SET-vs-GET timing in the firmware), not what
    they cannot (a latency error common to both).
    ``latency``: one measured already (no PINGs then). ``after_set``: called once, right
    after the first SET's reply and before the probes (``clock51 sync`` writes the learned
    drift rate there, so it applies from the set on).
    """
    if latency is None:
        latency = measure_latency(clock, int(pings))
    result = _set_and_verify(clock, latency, device_delay, margin, attempts, verify, after_set)
    residual = result.residual
    if (calibrate and residual is not None and not residual.note
            and residual.probes == verify and residual.half_width < abs(residual.estimate)
            and abs(residual.estimate) < 0.25):
        result = _set_and_verify(clock, latency, device_delay - residual.estimate, margin,
                                 attempts, verify)
    return result


def _set_and_verify(clock: Clock, latency: Latency, device_delay: float, margin: float,
                    attempts: int, verify: int,
                    after_set: Callable[[SyncResult], None] | None = None) -> SyncResult:
    result = None
    for attempt in range(int(attempts)):
        try:
            result = _aligned_set(clock, latency, device_delay, margin)
            break
        except LateWrite as late:  # the OS woke us too late: the line is voided, try again
            if attempt == attempts - 1:
                raise NoAnswer(f"could not send the SET on time ({late}; system busy?)") from None
    assert result is not None
    if after_set is not None:
        after_set(result)
    residual = measure_offset(clock, latency, int(verify)) if verify > 0 else None
    return replace(result, residual=residual)


def measure_offset(clock: Clock, latency: Latency, probes: int, *, read_delay: float = 0.0,
                   thresholds: Sequence[float] = THRESHOLDS) -> Residual:
    """Bracket the clock-minus-PC offset with ``probes`` GETs timed near second boundaries.

    ``read_delay``: the firmware's delay from a GET's LF to its register read (assumed 0).
    """
    t = clock.time
    request_len = len(p.encode_request(p.req_get()))
    to_arrival = request_len * latency.frame + latency.one_way + read_delay
    low, high = -math.inf, math.inf
    done = 0
    failures: list[str] = []
    for _ in range(2 * probes):
        if done == probes:
            break
        theta = thresholds[done] if done < len(thresholds) else math.nan
        if not low < theta < high:
            theta = (low + high) / 2 if math.isfinite(low + high) else 0.0
        x = -theta  # sample at N + x: the clock shows >= N iff offset >= theta
        n = math.ceil(t.wall() + to_arrival + 0.005 - x)
        sample = n + x
        write_at = wall_to_mono(t, sample) - to_arrival
        try:
            reading = clock.get_time_at(write_at)
        except Clock51Error as exc:
            failures.append(str(exc))
            if len(failures) > 1:
                return Residual(low, high, done, f"verification stopped: {exc}")
            log.info("probe failed (%s); trying the next second", exc)
            with contextlib.suppress(Clock51Error):
                clock.cancel_line()  # now, so the next probe is not late
            continue
        if clock.last_write_at - write_at > LATE_LIMIT:
            continue  # woken too late: this probe says nothing precise
        done += 1
        shown = reading.when.timestamp()
        new_low, new_high = max(low, shown - sample), min(high, shown - sample + 1)
        if new_low >= new_high:
            return Residual(low, high, done, "probes disagree (latency jitter?)")
        low, high = new_low, new_high
    return Residual(low, high, done)
