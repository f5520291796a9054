"""``--crystal ppm=87,t0=25,k=-0.034`` of ``clock51-sim run``: the DS1302's crystal.

Any of the three fields (sim.devices.crystal), as comma-separated NAME=VALUE: ``ppm`` the
rate at the turnover (ppm, positive = fast), ``t0`` the turnover (degC), ``k`` the parabola
(ppm/degC^2). They go over the profile's ``[ds1302] crystal_ppm``, ``crystal_t0``,
``crystal_k``; a field neither gives takes its default (0 ppm, 25 degC, -0.034). Given at
all, the crystal drifts with the room's temperature (``--temp``); a board whose profile and
command line describe no crystal has an ideal one. Bad input is one line, exit 2.
"""

from __future__ import annotations

import math

from sim.devices.crystal import FIELDS, LIMITS
from sim.errors import UsageError

UNITS = {"ppm": "ppm", "t0": "C", "k": "ppm/C^2"}
EXAMPLE = "ppm=87,t0=25,k=-0.034"


def parse_crystal(text: str) -> dict[str, float]:
    """'ppm=87,k=0' -> {"ppm": 87.0, "k": 0.0}; UsageError naming what is wrong."""
    if not text.strip():
        raise UsageError(f"--crystal {text!r}: expected NAME=VALUE pairs such as {EXAMPLE}")
    out: dict[str, float] = {}
    for part in text.split(","):
        name, sep, value = part.partition("=")
        name = name.strip().lower()
        if not sep:
            raise UsageError(f"--crystal {text!r}: {part.strip()!r} is not NAME=VALUE "
                             f"(e.g. {EXAMPLE})")
        if name not in FIELDS:
            raise UsageError(f"--crystal {text!r}: unknown field {name!r} (the fields are "
                             f"{', '.join(FIELDS)})")
        if name in out:
            raise UsageError(f"--crystal {text!r}: {name} is given twice")
        try:
            number = float(value)
        except ValueError:
            number = math.nan
        if not math.isfinite(number):
            raise UsageError(f"--crystal {text!r}: {name}={value.strip()!r} is not a number")
        low, high = LIMITS[name]
        if not low <= number <= high:
            raise UsageError(f"--crystal {text!r}: {name} {number:g} {UNITS[name]} is outside "
                             f"{low:g}..{high:g}")
        out[name] = number
    return out
