"""THE MCS-51 opcode table: one row per opcode (mnemonic, operands, bytes, machine cycles).

This table is the single source of truth for instruction length and timing. The block
translator (``translate.py``) generates execution code from it, the disassembler
(``disasm.py``) prints from it, and the cycle tests iterate over it.

Operand kinds (as written in the Intel manual):

    A  AB  C  DPTR  @DPTR  @A+DPTR  @A+PC      implied registers, no operand byte
    R0..R7  @R0  @R1                           encoded in the opcode's low bits
    direct  #data  bit  /bit  rel  addr11      one operand byte each
    #data16  addr16                            two operand bytes, high byte first

Operand bytes follow the opcode in operand order, except ``MOV direct,direct`` (0x85) whose
encoding is ``85 src dst``. ``addr11`` also takes bits 7..5 of the opcode. 0xA5 is the one
undefined opcode (``OPCODES[0xA5] is None``).
"""

from __future__ import annotations

__all__ = ["Op", "OPCODES", "operand_bytes", "decode"]


class Op:
    """One opcode (immutable). A plain class: dataclasses or typing would cost every fresh
    process (``clock51-sim exec``) 2 to 6 ms of imports."""

    __slots__ = ("code", "mnemonic", "operands", "length", "cycles")
    code: int
    mnemonic: str
    operands: tuple[str, ...]
    length: int
    cycles: int

    def __init__(self, code: int, mnemonic: str, operands: tuple[str, ...], length: int,
                 cycles: int) -> None:
        for name, value in zip(self.__slots__, (code, mnemonic, operands, length, cycles),
                               strict=True):
            object.__setattr__(self, name, value)

    def __setattr__(self, name: str, value: object) -> None:
        raise AttributeError("Op is immutable")

    def __eq__(self, other: object) -> bool:
        return isinstance(other, Op) and self._key() == other._key()

    def __hash__(self) -> int:
        return hash(self._key())

    def _key(self) -> tuple:
        return (self.code, self.mnemonic, self.operands, self.length, self.cycles)

    def __repr__(self) -> str:
        return (f"Op(code={self.code}, mnemonic={self.mnemonic!r}, operands={self.operands!r},"
                f" length={self.length}, cycles={self.cycles})")


# code(s)  MNEMONIC  operands  bytes  cycles.  "Rn" rows cover 8 opcodes (low 3 bits = n),
# "@Ri" rows cover 2 opcodes (low bit = i), "xx/yy" rows list opcodes explicitly.
_SPEC = """
00 NOP - 1 1
01/21/41/61/81/A1/C1/E1 AJMP addr11 2 2
02 LJMP addr16 3 2
03 RR A 1 1
04 INC A 1 1
05 INC direct 2 1
06 INC @Ri 1 1
08 INC Rn 1 1
10 JBC bit,rel 3 2
11/31/51/71/91/B1/D1/F1 ACALL addr11 2 2
12 LCALL addr16 3 2
13 RRC A 1 1
14 DEC A 1 1
15 DEC direct 2 1
16 DEC @Ri 1 1
18 DEC Rn 1 1
20 JB bit,rel 3 2
22 RET - 1 2
23 RL A 1 1
24 ADD A,#data 2 1
25 ADD A,direct 2 1
26 ADD A,@Ri 1 1
28 ADD A,Rn 1 1
30 JNB bit,rel 3 2
32 RETI - 1 2
33 RLC A 1 1
34 ADDC A,#data 2 1
35 ADDC A,direct 2 1
36 ADDC A,@Ri 1 1
38 ADDC A,Rn 1 1
40 JC rel 2 2
42 ORL direct,A 2 1
43 ORL direct,#data 3 2
44 ORL A,#data 2 1
45 ORL A,direct 2 1
46 ORL A,@Ri 1 1
48 ORL A,Rn 1 1
50 JNC rel 2 2
52 ANL direct,A 2 1
53 ANL direct,#data 3 2
54 ANL A,#data 2 1
55 ANL A,direct 2 1
56 ANL A,@Ri 1 1
58 ANL A,Rn 1 1
60 JZ rel 2 2
62 XRL direct,A 2 1
63 XRL direct,#data 3 2
64 XRL A,#data 2 1
65 XRL A,direct 2 1
66 XRL A,@Ri 1 1
68 XRL A,Rn 1 1
70 JNZ rel 2 2
72 ORL C,bit 2 2
73 JMP @A+DPTR 1 2
74 MOV A,#data 2 1
75 MOV direct,#data 3 2
76 MOV @Ri,#data 2 1
78 MOV Rn,#data 2 1
80 SJMP rel 2 2
82 ANL C,bit 2 2
83 MOVC A,@A+PC 1 2
84 DIV AB 1 4
85 MOV direct,direct 3 2
86 MOV direct,@Ri 2 2
88 MOV direct,Rn 2 2
90 MOV DPTR,#data16 3 2
92 MOV bit,C 2 2
93 MOVC A,@A+DPTR 1 2
94 SUBB A,#data 2 1
95 SUBB A,direct 2 1
96 SUBB A,@Ri 1 1
98 SUBB A,Rn 1 1
A0 ORL C,/bit 2 2
A2 MOV C,bit 2 1
A3 INC DPTR 1 2
A4 MUL AB 1 4
A6 MOV @Ri,direct 2 2
A8 MOV Rn,direct 2 2
B0 ANL C,/bit 2 2
B2 CPL bit 2 1
B3 CPL C 1 1
B4 CJNE A,#data,rel 3 2
B5 CJNE A,direct,rel 3 2
B6 CJNE @Ri,#data,rel 3 2
B8 CJNE Rn,#data,rel 3 2
C0 PUSH direct 2 2
C2 CLR bit 2 1
C3 CLR C 1 1
C4 SWAP A 1 1
C5 XCH A,direct 2 1
C6 XCH A,@Ri 1 1
C8 XCH A,Rn 1 1
D0 POP direct 2 2
D2 SETB bit 2 1
D3 SETB C 1 1
D4 DA A 1 1
D5 DJNZ direct,rel 3 2
D6 XCHD A,@Ri 1 1
D8 DJNZ Rn,rel 2 2
E0 MOVX A,@DPTR 1 2
E2 MOVX A,@Ri 1 2
E4 CLR A 1 1
E5 MOV A,direct 2 1
E6 MOV A,@Ri 1 1
E8 MOV A,Rn 1 1
F0 MOVX @DPTR,A 1 2
F2 MOVX @Ri,A 1 2
F4 CPL A 1 1
F5 MOV direct,A 2 1
F6 MOV @Ri,A 1 1
F8 MOV Rn,A 1 1
"""

