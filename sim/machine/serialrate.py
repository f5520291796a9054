"""The rate the 8051's serial receiver runs at, read from its special function registers.

What a host must match to talk to the program: the serial mode (SCON SM0/SM1) and the
baud-rate generator the program set up (8051 datasheet, "Serial Interface"); None while the
receiver is off (REN = 0, as after reset: it takes no byte anyway):

- mode 0: shift register, fosc / 12 (8 bit times per byte);
- mode 2: fosc / 64, or fosc / 32 with SMOD = 1 (11 bit times: start, 8 data, 9th, stop);
- modes 1 and 3 (10 / 11 bit times): Timer 2 when RCLK = 1 (T2CON bit 5): fosc / (32 x
  (65536 - RCAP2)); else Timer 1 in mode 2 (8-bit auto-reload, timer not counter):
  2^SMOD x fosc / (32 x 12 x (256 - TH1)). Timer 1 in another mode (reloaded by software)
  gives no fixed rate: None.

The UART bridge (sim.devices.uart) paces host bytes at this rate, so any program's baud
rate works without a setting.
"""

from __future__ import annotations

from typing import Any

from sim.cpu.sfr import PCON, RCAP2H, RCAP2L, SCON, T2CON, TH1, TMOD


def receive_line(cpu: Any, crystal_hz: int) -> tuple[float, int] | None:
    """(baud, bit times per frame) of the receiver now, or None if no fixed rate is set up."""
    scon = cpu.read_direct(SCON)
    if not scon & 0x10:  # REN
        return None
    mode = scon >> 6
    smod = cpu.read_direct(PCON) >> 7 & 1
    if mode == 0:
        return crystal_hz / 12, 8
    if mode == 2:
        return crystal_hz * (2 if smod else 1) / 64, 11
    bits = 10 if mode == 1 else 11
    if cpu.read_direct(T2CON) & 0x20:  # RCLK
        reload = cpu.read_direct(RCAP2H) << 8 | cpu.read_direct(RCAP2L)
        return crystal_hz / (32 * (65536 - reload)), bits
    tmod = cpu.read_direct(TMOD)
    if tmod >> 4 & 3 == 2 and not tmod & 0x40:  # Timer 1: 8-bit auto-reload timer
        return (2 ** smod) * crystal_hz / (32 * 12 * (256 - cpu.read_direct(TH1))), bits
    return None
