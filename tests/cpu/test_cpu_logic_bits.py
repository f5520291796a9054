"""Logic, rotates, exchanges, bit operations (IRAM bit area and SFR bits), JBC/CJNE/DJNZ."""

from tests.cpu.cpuhelp import AC, CY, HALT, OV, exe


def test_anl_orl_xrl_on_accumulator_and_direct():
    # MOV A,#F0 ; ANL A,#3C ; MOV 30h,#0F ; ORL 30h,A ; XRL A,30h ; ORL 30h,#80
    cpu = exe("74 F0 54 3C 75 30 0F 42 30 65 30 43 30 80 " + HALT)
    assert cpu.iram[0x30] == 0x80 | 0x3F
    assert cpu.a == 0x30 ^ 0x3F
    assert cpu.cycles == 1 + 1 + 2 + 1 + 1 + 2


def test_rl_rr_rotate_without_carry():
    cpu = exe("D3 74 81 23 " + HALT)          # SETB C ; MOV A,#81 ; RL A
    assert cpu.a == 0x03 and cpu.psw & CY
    cpu = exe("74 81 03 " + HALT)             # RR A
    assert cpu.a == 0xC0


def test_rlc_rrc_rotate_through_carry():
    cpu = exe("C3 74 81 33 " + HALT)          # CLR C ; MOV A,#81 ; RLC A
    assert cpu.a == 0x02 and cpu.psw & CY
    cpu = exe("D3 74 02 13 " + HALT)          # SETB C ; MOV A,#02 ; RRC A
    assert cpu.a == 0x81 and not cpu.psw & CY


def test_swap_cpl_clr_accumulator():
    cpu = exe("74 A5 C4 F4 " + HALT)
    assert cpu.a == 0xA5  # swap 5A, cpl A5
    cpu = exe("74 A5 E4 " + HALT)
    assert cpu.a == 0


def test_xch_and_xchd_exchange_bytes_and_low_nibbles():
    # MOV A,#12 ; MOV R5,#34 ; XCH A,R5
    cpu = exe("74 12 7D 34 CD " + HALT)
    assert (cpu.a, cpu.reg(5)) == (0x34, 0x12)
    # MOV A,#12 ; MOV 50h,#AB ; MOV R1,#50h ; XCHD A,@R1
    cpu = exe("74 12 75 50 AB 79 50 D7 " + HALT)
    assert (cpu.a, cpu.iram[0x50]) == (0x1B, 0xA2)
    assert cpu.cycles == 1 + 2 + 1 + 1


def test_setb_clr_cpl_on_bit_area_maps_to_bytes_0x20_to_0x2F():
    # SETB 00h ; SETB 7Fh ; CPL 08h ; CLR 00h
    cpu = exe("D2 00 D2 7F B2 08 C2 00 " + HALT)
    assert cpu.iram[0x20] == 0x00
    assert cpu.iram[0x2F] == 0x80
    assert cpu.iram[0x21] == 0x01
    assert cpu.cycles == 4


def test_bit_ops_on_sfr_bits_address_the_sfr():
    # SETB B.3 (F3) ; MOV C,B.3 ; CPL ACC.0 (E0) ; MOV F0,C (D5)
    cpu = exe("D2 F3 A2 F3 B2 E0 92 D5 " + HALT)
    assert cpu.b == 0x08
    assert cpu.a == 0x01
    assert cpu.psw & 0x20  # F0
    assert cpu.cycles == 1 + 1 + 1 + 2


def test_mov_c_bit_and_anl_orl_with_complemented_bits():
    # SETB 10h ; MOV C,10h ; ANL C,/10h -> 0 ; ORL C,/11h -> 1 ; MOV 12h,C ; ANL C,11h -> 0
    cpu = exe("D2 10 A2 10 B0 10 A0 11 92 12 82 11 " + HALT)
    assert cpu.iram[0x22] == 0x01 | 0x04
    assert not cpu.psw & CY
    assert cpu.cycles == 1 + 1 + 2 + 2 + 2 + 2


def test_jbc_jumps_and_clears_a_set_bit():
    # SETB 20h ; JBC 20h,+2 ; MOV A,#1 ; (target:) SJMP $
    cpu = exe("D2 20 10 20 02 74 01 " + HALT)
    assert cpu.a == 0 and cpu.iram[0x24] == 0
    assert cpu.cycles == 1 + 2


def test_jbc_falls_through_on_a_clear_bit():
    cpu = exe("10 20 02 74 01 " + HALT)
    assert cpu.a == 1


def test_jb_jnb_test_bits():
    # SETB 00h ; JB 00h,+2 ; MOV A,#1 ; JNB 00h,+2 ; MOV R0,#1 ; SJMP $
    cpu = exe("D2 00 20 00 02 74 01 30 00 02 78 01 " + HALT)
    assert cpu.a == 0 and cpu.reg(0) == 1


def test_cjne_sets_carry_when_less_and_jumps_when_not_equal():
    # MOV A,#5 ; CJNE A,#6,+2 ; MOV R0,#1 ; SJMP $
    cpu = exe("74 05 B4 06 02 78 01 " + HALT)
    assert cpu.reg(0) == 0 and cpu.psw & CY
    assert cpu.cycles == 1 + 2


def test_cjne_equal_falls_through_and_clears_carry():
    cpu = exe("D3 74 06 B4 06 02 78 01 " + HALT)
    assert cpu.reg(0) == 1 and not cpu.psw & CY


def test_cjne_register_and_indirect_forms():
    # MOV R7,#9 ; CJNE R7,#3,+0 (C=0) ; MOV R0,#40h ; MOV @R0,#1 ; CJNE @R0,#2,+0 (C=1)
    cpu = exe("7F 09 BF 03 00 78 40 76 01 B6 02 00 " + HALT)
    assert cpu.psw & CY
    # MOV 30h,#10 ; MOV A,#10 ; CJNE A,30h,+0 -> equal, C=0
    cpu = exe("75 30 0A 74 0A B5 30 00 " + HALT)
    assert not cpu.psw & CY


def test_djnz_register_loop_counts_down_with_2_cycles_each():
    # MOV R2,#3 ; loop: INC A ; DJNZ R2,loop
    cpu = exe("7A 03 04 DA FD " + HALT)
    assert cpu.a == 3 and cpu.reg(2) == 0
    assert cpu.cycles == 1 + 3 * (1 + 2)


def test_djnz_direct_wraps_from_zero():
    # MOV 30h,#0 ; loop: DJNZ 30h,loop  (256 iterations)
    cpu = exe("75 30 00 D5 30 FD " + HALT)
    assert cpu.iram[0x30] == 0
    assert cpu.cycles == 2 + 256 * 2
    assert cpu.instructions == 1 + 256


def test_flags_after_cjne_do_not_touch_ac_ov():
    cpu = exe("74 7F 24 01 B4 00 00 " + HALT)  # sets AC, OV, then CJNE
    assert cpu.psw & (AC | OV) == AC | OV