_OPERAND_BYTES = {"direct": 1, "#data": 1, "bit": 1, "/bit": 1, "rel": 1, "addr11": 1,
                  "#data16": 2, "addr16": 2}


def operand_bytes(kind: str) -> int:
    return _OPERAND_BYTES.get(kind, 0)


def _build() -> list[Op | None]:
    table: list[Op | None] = [None] * 256
    for line in _SPEC.strip().splitlines():
        codes, mnem, ops, length, cycles = line.split()
        kinds = () if ops == "-" else tuple(ops.split(","))
        if "/" in codes:
            variants = [(int(c, 16), kinds) for c in codes.split("/")]
        elif "Rn" in kinds:
            base = int(codes, 16)
            variants = [(base + n, tuple(f"R{n}" if k == "Rn" else k for k in kinds))
                        for n in range(8)]
        elif "@Ri" in kinds:
            base = int(codes, 16)
            variants = [(base + i, tuple(f"@R{i}" if k == "@Ri" else k for k in kinds))
                        for i in range(2)]
        else:
            variants = [(int(codes, 16), kinds)]
        for code, k in variants:
            assert table[code] is None, f"duplicate opcode {code:02X}"
            op = Op(code, mnem, k, int(length), int(cycles))
            assert 1 + sum(operand_bytes(x) for x in k) == op.length, line
            table[code] = op
    return table


OPCODES: list[Op | None] = _build()
assert sum(op is not None for op in OPCODES) == 255 and OPCODES[0xA5] is None


_IMPLIED = [(None,) * k for k in range(4)]  # decode's values of operand-byte-free opcodes


def decode(code: bytes | bytearray, addr: int) -> tuple[Op | None, tuple[int | None, ...]]:
    """The instruction at ``addr``: (op, operand values aligned with op.operands).

    Values: direct/#data/bit/byte -> the byte; /bit -> the bit address; rel -> the absolute
    target; addr11/addr16 -> the absolute target; #data16 -> the 16-bit value; implied
    operands -> None. Returns (None, ()) for 0xA5.
    """
    n = len(code)
    opc = code[addr % n]
    op = OPCODES[opc]
    if op is None:
        return None, ()
    length = op.length
    if length == 1:  # implied operands only (a third of the opcodes)
        return op, _IMPLIED[len(op.operands)]
    nxt = (addr + length) & 0xFFFF
    if addr + length <= n:
        raw: bytes | list[int] = code[addr + 1:addr + length]
    else:  # the instruction wraps around the end of the code memory
        raw = [code[(addr + 1 + i) % n] for i in range(length - 1)]
    if opc == 0x85:  # MOV direct,direct is encoded src, dst
        return op, (raw[1], raw[0])
    vals: list[int | None] = []
    i = 0
    for kind in op.operands:
        nb = _OPERAND_BYTES.get(kind, 0)
        if nb == 0:
            vals.append(None)
            continue
        if kind == "rel":
            b = raw[i]
            vals.append((nxt + (b - 256 if b > 127 else b)) & 0xFFFF)
        elif kind == "addr11":
            vals.append((nxt & 0xF800) | (opc >> 5) << 8 | raw[i])
        elif nb == 2:
            vals.append(raw[i] << 8 | raw[i + 1])
        else:
            vals.append(raw[i])
        i += nb
    return op, tuple(vals)
