"""`clock51-sim run`: a board running a program, headless or live in the terminal.

Options (design.md): --board, --rtc, --rtc-state, --for, --headless, --lcd-text, --press,
--serial pty|tcp:PORT, --realtime, --vcd, --screenshot; --flash, --power-cycle-on-sync
(sim.frontends.power); --web (sim.frontends.web); --temp (the room:
sim.frontends.temperature) and --crystal (the DS1302's crystal: sim.frontends.crystal);
--timing typical|strict (the datasheets' typical values or their limits) and --check (every
broken rule printed as it happens, exit 1 if any; without it, one summary line at exit:
sim.frontends.violations); --dap PORT,
--debug-info FILE.cdb (the debug adapter, sim.frontends.dap: the board's *_debug build by
default, paced to real time). Without a FIRMWARE argument the board's own build
(.pio/build/<board>/firmware.ihx) is used. Options that need a part the board does not have
(--rtc without a DS1302, --lcd-text without an LCD ...) are one line.

Real-time pacing (``RealtimeLoop``) keeps simulated time a hair behind the wall clock and
gives every host byte the simulated cycle of the instant it arrived; see that class.
"""

from __future__ import annotations

import argparse
import bisect
import datetime as dt
import math
import select
import sys
import threading
import time
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from boardprofile import load_profile

from sim.devices._common import TIMINGS
from sim.devices.uart import Endpoint
from sim.errors import ConfigError, Signalled, UsageError
from sim.frontends import power
from sim.frontends.endpoints import PtyEndpoint, TcpEndpoint
from sim.frontends.signals import StopRequests
from sim.frontends.violations import ViolationPrinter
from sim.machine.board import Board
from sim.machine.image import project_build

FOR_GRACE_S = 0.050  # --for T runs T + this: the firmware's LCD redraw budget (README)
HEADLESS_SLICE_S = 0.1  # a headless run checks for Ctrl-C/SIGTERM/SIGHUP this often
SLICE_S = 0.002  # simulated seconds per slice in real-time or serial runs
MIN_SLICE_S = 0.0005  # real-time: a slice runs once this much simulated time is due
MAX_BEHIND_S = 0.25  # a real-time run this far behind the wall clock gives up catching up
DRAW_EVERY_S = 0.1  # wall seconds between redraws of the live view


@dataclass(frozen=True)
class Press:
    key: str
    start_s: float
    end_s: float


def parse_duration(text: str) -> float:
    """--for: a finite number of seconds > 0."""
    try:
        seconds = float(text)
    except ValueError:
        seconds = math.nan
    if not math.isfinite(seconds) or seconds <= 0:
        raise argparse.ArgumentTypeError(f"{text!r}: expected a number of seconds > 0")
    return seconds


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
        if not (math.isfinite(start) and math.isfinite(end)) or start < 0 or end <= start:
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
    port = text[4:] if text.startswith("tcp:") else ""
    if text == "pty" or (port.isascii() and port.isdigit() and int(port) <= 65535):
        return text
    raise argparse.ArgumentTypeError(f"{text!r}: expected pty or tcp:PORT (PORT 0-65535; "
                                     "0 picks a free one)")


def parse_port(text: str) -> int:
    if text.isdigit() and int(text) <= 65535:
        return int(text)
    raise argparse.ArgumentTypeError(f"{text!r}: expected a TCP port 0-65535")


