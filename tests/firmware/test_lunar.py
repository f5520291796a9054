"""The lunar date on the second page (MODE) against the ``lunardate`` library, 2000-2099."""

from __future__ import annotations

import datetime as dt
import re
import time

from lunardate import LunarDate

STEMS = ["jia", "yi", "bing", "ding", "wu", "ji", "geng", "xin", "ren", "gui"]
BRANCHES = ["zi", "chou", "yin", "mao", "chen", "si", "wu", "wei", "shen", "you", "xu", "hai"]
ZODIAC = [("rat", "mouse"), ("ox", "cow"), ("tiger",), ("rabbit", "hare"), ("dragon",),
          ("snake",), ("horse",), ("goat", "sheep", "ram"), ("monkey",),
          ("rooster", "chicken", "cock"), ("dog",), ("pig", "boar")]
LUNAR_LINE = re.compile(r"^(?P<pre>\D*?)(?P<m>\d{1,2})[-/.](?P<d>\d{1,2})\s+(?P<name>[A-Za-z-]+)")


def year_names(lunar_year: int) -> set[str]:
    """The accepted ASCII names of a lunar year: stem-branch or zodiac animal."""
    s, b = STEMS[(lunar_year - 4) % 10], BRANCHES[(lunar_year - 4) % 12]
    return {s + b, f"{s}-{b}", *ZODIAC[(lunar_year - 4) % 12]}


def sample_days() -> list[dt.date]:
    first, last = dt.date(2000, 1, 1), dt.date(2099, 12, 31)
    days = {first + dt.timedelta(days=k) for k in range(0, (last - first).days + 1, 37)}
    days |= {first, last}
    for y in range(1999, 2100):
        ny = LunarDate(y, 1, 1).to_solar_date()
        days |= {ny, ny - dt.timedelta(days=1)}  # New Year and New Year's Eve
        leap = LunarDate.leap_month_for_year(y)
        if leap:
            start = LunarDate(y, leap, 1, True).to_solar_date()
            days |= {start - dt.timedelta(days=1), start}  # last day before, first leap day
            after = LunarDate(y, leap + 1, 1).to_solar_date() if leap < 12 \
                else LunarDate(y + 1, 1, 1).to_solar_date()
            days |= {after - dt.timedelta(days=1), after}  # last leap day, first after
    return sorted(d for d in days if first <= d <= last)


def test_lunar_page_matches_lunardate(make_clock):
    days = sample_days()
    clk = make_clock("reference").boot(rtc=dt.datetime(2026, 1, 1, 12, 0, 0))
    clk.press("MODE")
    ref = LunarDate.from_solar_date(2026, 1, 1)
    m = LUNAR_LINE.match(clk.lcd()[0])
    assert m, f"MODE page shows no lunar date: {clk.lcd()}"
    assert (int(m["m"]), int(m["d"])) == (ref.month, ref.day), clk.lcd()
    plain = m["pre"]  # what comes before the month on a non-leap day
    wall = time.perf_counter()
    bad = []
    for day in days:
        lun = LunarDate.from_solar_date(day.year, day.month, day.day)
        names = year_names(lun.year)
        sec = (clk.rtc_now().second + 30) % 60  # a new seconds value makes it re-read
        clk.set_rtc(dt.datetime.combine(day, dt.time(12, 0, sec)))

        def right(lun: LunarDate = lun, names: set[str] = names) -> bool:
            mm = LUNAR_LINE.match(clk.lcd()[0])
            return bool(mm) and (int(mm["m"]), int(mm["d"])) == (lun.month, lun.day) \
                and (mm["pre"] != plain) == lun.is_leap_month and mm["name"].lower() in names

        if not clk.run_until(right, 0.15, poll_s=0.005):
            bad.append(f"{day}: LCD {clk.lcd()[0]!r}, want {lun.month:02d}-{lun.day:02d}"
                       f"{' leap' if lun.is_leap_month else ''} {sorted(names)}")
            if len(bad) >= 10:
                break
    print(f"\n{len(days)} days checked in {time.perf_counter() - wall:.1f} s")
    assert not bad, "\n".join(bad)
    # the page also shows the alarm time
    assert re.search(r"07:00", clk.lcd()[1]), clk.lcd()
