"""Timers 0/1 in modes 0-3, GATE, counter inputs through the PortBus, and Timer 2."""

from sim.bus.pins import PortBus
from sim.cpu import CPU
from tests.cpu.cpuhelp import HALT, exe, image, make

TF0, TF1 = 0x20, 0x80


def test_mode1_overflow_sets_tf0_exactly_16_counts_after_tr0():
    # MOV TMOD,#01 ; MOV TH0,#FF ; MOV TL0,#F0 ; SETB TR0 ; loop: JNB TF0,loop ; SJMP $
    cpu = exe("75 89 01 75 8C FF 75 8A F0 D2 8C 30 8D FD " + HALT)
    # SETB TR0 (cycle 6) starts counting at 7: overflow at 23. JNB reads its bit in its 2nd
    # cycle: the JNB at 21 reads at 23 and sees TF0 (s51 reports the same 23 cycles)
    assert cpu.cycles == 23
    assert cpu.read_direct(0x8A) == 0 and cpu.read_direct(0x8C) == 0
    assert cpu.read_direct(0x88) & TF0


def test_timer_register_accesses_happen_after_the_first_machine_cycle():
    # values checked against s51: SETB TR0 counts from its end, a MOV reads after 1 cycle
    # MOV TMOD,#01 ; SETB TR0 ; MOV A,TL0 ; MOV R0,TL0 ; MOV TL0,#10 ; MOV R1,TL0
    cpu = exe("75 89 01 D2 8C E5 8A A8 8A 75 8A 10 A9 8A " + HALT)
    assert cpu.a == 1 and cpu.reg(0) == 2 and cpu.reg(1) == 0x12


def test_mode0_is_13_bit_with_5_bit_prescaler_in_tl():
    # TMOD=00 ; TH0=FF ; TL0=1E -> 8190 ; SETB TR0 ; NOP ; NOP ; NOP
    cpu = exe("75 89 00 75 8C FF 75 8A 1E D2 8C 00 00 00 " + HALT)
    # 3 counts (the NOPs): 8190 -> 8191 -> 0 (TF0) -> 1
    assert cpu.read_direct(0x8C) == 0 and cpu.read_direct(0x8A) & 0x1F == 1
    assert cpu.read_direct(0x88) & TF0


def test_mode2_reloads_tl_from_th_on_each_overflow():
    # TMOD=02 ; TH0=F0 ; TL0=FE ; SETB TR0 ; 20 x NOP
    cpu = exe("75 89 02 75 8C F0 75 8A FE D2 8C " + "00 " * 20 + HALT)
    # 20 counts: FE, FF, overflow -> F0 + 18 = 0x102 -> overflow again -> F0 + 2
    assert cpu.read_direct(0x8A) == 0xF2
    assert cpu.read_direct(0x8C) == 0xF0


def test_mode3_splits_timer0_and_th0_uses_tr1_and_tf1():
    # TMOD=03 ; TL0=FE ; TH0=FC ; SETB TR1 (TH0 runs) ; NOP x5
    cpu = exe("75 89 03 75 8A FE 75 8C FC D2 8E " + "00 " * 5 + HALT)
    assert cpu.read_direct(0x8A) == 0xFE        # TL0 stopped (TR0=0)
    assert cpu.read_direct(0x8C) == 0x01        # FC + 5 (the NOPs)
    assert cpu.read_direct(0x88) & (TF0 | TF1) == TF1


def test_timer1_mode2_overflow_sets_tf1():
    cpu = exe("75 89 20 75 8D 00 75 8B FF D2 8E 00 " + HALT)
    assert cpu.read_direct(0x88) & TF1        # one count (the NOP): FF -> reload 00
    assert cpu.read_direct(0x8B) == 0


def test_gate_lets_timer0_count_only_while_int0_is_high():
    bus = PortBus()
    bus.drive("test", 3, 2, 0, 0)  # INT0 low
    # TMOD=09 (GATE, mode 1) ; SETB TR0 ; 10 x NOP ; SJMP $
    cpu = CPU(image("75 89 09 D2 8C " + "00 " * 10 + HALT), ports=bus)
    cpu.run(10)
    assert cpu.read_direct(0x8A) == 0
    bus.drive("test", 3, 2, None, cpu.cycles)  # released: pin high, counting starts now
    start = cpu.cycles
    cpu.run(100, stop_at_selfjump=True)
    assert cpu.read_direct(0x8A) == cpu.cycles - start


