"""``--temp`` and ``--temp-fault`` of ``clock51-sim run``: the room the board stands in.

The room's temperature is one schedule, the board's (sim.machine.ambient): the DS18B20s read
it and the DS1302's crystal drifts with it (``--crystal``, sim.frontends.crystal).
``--temp 23.5`` a constant temperature; ``--temp none`` the DS18B20s do not answer (no
presence pulse: unplugged) while the room stays at 20 C; ``--temp "0:20,60:-5.5"`` a
schedule of SECONDS:VALUE steps (VALUE a temperature, or none: the sensors unplugged and
the room as it was) at simulated seconds, in increasing order. Values must lie in the
sensor's range, -55..125 C. ``--temp-fault crc``: every scratchpad read arrives with a bad
CRC. ``nudge`` is the live view's + / - key (and the browser view's +/-0.5 buttons).
"""

from __future__ import annotations

import math
from typing import TYPE_CHECKING

from sim.devices.ds18b20 import RANGE_C
from sim.errors import UsageError

if TYPE_CHECKING:
    from sim.machine.board import Board

Schedule = list[tuple[float, float | None]]
FAULTS = ("crc",)
NUDGE_C = 0.5  # one + or - in the live view


def _value(text: str, whole: str) -> float | None:
    t = text.strip().lower()
    if t == "none":
        return None
    try:
        v = float(t)
    except ValueError:
        raise UsageError(f"--temp {whole!r}: {text!r} is not a temperature (e.g. 23.5, "
                         "-7.5 or none)") from None
    low, high = RANGE_C
    if not math.isfinite(v) or not low <= v <= high:
        raise UsageError(f"--temp {whole!r}: {text.strip()} C is outside the DS18B20's "
                         f"range {low:g}..{high:g} C")
    return v


def parse_temp(text: str) -> Schedule:
    """'23.5' -> [(0, 23.5)]; 'none' -> [(0, None)]; '0:20,60:-5.5' -> steps."""
    if ":" not in text:
        return [(0.0, _value(text, text))]
    steps: Schedule = []
    for part in text.split(","):
        when, sep, value = part.partition(":")
        try:
            at = float(when)
        except ValueError:
            at = -1.0
        if not sep or not math.isfinite(at) or at < 0:
            raise UsageError(f"--temp {text!r}: {part.strip()!r} is not SECONDS:VALUE "
                             "(e.g. 0:20,60:-5.5)")
        if steps and at <= steps[-1][0]:
            raise UsageError(f"--temp {text!r}: the times must increase")
        steps.append((at, _value(value, text)))
    return steps


def parse_fault(text: str) -> str:
    if text not in FAULTS:
        raise UsageError(f"--temp-fault {text!r}: expected {' or '.join(FAULTS)}")
    return text


def nudge(board: Board, typed: str) -> bool:
    """Live-view key: '+' warms, '-' cools the room by 0.5 C; with the DS18B20s unplugged,
    either key plugs them back in (reading the room as it is). False if the key is not one
    of them or nothing on the board feels the temperature."""
    if typed not in ("+", "-") or not board.feels_temperature:
        return False
    room = board.ambient
    now = board.cycles
    value = room.celsius_at(now)
    if room.sensors_at(now):
        value += NUDGE_C if typed == "+" else -NUDGE_C
    board.set_temperature(max(RANGE_C[0], min(RANGE_C[1], value)))
    return True
