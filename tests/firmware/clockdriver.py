"""A test driver for the real clock51 firmware image running on a simulated board.

``Clock`` wraps ``sim.machine.board.Board`` with what a system test needs: boot a board with a fresh
or a pre-set DS1302, read the LCD, press keys, talk the serial protocol through an in-memory
endpoint, read the DS1302 model, and power-cycle the board with the battery-backed DS1302
state carried over. Nothing here implements firmware behaviour: every answer comes from the
compiled image.

Models are observed through their public methods and recorded logs only, e.g.:

- ``write_log``: every DS1302 *write* transfer the firmware completes, as
  ``(cycle, command, data bytes)``, recorded through the model's ``write_observers`` hook on
  each CE fall. It is what "the DS1302 was written once" and "the seconds write happened
  within 2 ms" are measured with.
- ``rtc_fingerprint()``: control, trickle, RAM, halted flag and the cycle at which the
  running clock would read 2000-01-01 00:00:00 (constant while nobody writes the clock).

Settings RAM: a DS1302 injected with a time must also hold valid settings (clock.h: RAM0
flags, RAM1/2 alarm hour/minute, RAM3 CRC-8, RAM4 magic 0xC3); otherwise the firmware
resets them to defaults. ``settings_ram`` builds those bytes. The "set me" mark is not in
RAM: the day-of-week register holds weekday + 3 (``set_me_weekday``).
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable
from functools import lru_cache
from pathlib import Path
from typing import Any

from boardprofile import Profile, load_profile

from sim.frontends.endpoints import MemoryEndpoint
from sim.machine.board import Board
from sim.machine.image import load_ihx
from tests.buildsupport import variant_profile

ROOT = Path(__file__).resolve().parents[2]
BOARDS = ROOT / "firmware" / "boards"
BUILD = ROOT / ".pio" / "build"

BANNER = "clock51 READY"
WEEKDAYS = ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun")
# LCD text view: CGRAM codes 0..7 (and 8..15) are shown as circled digits 1..8
CGRAM_CHARS = "".join(chr(0x2460 + i) for i in range(8))

# DS1302 commands (write forms)
CLOCK_BURST_W = 0xBE
RAM_BURST_W = 0xFE
SECONDS_W = 0x80
WDAY_W = 0x8A                 # the day-of-week register alone
DRIFT_COPIES = (7, 19)        # DS1302 RAM addresses of the drift record's two copies (drift.h)
CONTROL_W = 0x8E

SETTINGS_MAGIC = 0xC3
SETTINGS_SEED = 0xA5
FLAG_ALARM_ON, FLAG_H12 = 0x01, 0x02


def crc8(data: bytes, crc: int = SETTINGS_SEED) -> int:
    """CRC-8, polynomial x^8 + x^2 + x + 1, MSB first (firmware clock.c settings_crc)."""
    for b in data:
        crc ^= b
        for _ in range(8):
            crc = ((crc << 1) ^ 0x07) & 0xFF if crc & 0x80 else (crc << 1) & 0xFF
    return crc


def settings_ram(alarm: tuple[int, int] = (7, 0), alarm_on: bool = False,
                 hours12: bool = False) -> bytes:
    """The 5 settings bytes of DS1302 RAM (layout of firmware/include/clock.h)."""
    flags = (FLAG_ALARM_ON if alarm_on else 0) | (FLAG_H12 if hours12 else 0)
    b = bytes([flags, alarm[0], alarm[1]])
    return b + bytes([crc8(b), SETTINGS_MAGIC])


def set_me_weekday(day: dt.date) -> int:
    """The day-of-week register of a time in the "set me" state: ISO weekday + 3, 1..7."""
    return (day.isoweekday() + 2) % 7 + 1


def checksum(text: str) -> str:
    x = 0
    for ch in text.encode("ascii"):
        x ^= ch
    return f"{x:02X}"


def with_checksum(text: str) -> str:
    return f"{text}*{checksum(text)}"


def build_date(image: Path) -> dt.date:
    """BUILD_YEAR/MONTH/DAY from the generated board_config.h next to ``image``."""
    header = (Path(image).parent / "generated" / "board_config.h").read_text()
    vals = {k: int(v) for k, v in
            re.findall(r"#define\s+BUILD_(YEAR|MONTH|DAY)\s+(\d+)", header)}
    return dt.date(vals["YEAR"], vals["MONTH"], vals["DAY"])


def bcd(v: int) -> int:
    return (v // 10) << 4 | (v % 10)


_LINE1 = re.compile(r"^(\d{4})-(\d{2})-(\d{2}) +(Mon|Tue|Wed|Thu|Fri|Sat|Sun)\b")
_LINE2 = re.compile(r"^ ?(\d{1,2}):(\d{2}):(\d{2})")


@lru_cache(maxsize=16)
def _image(path: Path, mtime_ns: int, size: int) -> bytes:
    """An image read once for every clock of the session (until the file changes)."""
    return load_ihx(path)


@lru_cache(maxsize=16)
def _profile(path: Path, mtime_ns: int, size: int) -> Profile:
    """A board profile loaded once for every board of the session (a power-cut sweep
    builds hundreds; a Profile is never changed by a board)."""
    return load_profile(path)


def _stamp(path: Path) -> tuple[Path, int, int]:
    st = path.stat()
    return path, st.st_mtime_ns, st.st_size


class Clock:
    """One simulated clock51 board running the real image of ``env``."""

    def __init__(self, env: str, image: Path) -> None:
        self.env = env
        self.image_path = Path(image)
        self.image = _image(*_stamp(self.image_path))
        self.profile = _profile(*_stamp(variant_profile(env)))
        self.boards: list[Board] = []  # every board built (for the violation check)
        self.board: Board | None = None
        self.write_log: list[tuple[int, int, bytes]] = []
        self._rx = bytearray()
        self.banners = 0

    # -- lifecycle --------------------------------------------------------------------
    def make_board(self) -> Board:
        """The board itself (a subclass gives it a crystal, a room temperature...)."""
        return Board(self.profile, self.image, endpoint=MemoryEndpoint())

    def new_board(self) -> Board:
        """A new, unpowered-yet board for this clock (a fresh DS1302); it becomes ``b``."""
        board = self.make_board()
        self.boards.append(board)
        self.board = board
        self.write_log = []
        self._rx = bytearray()
        board.rtc.write_observers.append(
            lambda cycle, cmd, data: self.write_log.append((cycle, cmd, data)))
        return board

    def boot(self, rtc: dt.datetime | None = None, rtc_state: dict[str, Any] | None = None,
             *, alarm: tuple[int, int] = (7, 0), alarm_on: bool = False,
             hours12: bool = False, settle_s: float = 2.0,
             temp: float | None | str = "default") -> Clock:
        """Power the board up and run until the banner and a drawn LCD.

        ``rtc``: a DS1302 running at that time with valid settings RAM (``alarm``...);
        ``rtc_state``: a saved DS1302 state (``to_state``); neither: a fresh chip.
        ``temp``: the DS18B20's temperature from power-on (None: no sensor answers).
        """
        board = self.new_board()
        if temp != "default":
            board.set_temperature(None if temp is None else float(temp))
        if rtc_state is not None:
            board.rtc.from_state(rtc_state)
            board.rtc.rebase(0)
        elif rtc is not None:
            board.rtc.set_datetime(rtc, 0)
            board.rtc.ram[0:5] = settings_ram(alarm, alarm_on, hours12)
        ok = board.run_until_true(self._started, settle_s)
        assert ok, f"{self.env}: no banner and time on the LCD after {settle_s} s: {self.lcd()}"
        return self

    def power_cycle(self, off_s: float = 0.0) -> Clock:
        """Switch off (the DS1302 runs on its battery for ``off_s``) and on again."""
        assert self.board is not None
        ok = self.restart(self.board.rtc.to_state(), off_s, 2.0)
        assert ok, f"{self.env}: no restart after power cycle: {self.lcd()}"
        return self

    def restart(self, rtc_state: dict[str, Any], off_s: float, timeout_s: float) -> bool:
        """Power on a new board whose DS1302 is ``rtc_state`` after ``off_s`` on its battery
        (the rest starts from reset); whether it started within ``timeout_s``."""
        board = self.new_board()
        board.rtc.from_state(rtc_state)
        board.rtc.rebase(0, off_s)
        board.rtc.set_vcc2(True, 0)
        return board.run_until_true(self._started, timeout_s)

    def _started(self) -> bool:
        """The banner line was sent and the LCD shows a time."""
        return (BANNER + "\r\n").encode() in self._peek_sent() and self.parse_time() is not None

    def violations(self) -> list[str]:
        out = []
        for i, b in enumerate(self.boards):
            out += [f"board#{i}: {v}" for v in b.violations()]
        return out

    # -- time -------------------------------------------------------------------------
    @property
    def b(self) -> Board:
        assert self.board is not None, "boot() first"
        return self.board

    @property
    def cycles(self) -> int:
        return self.b.cycles

    @property
    def cps(self) -> int:
        return self.b.cps

    def run(self, seconds: float) -> None:
        self.b.uart.poll(self.b.cycles)
        self.b.run_for(seconds)

    def run_until(self, predicate: Callable[[], bool], timeout_s: float,
                  poll_s: float = 0.005) -> bool:
        self.b.uart.poll(self.b.cycles)
        return self.b.run_until_true(predicate, timeout_s, poll_s)

    # -- LCD --------------------------------------------------------------------------
    def lcd(self) -> list[str]:
        return self.b.lcd.text()

    def run_until_lcd(self, pattern: str, timeout_s: float = 2.0, line: int | None = None,
                      poll_s: float = 0.005) -> re.Match[str]:
        """Run until the LCD (``line`` 0/1, or both joined by a newline) matches ``pattern``."""
        rx = re.compile(pattern)
        found: list[re.Match[str]] = []

        def check() -> bool:
            text = self.lcd()
            m = rx.search(text[line] if line is not None else "\n".join(text))
            if m:
                found.append(m)
            return m is not None

        if not self.run_until(check, timeout_s, poll_s):
            raise AssertionError(f"LCD never matched {pattern!r} within {timeout_s} s; "
                                 f"it shows {self.lcd()} (DS1302 {self.rtc_now()})")
        return found[0]

    def parse_date(self) -> tuple[dt.date, str] | None:
        """Line 1 of the main page: (date, weekday name) or None."""
        m = _LINE1.match(self.lcd()[0])
        if not m:
            return None
        try:
            return dt.date(int(m[1]), int(m[2]), int(m[3])), m[4]
        except ValueError:
            return None

    def parse_time(self) -> tuple[int, int, int] | None:
        """Line 2 of the main page: (h, m, s) as shown, or None."""
        m = _LINE2.match(self.lcd()[1])
        return (int(m[1]), int(m[2]), int(m[3])) if m else None

    def shown(self) -> dt.datetime | None:
        """Date and time on the main page (24-hour display)."""
        d, t = self.parse_date(), self.parse_time()
        if d is None or t is None:
            return None
        try:
            return dt.datetime.combine(d[0], dt.time(*t))
        except ValueError:
            return None

    def bell_shown(self) -> bool:
        """The alarm indicator: a CGRAM glyph (not blank) on line 2 of the main page."""
        for ch in self.lcd()[1]:
            if ch in CGRAM_CHARS:
                glyph = self.b.lcd.glyph(ord(ch) - 0x2460)
                if glyph and any(glyph):
                    return True
        return False

    def set_me_shown(self) -> bool:
        """The "set me" mark: the firmware draws '?' after the time on line 2."""
        return "?" in self.lcd()[1][8:]

    # -- keys -------------------------------------------------------------------------
    def press(self, key: str, hold_s: float = 0.1, settle_s: float = 0.06) -> None:
        """Press ``key`` now for ``hold_s``; return ``settle_s`` after its release."""
        self.b.press(key, hold_s=hold_s)
        self.run(hold_s + settle_s)

    def press_start(self, key: str, hold_s: float = 0.1) -> None:
        """Schedule a press without running."""
        self.b.press(key, hold_s=hold_s)

    # -- serial -----------------------------------------------------------------------
    def _peek_sent(self) -> bytes:
        ep = self.b.uart.endpoint
        self._rx += ep.take_sent()
        return bytes(self._rx)

    def take_received(self) -> bytes:
        """Everything the firmware sent that no reply read has taken yet (banner included);
        it is then taken."""
        data = self._peek_sent()
        self._rx.clear()
        return data

    def send_bytes(self, data: bytes) -> None:
        ep = self.b.uart.endpoint
        ep.feed(data)
        self.b.uart.poll(self.b.cycles)

    def send_line(self, text: str, end: str = "\r\n", checksum: bool = False) -> None:
        if checksum:
            text = with_checksum(text)
        self.send_bytes(text.encode("latin-1") + end.encode("ascii"))

    def _next_line(self) -> str | None:
        while True:
            buf = self._peek_sent()
            i = buf.find(b"\r\n")
            if i < 0:
                return None
            line = buf[:i].decode("latin-1")
            del self._rx[: i + 2]
            if line == BANNER:
                self.banners += 1
                continue
            return line

    def read_reply(self, timeout_s: float = 1.0) -> str:
        got: list[str] = []

        def ready() -> bool:
            line = self._next_line()
            if line is not None:
                got.append(line)
            return bool(got)

        if not self.run_until(ready, timeout_s, poll_s=0.002):
            raise AssertionError(f"no reply within {timeout_s} s "
                                 f"(received so far: {bytes(self._rx)!r})")
        return got[0]

    def read_replies(self, n: int, timeout_s: float = 2.0) -> list[str]:
        got: list[str] = []

        def ready() -> bool:
            while len(got) < n:
                line = self._next_line()
                if line is None:
                    break
                got.append(line)
            return len(got) >= n

        if not self.run_until(ready, timeout_s, poll_s=0.005):
            raise AssertionError(f"{len(got)} of {n} replies within {timeout_s} s: {got} "
                                 f"pending {bytes(self._rx)!r}")
        return got

    def command(self, text: str, checksum: bool = False, timeout_s: float = 1.0) -> str:
        self.send_line(text, checksum=checksum)
        return self.read_reply(timeout_s)

    def quiet(self, seconds: float = 0.1) -> bytes:
        """Run ``seconds`` and return everything sent meanwhile (banner excluded)."""
        self.run(seconds)
        data = self._peek_sent().replace(BANNER.encode() + b"\r\n", b"")
        self._rx.clear()
        return data

    # -- DS1302 -----------------------------------------------------------------------
    def rtc_now(self) -> dt.datetime | None:
        return self.b.rtc.datetime_at(self.cycles)

    def set_rtc(self, when: dt.datetime) -> None:
        """Inject a running time into the DS1302 model now (as if written by a burst)."""
        self.b.rtc.set_datetime(when, self.cycles)

    def rtc_phase_ms(self) -> float:
        return self.b.rtc.phase_ms(self.cycles)

    def rtc_fingerprint(self) -> dict[str, Any]:
        """What must not change unless someone writes the DS1302 (see module docstring)."""
        rtc = self.b.rtc
        c = self.cycles
        now = rtc.datetime_at(c)
        regs = rtc.registers_at(c)
        origin = None
        if now is not None:
            secs = (now - dt.datetime(2000, 1, 1)).total_seconds()
            origin = c - rtc.subsecond_cycles(c) - int(secs) * rtc.cps
        return {
            "origin_cycle": origin,
            "halted": rtc.halted,
            "hour12": bool(regs[2] & 0x80),
            "weekday": regs[5],
            "control": rtc.control,
            "trickle": rtc.trickle,
            "ram": bytes(rtc.ram),
        }

    def ram_settings(self) -> dict[str, Any]:
        ram = self.b.rtc.ram
        return {"valid": ram[4] == SETTINGS_MAGIC and ram[3] == crc8(ram[:3]),
                "alarm": (ram[1], ram[2]), "alarm_on": bool(ram[0] & FLAG_ALARM_ON),
                "hours12": bool(ram[0] & FLAG_H12)}

    def rtc_set_me_mark(self) -> bool:
        """The DS1302's day-of-week register carries the "set me" mark (clock.h)."""
        now = self.rtc_now()
        return now is not None and self.b.rtc.registers_at(self.cycles)[5] == set_me_weekday(now)

    def drift_generation(self) -> int | None:
        """The generation bit of the newest valid copy of the drift record in DS1302 RAM
        (drift.h: 12 bytes, sequence in byte 3's top bits, g in byte 4's bit 0, CRC-8 last);
        None when no copy is valid (a board without the drift feature)."""
        ram = bytes(self.b.rtc.ram)
        valid = [c for c in (ram[a:a + 12] for a in DRIFT_COPIES) if crc8(c[:11]) == c[11]]
        if len(valid) == 2 and (valid[1][3] >> 6) - (valid[0][3] >> 6) & 3 == 1:
            valid.reverse()  # the second copy is the newer
        return valid[0][4] & 1 if valid else None

    def weekday_offset(self) -> int | None:
        """The DS1302's day-of-week register less its date's ISO weekday, mod 7: what a
        set clock must hold there is the drift record's generation (0 or 1, drift.h), or 0
        on a board without the drift feature (expected_weekday_offset())."""
        now = self.rtc_now()
        if now is None:
            return None
        return (self.b.rtc.registers_at(self.cycles)[5] - now.isoweekday()) % 7

    def expected_weekday_offset(self) -> int:
        g = self.drift_generation()
        return 0 if g is None else g

    def time_writes(self, since: int = 0) -> list[tuple[int, int, bytes]]:
        """clock_writes() that set the time: all but the day-of-week register written alone,
        which a drift build writes after a set's record, to carry its generation (drift.h)."""
        return [w for w in self.clock_writes(since) if w[1] != WDAY_W]

    def clock_writes(self, since: int = 0) -> list[tuple[int, int, bytes]]:
        """DS1302 writes that touch the clock registers (burst or seconds..year)."""
        return [w for w in self.write_log
                if w[0] >= since and (w[1] == CLOCK_BURST_W or 0x80 <= w[1] <= 0x8C)]

    def seconds_writes(self, since: int = 0) -> list[tuple[int, int, bytes]]:
        """DS1302 writes that set the seconds register (clock burst or 0x80): each restarts
        the divider chain, i.e. sets the time."""
        return [w for w in self.write_log
                if w[0] >= since and w[1] in (CLOCK_BURST_W, SECONDS_W)]

    def writes_since(self, since: int) -> list[tuple[int, int, bytes]]:
        return [w for w in self.write_log if w[0] >= since]

    # -- buzzer -----------------------------------------------------------------------
    def sounding(self) -> bool:
        return self.b.buzzer.is_sounding(self.cycles)
