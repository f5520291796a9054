"""The --rtc-state file (sim.machine.state): versioned, read within bounds, saved atomically.

Boards here run a two-byte program (``SJMP $``): only the DS1302 model and the file matter.
"""

from __future__ import annotations

import datetime as dt
import errno
import json
import os
from pathlib import Path

import pytest

from sim.errors import StateError
from sim.machine import state as state_mod
from sim.machine.board import Board

SJMP_SELF = bytes([0x80, 0xFE])
UTC = dt.UTC
T0 = dt.datetime(2026, 11, 24, 12, 0, 0)


def board(when: dt.datetime | None = T0) -> Board:
    b = Board("reference", SJMP_SELF)
    if when is not None:
        b.set_rtc(when)
    return b


def saved(tmp_path: Path, wall: dt.datetime, name: str = "rtc.json") -> Path:
    path = tmp_path / name
    b = board()
    b.run_for(2.0)
    b.save_rtc_state(path, wall=wall)
    return path


def test_a_saved_file_carries_the_format_and_version_2(tmp_path: Path) -> None:
    path = saved(tmp_path, dt.datetime(2026, 1, 1, 10, 0, tzinfo=UTC))
    data = json.loads(path.read_text())
    assert data["format"] == "clock51-sim rtc-state" and data["version"] == 2
    assert data["saved_at"] == "2026-01-01T10:00:00+00:00"
    assert data["ds1302"]["version"] == 2 and data["ds1302"]["violations"] == []


def test_the_clock_runs_on_its_battery_between_save_and_load(tmp_path: Path) -> None:
    path = saved(tmp_path, dt.datetime(2026, 1, 1, 10, 0, tzinfo=UTC))
    b = board(None)
    b.load_rtc_state(path, wall=dt.datetime(2026, 1, 1, 10, 1, 30, tzinfo=UTC))
    assert b.rtc.datetime_at(b.cycles) == T0 + dt.timedelta(seconds=92)


def test_time_zones_of_save_and_load_do_not_matter(tmp_path: Path) -> None:
    plus2 = dt.timezone(dt.timedelta(hours=2))
    path = saved(tmp_path, dt.datetime(2026, 1, 1, 12, 0, tzinfo=plus2))
    b = board(None)
    b.load_rtc_state(path, wall=dt.datetime(2026, 1, 1, 10, 0, 30, tzinfo=UTC))
    assert b.rtc.datetime_at(b.cycles) == T0 + dt.timedelta(seconds=32)


def test_an_unversioned_file_is_read_as_version_1_and_saved_as_version_2(
        tmp_path: Path) -> None:
    path = saved(tmp_path, dt.datetime(2026, 1, 1, 10, 0, tzinfo=UTC))
    data = json.loads(path.read_text())
    local = dt.datetime(2026, 1, 1, 10, 0, tzinfo=UTC).astimezone().replace(tzinfo=None)
    v1 = {"ds1302": data["ds1302"], "cycle": data["cycle"], "saved_at": local.isoformat()}
    # the layout clock51-sim wrote before versions (the DS1302's own version 1)
    for key in ("version", "frac", "true_s", "true_cycle"):
        del v1["ds1302"][key]
    path.write_text(json.dumps(v1))
    b = board(None)
    b.load_rtc_state(path, wall=dt.datetime(2026, 1, 1, 10, 0, 10, tzinfo=UTC))
    assert b.rtc.datetime_at(b.cycles) == T0 + dt.timedelta(seconds=12)
    b.save_rtc_state(path)
    assert json.loads(path.read_text())["version"] == 2


def mutate(tmp_path: Path, change: object) -> Path:
    path = saved(tmp_path, dt.datetime(2026, 1, 1, 10, 0, tzinfo=UTC))
    data = json.loads(path.read_text())
    change(data)  # type: ignore[operator]
    path.write_text(json.dumps(data))
    return path


