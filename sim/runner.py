"""`clock51-sim run`: a board running its firmware, headless or live in the terminal.

Options (design.md): --board, --rtc, --rtc-state, --for, --headless, --lcd-text, --press,
--serial pty|tcp:PORT, --realtime, --vcd, --screenshot. Without a FIRMWARE argument the
board's own build (.pio/build/<board>/firmware.ihx) is used.

Real-time pacing keeps simulated time a hair behind the wall clock: the board runs in slices
of 2 ms of simulated time, reads what the host sent before each slice and sleeps whenever it
is ahead, so serial bytes reach the firmware within a slice of when they arrived.
"""

from __future__ import annotations

import argparse
import datetime as dt
import sys
import time
from dataclasses import dataclass
from pathlib import Path

from sim.board import Board
from sim.devices.uart_bridge import Endpoint, PtyEndpoint, TcpEndpoint
from sim.errors import ConfigError
from sim.profile import load_profile

ROOT = Path(__file__).resolve().parent.parent
SLICE_S = 0.002  # simulated seconds per slice in real-time or serial runs
DRAW_EVERY_S = 0.1  # wall seconds between redraws of the live view


@dataclass(frozen=True)
class Press:
    key: str
    start_s: float
    end_s: float


def parse_press(text: str) -> Press:
    """'SET@2.5' (a 150 ms press) or 'UP@3-5' (held from 3 s to 5 s)."""
    key, sep, when = text.partition("@")
    try:
        if not sep or not key:
            raise ValueError
        if "-" in when:
            a, b = when.split("-", 1)
            start, end = float(a), float(b)
        else:
            start = float(when)
            end = start + 0.15
        if start < 0 or end <= start:
            raise ValueError
    except ValueError:
        raise argparse.ArgumentTypeError(
            f"{text!r}: expected KEY@SECONDS or KEY@START-END, e.g. SET@2 or UP@3-5"
        ) from None
    return Press(key.upper(), start, end)


def parse_rtc(text: str) -> dt.datetime:
    if text == "now":
        return dt.datetime.now()
    try:
        when = dt.datetime.strptime(text, "%Y-%m-%d %H:%M:%S")
    except ValueError:
        raise argparse.ArgumentTypeError(
            f"{text!r}: expected \"YYYY-MM-DD HH:MM:SS\" or now") from None
    if not 2000 <= when.year <= 2099:
        raise argparse.ArgumentTypeError(f"{text!r}: the DS1302 counts years 2000-2099")
    return when


def parse_serial(text: str) -> str:
    if text == "pty" or (text.startswith("tcp:") and text[4:].isdigit()):
        return text
    raise argparse.ArgumentTypeError(f"{text!r}: expected pty or tcp:PORT")


def add_arguments(p: argparse.ArgumentParser) -> None:
    p.add_argument("firmware", nargs="?", help="firmware image (.ihx); default: the board's "
                   "build in .pio/build/BOARD/firmware.ihx")
    p.add_argument("--board", default="reference", help="board profile name or .toml path")
    p.add_argument("--rtc", type=parse_rtc, metavar="\"YYYY-MM-DD HH:MM:SS\"|now",
                   help="start the DS1302 running at this time (default: a fresh, halted chip)")
    p.add_argument("--rtc-state", type=Path, metavar="FILE",
                   help="load the battery-backed DS1302 state at start, save it at exit")
    p.add_argument("--for", dest="duration", type=float, metavar="SECONDS",
                   help="simulated seconds to run, then exit")
    p.add_argument("--headless", action="store_true", help="draw nothing live")
    p.add_argument("--lcd-text", action="store_true",
                   help="print the final 2 x 16 display as two lines of text")
    p.add_argument("--press", type=parse_press, action="append", default=[],
                   metavar="KEY@SECONDS", help="press a key (KEY@T1-T2 holds it); repeatable")
    p.add_argument("--serial", type=parse_serial, metavar="pty|tcp:PORT",
                   help="connect the UART to a pty or a loopback TCP port")
    pace = p.add_mutually_exclusive_group()
    pace.add_argument("--realtime", dest="realtime", action="store_true", default=None,
                      help="pace simulated time to the wall clock (default when interactive)")
    pace.add_argument("--fast", dest="realtime", action="store_false",
                      help="run as fast as possible")
    p.add_argument("--vcd", type=Path, metavar="FILE", help="write the pin waveforms")
    p.add_argument("--screenshot", type=Path, metavar="FILE.png",
                   help="save the final LCD as a picture")
    p.add_argument("--seed", type=int, default=0, help="seed of the key-bounce pattern")
    p.add_argument("--stats", action="store_true",
                   help="print cycles, speed and stack use to stderr at exit")


def firmware_path(arg: str | None, board: str) -> Path:
    if arg:
        return Path(arg)
    name = load_profile(board).name
    path = ROOT / ".pio" / "build" / name / "firmware.ihx"
    if not path.exists():
        raise ConfigError(f"no firmware given and {path} is not built "
                          f"(run: .venv/bin/pio run -e {name})")
    return path


