"""The 24 solar terms (节气) 2000-2099 from astronomy: the oracle of the firmware's term table.

A solar term is the instant the Sun's apparent geocentric ecliptic longitude (true equinox
of date: light time, aberration and nutation included) reaches a multiple of 15 degrees;
its day is the calendar day of that instant in China Standard Time (UTC+8).

The astronomy is the Swiss Ephemeris (PyPI ``pyswisseph``) with its built-in analytic
ephemeris (Moshier's, no data files; about 0.1" for the Sun, i.e. a few seconds of time)
and its Delta T model: ``swe.solcross_ut`` returns the crossing instant in UT. Beyond the
present Delta T is a prediction (86 s in 2084): instants within a minute or two of midnight
are uncertain by that much, and the README lists the ones where the calendar libraries
decide the other way.

The second opinion is ``sxtwl`` (寿星天文历, its own VSOP87 series and Delta T), see
``second_opinion()``; tests/test_solar_terms.py checks both against the committed table.

Term index k = 0..23 in Gregorian-year order, from 小寒 (XiaoHan, 285 degrees) to 冬至
(DongZhi, 270 degrees): term k falls in month k // 2 + 1, every year.

Run as a script to (re)write the committed table (firmware/tools/solar_terms.txt) that the
build reads (firmware/tools/solartable.py), so the firmware build needs no astronomy package:

    .venv/bin/python firmware/tools/solar_oracle.py --write
"""

from __future__ import annotations

import argparse
import datetime as dt
import sys
from pathlib import Path

FIRST_YEAR = 2000
LAST_YEAR = 2099
TERMS = 24
CST_HOURS = 8
TABLE = Path(__file__).resolve().parent / "solar_terms.txt"

# (pinyin as the clock shows it, Chinese) in term order: k = 0 is XiaoHan at 285 degrees
TERM_NAMES = [
    ("XiaoHan", "小寒"), ("DaHan", "大寒"), ("LiChun", "立春"), ("YuShui", "雨水"),
    ("JingZhe", "惊蛰"), ("ChunFen", "春分"), ("QingMing", "清明"), ("GuYu", "谷雨"),
    ("LiXia", "立夏"), ("XiaoMan", "小满"), ("MangZhong", "芒种"), ("XiaZhi", "夏至"),
    ("XiaoShu", "小暑"), ("DaShu", "大暑"), ("LiQiu", "立秋"), ("ChuShu", "处暑"),
    ("BaiLu", "白露"), ("QiuFen", "秋分"), ("HanLu", "寒露"), ("ShuangJiang", "霜降"),
    ("LiDong", "立冬"), ("XiaoXue", "小雪"), ("DaXue", "大雪"), ("DongZhi", "冬至"),
]


def longitude(k: int) -> int:
    """The Sun's apparent longitude (degrees) at term k."""
    return (285 + 15 * k) % 360


def instants() -> dict[tuple[int, int], dt.datetime]:
    """{(year, k): the term's instant in UTC+8 (naive datetime)} for 2000..2099."""
    import swisseph as swe

    out: dict[tuple[int, int], dt.datetime] = {}
    for year in range(FIRST_YEAR, LAST_YEAR + 1):
        for k in range(TERMS):
            # start the search ~10 days before the term's month-day (it finds the next one)
            start = swe.julday(year, 1, 1, 0.0) - 10.0 + 15.2 * k
            jd_ut = swe.solcross_ut(float(longitude(k)), start, swe.FLG_MOSEPH)
            y, m, d, h = swe.revjul(jd_ut + CST_HOURS / 24.0)
            when = dt.datetime(y, m, d) + dt.timedelta(hours=h)
            assert when.year == year and when.month == k // 2 + 1, (year, k, when)
            out[(year, k)] = when.replace(microsecond=0)
    return out


def term_days() -> dict[tuple[int, int], int]:
    """{(year, k): day of the month (UTC+8)} from the astronomy."""
    return {key: when.day for key, when in instants().items()}


