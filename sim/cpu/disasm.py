"""Disassembler driven by the opcode table (``opcodes.OPCODES``).

``disassemble(code, addr) -> (text, length)``, e.g. ``("MOV A,#0x12", 2)``. SFR and bit
names of the 8052 are printed by name (``MOV P1,A``, ``SETB TR0``); 0xA5 disassembles as
``DB 0xA5``.
"""

from __future__ import annotations

from sim.cpu.opcodes import OPCODES, decode

__all__ = ["disassemble", "SFR_NAMES", "BIT_NAMES"]

SFR_NAMES = {
    0x80: "P0", 0x81: "SP", 0x82: "DPL", 0x83: "DPH", 0x87: "PCON", 0x88: "TCON",
    0x89: "TMOD", 0x8A: "TL0", 0x8B: "TL1", 0x8C: "TH0", 0x8D: "TH1", 0x90: "P1",
    0x98: "SCON", 0x99: "SBUF", 0xA0: "P2", 0xA8: "IE", 0xB0: "P3", 0xB8: "IP",
    0xC8: "T2CON", 0xC9: "T2MOD", 0xCA: "RCAP2L", 0xCB: "RCAP2H", 0xCC: "TL2", 0xCD: "TH2",
    0xD0: "PSW", 0xE0: "ACC", 0xF0: "B",
}

BIT_NAMES = {
    0x88: "IT0", 0x89: "IE0", 0x8A: "IT1", 0x8B: "IE1", 0x8C: "TR0", 0x8D: "TF0",
    0x8E: "TR1", 0x8F: "TF1", 0x98: "RI", 0x99: "TI", 0x9A: "RB8", 0x9B: "TB8",
    0x9C: "REN", 0x9D: "SM2", 0x9E: "SM1", 0x9F: "SM0", 0xA8: "EX0", 0xA9: "ET0",
    0xAA: "EX1", 0xAB: "ET1", 0xAC: "ES", 0xAD: "ET2", 0xAF: "EA", 0xB8: "PX0",
    0xB9: "PT0", 0xBA: "PX1", 0xBB: "PT1", 0xBC: "PS", 0xBD: "PT2", 0xC8: "CP_RL2",
    0xC9: "C_T2", 0xCA: "TR2", 0xCB: "EXEN2", 0xCC: "TCLK", 0xCD: "RCLK", 0xCE: "EXF2",
    0xCF: "TF2", 0xD0: "P", 0xD1: "F1", 0xD2: "OV", 0xD3: "RS0", 0xD4: "RS1", 0xD5: "F0",
    0xD6: "AC", 0xD7: "CY",
}


def _direct(v: int) -> str:
    return SFR_NAMES.get(v, f"0x{v:02X}")


def _bit(v: int) -> str:
    if v in BIT_NAMES:
        return BIT_NAMES[v]
    if v < 0x80:
        return f"0x{0x20 + (v >> 3):02X}.{v & 7}"
    byte = v & 0xF8
    return f"{SFR_NAMES.get(byte, f'0x{byte:02X}')}.{v & 7}"


def disassemble(code: bytes | bytearray, addr: int) -> tuple[str, int]:
    op, vals = decode(code, addr)
    if op is None:
        return f"DB 0x{code[addr % len(code)]:02X}", 1
    parts = []
    for kind, v in zip(op.operands, vals, strict=True):
        if v is None:
            parts.append(kind)
        elif kind == "direct":
            parts.append(_direct(v))
        elif kind == "#data":
            parts.append(f"#0x{v:02X}")
        elif kind == "#data16":
            parts.append(f"#0x{v:04X}")
        elif kind == "bit":
            parts.append(_bit(v))
        elif kind == "/bit":
            parts.append("/" + _bit(v))
        else:  # rel, addr11, addr16
            parts.append(f"0x{v:04X}")
    text = op.mnemonic if not parts else f"{op.mnemonic} {','.join(parts)}"
    return text, op.length


assert len(OPCODES) == 256
