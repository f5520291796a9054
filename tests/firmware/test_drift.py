"""The clock corrects its DS1302 crystal (issue 20, firmware half): the real image of the
reference board (every shipped board has the drift feature) on a simulated board whose DS1302
crystal drifts.

The reply text is checked against the host's stand-in clock (tests/host/fakeclock.py), the
executable spec the host half was built on, and decoded by the host's own decoder. Rates are
large (+-300 ppm) and times short; the month-long figures are the benchmark's
(python -m sim.measure.drift).
"""

from __future__ import annotations

import datetime as dt
import re
from pathlib import Path
from typing import Any

import pytest

from host.protocol import decode_drift
from sim.frontends.endpoints import MemoryEndpoint
from sim.machine.board import Board
from tests.firmware.clockdriver import Clock
from tests.host.fakeclock import FakeDevice, FakeTime

ENV = "reference"
START = dt.datetime(2026, 1, 5, 12, 0, 0)
DEFAULT = "OK DRIFT ID NONE RATE +0.00 ACC +0.000 STEPS +0 COMP OFF K -0.034 T0 25"


class DriftClock(Clock):
    """A Clock whose DS1302 crystal runs ``ppm`` fast (t0 25 C, k -0.034), in a room at 25 C
    unless the test sets another temperature."""

    def __init__(self, image: Path, ppm: float = 0.0) -> None:
        super().__init__(ENV, image)
        self.crystal = {"ppm": ppm, "t0": 25.0, "k": -0.034}

    def make_board(self) -> Board:
        board = Board(self.profile, self.image, endpoint=MemoryEndpoint(), crystal=self.crystal)
        board.set_temperature(25.0)          # the crystal's turnover: its rate is ppm
        return board

    off0 = 0.0

    def offset(self) -> float:
        """The DS1302's time minus the true time (s), from the model, less what it was
        right after set_to() (a SET within 2 s of the model's true time counts as a
        correction there, not as a new truth)."""
        off = self.b.rtc.offset_at(self.cycles)
        assert off is not None
        return off - self.off0

    def set_to(self, when: str, ppm: float) -> None:
        """SET, then DRIFT RATE: the clock is right from here on."""
        assert self.command(f"SET {when}").startswith("OK ")
        self.off0 = 0.0
        self.off0 = self.offset()
        assert self.command(f"DRIFT RATE {ppm}").startswith("OK DRIFT ")

    def drift(self) -> Any:
        reply = self.command("DRIFT")
        assert reply.startswith("OK DRIFT "), reply
        return decode_drift(reply[3:])


@pytest.fixture
def make(firmware: dict[str, Path]) -> Any:
    made: list[DriftClock] = []

    def new(ppm: float = 0.0) -> DriftClock:
        c = DriftClock(firmware[ENV], ppm)
        made.append(c)
        return c

    yield new
    found = [v for c in made for v in c.violations()]
    assert not found, "protocol violations:\n" + "\n".join(found[:20])


def fake_answer(fake: FakeDevice, line: str) -> str:
    return fake.answer(line.encode(), fake.time.mono()).decode().strip()


# every form of DRIFT docs/protocol.md names, in one sequence (each changes what follows)
SEQUENCE = [
    "DRIFT", "DRIFT RATE -20.5", "DRIFT RATE 300.01", "DRIFT RATE 1.234", "DRIFT RATE",
    "DRIFT RATE +300", "DRIFT RATE -300.00", "DRIFT RATE 7", "DRIFT RATE .5", "DRIFT RATE 1.",
    "DRIFT RATE 1000", "DRIFT RATE 99999", "DRIFT K -0.034", "DRIFT K 0.2", "DRIFT K 0.127",
    "DRIFT K -.1", "DRIFT K 10", "DRIFT K 0.0001", "DRIFT T0 64", "DRIFT T0 +25", "DRIFT T0 0",
    "DRIFT T0 063", "DRIFT T0 0025", "DRIFT T0 2.5", "DRIFT ID 3f2a", "DRIFT ID 0000",
    "DRIFT ID FFFF", "DRIFT ID 12", "DRIFT ID 12345", "DRIFT ID 12G4", "DRIFT FOO 1",
    "DRIFT COMP ON", "DRIFT COMP OFF", "DRIFT COMP MAYBE", "DRIFT RATE 5 6", "drift rate -0.01",
    "DRIFT K", "DRIFT ID", "DRIFT T0 25",
]


def test_every_drift_request_is_answered_as_the_hosts_stand_in_clock_answers_it(make: Any) -> None:
    c = make().boot(rtc=START, temp=23.5)
    fake = FakeDevice(FakeTime(), drift=True)
    for line in SEQUENCE:
        assert c.command(line) == fake_answer(fake, line), line


def test_words_are_separated_by_one_or_more_spaces_as_everywhere(make: Any) -> None:
    # (the stand-in splits on single spaces: here the protocol's own rule is the spec)
    c = make().boot(rtc=START)
    assert c.command("  drift   rate  -0.5  ").startswith("OK DRIFT ID NONE RATE -0.50 ")
    assert c.command("DRIFT   ").startswith("OK DRIFT ID NONE RATE -0.50 ")
    # zero is +0.00 (docs/protocol.md; the stand-in prints Python's -0.00)
    assert c.command("DRIFT RATE -0").startswith("OK DRIFT ID NONE RATE +0.00 ")


def test_drift_replies_carry_the_check_form_of_their_request(make: Any) -> None:
    c = make().boot(rtc=START)
    fake = FakeDevice(FakeTime(), drift=True)
    for line in ("DRIFT", "DRIFT RATE 12.34", "DRIFT ID 00FF", "DRIFT K 9"):
        for form in ("#", "*"):
            from tests.host.fakeclock import suffix
            req = line + suffix(line, form)
            assert c.command(req) == fake_answer(fake, req), req


