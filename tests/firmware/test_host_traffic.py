"""The host tool's own traffic never hides a second (issue 10 item 1, with the real host).

tests/firmware/test_traffic.py injects GET lines; here the requests come from the real host
code: ``clock51 sync`` (PINGs, the aligned SET, GET probes timed around second boundaries),
``clock51 monitor`` (one GET a second, its line ending at the PC's half second) and
``clock51 alarm set``, run through ``host.cli.main`` over ``SimLink`` (tests/firmware/
hostlink.py: the host's Transport and TimeSource on the simulated board, in simulated
time). The LCD is sampled every millisecond: every DS1302 second must be on it within the
redraw budget of its start, and an alarm due while monitor polls must ring in its minute.
"""

from __future__ import annotations

import datetime as dt
import re

import pytest

from host import cli
from tests.firmware.clockdriver import Clock
from tests.firmware.hostlink import SimLink

REDRAW_BUDGET_S = 0.050  # tests/firmware/test_timekeeping.py LATENCY_LIMIT_S
START = dt.datetime(2026, 11, 24, 12, 0, 0)
MONITOR_LINE = re.compile(r"^clock (\d{4}-\d\d-\d\d) (\d\d:\d\d:\d\d) \w{3}   "
                          r"pc \S+ \S+   clock-pc ([+-]\d+) s$")


def clock_reading(clk: Clock) -> float:
    """The DS1302's time now, sub-second phase included, as local epoch seconds."""
    now = clk.rtc_now()
    assert now is not None
    return now.timestamp() + clk.b.rtc.subsecond_cycles(clk.cycles) / clk.cps


def link_with_pc_ahead(clk: Clock, pc_minus_clock: float) -> SimLink:
    """A link whose PC clock reads ``pc_minus_clock`` seconds ahead of the DS1302."""
    return SimLink(clk, clock_reading(clk) + pc_minus_clock - clk.cycles / clk.cps)


def link_with_monitor_gets_after_boundaries(clk: Clock, after_ms: float,
                                            whole: int = 0) -> SimLink:
    """A link whose PC half-second (when ``monitor``'s GET line ends) falls ``after_ms``
    after each DS1302 second boundary; the PC is ``whole`` seconds ahead besides."""
    return link_with_pc_ahead(clk, whole + 0.5 - after_ms / 1000)


def clock51(link: SimLink, *args: str) -> int:
    return cli.main(["--port", "sim", *args], open_clock=link.opener, time_source=link)


def monitor_lines(out: str) -> list[tuple[dt.datetime, int]]:
    """(clock time, clock-pc seconds) of each ``clock51 monitor`` line."""
    got = []
    for line in out.splitlines():
        m = MONITOR_LINE.match(line)
        if m:
            got.append((dt.datetime.fromisoformat(f"{m[1]} {m[2]}"), int(m[3])))
    return got


def get_lines_after_boundary_ms(link: SimLink, since: int = 0) -> list[float]:
    """For each GET line the host wrote after cycle ``since``: how far into its DS1302
    second its line end reached the MCU, in ms."""
    got = []
    for cycle, data in link.written:
        if cycle >= since and data.startswith(b"GET") and data.endswith(b"\n"):
            ms = link.watch.after_boundary_ms(cycle)
            assert ms is not None
            got.append(ms)
    return got


def assert_every_second_shown(link: SimLink, since: int, at_least: int, what: str) -> None:
    done = link.watch.finished(since)
    bad = link.watch.late_or_missed(REDRAW_BUDGET_S, since)
    print(f"{what}: {len(done) - len(bad)} of {len(done)} seconds shown within "
          f"{REDRAW_BUDGET_S * 1000:.0f} ms")
    assert len(done) >= at_least, f"only {len(done)} seconds watched"
    assert bad == [], f"{what}: {len(bad)} of {len(done)} seconds: {bad}"


