"""Buzzer on a port pin: when it sounds, for how long, and at what tone frequency.

Facts and choices:

- The pin is "active" at the level that passes current through the buzzer: ``active='low'``
  (a PNP driver or the buzzer to Vcc: 0 sounds; most boards) or ``'high'`` (an NPN driver:
  1 sounds). Note the 8051 latches reset to 1, so an active-high buzzer sounds from reset
  until the firmware clears its pin.
- An active buzzer sounds while its pin is held active; a passive one sounds while the
  firmware toggles the pin (e.g. 2 kHz). Both are covered by one rule: active periods
  separated by less than ``max_gap_s`` (default 20 ms, i.e. tones above 50 Hz) merge into
  one sound, which ends at its last active -> inactive edge.
- Frequency of a sound = (active edges - 1) / time from first to last active edge.

Deviations: a passive buzzer held at a DC level makes no tone, but the model cannot tell
which kind is fitted and reports such a hold as a sound of 0 Hz. No sound synthesis.
Checks: none (any pin pattern is legal). Memory is O(number of sounds), not of edges.
State: current level and the list of sounds (``to_state``).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from sim.bus.pins import PortBus
from sim.devices._common import DEFAULT_CYCLES_PER_SECOND, PartContext, PinLike, as_pin
from sim.devices._state import Bool, Int, ListOf, Stateful, Table


@dataclass
class Sound:
    start: int  # cycle of the first active edge
    end: int | None  # cycle of the last active -> inactive edge; None while held active
    rises: int  # active edges
    last_rise: int

    def frequency_hz(self, cycles_per_second: int) -> float:
        if self.rises < 2 or self.last_rise == self.start:
            return 0.0
        return (self.rises - 1) * cycles_per_second / (self.last_rise - self.start)


class Buzzer(Stateful):
    """A buzzer on one pin. See the module docstring."""

    def __init__(
        self,
        bus: PortBus,
        pin: PinLike,
        active: str = "low",
        *,
        cycles_per_second: int = DEFAULT_CYCLES_PER_SECOND,
        max_gap_s: float = 0.020,
        cycle: int = 0,
        name: str = "buzzer",
    ) -> None:
        if active not in ("low", "high"):
            raise ValueError(f"buzzer: active must be 'low' or 'high', not {active!r}")
        self.bus = bus
        self.name = name
        self.pin = as_pin(pin)
        self.active_level = 0 if active == "low" else 1
        self.cps = int(cycles_per_second)
        self.max_gap = round(max_gap_s * self.cps)
        self.reset(cycle)
        bus.watch(*self.pin, self._on_pin)

    @classmethod
    def build(cls, parts: Any, ctx: PartContext) -> list[Buzzer]:
        """One buzzer per ``[buzzer]`` part."""
        return [cls(ctx.bus, p.pin, p.active, cycles_per_second=ctx.cycles_per_second,
                    name=p.name) for p in parts]

    def reset(self, cycle: int = 0) -> None:
        self.sounds: list[Sound] = []
        self._active = False
        if self.bus.pin(*self.pin) == self.active_level:
            self._on_pin(self.active_level, cycle)

    def _on_pin(self, level: int, cycle: int) -> None:
        active = level == self.active_level
        if active == self._active:
            return
        self._active = active
        if active:
            last = self.sounds[-1] if self.sounds else None
            if last is not None and last.end is not None and cycle - last.end <= self.max_gap:
                last.end = None
                last.rises += 1
                last.last_rise = cycle
            else:
                self.sounds.append(Sound(cycle, None, 1, cycle))
        else:
            self.sounds[-1].end = cycle

    # -- queries -----------------------------------------------------------------------
    def is_sounding(self, cycle: int) -> bool:
        """Sounding at ``cycle`` (the present or the past).

        For the latest sound, a tone (two or more edges) counts as still sounding up to
        ``max_gap_s`` after its last edge, since the next edge may be on its way.
        """
        for i in range(len(self.sounds) - 1, -1, -1):
            s = self.sounds[i]
            if cycle < s.start:
                continue
            if s.end is None or cycle < s.end:
                return True
            latest = i == len(self.sounds) - 1
            return latest and s.rises > 1 and cycle - s.end <= self.max_gap
        return False

    def sound_at(self, cycle: int | None = None) -> Sound | None:
        """The sound containing ``cycle`` (None: the latest sound)."""
        if cycle is None:
            return self.sounds[-1] if self.sounds else None
        for s in reversed(self.sounds):
            if s.start <= cycle and (s.end is None or cycle < s.end):
                return s
        return None

    def frequency_hz(self, cycle: int | None = None) -> float:
        """Tone frequency of the sound at ``cycle`` (latest if None); 0.0 for a steady hold."""
        s = self.sound_at(cycle)
        return 0.0 if s is None else s.frequency_hz(self.cps)

    def intervals(self, now: int | None = None) -> list[tuple[float, float, float]]:
        """(start s, duration s, frequency Hz) per sound; an ongoing one lasts until ``now``."""
        out = []
        for s in self.sounds:
            end = s.end if s.end is not None else (now if now is not None else s.last_rise)
            out.append((s.start / self.cps, (end - s.start) / self.cps, s.frequency_hz(self.cps)))
        return out

    # -- state (sim.devices._state: declared once) -------------------------------------
    STATE_NAME = "buzzer"
    STATE_VERSION = 1
    STATE_FIELDS = (
        ("_active", Bool()),
        ("sounds", ListOf(Table((("start", Int()), ("end", Int(optional=True)),
                                 ("rises", Int(1)), ("last_rise", Int())), make=Sound))),
    )
