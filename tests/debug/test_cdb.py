"""The SDCC debug information reader (sim.debug.cdb) on .cdb files SDCC writes for small
programs, checked against what the linker and the assembler say independently (the .map
file's symbols, the .rst listing's addresses), and on SDCC 2.x's scope spelling."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from sim.debug import cdb
from tests.debug.conftest import marker_line


def _map_symbols(ihx: Path) -> dict[str, int]:
    out = {}
    for line in ihx.with_suffix(".map").read_text().splitlines():
        m = re.match(r"^(?:[A-Z]:)?\s+([0-9A-F]{8})\s+(\S+)", line)
        if m:
            out.setdefault(m.group(2), int(m.group(1), 16))
    return out


def _rst_line_starts(ihx: Path) -> set[tuple[int, int]]:
    """(C line, address of the first instruction after each ';\tfile.c:N:' comment) in
    the assembler's relocated listing."""
    out: set[tuple[int, int]] = set()
    pending: list[int] = []  # comments with no instruction after them yet
    for line in ihx.with_suffix(".rst").read_text().splitlines():
        m = re.search(r";\s+\S+\.c:(\d+):", line)
        if m:
            pending.append(int(m.group(1)))
            continue
        code = re.match(r"^\s+([0-9A-F]{6})\s+(?:[0-9A-F]{2}\s)+", line)
        if code:
            out.update((n, int(code.group(1), 16)) for n in pending)
            pending = []
    return out


@pytest.fixture(scope="module")
def types(debug_programs: dict[str, Path]) -> cdb.DebugInfo:
    return cdb.load(debug_programs["types"].with_suffix(".cdb"))


@pytest.fixture(scope="module")
def frames(debug_programs: dict[str, Path]) -> cdb.DebugInfo:
    return cdb.load(debug_programs["frames"].with_suffix(".cdb"))


@pytest.mark.parametrize("name, spelled, space", [
    ("c_global", "signed char", "E"), ("uc_global", "unsigned char", "E"),
    ("i_global", "int", "E"), ("ui_global", "unsigned int", "E"),
    ("l_global", "long", "E"), ("ul_global", "unsigned long", "E"),
    ("f_global", "float", "E"), ("b_global", "__bit", "H"),
    ("x_array", "int [5]", "F"), ("i_buf", "unsigned char [3]", "G"),
    ("banner", "unsigned char [4]", "D"), ("r_global", "struct rec", "E"),
    ("x_point", "struct point", "F"), ("g_ptr", "unsigned char *", "E"),
    ("x_ptr", "unsigned char __xdata *", "E"), ("i_ptr", "unsigned char __idata *", "E"),
    ("c_ptr", "unsigned char __code *", "E"), ("p_ptr", "struct point *", "E"),
    ("file_static", "unsigned char", "E"),
])
def test_globals_have_their_c_type_and_address_space(types, name, spelled, space):
    sym = types.global_symbol(name)
    assert sym is not None
    assert sym.type.name() == spelled
    assert sym.space == space


def test_global_addresses_are_the_linkers(types, debug_programs):
    linked = _map_symbols(debug_programs["types"])
    for name in ("c_global", "i_global", "l_global", "f_global", "r_global", "g_ptr",
                 "x_array", "x_point", "i_buf", "banner"):
        assert types.global_symbol(name).address == linked["_" + name], name


def test_a_bit_variable_gets_its_bit_address_from_the_listing(types):
    # the linker writes no record for bit-space symbols; the .rst listing has it
    assert types.global_symbol("b_global").address == 0


def test_struct_members_have_offsets_types_and_bit_fields(types):
    st = types.struct(types.global_symbol("r_global").type)
    got = {m.name: (m.offset, m.type.name()) for m in st.members}
    assert got == {"tag": (0, "unsigned char"), "p": (1, "struct point"),
                   "name": (5, "unsigned char [4]"), "flags": (9, "unsigned int :3"),
                   "mode": (9, "unsigned int :5"), "big": (10, "long"),
                   "xp": (14, "unsigned char __xdata *")}
    mode = next(m for m in st.members if m.name == "mode")
    assert (mode.type.bit_start, mode.type.bit_len) == (3, 5)
    assert types.type_size(types.global_symbol("r_global").type) == 16


