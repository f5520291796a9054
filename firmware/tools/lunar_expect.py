"""Expected lunar dates for the firmware's lunar unit tests, straight from ``lunardate``.

The firmware decodes a packed table (lunartable.py -> templates/lunar_table.h.j2); the unit
tests in firmware/test/test_lunar check that decoding against these values, which come from
``lunardate`` by a different path (no packing, no month masks): its own date conversions.
firmware/scripts/pio_test_pre.py renders them through firmware/test/templates/*.j2 into the
test build's generated directory (a DO-NOT-EDIT header, never in git).

``lunar_expect()`` returns:
  edges   every Gregorian date 2000-01-01..2099-12-31 at a lunar year or leap-month edge:
          each Spring Festival (lunar 1-1) and the day before it, and around each leap
          month: the last day of its namesake, its first and last day, the next month's
          first day; plus the range's first and last day. Each: year (0..99 = 2000..2099),
          month, day, lunar month, day, leap (0/1), the lunar year's stem and branch.
  months  the first day of every lunar month starting in the range: day number
          (0 = 2000-01-01), lunar month, leap (0/1)
  start   the lunar date of 2000-01-01 (month, day, leap)
"""

from __future__ import annotations

import datetime as dt

from lunardate import LunarDate

FIRST = dt.date(2000, 1, 1)
LAST = dt.date(2099, 12, 31)


def _lunar(d: dt.date) -> LunarDate:
    return LunarDate.from_solar_date(d.year, d.month, d.day)


def _months(year: int) -> list[tuple[int, bool]]:
    """The lunar year's months in calendar order: (month, leap)."""
    leap = LunarDate.leap_month_for_year(year) or 0
    order: list[tuple[int, bool]] = []
    for m in range(1, 13):
        order.append((m, False))
        if m == leap:
            order.append((m, True))
    return order


def _start(year: int, month: int, leap: bool) -> dt.date:
    return LunarDate(year, month, 1, leap).to_solar_date()


def _edge(d: dt.date) -> dict:
    ld = _lunar(d)
    return {
        "date": d, "year": d.year - 2000, "month": d.month, "day": d.day,
        "lmonth": ld.month, "lday": ld.day, "leap": int(ld.isLeapMonth),
        "lyear": ld.year, "stem": (ld.year - 4) % 10, "branch": (ld.year - 4) % 12,
    }


def lunar_expect() -> dict:
    one = dt.timedelta(days=1)
    dates: set[dt.date] = {FIRST, LAST}
    months: list[dict] = []
    for year in range(1999, 2100):
        order = _months(year)
        sf = _start(year, 1, False)
        dates.update((sf, sf - one))
        for i, (m, leap) in enumerate(order):
            start = _start(year, m, leap)
            if FIRST <= start <= LAST:
                months.append({"day": (start - FIRST).days, "month": m, "leap": int(leap),
                               "date": start})
            if leap:
                nxt = _start(year, *order[i + 1]) if i + 1 < len(order) \
                    else _start(year + 1, 1, False)
                dates.update((start - one, start, nxt - one, nxt))
    edges = [_edge(d) for d in sorted(dates) if FIRST <= d <= LAST]
    first = _lunar(FIRST)
    return {
        "edges": edges,
        "months": months,
        "start": {"month": first.month, "day": first.day, "leap": int(first.isLeapMonth)},
        "days": (LAST - FIRST).days + 1,
    }


if __name__ == "__main__":
    e = lunar_expect()
    for r in e["edges"]:
        print(f"{r['date']}  lunar {r['lyear']}-{'*' if r['leap'] else ''}{r['lmonth']:02d}-"
              f"{r['lday']:02d}")
    print(f"{len(e['edges'])} edges, {len(e['months'])} month starts, {e['days']} days")
