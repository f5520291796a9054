"""``clock51-sim exec``'s command line read without argparse (sim/frontends/fastargs.py) gives what
argparse gives, and leaves everything else to argparse."""

import pytest

from sim.frontends.cli import build_parser
from sim.frontends.fastargs import EXEC_OPTIONS, parse_exec


def _exec_parser():
    sub = next(a for a in build_parser(lean=True)._actions if a.dest == "command")
    return sub.choices["exec"]


def test_the_fast_path_knows_every_exec_option():
    opts = {o for a in _exec_parser()._actions for o in a.option_strings} - {"-h", "--help"}
    assert opts == set(EXEC_OPTIONS)


@pytest.mark.parametrize("argv", [
    ["exec", "p.ihx"],
    ["exec", "p.ihx", "--s51-timing"],
    ["exec", "--max-cycles", "1000", "p.ihx"],
    ["exec", "p.ihx", "--max-cycles=0x400", "--xram", "512", "--s51-timing"],
])
def test_plain_command_lines_parse_as_argparse_does(argv):
    fast = parse_exec(argv)
    ref = build_parser(lean=True).parse_args(argv)
    assert fast is not None
    assert {k: v for k, v in vars(ref).items() if k != "func"} == vars(fast)


@pytest.mark.parametrize("argv", [
    [], ["exec"], ["disasm", "p.ihx"], ["exec", "p.ihx", "--help"], ["exec", "-h"],
    ["exec", "p.ihx", "q.ihx"], ["exec", "p.ihx", "--max"], ["exec", "p.ihx", "--xram"],
    ["exec", "p.ihx", "--xram", "lots"], ["exec", "p.ihx", "--xram", "1", "--xram", "2"],
    ["exec", "p.ihx", "--s51-timing=1"], ["exec", "--", "p.ihx"], ["exec", "p.ihx", "--bogus"],
])
def test_anything_else_is_left_to_argparse(argv):
    assert parse_exec(argv) is None
