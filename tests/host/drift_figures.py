"""Issue 20 (the host half), measured: ``python -m tests.host.drift_figures [--quick]``.

1. ``clock51 sync`` (host.cli.main, the real host code) against the stand-in clock of
   tests/host/fakeclock.py, whose crystal drifts at a set rate and which corrects itself by
   whole-second steps with the RATE written (a test double, not the firmware: the firmware
   and simulator figures belong to ``python -m sim.measure.drift``), syncs at days 0, 1, 3
   and 7 of fake time, for crystals at +87, -20 and +230 ppm: the rate learned beside the
   truth and the goal (within 1 ppm); then the stand-in's error 30 days after the last sync
   beside the error without correction.
2. The estimator alone (host.drift) on synthetic histories (tests/host/synthetic.py): rates
   uniform in +-250 ppm, syncs at days 0, 1, 3, 7, each offset off by up to 7.8 ms and each
   residual by up to 2.5 ms (the probes' brackets): the error against the uncertainty it
   states (how often the truth lies within 1 and 2 sigma, beside a Gaussian's 68 % and
   95 %), the RMS and the worst error beside the 1 ppm goal.
"""

from __future__ import annotations

import argparse
import contextlib
import io
import math
import random
import tempfile

from host import cli
from host import drift as d
from host.client import Clock
from tests.host.fakeclock import FakeDevice, FakePort, FakeTime
from tests.host.synthetic import Crystal

DAY = 86400.0
SYNC_DAYS = (0, 1, 3, 7)
GOAL_PPM = 1.0


def stand_in(ppm: float) -> tuple[float, float, float, float]:
    """(rate learned, error 30 days after the last sync, the part of it not yet stepped
    (ACC: under a second), that error uncorrected)."""
    time = FakeTime()
    device = FakeDevice(time, drift=True, crystal_ppm=ppm)
    port = FakePort(device)

    def open_clock(name: str, baud: int, timeout: float) -> Clock:
        return Clock(port, timeout=timeout, time_source=time)

    with tempfile.TemporaryDirectory() as folder:
        last = 0.0
        for day in SYNC_DAYS:
            time.advance((day - last) * DAY)
            last = day
            out = io.StringIO()
            with contextlib.redirect_stdout(out):
                code = cli.main(["--port", "X", "sync", "--history-dir", folder],
                                open_clock=open_clock, time_source=time)
            if code:
                raise SystemExit(f"clock51 sync failed: exit {code}")
    time.advance(30 * DAY)
    acc = device.drift_state(time.mono())[1]
    return device.drift_rate, device.offset(), acc, ppm * 1e-6 * 30 * DAY


def estimator(runs: int, seed: int = 20) -> dict[str, float]:
    rng = random.Random(seed)
    errors, within1, within2 = [], 0, 0
    for n in range(runs):
        truth = rng.uniform(-250, 250)
        clock = Crystal(truth, noise=0.0078, seed=seed * 100003 + n)
        for day in SYNC_DAYS:
            clock.sync(day)
        est, _ = d.analyse(clock.history)
        assert est is not None
        error = est.rate - truth
        errors.append(error)
        within1 += abs(error) <= est.sigma
        within2 += abs(error) <= 2 * est.sigma
    return {"rms": math.sqrt(sum(e * e for e in errors) / runs),
            "worst": max(abs(e) for e in errors),
            "within1": within1 / runs, "within2": within2 / runs}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="200 synthetic histories, not 2000")
    args = parser.parse_args(argv)
    print("1. clock51 sync at days 0, 1, 3, 7 against the stand-in clock (fake time)")
    print(f"{'crystal':>9}  {'learned':>9}  {'error':>7}  {'goal':>6}  "
          f"{'30 d later: corrected':>21}  {'(ACC not stepped)':>17}  {'uncorrected':>11}")
    for ppm in (87.0, -20.0, 230.0):
        learned, corrected, acc, uncorrected = stand_in(ppm)
        print(f"{ppm:+8.2f}   {learned:+8.2f}   {learned - ppm:+6.2f}   {GOAL_PPM:5.1f}   "
              f"{corrected:+19.3f} s  {acc:+15.3f} s  {uncorrected:+9.1f} s")
    runs = 200 if args.quick else 2000
    stats = estimator(runs)
    print(f"\n2. the estimator on {runs} synthetic histories (syncs at days 0, 1, 3, 7; "
          "offsets +-7.8 ms, residuals +-2.5 ms)")
    print(f"   rms error {stats['rms']:.3f} ppm, worst {stats['worst']:.3f} ppm "
          f"(goal: within {GOAL_PPM:.0f} ppm)")
    print(f"   truth within 1 sigma: {stats['within1']:.0%} (Gaussian 68 %), within 2 sigma: "
          f"{stats['within2']:.0%} (Gaussian 95 %)")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
