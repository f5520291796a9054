"""Power cut at the worst moment (issue 10 item 3): after a cut anywhere in a DS1302 write
and a reboot, the time is the old one, the new one or the "set me" state, and the settings
are the old ones, the new ones or the defaults, never a mix.

A sample of cut points per scenario and cut model runs here; the full sweep is
``python -m tests.firmware.powercut --full`` (README, "Power cuts"). The boards here are not
checked for protocol violations: a cut breaks transfers on purpose.
"""

from __future__ import annotations

from functools import cache
from pathlib import Path

import pytest

from sim.machine.board import POWER_CUTS
from tests.firmware import powercut as pc

SAMPLE = 8
SCENARIOS = {s.name: s for s in pc.SCENARIOS}


@cache
def sweep_windows(image: Path, name: str) -> tuple[pc.Sweep, list[tuple[int, int]], int]:
    sweep = pc.Sweep(image)
    spans, start = sweep.windows(SCENARIOS[name])
    return sweep, spans, start


@pytest.mark.parametrize("model", POWER_CUTS)
@pytest.mark.parametrize("name", list(SCENARIOS))
def test_power_cut_sample_never_mixes(firmware, name, model):
    sweep, spans, start = sweep_windows(firmware["reference"], name)
    assert spans, f"{name}: no DS1302 write seen"
    outcomes = {at: sweep.cut(SCENARIOS[name], model, at, start)
                for at in pc.cut_points(spans, 1, SAMPLE)}
    mixed = {at: o for at, o in outcomes.items() if o.mixed}
    assert mixed == {}, f"{name} / {model}: {len(mixed)} of {len(outcomes)} cuts mixed"


@pytest.mark.parametrize("model", POWER_CUTS)
def test_first_power_up_cut_never_leaves_the_build_date_as_a_set_time(firmware, model):
    """Every 50th cycle through the writes of a fresh chip's first boot: the clock comes back
    in the "set me" state every time (before: the build date ran as a set time, no "?")."""
    sweep, spans, start = sweep_windows(firmware["reference"], "first power-up")
    sc = SCENARIOS["first power-up"]
    got = {sweep.cut(sc, model, at, start).time for at in pc.cut_points(spans, 50, None)}
    assert got == {"set-me"}


@pytest.mark.parametrize("model", POWER_CUTS)
def test_a_cut_right_after_a_set_keeps_the_new_time_without_set_me(firmware, model):
    """Cuts 0.1 to 12 ms after the SET's clock burst (before: the "?" was cleared by a RAM
    write about 11 ms later, so these cuts kept it)."""
    sweep, spans, start = sweep_windows(firmware["reference"], "SET")
    burst_end = spans[0][1]
    cps = 11_059_200 // 12
    for ms in (0.1, 1, 3, 6, 9, 12):
        o = sweep.cut(SCENARIOS["SET"], model, burst_end + round(ms * cps / 1000), start)
        assert o.time == "new", f"cut {ms} ms after the SET: {o}"


@pytest.mark.parametrize("model", ["reset", "brownout"])
def test_alarm_save_cut_in_its_ram_write_never_mixes_old_and_new(firmware, model):
    """``ALARM 06:01`` over 07:00 OFF, cut every 7th cycle through the RAM burst that writes
    the settings (before: some cuts came back as 06:00 ON, accepted by an additive check)."""
    sweep = pc.Sweep(firmware["reference"])
    sc = SCENARIOS["ALARM"]
    writes, start = sweep.writes(sc)
    burst = [(rise, fall) for rise, fall, cmd in writes if cmd == 0xFE]
    assert burst, writes
    got = {sweep.cut(sc, model, at, start).settings for at in pc.cut_points(burst, 7, None)}
    assert "MIXED" not in got and "new" in got, got
