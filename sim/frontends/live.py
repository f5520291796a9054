"""The live terminal view of an interactive run: the board's parts and the serial port.

Drawn with rich: the LCD (any geometry; none on a board without one), the LEDs (a lit one
as ●, a dark one as ○, with its name), the buzzer, the last key pressed, the count of
broken datasheet rules and the latest one (``--check`` prints them all after the run), the
DS1302's time beside the true time (what it would show with a perfect crystal) and their
offset in ms, with the crystal's rate and the room's temperature when it has a crystal.
Keys of the board are typed on the PC keyboard: each key gets its digit
(1, 2, 3, ...) and the first letter of its name (s = SET, u = UP, d = DOWN, m = MODE); the
arrow keys are UP and DOWN. `+` and `-` warm and cool the room by 0.5 C (run.py: the DS18B20
reads it, the crystal drifts with it). `p`
cycles the board's power (the ISP bootloader listens, then the program in flash starts).
`q` or Ctrl-C ends the run. A typed key is a press of 150 ms of
simulated time, scheduled at the current simulated time (never mid-instruction).
"""

from __future__ import annotations

import os
import select
import sys
import termios
import tty
from collections import deque
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from rich.console import Group
from rich.live import Live
from rich.panel import Panel
from rich.text import Text

ARROWS = {"\x1b[A": "UP", "\x1b[B": "DOWN"}


def key_map(names: list[str]) -> dict[str, str]:
    """Typed character -> board key name."""
    m: dict[str, str] = {}
    for i, name in enumerate(names, start=1):
        if i <= 9:
            m[str(i)] = name
        first = name[0].lower()
        m.setdefault(first, name)
    return m


@contextmanager
def cbreak_stdin() -> Iterator[bool]:
    """Single-key input without echo while the view runs; yields False without a terminal."""
    if not sys.stdin.isatty():
        yield False
        return
    fd = sys.stdin.fileno()
    saved = termios.tcgetattr(fd)
    try:
        tty.setcbreak(fd)
        yield True
    finally:
        termios.tcsetattr(fd, termios.TCSADRAIN, saved)


def read_keys() -> list[str]:
    """Characters (or arrow sequences) typed since the last call, without blocking."""
    out: list[str] = []
    fd = sys.stdin.fileno()
    while select.select([fd], [], [], 0)[0]:
        data = os.read(fd, 32).decode("latin-1")
        if not data:
            break
        i = 0
        while i < len(data):
            seq = data[i:i + 3]
            if seq in ARROWS:
                out.append(seq)
                i += 3
            else:
                out.append(data[i])
                i += 1
    return out


PARTIAL_MAX = 256  # characters kept of a line not yet ended (60 are shown)


class LiveView:
    """Redraws the LCD and a status line a few times a second."""

    def __init__(self, board_name: str, key_names: list[str], serial_note: str) -> None:
        self.board_name = board_name
        self.keys = key_map(key_names)
        self.serial_note = serial_note
        self.serial_log: deque[str] = deque(maxlen=4)
        self._partial = {">": "", "<": ""}
        self._live = Live(auto_refresh=False, transient=False)

    def __enter__(self) -> LiveView:
        self._live.__enter__()
        return self

    def __exit__(self, *exc: object) -> None:
        self._live.__exit__(None, None, None)

    def feed_serial(self, direction: str, data: bytes) -> None:
        """Bytes seen on the UART: '>' host to clock, '<' clock to host; whole lines are
        shown, the last few of them."""
        text = self._partial[direction] + data.decode("ascii", "replace")
        *lines, partial = text.replace("\r", "").split("\n")
        self._partial[direction] = partial[:PARTIAL_MAX]  # a line never ended stays bounded
        for line in lines:
            if line:
                shown = "".join(c if " " <= c <= "~" else f"\\x{ord(c):02x}" for c in line)
                self.serial_log.append(f"{direction} {shown[:60]}")

    def key_for(self, typed: str) -> str | None:
        if typed in ARROWS:
            return ARROWS[typed]
        return self.keys.get(typed.lower())

    def update(self, lines: list[str], sim_seconds: float, speed: float, buzzer: bool,
               pressed: str | None, extra: dict[str, Any] | None = None) -> None:
        """Redraw: the LCD ``lines`` (empty: no LCD), the status; ``extra`` may hold
        ``leds`` (name -> lit), ``violations`` (a count), ``last`` (the latest one) and
        ``clock`` (the DS1302 beside the true time, a line)."""
        self._live.update(self.render(lines, sim_seconds, speed, buzzer, pressed, extra),
                          refresh=True)

    def render(self, lines: list[str], sim_seconds: float, speed: float, buzzer: bool,
               pressed: str | None, extra: dict[str, Any] | None = None) -> Panel:
        """The panel ``update`` draws."""
        extra = extra or {}
        lcd = Text()
        width = max((len(line) for line in lines), default=0)
        for i, line in enumerate(lines):
            lcd.append(f" {line:<{width}} ", style="bold black on green3")
            if i < len(lines) - 1:
                lcd.append("\n")
        hints = "  ".join(f"[{c}] {n}" for c, n in self.keys.items() if not c.isdigit())
        status = Text(f"t = {sim_seconds:9.2f} s simulated   {speed:5.1f}x real time")
        if buzzer:
            status.append("   BUZZER ON", style="bold red")
        if pressed:
            status.append(f"   key {pressed}", style="bold yellow")
        parts: list[Any] = [lcd, Text("")] if lines else []
        leds = extra.get("leds")
        if leds:
            row = Text("LEDs: ")
            for name, lit in leds.items():
                row.append("● " if lit else "○ ", style="bold red" if lit else "dim")
                row.append(f"{name}  ")
            parts.append(row)
        parts.append(status)
        if extra.get("clock"):
            parts.append(Text(extra["clock"], style="cyan"))
        if extra.get("violations"):
            parts.append(Text(f"{extra['violations']} datasheet rule(s) broken; latest: "
                              f"{extra.get('last') or ''}"[:160], style="bold magenta"))
        keys = f"keys: {hints}   " if hints else ""
        serial = Text(self.serial_note, style="cyan")
        log = Text("\n".join(self.serial_log), style="dim")
        body = Group(*parts, Text(f"{keys}[+/-] temp   [p] power   [q] quit"), serial, log)
        return Panel(body, title=f"clock51 - {self.board_name}", expand=False)
