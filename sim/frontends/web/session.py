"""The simulation-thread side of the browser view: commands in, snapshots out.

The board is only ever touched by the thread that runs it (``RealtimeLoop``). The web
server's thread puts checked ``Command``s (and requests for downloads, with a Future for the
answer) into ``WebSession.commands``; ``on_slice`` - called by the loop between two slices
of simulated time - applies them, paces the chosen speed and, at most every ``FRAME_S`` of
wall time, hands a snapshot of the board to ``publish``: that throttle is what keeps the
pages responsive however fast the board runs.

Speeds: ``1x`` is the loop's real-time pacing; ``10x`` runs flat out but waits whenever
simulated time gets ahead of ten times the wall clock; ``max`` never waits; ``pause`` holds
the board between two slices (still answering commands and sending frames, so simulated time
stands still while every page stays live). Key presses scheduled while paused happen on
resume, at the simulated instant they were made.

Serial console: the bytes the UART model delivered to and took from the firmware
(``rx_log``/``tx_log``, with their machine cycles) are cut into lines; each line carries the
simulated second of its last byte.
"""

from __future__ import annotations

import datetime as dt
import io
import json
import queue
import tempfile
import time
from collections.abc import Callable
from concurrent.futures import Future
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from sim.frontends.mailbox import Mailbox
from sim.frontends.screenshot import lcd_cells, render
from sim.frontends.web.protocol import Command
from sim.machine.board import Board

FRAME_S = 0.1  # wall seconds between two snapshots sent to the pages
QUEUE_LIMIT = 1000  # commands waiting for the board; more are refused
MIN_PRESS_S = 0.15  # simulated seconds a key stays down however quick the click
UART_BACKLOG = 2048  # bytes queued for the firmware's UART before typed lines are refused
LINE_LIMIT = 200  # characters of a console line before it is cut
VCD_LIMIT = 200 * 1024 * 1024  # the session's waveform file stops growing here
PACE_BEHIND_S = 0.25  # 10x: this far behind, the pace starts afresh instead of catching up
VIOLATIONS_SHOWN = 20  # latest broken rules in each snapshot (the count is of all)


@dataclass
class Request:
    """A download (``what`` = png, vcd, rtc) answered through ``future`` with bytes."""

    what: str
    future: Future = field(default_factory=Future)


@dataclass
class Job:
    """A Command from a page; errors go back to ``client`` through the session's reply."""

    command: Command
    client: int = 0


class SerialLines:
    """Cuts the UART logs into console lines: (seq, t, '>' to clock | '<' from clock, text)."""

    def __init__(self, board: Board) -> None:
        self.board = board
        self.seq = 0
        self._seen = {">": 0, "<": 0}
        self._partial = {">": "", "<": ""}

    def take(self) -> list[dict[str, Any]]:
        out: list[dict[str, Any]] = []
        uart = self.board.uart
        for arrow, log in ((">", uart.rx_log), ("<", uart.tx_log)):
            start = self._seen[arrow]
            if len(log) == start:
                continue
            self._seen[arrow] = len(log)
            text = self._partial[arrow]
            for cycle, byte in log[start:]:
                if byte == 0x0A or len(text) >= LINE_LIMIT:
                    self.seq += 1
                    out.append({"seq": self.seq, "t": round(cycle / self.board.cps, 4),
                                "dir": arrow, "text": text})
                    text = "" if byte == 0x0A else _show_byte(byte)
                elif byte != 0x0D:
                    text += _show_byte(byte)
            self._partial[arrow] = text
        out.sort(key=lambda e: (e["t"], e["seq"]))
        return out


def _show_byte(byte: int) -> str:
    return chr(byte) if 0x20 <= byte <= 0x7E else f"\\x{byte:02x}"


