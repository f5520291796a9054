"""host.drift on synthetic histories: the implied rates, the rules that reject intervals
(each with its reason), the robust estimate and its uncertainty, and the history file
(versioned JSON, atomic, damaged files refused in one line and left untouched)."""

from __future__ import annotations

import json
import math
import os
import random
from pathlib import Path

import pytest

from host import drift as d
from host.errors import HistoryError
from tests.host.synthetic import DAY, HOUR, PROBE_HW, T0, Crystal

# ------------------------------------------------------------ the implied rate


def test_a_known_rate_is_recovered_exactly_without_noise() -> None:
    clock = Crystal(87.0)
    for day in (0, 1, 3, 7):
        clock.sync(day)
    est, intervals = d.analyse(clock.history)
    assert est is not None and est.count == 3 and est.span == 7 * DAY - 30
    assert est.rate == pytest.approx(87.0, abs=0.002)  # ACC is reported to 1 ms
    assert [iv.used for iv in intervals] == [False, True, True, True]
    assert intervals[0].reason.startswith("first sync")


@pytest.mark.parametrize("seed", range(12))
def test_a_known_rate_is_recovered_within_its_uncertainty_with_probe_noise(seed: int) -> None:
    truth = random.Random(seed).uniform(-250, 250)
    clock = Crystal(truth, noise=PROBE_HW, seed=seed)
    for day in (0, 0.5, 1.5, 4, 9):
        clock.sync(day)
    est, _ = d.analyse(clock.history)
    assert est is not None and est.count == 4
    assert abs(est.rate - truth) < 0.05  # 8 ms over days
    assert 0.001 < est.sigma < 0.1
    assert abs(est.rate - truth) <= 4 * est.sigma


def test_the_uncertainty_shrinks_as_the_history_grows() -> None:
    clock = Crystal(-20.0, noise=PROBE_HW)
    sigmas = []
    for day in (0, 1, 3, 7, 15, 31):
        clock.sync(day)
        est, _ = d.analyse(clock.history)
        if est is not None:
            sigmas.append(est.sigma)
    assert sigmas == sorted(sigmas, reverse=True) and sigmas[-1] < sigmas[0] / 4


def test_a_clock_already_correcting_itself_does_not_count_its_own_corrections() -> None:
    clock = Crystal(87.0, rate=80.0)  # it removes 80 ppm; the crystal runs 87
    clock.sync(0)
    sample = clock.sync(2)
    assert (sample.rate, sample.steps, sample.acc) == (80.0, -13, 0.823)  # 13.823 s removed
    assert sample.offset == pytest.approx(2.033, abs=1e-3)  # 7 ppm for 2 days, and ACC
    naive = (sample.offset - 0.0004) / (2 * DAY - 10) * 1e6  # type: ignore[operator]
    assert naive == pytest.approx(11.8, abs=0.1)  # what it showed, over time: neither 87 nor 7
    est, _ = d.analyse(clock.history)
    assert est is not None and est.rate == pytest.approx(87.0, abs=0.01)


def test_with_compensation_on_the_base_rate_at_t0_is_learned() -> None:
    # 35 C: the crystal runs 87 - 0.034 x 100 = 83.6 ppm; the clock's model removes
    # RATE + K (T - T0)^2; what is learned is the rate at T0, the one RATE holds
    clock = Crystal(87.0, rate=80.0, comp=True, temp=35.0, crystal_k=-0.034)
    clock.sync(0)
    clock.sync(1)
    clock.sync(3)
    est, intervals = d.analyse(clock.history)
    assert est is not None and est.rate == pytest.approx(87.0, abs=0.01)
    assert all(iv.used for iv in intervals[1:])


