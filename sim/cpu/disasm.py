"""Disassembler driven by the opcode table (``opcodes.OPCODES``).

``disassemble(code, addr) -> (text, length)``, e.g. ``("MOV A,#0x12", 2)``. SFR and bit
names of the 8052 are printed by name (``MOV P1,A``, ``SETB TR0``); 0xA5 disassembles as
``DB 0xA5``.
"""

from __future__ import annotations

from sim.cpu.opcodes import OPCODES, decode
from sim.cpu.sfr import BIT_NAMES, SFR_NAMES

__all__ = ["disassemble", "SFR_NAMES", "BIT_NAMES"]

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
