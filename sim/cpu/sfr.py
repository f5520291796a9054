"""The 8052's special function registers: the one map the core, the translator, the
disassembler and the s51 comparisons read.

Each row: name, address, and how the core must treat it:

- ``timed``: the value depends on the cycle it is read at (lazy timers, a UART frame that
  ends now), so reads go through ``rsfr(addr, cycle)``;
- ``side``: a write has side effects (timer/UART/interrupt state, idle/power-down), so it
  goes through the CPU's write handler for it, and the translated block leaves after it if
  the handler brought the next event closer.

Bit names cover the bit-addressable SFRs (address = byte + bit for the bytes at 0x80,
0x88, ..., 0xF8).
"""

from __future__ import annotations

#: (name, address, timed read, side-effect write)
SFR_TABLE: tuple[tuple[str, int, bool, bool], ...] = (
    ("P0", 0x80, False, False),
    ("SP", 0x81, False, False),
    ("DPL", 0x82, False, False),
    ("DPH", 0x83, False, False),
    ("PCON", 0x87, False, True),
    ("TCON", 0x88, True, True),
    ("TMOD", 0x89, False, True),
    ("TL0", 0x8A, True, True),
    ("TL1", 0x8B, True, True),
    ("TH0", 0x8C, True, True),
    ("TH1", 0x8D, True, True),
    ("P1", 0x90, False, False),
    ("SCON", 0x98, True, True),
    ("SBUF", 0x99, False, True),
    ("P2", 0xA0, False, False),
    ("IE", 0xA8, False, True),
    ("P3", 0xB0, False, False),
    ("IP", 0xB8, False, True),
    ("T2CON", 0xC8, True, True),
    ("T2MOD", 0xC9, False, True),
    ("RCAP2L", 0xCA, False, True),
    ("RCAP2H", 0xCB, False, True),
    ("TL2", 0xCC, True, True),
    ("TH2", 0xCD, True, True),
    ("PSW", 0xD0, False, False),
    ("ACC", 0xE0, False, False),
    ("B", 0xF0, False, False),
)

SFR_NAMES: dict[int, str] = {addr: name for name, addr, _, _ in SFR_TABLE}
SFR_ADDR: dict[str, int] = {name: addr for name, addr, _, _ in SFR_TABLE}
TIMED_READ = frozenset(addr for _, addr, timed, _ in SFR_TABLE if timed)
SIDE_WRITE = frozenset(addr for _, addr, _, side in SFR_TABLE if side)
PORTS: dict[int, int] = {0x80: 0, 0x90: 1, 0xA0: 2, 0xB0: 3}  # SFR address -> port number

P0, SP, DPL, DPH, PCON = 0x80, 0x81, 0x82, 0x83, 0x87
TCON, TMOD, TL0, TL1, TH0, TH1 = 0x88, 0x89, 0x8A, 0x8B, 0x8C, 0x8D
P1, SCON, SBUF, P2, IE, P3, IP = 0x90, 0x98, 0x99, 0xA0, 0xA8, 0xB0, 0xB8
T2CON, T2MOD, RCAP2L, RCAP2H, TL2, TH2 = 0xC8, 0xC9, 0xCA, 0xCB, 0xCC, 0xCD
PSW, ACC, B = 0xD0, 0xE0, 0xF0

#: bit address -> name, for the bit-addressable SFRs
BIT_NAMES: dict[int, str] = {
    0x88: "IT0", 0x89: "IE0", 0x8A: "IT1", 0x8B: "IE1", 0x8C: "TR0", 0x8D: "TF0",
    0x8E: "TR1", 0x8F: "TF1", 0x98: "RI", 0x99: "TI", 0x9A: "RB8", 0x9B: "TB8",
    0x9C: "REN", 0x9D: "SM2", 0x9E: "SM1", 0x9F: "SM0", 0xA8: "EX0", 0xA9: "ET0",
    0xAA: "EX1", 0xAB: "ET1", 0xAC: "ES", 0xAD: "ET2", 0xAF: "EA", 0xB8: "PX0",
    0xB9: "PT0", 0xBA: "PX1", 0xBB: "PT1", 0xBC: "PS", 0xBD: "PT2", 0xC8: "CP_RL2",
    0xC9: "C_T2", 0xCA: "TR2", 0xCB: "EXEN2", 0xCC: "TCLK", 0xCD: "RCLK", 0xCE: "EXF2",
    0xCF: "TF2", 0xD0: "P", 0xD1: "F1", 0xD2: "OV", 0xD3: "RS0", 0xD4: "RS1", 0xD5: "F0",
    0xD6: "AC", 0xD7: "CY",
}


def _check() -> None:
    """The named constants above agree with the table (run at import: cheap, and a typo in
    one of them would otherwise be a silent wrong address)."""
    g = globals()
    for name, addr, _, _ in SFR_TABLE:
        assert g[name] == addr, name


_check()
