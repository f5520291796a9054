"""Solar terms and festivals on the simulated LCD and over the serial port (CAL), on every
board, against the oracles: the astronomy (pyswisseph) for the terms, ``lunardate`` for the
festivals. Every date of the century is checked in the unit suite test_solar; here sample
dates go through the real image: the main page's lantern mark, the lunar page's names, and
CAL's reply.
"""

from __future__ import annotations

import datetime as dt
import importlib.util
from pathlib import Path
from types import ModuleType

import pytest

TOOLS = Path(__file__).resolve().parents[2] / "firmware" / "tools"
LANTERN = "②"          # CGRAM code 1 as the simulated LCD's text shows it (glyph n + 1)


def _tool(name: str) -> ModuleType:
    spec = importlib.util.spec_from_file_location(f"clock51_{name}_fw", TOOLS / f"{name}.py")
    assert spec and spec.loader
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    return mod


oracle = _tool("solar_oracle")
expect = _tool("solar_expect")


@pytest.fixture(scope="module")
def events() -> dict[dt.date, tuple[str | None, str | None]]:
    """{date: (term, festival)} of every event day 2000-2099, from the oracles."""
    out: dict[dt.date, tuple[str | None, str | None]] = {}
    for (year, k), day in oracle.term_days().items():
        name = oracle.TERM_NAMES[k][0]
        d = dt.date(year, k // 2 + 1, day)
        out[d] = (name, name if name == "QingMing" else None)
    for d, fest in expect.festival_dates().items():
        out[d] = (out.get(d, (None, None))[0], fest)
    return out


def lcd_line(term: str | None, fest: str | None) -> str:
    """What the lunar page's second line shows (docs: festival, then the term if it fits)."""
    if fest is None:
        return term or ""
    if term is None or term == fest or len(fest) + 1 + len(term) > 16:
        return fest
    return f"{fest} {term}"


def cal_reply(day: dt.date, term: str | None, fest: str | None) -> str:
    return f"OK CAL {day:%Y-%m-%d} term={term or 'none'} fest={fest or 'none'}"


# one of each festival and term, and the edge cases: ChuXi on 12-29 (2026) and 12-30
# (2027), two events on one line, exactly 16 columns, the pair that does not fit, the first
# and last event of the century, the 2084 ChunFen 31 s after midnight (the astronomy's day)
SAMPLES = [dt.date(*d) for d in [
    (2000, 1, 6), (2000, 2, 4), (2002, 8, 23), (2008, 5, 21), (2008, 8, 7), (2012, 10, 23),
    (2021, 12, 21), (2026, 2, 16), (2026, 2, 17), (2026, 3, 3), (2026, 4, 5), (2026, 6, 19),
    (2026, 8, 19), (2026, 8, 27), (2026, 9, 25), (2026, 10, 18), (2026, 12, 22),
    (2027, 1, 15), (2027, 1, 30), (2027, 2, 5), (2051, 3, 20), (2084, 3, 20), (2099, 12, 21),
]]


def test_samples_cover_every_festival(events):
    shown = {n for d in SAMPLES for n in events.get(d, (None, None)) if n}
    every = {"ChunJie", "YuanXiao", "QingMing", "DuanWu", "QiXi", "ZhongYuan", "ZhongQiu",
             "ChongYang", "LaBa", "XiaoNian", "ChuXi"}
    assert every <= shown, every - shown


def test_event_days_on_the_lcd_and_over_serial(make_clock, env, events):
    clk = make_clock(env).boot(rtc=dt.datetime(2026, 11, 24, 12, 0, 0), alarm_on=True)
    # a plain day: no mark, and the lunar page's second line is the alarm
    assert clk.lcd()[0][15] == " ", clk.lcd()
    assert clk.command("CAL") == "OK CAL 2026-11-24 term=none fest=none"
    clk.press("MODE")
    clk.run_until_lcd(r"^Alarm 07:00", 0.3, line=1)
    bad = []
    for day in SAMPLES:
        term, fest = events.get(day, (None, None))
        assert term or fest, f"{day} is no event day"
        sec = (clk.rtc_now().second + 30) % 60      # a new second makes the clock re-read
        before = clk.lcd()[0]                       # the lunar date: another on another day
        clk.set_rtc(dt.datetime.combine(day, dt.time(12, 0, sec)))
        want = lcd_line(term, fest)
        # (line 2 alone may be the same as the day before's: 2051 and 2084 ChunFen)
        if not clk.run_until(lambda w=want, b=before: clk.lcd()[1].rstrip() == w
                             and clk.lcd()[0] != b, 0.15, poll_s=0.005):
            bad.append(f"{day}: LCD {clk.lcd()}, want line 2 {want!r}")
        got = clk.command(f"CAL {day:%Y-%m-%d}")
        if got != cal_reply(day, term, fest):
            bad.append(f"{day}: {got!r}, want {cal_reply(day, term, fest)!r}")
        if clk.command("CAL") != cal_reply(day, term, fest):
            bad.append(f"{day}: CAL of today answered about another day")
    assert not bad, "\n".join(bad)
    clk.press("MODE")                               # the main page: the lantern
    clk.run_until_lcd(r"^2099-12-21 Mon", 0.3, line=0)
    assert clk.lcd()[0][15] == LANTERN, clk.lcd()


def test_the_mark_follows_the_date_across_midnight(make_clock, env, events):
    # 2026-09-24 23:59:58 -> ZhongQiu (2026-09-25) at midnight -> gone a day later
    clk = make_clock(env).boot(rtc=dt.datetime(2026, 9, 24, 23, 59, 58))
    assert clk.lcd()[0].rstrip() == "2026-09-24 Thu", clk.lcd()
    clk.run_until_lcd(r"^2026-09-25 Fri", 3.0, line=0)
    clk.run(0.01)   # the rest of the row (the mark is written after the weekday), same redraw
    assert clk.lcd()[0].startswith("2026-09-25 Fri") and clk.lcd()[0][15] == LANTERN, clk.lcd()
    clk.press("MODE")
    clk.run_until_lcd(r"^ZhongQiu", 0.3, line=1)
    clk.set_rtc(dt.datetime(2026, 9, 25, 23, 59, 58))
    clk.run_until_lcd(r"^L 08-16", 3.0, line=0)
    clk.run_until_lcd(r"^Alarm", 0.3, line=1)


def test_a_cal_reply_leaves_the_lunar_page_on_today(make_clock):
    # CAL computes another date's lunar and solar data: the page must not show it
    clk = make_clock("reference").boot(rtc=dt.datetime(2026, 9, 25, 12, 0, 0))
    clk.press("MODE")
    clk.run_until_lcd(r"^L 08-15 BingWu", 0.3, line=0)
    assert clk.command("CAL 2012-10-23") == cal_reply(dt.date(2012, 10, 23), "ShuangJiang",
                                                      "ChongYang")
    clk.run(1.2)                                    # a redraw after the next second
    assert clk.lcd()[0].startswith("L 08-15 BingWu"), clk.lcd()
    assert clk.lcd()[1].rstrip() == "ZhongQiu", clk.lcd()


def test_editing_shows_the_alarm_on_an_event_day(make_clock):
    clk = make_clock("reference").boot(rtc=dt.datetime(2026, 9, 25, 12, 0, 0))
    for _ in range(6):                              # SET: year .. minute, then the alarm
        clk.press("SET")
    clk.run_until_lcd(r"^Alarm", 0.3, line=1)
    clk.press("MODE")                               # leave: the lunar page names the day
    clk.press("MODE")
    clk.run_until_lcd(r"^ZhongQiu", 0.3, line=1)


def test_cal_errors_change_nothing(make_clock):
    clk = make_clock("reference").boot(rtc=dt.datetime(2026, 9, 25, 12, 0, 0))
    for line, reply in [("CAL 2025-02-29", "ERR range"), ("CAL 2100-01-01", "ERR range"),
                        ("CAL 2026-9-25", "ERR syntax"), ("CAL 2026-09-25 X", "ERR syntax"),
                        ("CALX", "ERR unknown command")]:
        assert clk.command(line) == reply, line
    assert clk.command("GET").startswith("OK 2026-09-25 12:00")
    assert "CAL" in clk.command("HELP").split()
