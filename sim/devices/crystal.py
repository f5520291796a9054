"""The DS1302's 32.768 kHz tuning-fork crystal: how fast the chip's own seconds go.

Not a chip on the bus: the part of the DS1302 model (sim.devices.ds1302) that says how many
of its seconds pass per true second, at the room's temperature (the board's ambient,
sim.machine.ambient). Described by the profile's ``[ds1302] crystal_ppm``, ``crystal_t0``,
``crystal_k`` (boardprofile.parts) and the run option ``--crystal ppm=..,t0=..,k=..``.

Facts implemented (chips.md "The DS1302's crystal"; Maxim DS1302 datasheet and AN58; the
tuning-fork crystal makers' data sheets):

- The DS1302 counts 32768 periods of its own oscillator as a second; it has no trim
  register. The crystal's frequency offset is its rate: +87 ppm means 87 us gained every
  second (7.5 s a day, 225 s in 30 days). Tolerance at 25 degC is +-20 ppm; a 12.5 pF
  crystal on the DS1302 (which wants 6 pF) runs about +87 ppm fast; makers report +230 and
  -162 ppm.
- Temperature: a parabola around the turnover t0 = 25 +- 5 degC with k = -0.034 +- 0.006
  ppm/degC^2, slower on both sides: rate(T) = ppm + k (T - t0)^2 (10 degC away: -3.4 ppm,
  15 degC: -7.7 ppm).

The model: at temperature T the chip counts (1 + rate(T) x 1e-6) of its seconds per true
second. A rate is taken to 1e-6 ppm (``units``: integers of 1e-12), so the DS1302 model
integrates it in exact integer arithmetic however often it is asked and however long it
runs (the error is the rounding of the rate, at most 5e-7 ppm: 1.3 us a month).

Deviations (on purpose): no ageing (+-3 to 5 ppm in the first year), no dependence on the
supply or the load, no start-up time, no phase noise; the crystal is at the room's
temperature at once (no thermal lag). An ideal crystal (``None`` in the DS1302 model: a
profile with none of the crystal_ fields, and no --crystal) runs at exactly one second per
second at any temperature.

Checks: none (a crystal breaks no protocol rule).
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass

from boardprofile import AMBIENT_C, CRYSTAL_DEFAULTS, CRYSTAL_K_MAX, CRYSTAL_PPM_MAX

UNITS_PER_PPM = 10**6  # a rate in units of 1e-12 (1e-6 ppm)
FIELDS = ("ppm", "t0", "k")  # the profile's crystal_<field>, --crystal's <field>=
LIMITS: dict[str, tuple[float, float]] = {
    "ppm": (-CRYSTAL_PPM_MAX, CRYSTAL_PPM_MAX),
    "t0": AMBIENT_C,
    "k": (-CRYSTAL_K_MAX, CRYSTAL_K_MAX),
}


@dataclass(frozen=True)
class Crystal:
    """``ppm`` at the turnover ``t0`` (degC), parabola ``k`` (ppm/degC^2)."""

    ppm: float = CRYSTAL_DEFAULTS["ppm"]
    t0: float = CRYSTAL_DEFAULTS["t0"]
    k: float = CRYSTAL_DEFAULTS["k"]

    def __post_init__(self) -> None:
        for name in FIELDS:
            value = getattr(self, name)
            low, high = LIMITS[name]
            if not (math.isfinite(value) and low <= value <= high):
                raise ValueError(f"crystal {name}: {value!r} is outside {low:g}..{high:g}")

    def rate_ppm(self, celsius: float) -> float:
        """The rate at ``celsius``: ppm + k (T - t0)^2, ppm (positive: fast)."""
        return self.ppm + self.k * (celsius - self.t0) ** 2

    def units(self, celsius: float) -> int:
        """The rate at ``celsius`` in units of 1e-12 (what the DS1302 model integrates)."""
        return round(self.rate_ppm(celsius) * UNITS_PER_PPM)

    @property
    def flat(self) -> bool:
        """The rate does not depend on the temperature (k = 0)."""
        return self.k == 0

    def describe(self) -> str:
        return f"{self.ppm:+g} ppm at {self.t0:g} C, k {self.k:+g} ppm/C^2"


def crystal_for(values: Mapping[str, object],
                overrides: Mapping[str, float] | None = None) -> Crystal | None:
    """The crystal a ``[ds1302]`` part describes (its ``crystal_ppm``, ``crystal_t0``,
    ``crystal_k``; None when not given), with ``overrides`` (--crystal) on top; None (an
    ideal crystal) when neither gives any field. Fields not given take their defaults."""
    given: dict[str, float] = {}
    for name in FIELDS:
        value = values.get(f"crystal_{name}")
        if value is not None:
            given[name] = float(value)  # type: ignore[arg-type]
    given.update(overrides or {})
    if not given:
        return None
    return Crystal(**given)