def make_endpoint(spec: str | None) -> Endpoint | None:
    if spec is None:
        return None
    if spec == "pty":
        return PtyEndpoint()
    try:
        return TcpEndpoint(int(spec[4:]))
    except OSError as e:
        raise ConfigError(f"cannot listen on 127.0.0.1:{spec[4:]}: {e.strerror}") from None


def run(args: argparse.Namespace) -> int:
    profile = load_profile(args.board)
    known = {k.name for k in profile.keys}
    for pr in args.press:
        if pr.key not in known:
            raise ConfigError(f"--press {pr.key}: board {profile.name} has keys "
                              f"{', '.join(sorted(known))}")
    endpoint = make_endpoint(args.serial)
    board = Board(profile, firmware_path(args.firmware, args.board), endpoint=endpoint,
                  seed=args.seed)
    if args.rtc_state and args.rtc_state.exists():
        board.load_rtc_state(args.rtc_state)
    if args.rtc is not None:
        board.set_rtc(args.rtc)
    for pr in args.press:
        board.keys.hold(pr.key, board.to_cycles(pr.start_s), board.to_cycles(pr.end_s))
    recorder = None
    if args.vcd:
        from sim.waveform import PinRecorder
        recorder = PinRecorder(args.vcd, board.bus, profile)

    interactive = sys.stdout.isatty() and not args.headless
    realtime = interactive if args.realtime is None else args.realtime
    end = None if args.duration is None else board.to_cycles(args.duration)

    if isinstance(endpoint, PtyEndpoint):
        print(f"serial: {endpoint.path}", flush=True)
    elif isinstance(endpoint, TcpEndpoint):
        print(f"serial: socket://127.0.0.1:{endpoint.port}", flush=True)

    wall0 = time.monotonic()
    try:
        if interactive:
            _run_live(board, end, realtime, args, endpoint)
        elif realtime or endpoint is not None:
            _run_sliced(board, end, realtime)
        else:
            if end is None:
                raise ConfigError("a headless run without --serial needs --for SECONDS")
            board.run_until(end)
    except KeyboardInterrupt:
        pass
    finally:
        wall = time.monotonic() - wall0
        if recorder:
            recorder.close(board.cycles)
        if args.rtc_state:
            board.save_rtc_state(args.rtc_state)
        if endpoint is not None:
            endpoint.close()
    if args.screenshot:
        from sim.devices.lcd_render import save_png
        save_png(board.lcd, args.screenshot, board.cycles)
    if args.lcd_text:
        for line in board.lcd_text():
            print(line)
    if args.stats:
        sim_s = board.seconds
        print(f"simulated {sim_s:.3f} s ({board.cycles} cycles, {board.cpu.instructions} "
              f"instructions) in {wall:.3f} s wall: {sim_s / wall if wall else 0:.1f}x real "
              f"time; max SP 0x{board.cpu.sp_max:02X}", file=sys.stderr)
    return 0


def _run_sliced(board: Board, end: int | None, realtime: bool) -> None:
    """Slices of SLICE_S, the host side polled before each, paced if realtime."""
    step = board.to_cycles(SLICE_S)
    wall0 = time.monotonic()
    c0 = board.cycles
    while end is None or board.cycles < end:
        board.uart.poll(board.cycles)
        target = board.cycles + step if end is None else min(end, board.cycles + step)
        board.run_until(target)
        if realtime:
            ahead = (board.cycles - c0) / board.cps - (time.monotonic() - wall0)
            if ahead > 0:
                time.sleep(ahead)


def _run_live(board: Board, end: int | None, realtime: bool, args: argparse.Namespace,
              endpoint: Endpoint | None) -> None:
    from sim.live import LiveView, cbreak_stdin, read_keys

    note = "serial: not connected (use --serial pty or --serial tcp:PORT)"
    if isinstance(endpoint, PtyEndpoint):
        note = f"serial: {endpoint.path}"
    elif isinstance(endpoint, TcpEndpoint):
        note = f"serial: socket://127.0.0.1:{endpoint.port}"
    step = board.to_cycles(SLICE_S)
    names = [k.name for k in board.profile.keys]
    with cbreak_stdin() as has_keys, LiveView(board.profile.name, names, note) as view:
        wall0 = time.monotonic()
        c0 = board.cycles
        last_draw = -1.0
        last_key: tuple[str, float] | None = None
        while end is None or board.cycles < end:
            board.uart.poll(board.cycles)
            target = board.cycles + step if end is None else min(end, board.cycles + step)
            board.run_until(target)
            now = time.monotonic()
            if now - last_draw >= DRAW_EVERY_S:
                if has_keys:
                    for typed in read_keys():
                        if typed in ("q", "Q"):
                            return
                        key = view.key_for(typed)
                        if key:
                            board.press(key)
                            last_key = (key, now)
                pressed = last_key[0] if last_key and now - last_key[1] < 0.5 else None
                speed = (board.cycles - c0) / board.cps / max(now - wall0, 1e-9)
                view.update(board.lcd_text(), board.seconds, speed,
                            board.buzzer.is_sounding(board.cycles), pressed)
                last_draw = now
            if realtime:
                ahead = (board.cycles - c0) / board.cps - (time.monotonic() - wall0)
                if ahead > 0:
                    time.sleep(ahead)
