"""Random but well-behaved MCS-51 instruction streams for the differential tests.

The table below is written from the MCS-51 instruction set summary (Intel's "MCS-51
Microcontroller Family User's Manual", instruction set chapter) and is deliberately
independent of ``sim.cpu``'s own table: it gives each opcode's length and operand kinds,
nothing about semantics or cycles (those are what the two simulators are compared on).

A stream is a list of *units*, laid out from address 0. Most units are one random
instruction; a few instructions get a prefix so the stream stays inside the rules:

* branches (relative, AJMP/LJMP, ACALL/LCALL) land on the start of a unit in the stream;
* ``RET``/``RETI`` pop an address pushed just before (``MOV A,#lo; PUSH ACC; MOV A,#hi;
  PUSH ACC``); ``JMP @A+DPTR`` is preceded by ``MOV DPTR,#t-a; MOV A,#a``;
* ``MOVX @DPTR`` is preceded by ``MOV DPH,#0`` and ``MOVX @Ri`` by ``MOV P2,#0``, so every
  XRAM access stays in the 256 bytes of the STC89C52RC's on-chip XRAM (s51 puts P2 on
  the high address lines for ``MOVX @Ri``, like a plain 8051);
* ``DIV AB`` is preceded by ``ORL B,#bit`` (quotient and remainder are undefined for B=0);
* direct addresses are IRAM 0x00-0x7F or SFRs in ``SAFE_SFRS``: no PCON (idle/power-down),
  no IE/IP (no interrupts), no SBUF (no UART transmission), no P3 (its pins are INT0/1,
  T0/1, RXD/TXD);
* TMOD is written only by ``MOV TMOD,#data`` units that use neither mode 0 (see
  ``tmod_unit``) nor mode 3 for Timer 0: with
  Timer 0 in mode 3, TR1 belongs to TH0 and Timer 1 runs whenever it is not in mode 3
  itself (Intel MCS-51 manual, Timer 0 mode 3); s51 0.6.4 still stops Timer 1 on TR1 = 0.
  That s51 deviation is left out of the random streams rather than compared;
* PSW and TCON are never the *destination* of a random direct operand, nor PSW.0 (P),
  RS0, RS1, IE0 or IE1 of a random bit operand. s51 0.6.4 stores PSW.P as written and only
  recomputes it when ACC changes (the datasheet: P always shows the parity of A); it does
  not switch the register bank when RS0/RS1 are changed by a bit instruction (SETB, CLR,
  CPL, MOV bit,C, JBC) -- only by a byte write to PSW; and it keeps a software-set IE0/IE1
  in level-triggered mode (the datasheet: in level mode the flag follows the INTx pin,
  high here, so it clears at the next sample). Instead PSW is
  changed by flag-setting instructions and by ``ANL/ORL/XRL PSW,#data`` units that leave
  bit 0 alone, and TCON by bit operations on TF/TR/IT and ``MOV TCON,#data`` units with
  IE0 = IE1 = 0. The prologue's ``MOV PSW,#data`` sets P to the parity of the A it sets;
* 0xA5 (undefined) never appears.

The stream ends with ``LJMP 0`` so it runs again and again with whatever state it left.
"""

from __future__ import annotations

import random
from dataclasses import dataclass, field

# operand kinds
DIR = "dir"  # direct address
IMM = "imm"  # #data8
BIT = "bit"  # bit address
REL = "rel"  # relative branch
A11 = "a11"  # AJMP/ACALL target
A16 = "a16"  # LJMP/LCALL target
D16 = "d16"  # #data16 (MOV DPTR)
DIR2 = "dir2"  # MOV direct,direct: source then destination