def add_arguments(p: argparse.ArgumentParser) -> None:
    p.epilog = ("Exit codes: 0 done, 1 an error (one line), 2 a usage error, 130 Ctrl-C, "
                "143 SIGTERM, 129 SIGHUP; on a signal the run ends at the next slice and "
                "saves --rtc-state and its outputs first.")
    p.add_argument("firmware", nargs="?", help="firmware image (.ihx); default: the board's "
                   "build in .pio/build/BOARD/firmware.ihx")
    p.add_argument("--board", default="reference", help="board profile name or .toml path")
    p.add_argument("--rtc", type=parse_rtc, metavar="\"YYYY-MM-DD HH:MM:SS\"|now",
                   help="start the DS1302 running at this time (default: a fresh, halted chip)")
    p.add_argument("--rtc-state", type=Path, metavar="FILE",
                   help="load the battery-backed DS1302 state at start (if FILE exists), "
                   "save it at exit, also on Ctrl-C, SIGTERM and SIGHUP (a versioned JSON "
                   "file, replaced atomically)")
    p.add_argument("--for", dest="duration", type=parse_duration, metavar="SECONDS",
                   help="simulated seconds to run, then exit; the run goes on for the "
                   f"firmware's redraw budget ({FOR_GRACE_S * 1000:.0f} ms) more, so the "
                   "LCD at the end shows the clock SECONDS after the start")
    p.add_argument("--headless", action="store_true", help="draw nothing live")
    p.add_argument("--lcd-text", action="store_true",
                   help="print the final display as text, a line per row")
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
    p.add_argument("--temp", metavar="C|none|\"S:C,S:C...\"",
                   help="the room's temperature (the DS18B20 reads it, the DS1302's crystal "
                   "drifts with it): a value, none (the DS18B20 unplugged), or a schedule of "
                   "SECONDS:VALUE steps (default 20)")
    p.add_argument("--crystal", metavar="ppm=P,t0=T,k=K",
                   help="the DS1302's 32.768 kHz crystal: rate at the turnover (ppm, + = "
                   "fast), turnover (C), parabola (ppm/C^2); any of them, over the profile's "
                   "[ds1302] crystal_*, the rest by default 0, 25, -0.034 (without either "
                   "the crystal is ideal)")
    p.add_argument("--temp-fault", metavar="crc",
                   help="DS18B20 fault: crc = every scratchpad read has a bad CRC")
    power.add_arguments(p)
    p.add_argument("--web", type=parse_port, nargs="?", const=8051, metavar="PORT",
                   help="serve a browser view of the board on 127.0.0.1:PORT (default 8051; "
                   "0: any free port)")
    p.add_argument("--web-host", metavar="ADDRESS",
                   help="listen for the browser view on ADDRESS instead of 127.0.0.1")
    p.add_argument("--timing", choices=TIMINGS, default="typical",
                   help="the chips' timing: typical (a bench board, default) or strict "
                   "(the datasheets' limits: the slowest LCD, the longest presence pulse, "
                   "the shortest reset)")
    p.add_argument("--check", action="store_true",
                   help="print every datasheet rule the program breaks as it happens "
                   "(time, part, rule, what it did, what the datasheet requires); exit 1 "
                   "at the end if there were any")
    p.add_argument("--dap", type=parse_port, metavar="PORT",
                   help="serve the Debug Adapter Protocol on 127.0.0.1:PORT (0: any free "
                   "port) for C-level debugging; the firmware defaults to the board's "
                   "debug build (.pio/build/BOARD_debug/firmware.ihx)")
    p.add_argument("--debug-info", type=Path, metavar="FILE.cdb",
                   help="SDCC debug information for --dap (default: the .cdb beside the "
                   "firmware image)")


def firmware_path(arg: str | None, board: str, debug: bool = False) -> Path:
    """The image to run: ``arg``, else the board's build (its ``_debug`` env's with
    ``debug``)."""
    if arg:
        return Path(arg)
    name = load_profile(board).name + ("_debug" if debug else "")
    path = project_build(name)
    if not path.exists():
        raise ConfigError(f"no firmware given and {path} is not built "
                          f"(run: .venv/bin/pio run -e {name})")
    return path


def load_debug_info(args: argparse.Namespace, image: Path) -> object:
    """The --dap run's debug information (``sim.debug.cdb``), read before the run."""
    from sim.debug.cdb import load

    path = args.debug_info or image.with_suffix(".cdb")
    if not path.exists():
        raise ConfigError(f"--dap: no debug information {path} (build with SDCC --debug: "
                          "a *_debug env, e.g. .venv/bin/pio run -e reference_debug; or give "
                          "--debug-info FILE.cdb)")
    return load(path)


