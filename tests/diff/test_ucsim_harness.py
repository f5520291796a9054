"""The s51 driver itself (sim/measure/ucsim.py) and the random stream generator."""

from __future__ import annotations

from pathlib import Path

import pytest

from sim.machine.image import load_ihx
from sim.measure.ucsim import run_ihx_detailed, run_stream, s51_path, selfjump_addresses, write_ihx
from tests.diff.randstream import LENGTHS, OPCODES, StreamGenerator

needs_s51 = pytest.mark.skipif(s51_path() is None, reason="s51 (ucsim) not on PATH")


def test_selfjump_addresses_finds_sjmp_ljmp_and_ajmp_forms() -> None:
    code = bytearray(b"\xff" * 0x900)
    code[0x10:0x12] = b"\x80\xfe"  # SJMP .
    code[0x20:0x23] = b"\x02\x00\x20"  # LJMP 0x0020
    code[0x30:0x33] = b"\x02\x00\x31"  # LJMP elsewhere: not a self-jump
    code[0x840:0x842] = bytes([0x01, 0x40])  # AJMP 0x840 (page 1: 0x0800 | 0x040)
    code[0x850:0x852] = bytes([0x21, 0x50])  # AJMP 0x950: not itself
    assert selfjump_addresses(bytes(code)) == [0x10, 0x20, 0x840]


def test_write_ihx_round_trips_through_load_ihx(tmp_path: Path) -> None:
    code = bytes(range(256)) * 3 + b"\xff" * 20 + b"\x12"
    write_ihx(code, tmp_path / "x.ihx")
    assert load_ihx(tmp_path / "x.ihx") == code


def test_stream_generator_is_reproducible_and_never_emits_a5() -> None:
    a = StreamGenerator(7).generate()
    b = StreamGenerator(7).generate()
    assert a.code == b.code and a.iram == b.iram and a.xram == b.xram
    assert a.code != StreamGenerator(8).generate().code
    for u in a.units:  # no unit starts with the undefined opcode
        assert a.code[u.addr] != 0xA5


def test_opcode_table_lengths_follow_the_manual() -> None:
    assert len(OPCODES) == 255
    assert LENGTHS[0x85] == 3 and LENGTHS[0x90] == 3 and LENGTHS[0x02] == 3
    assert LENGTHS[0xB4] == 3 and LENGTHS[0xD8] == 2 and LENGTHS[0xE1] == 2
    assert sum(1 for op in OPCODES if LENGTHS[op] == 1) == 140


@needs_s51
def test_s51_stops_before_the_self_jump_and_counts_machine_cycles(tmp_path: Path) -> None:
    # MOV A,#5 (1 cycle) ; MUL AB (4) ; SJMP . -> 5 machine cycles before the SJMP
    write_ihx(bytes([0x74, 0x05, 0xA4, 0x80, 0xFE]), tmp_path / "p.ihx")
    r = run_ihx_detailed(tmp_path / "p.ihx")
    assert (r.reason, r.pc, r.cycles, r.instructions) == ("selfjump", 3, 5, 2)


@needs_s51
def test_run_stream_reports_state_at_checkpoints() -> None:
    # MOV A,#0x12 ; MOV 0x30,A ; INC DPTR ; MOV R7,#0x99 ; MOV DPTR,#0x0040 ; MOVX @DPTR,A
    code = bytes([0x74, 0x12, 0xF5, 0x30, 0xA3, 0x7F, 0x99, 0x90, 0x00, 0x40, 0xF0, 0x80, 0xFE])
    s0, s2, s6 = run_stream(code, [0, 2, 6])
    assert (s0.pc, s0.cycles, s0.sfr_at(0x81)) == (0, 0, 0x07)
    assert (s2.pc, s2.cycles, s2.iram[0x30], s2.sfr_at(0xE0)) == (4, 2, 0x12, 0x12)
    assert (s6.pc, s6.cycles, s6.iram[7], s6.xram[0x40]) == (11, 9, 0x99, 0x12)


@needs_s51
def test_s51_that_runs_past_its_timeout_is_stopped_and_reported(tmp_path: Path) -> None:
    from sim.measure.ucsim import S51Error

    write_ihx(bytes.fromhex("00 80 FD"), tmp_path / "loop.ihx")  # NOP ; SJMP back, forever
    with pytest.raises(S51Error, match="did not finish within 0.3 s"):
        run_ihx_detailed(tmp_path / "loop.ihx", max_instructions=100_000_000, timeout=0.3)