def test_every_second_is_shown_through_sync_and_monitor(make_clock, capsys):
    """The clock 7.37 s behind the PC; ``clock51 sync`` sets it (its probes land a few ms
    either side of second boundaries), then ``clock51 monitor -n 10`` polls it."""
    clk = make_clock("reference").boot(rtc=START)
    link = link_with_pc_ahead(clk, 7.37)
    since = clk.cycles
    link.run(0.3)

    assert clock51(link, "sync") == 0
    synced = capsys.readouterr().out
    offset = clock_reading(clk) - link.wall()
    assert "clock set to" in synced, synced
    # sync learns by default: this firmware answers DRIFT (its ID) or ERR unknown command
    # (then one note, and the sync is as before)
    assert "drift: clock " in synced or "note: this clock cannot correct itself" in synced
    probes = get_lines_after_boundary_ms(link)
    near = [ms for ms in probes if min(ms, 1000 - ms) < 10]
    assert len(near) >= 2, f"the probes did not land near boundaries: {probes} ms"
    assert abs(offset) < 0.010, f"sync left the clock {offset * 1000:+.1f} ms off"

    assert clock51(link, "monitor", "-n", "10") == 0
    link.run(1.0)  # the second of the last GET runs out
    lines = monitor_lines(capsys.readouterr().out)
    assert len(lines) == 10
    assert [diff for _, diff in lines] == [0] * 10
    assert ([(b[0] - a[0]).total_seconds() for a, b in zip(lines, lines[1:], strict=False)]
            == [1.0] * 9)

    with capsys.disabled():
        print(f"\n{synced.strip()}\nclock - PC after sync (DS1302 model): "
              f"{offset * 1000:+.2f} ms; sync's GET probes reached the clock "
              f"{', '.join(f'{ms:.1f}' for ms in probes)} ms into its second")
    assert_every_second_shown(link, since, 14, "sync, then monitor")


@pytest.mark.parametrize("after_ms", [2, 5, 8])
def test_every_second_is_shown_while_monitor_polls_just_after_boundaries(make_clock, capsys,
                                                                         after_ms):
    """An unsynced clock whose phase puts every ``monitor`` GET ``after_ms`` ms after a
    second boundary: the worst case for a shared new-second detector. (The first GET comes
    a little later: the client first voids any partial line, CAN LF, and waits for its ERR.)
    """
    clk = make_clock("reference").boot(rtc=START)
    link = link_with_monitor_gets_after_boundaries(clk, after_ms, whole=3)
    since = clk.cycles

    assert clock51(link, "monitor", "-n", "12") == 0
    lines = monitor_lines(capsys.readouterr().out)
    assert len(lines) == 12
    assert [diff for _, diff in lines] == [-3] * 12  # the clock is 3 s and a bit behind
    polled = get_lines_after_boundary_ms(link)
    assert len(polled) == 12
    assert polled[1:] == pytest.approx([after_ms] * 11, abs=0.5)  # the first: see above

    link.run(1.0)  # the second of the last GET runs out
    assert_every_second_shown(link, since, 12, f"monitor, GET {after_ms} ms after boundaries")


@pytest.mark.parametrize("after_ms", [3, 7])
def test_alarm_set_by_the_host_rings_in_its_minute_while_monitor_polls(make_clock, capsys,
                                                                       after_ms):
    """``clock51 alarm set`` for the next minute, then ``clock51 monitor`` polls across it
    with every GET ``after_ms`` ms after a boundary: the alarm sounds in its minute."""
    clk = make_clock("reference").boot(rtc=START.replace(second=48), alarm=(6, 30))
    link = link_with_monitor_gets_after_boundaries(clk, after_ms)
    since = clk.cycles

    assert clock51(link, "alarm", "set", "12:01") == 0
    assert "12:01" in capsys.readouterr().out
    alarm_set = clk.cycles
    assert not clk.b.buzzer.sounds
    assert clock51(link, "monitor", "-n", "14") == 0
    assert len(monitor_lines(capsys.readouterr().out)) == 14
    link.run(1.0)  # the second of the last GET runs out
    polled = get_lines_after_boundary_ms(link, since=alarm_set)
    assert len(polled) == 14
    assert polled[1:] == pytest.approx([after_ms] * 13, abs=0.5)

    due = [s for s in link.watch.seconds if s.when == START.replace(minute=1)]
    assert due, "the DS1302 never reached 12:01:00"
    assert clk.b.buzzer.sounds, "the alarm never sounded"
    delay = (clk.b.buzzer.sounds[0].start - due[0].began) / clk.cps
    print(f"\nalarm, monitor GET {after_ms} ms after boundaries: sounds {delay * 1000:.1f} ms "
          "into its minute")
    assert 0 <= delay <= REDRAW_BUDGET_S, f"alarm sounded {delay:.3f} s into its minute"
    assert_every_second_shown(link, since, 14, f"alarm due, monitor GET {after_ms} ms after")
