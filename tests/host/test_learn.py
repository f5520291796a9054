"""``clock51 sync`` learning the drift and ``clock51 drift``, end to end through host.cli.main
against the stand-in clock, whose crystal drifts and which corrects itself by whole-second
steps with the RATE the host wrote; the fake time jumps days ahead between syncs."""

from __future__ import annotations

import json
from datetime import UTC
from pathlib import Path

import pytest

from host import cli
from host.client import Clock
from tests.host.fakeclock import FakeDevice, FakePort, FakeTime
from tests.host.test_cli import one_error_line

DAY = 86400.0


class Bench:
    def __init__(self, capsys: pytest.CaptureFixture[str], folder: Path, *, ppm: float = 87.0,
                 drift: bool = True, time: FakeTime | None = None) -> None:
        self.capsys = capsys
        self.folder = folder
        self.time = time or FakeTime()
        self.device = FakeDevice(self.time, drift=drift, crystal_ppm=ppm)
        self.port = FakePort(self.device)
        self.opened = 0

    def open_clock(self, port: str, baud: int, timeout: float) -> Clock:
        self.opened += 1
        return Clock(self.port, timeout=timeout, time_source=self.time)

    def run(self, *argv: str, folder: bool = True) -> tuple[int, str, str]:
        extra = ["--history-dir", str(self.folder)] if folder else []
        code = cli.main(["--port", "X", *argv, *extra], open_clock=self.open_clock,
                        time_source=self.time)
        out, err = self.capsys.readouterr()
        return code, out, err

    def sync(self, *extra: str) -> str:
        code, out, err = self.run("sync", *extra)
        assert code == 0 and err == "", err
        return out

    def days(self, n: float) -> None:
        self.time.advance(n * DAY)

    def sent(self, prefix: bytes) -> list[bytes]:
        return [line.split(b"#")[0] for line in self.port.lines_sent()
                if line.startswith(prefix)]

    def history(self, name: str | None = None) -> dict:  # type: ignore[type-arg]
        return json.loads((self.folder / (name or f"{self.device.drift_id}.json")).read_text())


@pytest.fixture
def bench(capsys: pytest.CaptureFixture[str], tmp_path: Path,
          monkeypatch: pytest.MonkeyPatch) -> Bench:
    monkeypatch.delenv(cli.ENV_PORT, raising=False)
    return Bench(capsys, tmp_path / "drift")


# ------------------------------------------------------------ learning a crystal


@pytest.mark.parametrize("ppm", [87.0, -20.0, 230.0])
def test_syncs_at_days_0_1_3_7_learn_the_crystal_within_1_ppm_and_write_it(
        capsys: pytest.CaptureFixture[str], tmp_path: Path, ppm: float) -> None:
    bench = Bench(capsys, tmp_path, ppm=ppm)
    outs = []
    for gap in (0, 1, 2, 4):
        bench.days(gap)
        outs.append(bench.sync())
    assert abs(bench.device.drift_rate - ppm) < 1.0
    assert abs(bench.device.drift_rate - ppm) < 0.1  # what it really achieves here
    assert f"RATE {bench.device.drift_rate:+.2f} ppm written to the clock" in outs[1] + outs[2] \
        + outs[3]
    assert "need a second sync at least 4 h after the first" in outs[0]
    assert "estimated rate" in outs[3] and "from 3 interval(s) over 7.0 d" in outs[3]
    # the clock now corrects itself: 30 days on, off by its ACC (< 1 s) and the rate error
    bench.days(30)
    assert abs(bench.device.offset()) < 1.0 + 0.1e-6 * 30 * DAY
    assert abs(bench.device.offset() - bench.device.drift_state(bench.time.mono())[1]) < 0.26


def test_a_clock_with_no_id_gets_one_and_its_history_is_named_after_it(bench: Bench) -> None:
    out = bench.sync()
    ident = bench.device.drift_id
    assert ident is not None and f"this clock had no ID: it is now {ident}" in out
    assert bench.sent(b"DRIFT ID") == [f"DRIFT ID {ident}".encode()]
    doc = bench.history()
    assert doc["clock"] == ident and len(doc["syncs"]) == 1
    assert doc["syncs"][0]["time"] is not None and doc["syncs"][0]["offset"] is None
    bench.days(1)
    bench.sync()
    assert bench.device.drift_id == ident and len(bench.history()["syncs"]) == 2
    assert len(bench.sent(b"DRIFT ID")) == 1