P2_ADDR, DPH_ADDR, B_ADDR, ACC_ADDR = 0xA0, 0x83, 0xF0, 0xE0
PSW_ADDR, TCON_ADDR = 0xD0, 0x88
# never written through a random operand (see the module docstring)
NO_WRITE_DIRECT = frozenset({PSW_ADDR, TCON_ADDR})
NO_WRITE_BITS = frozenset({0xD0, 0xD3, 0xD4, 0x89, 0x8B})  # P, RS0, RS1, IE0, IE1
# opcodes whose (first) direct operand is written; 0x85 writes its second one
WRITES_DIRECT = frozenset({0x05, 0x15, 0x42, 0x43, 0x52, 0x53, 0x62, 0x63, 0x75, 0x86, 0x87,
                           *range(0x88, 0x90), 0xC5, 0xD0, 0xD5, 0xF5})
WRITES_BIT = frozenset({0x10, 0x92, 0xB2, 0xC2, 0xD2})

# SFRs a random stream may read and write (see module docstring for what is left out)
SAFE_SFRS = (
    0x80,  # P0
    0x81,  # SP
    0x82,  # DPL
    0x83,  # DPH
    0x88,  # TCON
    0x8A,  # TL0
    0x8B,  # TL1
    0x8C,  # TH0
    0x8D,  # TH1
    0x90,  # P1
    0x98,  # SCON
    0xA0,  # P2
    0xD0,  # PSW
    0xE0,  # ACC
    0xF0,  # B
)
TIMER2_SFRS = (0xC8, 0xCA, 0xCB, 0xCC, 0xCD)  # T2CON RCAP2L RCAP2H TL2 TH2
# SFRs compared after a run (the safe ones, plus IE/IP/P3, which must stay at reset values)
COMPARE_SFRS = tuple(sorted({*SAFE_SFRS, *TIMER2_SFRS, 0x89, 0xA8, 0xB0, 0xB8}))
# Bits *not* compared in the debugger snapshot, by SFR. s51's dump of a running timer lags
# one machine cycle behind the instruction boundary (s51 ticks the timers for the last
# cycle later), while the values instructions read agree with ours; so the counters and
# their overflow flags are compared through what the streams' own instructions read
# (MOV A,TL0, PUSH TH1, JBC TF0, ... all write the value into A, IRAM or flags).
SNAPSHOT_MASK = {0x8A: 0x00, 0x8B: 0x00, 0x8C: 0x00, 0x8D: 0x00, 0xCC: 0x00, 0xCD: 0x00,
                 0x88: 0x5F, 0xC8: 0x3F}
TMOD_ADDR = 0x89


