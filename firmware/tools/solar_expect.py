"""Expected solar terms and festivals for the firmware's unit tests (firmware/test/test_solar).

Straight from the oracles, not from the firmware's table: the term days from the astronomy
(solar_oracle.term_days(), pyswisseph: a test dependency) and the festivals from
``lunardate``'s own conversions (the lunar date of each festival converted to the Gregorian
calendar; ChuXi = the day before the next lunar new year; QingMing = the term's day).
firmware/scripts/pio_test_pre.py renders them through firmware/test/templates/*.j2 into the
test build's generated directory (DO-NOT-EDIT banner, never in git).

``solar_expect()`` returns:
  days        [year 0..99][k 0..23] the day of the month of term k
  festivals   every festival 2000-01-01..2099-12-31 in date order: day number
              (0 = 2000-01-01), name id (solar.h: 0..23 terms, 24.. lunar festivals, ChuXi)
  names       the pinyin names by id
"""

from __future__ import annotations

import datetime as dt
import importlib.util
from pathlib import Path

from lunardate import LunarDate

HERE = Path(__file__).resolve().parent
FIRST = dt.date(2000, 1, 1)
LAST = dt.date(2099, 12, 31)


def _tool(name: str):
    spec = importlib.util.spec_from_file_location(f"clock51_{name}", HERE / f"{name}.py")
    assert spec and spec.loader
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    return mod


def festival_dates() -> dict[dt.date, str]:
    """{date: pinyin name} of every lunar festival and ChuXi in 2000..2099 (lunardate)."""
    table = _tool("solartable")
    out: dict[dt.date, str] = {}
    for year in range(FIRST.year - 1, LAST.year + 1):
        for name, _zh, month, day in table.LUNAR_FESTIVALS:
            out[LunarDate(year, month, day).to_solar_date()] = name
        if year + 1 <= LAST.year:       # lunardate ends with 2099: the eve of 2100 is later
            out[LunarDate(year + 1, 1, 1).to_solar_date() - dt.timedelta(days=1)] = \
                table.CHUXI[0]
    return {d: n for d, n in out.items() if FIRST <= d <= LAST}


def solar_expect() -> dict:
    oracle = _tool("solar_oracle")
    table = _tool("solartable")
    days = oracle.term_days()
    names = [n for n, _ in oracle.TERM_NAMES] + [f[0] for f in table.LUNAR_FESTIVALS] \
        + [table.CHUXI[0]]
    fest = {d: names.index(n) for d, n in festival_dates().items()}
    for year in range(FIRST.year, LAST.year + 1):
        qm = dt.date(year, 4, days[(year, table.QINGMING_TERM)])
        assert qm not in fest, f"{qm}: QingMing and a lunar festival on one day"
        fest[qm] = table.QINGMING_TERM
    return {
        "days": [[days[(year, k)] for k in range(24)]
                 for year in range(FIRST.year, LAST.year + 1)],
        "festivals": [{"day": (d - FIRST).days, "id": i, "date": d, "name": names[i]}
                      for d, i in sorted(fest.items())],
        "names": names,
        "total_days": (LAST - FIRST).days + 1,
    }


if __name__ == "__main__":
    e = solar_expect()
    for f in e["festivals"][:12]:
        print(f["date"], f["name"])
    print(f"{len(e['festivals'])} festival days, {24 * len(e['days'])} terms")
