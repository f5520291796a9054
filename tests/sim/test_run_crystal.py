"""`clock51-sim run --crystal ...` and the profile's `[ds1302] crystal_*`: the DS1302's
crystal drifts, with the room's temperature, also across runs (`--rtc-state`); bad values
are one line (exit 2 on the command line, exit 1 in a profile)."""

from __future__ import annotations

import datetime as dt
import json
import subprocess
import sys
from pathlib import Path

import pytest
from boardprofile import ProfileError, load_profile

from sim.bus.pins import PortBus
from sim.devices.crystal import Crystal
from sim.devices.ds1302 import DS1302
from sim.frontends.cli import main as sim_main
from sim.frontends.crystal import parse_crystal
from sim.machine.board import Board
from tests.buildsupport import profile_variant, write_profile

ROOT = Path(__file__).resolve().parents[2]
SJMP_SELF = bytes([0x80, 0xFE])


@pytest.mark.parametrize(("text", "fields"), [
    ("ppm=87,t0=25,k=-0.034", {"ppm": 87.0, "t0": 25.0, "k": -0.034}),
    ("ppm=87", {"ppm": 87.0}), (" K = 0 , ppm=-20.5", {"k": 0.0, "ppm": -20.5}),
    ("t0=-55", {"t0": -55.0}), ("ppm=1000", {"ppm": 1000.0}), ("k=-1", {"k": -1.0}),
])
def test_crystal_values_parse(text: str, fields: dict[str, float]) -> None:
    assert parse_crystal(text) == fields


@pytest.mark.parametrize(("value", "message"), [
    ("", "--crystal '': expected NAME=VALUE pairs such as ppm=87,t0=25,k=-0.034"),
    ("87", "--crystal '87': '87' is not NAME=VALUE (e.g. ppm=87,t0=25,k=-0.034)"),
    ("ppm=fast", "--crystal 'ppm=fast': ppm='fast' is not a number"),
    ("ppm=nan", "--crystal 'ppm=nan': ppm='nan' is not a number"),
    ("ppm=inf", "--crystal 'ppm=inf': ppm='inf' is not a number"),
    ("drift=3", "--crystal 'drift=3': unknown field 'drift' (the fields are ppm, t0, k)"),
    ("ppm=1,ppm=2", "--crystal 'ppm=1,ppm=2': ppm is given twice"),
    ("ppm=1001", "--crystal 'ppm=1001': ppm 1001 ppm is outside -1000..1000"),
    ("k=0.5,t0=126", "--crystal 'k=0.5,t0=126': t0 126 C is outside -55..125"),
    ("k=-2", "--crystal 'k=-2': k -2 ppm/C^2 is outside -1..1"),
    ("ppm=5,", "--crystal 'ppm=5,': '' is not NAME=VALUE (e.g. ppm=87,t0=25,k=-0.034)"),
])
def test_bad_crystal_values_are_one_line_and_exit_2(value: str, message: str) -> None:
    proc = subprocess.run([sys.executable, "-m", "sim.frontends.cli", "run", "x.ihx",
                           "--crystal", value, "--for", "1", "--headless"],
                          capture_output=True, text=True, cwd=ROOT)
    assert proc.returncode == 2, proc.stderr
    assert proc.stderr.splitlines() == [f"clock51-sim: error: {message}"]


