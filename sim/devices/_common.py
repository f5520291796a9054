"""Small helpers shared by the device models: pin names, violations, time conversion."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import asdict, dataclass
from typing import Any

from boardprofile import parse_pin

from sim.bus.pins import PortBus

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
    """A protocol or electrical rule broken by whoever drives the device."""

    cycle: int
    kind: str
    detail: str

    def __str__(self) -> str:
        return f"@{self.cycle}: {self.kind}: {self.detail}"


def violations_to_state(items: list[Violation]) -> list[dict[str, Any]]:
    return [asdict(v) for v in items]


def violations_from_state(items: list[dict[str, Any]]) -> list[Violation]:
    return [Violation(int(d["cycle"]), str(d["kind"]), str(d["detail"])) for d in items]


def bus_conflicts(bus: PortBus, owner: str) -> list[Violation]:
    """PortBus shorts in which ``owner`` drove a pin high against a low."""
    return [
        Violation(
            c.cycle, "bus-conflict", f"P{c.port}.{c.bit} driven high by {owner} while held low"
        )
        for c in bus.conflicts
        if c.owner == owner
    ]


def seconds_to_cycles(seconds: float, cycles_per_second: int) -> int:
    return round(seconds * cycles_per_second)
