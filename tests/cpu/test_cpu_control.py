"""Jumps, calls, returns, MOVC/MOVX, stack anywhere in IRAM, register banks."""

import pytest

from sim.cpu import CPU
from tests.cpu.cpuhelp import HALT, exe, image, run_halt


def test_ljmp_lcall_ret_take_2_cycles_each():
    # LCALL 0100h ; SJMP $ / 0100: MOV A,#7 ; RET
    cpu = exe("12 01 00 " + HALT, {0x100: "74 07 22"})
    assert cpu.a == 7 and cpu.pc == 3
    assert cpu.cycles == 2 + 1 + 2
    assert cpu.sp == 7 and cpu.sp_max == 9
    assert cpu.iram[8:10] == bytes([0x03, 0x00])  # return address, low byte first


def test_acall_targets_the_2k_page_of_the_next_instruction():
    # at 07FE: ACALL 0123 -> the next PC is 0800, so the target is 0923
    img = bytearray(image("02 07 FE", {0x07FE: "31 23", 0x0800: HALT, 0x0923: "74 55 22"}))
    cpu = run_halt(CPU(bytes(img)))
    assert cpu.a == 0x55 and cpu.pc == 0x0800
    assert cpu.iram[8:10] == bytes([0x00, 0x08])


def test_ajmp_uses_opcode_bits_for_address_10_to_8():
    # AJMP 0x0523 from page 0: opcode (5 << 5) | 1 = A1
    cpu = exe("A1 23", {0x523: "74 09 " + HALT})
    assert cpu.a == 9 and cpu.cycles == 3


def test_sjmp_backward_and_forward_offsets():
    cpu = exe("80 02 00 00 74 01 " + HALT)
    assert cpu.a == 1 and cpu.cycles == 3


def test_jz_jnz_jc_jnc_branch_on_accumulator_and_carry():
    # JZ +2 (A=0 taken) ; (skipped MOV R0,#1) ; MOV A,#1 ; JNZ +2 ; MOV R1,#1 ; C=0: JNC +2 ;
    # MOV R2,#1 ; JC +2 ; MOV R3,#1
    cpu = exe("60 02 78 01 74 01 70 02 79 01 50 02 7A 01 40 02 7B 01 " + HALT)
    assert [cpu.reg(i) for i in range(4)] == [0, 0, 0, 1]
    assert cpu.cycles == 2 + 1 + 2 + 2 + 2 + 1


def test_jmp_indirect_adds_a_to_dptr():
    # MOV DPTR,#0100 ; MOV A,#4 ; JMP @A+DPTR
    cpu = exe("90 01 00 74 04 73", {0x104: "7F 11 " + HALT})
    assert cpu.reg(7) == 0x11 and cpu.cycles == 2 + 1 + 2 + 1


def test_movc_reads_code_relative_to_dptr_and_pc():
    # MOV DPTR,#0200 ; MOV A,#1 ; MOVC A,@A+DPTR ; MOV R0,A ; MOV A,#2 ; MOVC A,@A+PC ;
    # SJMP $ ; DB ...
    cpu = exe("90 02 00 74 01 93 F8 74 02 83 " + HALT + " 5A", {0x200: "10 20"})
    assert cpu.reg(0) == 0x20
    assert cpu.a == 0x5A
    assert cpu.cycles == 2 + 1 + 2 + 1 + 1 + 2


def test_movx_dptr_writes_and_reads_xram_in_2_cycles():
    # MOV DPTR,#0010 ; MOV A,#77 ; MOVX @DPTR,A ; CLR A ; MOVX A,@DPTR
    cpu = exe("90 00 10 74 77 F0 E4 E0 " + HALT)
    assert cpu.xram[0x10] == 0x77 and cpu.a == 0x77
    assert cpu.cycles == 2 + 1 + 2 + 1 + 2


def test_movx_outside_the_256_byte_xram_reads_ff_and_ignores_writes():
    cpu = exe("90 01 10 74 77 F0 E4 E0 " + HALT)
    assert cpu.a == 0xFF
    assert cpu.xram == bytearray(256)


def test_movx_ri_addresses_the_internal_page():
    # MOV R0,#20 ; MOV A,#33 ; MOVX @R0,A ; CLR A ; MOVX A,@R0
    cpu = exe("78 20 74 33 F2 E4 E2 " + HALT)
    assert cpu.xram[0x20] == 0x33 and cpu.a == 0x33


def test_movx_ri_with_large_xram_takes_the_page_from_p2():
    # MOV P2,#12 ; MOV R1,#34 ; MOV A,#5A ; MOVX @R1,A
    cpu = exe("75 A0 12 79 34 74 5A F3 " + HALT, xram_size=0x10000)
    assert cpu.xram[0x1234] == 0x5A


def test_stack_in_upper_iram_is_only_reachable_indirectly():
    # MOV SP,#C0 ; MOV A,#99 ; PUSH ACC ; MOV R0,#C1 ; MOV A,@R0 -> 99 ; MOV 90h,#00 is P1
    cpu = exe("75 81 C0 74 99 C0 E0 78 C1 E6 " + HALT)
    assert cpu.iram[0xC1] == 0x99 and cpu.a == 0x99
    assert cpu.sp == 0xC1 and cpu.sp_max == 0xC1
    assert cpu.cycles == 2 + 1 + 2 + 1 + 1


def test_indirect_0x90_is_iram_while_direct_0x90_is_port_1():
    # MOV R0,#90 ; MOV @R0,#12 ; MOV 90h,#34
    cpu = exe("78 90 76 12 75 90 34 " + HALT)
    assert cpu.iram[0x90] == 0x12
    assert cpu.ports.latch[1] == 0x34


def test_push_pop_round_trip_and_sp_max():
    # MOV 30h,#AA ; PUSH 30h ; PUSH 30h ; POP 31h ; POP B
    cpu = exe("75 30 AA C0 30 C0 30 D0 31 D0 F0 " + HALT)
    assert cpu.iram[0x31] == 0xAA and cpu.b == 0xAA
    assert cpu.sp == 7 and cpu.sp_max == 9
    assert cpu.cycles == 2 + 4 * 2


@pytest.mark.parametrize("bank", [0, 1, 2, 3])
def test_register_banks_follow_rs1_rs0(bank):
    # MOV PSW,#bank<<3 ; MOV R3,#5A ; MOV A,R3
    cpu = exe(f"75 D0 {bank << 3:02X} 7B 5A EB " + HALT)
    assert cpu.iram[bank * 8 + 3] == 0x5A and cpu.a == 0x5A


def test_bank_switch_by_setb_rs0_inside_a_straight_line():
    # MOV R0,#1 ; SETB RS0 ; MOV R0,#2 ; CLR RS0 ; MOV A,R0
    cpu = exe("78 01 D2 D3 78 02 C2 D3 E8 " + HALT)
    assert cpu.iram[0] == 1 and cpu.iram[8] == 2 and cpu.a == 1


def test_register_direct_alias_ar7():
    # MOV R7,#3 ; PUSH 07 (ar7) ; POP 30h
    cpu = exe("7F 03 C0 07 D0 30 " + HALT)
    assert cpu.iram[0x30] == 3


def test_mov_direct_direct_encodes_source_first():
    cpu = exe("75 30 42 85 30 31 " + HALT)  # MOV 31h,30h
    assert cpu.iram[0x31] == 0x42 and cpu.cycles == 4


def test_psw_write_keeps_parity_computed_from_acc():
    cpu = exe("74 01 75 D0 00 " + HALT)
    assert cpu.psw == 0x01
    assert cpu.read_direct(0xD0) == 0x01
