"""The one registry of part types (boardprofile.parts): every entry names a chip model the
simulator can build it with, a view the front ends draw, and documented fields."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest
from boardprofile import PART_TYPES, REGISTRY, load_profile

from sim.machine.board import Board
from sim.machine.parts import model_class
from tests.buildsupport import write_profile

VIEWS = {"lcd", "rtc", "thermometer", "keys", "buzzer", "lamp", "serial"}


@pytest.mark.parametrize("spec", PART_TYPES, ids=lambda s: s.table)
def test_every_part_type_names_a_model_that_builds_it(spec) -> None:  # type: ignore[no-untyped-def]
    cls = model_class(spec)
    assert cls.__module__ == f"sim.devices.{spec.model.partition(':')[0]}"
    assert callable(getattr(cls, "build", None)), f"{cls.__name__} has no build(parts, ctx)"
    header = sys.modules[cls.__module__].__doc__ or ""
    assert "Checks" in header, f"{cls.__module__}: the model file's header lists its checks"
    assert spec.view in VIEWS
    assert spec.doc and all(f.doc for f in spec.fields), f"document {spec.table}'s fields"
    assert spec.single or spec.many


EVERY_PART = """
    [uart]

    [lcd]
    bus = 8
    rs = "P2.6"
    rw = "P2.5"
    e = "P2.7"
    data = "P0"

    [ds1302]
    ce = "P3.5"
    sclk = "P3.6"
    io = "P3.4"

    [[ds18b20]]
    pin = "P3.7"

    [[ds18b20]]
    pin = "P3.7"

    [[keys]]
    name = "K1"
    pin = "P1.0"

    [buzzer]
    pin = "P2.3"

    [[leds]]
    name = "D1"
    pin = "P1.7"
    """


def test_a_board_with_one_of_every_part_builds_every_model(tmp_path: Path) -> None:
    profile = load_profile(write_profile(tmp_path, EVERY_PART))
    assert {p.type for p in profile.parts} == set(REGISTRY)
    board = Board(profile, bytes.fromhex("80FE"))
    assert set(board.parts) == set(REGISTRY)
    for table, models in board.parts.items():
        assert all(model_class(REGISTRY[table]) is type(m) for m in models)
    assert [t.name for t in board.thermos] == ["ds18b20", "ds18b20_2"]
    assert board.thermos[0].rom != board.thermos[1].rom  # two sensors on one line


def test_two_sensors_on_one_pin_answer_a_search_and_a_reset_together(tmp_path: Path) -> None:
    profile = load_profile(write_profile(tmp_path, EVERY_PART))
    board = Board(profile, bytes.fromhex("80FE"))
    bus = board.bus
    c = board.cycles + 10
    bus.write_latch(3, 0x7F, c)  # the master pulls P3.7 low for a reset
    board.run_until(c + board.to_cycles(0.0006))
    bus.write_latch(3, 0xFF, board.cycles)  # release: both answer with presence
    release = board.cycles
    board.run_until(release + board.to_cycles(70e-6))
    assert bus.pin(3, 7) == 0
    assert board.violation_count == 0


def test_every_lamp_part_says_which_lights_it_has() -> None:
    """What the views draw for a "lamp" part comes from its model, so a new part type of
    that kind needs no front-end change."""
    for spec in PART_TYPES:
        if spec.view == "lamp":
            assert callable(getattr(model_class(spec), "lamps", None)), spec.table
