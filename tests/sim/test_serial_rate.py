"""The rate the 8051's receiver runs at, read from its SFRs (sim.machine.serialrate), and the
UART bridge pacing host bytes at it: any program's baud rate works without a setting."""

from __future__ import annotations

import pytest

from sim.cpu import CPU
from sim.cpu.sfr import PCON, RCAP2H, RCAP2L, SCON, T2CON, TH1, TMOD
from sim.machine.board import Board
from sim.machine.serialrate import receive_line

XTAL = 11_059_200


def cpu_with(**sfrs: int) -> CPU:
    cpu = CPU(bytes(4))
    names = {"SCON": SCON, "TMOD": TMOD, "TH1": TH1, "PCON": PCON, "T2CON": T2CON,
             "RCAP2H": RCAP2H, "RCAP2L": RCAP2L}
    for name, value in sfrs.items():
        cpu.write_direct(names[name], value)
    return cpu


@pytest.mark.parametrize(("sfrs", "line"), [
    ({"SCON": 0x50, "TMOD": 0x20, "TH1": 0xFD}, (9600.0, 10)),
    ({"SCON": 0x50, "TMOD": 0x20, "TH1": 0xFD, "PCON": 0x80}, (19200.0, 10)),
    ({"SCON": 0xD0, "TMOD": 0x20, "TH1": 0xFA}, (4800.0, 11)),       # mode 3: 9 data bits
    ({"SCON": 0x50, "T2CON": 0x30, "RCAP2H": 0xFF, "RCAP2L": 0xDC}, (9600.0, 10)),  # Timer 2
    ({"SCON": 0x10}, (XTAL / 12, 8)),                                  # mode 0
    ({"SCON": 0x90, "PCON": 0x80}, (XTAL / 32, 11)),                   # mode 2, SMOD
])
def test_the_receivers_rate_from_the_serial_mode_and_its_baud_generator(
        sfrs: dict[str, int], line: tuple[float, int]) -> None:
    baud, bits = receive_line(cpu_with(**sfrs), XTAL)
    assert (round(baud, 3), bits) == (round(line[0], 3), line[1])


def test_timer_1_reloaded_by_software_gives_no_fixed_rate() -> None:
    assert receive_line(cpu_with(SCON=0x50, TMOD=0x10), XTAL) is None


def test_the_bridge_paces_host_bytes_at_the_programs_rate() -> None:
    # MOV SCON,#50h; MOV TMOD,#20h; MOV TH1,#0FAh (4800 baud); MOV PCON,#80h (9600); SJMP $
    program = bytes([0x75, 0x98, 0x50, 0x75, 0x89, 0x20, 0x75, 0x8D, 0xFA, 0x75, 0x87, 0x80,
                     0x80, 0xFE])
    board = Board("reference", program)
    assert board.uart.baud == 9600  # before the program runs: the line's default
    board.run_for(0.1)
    assert (board.uart.baud, board.uart.frame_cycles) == (9600, 960)
    board.cpu.write_direct(PCON, 0)
    assert (board.uart.baud, board.uart.frame_cycles) == (4800, 1920)
