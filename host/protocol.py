"""Pure encode/decode of the clock51 serial protocol (docs/protocol.md). No I/O here.

Requests: ``BODY#CCCC`` + LF. The host always appends the CRC check: ``#`` then the
CRC-16/XMODEM of every byte before it as four characters ``0``..``?`` (0x30 + each nibble,
high nibble first), and ends a request with a single LF (0x0A), never CR LF: the firmware
acts on the line's last byte, and with one terminator that byte is unambiguous (this
matters for ``sync``, which times the final byte). The older NMEA-style ``*HH`` (XOR of the
bytes, two hex digits) is still understood, for hand typing; docs/protocol.md says why the
CRC form is built the way it is (every error of up to 3 flipped bits in a line is caught).

Replies: ``OK ...`` or ``ERR <reason>``, ended by CR LF, with the same form of check as the
request carried. ``parse_reply`` checks the frame and the check and returns the OK payload,
or raises ``DeviceError`` (ERR) / ``ProtocolError`` (anything garbled). The ``decode_*``
functions turn a payload into a dataclass, raising ``ProtocolError`` when its shape is
wrong. Nothing in this module raises anything else on any input.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass, field
from datetime import date, datetime

from host.errors import DeviceError, ProtocolError, UsageError

LINE_END = b"\n"
CANCEL_LINE = b"\x18\n"  # CAN then LF: ends and voids any partial line ("ERR bad byte")
MAX_LINE = 40  # characters before the line end, checksum suffix included
BANNER = "clock51 READY"
WEEKDAYS = ("MON", "TUE", "WED", "THU", "FRI", "SAT", "SUN")
YEAR_MIN, YEAR_MAX = 2000, 2099
TIME_FORMAT = "%Y-%m-%d %H:%M:%S"
DATE_FORMAT = "%Y-%m-%d"

#: what each ERR reason means, for one-line messages
ERR_REASONS = {
    "unknown command": "the clock does not know this command",
    "syntax": "the clock rejected the shape of the request",
    "range": "the value is out of range for the clock",
    "too long": "the request is longer than 40 characters",
    "bad byte": "the request contained a byte outside printable ASCII",
    "checksum": "the clock saw a checksum mismatch (line noise or wrong baud rate?)",
    "overflow": "the request was lost: the clock's receive buffer overflowed (too many "
                "requests sent without reading the replies)",
    "sensor": "the clock's DS18B20 gave no valid reading (bad CRC or a bus fault)",
    "busy": "the clock has no temperature reading yet (the first takes about 1 s)",
}
TEMP_MIN, TEMP_MAX = -55.0, 125.0  # the DS18B20's range

#: CAL's names (the clock's pinyin) -> Chinese: the 24 solar terms in calendar order from
#: early January, then the festivals (QingMing is both a term and a festival)
SOLAR_TERMS = {
    "XiaoHan": "小寒", "DaHan": "大寒", "LiChun": "立春", "YuShui": "雨水",
    "JingZhe": "惊蛰", "ChunFen": "春分", "QingMing": "清明", "GuYu": "谷雨",
    "LiXia": "立夏", "XiaoMan": "小满", "MangZhong": "芒种", "XiaZhi": "夏至",
    "XiaoShu": "小暑", "DaShu": "大暑", "LiQiu": "立秋", "ChuShu": "处暑",
    "BaiLu": "白露", "QiuFen": "秋分", "HanLu": "寒露", "ShuangJiang": "霜降",
    "LiDong": "立冬", "XiaoXue": "小雪", "DaXue": "大雪", "DongZhi": "冬至",
}
FESTIVALS = {
    "ChunJie": "春节", "YuanXiao": "元宵", "QingMing": "清明", "DuanWu": "端午",
    "QiXi": "七夕", "ZhongYuan": "中元", "ZhongQiu": "中秋", "ChongYang": "重阳",
    "LaBa": "腊八", "XiaoNian": "小年", "ChuXi": "除夕",
}


# ---------------------------------------------------------------- checks and requests

CRC = "crc"  # the check forms, as parse_reply's ``form`` names them
XOR = "xor"
CRC_MARK = "#"
XOR_MARK = "*"
CRC_DIGITS = "0123456789:;<=>?"  # 0x30 + nibble: one flipped bit changes one nibble bit
CRC_POLY = 0x1021  # CRC-16/XMODEM: x^16 + x^12 + x^5 + 1, start 0, MSB first, no final XOR


def _crc_table() -> tuple[int, ...]:
    table = []
    for byte in range(256):
        crc = byte << 8
        for _ in range(8):
            crc = ((crc << 1) ^ CRC_POLY) if crc & 0x8000 else crc << 1
        table.append(crc & 0xFFFF)
    return tuple(table)


_CRC_TABLE = _crc_table()


def crc16(data: bytes | str, crc: int = 0) -> int:
    """CRC-16/XMODEM of the bytes (the firmware's crc16(), one byte at a time)."""
    raw = data.encode("ascii") if isinstance(data, str) else data
    for byte in raw:
        crc = ((crc << 8) & 0xFFFF) ^ _CRC_TABLE[(crc >> 8) ^ byte]
    return crc


def crc_digits(value: int) -> str:
    """A CRC value as sent: four characters 0x30 + nibble, high nibble first."""
    return "".join(CRC_DIGITS[(value >> shift) & 0xF] for shift in (12, 8, 4, 0))


def checksum(data: bytes | str) -> int:
    """XOR of every byte (NMEA style): the ``*HH`` form."""
    raw = data.encode("ascii") if isinstance(data, str) else data
    value = 0
    for byte in raw:
        value ^= byte
    return value


def check_suffix(body: str, form: str = CRC) -> str:
    """The check a line ``body`` carries: ``#CCCC`` (CRC) or ``*HH`` (XOR)."""
    if form == CRC:
        return CRC_MARK + crc_digits(crc16(body))
    return f"{XOR_MARK}{checksum(body):02X}"


def _check_printable(text: str) -> None:
    for ch in text:
        if not 0x20 <= ord(ch) <= 0x7E:
            raise UsageError(f"request {text!r} contains a non-printable character {ch!r}")


def encode_request(body: str) -> bytes:
    """One request line: ``body#CCCC`` LF. The body: printable ASCII without ``*`` or ``#``."""
    _check_printable(body)
    for mark in (XOR_MARK, CRC_MARK):
        if mark in body:
            raise UsageError(f"request {body!r} contains {mark!r} (a check marker)")
    if not body.strip():
        raise UsageError("empty request")
    line = body + check_suffix(body)
    if len(line) > MAX_LINE:
        raise UsageError(f"request {body!r} is too long ({len(line)} > {MAX_LINE} characters)")
    return line.encode("ascii") + LINE_END


def encode_raw(text: str, *, add_checksum: bool = True) -> bytes:
    """A line typed by a user (``clock51 raw``): checksum added unless asked not to.

    Without the checksum the text goes out as typed (so firmware errors such as
    ``ERR too long`` can be provoked on purpose); it must still be printable.
    """
    if add_checksum:
        return encode_request(text)
    _check_printable(text)
    return text.encode("ascii") + LINE_END


def check_year(when: datetime) -> None:
    if not YEAR_MIN <= when.year <= YEAR_MAX:
        raise UsageError(f"the clock keeps years {YEAR_MIN}-{YEAR_MAX}, not {when.year}")


def req_ping() -> str:
    return "PING"


def req_get() -> str:
    return "GET"


def req_set(when: datetime) -> str:
    """``SET YYYY-MM-DD HH:MM:SS`` (sub-second part dropped)."""
    check_year(when)
    return f"SET {when.strftime(TIME_FORMAT)}"


def req_alarm() -> str:
    return "ALARM"


def req_alarm_set(hour: int, minute: int) -> str:
    if not (0 <= hour <= 23 and 0 <= minute <= 59):
        raise UsageError(f"alarm time {hour:02d}:{minute:02d} is not a time of day")
    return f"ALARM {hour:02d}:{minute:02d}"


def req_alarm_switch(on: bool) -> str:
    return "ALARM ON" if on else "ALARM OFF"


def req_hours(mode: int | None = None) -> str:
    if mode is None:
        return "HOURS"
    if mode not in (12, 24):
        raise UsageError(f"hours mode must be 12 or 24, not {mode}")
    return f"HOURS {mode}"


def req_info() -> str:
    return "INFO"


def req_help() -> str:
    return "HELP"


def req_temp() -> str:
    return "TEMP"


def req_cal(day: date | None = None) -> str:
    """``CAL`` (the clock's today) or ``CAL YYYY-MM-DD``."""
    if day is None:
        return "CAL"
    if not YEAR_MIN <= day.year <= YEAR_MAX:
        raise UsageError(f"the clock's calendar covers {YEAR_MIN}-{YEAR_MAX}, not {day.year}")
    return f"CAL {day.strftime(DATE_FORMAT)}"


# ---------------------------------------------------------------- replies

@dataclass(frozen=True)
class ClockTime:
    """What GET/SET answer: the clock's date and time and the weekday it reported."""

    when: datetime
    weekday: str

    @property
    def weekday_consistent(self) -> bool:
        return WEEKDAYS[self.when.weekday()] == self.weekday

    def __str__(self) -> str:
        return f"{self.when.strftime(TIME_FORMAT)} {self.weekday}"


@dataclass(frozen=True)
class Alarm:
    hour: int
    minute: int
    enabled: bool

    def __str__(self) -> str:
        return f"{self.hour:02d}:{self.minute:02d} {'on' if self.enabled else 'off'}"


@dataclass(frozen=True)
class Info:
    """``INFO`` reply: firmware name and version, then ``key=value`` fields in order."""

    firmware: str
    version: str
    fields: dict[str, str] = field(default_factory=dict)

    @property
    def board(self) -> str | None:
        return self.fields.get("board")

    @property
    def rtc_ok(self) -> bool:
        """False when the clock reports ``rtc=unset`` (the "set me" state)."""
        return self.fields.get("rtc") == "ok"


@dataclass(frozen=True)
class CalendarDay:
    """``CAL`` reply: a date, its solar term and its festival (pinyin names, or None)."""

    day: date
    term: str | None
    festival: str | None

    def text(self, chinese: bool = True) -> str:
        """``2026-09-25  festival: ZhongQiu 中秋`` (the Chinese names when ``chinese``)."""
        parts = [self.day.strftime(DATE_FORMAT)]
        if self.term:
            zh = f" {SOLAR_TERMS[self.term]}" if chinese else ""
            parts.append(f"term: {self.term}{zh}")
        if self.festival:
            zh = f" {FESTIVALS[self.festival]}" if chinese else ""
            parts.append(f"festival: {self.festival}{zh}")
        if len(parts) == 1:
            parts.append("no solar term or festival")
        return "  ".join(parts)

    def __str__(self) -> str:
        return self.text()


def _show(raw: bytes) -> str:
    text = repr(raw[:60])
    return text + ("..." if len(raw) > 60 else "")


def is_banner(raw: bytes) -> bool:
    return raw.rstrip(b"\r\n").strip() == BANNER.encode()


_HEX = "0123456789abcdefABCDEF"


def split_check(raw: bytes) -> tuple[str, str | None]:
    """Strip the line end and verify the check suffix if any: (text before it, its form).

    The form is ``CRC`` (``#CCCC``), ``XOR`` (``*HH``) or None (no suffix); the first
    marker starts the suffix, so a second marker or any other character in it is garbled.
    """
    line = raw.rstrip(b"\r\n")
    if any(not 0x20 <= b <= 0x7E for b in line):
        raise ProtocolError(f"garbled reply {_show(raw)} (non-printable bytes)")
    text = line.decode("ascii")
    at = min((i for i in (text.find(CRC_MARK), text.find(XOR_MARK)) if i >= 0), default=-1)
    if at < 0:
        return text, None
    body, mark, digits = text[:at], text[at], text[at + 1:]
    if mark == CRC_MARK:
        if len(digits) != 4 or any(c not in CRC_DIGITS for c in digits):
            raise ProtocolError(f"reply {text!r} has a malformed check suffix")
        if digits != crc_digits(crc16(body)):
            raise ProtocolError(f"reply {text!r} fails its CRC check "
                                f"(expected {crc_digits(crc16(body))})")
        return body, CRC
    if len(digits) != 2 or any(c not in _HEX for c in digits):
        raise ProtocolError(f"reply {text!r} has a malformed checksum suffix")
    if int(digits, 16) != checksum(body):
        raise ProtocolError(f"reply {text!r} fails its checksum (expected {checksum(body):02X})")
    return body, XOR


def parse_reply(raw: bytes, *, require_checksum: bool = True, form: str | None = None) -> str:
    """Check one reply line; the payload after ``OK`` (maybe empty).

    ``require_checksum``: an OK line must carry a check; ``form`` (``CRC`` or ``XOR``):
    it must be that one (the client, which sends the CRC form, asks for the CRC back).
    ``ERR <reason>`` raises ``DeviceError`` (the check is optional on ERR lines: the clock
    cannot give one for a line it discarded). Anything that is not a well-formed OK/ERR
    line raises ``ProtocolError``.
    """
    text, has = split_check(raw)
    head, _, rest = text.partition(" ")
    if head.upper() == "ERR":
        reason = rest.strip()
        if not reason:
            raise ProtocolError(f"reply {text!r} is an ERR without a reason")
        explain = ERR_REASONS.get(reason.lower())
        message = f"the clock answered ERR {reason}" + (f" ({explain})" if explain else "")
        raise DeviceError(reason.lower(), message)
    if head.upper() != "OK":
        raise ProtocolError(f"unexpected reply {text!r} (not OK or ERR)")
    if require_checksum and not has:
        raise ProtocolError(f"reply {text!r} has no checksum")
    if require_checksum and form is not None and has != form:
        raise ProtocolError(f"reply {text!r} carries the {has} check, not the {form} check "
                            "its request asked for")
    return rest.strip()


_TIME_RE = re.compile(
    r"([0-9]{4})-([0-9]{2})-([0-9]{2}) ([0-9]{2}):([0-9]{2}):([0-9]{2}) ([A-Za-z]{3})"
)
_ALARM_RE = re.compile(r"ALARM ([0-9]{2}):([0-9]{2}) (ON|OFF)", re.IGNORECASE)
_HOURS_RE = re.compile(r"HOURS (12|24)", re.IGNORECASE)
_TEMP_RE = re.compile(r"TEMP (-?[0-9]{1,3}\.[0-9]|NONE)", re.IGNORECASE)
_CAL_RE = re.compile(r"CAL ([0-9]{4})-([0-9]{2})-([0-9]{2}) term=([A-Za-z]+) fest=([A-Za-z]+)",
                     re.IGNORECASE)


def decode_time(payload: str) -> ClockTime:
    """``2026-11-24 12:05:31 TUE`` -> ClockTime."""
    match = _TIME_RE.fullmatch(payload)
    if not match:
        raise ProtocolError(f"expected 'YYYY-MM-DD HH:MM:SS DAY', got {payload!r}")
    numbers = [int(g) for g in match.groups()[:6]]
    weekday = match.group(7).upper()
    if weekday not in WEEKDAYS:
        raise ProtocolError(f"unknown weekday {match.group(7)!r} in {payload!r}")
    try:
        when = datetime(*numbers)
    except ValueError as exc:
        raise ProtocolError(
            f"the clock reports an impossible time {payload!r} ({exc}); "
            "its RTC may be unset: run 'clock51 sync'"
        ) from None
    return ClockTime(when, weekday)


def decode_alarm(payload: str) -> Alarm:
    """``ALARM 07:30 ON`` -> Alarm."""
    match = _ALARM_RE.fullmatch(payload)
    if not match:
        raise ProtocolError(f"expected 'ALARM HH:MM ON|OFF', got {payload!r}")
    hour, minute = int(match.group(1)), int(match.group(2))
    if hour > 23 or minute > 59:
        raise ProtocolError(f"the clock reports an impossible alarm time {payload!r}")
    return Alarm(hour, minute, match.group(3).upper() == "ON")


def decode_hours(payload: str) -> int:
    """``HOURS 24`` -> 24."""
    match = _HOURS_RE.fullmatch(payload)
    if not match:
        raise ProtocolError(f"expected 'HOURS 12|24', got {payload!r}")
    return int(match.group(1))


def decode_temp(payload: str) -> float | None:
    """``TEMP 23.5`` -> 23.5 (degrees C); ``TEMP NONE`` (no sensor answers) -> None."""
    match = _TEMP_RE.fullmatch(payload)
    if not match:
        raise ProtocolError(f"expected 'TEMP [-]D.D' or 'TEMP NONE', got {payload!r}")
    if match.group(1).upper() == "NONE":
        return None
    value = float(match.group(1))
    if not TEMP_MIN <= value <= TEMP_MAX:
        raise ProtocolError(f"the clock reports an impossible temperature {payload!r}")
    return value


def decode_cal(payload: str) -> CalendarDay:
    """``CAL 2026-09-25 term=none fest=ZhongQiu`` -> CalendarDay."""
    match = _CAL_RE.fullmatch(payload)
    if not match:
        raise ProtocolError(f"expected 'CAL YYYY-MM-DD term=NAME fest=NAME', got {payload!r}")
    try:
        day = date(*(int(g) for g in match.groups()[:3]))
    except ValueError:
        raise ProtocolError(f"the clock names an impossible date {payload!r}") from None
    term, fest = match.group(4), match.group(5)
    if term != "none" and term not in SOLAR_TERMS:
        raise ProtocolError(f"unknown solar term {term!r} in {payload!r}")
    if fest != "none" and fest not in FESTIVALS:
        raise ProtocolError(f"unknown festival {fest!r} in {payload!r}")
    return CalendarDay(day, None if term == "none" else term, None if fest == "none" else fest)


def decode_pong(payload: str) -> None:
    if payload.upper() != "PONG":
        raise ProtocolError(f"expected 'PONG', got {payload!r}")


def decode_info(payload: str) -> Info:
    """``INFO clock51 0.1.0 board=reference ... rtc=ok`` -> Info."""
    words = payload.split()
    if len(words) < 3 or words[0].upper() != "INFO" or "=" in words[1] or "=" in words[2]:
        raise ProtocolError(f"expected 'INFO NAME VERSION key=value...', got {payload!r}")
    fields: dict[str, str] = {}
    for word in words[3:]:
        key, eq, value = word.partition("=")
        if not eq or not key:
            raise ProtocolError(f"INFO field {word!r} is not key=value")
        fields[key.lower()] = value
    return Info(words[1], words[2], fields)


def decode_help(payload: str) -> list[str]:
    words = payload.split()
    if not words:
        raise ProtocolError("empty HELP reply")
    return [w.upper() for w in words]


# ---------------------------------------------------------------- DRIFT (learned drift)
# Firmware built with the drift feature (docs/protocol.md, "Drift"); others answer
# ``ERR unknown command``. Kept as one block: requests, the reply and its checks.

DRIFT_RATE_MAX = 300.0  # ppm, 0.01 ppm steps
DRIFT_K_MAX = 0.127  # ppm/degC^2, 0.001 steps
DRIFT_T0_MAX = 63  # degC, whole degrees
DRIFT_ACC_MAX = 2.0  # seconds: the clock steps whenever |ACC| reaches 1 s
DRIFT_STEPS_MAX = 32767  # int16
DRIFT_NO_ID = ("0000", "FFFF")  # what the clock's RAM holds when it has no ID


@dataclass(frozen=True)
class Drift:
    """``DRIFT`` reply: the clock's drift bookkeeping (docs/protocol.md).

    ``rate``: ppm the clock believes its crystal runs fast (negative: slow); ``acc``:
    seconds of predicted error not yet stepped; ``steps``: net whole seconds stepped since
    the last SET (negative: set back); ``acc - steps`` is the model's predicted drift since
    that SET. ``id``: four upper-case hex digits, None when never assigned.
    """

    id: str | None
    rate: float
    acc: float
    steps: int
    comp: bool
    k: float
    t0: int

    def __str__(self) -> str:
        return (f"ID {self.id or 'NONE'} RATE {self.rate:+.2f} ACC {self.acc:+.3f} "
                f"STEPS {self.steps:+d} COMP {'ON' if self.comp else 'OFF'} "
                f"K {self.k:+.3f} T0 {self.t0}")


def hundredths(ppm: float) -> int:
    """A rate as the clock keeps it: whole 0.01 ppm."""
    return round(ppm * 100)


def thousandths(value: float) -> int:
    return round(value * 1000)


def req_drift() -> str:
    return "DRIFT"


def req_drift_rate(ppm: float) -> str:
    """``DRIFT RATE -20.50``: the value rounded to 0.01 ppm, within +-300.00."""
    if not math.isfinite(ppm) or abs(hundredths(ppm)) > hundredths(DRIFT_RATE_MAX):
        raise UsageError(f"drift rate {ppm:g} ppm is outside what the clock holds "
                         f"(-{DRIFT_RATE_MAX:.2f} to +{DRIFT_RATE_MAX:.2f} ppm)")
    return f"DRIFT RATE {hundredths(ppm) / 100:.2f}"  # an int / 100: never -0.00


def req_drift_comp(on: bool) -> str:
    return "DRIFT COMP ON" if on else "DRIFT COMP OFF"


def req_drift_k(k: float) -> str:
    """``DRIFT K -0.034``: ppm/degC^2 rounded to 0.001, within +-0.127."""
    if not math.isfinite(k) or abs(thousandths(k)) > thousandths(DRIFT_K_MAX):
        raise UsageError(f"drift k {k:g} ppm/C^2 is outside what the clock holds "
                         f"(-{DRIFT_K_MAX:.3f} to +{DRIFT_K_MAX:.3f})")
    return f"DRIFT K {thousandths(k) / 1000:.3f}"


def req_drift_t0(t0: int) -> str:
    if not 0 <= t0 <= DRIFT_T0_MAX:
        raise UsageError(f"drift t0 {t0} C is outside what the clock holds (0-{DRIFT_T0_MAX})")
    return f"DRIFT T0 {t0}"


_DRIFT_ID_RE = re.compile(r"[0-9A-F]{4}")


def check_drift_id(ident: str) -> str:
    """A clock ID as sent: four hex digits (upper-cased), not 0000 or FFFF."""
    upper = ident.strip().upper()
    if not _DRIFT_ID_RE.fullmatch(upper) or upper in DRIFT_NO_ID:
        raise UsageError(f"clock ID {ident!r} is not four hex digits other than 0000 and FFFF")
    return upper


def req_drift_id(ident: str) -> str:
    return f"DRIFT ID {check_drift_id(ident)}"


_DRIFT_RE = re.compile(
    r"DRIFT ID ([0-9A-F]{4}|NONE) RATE ([+-][0-9]{1,3}\.[0-9]{2}) ACC ([+-][0-9]+\.[0-9]{3}) "
    r"STEPS ([+-][0-9]{1,5}) COMP (ON|OFF) K ([+-][0-9]\.[0-9]{3}) T0 ([0-9]{1,2})")


def decode_drift(payload: str) -> Drift:
    """``DRIFT ID 3F2A RATE +87.00 ACC -0.412 STEPS -12 COMP OFF K -0.034 T0 25`` -> Drift.

    Strict: the fields in this order, each in its documented form and range.
    """
    match = _DRIFT_RE.fullmatch(payload)
    if not match:
        raise ProtocolError("expected 'DRIFT ID XXXX|NONE RATE +-D.DD ACC +-D.DDD STEPS +-N "
                            f"COMP ON|OFF K +-D.DDD T0 N', got {payload!r}")
    ident, rate, acc, steps, comp, k, t0 = match.groups()
    checks = [
        (ident not in DRIFT_NO_ID, "ID 0000/FFFF (no ID) is sent as NONE"),
        (abs(float(rate)) <= DRIFT_RATE_MAX, f"RATE beyond +-{DRIFT_RATE_MAX:.2f} ppm"),
        (abs(float(acc)) < DRIFT_ACC_MAX, f"ACC of {DRIFT_ACC_MAX:g} s or more"),
        (abs(int(steps)) <= DRIFT_STEPS_MAX, "STEPS beyond a 16-bit count"),
        (abs(float(k)) <= DRIFT_K_MAX, f"K beyond +-{DRIFT_K_MAX:.3f}"),
        (int(t0) <= DRIFT_T0_MAX, f"T0 beyond {DRIFT_T0_MAX}"),
    ]
    for ok, what in checks:
        if not ok:
            raise ProtocolError(f"the clock reports an impossible drift state {payload!r} "
                                f"({what})")
    return Drift(None if ident == "NONE" else ident, float(rate), float(acc), int(steps),
                 comp == "ON", float(k), int(t0))
