"""LEDs on port pins: which are lit, how often they changed, how long they were lit.

Facts and choices:

- Active low (the usual 8051 board): the LED and its resistor go from VCC to the pin, and
  the port sinks the current, so a 0 lights it. Active high: the pin sources the current
  (weakly on a quasi-bidirectional pin; boards that do this mostly drive through a
  transistor). The profile's ``[[leds]] active`` says which.
- Lit = the pin is at the active level and the board is powered (``power_off`` /
  ``power_on``: with the supply off every LED is dark, whatever the pins).
- Each LED counts its changes (lit <-> dark) and the machine cycles it was lit, so a view
  can show a blinking LED and a test can measure its rate and duty cycle. Memory is O(1) per
  LED whatever the program does.

Deviations: no brightness: an LED dimmed by fast PWM shows as lit or dark at each instant
(``duty`` gives the lit fraction). No current limits: an LED wired active high on a weak
pull-up is shown lit.
Checks: none (any pin pattern is legal).
State: each LED's lit level, change count and lit time (``to_state``).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from sim.bus.pins import PortBus
from sim.devices._common import DEFAULT_CYCLES_PER_SECOND, PartContext, Pin, PinLike, as_pin
from sim.devices._state import Bool, DictOf, Int, Stateful, Table
from sim.errors import StateError


@dataclass
class Led:
    name: str
    pin: Pin
    active_low: bool
    lit: bool = False
    changes: int = 0
    lit_cycles: int = 0  # up to ``since``
    since: int = 0  # cycle of the last change (or of the last power change)


class Leds(Stateful):
    """Named LEDs on pins. Times are machine cycles."""

    def __init__(self, bus: PortBus, *, cycles_per_second: int = DEFAULT_CYCLES_PER_SECOND,
                 name: str = "leds") -> None:
        self.bus = bus
        self.cps = int(cycles_per_second)
        self.name = name
        self.leds: dict[str, Led] = {}
        self.powered = True

    @classmethod
    def build(cls, parts: Any, ctx: PartContext) -> list[Leds]:
        """All ``[[leds]]`` parts of a profile in one model."""
        leds = cls(ctx.bus, cycles_per_second=ctx.cycles_per_second)
        for p in parts:
            leds.add(p.name, p.pin, p.active)
        return [leds]

    def add(self, name: str, pin: PinLike, active: str = "low", cycle: int = 0) -> None:
        """Wire LED ``name`` to ``pin``; ``active`` is 'low' or 'high'."""
        if active not in ("low", "high"):
            raise ValueError(f"LED {name}: active must be 'low' or 'high', not {active!r}")
        if name in self.leds:
            raise ValueError(f"LED {name} wired twice")
        led = Led(name, as_pin(pin), active == "low", since=cycle)
        self.leds[name] = led
        self._update(led, cycle)
        self.bus.watch(*led.pin, lambda level, c, led=led: self._update(led, c))

    # -- pins --------------------------------------------------------------------------
    def _level_lit(self, led: Led) -> bool:
        level = self.bus.pin(*led.pin)
        return self.powered and level == (0 if led.active_low else 1)

    def _update(self, led: Led, cycle: int) -> None:
        lit = self._level_lit(led)
        if lit == led.lit:
            return
        if led.lit:
            led.lit_cycles += max(0, cycle - led.since)
        led.lit = lit
        led.changes += 1
        led.since = cycle

    def power_off(self, cycle: int) -> None:
        self.powered = False
        for led in self.leds.values():
            self._update(led, cycle)

    def power_on(self, cycle: int) -> None:
        self.powered = True
        for led in self.leds.values():
            self._update(led, cycle)

    # -- queries -----------------------------------------------------------------------
    def is_lit(self, name: str) -> bool:
        return self.leds[name].lit

    def lit(self) -> dict[str, bool]:
        """Every LED: lit now?"""
        return {name: led.lit for name, led in self.leds.items()}

    def lamps(self, cycle: int) -> dict[str, bool]:
        """What the views draw for a part whose registry view is "lamp": name -> lit."""
        return self.lit()

    def changes(self, name: str) -> int:
        """How many times the LED went from dark to lit or back."""
        return self.leds[name].changes

    def lit_seconds(self, name: str, cycle: int) -> float:
        """Simulated seconds the LED has been lit up to ``cycle``."""
        led = self.leds[name]
        total = led.lit_cycles + (max(0, cycle - led.since) if led.lit else 0)
        return total / self.cps

    # -- state (sim.devices._state: declared once) -------------------------------------
    STATE_NAME = "leds"
    STATE_VERSION = 1
    STATE_FIELDS = (
        ("leds", DictOf(Table((("lit", Bool()), ("changes", Int(0)), ("lit_cycles", Int(0)),
                               ("since", Int()))))),
        ("powered", Bool()),
    )

    def _state_get(self, attr: str) -> Any:
        if attr == "leds":
            return {n: {"lit": d.lit, "changes": d.changes, "lit_cycles": d.lit_cycles,
                        "since": d.since} for n, d in self.leds.items()}
        return getattr(self, attr)

    def _check_state(self, values: dict[str, Any]) -> None:
        saved, wired = set(values["leds"]), set(self.leds)
        if saved != wired:
            raise StateError(f"leds.leds: the state has LEDs {', '.join(sorted(saved))}; "
                             f"this board has {', '.join(sorted(wired))}")

    def _state_set(self, attr: str, value: Any) -> None:
        if attr == "leds":
            for name, d in value.items():
                led = self.leds[name]
                led.lit, led.changes = d["lit"], d["changes"]
                led.lit_cycles, led.since = d["lit_cycles"], d["since"]
        else:
            setattr(self, attr, value)
