"""The live terminal view's pieces that do not need a terminal."""

from __future__ import annotations

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