def test_a_rate_changed_by_hand_mid_interval_is_accounted_for() -> None:
    clock = Crystal(87.0, rate=50.0)
    clock.sync(0)
    # `clock51 drift rate 70` half a day in: the clock folds ACC at 50, then removes 70
    set_at = clock.history.syncs[0].time
    assert set_at is not None
    changed = set_at + DAY / 2
    clock.history.changes.append(d.Change(changed, 70.0, False))
    clock.rate = 70.0
    measured = T0 + 2 * DAY
    predicted = (50.0 * (changed - set_at) + 70.0 * (measured - changed)) * 1e-6
    steps = -math.trunc(predicted)
    shown = 0.0004 + 87e-6 * (measured - set_at) + steps
    clock.history.syncs.append(d.Sync(
        time=measured + 10, measured=measured, offset=shown, offset_err=PROBE_HW, drift=True,
        rate=70.0, acc=round(predicted + steps, 3), steps=steps, residual=0.0,
        residual_err=0.0025, k=-0.034, t0=25, rate_after=70.0))
    est, _ = d.analyse(clock.history)
    assert est is not None and est.rate == pytest.approx(87.0, abs=0.01)


def test_a_clock_without_drift_learns_from_its_plain_offsets() -> None:
    clock = Crystal(-20.0, drift=False)
    for day in (0, 1, 2):
        clock.sync(day)
    est, _ = d.analyse(clock.history)
    assert est is not None and est.rate == pytest.approx(-20.0, abs=0.001)
    assert all(s.rate == 0.0 and s.acc == 0.0 for s in clock.history.syncs)


# ------------------------------------------------------------ the rules


def test_an_interval_shorter_than_4_h_gives_no_sample() -> None:
    clock = Crystal(87.0)
    clock.sync(0)
    clock.sync(3.9 * HOUR / DAY)
    est, intervals = d.analyse(clock.history)
    assert est is None and not intervals[1].used
    assert intervals[1].reason == "too soon after the previous sync (3.9 h < 4 h)"
    clock = Crystal(87.0)
    clock.sync(0)
    clock.sync(4.01 * HOUR / DAY)
    assert d.analyse(clock.history)[1][1].used


def test_a_rate_beyond_the_plausible_bound_is_rejected() -> None:
    clock = Crystal(620.0, drift=False)
    clock.sync(0)
    clock.sync(1)
    est, intervals = d.analyse(clock.history)
    assert est is None
    assert intervals[1].reason.startswith("beyond the plausible bound (+620.0 ppm, |rate| > "
                                          "500 ppm")
    clock = Crystal(-499.0, drift=False)
    clock.sync(0)
    clock.sync(1)
    assert d.analyse(clock.history)[0] is not None


def test_a_daylight_saving_jump_is_named() -> None:
    clock = Crystal(30.0)
    clock.sync(0)
    clock.sync(1, shown_extra=-3600.0)
    reason = d.analyse(clock.history)[1][1].reason
    assert "beyond the plausible bound" in reason and "moved by -1 h" in reason


def test_an_outlier_is_rejected_with_its_reason_and_the_rest_still_gives_the_rate() -> None:
    clock = Crystal(87.0, noise=PROBE_HW)
    for day in (0, 1, 2, 3):
        clock.sync(day)
    clock.sync(4, shown_extra=0.9)  # a second set by hand, say: +10 ppm over that day
    clock.sync(5)
    clock.sync(6)
    est, intervals = d.analyse(clock.history)
    assert est is not None and est.count == 5
    bad = intervals[4]
    assert not bad.used and bad.reason.startswith("outlier: +10.")
    assert "ppm from the median +87.0" in bad.reason and "4 sigma" in bad.reason
    assert est.rate == pytest.approx(87.0, abs=0.05)


def test_two_intervals_that_disagree_are_both_kept_with_a_note() -> None:
    clock = Crystal(87.0)
    clock.sync(0)
    clock.sync(1)
    clock.sync(2, shown_extra=0.9)
    est, intervals = d.analyse(clock.history)
    assert est is not None and est.count == 2 and "disagree" in est.note
    assert est.sigma > 4  # the scatter, not the probes, sets the uncertainty


