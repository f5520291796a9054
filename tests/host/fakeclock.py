"""Test doubles for the host tool: a fake time source, a scripted stand-in device that
answers protocol lines the way docs/protocol.md says, and a fake port that carries bytes
between them with a byte-time and latency model.

This is a TEST DOUBLE for exercising the host tool only. It is not a model of the firmware
and replaces none of it: the system tests run the real firmware image in the simulator.
"""

from __future__ import annotations

import math
import re
from datetime import datetime

WEEKDAYS = ("MON", "TUE", "WED", "THU", "FRI", "SAT", "SUN")
START = datetime(2026, 11, 24, 12, 5, 31)
CRC_DIGITS = "0123456789:;<=>?"
# a few days the fake's CAL knows (scripted answers, not a calendar computation)
CALENDAR = {
    "2026-09-25": ("none", "ZhongQiu"),
    "2026-04-05": ("QingMing", "QingMing"),
    "2012-10-23": ("ShuangJiang", "ChongYang"),
    "2026-11-22": ("XiaoXue", "none"),
}


def crc16_bitwise(data: bytes) -> int:
    """CRC-16/XMODEM bit by bit (written apart from host.protocol's table version)."""
    crc = 0
    for byte in data:
        crc ^= byte << 8
        for _ in range(8):
            crc = ((crc << 1) ^ 0x1021) & 0xFFFF if crc & 0x8000 else (crc << 1) & 0xFFFF
    return crc


def xor_of(data: bytes) -> int:
    value = 0
    for byte in data:
        value ^= byte
    return value


def suffix(body: str, form: str | None) -> str:
    """The check a line carries in ``form`` ("#", "*" or None)."""
    if form == "#":
        value = crc16_bitwise(body.encode())
        return "#" + "".join(CRC_DIGITS[(value >> s) & 15] for s in (12, 8, 4, 0))
    if form == "*":
        return f"*{xor_of(body.encode()):02X}"
    return ""


class FakeTime:
    """wall = mono + offset; sleeping just moves the time forward."""

    def __init__(self, wall0: float | None = None, mono0: float = 5000.0) -> None:
        wall0 = START.timestamp() + 0.25 if wall0 is None else wall0
        self.now = mono0
        self.offset = wall0 - mono0
        self.sleeps: list[float] = []

    def wall(self) -> float:
        return self.now + self.offset

    def mono(self) -> float:
        return self.now

    def sleep_until(self, deadline: float) -> None:
        """The host's waits (subclasses make them late or interrupt them)."""
        self.sleeps.append(deadline)
        self.advance_to(deadline)

    def advance_to(self, mono: float) -> None:
        """Time passing inside the fake port (waiting for bytes)."""
        self.now = max(self.now, mono)

    def advance(self, seconds: float) -> None:
        self.now += seconds


