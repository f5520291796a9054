"""Basic-block translator: 8051 machine code -> Python source -> compiled function.

Why: a table-dispatch interpreter pays a Python call plus operand decoding per instruction
and tops out well below 1 M instructions/s. Code memory of the 8051 never changes (Harvard
architecture), so each basic block is translated ONCE into straight Python code, compiled
with ``compile()``/``exec()`` and cached by (register bank, start PC). Running a block is then
one Python call that executes all its instructions inline.

What a block is: a *basic block* is the straight-line run of instructions starting at a PC,
up to and including the first control transfer (jump, branch, call, return), or up to
``MAX_INSNS`` instructions, or up to and including a write to PSW (the register bank). A
write to a port or to an SFR with side effects (timers, UART, IE/IP/PCON) does not end it:
a guard after the write (``if cpu._ne < cyc + CYCLES: return``) leaves at the next
instruction if the handler brought the next event before the block's end, so bit-banged
protocols and critical sections (CLR EA ... SETB EA) run as whole blocks. Blocks are
tiered: a basic block counts its runs and on the ``HOT_COUNT``-th is replaced by the
*superblock* from the same PC, which goes on through unconditional jumps and calls (to
static targets not yet in the block) and past conditional branches, following each the
way it went the last time its basic block ran (``took``: a key not pressed, a loop; the
other way is an early exit), with the same other limits.
All MCS-51 instructions take a fixed number of cycles (branches cost the same taken or not),
so the cycles and instructions up to each exit are static: every exit returns them with the
next key. A block never contains a "self-loop" instruction (``SJMP $``, ``DJNZ Rn,$``,
``JNB bit,$``...) except as its only instruction: those are left to the run loop, which can
fast-forward them; a ``DJNZ x,$`` delay is a block of its own that runs as many turns as
end before the next event (``_djnz_loop``).

Generated function (one per block)::

    def _b(cyc, iram=iram, sfr=sfr, ...):   # only the names the block uses
        a = sfr[224]                          # ACC and PSW live in locals in the block
        psw = sfr[208]
        ... one to four lines per instruction ...
        sfr[224] = a                          # written back before leaving (each exit)
        sfr[208] = psw
        return NEXT_PC | BANK << 16 | CYCLES << 18 | INSNS << 26   # next key, what ran

``cyc`` is the machine-cycle count when the block starts; time-dependent SFR accesses pass
``cyc + offset`` to the CPU's handlers ``rsfr``/``wsfr``/``wport``: timer/UART/interrupt
SFRs are accessed at the end of the instruction's first machine cycle (the second for
JB/JNB/CJNE/DJNZ, which read their operand late), exactly as s51 does; port writes carry
the cycle at which the writing instruction completes.

Flags: PSW is kept whole in ``psw`` except the parity bit, which is never stored: every PSW
read computes it as ``PAR[a]``. ADD/ADDC/SUBB take CY, AC and OV from precomputed 128 KB
tables (``ADDF``/``SUBF``, bytes) indexed by ``carry << 16 | a << 8 | operand``. Registers of the
block's bank are plain ``iram[n]`` with the address folded in at translation time.

The instruction semantics live in ``_TEMPLATES`` (one small function per mnemonic, shared by
every addressing mode through the operand helpers), driven by the opcode table. The same
generated code serves single-stepping (1-instruction blocks), so there is one implementation.
"""

from __future__ import annotations

from sim.cpu.cache import load_blob
from sim.cpu.opcodes import OPCODES, Op, decode
from sim.cpu.sfr import ACC, PORTS, PSW, SIDE_WRITE, SP, TIMED_READ

# collections.abc for the annotations only: importing it costs every fresh `exec` 1 ms
TYPE_CHECKING = False
if TYPE_CHECKING:
    from collections.abc import Callable

    Template = Callable[["_Gen", Op, tuple], "list[str] | None"]

__all__ = ["MAX_INSNS", "BlockInfo", "translate", "classify", "PAR", "ADDF", "SUBF", "da"]

MAX_INSNS = 40
#: A block runs this many times as a basic block before it is translated again as a
#: superblock (see ``translate``): code that runs a few times is not worth compiling twice
#: (a short program compiles a third fewer superblocks than at 64; a long run loses nothing).
HOT_COUNT = 255
#: A superblock that loops back to its start goes round again while it is this short (in
#: machine cycles): a bit-banging loop runs several bits a call.
UNROLL_CYCLES = 48

