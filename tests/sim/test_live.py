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
