"""1-Wire (DS18B20) slot timing for the firmware driver, computed from a board's crystal.

The driver's bit slot and reset are hand-written 8051 code (firmware/src/ds18b20.c) with
delay gaps whose lengths in machine cycles come from here, through the generated header.
A 12-clock 8051 at f Hz runs one machine cycle in c = 12 / f seconds. Cycle counts of the
fixed instructions (8051 datasheet): CLR/SETB bit, MOV C,bit, RRC, NOP 1; MOV bit,C and
DJNZ 2. A port write takes effect when its instruction ends; a pin read samples during its
(one-cycle) instruction, so the sample instant lies within [start, start + c].

Bit slot (EA off from before the falling edge to after the release; t = 0 at the fall)::

    clr  EA           ; 1
    clr  OW           ; 1   -> falling edge, t = 0
    delay INIT        ;     (cycles)
    mov  OW,c         ; 2   -> write 1 / read: release at t_rel = (INIT + 2) c
    delay SAMPLE
    mov  c,OW         ; 1   -> sample between t_rel + SAMPLE c and one cycle later
    delay REST
    setb OW           ; 1   -> write 0: release at t_low0 = (INIT + SAMPLE + REST + 4) c
    setb EA           ; 1
    rrc  a            ; 1
    djnz b,slot       ; 2   -> next fall 6 cycles after the release (recovery)

Reset: the bus must read high; pull low for RESET_LOW cycles with interrupts allowed (a
longer low does no harm); then with EA off release it, wait PRESENCE cycles and sample.

Datasheet limits (DS18B20) and the targets used:

- write 1 / read init: low >= 1 us, released within 15 us; target t_rel >= 2 us;
- read: data valid until 15 us after the fall: the sample must end by SAMPLE_END_US = 13.5
  us and start >= 1 us after the release (pull-up rise);
- write 0: low 60..120 us; target 65 us;
- recovery >= 1 us between slots;
- reset low >= 480 us (target 500 us); presence: the sensor waits 15-60 us and pulls low
  for 60-240 us, so it is certainly low from 60 to 75 us after the release: the sample
  must lie in [61, 74] us;
- the serial interrupt may be held off at most half a UART frame (10 bits) while EA is off,
  so no received byte is ever overwritten in SBUF.

``onewire_timing(crystal_hz)`` raises ``ValueError`` (one line) for a crystal that cannot meet
them; ``check_uart(t, baud)`` the same for a baud rate whose frames are too short.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

RELEASE_MIN_US = 2.0
SAMPLE_AFTER_RELEASE_US = 1.0
SAMPLE_END_US = 13.5
LOW0_TARGET_US = 65.0
LOW0_MAX_US = 120.0
RECOVERY_CYCLES = 6
RESET_LOW_TARGET_US = 500.0
RESET_LOW_MIN_US = 480.0
PRESENCE_TARGET_US = 67.0
PRESENCE_WINDOW_US = (61.0, 74.0)
INNER_LOOP = 250  # the reset's inner DJNZ count limit


@dataclass(frozen=True)
class OneWireTiming:
    crystal_hz: int
    init: int  # delay cycles after the fall before MOV OW,C
    sample: int  # delay cycles between the release and the sample
    rest: int  # delay cycles after the sample to the end of a write-0 low
    reset_outer: int  # reset low: 4 + outer * (4 + 2 * inner) cycles
    reset_inner: int
    presence: int  # delay cycles from the release after a reset to the presence sample

    @property
    def cycle_us(self) -> float:
        return 12e6 / self.crystal_hz

    # the instants, in microseconds after the falling edge (or the reset release)
    @property
    def release_us(self) -> float:
        return (self.init + 2) * self.cycle_us

    @property
    def sample_us(self) -> tuple[float, float]:
        start = (self.init + 2 + self.sample) * self.cycle_us
        return start, start + self.cycle_us

    @property
    def low0_us(self) -> float:
        return (self.init + self.sample + self.rest + 4) * self.cycle_us

    @property
    def slot_us(self) -> float:
        return self.low0_us + RECOVERY_CYCLES * self.cycle_us

    @property
    def ea_off_us(self) -> float:
        """Longest stretch with interrupts off: a slot (or the presence wait), CLR EA..SETB EA."""
        slot = (self.init + self.sample + self.rest + 6) * self.cycle_us
        presence = (self.presence + 3) * self.cycle_us
        return max(slot, presence)

    @property
    def reset_low_us(self) -> float:
        return (4 + self.reset_outer * (4 + 2 * self.reset_inner)) * self.cycle_us

    @property
    def presence_sample_us(self) -> tuple[float, float]:
        start = self.presence * self.cycle_us
        return start, start + self.cycle_us

    def asm_delay(self, cycles: int) -> str:
        """``delay_asm`` for the template."""
        return delay_asm(cycles)


def onewire_timing(crystal_hz: int) -> OneWireTiming:
    """The delay counts for a 12-clock 8051 at ``crystal_hz``; ValueError if impossible."""
    c = 12e6 / crystal_hz
    mhz = f"{crystal_hz / 1e6:g} MHz"
    init = max(0, math.ceil(RELEASE_MIN_US / c - 1e-9) - 2)
    sample = math.floor(SAMPLE_END_US / c + 1e-9) - 3 - init
    if sample * c < SAMPLE_AFTER_RELEASE_US:
        raise ValueError(
            f"1-Wire read slots need the sample >= {SAMPLE_AFTER_RELEASE_US:g} us after the "
            f"release and by {SAMPLE_END_US:g} us; at {mhz} a machine cycle is {c:.2f} us, "
            "too slow")
    rest = max(0, math.ceil(LOW0_TARGET_US / c - 1e-9) - 4 - init - sample)
    if rest > 2 * 255 + 1:
        raise ValueError(f"1-Wire slot delays do not fit the driver's loop at {mhz}")
    n = math.ceil(RESET_LOW_TARGET_US / c) - 4
    outer = max(1, math.ceil(n / (4 + 2 * INNER_LOOP)))
    inner = max(1, math.ceil((n / outer - 4) / 2))
    if outer > 255:
        raise ValueError(f"1-Wire reset delay does not fit the driver's loop at {mhz}")
    presence = math.ceil(PRESENCE_TARGET_US / c - 1e-9)
    if presence > 2 * 255 + 1:
        raise ValueError(f"1-Wire presence delay does not fit the driver's loop at {mhz}")
    t = OneWireTiming(crystal_hz, init, sample, rest, outer, inner, presence)
    lo, hi = t.presence_sample_us
    if lo < PRESENCE_WINDOW_US[0] or hi > PRESENCE_WINDOW_US[1]:
        raise ValueError(f"1-Wire presence sample at {lo:.1f}-{hi:.1f} us misses the "
                         f"{PRESENCE_WINDOW_US[0]:g}-{PRESENCE_WINDOW_US[1]:g} us window at "
                         f"{mhz}")
    if not 60.0 <= t.low0_us <= LOW0_MAX_US:
        raise ValueError(f"1-Wire write-0 low of {t.low0_us:.1f} us is outside 60-120 us "
                         f"at {mhz}")
    return t


def check_uart(t: OneWireTiming, baud: int) -> None:
    """ValueError if a slot keeps interrupts off for more than half a UART frame."""
    frame_us = 10e6 / baud
    if t.ea_off_us > frame_us / 2:
        raise ValueError(f"1-Wire slots hold interrupts off for {t.ea_off_us:.0f} us, more "
                         f"than half a {baud} baud frame ({frame_us:.0f} us): received bytes "
                         "could be lost")


def delay_asm(cycles: int) -> str:
    """8051 instructions (one per line, for an __asm block) that take exactly ``cycles``
    machine cycles, using DPH (the caller keeps nothing there; R0-R7 it may): NOPs, or
    MOV DPH,#k + DJNZ DPH,. (2 + 2k) and a NOP."""
    if cycles < 0:
        raise ValueError("negative delay")
    if cycles <= 3:
        return "".join("    nop\\n" for _ in range(cycles))
    k, odd = divmod(cycles - 2, 2)
    if k > 255:
        raise ValueError(f"delay of {cycles} cycles is too long for one loop")
    return f"    mov  dph,#{k}\\n    djnz dph,.\\n" + ("    nop\\n" if odd else "")