def test_functions_span_their_first_to_their_last_instruction(types, debug_programs):
    linked = _map_symbols(debug_programs["types"])
    for name in ("sum", "scale", "half", "main"):
        f = types.function(name)
        assert f.start == linked["_" + name]
        assert f.end == linked[f"XG${name}$0$0"]
        assert types.function_at(f.start) is f and types.function_at(f.end) is f


def test_interrupt_handlers_are_marked_with_their_number(frames):
    isr = frames.function("timer0_isr")
    assert isr.isr and isr.interrupt == 1
    assert not frames.function("leaf").isr


def test_c_lines_map_to_the_addresses_the_assembler_listed(types, debug_programs):
    listed = _rst_line_starts(debug_programs["types"])
    ends = {f.end for f in types.functions}
    # (SDCC records a function's closing line again at its RET, after no comment)
    records = {(r.line, r.address) for r in types.c_lines if r.address not in ends}
    assert records <= listed
    assert len(records) > 30


def test_an_address_inside_a_line_belongs_to_that_line(types):
    f = types.function("main")
    first, second = f.lines[0], next(r for r in f.lines if r.address > f.lines[0].address)
    assert types.line_at(second.address - 1).line == types.line_at(first.address).line
    assert types.line_at(f.start - 1) is None or types.line_at(f.start - 1).line != \
        types.line_at(f.start).line


def test_a_line_that_made_no_code_takes_no_breakpoint(types, debug_programs):
    src = debug_programs["types"].with_suffix(".c")
    done = marker_line(src, "DONE")
    lines = types.lines_with_code("types.c")
    assert done in lines
    assert 1 not in lines and done + 1 not in lines  # a comment, a closing brace of nothing


def test_locals_in_registers_on_the_stack_and_from_the_asm(types, debug_programs):
    by = {s.name: s for s in types.function("sum").locals}
    assert by["a"].regs == ("r6", "r7") and by["a"].type.name() == "int"
    assert (by["b"].space, by["b"].on_stack, by["b"].offset) == ("B", True, -4)
    assert (by["pad"].type.name(), by["pad"].offset) == ("unsigned char [3]", 1)
    assert by["t"].regs == ()  # in no register: optimized out
    # SDCC 4.2 wrote no symbol record for scale's locals: the .asm allocation says where
    scale = {s.name: s for s in types.function("scale").locals}
    assert not scale["v"].typed and scale["v"].type.size == 4
    assert scale["v"].address is not None and scale["v"].space == "E"
    assert scale["acc"].regs == ("r0", "r1", "r2", "r3")
    # the frame pointer of reentrant functions, a library symbol: from the link map
    assert types.data_symbols["_bp"] == _map_symbols(debug_programs["types"])["_bp"]


def test_locals_of_an_inner_block_are_visible_only_inside_it(frames, debug_programs):
    src = debug_programs["frames"].with_suffix(".c")
    main = frames.function("main")
    inner = frames.addresses("frames.c", marker_line(src, "MAIN_BLOCK"))[0]
    outer = frames.addresses("frames.c", marker_line(src, "MAIN_OP"))[0]
    assert "k2" in {s.name for s in frames.visible_locals(main, inner)}
    assert "k2" not in {s.name for s in frames.visible_locals(main, outer)}
    assert {"f", "k"} <= {s.name for s in frames.visible_locals(main, outer)}


def test_the_source_path_is_the_one_sdcc_compiled(types, debug_programs):
    assert types.source_path("types.c") == debug_programs["types"].with_suffix(".c").resolve()