def test_an_interval_after_an_unfinished_sync_is_not_used() -> None:
    clock = Crystal(87.0)
    clock.sync(0)
    clock.sync(1)
    clock.history.syncs[-1].time = None  # killed before the SET went out
    clock.history.syncs.append(d.Sync(time=T0 + 2 * DAY, measured=T0 + 2 * DAY - 10,
                                      offset=0.1, offset_err=PROBE_HW, drift=True))
    intervals = d.analyse(clock.history)[1]
    assert intervals[1].used  # the interval it measured before dying is still good
    assert intervals[2].reason.startswith("the previous sync did not finish")


def test_a_rate_changed_outside_clock51_breaks_the_interval() -> None:
    clock = Crystal(87.0, rate=80.0)
    clock.sync(0)
    sample = clock.sync(1)
    sample.rate = 75.0
    reason = d.analyse(clock.history)[1][1].reason
    assert reason == "the clock's RATE was changed outside clock51 (expected +80.00, read +75.00)"


def test_a_set_nobody_recorded_is_recognised_from_the_clocks_own_bookkeeping() -> None:
    clock = Crystal(87.0, rate=87.0)
    clock.sync(0)
    sample = clock.sync(1)
    # set by hand 20 h in: its model has run only 4 h
    sample.acc, sample.steps = round(87e-6 * 4 * HOUR, 3), 0
    sample.offset = 0.002
    reason = d.analyse(clock.history)[1][1].reason
    assert reason.startswith("the clock was set since the previous sync (its model holds "
                             "+1.253 s of drift, RATE x time is +7.516 s")


def test_an_interval_with_no_measured_offset_is_not_used() -> None:
    clock = Crystal(87.0)
    clock.sync(0)
    clock.sync(1).offset = None
    assert d.analyse(clock.history)[1][1].reason == "the offset before this sync was not measured"


def test_intervals_older_than_the_window_are_not_used() -> None:
    clock = Crystal(87.0)
    for day in (0, 1, 2, 100, 101):
        clock.sync(day)
    intervals = d.analyse(clock.history)[1]
    assert [iv.used for iv in intervals] == [False, False, False, True, True]
    assert intervals[1].reason == "older than the 90-day window"


@pytest.mark.parametrize(("syncs", "message"), [
    ([], "need a second sync at least 4 h after the first"),
    ([0], "need a second sync at least 4 h after the first"),
    ([0, 0.1], "no usable interval yet: need a sync at least 4 h after a completed one"),
])
def test_too_few_samples_give_no_estimate_and_say_what_is_needed(syncs: list[float],
                                                                 message: str) -> None:
    clock = Crystal(87.0)
    for day in syncs:
        clock.sync(day)
    assert d.analyse(clock.history)[0] is None
    assert d.not_enough(clock.history) == message


@pytest.mark.parametrize(("pairs", "median"), [
    ([(1.0, 1.0)], 1.0), ([(1.0, 1.0), (3.0, 1.0)], 2.0), ([(5.0, 3.0), (1.0, 1.0)], 5.0),
    ([(1.0, 1.0), (2.0, 1.0), (100.0, 1.0)], 2.0), ([(3.0, 1.0), (1.0, 2.0), (2.0, 1.0)], 1.5),
])
def test_weighted_median(pairs: list[tuple[float, float]], median: float) -> None:
    assert d.weighted_median(pairs) == median


def test_the_prediction_is_the_rate_error_times_the_time_since_the_last_set() -> None:
    clock = Crystal(87.0, rate=87.0)
    clock.sync(0)
    clock.sync(1)
    est = d.Estimate(87.5, 0.1, 1, DAY)
    last = clock.history.syncs[-1].time
    assert last is not None
    guess = d.predict(clock.history, est, last + 10 * DAY)
    assert guess is not None and guess.since == 10 * DAY and guess.rate_now == 87.0
    assert guess.error == pytest.approx(0.0004 + 0.5e-6 * 10 * DAY)
    assert guess.sigma == pytest.approx(0.1e-6 * 10 * DAY)