def _build_table() -> dict[int, tuple[str, tuple[str, ...]]]:
    t: dict[int, tuple[str, tuple[str, ...]]] = {}
    regs = [f"R{i}" for i in range(8)]

    def row(base: int, name: str, a_imm: bool = True) -> None:
        # the regular x4..xF columns: A,#imm / A,dir / A,@R0 / A,@R1 / A,R0..R7
        if a_imm:
            t[base + 4] = (f"{name} A,#imm", (IMM,))
        t[base + 5] = (f"{name} A,dir", (DIR,))
        t[base + 6] = (f"{name} A,@R0", ())
        t[base + 7] = (f"{name} A,@R1", ())
        for i in range(8):
            t[base + 8 + i] = (f"{name} A,{regs[i]}", ())

    for hi in range(8):
        t[(hi << 5) | 0x01] = ("AJMP a11", (A11,))
        t[(hi << 5) | 0x11] = ("ACALL a11", (A11,))
    t[0x00] = ("NOP", ())
    t[0x02] = ("LJMP a16", (A16,))
    t[0x03] = ("RR A", ())
    t[0x04] = ("INC A", ())
    t[0x05] = ("INC dir", (DIR,))
    t[0x06] = ("INC @R0", ())
    t[0x07] = ("INC @R1", ())
    for i in range(8):
        t[0x08 + i] = (f"INC {regs[i]}", ())
    t[0x10] = ("JBC bit,rel", (BIT, REL))
    t[0x12] = ("LCALL a16", (A16,))
    t[0x13] = ("RRC A", ())
    t[0x14] = ("DEC A", ())
    t[0x15] = ("DEC dir", (DIR,))
    t[0x16] = ("DEC @R0", ())
    t[0x17] = ("DEC @R1", ())
    for i in range(8):
        t[0x18 + i] = (f"DEC {regs[i]}", ())
    t[0x20] = ("JB bit,rel", (BIT, REL))
    t[0x22] = ("RET", ())
    t[0x23] = ("RL A", ())
    row(0x20, "ADD")
    t[0x30] = ("JNB bit,rel", (BIT, REL))
    t[0x32] = ("RETI", ())
    t[0x33] = ("RLC A", ())
    row(0x30, "ADDC")
    for base, name, jmp in ((0x40, "ORL", "JC"), (0x50, "ANL", "JNC"), (0x60, "XRL", "JZ")):
        t[base] = (f"{jmp} rel", (REL,))
        t[base + 2] = (f"{name} dir,A", (DIR,))
        t[base + 3] = (f"{name} dir,#imm", (DIR, IMM))
        row(base, name)
    t[0x70] = ("JNZ rel", (REL,))
    t[0x72] = ("ORL C,bit", (BIT,))
    t[0x73] = ("JMP @A+DPTR", ())
    t[0x74] = ("MOV A,#imm", (IMM,))
    t[0x75] = ("MOV dir,#imm", (DIR, IMM))
    t[0x76] = ("MOV @R0,#imm", (IMM,))
    t[0x77] = ("MOV @R1,#imm", (IMM,))
    for i in range(8):
        t[0x78 + i] = (f"MOV {regs[i]},#imm", (IMM,))
    t[0x80] = ("SJMP rel", (REL,))
    t[0x82] = ("ANL C,bit", (BIT,))
    t[0x83] = ("MOVC A,@A+PC", ())
    t[0x84] = ("DIV AB", ())
    t[0x85] = ("MOV dir,dir", (DIR2,))
    t[0x86] = ("MOV dir,@R0", (DIR,))
    t[0x87] = ("MOV dir,@R1", (DIR,))
    for i in range(8):
        t[0x88 + i] = (f"MOV dir,{regs[i]}", (DIR,))
    t[0x90] = ("MOV DPTR,#d16", (D16,))
    t[0x92] = ("MOV bit,C", (BIT,))
    t[0x93] = ("MOVC A,@A+DPTR", ())
    row(0x90, "SUBB")
    t[0xA0] = ("ORL C,/bit", (BIT,))
    t[0xA2] = ("MOV C,bit", (BIT,))
    t[0xA3] = ("INC DPTR", ())
    t[0xA4] = ("MUL AB", ())
    t[0xA6] = ("MOV @R0,dir", (DIR,))
    t[0xA7] = ("MOV @R1,dir", (DIR,))
    for i in range(8):
        t[0xA8 + i] = (f"MOV {regs[i]},dir", (DIR,))
    t[0xB0] = ("ANL C,/bit", (BIT,))
    t[0xB2] = ("CPL bit", (BIT,))
    t[0xB3] = ("CPL C", ())
    t[0xB4] = ("CJNE A,#imm,rel", (IMM, REL))
    t[0xB5] = ("CJNE A,dir,rel", (DIR, REL))
    t[0xB6] = ("CJNE @R0,#imm,rel", (IMM, REL))
    t[0xB7] = ("CJNE @R1,#imm,rel", (IMM, REL))
    for i in range(8):
        t[0xB8 + i] = (f"CJNE {regs[i]},#imm,rel", (IMM, REL))
    t[0xC0] = ("PUSH dir", (DIR,))
    t[0xC2] = ("CLR bit", (BIT,))
    t[0xC3] = ("CLR C", ())
    t[0xC4] = ("SWAP A", ())
    t[0xC5] = ("XCH A,dir", (DIR,))
    t[0xC6] = ("XCH A,@R0", ())
    t[0xC7] = ("XCH A,@R1", ())
    for i in range(8):
        t[0xC8 + i] = (f"XCH A,{regs[i]}", ())
    t[0xD0] = ("POP dir", (DIR,))
    t[0xD2] = ("SETB bit", (BIT,))
    t[0xD3] = ("SETB C", ())
    t[0xD4] = ("DA A", ())
    t[0xD5] = ("DJNZ dir,rel", (DIR, REL))
    t[0xD6] = ("XCHD A,@R0", ())
    t[0xD7] = ("XCHD A,@R1", ())
    for i in range(8):
        t[0xD8 + i] = (f"DJNZ {regs[i]},rel", (REL,))
    t[0xE0] = ("MOVX A,@DPTR", ())
    t[0xE2] = ("MOVX A,@R0", ())
    t[0xE3] = ("MOVX A,@R1", ())
    t[0xE4] = ("CLR A", ())
    t[0xE5] = ("MOV A,dir", (DIR,))
    t[0xE6] = ("MOV A,@R0", ())
    t[0xE7] = ("MOV A,@R1", ())
    for i in range(8):
        t[0xE8 + i] = (f"MOV A,{regs[i]}", ())
    t[0xF0] = ("MOVX @DPTR,A", ())
    t[0xF2] = ("MOVX @R0,A", ())
    t[0xF3] = ("MOVX @R1,A", ())
    t[0xF4] = ("CPL A", ())
    t[0xF5] = ("MOV dir,A", (DIR,))
    t[0xF6] = ("MOV @R0,A", ())
    t[0xF7] = ("MOV @R1,A", ())
    for i in range(8):
        t[0xF8 + i] = (f"MOV {regs[i]},A", ())
    return t