def check_output(path: Path | None, option: str) -> None:
    """Fail before the run, not after it, when an output file cannot be written there."""
    if path is None:
        return
    if path.is_dir():
        raise ConfigError(f"{option} {path}: is a directory")
    parent = path.parent
    if not parent.is_dir():
        raise ConfigError(f"{option} {path}: no directory {parent}")


def make_endpoint(spec: str | None) -> Endpoint | None:
    if spec is None:
        return None
    if spec == "pty":
        return PtyEndpoint()
    try:
        return TcpEndpoint(int(spec[4:]), timestamps=True)
    except OSError as e:
        raise ConfigError(f"cannot listen on 127.0.0.1:{spec[4:]}: {e.strerror}") from None


def _temperature_args(args: argparse.Namespace) -> tuple[list[tuple[float, float | None]],
                                                      str | None, dict[str, float] | None]:
    """--temp / --temp-fault / --crystal checked (usage errors) before anything is loaded."""
    from sim.frontends.crystal import parse_crystal
    from sim.frontends.temperature import parse_fault, parse_temp

    temp = getattr(args, "temp", None)
    fault = getattr(args, "temp_fault", None)
    crystal = getattr(args, "crystal", None)
    return (parse_temp(temp) if temp is not None else [],
            parse_fault(fault) if fault is not None else None,
            parse_crystal(crystal) if crystal is not None else None)


def _apply_temperature(board: Board, steps: list[tuple[float, float | None]],
                       fault: str | None) -> None:
    if fault and board.thermo is None:
        raise ConfigError(f"--temp-fault: board {board.profile.name} has no DS18B20 "
                          "(add [ds18b20] pin = ... to its profile)")
    if steps and not board.feels_temperature:
        raise ConfigError(f"--temp: nothing on board {board.profile.name} feels the "
                          "temperature: it has no DS18B20 (add [ds18b20] pin = ... to its "
                          "profile) and its DS1302 has an ideal crystal (give --crystal or "
                          "[ds1302] crystal_ppm ...)")
    for at_s, value in steps:
        board.set_temperature(value, at_s)
    if fault == "crc" and board.thermo is not None:
        board.thermo.crc_fault = True


def check_parts(args: argparse.Namespace, profile: Any) -> None:
    """One line for an option that needs a part the board does not have."""
    needs = [("--rtc", args.rtc is not None, profile.ds1302, "DS1302", "[ds1302]"),
             ("--rtc-state", args.rtc_state is not None, profile.ds1302, "DS1302",
              "[ds1302]"),
             ("--crystal", getattr(args, "crystal", None) is not None, profile.ds1302,
              "DS1302", "[ds1302]"),
             ("--lcd-text", args.lcd_text, profile.lcd, "LCD", "[lcd]"),
             ("--screenshot", args.screenshot is not None, profile.lcd, "LCD", "[lcd]"),
             ("--serial", args.serial is not None, profile.uart, "serial port", "[uart]")]
    for option, used, part, what, table in needs:
        if used and part is None:
            raise ConfigError(f"{option}: board {profile.name} has no {what} (its profile "
                              f"lists no {table})")
    known = {k.name for k in profile.keys}
    for pr in args.press:
        if pr.key not in known:
            have = f"has keys {', '.join(sorted(known))}" if known else "has no keys"
            raise ConfigError(f"--press {pr.key}: board {profile.name} {have}")


