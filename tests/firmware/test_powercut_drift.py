"""Power cuts through the drift firmware's corrections (issue 20 item 4): after a cut
anywhere in a step at :30, a DRIFT write, a SET or the catch-up at power-up, and a reboot,
the clock's error is the ACC it reports, ACC - STEPS is what its crystal really drifted (no
second lost or doubled), RATE/K/T0/COMP/ID are the old or the new ones and the settings
are intact (tests/firmware/powercut_drift.py has the rules).

A sample here (four cuts per scenario spread over its writes, the cut models in turn); the
whole sweep is ``python -m tests.firmware.powercut --drift --full`` (README, "Power cuts").
The boards are not checked for protocol violations: a cut breaks transfers on purpose.
"""

from __future__ import annotations

from functools import cache
from pathlib import Path

import pytest

from sim.machine.board import POWER_CUTS
from tests.firmware import powercut_drift as pd
from tests.firmware.clockdriver import CLOCK_BURST_W
from tests.firmware.powercut import cut_points

SAMPLE = 4


@cache
def sweep(image: Path) -> pd.DriftSweep:
    return pd.DriftSweep(image)


@pytest.mark.parametrize("name", list(pd.BY_NAME))
def test_a_cut_in_a_drift_write_never_loses_or_doubles_a_second_nor_mixes_a_record(
        firmware, name):
    sw, sc = sweep(firmware[pd.ENV]), pd.BY_NAME[name]
    spans, _start = sw.windows(sc, lead=False)
    outcomes = {(at, model): sw.cut(sc, model, at)
                for i, at in enumerate(cut_points(spans, 1, SAMPLE))
                for model in [POWER_CUTS[i % len(POWER_CUTS)]]}
    mixed = {k: o for k, o in outcomes.items() if o.mixed}
    assert mixed == {}, f"{name}: {len(mixed)} of {len(outcomes)} cuts wrong"


@pytest.mark.parametrize("model", POWER_CUTS)
def test_a_step_cut_between_its_record_and_its_clock_write_is_redone_after_hours_away(
        firmware, model):
    """The new record copy written, the clock not: after 6 h on battery the power-up takes
    the old copy (its generation is the clock's) and catches up 6.5 s from there."""
    sc = pd.BY_NAME["step at :30"]
    sw = pd.DriftSweep(firmware[pd.ENV], off_s=6 * 3600.0)
    clk, start = sw._prepare(sc)
    log = pd.WriteLog(clk)
    clk.run(4.0)
    burst = [rise for rise, _fall, cmd in log.writes if cmd == CLOCK_BURST_W]
    assert len(burst) == 1 and burst[0] > start
    o = sw.cut(sc, model, burst[0] - 20)
    assert (o.clock, o.values, o.settings, o.time) == ("not yet", "old", "old", "ok")


def test_a_catch_up_cut_after_its_clock_write_keeps_it(firmware):
    sc = pd.BY_NAME["catch-up"]
    sw = sweep(firmware[pd.ENV])
    spans, _start = sw.windows(sc, lead=False)
    o = sw.cut(sc, "reset", spans[-1][1])
    assert (o.clock, o.time) == ("written", "ok")
