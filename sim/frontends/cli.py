"""``clock51-sim``: the simulator's command line.

Subcommands (one subparser each):

    exec PROGRAM.ihx [--max-cycles N] [--xram N]   run an 8052 program on a bare CPU
                (exit 1: failure reported in SFR 0xFF, or the cycle budget ran out)
    disasm PROGRAM.ihx [--start ADDR] [--count N]  disassemble
    run ...     a board (sim.frontends.run: add_arguments + run)
    bench ...   speed figures (sim.measure.bench)
    budgets ... the firmware's budgets measured in the simulator (sim.measure.budgets)
    fwprofile ... the firmware's instructions and pin edges per second, by function
                (sim.measure.fwprofile)
    fwcompare ... the firmware beside a reference build: memory, work, simulation speed
                (sim.measure.fwcompare)
    power-cycle --serial PORT   cycle a running board's supply (sim.frontends.power)

More can be registered with ``add_subcommand``.

Exit codes, set here and nowhere else (the same as ``clock51``'s): 0 success; 1 an error
while running (``SimError``, a bad board profile, ``OSError``), reported as ONE line
``clock51-sim: error: ...`` on stderr; 2 a usage error (argparse), also one such line;
130 Ctrl-C; 143 SIGTERM and 129 SIGHUP (128 + the signal number; ``run`` saves and
finishes first).
"""

from __future__ import annotations

import sys

from sim.errors import ProgramFailed, Signalled, SimError, UsageError

TYPE_CHECKING = False  # not typing.TYPE_CHECKING: importing typing costs start-up time
if TYPE_CHECKING:  # argparse is imported only when needed: see sim/frontends/fastargs.py
    import argparse
    from collections.abc import Callable, Sequence  # (collections: 1 ms of start-up)
    from typing import NoReturn

    Handler = Callable[["argparse.Namespace"], int]

__all__ = ["main", "build_parser", "add_subcommand"]

_EXTRA: list[Callable[[argparse._SubParsersAction], None]] = []


def _parser(**kwargs: object) -> argparse.ArgumentParser:
    """An argparse parser whose usage errors are one line (``UsageError``), not the usage
    text; its subparsers are of the same kind. argparse is imported here, not at start-up."""
    import argparse

    class _Parser(argparse.ArgumentParser):
        def error(self, message: str) -> NoReturn:
            raise UsageError(f"{message} (see '{self.prog} --help')")

    return _Parser(**kwargs)  # type: ignore[arg-type]


def _profile_errors() -> tuple[type[Exception], ...]:
    """boardprofile's error class once that package is loaded (a bad profile is reported
    like a SimError); exec never loads it, and must not pay for importing it."""
    mod = sys.modules.get("boardprofile.profile")
    return (mod.ProfileError,) if mod is not None else ()


def add_subcommand(register: Callable[[argparse._SubParsersAction], None]) -> None:
    """Register a function that adds a subparser (and sets ``func=handler`` on it)."""
    _EXTRA.append(register)


def _int(text: str) -> int:
    import argparse

    try:
        return int(text, 0)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a number: {text!r}") from None


def _count(text: str) -> int:
    """A number >= 0 (decimal or 0x hex)."""
    import argparse

    value = _int(text)
    if value < 0:
        raise argparse.ArgumentTypeError(f"{text!r}: expected a number >= 0")
    return value


def _cmd_exec(args: argparse.Namespace) -> int:
    """Fails (ProgramFailed: exit 1, one line) when the program's exit status port (SFR
    0xFF) is not 0 at its stop or the --max-cycles budget ran out; the statistics first."""
    from sim.frontends.exec import EXIT_SFR, run_program
    from sim.machine.image import load_ihx

    image = load_ihx(args.program)
    stdout = sys.stdout.buffer

    def emit(byte: int) -> None:
        stdout.write(bytes((byte,)))
        stdout.flush()

    res = run_program(image, max_cycles=args.max_cycles, xram_size=args.xram,
                      on_output=emit, s51_timing=args.s51_timing)
    print(f"cycles: {res.cycles}", file=sys.stderr)
    print(f"instructions: {res.instructions}", file=sys.stderr)
    print(f"wall: {res.wall_seconds:.3f} s", file=sys.stderr)
    print(f"simulated: {res.mhz_equivalent:.2f} M machine cycles/s", file=sys.stderr)
    print(f"stop: {res.reason}", file=sys.stderr)
    if res.status is None:
        raise ProgramFailed(f"no final self-jump within {args.max_cycles} cycles "
                            "(--max-cycles): the program hangs or needs a larger budget")
    if res.status:
        raise ProgramFailed(f"the program reported failure: exit status {res.status} "
                            f"(SFR 0x{EXIT_SFR:02X})")
    return 0


