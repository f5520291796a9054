"""Disassembly with the debug information: symbols, call targets by name, C lines.

``disassemble(code, info, address, offset, count)`` gives exactly ``count`` instructions
starting ``offset`` instructions from ``address``. Going backwards needs instruction
boundaries, which machine code alone does not give (an 8051 instruction is 1 to 3 bytes):
the walk starts at a known boundary well before the address (an asm line or C line record
of the debug information) and decodes forward. Where there is no instruction (before
address 0, past the end of code memory) an invalid one stands in, at address -1.
"""

from __future__ import annotations

import bisect
from dataclasses import dataclass

from sim.cpu.disasm import disassemble as disasm_one
from sim.cpu.opcodes import decode
from sim.debug.cdb import DebugInfo

__all__ = ["Instruction", "disassemble"]


@dataclass
class Instruction:
    address: int  # -1: no instruction there
    raw: bytes
    text: str
    symbol: str | None  # function or code label, +offset
    file: str | None
    line: int | None


def disassemble(code: bytes, info: DebugInfo, address: int, offset: int,
                count: int) -> list[Instruction]:
    addr, missing = _start(code, info, address, offset)
    out = [Instruction(-1, b"", "(no instruction)", None, None, None)
           for _ in range(min(missing, count))]
    while len(out) < count:
        if not 0 <= addr <= 0xFFFF:
            out.append(Instruction(-1, b"", "(no instruction)", None, None, None))
            continue
        text, length = disasm_one(code, addr)
        op, vals = decode(code, addr)
        if op is not None and op.mnemonic in ("LCALL", "ACALL", "LJMP", "AJMP"):
            name = info.code_symbols.get(vals[0])
            if name:
                text = f"{text} <{name}>"
        sym = info.code_symbol(addr)
        symbol = None if sym is None else sym[0] if sym[1] == 0 else f"{sym[0]}+{sym[1]}"
        rec = info.line_at(addr)
        out.append(Instruction(addr, bytes(code[addr:addr + length]), text, symbol,
                               rec.file if rec else None, rec.line if rec else None))
        addr += length
    return out


def _start(code: bytes, info: DebugInfo, address: int, offset: int) -> tuple[int, int]:
    """(the address ``offset`` instructions from ``address``, how many instructions short
    of it code memory starts)."""
    if offset >= 0:
        addr = address
        for _ in range(offset):
            addr += disasm_one(code, addr)[1] if addr <= 0xFFFF else 1
        return addr, 0
    known = info.instruction_starts
    i = bisect.bisect_left(known, address) + offset - 8
    addr = known[i] if known and i >= 0 else 0
    seq = []
    while addr < address:
        seq.append(addr)
        addr += disasm_one(code, addr)[1]
    seq.append(address)  # (a walk that lands inside it still ends there)
    k = len(seq) - 1 + offset
    return (seq[k], 0) if k >= 0 else (seq[0], -k)
