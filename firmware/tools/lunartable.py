"""Lunar (Chinese) calendar table for the clock51 firmware.

`lunar_table()` computes, from the `lunardate` package, one compact record per lunar year
1999..2099 (1999 is needed for Gregorian dates in 2000 before the Spring Festival of 2000).
The PlatformIO pre-build script passes the result to every firmware template as `lunar`;
templates/lunar_table.h.j2 renders it into C arrays in code memory.

Per lunar year Y (index Y - first_year):
  months  13-bit mask, bit i = 1 when the i-th month of the year (in calendar order, the leap
          month counted at its place right after its namesake) has 30 days, else 29
  leap    the leap month (1..12), 0 when the year has none
  leap_long  1 when the leap month has 30 days (also visible in `months`)
  sf_doy  day of the Gregorian year Y (0 = January 1) of lunar new year (Spring Festival)
  stem, branch  the year's heavenly stem (0 = Jia) and earthly branch (0 = Zi)

Run it as a script to print the table (a quick look, or a diff between lunardate versions).
"""

from __future__ import annotations

import datetime
import itertools

from lunardate import LunarDate

FIRST_YEAR = 1999
LAST_YEAR = 2099

STEMS = ["Jia", "Yi", "Bing", "Ding", "Wu", "Ji", "Geng", "Xin", "Ren", "Gui"]
BRANCHES = ["Zi", "Chou", "Yin", "Mao", "Chen", "Si", "Wu", "Wei", "Shen", "You", "Xu", "Hai"]
ZODIAC = ["Rat", "Ox", "Tiger", "Rabbit", "Dragon", "Snake",
          "Horse", "Goat", "Monkey", "Rooster", "Dog", "Pig"]


def _month_has_30(year: int, month: int, leap: bool) -> bool:
    try:
        LunarDate(year, month, 30, leap).to_solar_date()
    except ValueError:
        return False
    return True


def _year_record(year: int) -> dict:
    leap = LunarDate.leap_month_for_year(year) or 0
    order = []
    for m in range(1, 13):
        order.append((m, False))
        if m == leap:
            order.append((m, True))
    mask = 0
    lengths = []
    for i, (m, is_leap) in enumerate(order):
        long_month = _month_has_30(year, m, is_leap)
        lengths.append(30 if long_month else 29)
        if long_month:
            mask |= 1 << i
    sf = LunarDate(year, 1, 1).to_solar_date()
    assert sf.year == year
    sf_doy = (sf - datetime.date(year, 1, 1)).days
    assert 0 <= sf_doy < 64
    return {
        "year": year,
        "months": mask,
        "nmonths": len(order),
        "days": sum(lengths),
        "leap": leap,
        "leap_long": int(bool(leap) and lengths[leap] == 30),
        "sf_doy": sf_doy,
        "stem": (year - 4) % 10,
        "branch": (year - 4) % 12,
    }


def lunar_table() -> dict:
    """Everything the lunar template needs (see the module docstring)."""
    years = [_year_record(y) for y in range(FIRST_YEAR, LAST_YEAR + 1)]
    # Consistency: each lunar year ends the day before the next one starts.
    for a, b in itertools.pairwise(years):
        start = datetime.date(a["year"], 1, 1) + datetime.timedelta(days=a["sf_doy"])
        nxt = datetime.date(b["year"], 1, 1) + datetime.timedelta(days=b["sf_doy"])
        assert start + datetime.timedelta(days=a["days"]) == nxt, a["year"]
    return {
        "first_year": FIRST_YEAR,
        "last_year": LAST_YEAR,
        "count": len(years),
        "years": years,
        "stems": STEMS,
        "branches": BRANCHES,
        "zodiac": ZODIAC,
    }


if __name__ == "__main__":
    t = lunar_table()
    for y in t["years"]:
        print(f"{y['year']} months=0x{y['months']:04x} leap={y['leap']:2d} "
              f"leap_long={y['leap_long']} sf_doy={y['sf_doy']:2d} days={y['days']} "
              f"{t['stems'][y['stem']]}{t['branches'][y['branch']]} {t['zodiac'][y['branch']]}")
