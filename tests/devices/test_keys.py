"""Push buttons: levels, scheduled presses and deterministic contact bounce."""

from __future__ import annotations

import pytest

from sim.bus.pins import PortBus
from sim.bus.scheduler import Scheduler
from sim.devices.keys import Keys

CPS = 921_600
MS = CPS / 1000


def make(bounce_ms: float = 5.0, seed: int = 0) -> tuple[PortBus, Scheduler, Keys]:
    bus, sched = PortBus(), Scheduler()
    keys = Keys(bus, sched, cycles_per_second=CPS, bounce_ms=bounce_ms, seed=seed)
    keys.add("SET", "P1.0", "low")
    keys.add("UP", (1, 1), "high")
    return bus, sched, keys


def edges_of(bus: PortBus, pin: tuple[int, int]) -> list[tuple[int, int]]:
    edges: list[tuple[int, int]] = []
    bus.watch(*pin, lambda level, cycle: edges.append((cycle, level)))
    return edges


def test_released_active_low_key_leaves_the_pin_to_the_pull_up() -> None:
    bus, _, _ = make()
    assert bus.pin(1, 0) == 1


def test_press_is_an_event_in_simulated_time_not_immediate() -> None:
    bus, sched, keys = make(bounce_ms=0)
    keys.press("SET", 1000)
    assert bus.pin(1, 0) == 1
    sched.fire_due(999)
    assert bus.pin(1, 0) == 1
    sched.fire_due(1000)
    assert bus.pin(1, 0) == 0 and keys.is_pressed("SET")


def test_key_bounces_a_few_times_within_5_ms_then_stays_low() -> None:
    bus, sched, keys = make()
    edges = edges_of(bus, (1, 0))
    keys.press("SET", 10_000)
    sched.fire_due(10_000 + round(10 * MS))
    assert edges[0] == (10_000, 0)
    assert 3 <= len(edges) <= 7
    assert edges[-1][1] == 0
    assert edges[-1][0] - edges[0][0] <= 5 * MS
    assert [level for _, level in edges] == [0, 1] * ((len(edges) - 1) // 2) + [0]
    assert bus.pin(1, 0) == 0


def test_release_bounces_then_stays_high() -> None:
    bus, sched, keys = make()
    release = round(100 * MS)
    keys.hold("SET", 0, release)
    sched.fire_due(release - 1)
    edges = edges_of(bus, (1, 0))
    sched.fire_due(round(200 * MS))
    assert edges[0] == (release, 1)
    assert len(edges) >= 3 and edges[-1][1] == 1
    assert edges[-1][0] - edges[0][0] <= 5 * MS


def test_bounce_is_deterministic_for_a_seed_and_varies_with_it() -> None:
    _, _, a = make(seed=7)
    _, _, b = make(seed=7)
    _, _, c = make(seed=8)
    assert a.bounce_edges("SET", 500, True) == b.bounce_edges("SET", 500, True)
    assert a.bounce_edges("SET", 500, True) != c.bounce_edges("SET", 500, True)


def test_zero_bounce_gives_one_clean_edge() -> None:
    bus, sched, keys = make(bounce_ms=0)
    edges = edges_of(bus, (1, 0))
    keys.tap("SET", 100, duration_s=0.05)
    sched.fire_due(CPS)
    assert edges == [(100, 0), (100 + round(0.05 * CPS), 1)]


def test_active_high_key_drives_1_when_pressed_and_0_when_released() -> None:
    bus, sched, keys = make(bounce_ms=0)
    assert bus.pin(1, 1) == 0
    keys.press("UP", 10)
    sched.fire_due(10)
    assert bus.pin(1, 1) == 1
    assert bus.conflicts == []


def test_release_inside_the_press_bounce_window_still_ends_released() -> None:
    bus, sched, keys = make(bounce_ms=5.0)
    keys.hold("SET", 0, 100)  # far shorter than the bounce
    sched.fire_due(CPS)
    assert bus.pin(1, 0) == 1 and not keys.is_pressed("SET")


def test_reset_cancels_pending_presses() -> None:
    bus, sched, keys = make()
    keys.press("SET", 1000)
    keys.reset(0)
    sched.fire_due(CPS)
    assert bus.pin(1, 0) == 1


def test_unknown_key_and_bad_active_level_are_errors() -> None:
    _, _, keys = make()
    with pytest.raises(KeyError):
        keys.press("NOPE", 0)
    with pytest.raises(ValueError):
        keys.add("X", "P1.7", "sideways")


def test_state_round_trip() -> None:
    bus, sched, keys = make(bounce_ms=0)
    keys.press("SET", 5)
    sched.fire_due(5)
    state = keys.to_state()
    bus2, sched2, keys2 = make(bounce_ms=0)
    keys2.from_state(state)
    assert bus2.pin(1, 0) == 0 and keys2.to_state() == state
