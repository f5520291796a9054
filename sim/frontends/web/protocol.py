"""The browser view's websocket messages: what a page may send, checked before it counts.

Every message from a page is one JSON object with a ``type``:

    {"type": "key", "key": "SET", "action": "down"|"up"|"tap"}   a board key (names per board)
    {"type": "serial", "line": "GET"}          one line to the UART (a LF is added)
    {"type": "speed", "value": "pause"|"1x"|"10x"|"max"}
    {"type": "rtc", "value": "now"|"YYYY-MM-DD HH:MM:SS"}   load the DS1302 (2000-2099)
    {"type": "power"}                          switch the board off and on
    {"type": "temp", "value": -7.5|"-7.5"|"+"|"-"|"none"}   the DS18B20's temperature
                                               (-55..125 C), a 0.5 C nudge, or no sensor

Anything else (a binary frame, text longer than ``MAX_TEXT``, not JSON, an unknown type, key
or value) is a ``MessageError`` whose text the server sends back as
``{"type": "error", "message": ...}``; the board never sees it. Pure functions, no I/O.
"""

from __future__ import annotations

import datetime as dt
import json
import math
from dataclasses import dataclass
from typing import Any

from sim.devices.ds18b20 import RANGE_C

MAX_TEXT = 4096  # characters of one message; longer ones are refused unread
MAX_LINE = 200  # characters of a serial line (the firmware itself takes 40)
SPEEDS = ("pause", "1x", "10x", "max")
KEY_ACTIONS = ("down", "up", "tap")
TYPES = ("key", "serial", "speed", "rtc", "power", "temp")
TEMP_RANGE = RANGE_C  # the DS18B20's measuring range, C


class MessageError(ValueError):
    """A message the server refuses; str() is the one-line answer for the page."""


@dataclass(frozen=True)
class Command:
    """A checked request for the board: ``kind`` is one of TYPES, ``arg`` its value
    (key: (name, action); serial: bytes; speed: str; rtc: datetime or None for now;
    temp: a float in TEMP_RANGE, "+" or "-" for a nudge, or None for no sensor)."""

    kind: str
    arg: Any = None


def parse_message(text: str | bytes, key_names: tuple[str, ...] | list[str]) -> Command:
    """One websocket message -> a Command, or MessageError saying what is wrong."""
    if isinstance(text, bytes | bytearray):
        raise MessageError("binary messages are not understood: send JSON text")
    if len(text) > MAX_TEXT:
        raise MessageError(f"message too long: {len(text)} characters (limit {MAX_TEXT})")
    try:
        msg = json.loads(text)
    except ValueError as e:
        raise MessageError(f"not JSON: {e}") from None
    if not isinstance(msg, dict) or not isinstance(msg.get("type"), str):
        raise MessageError('expected a JSON object with a "type"')
    kind = msg["type"]
    if kind not in TYPES:
        raise MessageError(f"unknown message type {_show(kind)} (expected {', '.join(TYPES)})")
    if kind == "key":
        name = msg.get("key")
        if not isinstance(name, str) or name.upper() not in key_names:
            raise MessageError(f"unknown key {_show(name)} (this board has "
                               f"{', '.join(key_names)})")
        action = msg.get("action", "tap")
        if action not in KEY_ACTIONS:
            raise MessageError(f"key action {_show(action)}: expected down, up or tap")
        return Command("key", (name.upper(), action))
    if kind == "serial":
        line = msg.get("line")
        if not isinstance(line, str):
            raise MessageError('serial: "line" must be a string')
        if len(line) > MAX_LINE:
            raise MessageError(f"serial: line too long: {len(line)} characters "
                               f"(limit {MAX_LINE})")
        if any(not " " <= ch <= "~" for ch in line):
            raise MessageError("serial: only printable ASCII (0x20-0x7E) can be typed")
        return Command("serial", line.encode("ascii") + b"\n")
    if kind == "speed":
        value = msg.get("value")
        if value not in SPEEDS:
            raise MessageError(f"speed {_show(value)}: expected {', '.join(SPEEDS)}")
        return Command("speed", value)
    if kind == "rtc":
        return Command("rtc", parse_rtc_value(msg.get("value")))
    if kind == "temp":
        return Command("temp", parse_temp_value(msg.get("value")))
    return Command("power")


def parse_rtc_value(value: object) -> dt.datetime | None:
    """'now' -> None (the PC's time when applied); 'YYYY-MM-DD HH:MM[:SS]' (a T may stand
    for the space, as a browser's datetime-local field gives it) -> datetime."""
    if value == "now":
        return None
    if not isinstance(value, str) or len(value) > 32:
        raise MessageError('rtc: expected "now" or "YYYY-MM-DD HH:MM:SS"')
    text = value.strip().replace("T", " ")
    for fmt in ("%Y-%m-%d %H:%M:%S", "%Y-%m-%d %H:%M"):
        try:
            when = dt.datetime.strptime(text, fmt)
            break
        except ValueError:
            continue
    else:
        raise MessageError(f"rtc: {_show(value)} is not \"YYYY-MM-DD HH:MM:SS\"")
    if not 2000 <= when.year <= 2099:
        raise MessageError(f"rtc: {when.year}: the DS1302 counts years 2000-2099")
    return when


def parse_temp_value(value: object) -> float | str | None:
    """A number (or its text, as an input field gives it) in -55..125 -> float; '+'/'-' ->
    itself (a 0.5 C nudge); 'none' -> None (no sensor answers)."""
    if value in ("+", "-"):
        return value
    if isinstance(value, str) and value.strip().lower() == "none":
        return None
    number: float | None = None
    if isinstance(value, int | float) and not isinstance(value, bool):
        number = float(value)
    elif isinstance(value, str) and len(value) <= 32:
        try:
            number = float(value)
        except ValueError:
            number = None
    if number is None:
        raise MessageError(f"temp: {_show(value)} is not a temperature (e.g. 23.5, -7.5, "
                           '"+", "-" or "none")')
    low, high = TEMP_RANGE
    if not math.isfinite(number) or not low <= number <= high:
        raise MessageError(f"temp: {_show(value)} C is outside the DS18B20's range "
                           f"{low:g}..{high:g} C")
    return number


def _show(value: object) -> str:
    """A value quoted for an error message, cut short."""
    text = json.dumps(value) if not isinstance(value, str) else repr(value)
    return text if len(text) <= 40 else text[:37] + "..."