# -- precomputed tables -----------------------------------------------------------------
PAR = [bin(i).count("1") & 1 for i in range(256)]


def _add_flags_reference(cin: int, a: int, v: int) -> int:
    """CY, AC and OV of ADD/ADDC (the definition the tables are checked against)."""
    r = a + v + cin
    f = 0x80 if r > 255 else 0
    if (a & 15) + (v & 15) + cin > 15:
        f |= 0x40
    if (a ^ r) & (v ^ r) & 0x80:
        f |= 0x04
    return f


def _sub_flags_reference(cin: int, a: int, v: int) -> int:
    """CY (borrow), AC and OV of SUBB."""
    r = a - v - cin
    f = 0x80 if r < 0 else 0
    if (a & 15) - (v & 15) - cin < 0:
        f |= 0x40
    if (a ^ v) & (a ^ r) & 0x80:
        f |= 0x04
    return f


def _runs(n: int, lo: int, hi: int, flag: int) -> bytes:
    """n bytes: ``flag`` at indices lo..hi (inclusive, clipped), 0 elsewhere."""
    lo, hi = max(lo, 0), min(hi, n - 1)
    if lo > hi:
        return bytes(n)
    return bytes(lo) + bytes((flag,)) * (hi - lo + 1) + bytes(n - 1 - hi)


def _flag_table(sub: bool) -> bytes:
    """Flags (CY 0x80, AC 0x40, OV 0x04) of ADD/ADDC or SUBB for index
    ``carry << 16 | a << 8 | operand``: 128 KB, built from runs of equal bytes (each flag is
    set on one interval of the operand, or a repeated interval of its low nibble), in about
    a millisecond instead of the 75 ms a per-entry loop takes."""
    cy, ac, ov = [], [], []
    nib = {}
    for cin in (0, 1):
        for k in range(16):
            lo = k - cin + 1 if sub else 16 - k - cin
            nib[cin, k] = _runs(16, lo, 15, 0x40) * 16
        for a in range(256):
            ac.append(nib[cin, a & 15])
            if sub:
                cy.append(_runs(256, a - cin + 1, 255, 0x80))
                if a < 128:
                    ov.append(_runs(256, 128, a - cin + 128, 0x04))
                else:
                    ov.append(_runs(256, a - cin - 127, 127, 0x04))
            else:
                cy.append(_runs(256, 256 - a - cin, 255, 0x80))
                if a < 128:
                    ov.append(_runs(256, 128 - a - cin, 127, 0x04))
                else:
                    ov.append(_runs(256, 128, 383 - a - cin, 0x04))
    n = 2 << 16
    total = (int.from_bytes(b"".join(cy), "big") | int.from_bytes(b"".join(ac), "big")
             | int.from_bytes(b"".join(ov), "big"))
    return total.to_bytes(n, "big")


# 2.5 ms to build: kept in the cache directory like the translated blocks
_FLAGS = load_blob("alu-flags", lambda: _flag_table(False) + _flag_table(True))
ADDF, SUBF = _FLAGS[: 2 << 16], _FLAGS[2 << 16:]


def da(a: int, psw: int) -> tuple[int, int]:
    """DA A: decimal adjust after addition. Sets CY on a carry out, never clears it."""
    if (a & 15) > 9 or psw & 0x40:
        a += 6
        if a > 255:
            psw |= 0x80
            a &= 255
    if (a >> 4) > 9 or psw & 0x80:
        a += 0x60
        if a > 255:
            psw |= 0x80
            a &= 255
    return a, psw


# -- the per-block code generator -------------------------------------------------------
class _Loc:
    """An operand location: expression to read it (pins for ports), to read it for a
    read-modify-write (latches for ports), and a writer producing statements."""

    __slots__ = ("rd", "rmw", "wr", "setup")

    def __init__(self, rd: str, rmw: str, wr: Callable[[str], list[str]] | None,
                 setup: list[str] | None = None) -> None:
        self.rd, self.rmw, self.wr, self.setup = rd, rmw, wr, setup or []


