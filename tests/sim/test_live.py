"""The live terminal view's pieces that do not need a terminal."""

from __future__ import annotations

from pathlib import Path

import pytest

from sim.frontends.live import LiveView, key_map


def test_keys_are_typed_by_digit_and_first_letter() -> None:
    m = key_map(["SET", "UP", "DOWN", "MODE"])
    assert (m["1"], m["s"], m["u"], m["d"], m["m"], m["4"]) == (
        "SET", "SET", "UP", "DOWN", "MODE", "MODE")


def test_serial_log_shows_whole_lines_in_both_directions_with_escapes() -> None:
    view = LiveView("reference", ["SET"], "serial: none")
    view.feed_serial(">", b"\x18\nGET*56\r\nPI")
    view.feed_serial("<", b"OK PONG\r\n")
    view.feed_serial(">", b"NG\n")
    assert list(view.serial_log) == ["> \\x18", "> GET*56", "< OK PONG", "> PING"]


def test_p_in_the_live_view_cycles_the_boards_power(
        monkeypatch: pytest.MonkeyPatch, firmware: dict[str, Path]) -> None:
    import argparse
    import contextlib

    import sim.frontends.live as live
    from sim.frontends.run import _run_live
    from sim.machine.board import Board

    class QuietView:
        def __init__(self, *args: object) -> None:
            pass

        def __enter__(self) -> QuietView:
            return self

        def __exit__(self, *exc: object) -> None:
            pass

        def feed_serial(self, *args: object) -> None:
            pass

        def key_for(self, typed: str) -> str | None:
            return None

        def update(self, *args: object) -> None:
            pass

    typed = [["p"]]
    monkeypatch.setattr(live, "LiveView", QuietView)
    monkeypatch.setattr(live, "cbreak_stdin", lambda: contextlib.nullcontext(True))
    monkeypatch.setattr(live, "read_keys", lambda: typed.pop() if typed else [])
    board = Board("reference", firmware["reference"])
    _run_live(board, board.to_cycles(1.0), False, argparse.Namespace(), None)
    assert board.chip.power_cycles == 1
    assert not typed


def test_the_view_draws_any_lcd_the_leds_and_the_broken_rules() -> None:
    import io

    from rich.console import Console

    def shown(view: LiveView, *args: object) -> str:
        out = io.StringIO()
        Console(file=out, width=120, color_system=None).print(view.render(*args))
        return out.getvalue()

    view = LiveView("lcd-leds", [], "serial: none")
    text = shown(view, ["row 1", "row 2", "row 3", "row 4"], 1.5, 1.0, False, None,
                 {"leds": {"D1": True, "D2": False}, "violations": 2,
                  "last": "0.002000 s: lcd: busy-write: instruction 0x38"})
    assert " row 4 " in text
    assert "● D1" in text and "○ D2" in text
    assert "2 datasheet rule(s) broken; latest: 0.002000 s: lcd: busy-write" in text
    assert "keys:" not in text  # a board without keys
    bare = shown(view, [], 0.5, 1.0, False, None, {"leds": {"D1": False}})
    assert "○ D1" in bare and "broken" not in bare


def test_the_live_view_shows_the_ds1302_beside_the_true_time_and_the_offset() -> None:
    import datetime as dt

    from sim.frontends.run import clock_line, live_extra
    from sim.machine.board import Board

    board = Board("reference", bytes([0x80, 0xFE]), crystal={"ppm": 500.0, "k": 0.0})
    board.set_rtc(dt.datetime(2026, 3, 1, 12, 0, 0))
    board.run_for(100.0)  # 500 ppm: 50 ms ahead
    assert clock_line(board) == ("DS1302 12:01:40.050  true 12:01:40.000  offset +50.0 ms  "
                                 "crystal +500.00 ppm  room 20 C")
    panel = LiveView("reference", [], "serial: none").render([], 100.0, 1.0, False, None,
                                                            live_extra(board))
    from rich.console import Console

    console = Console(width=120, record=True)
    console.print(panel)
    assert "offset +50.0 ms" in console.export_text()
    plain = Board("reference", bytes([0x80, 0xFE]))
    assert clock_line(plain) == "DS1302 halted  true not set"  # a fresh chip, ideal crystal