def test_the_plot_data_is_the_crystals_own_offset_since_the_first_sync() -> None:
    clock = Crystal(87.0, rate=87.0)
    for day in (0, 1, 3):
        clock.sync(day)
    est, intervals = d.analyse(clock.history)
    points = d.free_running(clock.history, intervals, est)
    assert [pt.used for pt in points] == [True, True, True]
    assert points[-1].free == pytest.approx(87e-6 * 3 * DAY, abs=0.01)  # not what it showed


# ------------------------------------------------------------ the file


def sample_history() -> d.History:
    clock = Crystal(87.0, rate=12.5, noise=PROBE_HW)
    for day in (0, 1, 3):
        clock.sync(day, new_rate=87.0)
    clock.history.changes.append(d.Change(T0 + 4 * DAY, 80.0, True))
    return clock.history


def test_a_history_round_trips_through_its_file(tmp_path: Path) -> None:
    store = d.Store(tmp_path / "drift")
    history = sample_history()
    path = store.save(history)
    assert path == tmp_path / "drift" / "3F2A.json"
    doc = json.loads(path.read_text())
    assert (doc["format"], doc["version"], doc["clock"]) == ("clock51 drift history", 1, "3F2A")
    assert doc["syncs"][1]["time"].endswith("+00:00")
    again = store.load("3F2A")
    assert again.changes == history.changes
    for a, b in zip(again.syncs, history.syncs, strict=True):
        for name in ("time", "measured", "offset", "residual"):
            x, y = getattr(a, name), getattr(b, name)
            assert (x is None and y is None) or x == pytest.approx(y, abs=1e-3)
    assert d.analyse(again)[0].rate == pytest.approx(d.analyse(history)[0].rate, abs=1e-4)  # type: ignore[union-attr]
    assert [p.name for p in (tmp_path / "drift").iterdir()] == ["3F2A.json"]  # no temp left


def test_a_missing_file_is_an_empty_history(tmp_path: Path) -> None:
    assert d.Store(tmp_path / "nowhere").load("3F2A") == d.History("3F2A")


def good_doc() -> dict:  # type: ignore[type-arg]
    return d.to_json(sample_history())


def edit(change):  # type: ignore[no-untyped-def]
    doc = good_doc()
    change(doc)
    return json.dumps(doc).encode()


DAMAGED = [
    (b"", "(file): not JSON (line 1 column 1"),
    (b'{"format": "clock51 drift history", "version": 1,', "(file): not JSON"),
    (b"\xff\xfe{}", "(file): not UTF-8 text"),
    (b"[]", "(top level): expected an object"),
    (edit(lambda doc: doc.update(format="something else")), "format: expected"),
    (edit(lambda doc: doc.update(version=2)), "version: 2 is not the version this clock51 "
                                              "reads (1)"),
    (edit(lambda doc: doc.update(version="1")), "version: expected a whole number"),
    (edit(lambda doc: doc.pop("version")), "version: missing"),
    (edit(lambda doc: doc.update(clock="0001")), "clock: expected this clock's key"),
    (edit(lambda doc: doc.update(syncs={})), "syncs: expected a list"),
    (edit(lambda doc: doc["syncs"][1].update(offset="7.5")), "syncs[1].offset: expected a "
                                                             "number"),
    (edit(lambda doc: doc["syncs"][1].pop("acc")), "syncs[1].acc: missing"),
    (edit(lambda doc: doc["syncs"][2].update(rate=900)), "syncs[2].rate: expected a number "
                                                         "within +-300"),
    (edit(lambda doc: doc["syncs"][0].update(time="yesterday")), "syncs[0].time: expected an "
                                                                 "ISO 8601 time"),
    (edit(lambda doc: doc["syncs"][0].update(time="2026-11-24T12:00:00")), "syncs[0].time"),
    (edit(lambda doc: doc["syncs"][0].update(steps=1.5)), "syncs[0].steps: expected a whole"),
    (edit(lambda doc: doc["syncs"][0].update(drift=1)), "syncs[0].drift: expected true or "
                                                        "false"),
    (edit(lambda doc: doc["syncs"].append(7)), "syncs[3]: expected an object"),
    (edit(lambda doc: doc["changes"][0].update(comp=None)), "changes[0].comp: expected true"),
    (edit(lambda doc: doc["syncs"][1].update(offset=float("nan"))), "syncs[1].offset"),
]