def test_crystal_on_a_board_without_a_ds1302_is_one_line(
        tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    profile = write_profile(tmp_path, """
        [[leds]]
        name = "D1"
        pin = "P1.0"
        """)
    image = tmp_path / "loop.ihx"
    image.write_text(":020000008002FE7E\n:00000001FF\n")
    code = sim_main(["run", str(image), "--board", str(profile), "--crystal", "ppm=87",
                     "--for", "1", "--headless"])
    assert code == 1
    assert capsys.readouterr().err.splitlines() == [
        "clock51-sim: error: --crystal: board test has no DS1302 (its profile lists no "
        "[ds1302])"]


def test_the_profile_describes_the_crystal_and_crystal_goes_over_it(tmp_path: Path) -> None:
    path = profile_variant(tmp_path, 'io = "P3.4"',
                           'io = "P3.4"\ncrystal_ppm = 87\ncrystal_t0 = 24.5')
    assert load_profile(path).ds1302.crystal_ppm == 87.0
    assert Board(path, SJMP_SELF).rtc.crystal == Crystal(87.0, 24.5, -0.034)
    assert Board(path, SJMP_SELF, crystal={"k": 0.0}).rtc.crystal == Crystal(87.0, 24.5, 0.0)
    assert Board("reference", SJMP_SELF).rtc.crystal is None  # an ideal crystal
    assert Board("reference", SJMP_SELF, crystal={"t0": 20.0}).rtc.crystal == \
        Crystal(0.0, 20.0, -0.034)


@pytest.mark.parametrize(("line", "message"), [
    ('crystal_ppm = "fast"', "ds1302.crystal_ppm: expected a number, got 'fast'"),
    ("crystal_ppm = true", "ds1302.crystal_ppm: expected a number, got True"),
    ("crystal_ppm = nan", "ds1302.crystal_ppm: expected a number, got nan"),
    ("crystal_ppm = 1500", "ds1302.crystal_ppm: 1500 is outside -1000..1000"),
    ("crystal_k = -3", "ds1302.crystal_k: -3 is outside -1..1"),
    ("crystal_t0 = 200.5", "ds1302.crystal_t0: 200.5 is outside -55..125"),
])
def test_a_bad_crystal_in_a_profile_is_one_line(tmp_path: Path, line: str,
                                                message: str) -> None:
    path = profile_variant(tmp_path, 'io = "P3.4"', f'io = "P3.4"\n{line}')
    with pytest.raises(ProfileError) as e:
        load_profile(path)
    assert str(e.value) == f"{path}: {message}"


def offset_in(state_file: Path) -> float:
    """Clock minus true time of a saved DS1302, at the moment it was saved (s)."""
    chip = json.loads(state_file.read_text())["ds1302"]
    rtc = DS1302(PortBus(), "P3.5", "P3.6", "P3.4")
    rtc.from_state(chip)
    offset = rtc.offset_at(chip["epoch"])
    assert offset is not None
    return offset


def test_the_time_away_between_runs_drifts_at_the_crystals_rate_in_the_room(
        firmware: dict[str, Path], tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """Saved, then 10 days away: at 1000 ppm in a room at 35 C (k = -0.034: 996.6 ppm) the
    clock comes back 861.06 s fast, 1 ms more for each second it runs."""
    state = tmp_path / "rtc.json"
    image = str(firmware["reference"])
    assert sim_main(["run", image, "--rtc", "2026-03-01 12:00:00", "--rtc-state", str(state),
                     "--for", "1", "--headless"]) == 0
    assert offset_in(state) == 0.0  # an ideal crystal so far
    saved = json.loads(state.read_text())
    away = dt.timedelta(days=10)
    saved["saved_at"] = (dt.datetime.fromisoformat(saved["saved_at"]) - away).isoformat()
    state.write_text(json.dumps(saved))
    assert sim_main(["run", image, "--rtc-state", str(state), "--crystal", "ppm=1000",
                     "--temp", "35", "--for", "2", "--headless", "--lcd-text"]) == 0
    gained = 996.6e-6 * 864_000 + 996.6e-6 * 2.05  # away, then the run (--for 2 + 50 ms)
    assert offset_in(state) == pytest.approx(gained, abs=0.01)  # + our own seconds away
    shown = capsys.readouterr().out.splitlines()[-1].split()[0]
    clock = dt.datetime(2026, 3, 11, 12, 0, 3) + dt.timedelta(seconds=gained)
    assert shown in {f"{clock:%H:%M:%S}", f"{clock + dt.timedelta(seconds=1):%H:%M:%S}"}


def test_temp_on_a_board_whose_only_thermometer_is_the_crystal_changes_its_rate(
        firmware: dict[str, Path], tmp_path: Path) -> None:
    text = (ROOT / "firmware" / "boards" / "reference.toml").read_text()
    plain = tmp_path / "plain.toml"
    plain.write_text(text.replace('[ds18b20]\npin = "P3.7"', ""))
    board = Board(plain, firmware["reference"], crystal={"ppm": 0.0})
    assert board.thermo is None and board.feels_temperature
    board.set_rtc(dt.datetime(2026, 3, 1))
    board.set_temperature(15.0)  # 10 C below the turnover: -3.4 ppm
    board.run_for(10.0)
    assert board.rtc.offset_at(board.cycles) == pytest.approx(-34e-6, abs=1e-9)


def test_a_set_from_the_host_that_syncs_the_clock_keeps_the_true_time(
        firmware: dict[str, Path]) -> None:
    """The real firmware's SET, sent when the clock is 2 s fast, brings it nearer the true
    time: the true time stays what --rtc said plus the simulated time, and the offset is
    what the SET left (under a second: it was sent on the true second, give or take)."""
    from sim.frontends.endpoints import MemoryEndpoint

    endpoint = MemoryEndpoint()
    board = Board("reference", firmware["reference"], endpoint=endpoint,
                  crystal={"ppm": 1000.0, "k": 0.0})
    start = dt.datetime(2026, 3, 1, 12, 0, 0)
    board.set_rtc(start)
    board.run_for(2000.0)  # 1000 ppm: 2 s fast
    rtc = board.rtc
    assert rtc.offset_at(board.cycles) == pytest.approx(2.0, abs=1e-6)
    truth = rtc.true_datetime_at(board.cycles)
    assert truth == start + dt.timedelta(microseconds=board.cycles * 1_000_000 // board.cps)
    endpoint.feed(f"SET {truth + dt.timedelta(seconds=1):%Y-%m-%d %H:%M:%S}\r\n".encode())
    board.uart.poll(board.cycles)
    board.run_for(1.0)
    assert b"OK 2026-03-01" in endpoint.take_sent()
    assert rtc.true_datetime_at(board.cycles) == start + dt.timedelta(
        microseconds=board.cycles * 1_000_000 // board.cps)
    assert abs(rtc.offset_at(board.cycles)) < 1.0
