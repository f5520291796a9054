"""A Python model of the firmware's request handling up to "what would it execute".

Mirrors firmware/src/protocol.c byte by byte: lines end at CR or LF (empty lines ignored);
a line over 40 characters is ``ERR too long``; a byte outside 0x20..0x7E ``ERR bad byte``;
the first ``*`` or ``#`` starts the check suffix, which must be exactly two hex digits equal
to the XOR of the bytes before it (``*``) or four characters ``0``..``?`` equal to the nibbles
of their CRC-16/XMODEM, high first (``#``), else ``ERR checksum``; then the body is parsed
(keywords and words as the firmware's cursor takes them: leading, repeated and trailing
spaces allowed, case-insensitive). ``run(data)`` gives one ``Outcome`` per non-empty line.

Only for the bit-flip tests: it says which lines the clock would EXECUTE and what each would
change, so a corrupted line that slips through shows up as a write nobody asked for.
"""

from __future__ import annotations

import calendar
import re
from dataclasses import dataclass

MAX_LINE = 40


def _crc_table() -> list[int]:
    table = []
    for byte in range(256):
        crc = byte << 8
        for _ in range(8):
            crc = ((crc << 1) ^ 0x1021) & 0xFFFF if crc & 0x8000 else (crc << 1) & 0xFFFF
        table.append(crc)
    return table


CRC_TABLE = _crc_table()


@dataclass(frozen=True)
class Outcome:
    """One line's fate: ``error`` (the ERR reason) or the command it runs; ``action`` is
    what a write changes (None for queries and errors); ``checked``: it carried a check."""

    body: bytes
    checked: bool
    error: str | None = None
    action: tuple[object, ...] | None = None


_SET = re.compile(rb" *SET +(\d\d)(\d\d)-(\d\d)-(\d\d) +(\d\d):(\d\d):(\d\d) *")
_ALARM_SWITCH = re.compile(rb" *ALARM +(ON|OFF) *")
_ALARM_TIME = re.compile(rb" *ALARM +(\d\d):(\d\d) *")
_HOURS = re.compile(rb" *HOURS +(\d+) *")
_QUERY = re.compile(rb" *(PING|GET|ALARM|HOURS|INFO|HELP) *")


def parse(body: bytes) -> tuple[str | None, tuple[object, ...] | None]:
    """(ERR reason or None, the write's action or None) for an upper-cased body."""
    if _QUERY.fullmatch(body):
        return None, None
    m = _SET.fullmatch(body)
    if m:
        century, year, month, day, hour, minute, second = (int(g) for g in m.groups())
        if (century != 20 or not 1 <= month <= 12 or hour > 23 or minute > 59 or second > 59
                or not 1 <= day <= calendar.monthrange(2000 + year, month)[1]):
            return "range", None
        return None, ("SET", year, month, day, hour, minute, second)
    m = _ALARM_SWITCH.fullmatch(body)
    if m:
        return None, ("ALARM", m.group(1) == b"ON")
    m = _ALARM_TIME.fullmatch(body)
    if m:
        hour, minute = int(m.group(1)), int(m.group(2))
        return ("range", None) if hour > 23 or minute > 59 else (None, ("ALARM", hour, minute))
    m = _HOURS.fullmatch(body)
    if m:
        digits = m.group(1)
        return (None, ("HOURS", int(digits))) if digits in (b"12", b"24") else ("range", None)
    return "syntax", None  # (or unknown command: either way nothing runs)


_PRINTABLE = bytes(range(0x20, 0x7F))


def judge(line: bytes) -> Outcome:
    """One line (no CR/LF in it) as the firmware takes it."""
    if len(line) > MAX_LINE:
        return Outcome(line, False, "too long")
    stars = [i for i in (line.find(b"*"), line.find(b"#")) if i >= 0]
    at = min(stars) if stars else -1
    body = line if at < 0 else line[:at]
    if line.translate(None, _PRINTABLE):  # something outside 0x20..0x7E is left
        return Outcome(body, at >= 0, "bad byte")
    if at >= 0 and not _check_ok(body, line[at], line[at + 1:]):
        return Outcome(body, True, "checksum")
    error, action = parse(body.upper())
    return Outcome(body, at >= 0, error, action)


def _check_ok(body: bytes, mark: int, digits: bytes) -> bool:
    if mark == 0x23:  # '#': four characters 0x30 + nibble
        if len(digits) != 4 or any(not 0x30 <= d <= 0x3F for d in digits):
            return False
        crc = 0
        for byte in body:
            crc = ((crc << 8) & 0xFFFF) ^ CRC_TABLE[(crc >> 8) ^ byte]
        return (digits[0] - 0x30) << 12 | (digits[1] - 0x30) << 8 | (
            digits[2] - 0x30) << 4 | (digits[3] - 0x30) == crc
    if len(digits) != 2:
        return False
    try:
        value = int(digits.decode("ascii"), 16)
    except ValueError:
        return False
    if any(d not in b"0123456789abcdefABCDEF" for d in digits):
        return False
    xor = 0
    for byte in body:
        xor ^= byte
    return value == xor


def run(data: bytes) -> list[Outcome]:
    """Every complete non-empty line of ``data`` (ended by CR or LF), judged in order."""
    return [judge(line) for line in re.split(rb"[\r\n]", data)[:-1] if line]