def test_counter_mode_counts_falling_edges_on_t0_pin():
    bus = PortBus()
    # TMOD=05 (C/T, mode 1) ; SETB TR0 ; SJMP $
    cpu = CPU(image("75 89 05 D2 8C " + HALT), ports=bus)
    cpu.run(100, stop_at_selfjump=True)
    for i in range(5):
        bus.drive("gen", 3, 4, 0, cpu.cycles + 2 * i)
        bus.drive("gen", 3, 4, None, cpu.cycles + 2 * i + 1)
    assert cpu.read_direct(0x8A) == 5


def test_counter_mode_overflow_sets_tf1_from_t1_pin():
    bus = PortBus()
    # TMOD=60 (T1 C/T mode 2) ; TH1=FF ; TL1=FF ; SETB TR1 ; SJMP $
    cpu = CPU(image("75 89 60 75 8D FF 75 8B FF D2 8E " + HALT), ports=bus)
    cpu.run(100, stop_at_selfjump=True)
    bus.drive("gen", 3, 5, 0, cpu.cycles)
    assert cpu.read_direct(0x88) & TF1
    assert cpu.read_direct(0x8B) == 0xFF


def test_timer2_auto_reload_sets_tf2_and_reloads_from_rcap2():
    # RCAP2L=F0 ; RCAP2H=FF ; TL2=FE ; TH2=FF ; MOV T2CON,#04 ; 5 x NOP
    cpu = exe("75 CA F0 75 CB FF 75 CC FE 75 CD FF 75 C8 04 " + "00 " * 5 + HALT)
    # T2CON written after the MOV's first cycle: 6 counts: FFFF, overflow->FFF0, 4 more
    assert cpu.read_direct(0xC8) & 0x80
    assert (cpu.read_direct(0xCD), cpu.read_direct(0xCC)) == (0xFF, 0xF4)


def test_timer2_capture_on_t2ex_falling_edge_sets_exf2():
    bus = PortBus()
    # T2CON = 0D (EXEN2, TR2, CP/RL2) ; SJMP $
    cpu = CPU(image("75 C8 0D " + HALT), ports=bus)
    cpu.run(50, stop_at_selfjump=True)
    t = cpu.cycles
    bus.drive("gen", 1, 1, 0, t)
    assert cpu.read_direct(0xC8) & 0x40
    assert cpu.sfr[0xCA] == t - 1 and cpu.sfr[0xCB] == 0  # counting since cycle 1


def test_timer2_reload_mode_t2ex_edge_reloads():
    bus = PortBus()
    # RCAP2L=34 ; RCAP2H=12 ; T2CON = 0C (EXEN2, TR2) ; SJMP $
    cpu = CPU(image("75 CA 34 75 CB 12 75 C8 0C " + HALT), ports=bus)
    cpu.run(50, stop_at_selfjump=True)
    bus.drive("gen", 1, 1, 0, cpu.cycles)
    assert cpu.sfr[0xCC] == 0x34 and cpu.sfr[0xCD] == 0x12
    assert cpu.sfr[0xC8] & 0x40 and not cpu.sfr[0xC8] & 0x80


def test_timer2_baud_mode_counts_6_per_cycle_without_tf2():
    # RCAP2=FF00 ; TH2:TL2 = FF00 ; T2CON=34 (RCLK, TCLK, TR2) ; 10 x NOP
    cpu = exe("75 CA 00 75 CB FF 75 CC 00 75 CD FF 75 C8 34 " + "00 " * 10 + HALT)
    # 11 cycles since TR2 (set after the MOV's first cycle): 66 counts
    assert cpu.read_direct(0xCC) == 66
    assert not cpu.read_direct(0xC8) & 0x80


def test_stopping_a_timer_freezes_its_count():
    cpu = make("75 89 01 D2 8C 00 00 C2 8C 00 00 00 " + HALT)
    cpu.run(1000, stop_at_selfjump=True)
    assert cpu.read_direct(0x8A) == 3  # NOP, NOP and CLR TR0's own cycle (as in s51)
