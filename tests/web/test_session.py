"""The simulation-thread side of the browser view, without a server: console lines, the
mailbox, keys from pages (in simulated time)."""

from __future__ import annotations

from pathlib import Path
from types import SimpleNamespace

from sim.frontends.web.session import LINE_LIMIT, SerialLines


def fake_board(rx: list[tuple[int, int]], tx: list[tuple[int, int]]) -> SimpleNamespace:
    return SimpleNamespace(cps=1000, uart=SimpleNamespace(rx_log=rx, tx_log=tx))


def test_console_lines_carry_the_simulated_second_of_their_last_byte() -> None:
    rx = [(100 + i, b) for i, b in enumerate(b"GET\n")]
    tx = [(900 + i, b) for i, b in enumerate(b"OK 2026\r\nREA")]
    lines = SerialLines(fake_board(rx, tx))
    got = lines.take()
    assert [(x["dir"], x["text"], x["t"]) for x in got] == [(">", "GET", 0.103),
                                                             ("<", "OK 2026", 0.908)]
    assert [x["seq"] for x in got] == [1, 2]
    tx += [(2000, ord("D")), (2001, ord("Y")), (2002, 0x0A)]
    assert [(x["text"], x["t"]) for x in lines.take()] == [("READY", 2.002)]
    assert lines.take() == []


def test_unprintable_bytes_are_shown_and_long_lines_are_cut() -> None:
    tx = [(i, 0x41) for i in range(LINE_LIMIT + 5)] + [(999, 0x07), (1000, 0x0A)]
    got = SerialLines(fake_board([], tx)).take()
    assert [len(x["text"]) for x in got] == [LINE_LIMIT, 5 + len("\\x07")]
    assert got[1]["text"].endswith("\\x07")


def test_the_mailbox_hands_over_in_order_wakes_the_waiter_and_refuses_beyond_its_limit(
        ) -> None:
    import queue
    import time

    import pytest

    from sim.frontends.web.protocol import Command
    from sim.frontends.web.session import Job, Mailbox

    box = Mailbox(limit=2)
    box.put_nowait(Job(Command("power"), 1))
    box.put_nowait(Job(Command("power"), 2))
    with pytest.raises(queue.Full):
        box.put_nowait(Job(Command("power"), 3))
    start = time.monotonic()
    box.wait(30.0)  # something is there: no waiting
    assert time.monotonic() - start < 5.0
    assert [box.get_nowait().client, box.get_nowait().client] == [1, 2]
    with pytest.raises(queue.Empty):
        box.get_nowait()
    box.close()
    with pytest.raises(queue.Full):
        box.put_nowait(Job(Command("power"), 4))


class FakeLoop:
    """The two things a WebSession asks of its RealtimeLoop."""

    realtime = True

    def resume_realtime(self) -> None:
        self.realtime = True


def test_page_keys_last_at_least_150_ms_and_survive_a_power_cycle(
        firmware: dict[str, Path]) -> None:
    from sim.frontends.web.protocol import Command
    from sim.frontends.web.session import MIN_PRESS_S, Job, WebSession
    from sim.machine.board import Board

    board = Board("reference", firmware["reference"])
    sent: list = []
    session = WebSession(board, FakeLoop(), publish=lambda s, lines: None,
                         reply=lambda c, m: sent.append(m))
    try:
        board.run_for(0.5)
        session.apply(Job(Command("key", ("SET", "down"))))
        session.apply(Job(Command("key", ("SET", "up"))))  # a click: down and up at once
        board.run_for(MIN_PRESS_S - 0.01)
        assert board.keys.is_pressed("SET")
        board.run_for(0.02)
        assert not board.keys.is_pressed("SET")
        session.apply(Job(Command("key", ("UP", "down"))))
        board.run_for(0.2)
        session.apply(Job(Command("power")))
        assert sent[-1]["type"] == "info" and "power cycled" in sent[-1]["message"]
        board.run_for(0.2)
        assert board.keys.is_pressed("UP"), "a key held on the page stays held"
        session.apply(Job(Command("key", ("UP", "up"))))
        board.run_for(0.01)
        assert not board.keys.is_pressed("UP"), "and is let go when the page lets go"
    finally:
        session.close()


def test_a_board_without_a_ds18b20_has_no_temperature_control_and_refuses_temp(
        firmware: dict[str, Path]) -> None:
    import dataclasses

    from boardprofile import load_profile

    from sim.frontends.web import hello
    from sim.frontends.web.protocol import Command
    from sim.frontends.web.session import Job, WebSession
    from sim.machine.board import Board

    reference = load_profile("reference")
    profile = dataclasses.replace(reference, parts=tuple(
        p for p in reference.parts if p.type != "ds18b20"))
    board = Board(profile, firmware["reference"])
    sent: list = []
    session = WebSession(board, FakeLoop(), publish=lambda s, lines: None,
                         reply=lambda c, m: sent.append((c, m)))
    try:
        assert hello(board)["thermometer"] is False
        assert session.snapshot()["temp"] is None
        board.run_for(0.2)
        session.apply(Job(Command("temp", -7.5), client=7))
        session.apply(Job(Command("temp", "+"), client=7))
        assert sent == [(7, {"type": "error",
                             "message": "temp: board reference has no DS18B20 and no "
                             "crystal model: nothing feels the temperature"})] * 2
        board.run_for(0.2)
        assert board.seconds >= 0.4, "the board runs on"
    finally:
        session.close()


def test_temp_commands_set_nudge_and_remove_the_sensor_within_its_range(
        firmware: dict[str, Path]) -> None:
    from sim.frontends.web import hello
    from sim.frontends.web.protocol import Command
    from sim.frontends.web.session import Job, WebSession
    from sim.machine.board import Board

    board = Board("reference", firmware["reference"])
    sent: list = []
    session = WebSession(board, FakeLoop(), publish=lambda s, lines: None,
                         reply=lambda c, m: sent.append(m["message"]))
    try:
        assert hello(board)["thermometer"] is True
        for arg in (124.8, "+", "+", None, "-", -55.0, "-"):
            session.apply(Job(Command("temp", arg)))
        assert sent == ["DS18B20 at 124.8 C", "DS18B20 at 125 C", "DS18B20 at 125 C",
                        "DS18B20: no sensor", "DS18B20 at 125 C",  # back: the room's 125
                        "DS18B20 at -55 C", "DS18B20 at -55 C"]
        assert session.snapshot()["temp"] == {"c": -55.0}
    finally:
        session.close()