def test_help_lists_drift_and_a_board_without_the_feature_answers_unknown_command(
        make: Any, make_clock: Any) -> None:
    c = make().boot(rtc=START)
    assert c.command("HELP") == "OK SET GET PING ALARM HOURS INFO HELP CAL TEMP DRIFT"
    plain = make_clock("reference_nodrift").boot(rtc=START)
    assert plain.command("DRIFT") == "ERR unknown command"
    assert "DRIFT" not in plain.command("HELP")


def test_comp_on_without_a_sensor_is_err_sensor_and_changes_nothing(make: Any) -> None:
    c = make().boot(rtc=START, temp=None)
    c.run(1.5)
    assert c.command("DRIFT COMP ON") == "ERR sensor"
    assert c.command("DRIFT") == DEFAULT


def test_a_fresh_chip_and_an_older_firmwares_ram_start_at_rate_0_with_no_id_keeping_the_settings(
        make: Any) -> None:
    c = make().boot(rtc=START, alarm=(6, 45), alarm_on=True, hours12=True)
    assert c.command("DRIFT") == DEFAULT
    assert c.command("ALARM") == "OK ALARM 06:45 ON"
    assert c.command("HOURS") == "OK HOURS 12"


def test_the_drift_settings_survive_power_cycles(make: Any) -> None:
    c = make().boot(rtc=START, temp=23.5)
    for line in ("DRIFT RATE -123.45", "DRIFT K 0.05", "DRIFT T0 31", "DRIFT ID BEEF",
                 "DRIFT COMP ON"):
        assert c.command(line).startswith("OK DRIFT"), line
    want = "OK DRIFT ID BEEF RATE -123.45 ACC +0.000 STEPS +0 COMP ON K +0.050 T0 31"
    for _ in range(3):
        c.power_cycle(5.0)
        got = c.command("DRIFT")
        assert re.sub(r"ACC \S+", "ACC +0.000", got) == want


def test_set_resets_acc_and_steps_and_a_rate_change_keeps_what_was_accumulated(
        make: Any) -> None:
    c = make(300.0).boot(rtc=START)
    assert c.command("SET 2026-01-05 12:00:00").startswith("OK")
    c.command("DRIFT RATE 300")
    c.run(200.0)
    before = c.drift().acc
    assert before == pytest.approx(0.060, abs=0.002)
    c.command("DRIFT RATE -300")             # folds 0.060 s at +300, then removes -300
    c.run(100.0)
    assert c.drift().acc == pytest.approx(before - 0.030, abs=0.002)
    assert c.command("SET 2026-01-05 13:00:00").startswith("OK")
    d = c.drift()
    assert (d.acc, d.steps, d.rate) == (0.0, 0, -300.0)


def test_a_fast_crystal_is_stepped_back_one_second_at_second_30_and_acc_follows_the_clock(
        make: Any) -> None:
    c = make(300.0).boot(rtc=START)
    c.set_to("2026-01-05 12:00:00", 300)
    c.run(3300.0)                            # ACC 0.99 s
    assert c.drift().steps == 0
    mark = c.cycles
    c.run(90.0)                              # past 12:56:30: the step
    d = c.drift()
    assert d.steps == -1
    bursts = [data for _, cmd, data in c.clock_writes(mark) if cmd == 0xBE]
    assert len(bursts) == 1 and bursts[0][0] == 0x29   # 12:56:30 set back to :29
    # the clock's error is what ACC says (the step's phase taken into account)
    assert d.acc == pytest.approx(c.offset(), abs=0.004)
    assert abs(c.offset()) < 0.1


@pytest.mark.parametrize("ppm,days", [(230.0, 30.0), (-20.0, 30.0), (-300.0, 300.0)])
def test_power_up_after_days_on_battery_catches_up_at_once(make: Any, ppm: float,
                                                           days: float) -> None:
    c = make(ppm).boot(rtc=START)
    c.set_to("2026-01-05 12:00:00", ppm)
    c.run(100.0)
    c.power_cycle(days * 86400)
    assert abs(c.offset()) < 1.0
    d = c.drift()
    # ACC - STEPS: the crystal's predicted drift since the set, what it really drifted
    assert abs(d.acc) < 1.0
    assert d.acc - d.steps == pytest.approx(ppm * 1e-6 * (days * 86400 + 100), abs=0.01)
    assert d.acc == pytest.approx(c.offset(), abs=0.005)


def test_a_set_cut_before_its_record_is_redone_at_power_up(make: Any) -> None:
    c = make(300.0).boot(rtc=START)
    c.command("DRIFT RATE 300")
    c.run(100.0)
    # what a SET cut after its clock burst leaves: the day-of-week offset 2 ("pending")
    state = c.b.rtc.to_state()
    regs = list(state["regs"])
    monday = 1
    regs[5] = monday + 2
    state["regs"] = regs
    c.restart(state, 10.0, 3.0)
    d = c.drift()
    assert (d.rate, d.steps) == (300.0, 0) and abs(d.acc) < 0.01
    assert c.b.rtc.registers_at(c.cycles)[5] in (monday, monday + 1)


def test_hourly_fold_keeps_the_temperature_part_across_a_power_cut(make: Any) -> None:
    c = make(0.0).boot(rtc=START, temp=15.0)
    c.command("SET 2026-01-05 12:00:00")
    c.command("DRIFT COMP ON")               # K -0.034 x (15 - 25)^2 = -3.4 ppm
    c.run(3605.0)                            # the 13:00:00 fold
    acc = c.drift().acc
    assert acc == pytest.approx(-3.4e-6 * 3600, abs=0.001)
    c.power_cycle(0.0)
    assert c.drift().acc == pytest.approx(acc, abs=0.002)
