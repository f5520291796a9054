"""C values in the 8051's memories: where a symbol lives, its bytes, its text, its parts.

Address spaces (``Place.space``): ``data`` (direct addresses: IRAM below 0x80, SFRs above,
read as ``MOV A,direct`` would), ``idata`` (all 256 bytes of IRAM, indirect), ``xdata``
(the on-chip XRAM; beyond it reads 0xFF), ``code``, ``bit`` (bit addresses: 0x20.0 to
0x2F.7, then the bit-addressable SFRs), ``reg`` (IRAM addresses of R0..R7 of a bank).
SDCC stores multi-byte values least significant byte first; ``Place.addrs`` lists the
byte addresses in that order (registers need not be adjacent: ``[r6, r7]``).

Generic pointers are 3 bytes: the address, then a tag saying the space: 0x00 xdata,
0x40 data/idata, 0x60 pdata, 0x80 code (SDCC's GPTYPE values). Floats are IEEE 754 single
precision. Values are formatted as a C programmer reads them: chars with their character,
pointers with their space, char arrays as strings, structs as ``{x = 1, y = 2}``.
"""

from __future__ import annotations

import math
import struct
from dataclasses import dataclass

from sim.cpu.core import CPU
from sim.cpu.sfr import PORTS, PSW
from sim.debug.cdb import CType, DebugInfo, Symbol
from sim.errors import SimError

__all__ = ["Place", "Value", "Memory", "ValueError_", "GPTR_TAGS", "place_of", "read",
           "write", "format_value", "children", "deref", "pointer_target"]

GPTR_TAGS = {0x00: "xdata", 0x40: "idata", 0x60: "pdata", 0x80: "code"}
_TAG_OF = {"xdata": 0x00, "idata": 0x40, "data": 0x40, "pdata": 0x60, "code": 0x80}
CHAR_ARRAY_TEXT = 64  # characters of a char array shown in its summary


class ValueError_(SimError):  # noqa: N801 - not the builtin
    """A value that cannot be read, written or computed (one line for the user)."""


@dataclass(frozen=True)
class Place:
    space: str
    addrs: tuple[int, ...]
    bit: int = -1  # bit-field: the lowest bit in the first byte

    @property
    def address(self) -> int:
        return self.addrs[0] if self.addrs else 0

    def reference(self) -> str | None:
        """``space:0xADDR`` for memory that can be read as a block (DAP memory
        references), None for registers and bits."""
        if self.space in ("data", "idata", "xdata", "pdata", "code") and self.addrs:
            space = "iram" if self.space in ("data", "idata") else self.space
            if space in ("xdata", "pdata"):     # (pdata: XRAM through MOVX @Ri)
                space = "xram"
            return f"{space}:0x{self.addrs[0]:04X}"
        return None


@dataclass(frozen=True)
class Value:
    """A typed value: in memory (``place``) or computed (``number``)."""

    ctype: CType
    place: Place | None = None
    number: int | float | None = None
    missing: str = ""  # why there is no value (optimized out, frame not set up...)

    @property
    def lvalue(self) -> bool:
        return self.place is not None and not self.missing


class Memory:
    """Byte and bit access to a CPU's memories for the debugger (writes as the program's
    own MOVs would do them: a port write reaches the pins)."""

    def __init__(self, cpu: CPU) -> None:
        self.cpu = cpu

    def read(self, space: str, addr: int) -> int:
        cpu = self.cpu
        if space in ("idata", "reg"):
            return cpu.iram[addr & 0xFF]
        if space == "data":
            return cpu.read_direct(addr) if addr >= 0x80 else cpu.iram[addr]
        if space in ("xdata", "pdata"):
            return cpu.xram[addr] if 0 <= addr < len(cpu.xram) else 0xFF
        if space == "code":
            return cpu.code[addr & 0xFFFF]
        if space == "bit":
            byte = 0x20 + (addr >> 3) if addr < 0x80 else addr & 0xF8
            return cpu.read_direct(byte) >> (addr & 7) & 1
        raise ValueError_(f"no memory space {space!r}")

    def write(self, space: str, addr: int, value: int) -> None:
        cpu = self.cpu
        value &= 0xFF
        if space in ("idata", "reg"):
            cpu.iram[addr & 0xFF] = value
        elif space == "data":
            if addr >= 0x80:
                cpu.write_direct(addr, value)
            else:
                cpu.iram[addr] = value
        elif space in ("xdata", "pdata"):
            if not 0 <= addr < len(cpu.xram):
                raise ValueError_(f"xdata 0x{addr:04X} is beyond the {len(cpu.xram)} bytes "
                                  "of XRAM")
            cpu.xram[addr] = value
        elif space == "code":
            raise ValueError_("code memory is read-only (flash)")
        elif space == "bit":
            byte = 0x20 + (addr >> 3) if addr < 0x80 else addr & 0xF8
            # as SETB/CLR do it: a port's latch is read, not its pins
            old = cpu.ports.latch[PORTS[byte]] if byte in PORTS else \
                cpu.read_direct(byte) if byte >= 0x80 else cpu.iram[byte]
            new = old | 1 << (addr & 7) if value & 1 else old & ~(1 << (addr & 7))
            if byte >= 0x80:
                cpu.write_direct(byte, new & 0xFF)
            else:
                cpu.iram[byte] = new & 0xFF
        else:
            raise ValueError_(f"no memory space {space!r}")

    def block(self, space: str, addr: int, count: int) -> bytes:
        return bytes(self.read(space, addr + i) for i in range(count))

    @property
    def bank(self) -> int:
        return self.cpu.sfr[PSW] >> 3 & 3


