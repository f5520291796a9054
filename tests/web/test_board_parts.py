"""The browser view of any board: what ``hello`` tells a page about the board's parts, the
snapshot's LEDs and broken datasheet rules, and a board with no LCD, keys or serial port."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from pathlib import Path

import pytest

from sim.frontends.web import hello
from sim.frontends.web.protocol import Command
from sim.frontends.web.session import VIOLATIONS_SHOWN, Job, WebSession
from sim.machine.board import Board
from tests.buildsupport import write_profile

# MOV P1,#0FEh (LED D1 lit); MOV P2,#00h (the LCD's RS, RW, E all low: a write of P0);
# SJMP $
LEDS_ON = bytes([0x75, 0x90, 0xFE, 0x75, 0xA0, 0x00, 0x80, 0xFE])


class FakeLoop:
    realtime = True

    def resume_realtime(self) -> None:
        self.realtime = True


def session_for(board: Board, sent: list) -> WebSession:
    return WebSession(board, FakeLoop(), publish=lambda s, lines: None,
                      reply=lambda c, m: sent.append(m))


@pytest.fixture
def leds_only(tmp_path: Path) -> Iterator[tuple[Board, WebSession, list]]:
    profile = write_profile(tmp_path, """
        [[leds]]
        name = "D1"
        pin = "P1.0"

        [[leds]]
        name = "D2"
        pin = "P1.1"
        active = "high"
        """, mcu='part = "AT89C52"')
    board = Board(profile, LEDS_ON)
    sent: list = []
    session = session_for(board, sent)
    yield board, session, sent
    session.close()


def test_hello_lists_the_parts_and_says_what_the_board_lacks(leds_only) -> None:  # type: ignore[no-untyped-def]
    board, _, _ = leds_only
    h = hello(board)
    assert h["parts"] == [{"type": "leds", "name": "D1", "view": "lamp"},
                          {"type": "leds", "name": "D2", "view": "lamp"}]
    assert h["lamps"] == ["D1", "D2"] and h["keys"] == []
    assert (h["geometry"], h["buzzer"], h["rtc"], h["serial"], h["thermometer"]) == (
        None, False, False, False, False)


def test_the_snapshot_shows_the_leds_and_no_lcd(leds_only) -> None:  # type: ignore[no-untyped-def]
    board, session, _ = leds_only
    board.run_for(0.2)
    state = session.snapshot()
    assert state["lamps"] == {"D1": True, "D2": True}  # D1 low = lit; D2 high = lit
    assert (state["lcd"], state["text"], state["buzzer"], state["keys"]) == (
        None, [], None, {})
    assert state["violations"] == {"count": 0, "recent": []}


@pytest.mark.parametrize(("command", "message"), [
    (Command("key", ("SET", "tap")), "key: board test has no keys"),
    (Command("serial", b"GET\n"), "serial: board test has no serial port"),
    (Command("rtc", dt.datetime(2026, 1, 1)),
     "rtc: board test has no DS1302 (its profile lists no [ds1302])"),
])
def test_commands_for_parts_the_board_lacks_are_answered_with_one_line(
        leds_only, command: Command, message: str) -> None:  # type: ignore[no-untyped-def]
    board, session, sent = leds_only
    session.apply(Job(command, client=3))
    assert sent == [{"type": "error", "message": message}]
    board.run_for(0.1)  # the board runs on


def test_broken_rules_reach_the_page_with_time_part_rule_and_datasheet(
        tmp_path: Path) -> None:
    profile = write_profile(tmp_path, """
        [lcd]
        bus = 8
        rs = "P2.6"
        rw = "P2.5"
        e = "P2.7"
        data = "P0"
        """, mcu="reset_ms = 0")
    # MOV P0,#38h; SETB P2.7; CLR P2.7 (a function set 2 ms after power-on); SJMP $
    board = Board(profile, bytes([0x75, 0x80, 0x38, 0x75, 0xA0, 0x00, 0xD2, 0xA7, 0xC2,
                                  0xA7, 0x80, 0xFE]))
    session = session_for(board, [])
    try:
        board.run_for(0.1)
        v = session.snapshot()["violations"]
        assert v["count"] == 1
        (r,) = v["recent"]
        assert (r["part"], r["rule"]) == ("lcd", "busy-write")
        assert r["did"].startswith("instruction 0x38 sent 2.0")
        assert r["required"].startswith("wait > 15 ms")
        assert r["text"].startswith("0.002")
        assert VIOLATIONS_SHOWN >= 10
    finally:
        session.close()


def test_the_rtc_command_writes_the_day_by_the_profiles_convention(tmp_path: Path) -> None:
    profile = write_profile(tmp_path, """
        [ds1302]
        ce = "P3.5"
        sclk = "P3.6"
        io = "P3.4"
        weekday_one = "sunday"
        """)
    board = Board(profile, bytes.fromhex("80FE"))
    sent: list = []
    session = session_for(board, sent)
    try:
        session.apply(Job(Command("rtc", dt.datetime(2026, 11, 24, 8, 0, 0)), client=1))
        assert sent == [{"type": "info", "message": "DS1302 set to 2026-11-24 08:00:00 "
                                                    "(Tue = 3)"}]
        assert hello(board)["weekday_one"] == "sunday" and board.rtc.regs[5] == 3
    finally:
        session.close()