def run(args: argparse.Namespace) -> int:
    temp_steps, temp_fault, crystal = _temperature_args(args)
    if args.web_host is not None and args.web is None:
        raise UsageError("--web-host needs --web")
    dap_port = getattr(args, "dap", None)
    if getattr(args, "debug_info", None) is not None and dap_port is None:
        raise UsageError("--debug-info needs --dap")
    profile = load_profile(args.board)
    check_parts(args, profile)
    check_output(args.rtc_state, "--rtc-state")
    check_output(args.screenshot, "--screenshot")
    check_output(args.vcd, "--vcd")
    debug = dap_port is not None
    chip = power.ChipSetup.from_args(args, profile,
                                     lambda: firmware_path(args.firmware, args.board, debug))
    info = None
    if debug:
        info = load_debug_info(args, firmware_path(args.firmware, args.board, debug))
    endpoint = make_endpoint(args.serial)
    recorder = None
    dap = None
    try:  # nothing may fail with the endpoint left open
        board = Board(profile, None if chip.flash else firmware_path(args.firmware, args.board,
                                                                     debug),
                      endpoint=endpoint, seed=args.seed, timing=args.timing,
                      crystal=crystal, **chip.board_kwargs(endpoint))
        printer = ViolationPrinter(board, echo=args.check)
        # the room first: the time away since --rtc-state was saved drifts at its rate
        _apply_temperature(board, temp_steps, temp_fault)
        if args.rtc_state and args.rtc_state.exists():
            board.load_rtc_state(args.rtc_state)
        if args.rtc is not None:
            board.set_rtc(args.rtc)
        for pr in args.press:
            board.keys.hold(pr.key, board.to_cycles(pr.start_s), board.to_cycles(pr.end_s))

        interactive = sys.stdout.isatty() and not args.headless
        # a programmer (stcgal) on the serial port keeps wall-clock time: pace to it by default
        # a debugger attached (--dap) watches the clock run as a real one does
        paced = interactive or chip.bootloader and endpoint is not None or debug
        realtime = paced if args.realtime is None else args.realtime
        end = None if args.duration is None else board.to_cycles(args.duration + FOR_GRACE_S)
        if (end is None and not interactive and not realtime and endpoint is None
                and args.web is None and not debug):
            raise ConfigError("a headless run without --serial needs --for SECONDS")
        if args.vcd:
            from sim.frontends.waveform import PinRecorder
            recorder = PinRecorder(args.vcd, board.bus, profile)
        control = power.serve(board, endpoint.path if isinstance(endpoint, PtyEndpoint) else
                              f"tcp:{endpoint.port}" if isinstance(endpoint, TcpEndpoint)
                              else None)
        if debug:
            from sim.frontends.dap import DapService
            dap = DapService(board, info, dap_port)  # type: ignore[arg-type]
    except BaseException:
        if recorder:
            recorder.close()
        if endpoint is not None:
            endpoint.close()
        raise

    wall0 = time.monotonic()
    interrupted = False
    # Ctrl-C, SIGTERM and SIGHUP end the loop at a slice boundary; the run then finishes
    # as at its end (state saved, outputs written) and exits 130, 143 or 129 (signals.py).
    # The browser view waits for its pages' commands in select(): there the first signal
    # raises at once (then the run finishes all the same).
    with StopRequests(immediate=args.web is not None or debug) as stops:
        try:
            if isinstance(endpoint, PtyEndpoint):
                print(f"serial: {endpoint.path}", flush=True)
            elif isinstance(endpoint, TcpEndpoint):
                print(f"serial: socket://127.0.0.1:{endpoint.port}", flush=True)
            if args.web is not None:
                from sim.frontends.web import DEFAULT_HOST, serve
                serve(board, endpoint, end=end, realtime=args.realtime is not False,
                      host=args.web_host or DEFAULT_HOST, port=args.web,
                      announce=lambda line: print(line, flush=True), each_slice=printer.poll,
                      dap=dap)
            elif interactive:
                _run_live(board, end, realtime, args, endpoint, stops, dap)
            elif realtime or endpoint is not None or dap is not None:
                loop = RealtimeLoop(board, endpoint, end=end, realtime=realtime)

                def slice_done(_now: float) -> bool:
                    printer.poll()
                    return not stops

                if dap is not None:
                    hooked = dap.hook(loop, slice_done, lambda: bool(stops))
                    dap.start()
                    loop.run(hooked)
                else:
                    loop.run(slice_done)
            else:
                assert end is not None
                step = board.to_cycles(HEADLESS_SLICE_S)
                while board.cycles < end and not stops:
                    board.run_until(min(end, board.cycles + step))
                    printer.poll()
        except KeyboardInterrupt:
            interrupted = True  # a second Ctrl-C: finish all the same, then exit 130
        except Signalled as e:  # a second SIGTERM/SIGHUP: the same, then exit 128 + signum
            stops.received = e.signum
        finally:
            wall = time.monotonic() - wall0

            def close_recorder() -> None:
                if recorder:
                    try:
                        recorder.close(board.cycles)
                    except OSError as e:
                        raise ConfigError(f"--vcd {args.vcd}: {e.strerror or e}") from None

            # each step runs whatever failed before it (the state first); the first
            # failure is then reported
            _run_all(lambda: args.rtc_state and board.save_rtc_state(args.rtc_state),
                     chip.finish, close_recorder,
                     lambda: control is not None and control.close(),
                     lambda: dap is not None and dap.close(),
                     lambda: endpoint is not None and endpoint.close())
    if args.screenshot:
        from sim.frontends.screenshot import save_png
        try:
            save_png(board.lcd, args.screenshot, board.cycles)
        except OSError as e:
            raise ConfigError(f"--screenshot {args.screenshot}: {e.strerror or e}") from None
    if args.lcd_text:
        for line in board.lcd_text():
            print(line)
    if args.stats:
        sim_s = board.seconds
        print(f"simulated {sim_s:.3f} s ({board.cycles} cycles, {board.cpu.instructions} "
              f"instructions) in {wall:.3f} s wall: {sim_s / wall if wall else 0:.1f}x real "
              f"time; max SP 0x{board.cpu.sp_max:02X}", file=sys.stderr)
    printer.poll()
    if interrupted:
        raise KeyboardInterrupt
    stops.raise_if_received()
    if args.check:
        if printer.total:
            print(f"clock51-sim: {printer.total} violation{'s' if printer.total != 1 else ''} "
                  "(--check)", file=sys.stderr)
            return 1
    elif printer.summary():
        print(f"clock51-sim: {printer.summary()}", file=sys.stderr)
    return 0


