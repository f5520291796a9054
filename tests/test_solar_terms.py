"""The 24 solar terms 2000-2099: the committed table against astronomy, a second opinion,
the firmware's encoding of it, and the festival names.

The firmware's term table is fitted at build time (firmware/tools/solartable.py) from the
committed day table firmware/tools/solar_terms.txt; these tests prove that table equal to the
astronomy (the Swiss Ephemeris, pyswisseph) for all 2400 terms, list where the calendar
library sxtwl decides a day differently (only when the instant is within two minutes of
midnight, where Delta T decides), and prove the encoding exact.
"""

from __future__ import annotations

import datetime as dt
import importlib.util
from pathlib import Path
from types import ModuleType

import pytest

TOOLS = Path(__file__).resolve().parent.parent / "firmware" / "tools"


def _tool(name: str) -> ModuleType:
    spec = importlib.util.spec_from_file_location(f"clock51_{name}_t", TOOLS / f"{name}.py")
    assert spec and spec.loader
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    return mod


oracle = _tool("solar_oracle")
table = _tool("solartable")

# Where sxtwl (寿星天文历) puts a term on another day than the astronomy: (year, term) ->
# (the Swiss Ephemeris' instant, sxtwl's instant), both UTC+8. README "Solar terms" lists it.
DISAGREE = {
    (2084, 5): ("2084-03-20 00:00:31", "2084-03-19 23:58:51"),      # ChunFen
}


@pytest.fixture(scope="module")
def instants() -> dict[tuple[int, int], dt.datetime]:
    return oracle.instants()


@pytest.fixture(scope="module")
def committed() -> dict[tuple[int, int], int]:
    return oracle.read_table()


def test_the_committed_table_is_the_astronomy_for_all_2400_terms(instants, committed):
    assert len(committed) == 2400
    wrong = [f"{y} {oracle.TERM_NAMES[k][0]}: table {committed[(y, k)]}, "
             f"astronomy {when}" for (y, k), when in sorted(instants.items())
             if committed[(y, k)] != when.day]
    assert not wrong, "\n".join(wrong)


def test_every_term_falls_in_its_month_at_its_longitude(instants):
    import swisseph as swe

    for (y, k), when in instants.items():
        assert when.month == k // 2 + 1
        utc = when - dt.timedelta(hours=8)
        jd = swe.julday(utc.year, utc.month, utc.day,
                        utc.hour + utc.minute / 60 + utc.second / 3600)
        lon = swe.calc_ut(jd, swe.SUN, swe.FLG_MOSEPH)[0][0]
        off = (lon - oracle.longitude(k) + 180) % 360 - 180
        assert abs(off) < 0.001, (y, k, lon)            # 0.001 degree: 24 s of time


def test_known_published_terms(instants):
    # instants published by observatories (Purple Mountain / HKO almanacs), UTC+8
    known = {(2008, 9): "2008-05-21 00:00", (2021, 23): "2021-12-21 23:59",
             (2024, 5): "2024-03-20 11:06", (2026, 2): "2026-02-04 04:02"}
    for key, text in known.items():
        want = dt.datetime.fromisoformat(text)
        assert abs((instants[key] - want).total_seconds()) < 90, (key, instants[key])


def test_the_second_opinion_agrees_but_on_the_listed_midnight_instants(instants, committed):
    other = oracle.second_opinion()
    differ = {key for key in committed if other[key] != committed[key]}
    assert differ == set(DISAGREE)
    theirs = oracle.second_opinion_instants()
    for key, (ours, sxtwl) in DISAGREE.items():
        assert instants[key] == dt.datetime.fromisoformat(ours)
        assert theirs[key] == dt.datetime.fromisoformat(sxtwl)
        midnight = dt.datetime.combine(instants[key].date(), dt.time())
        assert abs((instants[key] - midnight).total_seconds()) < 120


def test_the_firmware_encoding_gives_every_day(committed):
    t = table.build_table(committed)
    fixes = {(f["year"], f["term"]): f["delta"] for f in t["fixes"]}
    for (y, k), day in committed.items():
        assert table.term_day(y - 2000, k, t["c"], fixes) == day
    assert t["table_bytes"] == 72


def test_the_encoding_fails_loudly_on_a_table_it_cannot_hold(committed):
    bad = dict(committed)
    for y in (2040, 2041):                  # two years off the line for one term
        bad[(y, 7)] += 2
    with pytest.raises(AssertionError):
        table.build_table(bad)


def test_names_print_from_heads_and_tails():
    t = table.build_table()
    assert len(t["heads"]) == len(t["tails"]) == 16
    for name, codes in zip(t["names"], t["name_codes"], strict=True):
        assert table.print_name(codes) == name
    assert max(len(n) for n in t["names"]) == len("ShuangJiang")


def test_the_table_file_round_trips(committed, tmp_path):
    path = tmp_path / "terms.txt"
    path.write_text(oracle.render_table(committed))
    assert oracle.read_table(path) == committed
    path.write_text("2000 1 2 3\n")
    with pytest.raises(ValueError, match="want a year and 24 days"):
        oracle.read_table(path)
