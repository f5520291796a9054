"""Small helpers shared by the device models: pin names, violations, timing tables, the
context a model is built in from a board profile's parts."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from dataclasses import asdict, dataclass, field
from typing import Any, Protocol

from boardprofile import parse_pin

from sim.bus.pins import PortBus
from sim.bus.scheduler import Scheduler

Pin = tuple[int, int]
PinLike = Pin | str

DEFAULT_CYCLES_PER_SECOND = 921_600  # 11.0592 MHz / 12


def as_pin(pin: PinLike) -> Pin:
    """Accept 'P3.5' or (3, 5); return (port, bit)."""
    if isinstance(pin, str):
        return parse_pin(pin)
    port, bit = pin
    if not (0 <= port <= 3 and 0 <= bit <= 7):
        raise ValueError(f"not a pin: {pin!r}")
    return int(port), int(bit)


def as_pins(pins: Iterable[PinLike] | str) -> list[Pin]:
    """A list of pins, or a whole port name such as 'P0' (bit 0 first)."""
    if isinstance(pins, str):
        t = pins.strip().upper()
        if len(t) == 2 and t[0] == "P" and t[1] in "0123":
            return [(int(t[1]), b) for b in range(8)]
        raise ValueError(f"not a port name: {pins!r} (expected P0 .. P3)")
    return [as_pin(p) for p in pins]


@dataclass(frozen=True)
class Violation:
    """A protocol or electrical rule broken by whoever drives the device: ``detail`` says
    what the program did, ``required`` what the datasheet asks for."""

    cycle: int
    kind: str
    detail: str
    required: str = ""

    def __str__(self) -> str:
        return f"@{self.cycle}: {self.kind}: {self.detail}"


KEEP_PER_KIND = 200  # violations of one kind a model keeps; later ones are only reported
TIMINGS = ("typical", "strict")
ViolationSink = Callable[[str, Violation], None]  # (part name, violation)


@dataclass(frozen=True)
class Limit:
    """One timing figure a model uses: the datasheet's typical value (what a bench part
    does; the model's default) and its limit (the worst a part may do; ``--timing
    strict``), in ``unit``, with where it comes from."""

    typical: float
    limit: float
    unit: str
    what: str

    def value(self, timing: str) -> float:
        return self.limit if timing == "strict" else self.typical


def report(model: Any, v: Violation) -> None:
    """Record a broken rule for ``model`` (which has ``name`` and a ``_violations`` list):
    it goes to the model's ``violation_sink`` (the board's log) as it happens; the model
    keeps the first ``KEEP_PER_KIND`` of each kind, so a program that repeats a mistake in
    a loop cannot fill the memory."""
    counts = model.__dict__.setdefault("_violation_counts", {})
    n = counts.get(v.kind, 0)
    counts[v.kind] = n + 1
    if n < KEEP_PER_KIND:
        model._violations.append(v)
    sink = model.__dict__.get("violation_sink")
    if sink is not None:
        sink(model.name, v)


class Ambient(Protocol):
    """The room the parts are in: its temperature over simulated time. The board owns the
    one schedule (sim.machine.ambient); a model only reads it."""

    def celsius_at(self, cycle: int) -> float:
        """The room's temperature at ``cycle``, degC."""

    def spans(self, start: int, end: int) -> Iterable[tuple[int, float]]:
        """The cycles ``start..end`` cut where the temperature steps: (cycles, degC) pieces
        in order, their lengths adding up to ``end - start``."""


@dataclass
class PartContext:
    """What a chip model is built with from a profile's parts (``Model.build(parts, ctx)``):
    the pins, the scheduler, how to schedule an event while the CPU runs, the time base,
    the timing mode, and a few run settings. Lower layers only: no board, no front end.
    ``temperature``: what a DS18B20 reads at power-on (None: no sensor answers);
    ``ambient``: the room (``Ambient``; None: the models' own defaults); ``crystal``:
    --crystal's fields (ppm, t0, k) over every DS1302's profile values."""

    bus: PortBus
    scheduler: Scheduler
    at: Callable[[int, Callable[[int], None]], None]
    cycles_per_second: int
    timing: str = "typical"
    seed: int = 0
    key_bounce_ms: float = 3.0
    temperature: float | None = 20.0
    endpoint: Any = None
    ambient: Ambient | None = None
    crystal: Mapping[str, float] | None = None
    extra: dict[str, Any] = field(default_factory=dict)


def violations_to_state(items: list[Violation]) -> list[dict[str, Any]]:
    return [asdict(v) for v in items]


def violations_from_state(items: list[dict[str, Any]]) -> list[Violation]:
    return [Violation(int(d["cycle"]), str(d["kind"]), str(d["detail"]),
                      str(d.get("required", ""))) for d in items]


BUS_CONFLICT_RULE = "two outputs must not drive one pin to opposite levels"


def bus_conflicts(bus: PortBus, owner: str) -> list[Violation]:
    """PortBus shorts in which ``owner`` drove a pin high against a low."""
    return [
        Violation(
            c.cycle, "bus-conflict", f"P{c.port}.{c.bit} driven high by {owner} while held low",
            BUS_CONFLICT_RULE,
        )
        for c in bus.conflicts
        if c.owner == owner
    ]


def seconds_to_cycles(seconds: float, cycles_per_second: int) -> int:
    return round(seconds * cycles_per_second)