def _run_all(*steps: Callable[[], object]) -> None:
    """Run every step even if some fail; then raise the first failure."""
    first: BaseException | None = None
    for step in steps:
        try:
            step()
        except BaseException as e:  # noqa: BLE001 - re-raised below
            first = first or e
    if first is not None:
        raise first


class RealtimeLoop:
    """Runs a board in slices, paced to the wall clock, with its serial endpoint polled.

    Mapping (real-time mode). At ``run()`` start the loop takes an anchor: board cycle ``c0``
    at ``time.perf_counter()`` reading ``m0``. Cycle ``c`` then *is* the instant

        mono_of(c) = m0 + (c - c0) / cps          (perf_counter seconds)
        wall_of(c) = the time.time() reading at that instant (epoch seconds)

    ``wall_of`` goes through (perf_counter, time.time) pairs recorded at slice starts (at
    most every ``RECORD_EVERY_S``), so a step or slew of the PC's clock during the run is
    followed. The anchor only moves when the simulator cannot keep up (more than
    ``max_behind_s`` behind): it then drops that time and re-anchors (``rebases``).

    Pacing: the board only runs simulated time that is already in the past on the wall
    clock: once at least ``min_slice_s`` is due it catches up to "now" in slices of at most
    ``slice_s``. So simulated time stays between 0 and about ``min_slice_s`` plus one slice's
    compute time behind the wall clock (``lag`` at each slice start; ``max_lag`` the worst
    since ``reset_max_lag``; slices starting more than ``LATE_S`` behind are listed in
    ``late``), except while the firmware is busy enough that the simulator runs slower
    than real time. While waiting the loop sleeps in ``select()`` on the endpoint
    (``wait_fds()``), so a host byte is read the moment it arrives and queued for the
    firmware at the cycle of its arrival instant, ``cycle_of(arrival)`` (the UART bridge
    adds the frame time), never at the cycle the board happens to be at. Bytes that arrive
    while a slice computes are stamped when it ends (late by that compute time), unless the
    endpoint reports the kernel's receive time (``TcpEndpoint(timestamps=True)``, as
    ``--serial tcp:PORT`` uses): then they are placed exactly, however late they are read.
    MCU -> host bytes leave when their cycle is computed, i.e. ``lag`` late (``max_tx_lag``,
    ``tx_late``: an upper bound per slice): a host measuring round trips sees that delay as
    link latency, which is the one thing real-time simulation cannot hide.

    Without ``realtime`` the board runs flat out, polling the endpoint between slices.

    ``run()`` works in the calling thread until ``end`` (a cycle), ``stop()`` or ``on_slice``
    returning False; ``start()`` runs it in a daemon thread (``stop()`` joins it and
    re-raises what the thread raised).
    """

    RECORD_EVERY_S = 0.01
    LATE_S = 0.005  # slices that start this far behind are listed in ``late``

    def __init__(self, board: Board, endpoint: Endpoint | None = None, *,
                 slice_s: float = SLICE_S, min_slice_s: float = MIN_SLICE_S,
                 end: int | None = None, realtime: bool = True,
                 max_behind_s: float = MAX_BEHIND_S) -> None:
        self.board = board
        self.endpoint = endpoint
        self.step = max(1, board.to_cycles(slice_s))
        self.min_step = min(self.step, max(1, board.to_cycles(min_slice_s)))
        self.end = end
        self.realtime = realtime
        self.max_behind_s = max_behind_s
        self.rebases = 0
        self.max_lag = 0.0
        self.lag = 0.0
        self.late: deque[tuple[float, float]] = deque(maxlen=10_000)  # (mono, lag) > LATE_S
        self.max_tx_lag = 0.0  # worst lateness of a byte sent to the host
        self.tx_late: deque[tuple[float, float]] = deque(maxlen=10_000)  # slices, > LATE_S
        self._anchors: list[tuple[int, float]] = []  # (cycle, perf_counter) from then on
        self._pairs: deque[tuple[float, float]] = deque(maxlen=200_000)  # (mono, wall)
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None
        self._error: BaseException | None = None
        # "breakpoint" when the last slice ended early, the CPU at one of its breakpoints
        # (``on_slice`` sees it: the debug adapter's hook)
        self.stopped: str | None = None

    # -- the mapping -------------------------------------------------------------------
    def mono_of(self, cycle: int) -> float:
        """perf_counter() reading at which ``cycle`` is due."""
        if not self._anchors:
            raise RuntimeError("the loop has not started")
        i = max(0, bisect.bisect_right(self._anchors, (cycle, float("inf"))) - 1)
        c, m = self._anchors[i]
        return m + (cycle - c) / self.board.cps

    def cycle_of(self, mono: float) -> int:
        """The cycle due at perf_counter() reading ``mono`` (the latest anchor)."""
        c, m = self._anchors[-1]
        return c + round((mono - m) * self.board.cps)

    def wall_of(self, cycle: int) -> float:
        """time.time() (epoch seconds) at the instant ``cycle`` is due."""
        mono = self.mono_of(cycle)
        pairs = self._pairs
        if not pairs:
            raise RuntimeError("the loop has not started")
        i = bisect.bisect_left(pairs, (mono, -1.0))
        near = min((j for j in (i - 1, i) if 0 <= j < len(pairs)),
                   key=lambda j: abs(pairs[j][0] - mono))
        m, w = pairs[near]
        return w + (mono - m)

    def reset_max_lag(self) -> None:
        """Start a new observation window for max_lag / late / max_tx_lag / tx_late."""
        self.max_lag = self.lag
        self.max_tx_lag = 0.0
        self.late.clear()
        self.tx_late.clear()

    # -- thread ------------------------------------------------------------------------
    def start(self) -> RealtimeLoop:
        def body() -> None:
            try:
                self.run()
            except BaseException as exc:  # noqa: BLE001 - handed to stop()
                self._error = exc

        self._stop.clear()
        self._thread = threading.Thread(target=body, name="clock51-sim", daemon=True)
        self._thread.start()
        return self

    def stop(self, timeout: float = 5.0) -> None:
        self._stop.set()
        if self._thread is not None:
            self._thread.join(timeout)
            if self._thread.is_alive():
                raise RuntimeError("the simulator thread did not stop")
            self._thread = None
        if self._error is not None:
            error, self._error = self._error, None
            raise error

    def resume_realtime(self) -> None:
        """Pace to the wall clock from now on (after a pause or a run flat out): the
        current cycle is due now."""
        self.realtime = True
        self._rebase(time.perf_counter())

    @property
    def running(self) -> bool:
        return self._thread is not None and self._thread.is_alive()

    # -- the loop ----------------------------------------------------------------------
    def run(self, on_slice: Callable[[float], bool | None] | None = None) -> None:
        board = self.board
        now = time.perf_counter()
        if not self._anchors:
            self._anchors.append((board.cycles, now))
        else:
            self._rebase(now)
        self._record(now, force=True)
        while not self._stop.is_set():
            if self.end is not None and board.cycles >= self.end:
                break
            now = time.perf_counter()
            if self.realtime:
                self._record(now)
                self.lag = now - self.mono_of(board.cycles)
                if self.lag > self.max_behind_s:
                    self._rebase(now)
                    self.lag = 0.0
                self.max_lag = max(self.max_lag, self.lag)
                if self.lag > self.LATE_S:
                    self.late.append((now, self.lag))
                due = self.cycle_of(now)
                if due - board.cycles < self.min_step:
                    self._wait(self.mono_of(board.cycles + self.min_step))
                    continue
                self._poll(due)
                target = min(due, board.cycles + self.step)
            else:
                self._poll(board.cycles)
                target = board.cycles + self.step
            sent = board.uart.tx_log.total
            self.stopped = board.run_until(target if self.end is None else
                                           min(self.end, target))
            done = time.perf_counter()
            if self.realtime and board.uart.tx_log.total > sent:
                self._tx_lag(sent, done)
            if on_slice is not None and on_slice(done) is False:
                break

    def _tx_lag(self, first: int, done: float) -> None:
        """How late the bytes the firmware sent in the last slice left (at most)."""
        worst = max(done - self.mono_of(cycle) for cycle, _ in self.board.uart.tx_log.since(first))
        self.max_tx_lag = max(self.max_tx_lag, worst)
        if worst > self.LATE_S:
            self.tx_late.append((done, worst))

    def _rebase(self, now: float) -> None:
        self._anchors.append((self.board.cycles, now))
        self.rebases += 1

    def _record(self, now: float, force: bool = False) -> None:
        if force or not self._pairs or now - self._pairs[-1][0] >= self.RECORD_EVERY_S:
            self._pairs.append(_mono_wall_pair())

    def _poll(self, cycle: int) -> int:
        """Host bytes read now go to the firmware as arriving at ``cycle``, or at the cycle
        of the kernel's receive time when the endpoint has one; how many bytes."""
        if self.endpoint is None:
            return 0
        data = self.endpoint.read_available()
        if data:
            arrival = getattr(self.endpoint, "arrival", None)
            if arrival is not None and self.realtime:
                mono, wall = _mono_wall_pair()
                cycle = self.cycle_of(mono + (arrival - wall))
            self.board.uart.inject(data, max(cycle, self.board.cycles))
        return len(data)

    def _wait(self, until: float) -> None:
        """Sleep until perf_counter() reads ``until``, taking host bytes as they arrive."""
        while not self._stop.is_set():
            left = until - time.perf_counter()
            if left <= 0:
                return
            fds = self.endpoint.wait_fds() if hasattr(self.endpoint, "wait_fds") else []
            if not fds:
                time.sleep(left)
                return
            try:
                ready = select.select(fds, [], [], left)[0]
            except (OSError, ValueError):  # an fd closed under us: poll and go on
                ready = fds
            if ready and not self._poll(self.cycle_of(time.perf_counter())):
                time.sleep(min(left, 0.0002))  # readable but nothing to read: do not spin


