"""UART timing and reception, PCON idle/power down, port pins vs latches."""

from sim.bus.pins import PortBus
from sim.cpu import CPU
from tests.cpu.cpuhelp import HALT, exe, image, make, run_halt

# MOV TMOD,#20 ; MOV TH1,#FD ; MOV TL1,#FD ; MOV SCON,#40 ; SETB TR1 ; NOP ; NOP
UART_9600 = "75 89 20 75 8D FD 75 8B FD 75 98 40 D2 8E 00 00 "
SEND = "75 99 41 30 99 FD "  # MOV SBUF,#41 ; JNB TI,$


def test_9600_baud_frame_sets_ti_960_cycles_after_the_sbuf_write():
    tx = []
    cpu = make(UART_9600 + SEND + HALT)
    cpu.on_uart_tx = lambda b, c: tx.append((b, c))
    run_halt(cpu)
    # TR1 counts from 9 (T1 overflows at 12, 15, ...); SBUF is written at 12, after the
    # MOV's first cycle: 10 bits x 32 overflows x 3 cycles later TI is set at 972
    assert tx == [(0x41, 12 + 960)]
    # JNB reads TI in its second cycle: the one at 969 reads at 971 (clear), the one at 971
    # reads at 973 and falls through
    assert cpu.cycles == 973 and cpu.sfr[0x98] & 0x02


def test_smod_doubles_the_baud_rate():
    tx = []
    cpu = make("75 87 80 " + UART_9600 + SEND + HALT)  # MOV PCON,#80 first
    cpu.on_uart_tx = lambda b, c: tx.append((b, c))
    run_halt(cpu)
    assert tx == [(0x41, 14 + 480)]


def test_no_running_baud_timer_means_the_frame_never_ends():
    cpu = make("75 98 40 " + SEND + HALT)
    assert cpu.run(100_000, stop_at_selfjump=True) == "deadline"
    assert not cpu.sfr[0x98] & 0x02


def test_timer2_as_baud_generator_for_transmit():
    tx = []
    # RCAP2 = FFDC (9600 at 11.0592 MHz) ; TH2:TL2 = FFDC ; T2CON = 14 (TCLK, TR2) ; SCON=40
    prog = "75 CA DC 75 CB FF 75 CC DC 75 CD FF 75 98 40 75 C8 14 " + SEND + HALT
    cpu = make(prog)
    cpu.on_uart_tx = lambda b, c: tx.append((b, c))
    run_halt(cpu)
    # T2 runs from 11 at 6 counts/cycle: overflows every 6 cycles at 17, 23, ...; SBUF is
    # written at 13; the 160th overflow after it (10 bits x 16) is at 17 + 159 x 6 = 971
    assert tx == [(0x41, 971)]


def test_mode0_shift_register_frame_is_8_cycles():
    tx = []
    cpu = make("75 99 55 30 99 FD " + HALT)  # SCON = 0: mode 0
    cpu.on_uart_tx = lambda b, c: tx.append((b, c))
    run_halt(cpu)
    assert tx == [(0x55, 1 + 8)]


def test_uart_rx_loads_sbuf_and_sets_ri_when_enabled():
    cpu = make("75 98 50 " + HALT)  # mode 1, REN
    run_halt(cpu)
    assert cpu.uart_rx(0x5A, cpu.cycles) is True
    assert cpu.sfr[0x98] & 0x01 and cpu.read_direct(0x99) == 0x5A
    assert cpu.sfr[0x98] & 0x04  # RB8 = stop bit


def test_uart_rx_while_ri_is_set_is_an_overrun_and_the_byte_is_lost():
    cpu = make("75 98 50 " + HALT)
    run_halt(cpu)
    cpu.uart_rx(0x01, cpu.cycles)
    assert cpu.uart_rx(0x02, cpu.cycles) is False
    assert cpu.read_direct(0x99) == 0x01


def test_uart_rx_with_ren_clear_is_dropped():
    cpu = make("75 98 40 " + HALT)
    run_halt(cpu)
    assert cpu.uart_rx(0x33, cpu.cycles) is False
    assert not cpu.sfr[0x98] & 0x01


def test_mode3_with_sm2_ignores_frames_whose_9th_bit_is_0():
    cpu = make("75 98 F0 " + HALT)  # mode 3, SM2, REN
    run_halt(cpu)
    assert cpu.uart_rx(0x10, cpu.cycles, bit8=0) is False
    assert cpu.uart_rx(0x11, cpu.cycles, bit8=1) is True


def test_received_byte_raises_the_serial_interrupt():
    # ISR at 0x23: MOV R7,SBUF ; CLR RI ; RETI
    cpu = make("02 00 40", {0x23: "AF 99 C2 98 32", 0x40: "75 98 50 75 A8 90 80 FE"})
    cpu.run(50)
    cpu.uart_rx(0x77, cpu.cycles)
    cpu.run(cpu.cycles + 50)
    assert cpu.iram[7] == 0x77 and not cpu.sfr[0x98] & 0x01


def test_idle_mode_waits_for_the_timer_interrupt_with_exact_cycles():
    # TMOD=01 ; TH0=FF ; TL0=00 ; MOV IE,#82 ; SETB TR0 ; ORL PCON,#01 ; INC R7 ; SJMP $
    # ISR: INC R6 ; RETI
    main = "75 89 01 75 8C FF 75 8A 00 75 A8 82 D2 8C 43 87 01 0F " + HALT
    cpu = exe("02 00 40", {0x0B: "0E 32", 0x40: main})
    # TR0 counts from 11 -> overflow at 267; idle from 13; LCALL 267-269, INC R6, RETI (272),
    # INC R7 (273)
    assert cpu.cycles == 273
    assert cpu.iram[6] == 1 and cpu.iram[7] == 1
    assert cpu.instructions == 1 + 7 + 2
    assert not cpu.sfr[0x87] & 0x01