class _Gen:
    def __init__(self, bank: int, xram_size: int) -> None:
        self.bank = bank
        self.rb = bank * 8
        self.xs = xram_size
        self.body: list[str] = []
        self.end = False        # the current instruction must end the block
        # the current instruction writes a port or a side-effect SFR: the block goes on
        # after it only if the handler left the next event beyond the block's end (guard)
        self.side = False
        self.dyn_key = False    # PSW was written: the next key takes its bank from psw
        self.off = 0            # cycle offset of the current instruction's start
        self.endoff = 0         # ... and of its end
        self.acc = 1            # offset of its timed SFR accesses from its start
        self.next = 0           # address of the next instruction
        self.addr = 0
        self.done = 0           # (cycles << 18 | instructions << 26) at the current end
        self.follow: int | None = None  # static target of an unconditional transfer
        self.superblock = False
        # basic blocks: record each conditional branch's direction in ``took``; superblocks:
        # follow the direction it went last (None: always the fall-through)
        self.record = False
        self.took: bytes | bytearray | None = None
        # a conditional branch or static jump/call was met: the superblock from here can be
        # longer than the basic block (else it would be the same block: no run counting)
        self.extends = False

    # -- helpers ---------------------------------------------------------------------
    def emit(self, *lines: str) -> None:
        self.body.extend(lines)

    def cyc(self, off: int) -> str:
        return f"cyc + {off}" if off else "cyc"

    def key(self, target: int) -> str:
        """The value a block returns to go on at ``target`` after the current instruction:
        the next key with the cycles and instructions run so far (see ``done``)."""
        if self.dyn_key:
            return f"{target | self.done} | (psw & 24) << 13"
        return str(target | self.bank << 16 | self.done)

    def direct(self, d: int) -> _Loc:
        if d < 0x80:
            e = f"iram[{d}]"
            return _Loc(e, e, lambda v: [f"iram[{d}] = {v}"])
        if d == ACC:
            return _Loc("a", "a", lambda v: [f"a = {v}"])
        if d == PSW:
            def wpsw(v: str) -> list[str]:
                self.end = True
                self.dyn_key = True
                return [f"psw = {v}"]
            e = "(psw & 254 | PAR[a])"
            return _Loc(e, e, wpsw)
        if d in PORTS:
            p = PORTS[d]

            def wport(v: str) -> list[str]:
                self.side = True
                return [f"wport({p}, {v}, {self.cyc(self.endoff)})"]
            return _Loc(f"(PL[{p}] & PE[{p}])", f"PL[{p}]", wport)
        if d == SP:
            return _Loc("sfr[129]", "sfr[129]",
                        lambda v: [f"sfr[129] = _s = {v}",
                                   "if _s > cpu.sp_max: cpu.sp_max = _s"])
        if d in TIMED_READ:
            e = f"rsfr({d}, {self.cyc(self.off + self.acc)})"
        else:
            e = f"sfr[{d}]"
        if d in SIDE_WRITE:
            def wside(v: str) -> list[str]:
                self.side = True
                return [f"wsfr[{d}]({d}, {v}, {self.cyc(self.off + self.acc)})"]
            return _Loc(e, e, wside)
        return _Loc(e, e, lambda v: [f"sfr[{d}] = {v}"])

    def loc(self, kind: str, val: int | None) -> _Loc:
        if kind == "A":
            return self.direct(ACC)
        if kind[0] == "R":
            return self.direct(self.rb + int(kind[1]))
        if kind[0] == "@":
            r = self.rb + int(kind[2])
            return _Loc("iram[_i]", "iram[_i]", lambda v: [f"iram[_i] = {v}"],
                        [f"_i = iram[{r}]"])
        if kind == "direct":
            assert val is not None
            return self.direct(val)
        if kind == "#data":
            return _Loc(str(val), str(val), None)
        raise AssertionError(kind)

    def operand(self, kind: str, val: int | None) -> _Loc:
        """A location, with its setup lines already emitted."""
        loc = self.loc(kind, val)
        self.emit(*loc.setup)
        return loc

    def bit(self, b: int) -> tuple[_Loc, int, int]:
        """(byte location, mask, bit index) of bit address b."""
        byte = 0x20 + (b >> 3) if b < 0x80 else b & 0xF8
        return self.direct(byte), 1 << (b & 7), b & 7

    def branch(self, cond: str, target: int) -> list[str]:
        """A conditional branch. In a superblock: an early exit when taken, the block goes
        on at the next instruction otherwise (``[]``: no exit lines, translation
        continues). In a basic block: two exits."""
        if not self.superblock:
            self.extends = True
            if self.record:  # 1 taken, 0 not (every condition is a bool or a byte)
                return [f"took[{self.addr}] = _t = {cond}", "if _t:",
                        f"    return {self.key(target)}", f"return {self.key(self.next)}"]
            return [f"if {cond}:", f"    return {self.key(target)}",
                    f"return {self.key(self.next)}"]
        if self.took is not None and self.took[self.addr]:
            # taken the last time it ran as a basic block: follow the jump (a loop, a key
            # not pressed...); the fall-through is the early exit
            self.emit(f"if not ({cond}):", _EPI_MARK, f"    return {self.key(self.next)}")
            self.follow = target
            return [f"return {self.key(target)}"]
        self.emit(f"if {cond}:", _EPI_MARK, f"    return {self.key(target)}")
        return []

    def goto(self, target: int) -> list[str]:
        """An unconditional jump (or call, after its push) to a static target: a
        superblock follows it when it can."""
        if self.superblock:
            self.follow = target
        else:
            self.extends = True
        return [f"return {self.key(target)}"]