def second_opinion() -> dict[tuple[int, int], int]:
    """{(year, k): day of the month} from sxtwl's own term instants (寿星天文历, UTC+8)."""
    import sxtwl

    out: dict[tuple[int, int], int] = {}
    for year in range(FIRST_YEAR - 1, LAST_YEAR + 2):
        for q in sxtwl.getJieQiByYear(year):
            t = sxtwl.JD2DD(q.jd)
            if FIRST_YEAR <= int(t.Y) <= LAST_YEAR:
                out[(int(t.Y), (q.jqIndex - 1) % TERMS)] = int(t.D)   # sxtwl: 冬至 = 0
    return out


def second_opinion_instants() -> dict[tuple[int, int], dt.datetime]:
    """{(year, k): sxtwl's instant (UTC+8)}, for reporting disagreements."""
    import sxtwl

    out: dict[tuple[int, int], dt.datetime] = {}
    for year in range(FIRST_YEAR - 1, LAST_YEAR + 2):
        for q in sxtwl.getJieQiByYear(year):
            t = sxtwl.JD2DD(q.jd)
            if FIRST_YEAR <= int(t.Y) <= LAST_YEAR:
                when = dt.datetime(int(t.Y), int(t.M), int(t.D), int(t.h), int(t.m)) + \
                    dt.timedelta(seconds=float(t.s))
                out[(int(t.Y), (q.jqIndex - 1) % TERMS)] = when.replace(microsecond=0)
    return out


def read_table(path: Path = TABLE) -> dict[tuple[int, int], int]:
    """The committed table: {(year, k): day of the month}. Lines: year, then 24 days."""
    out: dict[tuple[int, int], int] = {}
    for n, line in enumerate(path.read_text().splitlines(), 1):
        line = line.split("#", 1)[0].strip()
        if not line:
            continue
        fields = [int(f) for f in line.split()]
        if len(fields) != TERMS + 1:
            raise ValueError(f"{path}:{n}: want a year and {TERMS} days, got {len(fields)}")
        for k, day in enumerate(fields[1:]):
            out[(fields[0], k)] = day
    want = {(y, k) for y in range(FIRST_YEAR, LAST_YEAR + 1) for k in range(TERMS)}
    if set(out) != want:
        raise ValueError(f"{path}: not every year {FIRST_YEAR}..{LAST_YEAR} once")
    return out


def render_table(days: dict[tuple[int, int], int]) -> str:
    head = [
        "# The 24 solar terms' days of the month in China Standard Time (UTC+8), 2000-2099.",
        "# GENERATED by firmware/tools/solar_oracle.py --write from the Swiss Ephemeris",
        "# (pyswisseph, Moshier ephemeris, its Delta T); tests/test_solar_terms.py checks",
        "# it against that computation. Read at build time by firmware/tools/solartable.py.",
        "# Columns: year, then terms k = 0..23 (term k is in month k // 2 + 1):",
        "#      " + " ".join(name[:2] for name, _ in TERM_NAMES),
    ]
    rows = [f"{y} " + " ".join(f"{days[(y, k)]:2d}" for k in range(TERMS))
            for y in range(FIRST_YEAR, LAST_YEAR + 1)]
    return "\n".join(head + rows) + "\n"


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    ap.add_argument("--write", action="store_true", help=f"rewrite {TABLE.name}")
    ap.add_argument("--near", type=float, default=0.0, metavar="MINUTES",
                    help="list the terms within MINUTES of midnight")
    args = ap.parse_args(argv)
    when = instants()
    days = {key: w.day for key, w in when.items()}
    if args.write:
        tmp = TABLE.with_suffix(".tmp")
        tmp.write_text(render_table(days))
        tmp.replace(TABLE)
        print(f"wrote {TABLE}")
    if args.near:
        for (y, k), w in sorted(when.items()):
            midnight = w.replace(hour=0, minute=0, second=0)
            off = (w - midnight).total_seconds()
            off = off if off < 43200 else off - 86400
            if abs(off) <= args.near * 60:
                print(f"{y} {TERM_NAMES[k][0]:12s} {w}  {off:+.0f} s from midnight")
    return 0


if __name__ == "__main__":
    sys.exit(main())