def _cmd_disasm(args: argparse.Namespace) -> int:
    from sim.cpu.disasm import disassemble
    from sim.machine.image import load_ihx

    image = load_ihx(args.program)
    addr = args.start
    count = args.count if args.count is not None else None
    n = 0
    while addr < len(image) and (count is None or n < count):
        text, length = disassemble(image, addr)
        raw = " ".join(f"{b:02X}" for b in image[addr:addr + length])
        print(f"{addr:04X}  {raw:<9} {text}")
        addr += length
        n += 1
    return 0


def build_parser(*, lean: bool = False) -> argparse.ArgumentParser:
    """``lean``: only the bare-CPU commands (exec, disasm), without importing the board."""
    p = _parser(prog="clock51-sim", description="clock51 simulator: 8052 core and board models")
    sub = p.add_subparsers(dest="command", required=True, metavar="COMMAND")
    e = sub.add_parser("exec", help="run an 8052 program on a bare CPU; UART output to stdout")
    e.add_argument("program", metavar="PROGRAM.ihx")
    e.add_argument("--max-cycles", type=_count, default=None, metavar="N",
                   help="stop after N machine cycles (a failure: exit 1)")
    e.add_argument("--xram", type=_int, default=256, metavar="BYTES",
                   help="XRAM size (default 256, the STC89C52RC's)")
    e.add_argument("--s51-timing", action="store_true",
                   help="charge 1 cycle for an interrupt's LCALL, as s51 does (datasheet: 2)")
    e.set_defaults(func=_cmd_exec)
    d = sub.add_parser("disasm", help="disassemble a program image")
    d.add_argument("program", metavar="PROGRAM.ihx")
    d.add_argument("--start", type=_count, default=0, metavar="ADDR")
    d.add_argument("--count", type=_count, default=None, metavar="N")
    d.set_defaults(func=_cmd_disasm)
    if lean:
        return p
    _add_module_command(sub, "run", "sim.frontends.run",
                        "run a board: the firmware with its devices (LCD, DS1302, keys, UART)")
    _add_module_command(sub, "bench", "sim.measure.bench",
                        "measure simulation speed (and compare with s51 when installed)")
    _add_module_command(sub, "budgets", "sim.measure.budgets",
                        "measure the firmware's budgets (LCD latency, SET latency, stack)")
    _add_module_command(sub, "fwprofile", "sim.measure.fwprofile",
                        "profile the firmware: instructions and pin edges per second by "
                        "function")
    _add_module_command(sub, "fwcompare", "sim.measure.fwcompare",
                        "the firmware beside a reference build of it: memory, work per "
                        "second, simulation speed")
    from sim.frontends import power

    pc = sub.add_parser("power-cycle", help="cycle the supply of a running simulated board "
                        "(what stcgal -a -r CMD can run)")
    power.add_command_arguments(pc)
    pc.set_defaults(func=power.run_command)
    for register in _EXTRA:
        register(sub)
    return p


def _add_module_command(sub: argparse._SubParsersAction, name: str, module: str,
                        help_text: str) -> None:
    """A subcommand provided by another module through ``add_arguments(p)`` + ``run(args)``."""
    import importlib

    mod = importlib.import_module(module)
    p = sub.add_parser(name, help=help_text)
    mod.add_arguments(p)
    p.set_defaults(func=mod.run)


def main(argv: Sequence[str] | None = None) -> int:
    from sim.frontends.fastargs import parse_exec

    argv = list(sys.argv[1:] if argv is None else argv)
    args = parse_exec(argv)  # a plain exec command line: no argparse (start-up time)
    if args is not None:
        args.func = _cmd_exec
    else:
        # exec and disasm need only the CPU: start-up must not pay for importing the board
        try:
            args = build_parser(lean=bool(argv) and argv[0] in ("exec", "disasm")
                                ).parse_args(argv)
        except UsageError as e:
            print(f"clock51-sim: error: {e}", file=sys.stderr)
            return 2
    try:
        return int(args.func(args) or 0)
    except UsageError as e:
        print(f"clock51-sim: error: {e}", file=sys.stderr)
        return 2
    except (SimError, *_profile_errors()) as e:
        print(f"clock51-sim: error: {e}", file=sys.stderr)
        return 1
    except OSError as e:
        where = f"{e.filename}: " if getattr(e, "filename", None) else ""
        print(f"clock51-sim: error: {where}{e.strerror or e}", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        print("clock51-sim: interrupted", file=sys.stderr)
        return 130
    except Signalled as e:  # SIGTERM, SIGHUP after a clean finish (frontends/signals.py)
        print(f"clock51-sim: {e}", file=sys.stderr)
        return 128 + e.signum


if __name__ == "__main__":
    sys.exit(main())