# -- instruction templates: (gen, op, vals) -> exit lines or None -------------------------
_TEMPLATES: dict[str, Template] = {}


def _t(*names: str) -> Callable[[Template], Template]:
    def deco(f: Template) -> Template:
        for n in names:
            _TEMPLATES[n] = f
        return f
    return deco


@_t("NOP")
def _nop(g, op, v):
    return None


@_t("MOV")
def _mov(g, op, v):
    k0, k1 = op.operands
    if k0 == "DPTR":
        g.emit(f"sfr[130] = {v[1] & 255}", f"sfr[131] = {v[1] >> 8}")
        return None
    if k0 == "C":  # MOV C,bit
        loc, m, i = g.bit(v[1])
        g.emit(f"psw = psw & 127 | {loc.rd} << {7 - i} & 128" if i < 7 else
               f"psw = psw & 127 | {loc.rd} & 128")
        return None
    if k1 == "C":  # MOV bit,C
        loc, m, i = g.bit(v[0])
        g.emit(*loc.wr(f"{loc.rmw} & {255 ^ m} | (psw & 128) >> {7 - i}"))
        return None
    src = g.operand(k1, v[1])
    dst = g.operand(k0, v[0])  # no opcode has @Ri on both sides, so '_i' is never shared
    g.emit(*dst.wr(src.rd))
    return None


@_t("MOVC")
def _movc(g, op, v):
    if op.operands[1] == "@A+PC":
        g.emit(f"a = code[a + {g.next} & 65535]")
    else:
        g.emit("a = code[a + (sfr[131] << 8 | sfr[130]) & 65535]")
    return None


def _xaddr(g: _Gen, kind: str) -> str:
    if kind == "@DPTR":
        return "sfr[131] << 8 | sfr[130]"
    r = g.rb + int(kind[2])
    if g.xs <= 256:
        return f"iram[{r}]"
    return f"PL[2] << 8 | iram[{r}]"


@_t("MOVX")
def _movx(g, op, v):
    k0, k1 = op.operands
    if k0 == "A":
        g.emit(f"_d = {_xaddr(g, k1)}")
        if g.xs >= 65536 or (g.xs == 256 and k1 != "@DPTR"):
            g.emit("a = xram[_d]")
        else:
            g.emit(f"a = xram[_d] if _d < {g.xs} else 255")
    else:
        g.emit(f"_d = {_xaddr(g, k0)}")
        if g.xs >= 65536 or (g.xs == 256 and k0 != "@DPTR"):
            g.emit("xram[_d] = a")
        else:
            g.emit(f"if _d < {g.xs}: xram[_d] = a")
    return None


@_t("PUSH")
def _push(g, op, v):
    src = g.direct(v[0])  # read after SP is incremented: PUSH SP pushes the new SP
    g.emit("_s = sfr[129] + 1 & 255", "sfr[129] = _s", f"iram[_s] = {src.rd}",
           "if _s > cpu.sp_max: cpu.sp_max = _s")
    return None


@_t("POP")
def _pop(g, op, v):
    dst = g.direct(v[0])
    g.emit("_s = sfr[129]", "_v = iram[_s]", "sfr[129] = _s - 1 & 255", *dst.wr("_v"))
    return None


@_t("XCH")
def _xch(g, op, v):
    src = g.operand(op.operands[1], v[1])
    g.emit(f"_v = {src.rd}", *src.wr("a"), "a = _v")
    return None


@_t("XCHD")
def _xchd(g, op, v):
    g.operand(op.operands[1], None)
    g.emit("_v = iram[_i]", "iram[_i] = _v & 240 | a & 15", "a = a & 240 | _v & 15")
    return None