def _mono_wall_pair() -> tuple[float, float]:
    """(perf_counter, time.time) read together: time.time between two perf_counter reads."""
    m0 = time.perf_counter()
    w = time.time()
    m1 = time.perf_counter()
    return (m0 + m1) / 2, w


def live_extra(board: Board) -> dict[str, Any]:
    """What the live view shows besides the LCD: the LEDs, the broken rules and the DS1302
    beside the true time (``clock``: None without a DS1302)."""
    records = board.violation_records(max(0, board.violation_total - 1))
    last = None
    if records:
        from sim.frontends.violations import describe
        last = describe(records[-1], board.cps)
    return {"leds": board.lamps(), "violations": board.violation_count, "last": last,
            "clock": clock_line(board)}


def clock_line(board: Board) -> str | None:
    """'DS1302 12:00:05.123  true 12:00:04.900  offset +223.0 ms  crystal +87.00 ppm  room
    25 C': the clock (with the fraction of its second), the true time (what it would show
    with a perfect crystal), their difference; None on a board without a DS1302."""
    rtc = board.rtc
    if rtc is None:
        return None
    cycle = board.cycles
    clock = rtc.clock_datetime_at(cycle)
    true = rtc.true_datetime_at(cycle)
    offset = rtc.offset_at(cycle)
    line = "DS1302 " + ("halted" if clock is None else f"{clock:%H:%M:%S.%f}"[:-3])
    line += "  true " + ("not set" if true is None else f"{true:%H:%M:%S.%f}"[:-3])
    if offset is not None:
        line += f"  offset {offset * 1000:+.1f} ms"
    if rtc.crystal is not None:
        line += (f"  crystal {rtc.rate_ppm_at(cycle):+.2f} ppm  room "
                 f"{board.ambient.celsius_at(cycle):g} C")
    return line