@pytest.mark.parametrize(("raw", "where"), DAMAGED)
def test_a_damaged_file_is_one_line_naming_the_file_and_field_and_is_left_alone(
        tmp_path: Path, raw: bytes, where: str) -> None:
    store = d.Store(tmp_path)
    path = tmp_path / "3F2A.json"
    path.write_bytes(raw)
    with pytest.raises(HistoryError) as caught:
        store.load("3F2A")
    message = str(caught.value)
    assert "\n" not in message and str(path) in message and where in message
    assert caught.value.exit_code == 1
    assert path.read_bytes() == raw


def test_an_unwritable_folder_is_one_line_and_nothing_is_left(tmp_path: Path) -> None:
    blocker = tmp_path / "file"
    blocker.write_text("not a folder")
    store = d.Store(blocker / "drift")
    for act in (store.check_writable, lambda: store.save(sample_history())):
        with pytest.raises(HistoryError) as caught:
            act()
        assert "\n" not in str(caught.value) and str(blocker / "drift") in str(caught.value)
    assert blocker.read_text() == "not a folder"


def test_a_failed_write_leaves_the_old_file_untouched_and_no_temporary_behind(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    store = d.Store(tmp_path)
    store.save(sample_history())
    before = (tmp_path / "3F2A.json").read_bytes()

    def full_disk(src: object, dst: object) -> None:
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(os, "replace", full_disk)
    history = sample_history()
    history.syncs.pop()
    with pytest.raises(HistoryError, match="No space left on device.*left as it was"):
        store.save(history)
    assert (tmp_path / "3F2A.json").read_bytes() == before
    assert [p.name for p in tmp_path.iterdir()] == ["3F2A.json"]


def test_the_state_folder_follows_xdg(tmp_path: Path) -> None:
    assert d.default_dir({"XDG_STATE_HOME": str(tmp_path), "HOME": "/h"}) == \
        tmp_path / "clock51" / "drift"
    assert d.default_dir({"XDG_STATE_HOME": "relative/ignored", "HOME": "/h"}) == \
        Path("/h/.local/state/clock51/drift")
    assert d.default_dir({"HOME": "/h"}) == Path("/h/.local/state/clock51/drift")


def test_no_state_folder_at_all_is_one_line(monkeypatch: pytest.MonkeyPatch) -> None:
    def nowhere() -> Path:
        raise RuntimeError("Could not determine home directory.")

    monkeypatch.setattr(Path, "home", nowhere)
    with pytest.raises(HistoryError, match="--history-dir"):
        d.default_dir({})


@pytest.mark.parametrize(("key", "name"), [
    ("3F2A", "3F2A.json"), ("port:/dev/ttyUSB0", "port-dev_ttyUSB0.json"),
    ("port:socket://127.0.0.1:5151", "port-socket_127.0.0.1_5151.json"),
    ("port:COM3", "port-COM3.json"), ("port:///", "port-port.json"),
])
def test_history_file_names(key: str, name: str) -> None:
    assert d.file_name(key) == name


def test_a_new_id_is_random_and_unused(tmp_path: Path) -> None:
    store = d.Store(tmp_path)
    (tmp_path / "0001.json").write_text("{}")
    draws = iter([0, 0xFFFF, 1, 2])
    assert store.unused_id(lambda: next(draws)) == "0002"
    ids = {store.unused_id() for _ in range(50)}
    assert len(ids) > 40 and all(len(i) == 4 and i not in ("0000", "FFFF") for i in ids)