OPCODES = _build_table()
assert len(OPCODES) == 255 and 0xA5 not in OPCODES

LENGTHS = {op: 1 + sum(2 if k in (A16, D16, DIR2) else 1 for k in kinds)
           for op, (_, kinds) in OPCODES.items()}
for _op in range(256):  # AJMP/ACALL carry 3 address bits in the opcode: 2 bytes in all
    if _op & 0x0F == 0x01:
        LENGTHS[_op] = 2

BRANCHES = {op for op, (_, kinds) in OPCODES.items() if {REL, A11, A16} & set(kinds)}


def instruction_length(op: int) -> int:
    return LENGTHS[op]


def disassemble(code: bytes, pc: int) -> str:
    """A one-line rendering of the instruction at ``pc`` (bytes and template)."""
    op = code[pc]
    if op not in OPCODES:
        return f"{pc:04X}: {op:02X}  ???"
    n = LENGTHS[op]
    raw = " ".join(f"{b:02X}" for b in code[pc : pc + n])
    return f"{pc:04X}: {raw:<9} {OPCODES[op][0]}"


@dataclass
class Unit:
    """One or more instructions; branch targets only ever point at a unit start."""

    kind: str  # 'plain', 'branch', 'ret', 'jmpa', 'prefixed'
    op: int
    body: list[int] = field(default_factory=list)  # fixed bytes (for non-branch units)
    operands: list[int] = field(default_factory=list)  # branch: non-target operand bytes
    target: int = -1  # index of the target unit
    addr: int = 0

    def length(self) -> int:
        if self.kind == "branch":
            return LENGTHS[self.op]
        if self.kind == "ret":
            return 9  # MOV A,#lo PUSH ACC MOV A,#hi PUSH ACC RET/RETI
        if self.kind == "jmpa":
            return 6  # MOV DPTR,#d16 MOV A,#a JMP @A+DPTR
        return len(self.body)


@dataclass
class Stream:
    code: bytes
    iram: bytes
    xram: bytes
    units: list[Unit]

    def describe(self) -> str:
        return " ".join(f"{b:02X}" for b in self.code)