def _arith(table: str, with_carry: bool) -> Template:
    sign = "-" if table == "SUBF" else "+"

    def f(g, op, v):
        src = g.operand(op.operands[1], v[1])
        if op.operands[1] == "#data":
            val = src.rd
        else:
            g.emit(f"_v = {src.rd}")
            val = "_v"
        if with_carry:
            g.emit(f"_t = (psw & 128) << 9 | a << 8 | {val}", f"psw = psw & 59 | {table}[_t]",
                   f"a = a {sign} {val} {sign} (_t >> 16) & 255")
        else:
            g.emit(f"psw = psw & 59 | {table}[a << 8 | {val}]", f"a = a {sign} {val} & 255")
        return None
    return f


_TEMPLATES["ADD"] = _arith("ADDF", False)
_TEMPLATES["ADDC"] = _arith("ADDF", True)
_TEMPLATES["SUBB"] = _arith("SUBF", True)


def _logic(sym: str) -> Template:
    def f(g, op, v):
        k0, k1 = op.operands
        if k0 == "C":
            loc, m, i = g.bit(v[1])
            neg = k1 == "/bit"
            test = f"{loc.rd} & {m}"
            if sym == "&":
                g.emit(f"if {'' if neg else 'not '}{test}: psw &= 127")
            else:
                g.emit(f"if {'not ' if neg else ''}{test}: psw |= 128")
            return None
        src = g.operand(k1, v[1])
        dst = g.loc(k0, v[0])
        g.emit(*dst.wr(f"{dst.rmw} {sym} {src.rd}"))
        return None
    return f


_TEMPLATES["ANL"] = _logic("&")
_TEMPLATES["ORL"] = _logic("|")
_TEMPLATES["XRL"] = _logic("^")


@_t("INC", "DEC")
def _incdec(g, op, v):
    k = op.operands[0]
    if k == "DPTR":
        g.emit("_d = sfr[130] + 1", "if _d > 255:", "    sfr[130] = 0",
               "    sfr[131] = sfr[131] + 1 & 255", "else:", "    sfr[130] = _d")
        return None
    loc = g.operand(k, v[0])
    sign = "+" if op.mnemonic == "INC" else "-"
    g.emit(*loc.wr(f"{loc.rmw} {sign} 1 & 255"))
    return None


@_t("MUL")
def _mul(g, op, v):
    g.emit("_r = a * sfr[240]", "sfr[240] = _r >> 8", "a = _r & 255",
           "psw = psw & 123 | (4 if _r > 255 else 0)")
    return None


@_t("DIV")
def _div(g, op, v):
    g.emit("_r = sfr[240]", "if _r:", "    a, sfr[240] = divmod(a, _r)", "    psw &= 123",
           "else:", "    psw = psw & 123 | 4")
    return None


@_t("DA")
def _da(g, op, v):
    g.emit("a, psw = DA(a, psw)")
    return None


@_t("CLR", "SETB", "CPL")
def _bitop(g, op, v):
    k = op.operands[0]
    m = op.mnemonic
    if k == "A":
        g.emit("a = 0" if m == "CLR" else "a ^= 255")
        return None
    if k == "C":
        g.emit({"CLR": "psw &= 127", "SETB": "psw |= 128", "CPL": "psw ^= 128"}[m])
        return None
    loc, mask, i = g.bit(v[0])
    expr = {"CLR": f"{loc.rmw} & {255 ^ mask}", "SETB": f"{loc.rmw} | {mask}",
            "CPL": f"{loc.rmw} ^ {mask}"}[m]
    g.emit(*loc.wr(expr))
    return None


@_t("RL", "RR", "RLC", "RRC", "SWAP")
def _rot(g, op, v):
    g.emit(*{
        "RL": ["a = (a << 1 | a >> 7) & 255"],
        "RR": ["a = (a >> 1 | a << 7) & 255"],
        "RLC": ["_c = a & 128", "a = (a << 1 | psw >> 7) & 255", "psw = psw & 127 | _c"],
        "RRC": ["_c = a & 1", "a = a >> 1 | psw & 128", "psw = psw & 127 | _c << 7"],
        "SWAP": ["a = (a << 4 | a >> 4) & 255"],
    }[op.mnemonic])
    return None


# -- control transfer ---------------------------------------------------------------------
@_t("AJMP", "LJMP", "SJMP")
def _jmp(g, op, v):
    return g.goto(v[0])


