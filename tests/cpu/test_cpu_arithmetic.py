"""ADD/ADDC/SUBB/DA/MUL/DIV/INC/DEC: results, every flag, and cycles."""

from tests.cpu.cpuhelp import AC, CY, HALT, OV, P, exe


def flags(cpu):
    return cpu.psw & (CY | AC | OV | P)


def test_add_sets_carry_and_aux_carry_on_0x8F_plus_0x81():
    cpu = exe("74 8F 24 81 " + HALT)          # MOV A,#8F ; ADD A,#81
    assert cpu.a == 0x10
    assert flags(cpu) == CY | AC | OV | P     # two negatives gave a positive: OV; P(0x10)=1
    assert cpu.psw & P == P
    assert cpu.cycles == 2


def test_add_without_carries_clears_flags_and_sets_parity():
    cpu = exe("D3 74 12 24 34 " + HALT)       # SETB C first: ADD ignores and clears CY
    assert cpu.a == 0x46
    assert flags(cpu) == P                    # 0x46 has 3 ones
    assert cpu.cycles == 3


def test_add_0x7F_plus_1_overflows_into_sign_with_aux_carry():
    cpu = exe("74 7F 24 01 " + HALT)
    assert cpu.a == 0x80
    assert flags(cpu) == AC | OV | P


def test_add_register_direct_and_indirect_operands():
    # MOV R3,#5 ; MOV 30h,#7 ; MOV R0,#30h ; MOV A,#1 ; ADD A,R3 ; ADD A,30h ; ADD A,@R0
    cpu = exe("7B 05 75 30 07 78 30 74 01 2B 25 30 26 " + HALT)
    assert cpu.a == 1 + 5 + 7 + 7
    assert cpu.cycles == 1 + 2 + 1 + 1 + 1 + 1 + 1


def test_addc_adds_the_carry_and_wraps_to_zero():
    cpu = exe("D3 74 FF 34 00 " + HALT)       # SETB C ; MOV A,#FF ; ADDC A,#0
    assert cpu.a == 0x00
    assert flags(cpu) == CY | AC


def test_addc_without_carry_is_add():
    cpu = exe("C3 74 40 34 40 " + HALT)
    assert cpu.a == 0x80
    assert flags(cpu) == OV | P


def test_subb_borrow_from_low_nibble_sets_aux_carry_only():
    cpu = exe("C3 74 10 94 01 " + HALT)       # CLR C ; MOV A,#10 ; SUBB A,#1
    assert cpu.a == 0x0F
    assert flags(cpu) == AC


def test_subb_with_borrow_in_underflows_and_sets_carry():
    cpu = exe("D3 74 00 94 01 " + HALT)       # 0 - 1 - 1
    assert cpu.a == 0xFE
    assert flags(cpu) == CY | AC | P


def test_subb_0x80_minus_1_sets_overflow():
    cpu = exe("C3 74 80 94 01 " + HALT)
    assert cpu.a == 0x7F
    assert flags(cpu) == OV | AC | P


def test_subb_positive_minus_negative_overflows():
    cpu = exe("C3 74 7F 94 FF " + HALT)       # 127 - (-1) = 128 -> overflow, borrow
    assert cpu.a == 0x80
    assert flags(cpu) & (CY | OV) == CY | OV


def test_da_adjusts_bcd_sum_56_plus_67_to_23_with_carry():
    cpu = exe("74 56 24 67 D4 " + HALT)
    assert cpu.a == 0x23
    assert cpu.psw & CY
    assert cpu.cycles == 3


def test_da_uses_aux_carry_09_plus_09_is_18():
    cpu = exe("74 09 24 09 D4 " + HALT)
    assert cpu.a == 0x18
    assert not cpu.psw & CY


def test_da_never_clears_a_carry_that_was_set():
    cpu = exe("74 99 24 99 D4 " + HALT)       # 99 + 99 = 198 -> A=98, CY=1
    assert cpu.a == 0x98
    assert cpu.psw & CY


def test_mul_ab_overflow_into_b_sets_ov_clears_cy_in_4_cycles():
    cpu = exe("D3 74 50 75 F0 A0 A4 " + HALT)  # 0x50 * 0xA0 = 0x3200
    assert (cpu.a, cpu.b) == (0x00, 0x32)
    assert flags(cpu) & (CY | OV) == OV
    assert cpu.cycles == 1 + 1 + 2 + 4


def test_mul_ab_small_product_clears_ov():
    cpu = exe("74 10 75 F0 0F A4 " + HALT)
    assert (cpu.a, cpu.b) == (0xF0, 0x00)
    assert flags(cpu) & (CY | OV) == 0


def test_div_ab_gives_quotient_and_remainder_in_4_cycles():
    cpu = exe("D3 74 FB 75 F0 12 84 " + HALT)  # 251 / 18
    assert (cpu.a, cpu.b) == (13, 17)
    assert flags(cpu) & (CY | OV) == 0
    assert cpu.cycles == 1 + 1 + 2 + 4


def test_div_by_zero_sets_ov_and_clears_carry():
    cpu = exe("D3 74 0A 75 F0 00 84 " + HALT)
    assert cpu.psw & OV
    assert not cpu.psw & CY


def test_inc_dec_wrap_and_leave_flags_alone():
    # MOV A,#FF ; INC A ; MOV R2,#0 ; DEC R2 ; MOV 40h,#7F ; INC 40h ; MOV R1,#40h ; INC @R1
    cpu = exe("74 FF 04 7A 00 1A 75 40 7F 05 40 79 40 07 " + HALT)
    assert cpu.a == 0
    assert cpu.reg(2) == 0xFF
    assert cpu.iram[0x40] == 0x81
    assert flags(cpu) == 0
    assert cpu.cycles == 1 + 1 + 1 + 1 + 2 + 1 + 1 + 1


def test_inc_dptr_carries_into_dph_in_2_cycles():
    cpu = exe("90 12 FF A3 " + HALT)
    assert cpu.dptr == 0x1300
    assert cpu.cycles == 4


def test_parity_flag_follows_acc_at_all_times():
    cpu = exe("74 01 " + HALT)
    assert cpu.psw & P
    cpu = exe("74 03 " + HALT)
    assert not cpu.psw & P