def _run_live(board: Board, end: int | None, realtime: bool, args: argparse.Namespace,
              endpoint: Endpoint | None, stops: StopRequests | None = None,
              dap: object = None) -> None:
    from sim.frontends.live import LiveView, cbreak_stdin, read_keys
    from sim.frontends.temperature import nudge

    note = "serial: not connected (use --serial pty or --serial tcp:PORT)"
    if isinstance(endpoint, PtyEndpoint):
        note = f"serial: {endpoint.path}"
    elif isinstance(endpoint, TcpEndpoint):
        note = f"serial: socket://127.0.0.1:{endpoint.port}"
    names = [k.name for k in board.profile.keys]
    loop = RealtimeLoop(board, endpoint, end=end, realtime=realtime)
    with cbreak_stdin() as has_keys, LiveView(board.profile.name, names, note) as view:
        wall0 = time.perf_counter()
        c0 = board.cycles
        last_draw = -1.0
        last_key: tuple[str, float] | None = None
        seen = {"rx": 0, "tx": 0}

        def on_slice(now: float) -> bool:
            nonlocal last_draw, last_key
            if stops:
                return False
            if now - last_draw < DRAW_EVERY_S:
                return True
            for name, log, arrow in (("rx", board.uart.rx_log, ">"),
                                     ("tx", board.uart.tx_log, "<")):
                if log.total > seen[name]:
                    view.feed_serial(arrow, log.data_since(seen[name]))
                    seen[name] = log.total
            if has_keys:
                for typed in read_keys():
                    if typed in ("q", "Q"):
                        return False
                    if nudge(board, typed):     # + / -: the DS18B20's temperature
                        continue
                    if typed == "p":  # the supply (sim.frontends.live: [p] power)
                        board.power_cycle()
                        continue
                    key = view.key_for(typed)
                    if key:
                        board.press(key)
                        last_key = (key, now)
            pressed = last_key[0] if last_key and now - last_key[1] < 0.5 else None
            speed = (board.cycles - c0) / board.cps / max(now - wall0, 1e-9)
            buzzer = board.buzzer is not None and board.buzzer.is_sounding(board.cycles)
            view.update(board.lcd.text() if board.lcd is not None else [], board.seconds,
                        speed, buzzer, pressed, live_extra(board))
            last_draw = now
            return True

        if dap is not None:  # the debugger first; the view freezes while it holds the board
            hooked = dap.hook(loop, on_slice, lambda: bool(stops))  # type: ignore[attr-defined]
            dap.start()  # type: ignore[attr-defined]
            loop.run(hooked)
        else:
            loop.run(on_slice)