@_t("JMP")
def _jmpind(g, op, v):
    return [f"return (a + (sfr[131] << 8 | sfr[130]) & 65535) | {g.bank << 16 | g.done}"]


@_t("JZ", "JNZ", "JC", "JNC")
def _jcond(g, op, v):
    cond = {"JZ": "not a", "JNZ": "a", "JC": "psw & 128", "JNC": "not psw & 128"}[op.mnemonic]
    return g.branch(cond, v[0])


@_t("JB", "JNB")
def _jb(g, op, v):
    loc, m, i = g.bit(v[0])
    g.emit(f"_j = {loc.rd} & {m}")
    return g.branch("_j" if op.mnemonic == "JB" else "not _j", v[1])


@_t("JBC")
def _jbc(g, op, v):
    loc, m, i = g.bit(v[0])
    g.emit(f"_v = {loc.rmw}", f"_j = _v & {m}", "if _j:")
    g.emit(*("    " + s for s in loc.wr(f"_v & {255 ^ m}")))
    return g.branch("_j", v[1])


@_t("CJNE")
def _cjne(g, op, v):
    k0, k1, _ = op.operands
    left = g.operand(k0, v[0])
    right = g.loc(k1, v[1])
    g.emit(f"_x = {left.rd}", f"_y = {right.rd}", "psw = psw & 127 | (128 if _x < _y else 0)")
    return g.branch("_x != _y", v[2])


@_t("DJNZ")
def _djnz(g, op, v):
    loc = g.operand(op.operands[0], v[0])
    g.emit(f"_v = {loc.rmw} - 1 & 255", *loc.wr("_v"))
    return g.branch("_v", v[1])


def _push_ret(g: _Gen) -> None:
    lo, hi = g.next & 255, g.next >> 8
    g.emit("_s = sfr[129] + 1 & 255", f"iram[_s] = {lo}", "_s = _s + 1 & 255",
           f"iram[_s] = {hi}", "sfr[129] = _s", "if _s > cpu.sp_max: cpu.sp_max = _s")


@_t("ACALL", "LCALL")
def _call(g, op, v):
    _push_ret(g)
    return g.goto(v[0])


@_t("RET")
def _ret(g, op, v):
    g.emit("_s = sfr[129]", "sfr[129] = _s - 2 & 255")
    return [f"return iram[_s] << 8 | iram[_s - 1 & 255] | {g.bank << 16 | g.done}"]


@_t("RETI")
def _reti(g, op, v):
    return [f"return reti({g.cyc(g.endoff)}) | {g.done}"]


assert {op.mnemonic for op in OPCODES if op} <= set(_TEMPLATES), "a mnemonic has no template"

# -- block assembly -----------------------------------------------------------------------
#: Kinds of instructions the run loop handles itself (never inside a longer block).
SELFJUMP, DJNZSELF, JBSELF, ILLEGAL = "selfjump", "djnz", "jbself", "illegal"


def classify(code: bytes, pc: int, decoded: tuple | None = None) -> tuple[str | None, object]:
    """Special instructions at pc: ('selfjump', None), ('djnz', iram address),
    ('jbself', (bit address, jump-if-set)), ('illegal', opcode) or (None, None).
    ``decoded``: ``decode(code, pc)`` if the caller has it already."""
    op, vals = decoded or decode(code, pc)
    if op is None:
        return ILLEGAL, code[pc]
    m = op.mnemonic
    if m in ("SJMP", "AJMP", "LJMP") and vals[0] == pc:
        return SELFJUMP, None
    if m == "DJNZ" and vals[1] == pc:
        k = op.operands[0]
        if k[0] == "R":
            return DJNZSELF, ("R", int(k[1]))
        if vals[0] < 0x80:
            return DJNZSELF, ("D", vals[0])
        if vals[0] in _PLAIN_SFR:  # DJNZ DPH,$ / DJNZ B,$ (SDCC's cycle-counted delays)
            return DJNZSELF, ("S", vals[0])
    if m in ("JB", "JNB") and vals[1] == pc:
        return JBSELF, (vals[0], m == "JB")
    return None, None


#: SFRs a ``DJNZ direct,$`` delay may count down like a RAM byte: no port, no timed read or
#: side-effect write, not PSW (the register bank) nor SP (the stack high-water mark).
_PLAIN_SFR = frozenset(range(0x80, 0x100)) - set(PORTS) - TIMED_READ - SIDE_WRITE - {PSW, SP}


