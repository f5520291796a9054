"""The drift benchmark's plumbing (``python -m sim.measure.drift``) on short scenarios: the
real host code learning from the real firmware on a board powered only around each sync,
the DS1302 drifting on its battery in between; a few simulated days in seconds. The
month-long figures are the benchmark's own (README "Benchmarks")."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from sim.measure import drift as bench_mod
from sim.measure.drift import NO_DRIFT, Bench, Run, crystal_error, figures, in_utc, table

ROOT = Path(__file__).resolve().parents[2]
DAY = 86_400.0


@pytest.fixture
def bench(firmware: dict[str, Path]) -> Bench:
    return Bench(firmware["reference_nodrift"], sync_days=(0.0, 0.25, 0.5), after_days=2.0)


def test_the_host_learns_the_crystal_and_the_clock_drifts_on_its_battery(bench: Bench) -> None:
    with in_utc():
        run = bench.run(Run(230.0, learn=True, use="unpowered"))
    assert run.drift is False  # today's firmware: ERR unknown command
    assert run.learned is not None and abs(run.learned - 230.0) < 1.0  # 6 h intervals
    assert run.expected == pytest.approx(230e-6 * 2 * DAY)  # 39.744 s
    assert run.error == pytest.approx(run.expected, abs=0.005)  # + the last sync's residual
    # the model's true time: set by the first sync (which moved the clock 3 s), kept since
    assert run.model_offset == pytest.approx(run.error, abs=0.002)
    assert any("note: this clock cannot correct itself" in out for out in run.outputs)


def test_the_shipped_firmware_learns_its_crystal_and_corrects_it_on_its_battery(
        firmware: dict[str, Path]) -> None:
    """The same scenario on the reference build (every shipped board has the drift feature):
    the host writes the learned rate, the clock steps itself while unpowered (the catch-up
    at the last power-up, by whole seconds), and two days later it is within a second
    instead of 40 s."""
    bench = Bench(firmware["reference"], sync_days=(0.0, 0.25, 0.5), after_days=2.0)
    with in_utc():
        run = bench.run(Run(230.0, learn=True, use="unpowered"))
    assert run.drift is True
    assert run.learned is not None and abs(run.learned - 230.0) < 1.0
    assert run.expected == pytest.approx(230e-6 * 2 * DAY)  # 39.744 s uncorrected
    assert run.error is not None and abs(run.error) < 1.0  # whole-second steps


def test_a_clock_in_daily_use_in_a_swinging_room_drifts_by_the_parabola(bench: Bench) -> None:
    with in_utc():
        run = bench.run(Run(-20.0, learn=False, swing=True, use="daily"))
    # -20 ppm and -0.034 x (T - 25)^2 over two days of hourly steps between 15 and 30 C
    assert run.expected == pytest.approx(crystal_error(-20.0, 0.5 * DAY, 2.5 * DAY,
                                                       lambda s: 25.0) - 2 * DAY * 1.169e-6,
                                         abs=0.01)
    assert run.error == pytest.approx(run.expected, abs=0.005)
    assert run.learned is None and all("drift:" not in out for out in run.outputs)


def test_the_swing_is_hourly_steps_of_a_sine_coldest_at_four() -> None:
    steps = bench_mod.hourly_swing(0.0, DAY)
    assert steps[0] == (0.0, round(bench_mod.swing_c(11.5), 4))  # START is noon
    values = [c for _, c in steps]
    assert min(values) == pytest.approx(15.0, abs=0.1) and max(values) == pytest.approx(
        30.0, abs=0.1)
    coldest = steps[values.index(min(values))][0]
    assert coldest in (15 * 3600, 16 * 3600)  # the hours either side of 04:00 next morning


def test_the_corrected_column_is_filled_only_when_the_firmware_has_drift(
        monkeypatch: pytest.MonkeyPatch, bench: Bench) -> None:
    for has in (False, True):
        def fake(scenario: Run, has: bool = has) -> Run:
            scenario.drift = has
            scenario.error = 0.5 if scenario.learn else 225.504
            scenario.expected = 225.504
            scenario.learned, scenario.learned_sigma = 87.01, 0.01
            return scenario
        monkeypatch.setattr(bench, "run", fake)
        rows, drift = figures(bench, [87.0])
        assert drift is has and len(rows) == 4
        assert rows[0].corrected == "learned +87.01 ppm +- 0.01 (error +0.01)"
        assert [r.uncorrected for r in rows[1:]] == ["+225.504 s"] * 3
        assert [r.corrected for r in rows[1:]] == (["+0.500 s"] * 3 if has else [NO_DRIFT] * 3)
        assert all(line.startswith(("scenario", "---", "rate", "error", "2 d"))
                   for line in table(rows))


def test_the_command_prints_the_table_with_todays_na_column(firmware: dict[str, Path]) -> None:
    proc = subprocess.run([sys.executable, "-m", "sim.measure.drift",
                           str(firmware["reference_nodrift"]), "--ppm", "87",
                           "--sync-days", "0,0.25", "--after-days", "1"],
                          capture_output=True, text=True, cwd=ROOT, timeout=300)
    assert proc.returncode == 0, proc.stderr
    lines = proc.stdout.splitlines()
    assert "answers ERR unknown command to DRIFT" in lines[0]
    unpowered = next(x for x in lines if x.startswith("1 d unpowered after learning"))
    assert "+7.517 s" in unpowered and NO_DRIFT in unpowered  # 87 ppm x 1 day, twice


@pytest.mark.parametrize("argv", [["--ppm", "x"], ["--sync-days", "1,2"],
                                  ["--sync-days", "0,0"], ["--after-days", "0"],
                                  ["--after-days", "soon"], ["--frobnicate"]])
def test_bad_arguments_are_one_line_and_exit_2(argv: list[str]) -> None:
    proc = subprocess.run([sys.executable, "-m", "sim.measure.drift", *argv],
                          capture_output=True, text=True, cwd=ROOT, timeout=60)
    assert proc.returncode == 2
    (line,) = proc.stderr.splitlines()
    assert line.startswith("python -m sim.measure.drift: error: ")


def test_a_missing_image_is_one_line_and_exit_1(tmp_path: Path) -> None:
    proc = subprocess.run([sys.executable, "-m", "sim.measure.drift",
                           str(tmp_path / "none.ihx")], capture_output=True, text=True,
                          cwd=ROOT, timeout=60)
    assert proc.returncode == 1
    assert proc.stderr.splitlines() == [f"python -m sim.measure.drift: error: "
                                        f"{tmp_path / 'none.ihx'}: no such file"]