def test_the_first_sync_takes_no_extra_probes_and_a_later_one_reports_its_interval(
        bench: Bench) -> None:
    bench.sync("--verify", "0")
    assert bench.sent(b"GET") == []  # nothing to measure yet
    bench.days(1)
    out = bench.sync("--verify", "0")
    assert len(bench.sent(b"GET")) == 7  # the learning probes
    line = next(x for x in out.splitlines() if "interval of 24.0 h" in x)
    assert "offset +7.5" in line and "implied rate +87.0" in line


def test_the_rate_is_written_right_after_the_set_before_the_residual_probes(
        bench: Bench) -> None:
    bench.sync()
    bench.days(1)
    bench.sync()
    lines = [line.split(b"#")[0] for line in bench.port.lines_sent()]
    second = lines[max(i for i, x in enumerate(lines) if x.startswith(b"SET")):]
    assert second[1].startswith(b"DRIFT RATE 87.0") and second[2:] and \
        all(x == b"GET" for x in second[2:])


def test_a_clock_without_drift_is_synced_as_before_and_its_samples_recorded_with_rate_0(
        capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    bench = Bench(capsys, tmp_path, drift=False, ppm=-20.0)
    first = bench.sync()
    notes = [x for x in first.splitlines() if x.startswith("note:")]
    assert notes == ["note: this clock cannot correct itself (its firmware has no DRIFT "
                     "command): its rate is learned, not written"]
    assert first.startswith("clock set to ")
    bench.days(2)
    second = bench.sync()
    assert "estimated rate -20.0" in second and "written to the clock" not in second
    assert bench.sent(b"DRIFT ") == []  # nothing but the plain DRIFT query
    doc = bench.history("port-X.json")
    assert doc["clock"] == "port:X"
    assert all((s["drift"], s["rate"], s["acc"], s["steps"]) == (False, 0.0, 0.0, 0)
               for s in doc["syncs"])
    assert abs(bench.device.offset()) < 0.01  # synced all the same


def test_no_learn_syncs_without_any_drift_traffic_or_history(bench: Bench) -> None:
    out = bench.sync("--no-learn")
    assert "drift" not in out and bench.sent(b"DRIFT") == []
    assert not bench.folder.exists()


def test_the_history_goes_to_xdg_state_home_by_default(
        bench: Bench, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("XDG_STATE_HOME", str(tmp_path / "state"))
    code, out, err = bench.run("sync", folder=False)
    assert code == 0, err
    path = tmp_path / "state" / "clock51" / "drift" / f"{bench.device.drift_id}.json"
    assert path.exists() and str(path) in out


def test_a_rate_beyond_what_the_clock_holds_is_written_at_its_limit_and_said_so(
        capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    bench = Bench(capsys, tmp_path, ppm=420.0)
    bench.sync()
    bench.days(1)
    out = bench.sync()
    assert "estimated rate +419.9" in out
    assert "the clock corrects at most 300 ppm: writing +300.00" in out
    assert bench.device.drift_rate == 300.0
    bench.days(1)
    out = bench.sync()  # the clock removes 300: the rest is still learned as 420
    assert "estimated rate +419.9" in out and bench.device.drift_rate == 300.0


def test_learning_with_calibrate_records_the_second_set(bench: Bench) -> None:
    bench.device.set_delay = 0.004
    bench.sync("--verify", "6", "--calibrate")
    bench.days(1)
    out = bench.sync("--verify", "6", "--calibrate")
    assert "calibrated: SET compensated by " in out
    last = bench.history()["syncs"][-1]
    final = bench.device.sets[-1][1]
    assert last["time"].startswith(final.astimezone().astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S"))
    assert abs(last["residual"]) <= 0.002 and abs(bench.device.drift_rate - 87.0) < 0.2


def test_every_rejection_is_one_line(bench: Bench) -> None:
    bench.sync()
    bench.time.advance(3600)
    out = bench.sync()
    assert "not used: too soon after the previous sync (1.0 h < 4 h)" in out
    assert "no rate yet: no usable interval yet" in out
    assert bench.device.drift_rate == 0.0


# ------------------------------------------------------------ faults


def test_a_damaged_history_stops_the_sync_before_anything_is_written(bench: Bench) -> None:
    bench.sync()
    path = bench.folder / f"{bench.device.drift_id}.json"
    damaged = path.read_bytes().replace(b'"version": 1', b'"version": 7')
    path.write_bytes(damaged)
    sets = len(bench.device.sets)
    bench.days(1)
    code, out, err = bench.run("sync")
    assert (code, out) == (1, "")
    assert str(path) in one_error_line(err) and "version: 7 is not the version" in err
    assert path.read_bytes() == damaged
    assert len(bench.device.sets) == sets and bench.sent(b"DRIFT RATE") == []


def test_an_unwritable_history_folder_stops_the_sync_before_anything_is_written(
        bench: Bench, tmp_path: Path) -> None:
    (tmp_path / "blocker").write_text("a file")
    code, out, err = bench.run("sync", "--history-dir", str(tmp_path / "blocker" / "drift"),
                               folder=False)
    assert (code, out) == (1, "")
    assert "cannot write drift histories in" in one_error_line(err)
    assert bench.device.sets == [] and bench.device.drift_id is None


def test_a_sync_killed_before_its_set_is_recognised_by_the_next_one(bench: Bench) -> None:
    bench.sync()
    bench.days(1)
    real = bench.time.sleep_until

    def killed(deadline: float) -> None:
        if bench.device.buffer.startswith(b"SET"):  # the SET line waits for its final byte
            raise KeyboardInterrupt
        real(deadline)

    bench.time.sleep_until = killed  # type: ignore[method-assign]
    code, _, err = bench.run("sync")
    assert code == 130 and err == "clock51: error: interrupted\n"
    doc = bench.history()
    assert doc["syncs"][-1]["time"] is None and doc["syncs"][-1]["offset"] > 7
    bench.time.sleep_until = real  # type: ignore[method-assign]
    bench.days(1)
    out = bench.sync()
    assert "not used: the previous sync did not finish" in out
    assert len(bench.history()["syncs"]) == 3


def test_a_second_stepped_during_the_probes_is_measured_again(bench: Bench) -> None:
    bench.sync()
    bench.days(1)
    bench.sync()  # RATE 87 from this set on: a step back every 11490 s
    dev = bench.device
    eighth_step = dev.sets[-1][0] + 8 / (dev.drift_rate * 1e-6)
    bench.time.advance_to(eighth_step - 2.0)  # due 2 s into the next sync: in its probes
    out = bench.sync()
    assert "the clock stepped a second during the probes" in out
    line = next(x for x in out.splitlines() if "implied rate" in x)
    implied = float(line.split("implied rate ")[1].split()[0])
    assert abs(implied - 87.0) < 0.2  # not a second off (that would be 11 ppm)


def test_a_garbled_drift_answer_stops_the_sync_and_names_no_learn(bench: Bench) -> None:
    answer = bench.device._drift

    def odd_firmware(args: list[str], at: float) -> str:
        return "OK DRIFT 87" if not args else answer(args, at)

    bench.device._drift = odd_firmware  # type: ignore[method-assign]
    code, out, err = bench.run("sync")
    assert (code, out) == (1, "")
    assert "expected 'DRIFT ID" in one_error_line(err) and "--no-learn" in err
    assert bench.device.sets == []
    assert bench.run("sync", "--no-learn")[0] == 0 and len(bench.device.sets) == 1


def test_a_rate_write_lost_on_the_line_is_read_back_and_the_next_interval_still_counts(
        bench: Bench) -> None:
    bench.sync()
    bench.days(1)
    answer = bench.device._drift

    def lose_rate_writes(args: list[str], at: float) -> str:
        if args[:1] == ["RATE"]:
            bench.port.replies = [None]  # neither applied nor answered: lost on the line
            return bench.device._drift_reply(at)
        return answer(args, at)

    bench.device._drift = lose_rate_writes  # type: ignore[method-assign]
    code, out, err = bench.run("sync")
    assert code == 1 and "clock set to" in out
    assert "no answer" in one_error_line(err) and "the clock still shows ID" in err
    assert bench.history()["syncs"][-1]["rate_after"] == 0.0  # as read back
    bench.device._drift = answer  # type: ignore[method-assign]
    bench.days(1)
    out = bench.sync()
    assert "implied rate +87.0" in out and "RATE +87.0" in out


def test_a_rate_write_not_taken_exits_1_with_the_sync_recorded(bench: Bench) -> None:
    bench.sync()
    bench.days(1)
    answer = bench.device._drift

    def refuse_rates(args: list[str], at: float) -> str:
        return bench.device._drift_reply(at) if args[:1] == ["RATE"] else answer(args, at)

    bench.device._drift = refuse_rates  # type: ignore[method-assign]
    code, out, err = bench.run("sync")
    assert code == 1 and "clock set to" in out
    assert "was not taken as asked" in one_error_line(err) and "sync recorded" in err
    last = bench.history()["syncs"][-1]
    assert last["time"] is not None and last["rate_after"] == 0.0
    assert last["residual"] is not None


# ------------------------------------------------------------ clock51 drift


def learned(bench: Bench) -> None:
    for gap in (0, 1, 2, 4):
        bench.days(gap)
        bench.sync()


def test_drift_shows_samples_estimate_rate_in_the_clock_and_the_predicted_error(
        bench: Bench) -> None:
    learned(bench)
    bench.days(2)
    code, out, err = bench.run("drift")
    assert code == 0, err
    lines = out.splitlines()
    ident = bench.device.drift_id
    assert lines[0] == f"clock {ident}: 4 sync(s) in {bench.folder / f'{ident}.json'}"
    assert lines[1].split() == ["sync", "set", "at", "(local)", "interval", "offset", "before",
                                "implied", "rate", "used", "or", "why", "not"]
    assert lines[2].endswith("first sync: it starts the first interval")
    assert "24.0 h" in lines[3] and "+87.0" in lines[3] and lines[3].endswith("used")
    assert lines[6].startswith("estimated rate +87.0") and "3 interval(s) over 7.0 d" in lines[6]
    assert lines[7].startswith(f"rate in the clock {bench.device.drift_rate:+.2f} ppm (COMP OFF")
    assert lines[8].startswith("predicted error now +0.0") and "2.0 d since the last sync" in \
        lines[8]


def test_drift_by_id_reads_only_the_file(bench: Bench) -> None:
    learned(bench)
    ident = bench.device.drift_id
    assert ident is not None
    bench.opened = 0
    code = cli.main(["drift", "--id", ident.lower(), "--history-dir", str(bench.folder)],
                    time_source=bench.time)
    out = bench.capsys.readouterr().out
    assert code == 0 and bench.opened == 0
    assert "rate in the clock: not read (--id" in out and "estimated rate +87.0" in out


def test_drift_without_a_history_says_how_to_start_one(bench: Bench) -> None:
    code, out, _ = bench.run("drift")
    assert code == 0 and "no ID yet" in out
    bench.device.drift_id = "1234"
    code, out, _ = bench.run("drift")
    assert code == 0 and out.startswith("no drift history for clock 1234")


def test_drift_plot_draws_a_png(bench: Bench, tmp_path: Path) -> None:
    pytest.importorskip("matplotlib")
    from PIL import Image

    learned(bench)
    target = tmp_path / "drift.png"
    code, out, err = bench.run("drift", "--plot", str(target))
    assert code == 0, err
    assert out.endswith(f"plot written to {target}\n")
    with Image.open(target) as image:
        assert image.format == "PNG" and image.size == (800, 600)


def test_drift_plot_without_matplotlib_is_one_line_before_the_clock_is_opened(
        bench: Bench, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    import importlib.util

    real = importlib.util.find_spec
    monkeypatch.setattr(importlib.util, "find_spec",
                        lambda name, *a: None if name == "matplotlib" else real(name, *a))
    code, out, err = bench.run("drift", "--plot", str(tmp_path / "x.png"))
    assert (code, out) == (1, "")
    assert "needs matplotlib" in one_error_line(err)
    assert bench.opened == 0 and not (tmp_path / "x.png").exists()


def test_drift_plot_to_an_unwritable_place_is_one_line(bench: Bench, tmp_path: Path) -> None:
    pytest.importorskip("matplotlib")
    learned(bench)
    code, _, err = bench.run("drift", "--plot", str(tmp_path / "no" / "such" / "x.png"))
    assert code == 1 and "cannot write the plot" in one_error_line(err)


@pytest.mark.parametrize(("argv", "field", "value"), [
    (["drift", "rate", "-20.5"], "drift_rate", -20.5),
    (["drift", "rate", "+87"], "drift_rate", 87.0),
    (["drift", "k", "-0.04"], "drift_k", -0.04),
    (["drift", "t0", "20"], "drift_t0", 20),
    (["drift", "comp", "ON"], "drift_comp", True),
    (["drift", "id", "beef"], "drift_id", "BEEF"),
])
def test_drift_settings_by_hand(bench: Bench, argv: list[str], field: str,
                                value: object) -> None:
    code, out, err = bench.run(*argv)
    assert code == 0, err
    assert getattr(bench.device, field) == value
    assert out.startswith("ID ") and " RATE " in out and " T0 " in out


def test_a_rate_set_by_hand_between_syncs_is_recorded_and_learning_stays_exact(
        bench: Bench) -> None:
    bench.sync()
    bench.days(0.5)
    assert bench.run("drift", "rate", "60")[0] == 0
    doc = bench.history()
    assert [c["rate"] for c in doc["changes"]] == [60.0]
    bench.days(1.5)
    out = bench.sync()
    assert "implied rate +87.0" in out and "+87.0" in out.split("estimated rate")[1][:8]


def test_a_rate_changed_behind_clock51s_back_breaks_that_interval(bench: Bench) -> None:
    bench.sync()
    bench.days(1)
    assert bench.run("raw", "DRIFT RATE 40", folder=False)[0] == 0
    bench.days(1)
    out = bench.sync()
    assert "RATE was changed outside clock51 (expected +0.00, read +40.00)" in out


def test_a_set_between_syncs_is_seen_from_the_clocks_bookkeeping(bench: Bench) -> None:
    learned(bench)
    bench.days(0.5)
    assert bench.run("sync", "--no-learn")[0] == 0  # sets the clock, records nothing
    bench.days(0.5)
    out = bench.sync()
    assert "not used: the clock was set since the previous sync" in out
    assert abs(bench.device.drift_rate - 87.0) < 0.1


@pytest.mark.parametrize("argv", [
    ["drift", "rate"], ["drift", "rate", "300.01"], ["drift", "rate", "1.234"],
    ["drift", "rate", "fast"], ["drift", "k", "0.2"], ["drift", "k", "-0.0345"],
    ["drift", "t0", "64"], ["drift", "t0", "-1"], ["drift", "comp", "maybe"],
    ["drift", "id", "0000"], ["drift", "id", "12345"], ["drift", "show", "1"],
    ["drift", "rate", "5", "--plot", "x.png"], ["drift", "--id", "zz"], ["drift", "bogus"],
])
def test_drift_usage_errors_exit_2_before_anything_is_opened(bench: Bench,
                                                             argv: list[str]) -> None:
    code, out, err = bench.run(*argv)
    assert (code, out) == (2, "")
    one_error_line(err)
    assert bench.opened == 0


def test_drift_on_a_clock_without_the_feature_is_one_line(
        capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    bench = Bench(capsys, tmp_path, drift=False)
    code, out, err = bench.run("drift", "rate", "5")
    assert (code, out) == (1, "")
    assert "no drift feature" in one_error_line(err)
    code, out, err = bench.run("drift")
    assert code == 0 and out.startswith("no drift history for the clock on X")


def test_compensation_on_without_a_sensor_is_one_line(bench: Bench) -> None:
    bench.device.temp = None
    code, out, err = bench.run("drift", "comp", "on")
    assert (code, out) == (1, "")
    assert "has no DS18B20" in one_error_line(err)


def test_a_history_damaged_stops_a_manual_rate_change_before_the_write(bench: Bench) -> None:
    bench.sync()
    path = bench.folder / f"{bench.device.drift_id}.json"
    path.write_text("{")
    code, _, err = bench.run("drift", "rate", "10")
    assert code == 1 and "not JSON" in one_error_line(err)
    assert bench.device.drift_rate == 0.0 and path.read_text() == "{"



def test_the_figures_script_prints_the_learned_rates_beside_the_truth(
        capsys: pytest.CaptureFixture[str]) -> None:
    from tests.host import drift_figures

    assert drift_figures.main(["--quick"]) == 0
    out = capsys.readouterr().out
    rows = [line.split() for line in out.splitlines() if line.lstrip().startswith(("+", "-"))]
    assert [row[0] for row in rows] == ["+87.00", "-20.00", "+230.00"]
    assert all(abs(float(row[2])) < 1.0 for row in rows)  # within the 1 ppm goal
    assert "truth within 1 sigma" in out