class StreamGenerator:
    """Seeded generator of instruction streams (see the module docstring)."""

    def __init__(self, seed: int, *, units: int = 160, timer2: bool = False,
                 branch_weight: float = 0.35, focus: int | None = None) -> None:
        if focus is not None and focus not in OPCODES:
            raise ValueError(f"no such opcode 0x{focus:02X}")
        self.rng = random.Random(seed)
        self.focus = focus
        self.n_units = units
        self.sfrs = SAFE_SFRS + (TIMER2_SFRS if timer2 else ())
        self.branch_weight = branch_weight
        bit_bytes = [a for a in self.sfrs if a & 7 == 0]
        self.sfr_bits = [a + i for a in bit_bytes for i in range(8)]

    # operand pickers -------------------------------------------------------------
    def direct(self, write: bool = False) -> int:
        r = self.rng
        if r.random() < 0.55:
            # favour the register banks and the bit-addressable area
            return r.choice((r.randrange(0x00, 0x20), r.randrange(0x20, 0x30),
                             r.randrange(0x30, 0x80)))
        while True:
            a = r.choice(self.sfrs)
            if not (write and a in NO_WRITE_DIRECT):
                return a

    def bit(self, write: bool = False) -> int:
        r = self.rng
        if r.random() < 0.5:
            return r.randrange(0x00, 0x80)
        while True:
            b = r.choice(self.sfr_bits)
            if not (write and b in NO_WRITE_BITS):
                return b

    def imm(self) -> int:
        r = self.rng
        return r.choice((r.randrange(256), r.randrange(256), 0x00, 0xFF, 0x7F, 0x80,
                         r.randrange(10), 0x99))

    # units ----------------------------------------------------------------------------
    def tmod_unit(self) -> Unit:
        """MOV TMOD,#data: Timer 0 in mode 1 or 2, Timer 1 in mode 1, 2 or 3, any GATE, C/T.

        Mode 0 is left out: its TLx holds a 5-bit prescaler and the datasheet calls the
        upper 3 bits indeterminate (s51 clears them on the carry into THx, we keep them),
        yet instructions here read the whole TLx. Timer 0 mode 3: see the module docstring.
        """
        r = self.rng
        t0 = (r.randrange(4) << 2) | r.choice((1, 2))
        t1 = (r.randrange(4) << 2) | r.choice((1, 2, 3))
        return Unit("plain", 0x75, body=[0x75, TMOD_ADDR, t1 << 4 | t0])

    def special_unit(self) -> Unit:
        """The only ways a stream writes TMOD, TCON (as a byte) and PSW (as a byte)."""
        r = self.rng
        k = r.randrange(4)
        if k == 0:
            return self.tmod_unit()
        if k == 1:
            return Unit("plain", 0x75, body=[0x75, TCON_ADDR, r.randrange(256) & 0xF5])
        if k == 2:
            return Unit("plain", 0x53, body=[0x53, PSW_ADDR, r.randrange(256) | 0x01])  # ANL
        op = r.choice((0x43, 0x63))  # ORL, XRL
        return Unit("plain", op, body=[op, PSW_ADDR, r.randrange(256) & 0xFE])

    def unit(self) -> Unit:
        r = self.rng
        if r.random() < 0.06:
            return self.special_unit()
        while True:
            if self.focus is not None and r.random() < 0.5:
                op = self.focus
                break
            op = r.randrange(256)
            if op == 0xA5:
                continue
            if op in BRANCHES and r.random() > self.branch_weight:
                continue
            break
        name, kinds = OPCODES[op]
        wdir, wbit = op in WRITES_DIRECT, op in WRITES_BIT
        if op in BRANCHES:
            operands = []
            for k in kinds:
                if k == DIR:
                    operands.append(self.direct(wdir))
                elif k == IMM:
                    operands.append(self.imm())
                elif k == BIT:
                    operands.append(self.bit(wbit))
            return Unit("branch", op, operands=operands)
        if op in (0x22, 0x32):
            return Unit("ret", op)
        if op == 0x73:
            return Unit("jmpa", op)
        body = [op]
        for k in kinds:
            if k == DIR:
                body.append(self.direct(wdir))
            elif k == IMM:
                body.append(self.imm())
            elif k == BIT:
                body.append(self.bit(wbit))
            elif k == DIR2:
                body += [self.direct(), self.direct(write=True)]
            elif k == D16:
                body += [r.choice((0x00, r.randrange(256))), r.randrange(256)]
        if op in (0xE0, 0xF0):
            body = [0x75, DPH_ADDR, 0x00, *body]
        elif op in (0xE2, 0xE3, 0xF2, 0xF3):
            body = [0x75, P2_ADDR, 0x00, *body]
        elif op == 0x84:
            body = [0x43, B_ADDR, 1 << r.randrange(8), *body]
        return Unit("plain" if len(body) == LENGTHS[op] else "prefixed", op, body=body)

    def prologue(self) -> list[Unit]:
        """Random A, B, DPTR, PSW, SP and TMOD, as ONE unit (no branch lands inside it, so
        the PSW write always follows the A write it computes P from)."""
        r = self.rng
        a = r.randrange(256)
        body = [0x75, ACC_ADDR, a]
        for addr in (B_ADDR, 0x82, DPH_ADDR):
            body += [0x75, addr, r.randrange(256)]
        body += [0x75, PSW_ADDR, (r.randrange(256) & 0xFE) | (bin(a).count("1") & 1)]
        sp = r.choice((0x07, 0x2F, 0x5F, 0x7F, 0xC0, 0xF8, r.randrange(256)))
        body += [0x75, 0x81, sp]
        body += self.tmod_unit().body
        return [Unit("prefixed", 0x75, body=body)]

    def _far_target(self, i: int, n: int) -> int:
        """A unit index for an absolute transfer: nearly always forward (fewer endless loops)."""
        r = self.rng
        if i + 1 < n and r.random() < 0.95:
            return r.randrange(i + 1, n)
        return r.randrange(n)

    def generate(self) -> Stream:
        r = self.rng
        units = self.prologue() + [self.unit() for _ in range(self.n_units)]
        units.append(Unit("branch", 0x02, target=0))  # LJMP 0: start over
        addr = 0
        for u in units:
            u.addr = addr
            addr += u.length()
        if addr > 0x800:
            raise ValueError("stream longer than 2 KiB (AJMP/ACALL page)")
        starts = [u.addr for u in units]
        n = len(units)
        code = bytearray()
        for i, u in enumerate(units):
            end = u.addr + u.length()
            if u.kind == "branch":
                name, kinds = OPCODES[u.op]
                if u.target < 0:
                    if REL in kinds:
                        cands = [j for j in range(n) if -128 <= starts[j] - end <= 127]
                        # mostly forward, so most of the stream gets executed
                        fwd = [j for j in cands if j > i]
                        pool = fwd if fwd and r.random() < 0.9 else cands
                    else:
                        fwd = [j for j in range(i + 1, n)]
                        pool = fwd if fwd and r.random() < 0.95 else list(range(n))
                    u.target = r.choice(pool)
                tgt = starts[u.target]
                ops = iter(u.operands)
                out = [u.op]
                for k in kinds:
                    if k == REL:
                        out.append((tgt - end) & 0xFF)
                    elif k == A11:
                        out[0] = (u.op & 0x1F) | ((tgt >> 3) & 0xE0)
                        out.append(tgt & 0xFF)
                    elif k == A16:
                        out += [tgt >> 8, tgt & 0xFF]
                    else:
                        out.append(next(ops))
                code += bytes(out)
            elif u.kind == "ret":
                u.target = self._far_target(i, n)
                tgt = starts[u.target]
                code += bytes([0x74, tgt & 0xFF, 0xC0, ACC_ADDR, 0x74, tgt >> 8, 0xC0, ACC_ADDR,
                               u.op])
            elif u.kind == "jmpa":
                u.target = self._far_target(i, n)
                a = r.randrange(256)
                d = (starts[u.target] - a) & 0xFFFF
                code += bytes([0x90, d >> 8, d & 0xFF, 0x74, a, 0x73])
            else:
                code += bytes(u.body)
            assert len(code) == end, (u, len(code), end)
        iram = bytes(r.randrange(256) for _ in range(256))
        xram = bytes(r.randrange(256) for _ in range(256))
        return Stream(bytes(code), iram, xram, units)
