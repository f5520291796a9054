"""The command line of ``clock51-sim exec`` read without argparse, for start-up time.

``clock51-sim exec`` is run once per short program (tests, ``pio test``), so its start-up
counts: importing and building argparse costs a fresh process about 10 ms, a third of an
exec with a warm translation cache. ``parse_exec(argv)`` reads only the plain forms
(``exec PROGRAM.ihx [--max-cycles N] [--xram N] [--s51-timing]``, options in any order,
``--opt=value`` too) and returns None for anything else (help, errors, abbreviations,
repeated or unknown options), which then goes through the real parser, so usage errors and
``--help`` are argparse's. ``EXEC_OPTIONS`` must name every option of the exec subparser:
a test compares them.
"""

from __future__ import annotations

from types import SimpleNamespace

__all__ = ["EXEC_OPTIONS", "parse_exec"]

# option -> (attribute, takes a value, default)
EXEC_OPTIONS: dict[str, tuple[str, bool, object]] = {
    "--max-cycles": ("max_cycles", True, None),
    "--xram": ("xram", True, 256),
    "--s51-timing": ("s51_timing", False, False),
}


def parse_exec(argv: list[str]) -> SimpleNamespace | None:
    """The namespace argparse would give for a plain ``exec`` command line, else None."""
    if len(argv) < 2 or argv[0] != "exec":
        return None
    values: dict[str, object] = {}
    program = None
    i = 1
    while i < len(argv):
        tok = argv[i]
        i += 1
        if not tok.startswith("-"):
            if program is not None:
                return None
            program = tok
            continue
        name, eq, text = tok.partition("=")
        spec = EXEC_OPTIONS.get(name)
        if spec is None or spec[0] in values:
            return None
        attr, takes_value, _default = spec
        if not takes_value:
            if eq:
                return None
            values[attr] = True
            continue
        if not eq:
            if i >= len(argv):
                return None
            text = argv[i]
            i += 1
        if text.startswith("-"):
            return None
        try:
            values[attr] = int(text, 0)
        except ValueError:
            return None
    if program is None:
        return None
    ns = SimpleNamespace(command="exec", program=program)
    for attr, _takes, default in EXEC_OPTIONS.values():
        setattr(ns, attr, values.get(attr, default))
    return ns
