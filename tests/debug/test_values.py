"""C values read and written through the debug information: every type and space of the
types program (tests/debug/programs/types.c) after its main() set them up, as C
expressions (sim.debug.expr) and as the debugger lists them."""

from __future__ import annotations

import struct
from pathlib import Path

import pytest

from sim.debug import cdb
from sim.debug.expr import ExprError
from sim.debug.runtime import BreakSpec, Debugger
from sim.debug.values import ValueError_, read
from sim.machine.board import Board
from tests.debug.conftest import marker_line


def run_until_stopped(board: Board, dbg: Debugger, seconds: float = 2.0) -> None:
    end = board.cycles + board.to_cycles(seconds)
    while dbg.running and board.cycles < end:
        dbg.after_slice(board.run_until(min(end, board.cycles + board.to_cycles(0.002))))
    assert not dbg.running, "the program did not stop"


@pytest.fixture
def done(debug_programs: dict[str, Path]) -> Debugger:
    """The types program stopped at its final loop (every global set)."""
    ihx = debug_programs["types"]
    board = Board("reference", ihx)
    dbg = Debugger(board, cdb.load(ihx.with_suffix(".cdb")))
    line = marker_line(ihx.with_suffix(".c"), "DONE")
    assert dbg.set_source_breakpoints(str(ihx.with_suffix(".c")),
                                      [BreakSpec(line=line)])[0].verified
    run_until_stopped(board, dbg)
    return dbg


def value(dbg: Debugger, text: str):
    return read(dbg.evaluate(text), dbg.info, dbg.mem)


@pytest.mark.parametrize("expr, expected", [
    ("c_global", -5), ("uc_global", 200), ("i_global", -1228), ("ui_global", 54321),
    ("l_global", -300000), ("ul_global", 3000000000), ("b_global", 1),
    ("r_global.tag", ord("R")), ("r_global.p.x", 10), ("r_global.p.y", -20),
    ("r_global.name[0]", ord("a")), ("r_global.flags", 5), ("r_global.mode", 17),
    ("r_global.big", 123456789), ("x_array[3]", 300), ("x_array[4] - x_array[1]", 300),
    ("i_buf[2]", 3), ("x_point.y", 8), ("*g_ptr", -5 & 0xFF), ("x_ptr[0]", 100),
    ("*i_ptr + i_ptr[1]", 3), ("c_ptr[1]", ord("i")), ("banner[2]", ord("!")),
    ("p_ptr->y", -20), ("(*p_ptr).x * 2", 20), ("file_static", 8),
    ("sizeof_is_not_c_here == 0 || 1", None),
    ("1 + 2 * 3 - 8 / 3 % 2", 7), ("-7 / 2", -3), ("-7 % 2", -1), ("1 << 4 | 3", 19),
    ("0x10 ^ 0b11", 19), ("!0 && (3 > 2) && 2 >= 2 && 1 != 2", 1), ("~0", -1),
    ("'A' + 1", 66), ("'\\n'", 10), ("017", 15),
])
def test_c_expressions_read_the_program_values(done, expr, expected):
    if expected is None:
        with pytest.raises(ExprError, match="sizeof_is_not_c_here"):
            value(done, expr)
        return
    assert value(done, expr) == expected


def test_floats_read_and_format(done):
    assert value(done, "f_global") == 0.75
    assert done.format(done.evaluate("f_global")) == "0.75"
    assert value(done, "f_global * 4") == 3.0


def test_values_format_as_a_c_programmer_reads_them(done):
    fmt = lambda e, h=False: done.format(done.evaluate(e), h)  # noqa: E731
    assert fmt("r_global.tag") == "82 'R'"
    assert fmt("banner") == '"hi!"'
    assert fmt("c_ptr").startswith("code:0x") and fmt("c_ptr").endswith('"hi!"')
    assert fmt("g_ptr").startswith(f"0x{done.info.global_symbol('c_global').address:04X} "
                                   "(idata)")
    assert fmt("x_point") == "{x = 7, y = 8}"
    assert fmt("x_array") == "[0, 100, 200, 300, 400]"
    assert fmt("uc_global", True) == "0xC8"
    assert fmt("i_global", True) == "0xFB34"


def test_the_debugger_lists_parts_of_arrays_structs_and_pointers(done):
    var = done.variable("r_global", done.evaluate("r_global"), "r_global")
    kids = {v.name: v for v in var.kids()}
    assert kids["p"].text == "{x = 10, y = -20}" and kids["p"].evaluate_name == "r_global.p"
    name = kids["name"]
    assert name.indexed == 4 and [k.name for k in name.kids()][:2] == ["[0]", "[1]"]
    ptr = done.variable("p_ptr", done.evaluate("p_ptr"), "p_ptr")
    (star,) = ptr.kids()
    assert star.name == "*" and star.text == "{x = 10, y = -20}"
    assert star.evaluate_name == "(*p_ptr)"


def test_assignments_store_each_type_in_its_bytes(done):
    mem, info = done.mem, done.info
    done.assign(done.evaluate("r_global.mode"), "3")
    assert value(done, "r_global.mode") == 3 and value(done, "r_global.flags") == 5
    done.assign(done.evaluate("f_global"), "2.5")
    addr = info.global_symbol("f_global").address
    assert mem.block("data", addr, 4) == struct.pack("<f", 2.5)
    done.assign(done.evaluate("l_global"), "-2")
    assert value(done, "l_global") == -2
    done.assign(done.evaluate("x_array[2]"), "x_array[2] + 0x100")
    assert value(done, "x_array[2]") == 456
    done.assign(done.evaluate("b_global"), "0")
    assert value(done, "b_global") == 0
    done.assign(done.evaluate("*i_ptr"), "'z'")
    assert value(done, "i_buf[0]") == ord("z")


@pytest.mark.parametrize("expr, message", [
    ("r_global.nope", "no member 'nope'"), ("x_array[9]", "outside"),
    ("1 +", "unexpected"), ("(1", "expected '\\)'"), ("1 / 0", "division by zero"),
    ("r_global + 1", "not a number"), ("'ab'", "one character"), ("#", "unexpected"),
    ("*uc_global", "not a pointer"),
])
def test_bad_expressions_are_one_line_errors(done, expr, message):
    with pytest.raises(ValueError_, match=message):
        value(done, expr)


def test_what_cannot_be_assigned_says_why(done):
    with pytest.raises(ValueError_, match="whole struct"):
        done.assign(done.evaluate("x_point"), "1")
    with pytest.raises(ValueError_, match="read-only"):
        done.assign(done.evaluate("banner[0]"), "1")
    with pytest.raises(Exception, match="not a variable"):
        done.assign(done.evaluate("1 + 1"), "2")


def test_registers_sfrs_and_raw_memories_are_names_too(done):
    cpu = done.board.cpu
    assert value(done, "SP") == cpu.sp and value(done, "PC") == cpu.pc
    assert value(done, "R7") == cpu.iram[(cpu.psw >> 3 & 3) * 8 + 7]
    assert value(done, "iram[0x21]") == cpu.iram[0x21]
    assert value(done, "code[0] == 0x02") == 1  # the reset vector's LJMP
    assert value(done, "xram[1] | xram[2] << 8") == 0  # x_array[0]
    done.assign(done.evaluate("P1"), "0x5A")
    assert cpu.ports.latch[1] == 0x5A  # a port write reaches the pins