def test_idle_stepping_gives_the_same_result():
    main = "75 89 01 75 8C FF 75 8A 00 75 A8 82 D2 8C 43 87 01 0F " + HALT
    cpu = make("02 00 40", {0x0B: "0E 32", 0x40: main})
    while cpu.pc != 0x52:
        cpu.step()
    assert cpu.cycles == 273 and cpu.instructions == 10


def test_power_down_stops_the_cpu():
    cpu = make("43 87 02 0F " + HALT)
    assert cpu.run(1000) == "powerdown"
    assert cpu.cycles == 2 and cpu.iram[7] == 0
    assert cpu.run(2000) == "powerdown"


def test_port_read_sees_pins_but_read_modify_write_uses_the_latch():
    bus = PortBus()
    bus.drive("dev", 1, 0, 0, 0)  # a device pulls P1.0 low
    # MOV A,P1 ; ORL P1,#00 ; MOV R0,P1 ; CPL P1.1
    cpu = run_halt(CPU(image("E5 90 43 90 00 A8 90 B2 91 " + HALT), ports=bus))
    assert cpu.a == 0xFE                   # the pin
    assert bus.latch[1] == 0xFF ^ 0x02      # ORL and CPL read the latch (FF), not the pin
    assert cpu.reg(0) == 0xFE


def test_mov_port_to_itself_copies_the_pins_into_the_latch():
    bus = PortBus()
    bus.drive("dev", 1, 0, 0, 0)
    run_halt(CPU(image("85 90 90 " + HALT), ports=bus))  # MOV P1,P1
    assert bus.latch[1] == 0xFE


def test_port_writes_reach_the_bus_with_the_completion_cycle():
    bus = PortBus()
    seen = []
    bus.watch(2, 7, lambda level, cycle: seen.append((level, cycle)))
    # NOP ; CLR P2.7 (1 cycle) ; MOV P2,#FF (2 cycles) ; ANL P2,#7F (2)
    run_halt(CPU(image("00 C2 A7 75 A0 FF 53 A0 7F " + HALT), ports=bus))
    assert seen == [(0, 2), (1, 4), (0, 6)]


def test_jb_on_a_port_pin_reads_the_pin():
    bus = PortBus()
    bus.drive("key", 3, 3, 0, 0)
    cpu = run_halt(CPU(image("20 B3 02 74 01 " + HALT), ports=bus))  # JB P3.3,+2 ; MOV A,#1
    assert cpu.a == 1


def test_djnz_on_a_port_reads_the_latch():
    bus = PortBus()
    bus.drive("dev", 1, 7, 0, 0)
    cpu = run_halt(CPU(image("D5 90 00 " + HALT), ports=bus))  # DJNZ P1,+0
    assert bus.latch[1] == 0xFE and cpu.cycles == 2


def test_received_byte_interrupts_busy_code_at_the_next_instruction_boundary():
    # Main loop is busy (INC R0 ; SJMP back), not idle: the byte delivered between two
    # run() calls must still be serviced at once, not at the next timer event.
    # ISR at 0x23: MOV 40h,SBUF ; CLR RI ; RETI
    cpu = make("02 00 40", {0x23: "85 99 40 C2 98 32",
                            0x40: "75 98 50 75 A8 90 08 80 FD"})
    cpu.run(1000)
    cpu.uart_rx(0x66, cpu.cycles)
    cpu.run(cpu.cycles + 12)
    assert cpu.iram[0x40] == 0x66 and not cpu.sfr[0x98] & 0x01
    cpu.uart_rx(0x67, cpu.cycles)  # RI was cleared by the ISR: no overrun
    cpu.run(cpu.cycles + 12)
    assert cpu.iram[0x40] == 0x67


def test_without_fast_forward_idle_and_delay_loops_end_in_the_same_state():
    # idle until Timer 0 overflows, then a DJNZ R5,$ delay of 200 iterations
    main = "75 89 01 75 8C FF 75 8A 00 75 A8 82 D2 8C 43 87 01 0F 7D C8 DD FE " + HALT
    results = []
    for ff in (True, False):
        cpu = make("02 00 40", {0x0B: "0E 32", 0x40: main})
        cpu.fast_forward = ff
        run_halt(cpu)
        results.append((cpu.cycles, cpu.instructions, bytes(cpu.iram), bytes(cpu.sfr)))
    assert results[0] == results[1]
    assert results[0][0] == 273 + 1 + 2 * 200


def test_reset_at_a_cycle_keeps_the_clock_and_load_code_replaces_the_program() -> None:
    cpu = CPU(bytes([0x75, 0x90, 0x55, 0x80, 0xFE]))  # MOV P1,#55h; SJMP $
    cpu.run(100)
    edges: list[tuple[int, int]] = []
    cpu.ports.watch(1, 1, lambda level, cycle: edges.append((level, cycle)))
    cpu.load_code(bytes([0x75, 0x90, 0xAA, 0x80, 0xFE]))  # MOV P1,#0AAh; SJMP $
    cpu.reset(1000)
    assert cpu.cycles == 1000 and cpu.pc == 0
    assert edges == [(1, 1000)]  # the port latch back to 0xFF at the reset's cycle
    cpu.run(1100)
    assert cpu.ports.latch[1] == 0xAA