class FakeDevice:
    """Answers complete request lines per docs/protocol.md; keeps a sub-second RTC phase."""

    def __init__(self, time: FakeTime, start: datetime | None = START, *,
                 set_delay: float = 0.0, read_delay: float = 0.0, drift: bool = False,
                 crystal_ppm: float = 0.0, crystal_k: float = 0.0,
                 crystal_t0: float = 25.0) -> None:
        self.time = time
        self.set_delay = set_delay  # after the line end, when the seconds register is written
        self.read_delay = read_delay  # after the line end, when the registers are read
        self.rtc_value = (start or datetime(2000, 1, 1)).timestamp()
        self.rtc_ref = time.mono()
        self.rtc_set = start is not None
        self.alarm = (7, 30, False)
        self.hours = 24
        self._temp: float | str | None = 23.5  # DS18B20: a value, None (absent), "err", "busy"
        # CAL's answers: date -> (term, festival) ("none" for neither); other dates: none
        self.calendar: dict[str, tuple[str, str]] = dict(CALENDAR)
        self.buffer = bytearray()
        self.lines: list[tuple[float, bytes]] = []  # (mono of the line end, line) received
        self.sets: list[tuple[float, datetime]] = []  # (mono of the register write, value)
        # The crystal: it runs crystal_ppm + crystal_k (T - crystal_t0)^2 fast (T: ``temp``).
        self.crystal_ppm, self.crystal_k, self.crystal_t0 = crystal_ppm, crystal_k, crystal_t0
        # The drift feature (docs/protocol.md, DRIFT): the clock removes the RATE it holds
        # (+ K (T - T0)^2 with COMP ON) by whole-second steps, as soon as |ACC| reaches 1 s.
        self.drift_feature = drift
        self.drift_id: str | None = None
        self.drift_rate, self.drift_comp, self.drift_k, self.drift_t0 = 0.0, False, -0.034, 25
        self._fold_at = time.mono()  # the state below is as of this instant
        self._crystal = 0.0  # seconds the crystal gained since the last SET
        self._acc = 0.0
        self._steps = 0

    # -- the crystal and the drift bookkeeping (folded whenever a rate changes)
    @property
    def temp(self) -> float | str | None:
        return self._temp

    @temp.setter
    def temp(self, value: float | str | None) -> None:
        self._fold(self.time.mono())
        self._temp = value

    def _celsius(self) -> float | None:
        return self._temp if isinstance(self._temp, float | int) else None

    def crystal_rate(self) -> float:
        """ppm the crystal runs fast now (the truth the host has to learn)."""
        t = self._celsius()
        parabola = 0.0 if t is None else self.crystal_k * (t - self.crystal_t0) ** 2
        return self.crystal_ppm + parabola

    def predicted_rate(self) -> float:
        """ppm the clock's own model removes now."""
        t = self._celsius()
        temp_part = self.drift_k * (t - self.drift_t0) ** 2 if self.drift_comp and t is not None \
            else 0.0
        return self.drift_rate + temp_part

    def drift_state(self, mono: float) -> tuple[float, float, int]:
        """(crystal gain since the last SET, ACC, STEPS) at ``mono``."""
        dt = mono - self._fold_at
        crystal = self._crystal + self.crystal_rate() * 1e-6 * dt
        if not self.drift_feature:
            return crystal, 0.0, 0
        acc = self._acc + self.predicted_rate() * 1e-6 * dt
        step = -math.trunc(acc)  # whole seconds against the accumulated error
        return crystal, acc + step, self._steps + step

    def _fold(self, mono: float) -> None:
        self._crystal, self._acc, self._steps = self.drift_state(mono)
        self._fold_at = mono

    # -- the RTC
    def clock_at(self, mono: float) -> float:
        crystal, _, steps = self.drift_state(mono)
        return self.rtc_value + (mono - self.rtc_ref) + crystal + steps

    def offset(self) -> float:
        """Clock minus PC wall time, in seconds (sub-second phase included)."""
        return self.clock_at(self.time.mono()) - self.time.wall()

    def shown_at(self, mono: float) -> datetime:
        return datetime.fromtimestamp(math.floor(self.clock_at(mono)))

    # -- bytes in, reply lines out
    def receive(self, byte: int, at: float) -> bytes | None:
        if byte not in (0x0D, 0x0A):
            self.buffer.append(byte)
            return None
        line = bytes(self.buffer)
        self.buffer.clear()
        if not line:
            return None
        self.lines.append((at, line))
        return self.answer(line, at)

    def answer(self, line: bytes, at: float) -> bytes:
        form = None
        if len(line) > 40:
            return self._frame("ERR too long", None)
        text = line.decode("latin-1")
        marks = [i for i, ch in enumerate(text) if ch in "*#"]
        if marks:
            text, form, digits = text[:marks[0]], text[marks[0]], text[marks[0] + 1:]
        if any(not 0x20 <= b <= 0x7E for b in line):
            body = "ERR bad byte"
        elif form is not None and suffix(text, form)[1:] != (
                digits.upper() if form == "*" else digits):
            body = "ERR checksum"
        else:
            body = self.command(text.split(" "), at)
        return self._frame(body, form)

    @staticmethod
    def _frame(body: str, form: str | None) -> bytes:
        return (body + suffix(body, form)).encode() + b"\r\n"

    def _time_reply(self, mono: float) -> str:
        when = self.shown_at(mono)
        return f"OK {when:%Y-%m-%d %H:%M:%S} {WEEKDAYS[when.weekday()]}"

    def _alarm_reply(self) -> str:
        h, m, on = self.alarm
        return f"OK ALARM {h:02d}:{m:02d} {'ON' if on else 'OFF'}"

    def command(self, words: list[str], at: float) -> str:
        name, args = words[0].upper(), [w.upper() for w in words[1:]]
        if name == "PING" and not args:
            return "OK PONG"
        if name == "GET" and not args:
            return self._time_reply(at + self.read_delay)
        if name == "SET" and len(args) == 2:
            text = " ".join(args)
            if not re.fullmatch(r"[0-9]{4}-[0-9]{2}-[0-9]{2} [0-9]{2}:[0-9]{2}:[0-9]{2}", text):
                return "ERR syntax"
            try:
                when = datetime.strptime(text, "%Y-%m-%d %H:%M:%S")
            except ValueError:
                return "ERR range"
            if not 2000 <= when.year <= 2099:
                return "ERR range"
            self.rtc_value = when.timestamp()
            self.rtc_ref = at + self.set_delay
            self._fold_at, self._crystal, self._acc, self._steps = self.rtc_ref, 0.0, 0.0, 0
            self.rtc_set = True
            self.sets.append((self.rtc_ref, when))
            return self._time_reply(self.rtc_ref)
        if name == "ALARM" and not args:
            return self._alarm_reply()
        if name == "ALARM" and len(args) == 1:
            h, m, on = self.alarm
            if args[0] in ("ON", "OFF"):
                self.alarm = (h, m, args[0] == "ON")
                return self._alarm_reply()
            match = re.fullmatch(r"([0-9]{2}):([0-9]{2})", args[0])
            if not match:
                return "ERR syntax"
            h, m = int(match.group(1)), int(match.group(2))
            if h > 23 or m > 59:
                return "ERR range"
            self.alarm = (h, m, True)
            return self._alarm_reply()
        if name == "HOURS" and not args:
            return f"OK HOURS {self.hours}"
        if name == "HOURS" and len(args) == 1:
            if not args[0].isdigit():
                return "ERR syntax"
            if args[0] not in ("12", "24"):
                return "ERR range"
            self.hours = int(args[0])
            return f"OK HOURS {self.hours}"
        if name == "INFO" and not args:
            rtc = "ok" if self.rtc_set else "unset"
            return ("OK INFO clock51 0.1.0 board=reference mcu=STC89C52RC xtal=11059200 "
                    f"baud=9600 rtc={rtc}")
        if name == "HELP" and not args:
            return "OK SET GET PING ALARM HOURS INFO HELP CAL" + (" DRIFT" if self.drift_feature
                                                                   else "")
        if name == "DRIFT" and self.drift_feature:
            return self._drift(args, at)
        if name == "TEMP" and not args:
            if self.temp in ("err", "busy"):
                return "ERR sensor" if self.temp == "err" else "ERR busy"
            return "OK TEMP NONE" if self.temp is None else f"OK TEMP {self.temp:.1f}"
        if name == "CAL" and len(args) <= 1:
            day = args[0] if args else f"{self.shown_at(at):%Y-%m-%d}"
            if not re.fullmatch(r"[0-9]{4}-[0-9]{2}-[0-9]{2}", day):
                return "ERR syntax"
            try:
                ok = 2000 <= datetime.strptime(day, "%Y-%m-%d").year <= 2099
            except ValueError:
                ok = False
            if not ok:
                return "ERR range"
            term, fest = self.calendar.get(day, ("none", "none"))
            return f"OK CAL {day} term={term} fest={fest}"
        if name in ("PING", "GET", "SET", "ALARM", "HOURS", "INFO", "HELP", "TEMP", "CAL"):
            return "ERR syntax"
        return "ERR unknown command"

    def _drift_reply(self, at: float) -> str:
        _, acc, steps = self.drift_state(at)
        return (f"OK DRIFT ID {self.drift_id or 'NONE'} RATE {self.drift_rate:+.2f} "
                f"ACC {acc:+.3f} STEPS {steps:+d} COMP {'ON' if self.drift_comp else 'OFF'} "
                f"K {self.drift_k:+.3f} T0 {self.drift_t0}")

    def _drift(self, args: list[str], at: float) -> str:
        """DRIFT [RATE r | COMP ON|OFF | K k | T0 t | ID xxxx], per docs/protocol.md."""
        if not args:
            return self._drift_reply(at)
        if len(args) != 2:
            return "ERR syntax"
        what, value = args
        forms = {"RATE": r"[+-]?[0-9]{1,3}(\.[0-9]{1,2})?", "K": r"[+-]?[0-9](\.[0-9]{1,3})?",
                 "T0": r"[0-9]{1,3}", "ID": r"[0-9A-F]{4}", "COMP": r"ON|OFF"}
        if what not in forms or not re.fullmatch(forms[what], value):
            return "ERR syntax"
        if what == "RATE" and abs(float(value)) > 300 or what == "K" and abs(float(value)) > 0.127 \
                or what == "T0" and int(value) > 63 or what == "ID" and value in ("0000", "FFFF"):
            return "ERR range"
        if what == "COMP" and value == "ON" and self._temp is None:
            return "ERR sensor"
        self._fold(at)  # the change applies from now on
        if what == "RATE":
            self.drift_rate = float(value)
        elif what == "K":
            self.drift_k = float(value)
        elif what == "T0":
            self.drift_t0 = int(value)
        elif what == "ID":
            self.drift_id = value
        else:
            self.drift_comp = value == "ON"
        return self._drift_reply(at)