# -- where symbols live ---------------------------------------------------------------------
_SPACE_OF_LETTER = {"C": "code", "D": "code", "E": "data", "F": "xdata", "G": "idata",
                    "H": "bit", "I": "data", "J": "bit", "P": "pdata"}


def place_of(sym: Symbol, info: DebugInfo, mem: Memory, *, bank: int = 0,
             bp: int | None = None) -> Value:
    """The value of ``sym``: where it lives now. ``bank``: the register bank of its
    function; ``bp``: the frame's ``_bp`` for stack variables (None: not known here)."""
    ctype = sym.type
    size = max(info.type_size(ctype), 1)
    if sym.space == "R":
        if not sym.regs:
            return Value(ctype, missing="optimized out (in no register here)")
        addrs = []
        for r in sym.regs:
            if len(r) == 2 and r[0] == "r" and r[1].isdigit():
                addrs.append(bank * 8 + int(r[1]))
            else:
                return Value(ctype, missing=f"in register {r}")
        return Value(ctype, Place("reg", tuple(addrs)))
    if sym.on_stack or sym.space in "AB":
        if sym.space == "A":
            return Value(ctype, missing="on the external stack (not supported)")
        if bp is None:
            return Value(ctype, missing="its stack frame is not set up here")
        start = (bp + sym.offset) & 0xFF
        return Value(ctype, Place("idata", tuple((start + i) & 0xFF for i in range(size))))
    space = _SPACE_OF_LETTER.get(sym.space)
    if space is None or sym.address is None:
        return Value(ctype, missing="no address recorded")
    if space == "bit":
        return Value(ctype, Place("bit", (sym.address,)))
    return Value(ctype, Place(space, tuple(sym.address + i for i in range(size))))


# -- reading ----------------------------------------------------------------------------
def _raw(value: Value, mem: Memory, size: int) -> int:
    assert value.place is not None
    p = value.place
    out = 0
    for i, a in enumerate(p.addrs[:size]):
        out |= mem.read(p.space, a) << (8 * i)
    return out


def read(value: Value, info: DebugInfo, mem: Memory) -> int | float:
    """The scalar a value holds (ints for integers, bits and pointers; floats for float)."""
    if value.missing:
        raise ValueError_(value.missing)
    t = value.ctype
    if value.place is None:
        if value.number is None:
            raise ValueError_("no value")
        return value.number
    if not t.is_scalar and t.kind not in ("pointer",):
        raise ValueError_(f"{t.name()} is not a number")
    p = value.place
    if p.space == "bit":
        return mem.read("bit", p.addrs[0])
    if t.kind == "bitfield":
        raw = _raw(value, mem, max(t.size, 1))
        v = raw >> t.bit_start & ((1 << t.bit_len) - 1)
        if t.signed and v >> (t.bit_len - 1) & 1:
            v -= 1 << t.bit_len
        return v
    size = t.size if t.kind != "unknown" else len(p.addrs)
    raw = _raw(value, mem, size)
    if t.kind == "float":
        return struct.unpack("<f", raw.to_bytes(4, "little"))[0]
    if t.kind in ("bit", "sbit"):
        return raw & 1
    if t.signed and t.kind not in ("pointer", "unknown") and raw >> (8 * size - 1) & 1:
        raw -= 1 << (8 * size)
    return raw


def pointer_target(value: Value, info: DebugInfo, mem: Memory) -> tuple[str, int]:
    """(space, address) a pointer value points at."""
    t = value.ctype
    raw = int(read(value, info, mem))
    if t.kind == "array":
        assert value.place is not None
        return value.place.space, value.place.address
    if t.space == "generic":
        tag = raw >> 16 & 0xFF
        space = GPTR_TAGS.get(tag & 0xE0, "xdata")
        return space, raw & 0xFFFF
    return {"data": "idata", "sfr": "data"}.get(t.space, t.space), raw & 0xFFFF