BAD_FILES = [
    (lambda d: d.update(version=3), "state file version 3 is not supported "
     "(this clock51-sim reads versions 1-2)"),
    (lambda d: d.update(version="2"), "state file version '2' is not supported"),
    (lambda d: d["ds1302"].update(version=3), "ds1302: state version 3 is not supported"),
    (lambda d: d["ds1302"].update(version=1), "ds1302.frac: unknown field in a version 1 "
     "state"),
    (lambda d: d["ds1302"].update(regs=[0, 0]),
     "ds1302.regs: expected a list of 7 integers, got 2 items"),
    (lambda d: d["ds1302"].update(ram=[0] * 32),
     "ds1302.ram: expected a list of 31 integers, got 32 items"),
    (lambda d: d.update(saved_at="yesterday"), "saved_at: expected an ISO 8601 time"),
    (lambda d: d.update(saved_at=17), "saved_at: expected an ISO 8601 time"),
    (lambda d: d.update(cycle=-1), "cycle: expected an integer >= 0"),
    (lambda d: d.pop("ds1302"), "ds1302: missing field"),
    (lambda d: d.update(colour=1), "colour: unknown field in a version 2 state file"),
    (lambda d: d.update(format="something else"), "format: expected 'clock51-sim rtc-state'"),
]


@pytest.mark.parametrize(("change", "message"), BAD_FILES,
                         ids=[m.split(":")[0][:30] for _, m in BAD_FILES])
def test_a_bad_file_is_one_line_naming_it_and_the_field(
        tmp_path: Path, change: object, message: str) -> None:
    path = mutate(tmp_path, change)
    b = board()
    before = b.rtc.to_state()
    with pytest.raises(StateError) as e:
        b.load_rtc_state(path)
    assert str(e.value).startswith(f"{path}: {message}"), str(e.value)
    assert "\n" not in str(e.value)
    assert b.rtc.to_state() == before


@pytest.mark.parametrize(("content", "message"), [
    (b"", "not a DS1302 state file (not JSON: Expecting value"),
    (b"\xff\xfe", "not a DS1302 state file (not JSON: 'utf-8' codec can't decode"),
    (b"[1, 2]", "not a DS1302 state file (expected a JSON object)"),
    (b"[" * 100_000 + b"]" * 100_000, "not a DS1302 state file (not JSON: maximum recursion"),
    (b" " * (state_mod.MAX_BYTES + 1), f"more than {state_mod.MAX_BYTES} bytes"),
])
def test_what_is_not_a_state_file_is_one_line(tmp_path: Path, content: bytes,
                                              message: str) -> None:
    path = tmp_path / "x.json"
    path.write_bytes(content)
    with pytest.raises(StateError) as e:
        board().load_rtc_state(path)
    assert str(e.value).startswith(f"{path}: {message}"), str(e.value)


@pytest.mark.parametrize("device", ["/dev/zero", "/dev/full"])
def test_a_device_file_is_refused_not_read_for_ever(device: str) -> None:
    with pytest.raises(StateError, match=f"^{device}: not a regular file$"):
        board().load_rtc_state(device)


def test_a_directory_is_refused(tmp_path: Path) -> None:
    with pytest.raises(StateError, match="cannot read: Is a directory"):
        board().load_rtc_state(tmp_path)


# -- atomic save ----------------------------------------------------------------------------
def fail_with_enospc(*args: object, **kwargs: object) -> None:
    raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))


@pytest.mark.parametrize("step", ["fsync", "replace", "chmod"])
def test_a_failed_save_keeps_the_old_file_and_leaves_nothing_behind(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch, step: str) -> None:
    path = saved(tmp_path, dt.datetime(2026, 1, 1, 10, 0, tzinfo=UTC))
    old = path.read_bytes()
    b = board(dt.datetime(2030, 5, 5, 5, 5, 5))
    monkeypatch.setattr(state_mod.os, step, fail_with_enospc)
    with pytest.raises(StateError) as e:
        b.save_rtc_state(path)
    assert str(e.value) == (f"{path}: cannot save the DS1302 state (No space left on "
                            "device); the file is unchanged")
    assert path.read_bytes() == old
    assert sorted(p.name for p in tmp_path.iterdir()) == ["rtc.json"]


