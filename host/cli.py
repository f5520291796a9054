"""``clock51``: read and set a clock51 over its serial port.

    clock51 [--port PORT] [--baud 9600] [--timeout S] COMMAND ...

PORT is a device path (/dev/ttyUSB0, COM3) or a pyserial URL (socket://127.0.0.1:PORT for
the simulator); default: the CLOCK51_PORT environment variable. Exit codes: 0 success,
1 device/port/protocol error, 2 usage error, 130 interrupted (Ctrl-C). Every error is ONE
line on stderr, printed here and only here (``main``).
"""

from __future__ import annotations

import argparse
import logging
import math
import os
import re
import sys
from collections.abc import Callable, Sequence
from datetime import date, datetime
from typing import NoReturn

from host import drift as d
from host import driftplot, learn
from host import protocol as p
from host.client import Clock
from host.errors import Clock51Error, DeviceError, UsageError
from host.sync import sync
from host.timesource import SystemTime, TimeSource, wall_to_mono
from host.transport import list_ports

PROG = "clock51"
ENV_PORT = "CLOCK51_PORT"

OpenClock = Callable[[str, int, float], Clock]


class _Exit(Exception):
    def __init__(self, status: int) -> None:
        super().__init__(status)
        self.status = status


class _Parser(argparse.ArgumentParser):
    """argparse that raises instead of printing usage and calling sys.exit."""

    def error(self, message: str) -> NoReturn:
        raise UsageError(f"{message} (see '{PROG} --help')")

    def exit(self, status: int = 0, message: str | None = None) -> NoReturn:
        if message:
            sys.stderr.write(message)
        raise _Exit(status)


# ---------------------------------------------------------------- argument values

def parse_datetime(text: str) -> datetime:
    """``YYYY-MM-DD HH:MM:SS`` (or with a T) -> datetime; UsageError when not a real time."""
    cleaned = text.strip().replace("T", " ", 1)
    try:
        when = datetime.strptime(cleaned, p.TIME_FORMAT)
    except ValueError as exc:
        detail = str(exc) if "out of range" in str(exc) else "not a valid date and time"
        raise UsageError(f"{text!r}: {detail}; expected 'YYYY-MM-DD HH:MM:SS' "
                         "(24-hour time)") from None
    p.check_year(when)
    return when


_HHMM = re.compile(r"([01]?[0-9]|2[0-3]):([0-5][0-9])")


def parse_date(text: str) -> date:
    """``YYYY-MM-DD`` -> date in the clock's years; UsageError otherwise."""
    try:
        day = datetime.strptime(text.strip(), p.DATE_FORMAT).date()
    except ValueError:
        raise UsageError(f"not a date YYYY-MM-DD: {text!r}") from None
    p.req_cal(day)                          # the year range
    return day


def parse_hhmm(text: str) -> tuple[int, int]:
    match = _HHMM.fullmatch(text.strip())
    if not match:
        raise UsageError(f"{text!r} is not a time of day HH:MM (00:00-23:59)")
    return int(match.group(1)), int(match.group(2))


def _positive(kind: type[int] | type[float]) -> Callable[[str], float]:
    def convert(text: str) -> float:
        try:
            value = kind(text)
        except ValueError:
            raise argparse.ArgumentTypeError(f"not a number: {text!r}") from None
        if not (math.isfinite(value) and value > 0):
            raise argparse.ArgumentTypeError(f"must be positive: {text!r}")
        return value

    convert.__name__ = kind.__name__
    return convert