def deref(value: Value, info: DebugInfo, mem: Memory, index: int = 0) -> Value:
    """``*p`` / ``p[index]`` for a pointer or array value."""
    t = value.ctype
    target = t.target
    if t.kind not in ("pointer", "array") or target is None:
        raise ValueError_(f"{t.name()} is not a pointer or an array")
    if target.kind in ("void", "function"):
        raise ValueError_(f"cannot dereference a {t.name()}")
    size = max(info.type_size(target), 1)
    if t.kind == "array":
        if value.place is None:
            raise ValueError_("an array with no place")
        if not 0 <= index < max(t.count, 1) and t.count:
            raise ValueError_(f"index {index} outside [0, {t.count - 1}]")
        addrs = value.place.addrs[index * size:(index + 1) * size]
        if len(addrs) < size and value.place.space != "reg":
            base = value.place.address + index * size
            addrs = tuple(base + i for i in range(size))
        return Value(target, Place(value.place.space, tuple(addrs)))
    space, addr = pointer_target(value, info, mem)
    base = addr + index * size
    return Value(target, Place(space, tuple((base + i) & (0xFF if space == "idata" else 0xFFFF)
                                      for i in range(size))))


def member(value: Value, name: str, info: DebugInfo) -> Value:
    t = value.ctype
    if t.kind != "struct":
        raise ValueError_(f"{t.name()} has no member {name!r}")
    st = info.struct(t)
    if st is None:
        raise ValueError_(f"struct {t.tag} is not described in the debug information")
    if value.place is None:
        raise ValueError_("a struct with no place")
    for m in st.members:
        if m.name == name:
            size = max(info.type_size(m.type), 1)
            addrs = value.place.addrs[m.offset:m.offset + size]
            if len(addrs) < size and value.place.space != "reg":
                base = value.place.address + m.offset
                addrs = tuple(base + i for i in range(size))
            return Value(m.type, Place(value.place.space, tuple(addrs)))
    raise ValueError_(f"struct {t.tag} has no member {name!r}")


# -- writing ----------------------------------------------------------------------------
def write(value: Value, number: int | float, info: DebugInfo, mem: Memory) -> None:
    """Store a number into a scalar lvalue (wrapping integers to the type's width)."""
    if value.missing:
        raise ValueError_(f"cannot write: {value.missing}")
    if value.place is None:
        raise ValueError_("not something that can be assigned (an lvalue)")
    t = value.ctype
    p = value.place
    if not (t.is_scalar or t.kind == "pointer"):
        raise ValueError_(f"cannot assign a whole {t.name()}; assign its members or elements")
    if p.space == "bit" or t.kind in ("bit", "sbit"):
        mem.write("bit", p.addrs[0], 1 if number else 0)
        return
    if t.kind == "float":
        raw = int.from_bytes(struct.pack("<f", float(number)), "little")
        size = 4
    else:
        if isinstance(number, float):
            if not math.isfinite(number):
                raise ValueError_(f"{number} is not a {t.name()}")
            number = int(number)
        size = t.size if t.kind != "unknown" else len(p.addrs)
        if t.kind == "bitfield":
            old = _raw(value, mem, max(t.size, 1))
            mask = ((1 << t.bit_len) - 1) << t.bit_start
            raw = old & ~mask | (number << t.bit_start) & mask
            size = max(t.size, 1)
        else:
            raw = number & ((1 << (8 * size)) - 1)
    for i, a in enumerate(p.addrs[:size]):
        mem.write(p.space, a, raw >> (8 * i) & 0xFF)


# -- text ---------------------------------------------------------------------------------
def _char(v: int) -> str:
    c = v & 0xFF
    if 0x20 <= c < 0x7F and c not in (0x27, 0x5C):
        return f"'{chr(c)}'"
    return {0: "'\\0'", 10: "'\\n'", 13: "'\\r'", 9: "'\\t'", 0x27: "'\\''",
            0x5C: "'\\\\'"}.get(c, f"'\\x{c:02x}'")


def format_number(t: CType, v: int | float, hex_: bool = False) -> str:
    if t.kind == "float" or isinstance(v, float):
        return f"{v:.7g}"
    if t.kind == "pointer":
        if t.space == "generic":
            tag = v >> 16 & 0xFF
            return f"0x{v & 0xFFFF:04X} ({GPTR_TAGS.get(tag & 0xE0, f'tag 0x{tag:02X}')})"
        width = 2 if t.size == 1 else 4
        return f"{t.space}:0x{v:0{width}X}"
    if hex_:
        size = t.size if t.size else 1
        return f"0x{v & ((1 << (8 * size)) - 1):0{2 * size}X}"
    if t.kind == "char":
        return f"{v} {_char(v)}"
    if t.kind == "unknown":
        return f"{v} (0x{v:0{2 * max(t.size, 1)}X})"
    return str(v)