def test_a_failed_first_save_creates_no_file(tmp_path: Path,
                                             monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(state_mod.os, "fsync", fail_with_enospc)
    with pytest.raises(StateError):
        board().save_rtc_state(tmp_path / "new.json")
    assert list(tmp_path.iterdir()) == []


def test_a_write_that_fails_halfway_leaves_the_old_file(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    path = saved(tmp_path, dt.datetime(2026, 1, 1, 10, 0, tzinfo=UTC))
    old = path.read_bytes()
    real_fdopen = os.fdopen

    class HalfWriter:
        def __init__(self, f: object) -> None:
            self.f = f

        def __enter__(self) -> HalfWriter:
            return self

        def __exit__(self, *exc: object) -> None:
            self.f.close()  # type: ignore[attr-defined]

        def write(self, data: bytes) -> None:
            self.f.write(data[:10])  # type: ignore[attr-defined]
            self.f.flush()  # type: ignore[attr-defined]
            fail_with_enospc()

    monkeypatch.setattr(state_mod.os, "fdopen",
                        lambda fd, mode: HalfWriter(real_fdopen(fd, mode)))
    with pytest.raises(StateError):
        board().save_rtc_state(path)
    assert path.read_bytes() == old
    assert sorted(p.name for p in tmp_path.iterdir()) == ["rtc.json"]


def test_a_save_keeps_the_files_permissions(tmp_path: Path) -> None:
    path = saved(tmp_path, dt.datetime(2026, 1, 1, 10, 0, tzinfo=UTC))
    path.chmod(0o600)
    board().save_rtc_state(path)
    assert path.stat().st_mode & 0o777 == 0o600


def test_a_save_through_a_symbolic_link_replaces_the_file_it_points_to(tmp_path: Path) -> None:
    target = saved(tmp_path, dt.datetime(2026, 1, 1, 10, 0, tzinfo=UTC))
    link = tmp_path / "link.json"
    link.symlink_to(target)
    board(dt.datetime(2030, 5, 5, 5, 5, 5)).save_rtc_state(link)
    assert link.is_symlink()
    b = board(None)
    b.load_rtc_state(target, wall=dt.datetime.now(UTC))
    assert b.rtc.datetime_at(b.cycles).year == 2030


def test_a_drifting_chip_round_trips_with_its_phase_and_true_time(tmp_path: Path) -> None:
    """The crystal's fraction of a cycle and the true time are saved (DS1302 version 2): a
    load with no time away goes on exactly where the save left off."""
    b = Board("reference", SJMP_SELF, crystal={"ppm": 87.3, "k": 0.0})
    b.set_rtc(T0)
    b.run_for(1234.5678)
    path = tmp_path / "rtc.json"
    saved_at = dt.datetime(2026, 1, 1, 10, 0, tzinfo=UTC)
    b.save_rtc_state(path, wall=saved_at)
    chip = json.loads(path.read_text())["ds1302"]
    assert chip["frac"] != 0 and chip["true_s"] is not None
    again = Board("reference", SJMP_SELF, crystal={"ppm": 87.3, "k": 0.0})
    again.load_rtc_state(path, wall=saved_at)
    assert again.rtc.offset_at(0) == b.rtc.offset_at(b.cycles) == pytest.approx(
        87.3e-6 * 1234.5678, abs=2e-6)
    assert again.rtc.true_datetime_at(0) == b.rtc.true_datetime_at(b.cycles)
    assert again.rtc.clock_datetime_at(0) == b.rtc.clock_datetime_at(b.cycles)