class FakePort:
    """A Transport carrying bytes to a FakeDevice: byte time 10/baud, one-way latency.

    Fault knobs: ``replies`` (a script applied to the next device replies: ``None`` drops
    one, bytes replace one), ``deaf`` (the device hears nothing), ``lose_lines`` (the next
    N request lines vanish on the wire), ``inject(raw)`` (bytes that arrive unasked, e.g.
    the banner).
    """

    name = "fake://clock"

    def __init__(self, device: FakeDevice, *, baudrate: int = 9600, latency: float = 0.0005,
                 turnaround: float = 0.0002) -> None:
        self.device = device
        self.time = device.time
        self.baudrate = baudrate
        self.latency = latency
        self.turnaround = turnaround
        self.frame = 10 / baudrate
        self.writes: list[tuple[float, bytes]] = []  # (mono of the write() call, bytes)
        self.arrivals: list[tuple[float, int]] = []  # (mono a byte reached the device, byte)
        self.replies: list[bytes | None] = []
        self.deaf = False
        self.lose_lines = 0  # the next N request lines are lost on the wire, whole
        self.closed = False
        self._to_device_free = 0.0
        self._to_host_free = 0.0
        self._incoming: list[tuple[float, bytes]] = []  # (mono visible to the host, bytes)
        self._rxbuf = bytearray()

    def inject(self, raw: bytes, delay: float = 0.0) -> None:
        self._incoming.append((self.time.mono() + delay, raw))
        self._incoming.sort(key=lambda item: item[0])

    def write(self, data: bytes) -> None:
        now = self.time.mono()
        self.writes.append((now, bytes(data)))
        for byte in data:
            done = max(now + self.latency, self._to_device_free) + self.frame
            self._to_device_free = done
            self.arrivals.append((done, byte))
            if self.lose_lines:
                if byte == 0x0A:
                    self.lose_lines -= 1
                continue
            if self.deaf:
                continue
            reply = self.device.receive(byte, done)
            if reply is not None:
                self._send_reply(reply, done + self.turnaround)

    def _send_reply(self, reply: bytes, ready: float) -> None:
        if self.replies:
            scripted = self.replies.pop(0)
            if scripted is None:
                return
            reply = scripted
        start = max(ready, self._to_host_free)
        self._to_host_free = start + len(reply) * self.frame
        self._incoming.append((self._to_host_free + self.latency, reply))
        self._incoming.sort(key=lambda item: item[0])

    def flush(self) -> None:  # like tcdrain: until the last byte has left
        self.time.advance_to(self._to_device_free - self.latency)

    def read_line(self, timeout: float) -> bytes | None:
        deadline = self.time.mono() + timeout
        while True:
            end = self._rxbuf.find(b"\n")
            if end >= 0:
                line = bytes(self._rxbuf[:end])
                del self._rxbuf[: end + 1]
                return line
            if len(self._rxbuf) >= 512:
                line = bytes(self._rxbuf)
                self._rxbuf.clear()
                return line
            if not self._incoming or self._incoming[0][0] > deadline:
                self.time.advance_to(deadline)
                return None
            visible, chunk = self._incoming.pop(0)
            self.time.advance_to(visible)
            self._rxbuf += chunk

    def reset_input(self) -> None:
        self._rxbuf.clear()
        now = self.time.mono()
        self._incoming = [item for item in self._incoming if item[0] > now]

    def close(self) -> None:
        self.closed = True

    # -- what the tests look at
    def lines_sent(self) -> list[bytes]:
        return b"".join(data for _, data in self.writes).split(b"\n")[:-1]


class TracePort:
    """Replays a recorded exchange: each expected request line gets its recorded reply.

    A request that differs from the trace fails the test (AssertionError).
    """

    name = "trace://clock"
    baudrate = 9600

    def __init__(self, trace: list[tuple[bytes, bytes | None]], time: FakeTime) -> None:
        self.trace = list(trace)
        self.time = time
        self.pending: list[bytes] = []
        self.closed = False

    def write(self, data: bytes) -> None:
        assert self.trace, f"unexpected request {data!r}: the trace is finished"
        expected, reply = self.trace.pop(0)
        assert data == expected, f"request {data!r}, trace expects {expected!r}"
        if reply is not None:
            self.pending.extend(reply.split(b"\n")[:-1] or [reply])

    def flush(self) -> None:
        pass

    def read_line(self, timeout: float) -> bytes | None:
        if self.pending:
            self.time.advance(0.02)
            return self.pending.pop(0)
        self.time.advance(timeout)
        return None

    def reset_input(self) -> None:
        pass

    def close(self) -> None:
        self.closed = True