class WebSession:
    """Owns the board's side of the browser view; see the module docstring.

    ``publish(state, lines)`` and ``reply(client, message)`` are called from the simulation
    thread and must hand over to the server thread themselves (they are given the
    server's thread-safe entry points).
    """

    def __init__(self, board: Board, loop: Any, *,
                 publish: Callable[[dict[str, Any], list[dict[str, Any]]], None],
                 reply: Callable[[int, dict[str, Any]], None],
                 speed: str = "1x", workdir: Path | None = None,
                 status: Callable[[], str | None] | None = None) -> None:
        self.board = board
        self.loop = loop  # a RealtimeLoop (its realtime flag and resume_realtime())
        self.publish = publish
        self.reply = reply
        self.status = status  # a line shown above the LCD (the debugger's stopped state)
        self.commands = Mailbox(QUEUE_LIMIT)
        self.speed = speed
        self.frame = 0
        self.lines = SerialLines(board)
        self._last_frame = -1.0
        self._last_frame_cycle = board.cycles
        self._pace: tuple[int, float] = (board.cycles, time.perf_counter())
        self._ratio_mark: tuple[int, float] = (board.cycles, time.perf_counter())
        self.ratio = 0.0
        self._held: dict[str, int] = {}  # key -> cycle it went down (pressed from a page)
        self._stopped = False
        self._tmp = tempfile.TemporaryDirectory(prefix="clock51-web-") if workdir is None \
            else None
        self.workdir = Path(self._tmp.name) if self._tmp else workdir
        self.recorder: Any = None
        self.vcd_note = ""
        self._start_vcd()
        self._apply_speed(speed, starting=True)

    # -- set-up and tear-down --------------------------------------------------------------
    def _start_vcd(self) -> None:
        from sim.frontends.waveform import PinRecorder

        self.vcd_path = self.workdir / "session.vcd"
        self.recorder = PinRecorder(self.vcd_path, self.board.bus, self.board.profile)

    def close(self) -> None:
        """End of the run: stop the waveform, answer what is still queued, drop temp files."""
        self._stopped = True
        if self.recorder is not None:
            self.recorder.close(self.board.cycles)
            self.recorder = None
        while True:
            try:
                item = self.commands.get_nowait()
            except queue.Empty:
                break
            if isinstance(item, Request):
                item.future.set_exception(RuntimeError("the simulation has ended"))
        self.commands.close()
        if self._tmp is not None:
            self._tmp.cleanup()

    # -- the loop's hook -------------------------------------------------------------------
    def on_slice(self, now: float) -> bool:
        self.drain()
        if self.speed == "pause":
            self._hold()
        elif self.speed == "10x":
            self._pace_to(10.0)
        if time.perf_counter() - self._last_frame >= FRAME_S:
            self.send_frame()
        return not self._stopped

    def drain(self) -> None:
        while True:
            try:
                item = self.commands.get_nowait()
            except queue.Empty:
                return
            self.apply(item)

    def _wait_for_command(self, seconds: float) -> None:
        self.commands.wait(seconds)
        self.drain()

    def idle(self, seconds: float) -> None:
        """While something else holds the board (the debugger, stopped): answer the pages'
        commands for up to ``seconds`` and send a frame when one is due."""
        left = self._last_frame + FRAME_S - time.perf_counter()
        if left > 0:
            self._wait_for_command(min(seconds, left))
        else:
            self.drain()
        if time.perf_counter() - self._last_frame >= FRAME_S:
            self.send_frame()

    def _hold(self) -> None:
        """Paused: answer commands and send frames until the speed changes."""
        while self.speed == "pause" and not self._stopped:
            left = self._last_frame + FRAME_S - time.perf_counter()
            if left <= 0:
                self.send_frame()
                continue
            self._wait_for_command(left)

    def _pace_to(self, factor: float) -> None:
        c0, m0 = self._pace
        while self.speed == "10x" and not self._stopped:
            ahead = (self.board.cycles - c0) / self.board.cps / factor \
                - (time.perf_counter() - m0)
            if ahead < -PACE_BEHIND_S:
                self._pace = (self.board.cycles, time.perf_counter())
                return
            if ahead < 0.002:
                return
            if time.perf_counter() - self._last_frame >= FRAME_S:
                self.send_frame()
            self._wait_for_command(min(ahead, FRAME_S))

    # -- commands --------------------------------------------------------------------------
    def apply(self, item: Job | Request | Callable[[], object]) -> None:
        if callable(item):  # another front end's work in the board's thread (the debugger)
            item()
            return
        if isinstance(item, Request):
            try:
                item.future.set_result(self._download(item.what))
            except Exception as e:  # noqa: BLE001 - handed to the waiting request
                item.future.set_exception(e)
            return
        try:
            note = self._command(item.command)
        except Exception as e:  # noqa: BLE001 - a page's request never stops the board
            self.reply(item.client, {"type": "error", "message": f"{item.command.kind}: {e}"})
            return
        if note:
            self.reply(item.client, {"type": "info", "message": note})

    def _command(self, cmd: Command) -> str | None:
        board = self.board
        now = board.cycles
        if cmd.kind == "key":
            if board.keys is None:
                raise ValueError(f"board {board.profile.name} has no keys")
            name, action = cmd.arg
            if action == "tap":
                board.keys.hold(name, now, now + board.to_cycles(MIN_PRESS_S))
            elif action == "down":
                if name not in self._held:
                    self._held[name] = now
                    board.keys.press(name, now)
            else:
                down = self._held.pop(name, None)
                if down is not None:
                    board.keys.release(name, max(now, down + board.to_cycles(MIN_PRESS_S)))
            return None
        if cmd.kind == "serial":
            if board.profile.uart is None:
                raise ValueError(f"board {board.profile.name} has no serial port")
            if board.uart.pending > UART_BACKLOG:
                raise ValueError(f"{board.uart.pending} bytes are still on their way to the "
                                 "clock: line dropped")
            board.uart.inject(cmd.arg, now)
            return None
        if cmd.kind == "speed":
            self._apply_speed(cmd.arg)
            return None
        if cmd.kind == "rtc":
            when = cmd.arg if cmd.arg is not None else dt.datetime.now().replace(microsecond=0)
            board.set_rtc(when)  # the day register by the profile's weekday_one
            return f"DS1302 set to {when:%Y-%m-%d %H:%M:%S} ({when:%a} = " \
                   f"{board.rtc.weekday_register(when.date())})"
        if cmd.kind == "temp":
            return self._temperature(cmd.arg)
        if cmd.kind == "power":
            board.power_cycle()  # keys held on a page stay held: they are not the board's
            return f"power cycled at {board.seconds:.3f} s"
        raise ValueError(f"unknown command {cmd.kind}")

    def _temperature(self, value: float | str | None) -> str:
        """Set or nudge the room's temperature, or unplug the DS18B20s; what the sensor
        reads now (the room's temperature on a board whose only thermometer is its
        DS1302's crystal)."""
        from sim.frontends.temperature import nudge

        board = self.board
        if not board.feels_temperature:
            raise ValueError(f"board {board.profile.name} has no DS18B20 and no crystal "
                             "model: nothing feels the temperature")
        if value in ("+", "-"):
            nudge(board, str(value))
        else:
            board.set_temperature(None if value is None else float(value))
        if board.thermo is None:
            return f"room at {board.ambient.celsius_at(board.cycles):g} C"
        now = board.thermo.temperature
        return "DS18B20: no sensor" if now is None else f"DS18B20 at {now:g} C"

    def _apply_speed(self, speed: str, starting: bool = False) -> None:
        self.speed = speed
        if speed == "1x":
            self.loop.realtime = True
            if not starting:  # the loop anchors itself when it starts
                self.loop.resume_realtime()
        elif speed in ("10x", "max"):
            self.loop.realtime = False
            self._pace = (self.board.cycles, time.perf_counter())
        self._ratio_mark = (self.board.cycles, time.perf_counter())

    # -- downloads -------------------------------------------------------------------------
    def _download(self, what: str) -> bytes:
        board = self.board
        if what == "png":
            if board.lcd is None:
                raise ValueError(f"board {board.profile.name} has no LCD")
            out = io.BytesIO()
            render(board.lcd, board.cycles).save(out, format="PNG")
            return out.getvalue()
        if what == "vcd":
            if self.recorder is not None:
                self.recorder.flush(board.cycles)
            return self.vcd_path.read_bytes()
        if what == "rtc":
            path = self.workdir / "rtc-state.json"
            board.save_rtc_state(path)
            return path.read_bytes()
        raise ValueError(f"no download {what!r}")

    # -- frames ----------------------------------------------------------------------------
    def snapshot(self) -> dict[str, Any]:
        board = self.board
        cycle = board.cycles
        lcd = board.lcd
        rtc = board.rtc
        when = rtc.datetime_at(cycle) if rtc is not None else None
        wall = time.perf_counter()
        c0, m0 = self._ratio_mark
        if wall - m0 >= 1.0:
            self.ratio = (cycle - c0) / board.cps / (wall - m0)
            self._ratio_mark = (cycle, wall)
        self.frame += 1
        return {
            "type": "state",
            "frame": self.frame,
            "t": round(cycle / board.cps, 3),
            "cycle": cycle,
            "speed": self.speed,
            "ratio": round(0.0 if self.speed == "pause" else self.ratio, 2),
            "lcd": None if lcd is None else self._lcd(lcd, cycle),
            "text": [] if lcd is None else lcd.text(),
            "buzzer": None if board.buzzer is None else {
                "on": self._buzzed(cycle), "hz": round(board.buzzer.frequency_hz(), 1)},
            "lamps": board.lamps(),
            "keys": {} if board.keys is None else {
                name: board.keys.is_pressed(name) for name in board.keys.keys},
            "rtc": None if when is None else when.strftime("%Y-%m-%d %H:%M:%S"),
            **clock_and_truth(board, cycle),
            # no DS18B20 on the board: None; else its temperature (None: absent)
            "temp": None if board.thermo is None else {"c": board.thermo.temperature},
            "violations": self._violations(),
            "vcd": self.vcd_note,
            "debug": self.status() if self.status is not None else None,
        }

    @staticmethod
    def _lcd(lcd: Any, cycle: int) -> dict[str, Any]:
        cells = lcd_cells(lcd, cycle)
        return {"on": lcd.display_on, "dots": [d for d, _ in cells],
                "dark": "".join("1" if k else "0" for _, k in cells)}

    def _violations(self) -> dict[str, Any]:
        """The count of broken datasheet rules and the latest ``VIOLATIONS_SHOWN``."""
        from sim.frontends.violations import describe

        board = self.board
        total = board.violation_count
        recent = board.violation_records(max(0, total - VIOLATIONS_SHOWN))
        return {"count": total, "recent": [
            {"t": round(r.cycle / board.cps, 6), "part": r.part, "rule": r.violation.kind,
             "did": r.violation.detail, "required": r.violation.required,
             "text": describe(r, board.cps)} for r in recent[-VIOLATIONS_SHOWN:]]}

    def _buzzed(self, cycle: int) -> bool:
        """Sounding now or at any moment since the last frame (a short beep is not lost)."""
        since = self._last_frame_cycle
        buzzer = self.board.buzzer
        for s in reversed(buzzer.sounds):
            if s.end is not None and s.end <= since:
                break
            if s.start <= cycle:
                return True
        return buzzer.is_sounding(cycle)

    def send_frame(self) -> None:
        self._check_vcd()
        state = self.snapshot()
        self._last_frame = time.perf_counter()
        self._last_frame_cycle = self.board.cycles
        self.publish(state, self.lines.take())

    def _check_vcd(self) -> None:
        if self.recorder is not None and self.vcd_path.stat().st_size > VCD_LIMIT:
            self.recorder.close(self.board.cycles)
            self.recorder = None
            self.vcd_note = (f"waveform stopped at {self.board.seconds:.1f} s "
                             f"({VCD_LIMIT // 2**20} MB)")


def clock_and_truth(board: Board, cycle: int) -> dict[str, Any]:
    """The DS1302 beside the true time (what it would show with a perfect crystal: what it
    was set to plus the simulated time since), the offset in ms, the crystal's rate now
    and the room's temperature. None where there is nothing to show."""
    rtc = board.rtc
    room = round(board.ambient.celsius_at(cycle), 4)
    if rtc is None:
        return {"true": None, "offset_ms": None, "crystal_ppm": None, "room": room}
    true = rtc.true_datetime_at(cycle)
    offset = rtc.offset_at(cycle)
    return {"true": None if true is None else true.strftime("%Y-%m-%d %H:%M:%S.%f")[:-3],
            "offset_ms": None if offset is None else round(offset * 1000, 1),
            "crystal_ppm": None if rtc.crystal is None else round(rtc.rate_ppm_at(cycle), 3),
            "room": room}


def state_json(state: dict[str, Any]) -> str:
    return json.dumps(state, separators=(",", ":"))