def test_the_clock_firmware_debug_info_covers_every_module(debug_firmware):
    info = cdb.load(debug_firmware.with_suffix(".cdb"))
    src = Path(__file__).resolve().parents[2] / "firmware" / "src"
    assert set(info.files()) == {p.name for p in src.glob("*.c")}
    for name in ("clock_poll", "uart_isr", "main", "lcd_init"):
        f = info.function(name)
        assert f is not None and f.lines, name
        assert info.source_path(f.lines[0].file) == src / f.lines[0].file
    assert info.function("uart_isr").isr and info.function("uart_isr").interrupt == 4
    local = {x.name: x for x in info.function("clock_poll").locals}
    # the seconds register's value: a static local in direct RAM; the tick count: a register
    assert local["s"].type.name() == "unsigned char" and local["s"].regs is None
    assert local["s"].space == "E" and local["s"].address is not None
    assert local["now"].type.name() == "unsigned char" and local["now"].regs == ("r7",)
    assert info.global_symbol("settings").type.kind == "struct"


# -- SDCC 2.x's spelling ---------------------------------------------------------------------
OLD_STYLE = """\
M:demo
F:G$main$0$0({2}DF,SV:S),C,0,0,0,0,0
F:Fdemo$helper$0$0({2}DF,SC:U),C,0,0,0,0,0
S:G$counter$0$0({2}SI:U),E,0,0
S:Fdemo$secret$0$0({1}SC:U),E,0,0
S:Lhelper$x$1$1({1}SC:U),R,0,0,[r7]
S:Lmain$buf$1$1({4}DA4,SC:U),E,0,0
S:Lmain$j$2$2({1}SC:S),E,0,0
T:Fdemo$pair[({0}S:S$lo$0$0({1}SC:U),Z,0,0)({1}S:S$hi$0$0({1}SC:U),Z,0,0)]
L:G$counter$0$0:30
L:Fdemo$secret$0$0:32
L:Lmain$buf$1$1:33
L:Lmain$j$2$2:37
L:G$main$0$0:100
L:XG$main$0$0:11F
L:Fdemo$helper$0$0:120
L:XFdemo$helper$0$0:12A
L:C$demo.c$10$1$1:100
L:C$demo.c$11$2$2:108
L:C$demo.c$12$1$1:110
L:C$demo.c$20$1$1:120
"""


def test_sdcc2_scope_spelling_reads_like_sdcc4():
    info = cdb.parse(OLD_STYLE)
    main = info.function("main")
    assert (main.start, main.end) == (0x100, 0x11F)
    helper = info.function("helper", "demo")
    assert helper.static and (helper.start, helper.end) == (0x120, 0x12A)
    assert {s.name for s in helper.locals} == {"x"}
    by = {s.name: s for s in main.locals}
    assert by["buf"].address == 0x33 and by["buf"].type.name() == "unsigned char [4]"
    assert by["j"].level == (2, 0) and by["j"].address == 0x37
    assert info.global_symbol("secret", "demo").address == 0x32
    assert info.line_at(0x109).line == 11 and info.line_at(0x122).line == 20
    assert [s.name for s in info.visible_locals(main, 0x110)] == ["buf"]
    assert {s.name for s in info.visible_locals(main, 0x108)} == {"buf", "j"}


def test_a_damaged_record_is_one_error_naming_its_line():
    with pytest.raises(cdb.CdbError, match=r"line 3: "):
        cdb.parse("M:demo\nS:G$ok$0$0({1}SC:U),E,0,0\nS:G$bad$0$0({1}SC:U\n")


def test_an_unknown_type_is_one_error():
    with pytest.raises(cdb.CdbError, match="unknown type"):
        cdb.parse("M:demo\nS:G$odd$0$0({1}ZZ:U),E,0,0\n")


def test_a_missing_file_is_one_error(tmp_path):
    with pytest.raises(cdb.CdbError, match="nothere.cdb"):
        cdb.load(tmp_path / "nothere.cdb")