def _djnz_loop(pc: int, bank: int, arg: tuple[str, int]) -> BlockInfo:
    """The block of a ``DJNZ x,$`` delay: as many iterations as end by the next event
    (``cpu._ne``; the run loop calls it only when one does), at most 127 a call (the
    cycles field of the result has 8 bits), then on at the next instruction or here again.
    Exactly the state stepping gives (cycles, instructions, the counter)."""
    kind, n = arg
    mem, addr = ("sfr", n) if kind == "S" else ("iram", bank * 8 + n if kind == "R" else n)
    nxt = (pc + (2 if kind == "R" else 3)) & 0xFFFF
    lines = [f"_n = {mem}[{addr}] or 256", "_k = cpu._ne - cyc >> 1",
             "if _k > 127:", "    _k = 127",
             "if _n <= _k:", f"    {mem}[{addr}] = 0",
             f"    return {nxt | bank << 16} | _n << 19 | _n << 26",
             f"{mem}[{addr}] = _n - _k",
             f"return {pc | bank << 16} | _k << 19 | _k << 26"]
    source = (f"def _b(cyc, {mem}={mem}, cpu=cpu):\n"
              + "".join(f"    {ln}\n" for ln in lines))
    return BlockInfo(source, 2, 1, DJNZSELF, arg, pc, frozenset((pc,)))


class BlockInfo:
    """A translated block: its source, static cycles and instructions, special kind, the
    address after it (``end``) and the addresses of the instructions it holds (``addrs``)."""

    __slots__ = ("source", "cycles", "insns", "special", "arg", "end", "addrs")

    def __init__(self, source: str, cycles: int, insns: int, special: str | None,
                 arg: object, end: int, addrs: frozenset[int] = frozenset()) -> None:
        self.source, self.cycles, self.insns = source, cycles, insns
        self.special, self.arg, self.end = special, arg, end
        self.addrs = addrs


#: Instructions whose operand is read in their second machine cycle (s51 does the same);
#: every other instruction accesses timed SFRs at the end of its first machine cycle.
_LATE_READ = frozenset({"JB", "JNB", "CJNE", "DJNZ"})

_NAMES = ("iram", "sfr", "xram", "code", "PL", "PE", "PAR", "ADDF", "SUBF", "DA", "rsfr",
          "wsfr", "wport", "cpu", "reti", "hot", "promote", "took")
_EPI_MARK = "    #EPI"  # placeholder for the write-back of ACC and PSW before an early exit
_BC = "#BC"  # placeholder for the block's cycles (its longest path) in the write guards
#: Branches that may write a port or side-effect SFR (JBC TF0, DJNZ P1): they end the block.
_BRANCHES = frozenset({"JBC", "DJNZ"})
# Which names a block's source uses and whether it assigns ACC or PSW: plain string scans
# (the regular expressions they replace cost a cold process 3 ms to import ``re`` and
# compile). _words(s) = the maximal runs of word characters, as ``\b...\b`` sees them.
_NONWORD = str.maketrans({c: " " for c in map(chr, range(128))
                          if not (c.isalnum() or c == "_")})


def _words(text: str) -> set[str]:
    return set(text.translate(_NONWORD).split())


def _assigns(rest: str, ops: str) -> bool:
    """``rest`` (what follows the name, spaces stripped) starts ``[op]=`` but not ``==``."""
    if rest[:1] and rest[0] in ops:
        rest = rest[1:]
    return rest[:1] == "=" and rest[1:2] != "="


def _writes_a(text: str) -> bool:
    """A line starts by assigning ``a`` (``a =``, ``a += ``... or ``a, b = ...``)."""
    for line in text.split("\n"):
        s = line.lstrip()
        if s[:1] == "a" and (s[:3] == "a, " or _assigns(s[1:].lstrip(), "^|&+-")):
            return True
    return False


def _writes_psw(text: str) -> bool:
    """``psw =``, ``psw &=``, ``psw |=`` or ``psw ^=`` anywhere."""
    i = text.find("psw")
    while i >= 0:
        before = text[i - 1:i]
        if not (before.isalnum() or before == "_") and _assigns(text[i + 3:].lstrip(), "&|^"):
            return True
        i = text.find("psw", i + 3)
    return False


