"""Synthetic drift histories for host.drift's tests and figures: what a clock whose crystal
runs at a known rate would record, sync after sync, with the probes' noise."""

from __future__ import annotations

import math
import random

from host import drift as d

T0 = 1_795_000_000.0  # some PC time (epoch seconds)
DAY = 86400.0
HOUR = 3600.0
PROBE_HW = 0.0078  # the learning probes' bracket half-width (7 probes)
RESIDUAL_HW = 0.0025  # the residual probes' (4 probes)


class Crystal:
    """Writes the history a clock would give: a crystal at ``ppm`` (+ k (T - t0)^2), the
    clock's model removing RATE (+ K (T - T0)^2 with COMP ON) by whole-second steps."""

    def __init__(self, ppm: float, *, rate: float = 0.0, comp: bool = False,
                 temp: float = 25.0, crystal_k: float = 0.0, k: float = -0.034,
                 noise: float = 0.0, seed: int = 1, drift: bool = True) -> None:
        self.ppm, self.rate, self.comp, self.temp = ppm, rate, comp, temp
        self.crystal_k, self.k = crystal_k, k
        self.noise = noise
        self.rng = random.Random(seed)
        self.drift = drift
        self.history = d.History("3F2A")
        self.residual = 0.0  # what the last set really left

    def true_rate(self) -> float:
        return self.ppm + self.crystal_k * (self.temp - 25.0) ** 2

    def model_rate(self) -> float:
        return self.rate + (self.k * (self.temp - 25.0) ** 2 if self.comp else 0.0)

    def jitter(self, width: float) -> float:
        return self.rng.uniform(-width, width) if self.noise else 0.0

    def sync(self, day: float, *, new_rate: float | None = None, residual: float = 0.0004,
             shown_extra: float = 0.0) -> d.Sync:
        """A sync at ``day`` (the measurement; the set 10 s later, leaving the clock
        ``residual`` s off). With ``noise`` the recorded offset is off by up to ``noise``
        and the recorded residual by up to its 2.5 ms bracket, as the probes are."""
        measured = T0 + day * DAY
        prev = self.history.last_set()
        sample = d.Sync(time=measured + 10, measured=None, drift=self.drift,
                        rate=self.rate if self.drift else 0.0, comp=self.comp,
                        k=self.k if self.drift else None, t0=25 if self.drift else None,
                        residual=residual + self.jitter(RESIDUAL_HW),
                        residual_err=RESIDUAL_HW)
        if prev is not None:
            assert prev.time is not None
            dt = measured - prev.time
            predicted = self.model_rate() * 1e-6 * dt if self.drift else 0.0
            steps = -math.trunc(predicted)
            shown = self.residual + self.true_rate() * 1e-6 * dt + steps + shown_extra
            sample.measured, sample.interval = measured, dt
            sample.offset, sample.offset_err = shown + self.jitter(self.noise), PROBE_HW
            sample.acc, sample.steps = round(predicted + steps, 3), steps
        self.residual = residual  # the truth, for the next interval
        if new_rate is not None and self.drift:
            self.rate = new_rate
        sample.rate_after = self.rate if self.drift else 0.0
        self.history.syncs.append(sample)
        return sample
