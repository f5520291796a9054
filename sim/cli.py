"""``clock51-sim``: the simulator's command line.

Subcommands (one subparser each):

    exec PROGRAM.ihx [--max-cycles N] [--xram N]   run an 8052 program on a bare CPU
    disasm PROGRAM.ihx [--start ADDR] [--count N]  disassemble
    run ...     from sim.runner (add_arguments + run), if importable
    bench ...   from sim.bench (add_arguments + run), if importable

More can be registered with ``add_subcommand``.

Every user error (``SimError``, ``OSError``) becomes ONE line ``clock51-sim: error: ...``
on stderr and exit code 1, in ``main`` only; usage errors exit 2 (argparse).
"""

from __future__ import annotations

import sys
from collections.abc import Callable, Sequence

from sim.errors import SimError

TYPE_CHECKING = False  # not typing.TYPE_CHECKING: importing typing costs start-up time
if TYPE_CHECKING:  # argparse is imported only when needed: see sim/fastargs.py
    import argparse

__all__ = ["main", "build_parser", "add_subcommand"]

Handler = Callable[["argparse.Namespace"], int]
_EXTRA: list[Callable[[argparse._SubParsersAction], None]] = []


def add_subcommand(register: Callable[[argparse._SubParsersAction], None]) -> None:
    """Register a function that adds a subparser (and sets ``func=handler`` on it)."""
    _EXTRA.append(register)


def _int(text: str) -> int:
    import argparse

    try:
        return int(text, 0)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a number: {text!r}") from None


def _cmd_exec(args: argparse.Namespace) -> int:
    from sim.execrun import run_program
    from sim.hexfile import load_ihx

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
    return 0


def _cmd_disasm(args: argparse.Namespace) -> int:
    from sim.cpu.disasm import disassemble
    from sim.hexfile import load_ihx

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
    import argparse

    p = argparse.ArgumentParser(prog="clock51-sim",
                                description="clock51 simulator: 8052 core and board models")
    sub = p.add_subparsers(dest="command", required=True, metavar="COMMAND")
    e = sub.add_parser("exec", help="run an 8052 program on a bare CPU; UART output to stdout")
    e.add_argument("program", metavar="PROGRAM.ihx")
    e.add_argument("--max-cycles", type=_int, default=None, metavar="N",
                   help="stop after N machine cycles")
    e.add_argument("--xram", type=_int, default=256, metavar="BYTES",
                   help="XRAM size (default 256, the STC89C52RC's)")
    e.add_argument("--s51-timing", action="store_true",
                   help="charge 1 cycle for an interrupt's LCALL, as s51 does (datasheet: 2)")
    e.set_defaults(func=_cmd_exec)
    d = sub.add_parser("disasm", help="disassemble a program image")
    d.add_argument("program", metavar="PROGRAM.ihx")
    d.add_argument("--start", type=_int, default=0, metavar="ADDR")
    d.add_argument("--count", type=_int, default=None, metavar="N")
    d.set_defaults(func=_cmd_disasm)
    if lean:
        return p
    _add_module_command(sub, "run", "sim.runner",
                        "run a board: the firmware with its devices (LCD, DS1302, keys, UART)")
    _add_module_command(sub, "bench", "sim.bench",
                        "measure simulation speed (and compare with s51 when installed)")
    _add_module_command(sub, "budgets", "sim.budgets",
                        "measure the firmware's budgets (LCD latency, SET latency, stack)")
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
    from sim.fastargs import parse_exec

    argv = list(sys.argv[1:] if argv is None else argv)
    args = parse_exec(argv)  # a plain exec command line: no argparse (start-up time)
    if args is not None:
        args.func = _cmd_exec
    else:
        # exec and disasm need only the CPU: start-up must not pay for importing the board
        args = build_parser(lean=bool(argv) and argv[0] in ("exec", "disasm")).parse_args(argv)
    try:
        return int(args.func(args) or 0)
    except SimError as e:
        print(f"clock51-sim: error: {e}", file=sys.stderr)
        return 1
    except OSError as e:
        where = f"{e.filename}: " if getattr(e, "filename", None) else ""
        print(f"clock51-sim: error: {where}{e.strerror or e}", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        print("clock51-sim: interrupted", file=sys.stderr)
        return 130


if __name__ == "__main__":
    sys.exit(main())