def translate(code: bytes, pc: int, bank: int, xram_size: int,
              max_insns: int = MAX_INSNS, superblock: bool = False,
              stops: frozenset[int] = frozenset(),
              took: bytes | bytearray | None = None) -> BlockInfo:
    """Python source of the block starting at pc (for register bank ``bank``).

    A basic block (``superblock=False``) ends at the first control transfer and counts its
    runs: on the ``HOT_COUNT``-th it calls ``promote(key)``, which replaces it by the
    superblock from the same address: that one follows unconditional jumps and calls and
    the fall-through of conditional branches (taken branches are early exits), up to
    ``max_insns`` instructions, so that hot code makes fewer, longer block calls.

    ``stops``: addresses no block may run into (breakpoints): the block ends before an
    instruction at one of them, unless it is the block's first. ``took``: the direction
    each conditional branch took last in a basic block (a superblock follows it)."""
    special, arg = classify(code, pc)
    if special == ILLEGAL:
        return BlockInfo("", 0, 1, special, arg, pc, frozenset((pc,)))
    if special == DJNZSELF and max_insns > 1:
        return _djnz_loop(pc, bank, arg)  # type: ignore[arg-type]
    g = _Gen(bank, xram_size)
    g.superblock = superblock
    g.record = not superblock and max_insns > 1
    g.took = took
    addr = pc
    cycles = insns = 0
    exit_lines: list[str] | None = None
    seen: set[int] = set()
    guard: list[str] = []  # after a side-effect write: emitted if another instruction follows
    while True:
        if insns and addr in stops:
            break
        op, vals = decoded = decode(code, addr)
        if insns and classify(code, addr, decoded)[0] is not None:
            break
        assert op is not None
        g.body.extend(guard)
        guard = []
        g.addr = addr
        g.off = cycles
        g.endoff = cycles + op.cycles
        g.acc = 2 if op.mnemonic in _LATE_READ else 1
        g.next = (addr + op.length) & 0xFFFF
        g.done = g.endoff << 18 | (insns + 1) << 26
        g.follow = None
        g.side = False
        exit_lines = _TEMPLATES[op.mnemonic](g, op, vals)
        cycles += op.cycles
        insns += 1
        seen.add(addr)
        addr = g.next
        if g.side:
            if exit_lines or op.mnemonic in _BRANCHES:
                g.end = True  # a branch that writes (JBC TF0, DJNZ on a port...): the end
            else:
                # the handler may have brought the next event closer (an interrupt request,
                # idle, a device event, a hold): leave before it, at the next instruction
                guard = [f"if cpu._ne < cyc + {_BC}:", _EPI_MARK, f"    return {g.key(addr)}"]
        if g.end or insns >= max_insns:
            break
        if exit_lines:  # a control transfer: follow a static target not yet in the block,
            # or the block's start again (a loop: unrolled while it stays short)
            if g.follow is None or g.follow in seen and (
                    g.follow != pc or cycles > UNROLL_CYCLES or g.dyn_key):
                break
            addr = g.follow
    if not exit_lines:
        exit_lines = [f"return {g.key(addr)}"]
    text = "\n".join(g.body + exit_lines)
    words = _words(text)
    uses_a = "a" in words
    uses_psw = "psw" in words
    pro, epi = [], []
    if uses_a:
        pro.append("a = sfr[224]")
        if _writes_a(text):
            epi.append("sfr[224] = a")
    if uses_psw:
        pro.append("psw = sfr[208]")
        if _writes_psw(text):
            epi.append("sfr[208] = psw")
    body: list[str] = []
    for ln in g.body:  # each early exit writes ACC and PSW back first
        if ln == _EPI_MARK:
            body.extend("    " + e for e in epi)
        else:
            body.append(ln)
    if pro:
        words.add("sfr")
    counting = not superblock and max_insns > 1 and g.extends
    if counting:
        k = pc | bank << 16
        # the superblock replaces this block on the last count, so it never goes below 0
        pro = [f"hot[{k}] -= 1", f"if not hot[{k}]: promote({k})", *pro]
        words.update(("hot", "promote"))
    lines = pro + body + epi + exit_lines
    full = "\n".join(lines).replace(_BC, str(cycles))
    if counting:
        # runs HOT_COUNT times at most: the CPU's objects as globals (the namespace the
        # block is made in), a shorter function to compile than one with them as defaults
        head = "def _b(cyc):"
    else:
        used = [n for n in _NAMES if n in words]  # (the names the added lines use too)
        head = "def _b(cyc" + "".join(f", {n}={n}" for n in used) + "):"
    source = head + "\n    " + full.replace("\n", "\n    ") + "\n"
    return BlockInfo(source, cycles, insns, special, arg, addr, frozenset(seen))