def _count(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a whole number: {text!r}") from None
    if value < 0:
        raise argparse.ArgumentTypeError(f"must not be negative: {text!r}")
    return value


# ---------------------------------------------------------------- the parser

def build_parser() -> argparse.ArgumentParser:
    common = _Parser(add_help=False)
    parser = _Parser(prog=PROG, description="Read and set a clock51 over its serial port.",
                     epilog=f"Exit codes: 0 ok, 1 device/port error, 2 usage error, "
                            f"130 Ctrl-C. "
                            f"PORT defaults to ${ENV_PORT}.")
    # global options: on the main parser with defaults; repeated after the command (as
    # `clock51 get --port X`) where they only count when given
    for target, suppress in ((parser, False), (common, True)):
        def default(value: object, suppress: bool = suppress) -> object:
            return argparse.SUPPRESS if suppress else value

        target.add_argument("--port", "-p", default=default(None),
                            help="device path or pyserial URL (socket://HOST:PORT)")
        target.add_argument("--baud", "-b", type=_positive(int), default=default(9600),
                            help="baud rate (default 9600)")
        target.add_argument("--timeout", "-t", type=_positive(float), default=default(1.0),
                            help="seconds to wait for each reply (default 1)")
        target.add_argument("--verbose", "-v", action="store_true", default=default(False),
                            help="log retries and resets")

    sub = parser.add_subparsers(dest="command", metavar="COMMAND", required=True)

    def command(name: str, help_text: str) -> argparse.ArgumentParser:
        return sub.add_parser(name, help=help_text, description=help_text, parents=[common])

    command("ports", "list serial ports")
    command("get", "print the clock's date and time")
    cmd = command("set", "set date and time (use sync for sub-second accuracy)")
    what = cmd.add_mutually_exclusive_group(required=True)
    what.add_argument("datetime", nargs="?", metavar="'YYYY-MM-DD HH:MM:SS'")
    what.add_argument("--now", action="store_true", help="the PC's local time")
    cmd = command("sync", "set the clock to the PC's local time, aligned to the second")
    cmd.add_argument("--pings", type=_positive(int), default=5,
                     help="PINGs to measure the link latency (default 5)")
    cmd.add_argument("--verify", type=_count, default=4,
                     help="timed GET probes that bracket the residual offset, about one a "
                          "second (default 4; 0 skips)")
    cmd.add_argument("--device-delay", type=float, default=0.0, metavar="MS",
                     help="the clock's delay from a SET line's end to its RTC write, "
                          "compensated (default 0)")
    cmd.add_argument("--calibrate", action="store_true",
                     help="set a second time, compensating the residual the probes measured")
    cmd.add_argument("--no-learn", action="store_true",
                     help="do not learn the clock's drift (no DRIFT, no history, no RATE)")
    cmd.add_argument("--history-dir", metavar="DIR", default=None,
                     help="folder of the drift histories (default "
                          "$XDG_STATE_HOME/clock51/drift)")
    cmd = command("alarm", "show or set the alarm: alarm [get | set HH:MM | on | off]")
    cmd.add_argument("action", nargs="?", default="get", choices=("get", "set", "on", "off"))
    cmd.add_argument("time", nargs="?", metavar="HH:MM")
    cmd = command("hours", "show or set the 12/24-hour display")
    cmd.add_argument("mode", nargs="?", type=int, choices=(12, 24))
    command("info", "firmware version, board and RTC state")
    command("temp", "the temperature of the clock's DS18B20")
    cmd = command("calendar", "the solar term and festival of a date (default: the clock's "
                              "today)")
    cmd.add_argument("date", nargs="?", metavar="YYYY-MM-DD")
    cmd = command("monitor", "print the clock's time beside the PC's once a second")
    cmd.add_argument("--count", "-n", type=_count, default=None,
                     help="stop after N lines (default: until Ctrl-C)")
    cmd = command("raw", "send one protocol line and print the reply")
    cmd.add_argument("line", metavar="LINE")
    cmd.add_argument("--no-checksum", action="store_true",
                     help="send LINE exactly as typed (no #CCCC check appended)")
    _add_drift_parser(command)
    return parser


# ---------------------------------------------------------------- commands

def _cmd_get(clock: Clock, args: argparse.Namespace, t: TimeSource) -> None:
    shown = clock.get_time()
    if not shown.weekday_consistent:
        logging.getLogger(PROG).warning("the clock's weekday %s does not match its date",
                                        shown.weekday)
    print(shown)


def _cmd_set(clock: Clock, args: argparse.Namespace, t: TimeSource) -> None:
    if args.now:
        line_time = len(p.encode_request(p.req_set(datetime(2000, 1, 1)))) * clock.frame_time
        when = datetime.fromtimestamp(round(t.wall() + line_time))
    else:
        when = args.when
    print(clock.set_time(when))


def _cmd_sync(clock: Clock, args: argparse.Namespace, t: TimeSource) -> None:
    learned = None
    if args.no_learn:
        result = sync(clock, pings=args.pings, verify=args.verify,
                      device_delay=args.device_delay / 1000, calibrate=args.calibrate)
    else:
        result, learned = learn.learning_sync(
            clock, _store(args), args.port, pings=args.pings, verify=args.verify,
            device_delay=args.device_delay / 1000, calibrate=args.calibrate)
    lat = result.latency
    print(f"clock set to {result.clock} (PC local time, aligned to the second)")
    print(f"link latency {lat.one_way * 1000:.1f} ms one way "
          f"(from {len(lat.round_trips)} PINGs, fastest round trip "
          f"{min(lat.round_trips) * 1000:.1f} ms); "
          f"final byte written {(result.written_at - result.planned_at) * 1000:+.2f} ms "
          "from plan")
    if result.residual is not None:
        print(f"residual offset (clock - PC) {result.residual}")
    if result.device_delay != args.device_delay / 1000:
        print(f"calibrated: SET compensated by {result.device_delay * 1000:.1f} ms")
    if learned is not None:
        for line in learn.report(learned):
            print(line)
        if learned.write_error is not None:
            learned.write_error.add_detail("the clock was set and the sync recorded")
            raise learned.write_error


def _cmd_alarm(clock: Clock, args: argparse.Namespace, t: TimeSource) -> None:
    if args.action == "get":
        print(clock.get_alarm())
    elif args.action == "set":
        print(clock.set_alarm(*args.hhmm))
    elif args.action == "on":
        print(clock.alarm_on())
    else:
        print(clock.alarm_off())


def _cmd_hours(clock: Clock, args: argparse.Namespace, t: TimeSource) -> None:
    print(clock.get_hours() if args.mode is None else clock.set_hours(args.mode))


def _cmd_info(clock: Clock, args: argparse.Namespace, t: TimeSource) -> None:
    info = clock.info()
    print(" ".join([info.firmware, info.version, *(f"{k}={v}" for k, v in info.fields.items())]))
    if not info.rtc_ok:
        logging.getLogger(PROG).warning("the clock's RTC is not set: run '%s sync'", PROG)


def _cmd_temp(clock: Clock, args: argparse.Namespace, t: TimeSource) -> None:
    value = clock.temperature()
    if value is None:
        raise DeviceError("none", "the clock has no DS18B20 (no sensor answers its reset)")
    print(f"{value:.1f} C")


def _cmd_calendar(clock: Clock, args: argparse.Namespace, t: TimeSource) -> None:
    day = clock.calendar(args.day)
    try:                                    # the Chinese names where stdout can show them
        str(day).encode(sys.stdout.encoding or "ascii")
        print(day)
    except (UnicodeEncodeError, LookupError):
        print(day.text(chinese=False))


def _cmd_monitor(clock: Clock, args: argparse.Namespace, t: TimeSource) -> None:
    request_time = len(p.encode_request(p.req_get())) * clock.frame_time
    printed = 0
    try:
        while args.count is None or printed < args.count:
            # ask in the middle of a PC second, so whole-second differences are exact
            target = math.floor(t.wall()) + 1.5
            t.sleep_until(wall_to_mono(t, target - request_time))
            shown = clock.get_time()
            sampled = t.wall() - (t.mono() - clock.last_write_at - request_time)
            pc = datetime.fromtimestamp(sampled)
            diff = round(shown.when.timestamp() - math.floor(sampled))
            print(f"clock {shown}   pc {pc:%Y-%m-%d %H:%M:%S}.{pc.microsecond // 1000:03d}"
                  f"   clock-pc {diff:+d} s", flush=True)
            printed += 1
    except KeyboardInterrupt:
        pass


def _cmd_raw(clock: Clock, args: argparse.Namespace, t: TimeSource) -> None:
    reply = clock.raw(args.line, add_checksum=not args.no_checksum)
    print(reply.rstrip(b"\r").decode("ascii", "backslashreplace"))
    # ERR / garbled: exit 1
    p.parse_reply(reply, require_checksum=not args.no_checksum, form=p.CRC)


# ---------------------------------------------------------------- drift (learned drift)

DRIFT_ACTIONS = ("show", "rate", "comp", "k", "t0", "id")
_RATE_TEXT = re.compile(r"[+-]?[0-9]{1,3}(\.[0-9]{1,2})?")
_K_TEXT = re.compile(r"[+-]?[0-9](\.[0-9]{1,3})?")


def _add_drift_parser(command: Callable[[str, str], argparse.ArgumentParser]) -> None:
    cmd = command("drift", "the clock's learned drift: drift [show | rate PPM | comp on|off | "
                           "k K | t0 T | id XXXX]")
    cmd.add_argument("action", nargs="?", default="show", choices=DRIFT_ACTIONS)
    cmd.add_argument("value", nargs="?", metavar="VALUE")
    cmd.add_argument("--plot", metavar="FILE.png", default=None,
                     help="show: draw offset against time with the fit (needs matplotlib)")
    cmd.add_argument("--id", metavar="XXXX", default=None,
                     help="show: the history of clock XXXX, without asking the clock")
    cmd.add_argument("--history-dir", metavar="DIR", default=None,
                     help="folder of the drift histories (default "
                          "$XDG_STATE_HOME/clock51/drift)")


def _check_drift_args(args: argparse.Namespace) -> None:
    action, value = args.action, args.value
    if action != "show" and (args.plot is not None or args.id is not None):
        raise UsageError(f"--plot and --id go with 'drift show', not 'drift {action}'")
    if action == "show":
        if value is not None:
            raise UsageError(f"drift show takes no value (got {value!r})")
        if args.id is not None:
            args.id = p.check_drift_id(args.id)
        if args.plot is not None:
            driftplot.require()
        return
    if value is None:
        raise UsageError(f"drift {action} needs a value")
    if action == "rate":
        if not _RATE_TEXT.fullmatch(value) or abs(float(value)) > p.DRIFT_RATE_MAX:
            raise UsageError(f"drift rate {value!r}: expected ppm with at most 2 decimals, "
                             f"-{p.DRIFT_RATE_MAX:.2f} to {p.DRIFT_RATE_MAX:.2f}")
        args.drift_value = float(value)
    elif action == "k":
        if not _K_TEXT.fullmatch(value) or abs(float(value)) > p.DRIFT_K_MAX:
            raise UsageError(f"drift k {value!r}: expected ppm/C^2 with at most 3 decimals, "
                             f"-{p.DRIFT_K_MAX:.3f} to {p.DRIFT_K_MAX:.3f}")
        args.drift_value = float(value)
    elif action == "t0":
        if not value.isdigit() or int(value) > p.DRIFT_T0_MAX:
            raise UsageError(f"drift t0 {value!r}: expected whole degrees C, "
                             f"0 to {p.DRIFT_T0_MAX}")
        args.drift_value = int(value)
    elif action == "comp":
        if value.lower() not in ("on", "off"):
            raise UsageError(f"drift comp {value!r}: expected on or off")
        args.drift_value = value.lower() == "on"
    else:
        args.drift_value = p.check_drift_id(value)


def _store(args: argparse.Namespace) -> d.Store:
    return d.Store(args.history_dir if args.history_dir else d.default_dir())


def _drift_state(clock: Clock) -> p.Drift:
    state = learn.read_drift(clock)
    if state is None:
        raise DeviceError(learn.UNKNOWN_COMMAND, "the clock answered ERR unknown command to "
                          "DRIFT: its firmware has no drift feature (it cannot correct itself)")
    return state


def _cmd_drift_write(clock: Clock, args: argparse.Namespace, t: TimeSource) -> None:
    """drift rate|comp|k|t0|id: the write, echo checked; a RATE or COMP change is recorded in
    the clock's history (when it has one), so the next sync's interval accounts for it."""
    action, value = args.action, args.drift_value
    state = _drift_state(clock)
    store = _store(args)
    history = None
    if action in ("rate", "comp") and state.id is not None:
        history = store.load(state.id)  # damaged: stop before the write
        if history.last_set() is None:
            history = None
        else:
            store.check_writable()
    writes: dict[str, Callable[[], p.Drift]] = {
        "rate": lambda: clock.set_drift_rate(value), "comp": lambda: clock.set_drift_comp(value),
        "k": lambda: clock.set_drift_k(value), "t0": lambda: clock.set_drift_t0(value),
        "id": lambda: clock.set_drift_id(value)}
    new = writes[action]()
    if history is not None and (new.rate, new.comp) != (state.rate, state.comp):
        history.changes.append(d.Change(t.wall(), new.rate, new.comp))
        store.save(history)
    print(new)


def _cmd_drift(clock: Clock | None, args: argparse.Namespace, t: TimeSource) -> None:
    if args.action != "show":
        assert clock is not None
        _cmd_drift_write(clock, args, t)
        return
    store = _store(args)
    state = None
    if clock is None:
        key = args.id
    else:
        state = learn.read_drift(clock)
        if state is None:
            key = d.port_key(args.port)
        elif state.id is None:
            print("this clock has no ID yet, so no drift history: 'clock51 sync' gives it one "
                  "and starts learning")
            return
        else:
            key = state.id
    history = store.load(key)
    who = f"clock {key}" if not key.startswith("port:") else f"the clock on {key[5:]}"
    if not history.syncs:
        print(f"no drift history for {who} in {store.directory} yet: 'clock51 sync' starts one")
        return
    est, intervals = d.analyse(history)
    print(f"{who}: {len(history.syncs)} sync(s) in {store.path(key)}")
    print(f"{'sync':>4}  {'set at (local)':16}  {'interval':>8}  {'offset before':>13}  "
          f"{'implied rate':>12}  used or why not")
    for iv in intervals:
        s = history.syncs[iv.index]
        print(f"{iv.index + 1:>4}  {d.local(s.time):16}  "
              f"{d.hours(iv.length) if iv.length is not None else '-':>8}  "
              f"{f'{s.offset:+.3f} s' if s.offset is not None else '-':>13}  "
              f"{f'{iv.rate:+.2f} ppm' if iv.rate is not None else '-':>12}  "
              f"{'used' if iv.used else iv.reason}")
    if est is None:
        print(f"estimated rate: none yet ({d.not_enough(history)})")
    else:
        print(f"estimated rate {est.rate:+.2f} ppm +- {est.sigma:.2f} ppm "
              f"({est.count} interval(s) over {d.hours(est.span)})")
        if est.note:
            print(f"note: {est.note}")
    if state is not None:
        print(f"rate in the clock {state.rate:+.2f} ppm (COMP {'ON' if state.comp else 'OFF'}, "
              f"K {state.k:+.3f} ppm/C^2, T0 {state.t0} C; ACC {state.acc:+.3f} s, "
              f"STEPS {state.steps:+d})")
    elif clock is not None:
        print("rate in the clock: none (its firmware has no DRIFT command: it cannot correct "
              "itself)")
    else:
        print("rate in the clock: not read (--id: the clock was not asked)")
    if est is not None:
        in_clock = state.rate if state is not None else (0.0 if clock is not None else None)
        guess = d.predict(history, est, t.wall(), in_clock)
        if guess is not None:
            print(f"predicted error now {guess.error:+.3f} s +- {guess.sigma:.3f} s "
                  f"({d.hours(guess.since)} since the last sync x ({est.rate:+.2f} - "
                  f"{guess.rate_now:+.2f}) ppm)")
            if state is not None and state.acc:
                print(f"the time shown is {guess.error + state.acc:+.3f} s off (with ACC "
                      f"{state.acc:+.3f} s the clock has not stepped yet)")
    if args.plot is not None:
        driftplot.draw(history, intervals, est, args.plot, f"clock51 drift: {who}")
        print(f"plot written to {args.plot}")


COMMANDS: dict[str, Callable[[Clock, argparse.Namespace, TimeSource], None]] = {
    "get": _cmd_get, "set": _cmd_set, "sync": _cmd_sync, "alarm": _cmd_alarm,
    "hours": _cmd_hours, "info": _cmd_info, "monitor": _cmd_monitor, "raw": _cmd_raw,
    "temp": _cmd_temp, "drift": _cmd_drift, "calendar": _cmd_calendar,
}


def _check_args(args: argparse.Namespace) -> None:
    """Validate every argument before anything is opened or sent."""
    if args.command == "set" and not args.now:
        args.when = parse_datetime(args.datetime)
    if args.command == "alarm":
        if args.action == "set":
            if args.time is None:
                raise UsageError("alarm set needs a time HH:MM")
            args.hhmm = parse_hhmm(args.time)
        elif args.time is not None:
            raise UsageError(f"alarm {args.action} takes no time")
    if args.command == "sync":
        if not 0.0 <= args.device_delay <= 500.0:
            raise UsageError("--device-delay must be 0-500 ms")
        if args.calibrate and args.verify == 0:
            raise UsageError("--calibrate needs the verify probes (--verify N, N > 0)")
    if args.command == "raw":
        p.encode_raw(args.line, add_checksum=not args.no_checksum)
    if args.command == "drift":
        _check_drift_args(args)
    if args.command == "calendar":
        args.day = None if args.date is None else parse_date(args.date)
    if args.command != "ports" and not args.port and not _offline(args):
        raise UsageError(f"no port: give --port PORT or set {ENV_PORT} "
                         f"('{PROG} ports' lists them)")


def _offline(args: argparse.Namespace) -> bool:
    """A command that reads only files: ``drift show --id XXXX``."""
    return args.command == "drift" and args.action == "show" and args.id is not None


def _open_default(time_source: TimeSource) -> OpenClock:
    def open_clock(port: str, baud: int, timeout: float) -> Clock:
        return Clock.open(port, baud, timeout=timeout, time_source=time_source)

    return open_clock


class _OneLine(logging.Formatter):
    def format(self, record: logging.LogRecord) -> str:
        return f"{PROG}: {record.levelname.lower()}: {record.getMessage()}"


def main(argv: Sequence[str] | None = None, *, open_clock: OpenClock | None = None,
         time_source: TimeSource | None = None) -> int:
    """Run one ``clock51`` command; the exit code. ``open_clock``/``time_source``: for tests."""
    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(_OneLine())
    logger = logging.getLogger(PROG)
    logger.addHandler(handler)
    logger.propagate = False
    t = time_source if time_source is not None else SystemTime()
    try:
        args = build_parser().parse_args(argv)
        if args.port is None:
            args.port = os.environ.get(ENV_PORT) or None
        logger.setLevel(logging.INFO if args.verbose else logging.WARNING)
        _check_args(args)
        if args.command == "ports":
            ports = list_ports()
            for device, description in ports:
                print(f"{device}\t{description}")
            if not ports:
                logger.warning("no serial ports found")
            return 0
        if _offline(args):
            _cmd_drift(None, args, t)
            return 0
        opener = open_clock if open_clock is not None else _open_default(t)
        clock = opener(args.port, args.baud, args.timeout)
        try:
            COMMANDS[args.command](clock, args, t)
        finally:
            clock.close()
        return 0
    except _Exit as done:
        return done.status
    except Clock51Error as exc:
        print(f"{PROG}: error: {exc}", file=sys.stderr)
        return exc.exit_code
    except KeyboardInterrupt:
        print(f"{PROG}: error: interrupted", file=sys.stderr)
        return 130
    finally:
        logger.removeHandler(handler)


if __name__ == "__main__":
    sys.exit(main())
