"""Push buttons on port pins, pressed and released at scheduled virtual times, with bounce.

Facts and choices:

- Active low (every board profile so far): the key connects the pin to ground. Pressed it
  drives 0; released it lets go (None) and the 8051's pull-up makes the pin read 1.
- Active high: the key connects the pin to Vcc, with an external pull-down for the released
  state. Pressed it drives 1, released it drives 0 (the pull-down). If the MCU latch holds
  such a pin low while the key is pressed, PortBus records the short.
- Presses and releases are events queued in the Scheduler at a machine cycle (Renode's
  habit): the board fires them between instructions, never in the middle of one.
- Contact bounce: after the first contact change, the contact opens and closes again a few
  times (1-3 extra pairs of edges) at random moments within a window of 40-100 % of
  ``bounce_ms`` (default 5 ms, i.e. 2-5 ms), then settles. The pattern is pseudo-random but
  deterministic: it depends only on ``seed``, the key name, the cycle and the direction.
  ``bounce_ms = 0`` gives clean edges.
- A later transition cancels the tail of an earlier one's bounce, so a release scheduled
  inside a press's bounce window still leaves the key released.

Deviations: the contact has no resistance or capacitance; edges are instantaneous.
Checks: none (a key cannot be misused); presses of unknown keys raise KeyError.
State: the contact level of each key (``to_state``); pending presses live in the Scheduler.
"""

from __future__ import annotations

import random
from dataclasses import dataclass
from typing import Any

from sim.bus.pins import PortBus
from sim.bus.scheduler import Scheduler
from sim.devices._common import DEFAULT_CYCLES_PER_SECOND, PartContext, Pin, PinLike, as_pin
from sim.devices._state import Bool, DictOf, Int, Stateful, Table
from sim.errors import StateError


@dataclass
class Key:
    name: str
    pin: Pin
    active_low: bool
    pressed: bool = False  # contact closed right now (bounce included)
    transition: int = 0  # id of the transition whose events may still act


class Keys(Stateful):
    """Named keys on pins. Times are machine cycles."""

    def __init__(
        self,
        bus: PortBus,
        scheduler: Scheduler,
        *,
        cycles_per_second: int = DEFAULT_CYCLES_PER_SECOND,
        bounce_ms: float = 5.0,
        seed: int = 0,
    ) -> None:
        self.bus = bus
        self.scheduler = scheduler
        self.cps = int(cycles_per_second)
        self.bounce_ms = bounce_ms
        self.seed = seed
        self.keys: dict[str, Key] = {}
        self._next_transition = 0
        self._generation = 0  # bumped by reset(): older scheduled events do nothing
        self.name = "keys"

    @classmethod
    def build(cls, parts: Any, ctx: PartContext) -> list[Keys]:
        """All ``[[keys]]`` parts of a profile in one model (their presses share the
        scheduler and the bounce seed)."""
        keys = cls(ctx.bus, ctx.scheduler, cycles_per_second=ctx.cycles_per_second,
                   bounce_ms=ctx.key_bounce_ms, seed=ctx.seed)
        for p in parts:
            keys.add(p.name, p.pin, p.active)
        return [keys]

    def add(self, name: str, pin: PinLike, active: str = "low", cycle: int = 0) -> None:
        """Wire key ``name`` to ``pin``; ``active`` is 'low' or 'high'."""
        if active not in ("low", "high"):
            raise ValueError(f"key {name}: active must be 'low' or 'high', not {active!r}")
        if name in self.keys:
            raise ValueError(f"key {name} wired twice")
        key = Key(name, as_pin(pin), active == "low")
        self.keys[name] = key
        self._apply(key, False, cycle)

    def reset(self, cycle: int = 0) -> None:
        """All keys released (pending scheduled events are cancelled)."""
        self._generation += 1
        for key in self.keys.values():
            self._apply(key, False, cycle)

    # -- scheduling --------------------------------------------------------------------
    def press(self, name: str, cycle: int) -> None:
        self._schedule(self.keys[name], True, cycle)

    def release(self, name: str, cycle: int) -> None:
        self._schedule(self.keys[name], False, cycle)

    def hold(self, name: str, start: int, end: int) -> None:
        """Pressed at ``start``, released at ``end``."""
        if end <= start:
            raise ValueError("a hold must end after it starts")
        self.press(name, start)
        self.release(name, end)

    def tap(self, name: str, cycle: int, duration_s: float = 0.1) -> None:
        self.hold(name, cycle, cycle + round(duration_s * self.cps))

    def seconds(self, s: float) -> int:
        """Seconds -> machine cycles, for callers that think in seconds."""
        return round(s * self.cps)

    def bounce_edges(self, name: str, cycle: int, pressed: bool) -> list[tuple[int, bool]]:
        """The (cycle, contact closed) steps of one transition, first edge at ``cycle``."""
        steps = [(cycle, pressed)]
        if self.bounce_ms <= 0:
            return steps
        rng = random.Random(f"{self.seed}/{name}/{cycle}/{int(pressed)}")
        window = round(self.bounce_ms / 1000 * self.cps * rng.uniform(0.4, 1.0))
        pairs = rng.randint(1, 3)
        moments = sorted(rng.sample(range(1, max(window, 2 * pairs + 1) + 1), 2 * pairs))
        for i, t in enumerate(moments):
            steps.append((cycle + t, pressed if i % 2 else not pressed))
        return steps

    def _schedule(self, key: Key, pressed: bool, cycle: int) -> None:
        self._next_transition += 1
        transition = self._next_transition
        steps = self.bounce_edges(key.name, cycle, pressed)
        generation = self._generation

        def first(now: int, level: bool = steps[0][1]) -> None:
            if self._generation == generation:
                key.transition = transition
                self._apply(key, level, now)

        self.scheduler.at(steps[0][0], first)
        for when, level in steps[1:]:

            def bounce(now: int, level: bool = level) -> None:
                if key.transition == transition and self._generation == generation:
                    self._apply(key, level, now)

            self.scheduler.at(when, bounce)

    # -- pins --------------------------------------------------------------------------
    def _apply(self, key: Key, pressed: bool, cycle: int) -> None:
        key.pressed = pressed
        if key.active_low:
            level = 0 if pressed else None
        else:
            level = 1 if pressed else 0
        self.bus.drive(f"key:{key.name}", *key.pin, level, cycle)

    def is_pressed(self, name: str) -> bool:
        """Contact closed right now (bounce included)."""
        return self.keys[name].pressed

    # -- state (sim.devices._state: declared once) -------------------------------------
    STATE_NAME = "keys"
    STATE_VERSION = 1
    STATE_FIELDS = (
        ("keys", DictOf(Table((("pressed", Bool()), ("transition", Int(0)))))),
        ("_next_transition", Int(0)),
    )

    def _state_get(self, attr: str) -> Any:
        if attr == "keys":
            return {k.name: {"pressed": k.pressed, "transition": k.transition}
                    for k in self.keys.values()}
        return getattr(self, attr)

    def _check_state(self, values: dict[str, Any]) -> None:
        saved, wired = set(values["keys"]), set(self.keys)
        if saved != wired:
            raise StateError(f"keys.keys: the state has keys {', '.join(sorted(saved))}; "
                             f"this board has {', '.join(sorted(wired))}")

    def _state_set(self, attr: str, value: Any) -> None:
        if attr == "keys":
            self._loaded = value
        else:
            setattr(self, attr, value)

    def _state_loaded(self, cycle: int) -> None:
        for name, d in self._loaded.items():
            key = self.keys[name]
            key.transition = d["transition"]
            self._apply(key, d["pressed"], cycle)
        del self._loaded