def format_value(value: Value, info: DebugInfo, mem: Memory, hex_: bool = False,
                 depth: int = 0) -> str:
    """The text a debugger shows for a value (summaries for arrays and structs)."""
    if value.missing:
        return f"<{value.missing}>"
    t = value.ctype
    try:
        if t.kind == "array":
            assert t.target is not None
            if t.target.kind == "char" and value.place is not None:
                data = bytes(mem.read(value.place.space, a)
                             for a in value.place.addrs[:min(t.count, CHAR_ARRAY_TEXT)])
                text = data.split(b"\0")[0]
                more = "..." if len(text) >= CHAR_ARRAY_TEXT else ""
                return '"' + _escape(text) + more + '"'
            if depth > 0:
                return f"[{t.count}]"
            parts = [format_value(deref(value, info, mem, i), info, mem, hex_, depth + 1)
                     for i in range(min(t.count, 8))]
            return "[" + ", ".join(parts) + (", ..." if t.count > 8 else "") + "]"
        if t.kind == "struct":
            if depth > 0:
                return "{...}"
            st = info.struct(t)
            if st is None:
                return "{?}"
            parts = [f"{m.name} = {format_value(member(value, m.name, info), info, mem, hex_, 1)}"
                     for m in st.members[:8]]
            return "{" + ", ".join(parts) + (", ..." if len(st.members) > 8 else "") + "}"
        if t.kind in ("void", "function"):
            return f"<{t.name()}>"
        v = read(value, info, mem)
        text = format_number(t, v, hex_)
        if t.kind == "pointer" and t.target is not None and t.target.kind == "char" \
                and depth == 0 and int(v) & 0xFFFF:
            text += " " + _c_string(value, info, mem)
        return text
    except ValueError_ as e:
        return f"<{e}>"


def _c_string(value: Value, info: DebugInfo, mem: Memory, limit: int = 32) -> str:
    space, addr = pointer_target(value, info, mem)
    out = bytearray()
    for i in range(limit):
        b = mem.read(space, (addr + i) & 0xFFFF)
        if b == 0:
            break
        out.append(b)
    return '"' + _escape(bytes(out)) + ('..."' if len(out) >= limit else '"')


def _escape(data: bytes) -> str:
    """Bytes as the inside of a C string literal."""
    out = []
    for c in data:
        if c in (0x22, 0x5C):
            out.append("\\" + chr(c))
        elif 0x20 <= c < 0x7F:
            out.append(chr(c))
        else:
            out.append({10: "\\n", 13: "\\r", 9: "\\t"}.get(c, f"\\x{c:02x}"))
    return "".join(out)


def children(value: Value, info: DebugInfo, mem: Memory) -> list[tuple[str, Value]]:
    """The parts a debugger lists under a value: elements, members, or ``*p``."""
    if value.missing:
        return []
    t = value.ctype
    if t.kind == "array":
        return [(f"[{i}]", deref(value, info, mem, i)) for i in range(t.count)]
    if t.kind == "struct":
        st = info.struct(t)
        return [] if st is None else [(m.name, member(value, m.name, info)) for m in st.members]
    if t.kind == "pointer" and t.target is not None \
            and t.target.kind not in ("void", "function"):
        try:
            if int(read(value, info, mem)) & 0xFFFF == 0:
                return []
            return [("*", deref(value, info, mem))]
        except ValueError_:
            return []
    return []


def has_children(value: Value, info: DebugInfo) -> bool:
    t = value.ctype
    if value.missing:
        return False
    if t.kind in ("array", "struct"):
        return True
    return t.kind == "pointer" and t.target is not None \
        and t.target.kind not in ("void", "function")


def pointer_to(value: Value) -> tuple[CType, int]:
    """``&value``: a pointer type to its type and the raw pointer."""
    if value.place is None or value.missing:
        raise ValueError_("cannot take the address of a value with no place in memory")
    p = value.place
    if p.space in ("reg", "bit"):
        what = "register" if p.space == "reg" else "bit"
        raise ValueError_(f"cannot take the address of a {what}")
    space = {"data": "idata"}.get(p.space, p.space)
    return (CType("pointer", 3, target=value.ctype, space="generic"),
            _TAG_OF.get(space, 0) << 16 | p.address)
