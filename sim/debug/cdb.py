"""SDCC's debug information for MCS-51: the ``.cdb`` file, read into ``DebugInfo``.

SDCC writes a ``.adb`` per module when compiling with ``--debug``; the linker, given
``--debug`` too, merges them into ``<image>.cdb`` and adds the addresses. One record per
line, the first letter its kind (facts from SDCC's "CDB File Format" document and what
SDCC 4.2 writes):

- ``M:module`` starts a module's records.
- ``S:<scope>$<name>$<level>$<block>({<size>}<type chain>),<space>,<on stack>,<offset>``
  a symbol, ``[r6,r7]`` appended for a register variable (least significant byte first; an
  empty list: no register holds it here). Scope: ``G`` global, ``F<module>`` file
  static, ``L<module>.<function>`` local (SDCC 2.x: ``L<function>``).
- ``F:`` the same for a function, then ``,<is interrupt>,<interrupt number>,<bank>``.
- ``T:F<module>$<tag>[({<offset>}S:S$<member>$...)...]`` a struct (or union) and its members.
- ``L:`` linker records: ``L:<scope>$<name>$<level>$<block>:<hex address>`` a symbol's
  address, ``L:X<scope>$<function>...:<addr>`` a function's last instruction (its RET),
  ``L:C$<file>$<line>$<level>$<block>:<addr>`` the first instruction of a C line,
  ``L:A$<module>$<asm line>:<addr>`` one of each assembled instruction.

Level and block scope locals (``{ int c; }`` blocks). SDCC 4.x spells the level
``<major>_<minor>`` (``$1_0$57``), SDCC 2.x a plain number (``$1$1``); both are read, and the
linker records of functions use the plain spelling even in SDCC 4 (``L:G$main$0$0``).

Type chain: declarators first, the specifier last: ``DA<n>d`` (SDCC 2.x ``DA<n>``) array,
``DF`` function, pointers ``DG`` generic (3 bytes: address + space tag), ``DC`` code,
``DX`` xdata, ``DD`` data, ``DI`` idata, ``DP`` pdata; specifiers ``SC`` char, ``SI`` int
(SDCC's short too), ``SL`` long (8 bytes: long long), ``SF`` float, ``SV`` void,
``ST<tag>`` struct, ``SX`` sbit, ``SB<start>$<len>`` bit-field or bit variable, each with
``:S`` signed or ``:U`` unsigned.

Address spaces: ``A`` external stack, ``B`` internal stack (offset from ``_bp``), ``C`` and
``D`` code, ``E`` data (internal RAM, overlays included), ``F`` xdata, ``G`` idata, ``H`` bit,
``I`` SFR, ``J`` sbit, ``P`` pdata, ``R`` registers, ``Z`` none.

What the ``.cdb`` lacks, read from beside it when present:

- the module ``.asm`` files (in the cdb's folder or its ``src/``): the source path each
  module was compiled from (``;\tfirmware/src/clock.c:188: ...``), and each function's
  "Allocation info" comment. SDCC 4.2 writes no symbol record for the locals of many
  functions (about a third of the clock firmware's); those are taken from that comment
  (name and where it lives: registers, a data label whose linker record gives the address,
  the stack) with their size from the label's ``.ds`` and an unknown type;
- the module ``.rst`` files (the listings with the linked addresses): the address of
  symbols the linker wrote no record for (bit variables);
- the link ``.map``: library code symbols (``__mulint``...) and ``_bp``, the frame pointer
  of reentrant functions.

Compiler temporaries are left out: string literals (``__str_N``) and spill locations
(``slocN``).
"""

from __future__ import annotations

import bisect
import re
from dataclasses import dataclass, field
from pathlib import Path

from sim.errors import SimError

__all__ = ["CType", "Symbol", "Function", "Struct", "LineRecord", "DebugInfo", "load",
           "parse", "CdbError", "SPACE_NAMES"]

SPACE_NAMES = {
    "A": "xstack", "B": "stack", "C": "code", "D": "code", "E": "data", "F": "xdata",
    "G": "idata", "H": "bit", "I": "sfr", "J": "sbit", "P": "pdata", "R": "register",
    "Z": "none", " ": "none",
}
_POINTER_SPACES = {"G": ("generic", 3), "C": ("code", 2), "X": ("xdata", 2),
                   "D": ("data", 1), "I": ("idata", 1), "P": ("pdata", 1), "S": ("sfr", 1)}
_SPEC_SIZES = {"C": 1, "I": 2, "S": 2, "L": 4, "F": 4, "Q": 4, "V": 0, "X": 1}


class CdbError(SimError):
    """A debug information file that cannot be read."""


@dataclass(frozen=True)
class CType:
    """A C type as the CDB describes it."""

    kind: str  # char short int long longlong float fixed void struct bit sbit bitfield
    #            pointer array function unknown
    size: int
    signed: bool = False
    target: CType | None = None  # pointee, element or return type
    count: int = 0  # array elements
    space: str = ""  # pointer: generic code xdata data idata pdata sfr
    tag: str = ""  # struct tag
    module: str = ""  # the module whose T record describes the struct
    bit_start: int = 0
    bit_len: int = 0

    @property
    def is_scalar(self) -> bool:
        return self.kind not in ("struct", "array", "function", "void")

    @property
    def is_integer(self) -> bool:
        return self.kind in ("char", "short", "int", "long", "longlong", "bit", "sbit",
                             "bitfield", "unknown")

    def name(self) -> str:
        """The C spelling: ``unsigned char``, ``struct point``, ``__xdata char *``..."""
        return self._name("")

    def _name(self, inner: str) -> str:
        k = self.kind
        if k == "pointer":
            space = "" if self.space == "generic" else f"__{self.space} "
            assert self.target is not None
            star = f"{space}*{inner}"
            if self.target.kind in ("array", "function"):
                star = f"({star})"
            return self.target._name(star)
        if k == "array":
            assert self.target is not None
            return self.target._name(f"{inner}[{self.count}]")
        if k == "function":
            assert self.target is not None
            return self.target._name(f"{inner}()")
        base = self._base()
        return f"{base} {inner}".strip() if inner else base

    def _base(self) -> str:
        k = self.kind
        if k == "struct":
            return f"struct {self.tag}"
        if k in ("bit", "sbit"):
            return "__bit" if k == "bit" else "__sbit"
        if k == "bitfield":
            return f"{'int' if self.signed else 'unsigned int'} :{self.bit_len}"
        if k == "unknown":
            return f"? ({self.size} byte{'s' if self.size != 1 else ''}: no type recorded)"
        if k in ("void", "float", "fixed"):
            return {"fixed": "__fixed16x16"}.get(k, k)
        if k == "char":  # SDCC's plain char is unsigned; the record cannot tell them apart
            return "signed char" if self.signed else "unsigned char"
        name = {"longlong": "long long"}.get(k, k)
        return name if self.signed else f"unsigned {name}"


@dataclass
class Symbol:
    name: str
    scope: str  # G global, F file static, L local, S struct member
    module: str | None
    function: str | None
    level: tuple[int, int]
    block: int
    type: CType
    space: str  # one of SPACE_NAMES' letters
    on_stack: bool = False
    offset: int = 0  # stack offset from _bp, or a struct member's offset
    regs: tuple[str, ...] | None = None  # register variable: r0..r7, least significant first
    address: int | None = None  # from its linker record
    typed: bool = True  # False: known only from the .asm allocation comment

    @property
    def key(self) -> tuple:
        return _key(self.scope, self.module, self.function, self.name, self.level, self.block)


@dataclass
class LineRecord:
    file: str
    line: int
    level: tuple[int, int]
    block: int
    address: int


@dataclass
class Function:
    name: str
    module: str | None
    static: bool
    returns: CType
    isr: bool = False
    interrupt: int = 0
    bank: int = 0
    start: int | None = None
    end: int | None = None  # address of its last instruction (the RET / RETI)
    locals: list[Symbol] = field(default_factory=list)
    lines: list[LineRecord] = field(default_factory=list)

    @property
    def body_start(self) -> int:
        """Its first line after the prologue: the first line record at or after its start
        for another line than the one at its start (the function's header); its start if
        it has no other."""
        start = self.start or 0
        if not self.lines:
            return start
        header = min(r.line for r in self.lines if r.address == self.lines[0].address)
        for r in self.lines:
            if r.line != header:
                return r.address
        return start

    def contains(self, addr: int) -> bool:
        return self.start is not None and self.end is not None and self.start <= addr <= self.end


@dataclass
class Struct:
    tag: str
    module: str
    members: list[Symbol]

    @property
    def size(self) -> int:
        return max((m.offset + max(m.type.size, 1) for m in self.members), default=0)


def _level(text: str) -> tuple[int, int]:
    major, _, minor = text.partition("_")
    return int(major), int(minor or 0)


def _key(scope: str, module: str | None, function: str | None, name: str,
         level: tuple[int, int], block: int) -> tuple:
    return scope, module or "", function or "", name, level, block


def _split_scope(scope: str) -> tuple[str, str | None, str | None]:
    """'G' -> (G, None, None); 'Fmod' -> (F, mod, None); 'Lmod.fn' / 'Lfn' -> (L, mod, fn)."""
    kind = scope[:1]
    rest = scope[1:]
    if kind == "F":
        return "F", rest, None
    if kind == "L":
        mod, dot, fn = rest.partition(".")
        return ("L", mod, fn) if dot else ("L", None, rest)
    return kind, None, None


# S-record body: <scope>$<name>$<level>$<block>({size}chain),space,onstack,offset[,[regs]]
_SYM = re.compile(
    r"(?P<scope>[^$]*)\$(?P<name>[^$]*)\$(?P<level>\d+(?:_\d+)?)\$(?P<block>\d+)"
    r"\(\{(?P<size>\d+)\}(?P<chain>[^)]*)\),(?P<space>[A-Z ]),(?P<onstack>-?\d+),"
    r"(?P<offset>-?\d+)(?:,\[(?P<regs>[^\]]*)\])?")
_FUNC_TAIL = re.compile(r",(-?\d+),(-?\d+),(-?\d+)\s*$")
_LINK = re.compile(r"L:(?P<body>.*):(?P<addr>[0-9A-Fa-f]+)\s*$")
_MEMBER = re.compile(r"\(\{(?P<offset>\d+)\}S:")


class DebugInfo:
    """Everything read from one image's debug files. Addresses are code addresses for
    lines and functions, and per symbol the address in its own space."""

    def __init__(self) -> None:
        self.modules: list[str] = []
        self.functions: list[Function] = []
        self.symbols: list[Symbol] = []  # globals, statics and locals
        self.structs: dict[tuple[str, str], Struct] = {}
        self.c_lines: list[LineRecord] = []  # sorted by address
        self.asm_lines: dict[str, dict[int, int]] = {}  # module -> asm line -> address
        self.instruction_starts: list[int] = []  # sorted, from the asm line records
        self.code_symbols: dict[int, str] = {}  # address -> name (functions, the map's)
        self.data_symbols: dict[str, int] = {}  # the map's data labels (_bp ...)
        self.sources: dict[str, str] = {}  # file name -> the path it was compiled from
        self.source_dirs: list[Path] = []  # where the debug files were (to resolve sources)
        self._starts: list[int] = []
        self._by_start: list[Function] = []
        self._line_addrs: list[int] = []
        self._free_lines: list[LineRecord] = []
        self._free_addrs: list[int] = []
        self._line_set: frozenset[int] = frozenset()

    # -- after parsing ----------------------------------------------------------------------
    def _finish(self) -> None:
        self.c_lines.sort(key=lambda r: (r.address, -r.line))
        funcs = sorted((f for f in self.functions if f.start is not None),
                       key=lambda f: f.start or 0)
        self._by_start = funcs
        self._starts = [f.start or 0 for f in funcs]
        for f in funcs:
            f.lines = [r for r in self.c_lines if f.contains(r.address)]
            self.code_symbols.setdefault(f.start or 0, f.name)
        self._free_lines = [r for r in self.c_lines if self.function_at(r.address) is None]
        self._free_addrs = [r.address for r in self._free_lines]
        self._line_addrs = [r.address for r in self.c_lines]
        self._line_set = frozenset(self._line_addrs)
        starts = set(self.instruction_starts) | self._line_set
        self.instruction_starts = sorted(starts)

    # -- code ------------------------------------------------------------------------------
    def function_at(self, addr: int) -> Function | None:
        i = bisect.bisect_right(self._starts, addr) - 1
        if i >= 0 and self._by_start[i].contains(addr):
            return self._by_start[i]
        return None

    def function(self, name: str, module: str | None = None) -> Function | None:
        """A function by name: a module's static one first when ``module`` is given."""
        found = [f for f in self.functions if f.name == name]
        if module is not None:
            local = [f for f in found if f.static and f.module == module]
            if local:
                return local[0]
        glob = [f for f in found if not f.static]
        return (glob or found or [None])[0]

    def line_at(self, addr: int) -> LineRecord | None:
        """The C line ``addr`` belongs to: the last line record at or before it inside the
        same function (of several at one address, the highest line: the others made no
        code)."""
        f = self.function_at(addr)
        if f is not None:
            records = f.lines
        else:  # static initializers run by the start-up code, outside any function
            records = self._free_lines
            nxt = bisect.bisect_right(self._starts, addr)
            i = bisect.bisect_right(self._free_addrs, addr) - 1
            if i < 0 or (nxt < len(self._starts) and i + 1 < len(records)
                         and records[i].address < self._starts[nxt] <= addr):
                return None
        if not records:
            return None
        addrs = [r.address for r in records]
        i = bisect.bisect_right(addrs, addr) - 1
        if i < 0:
            return None
        best = records[i]
        if f is None and (addr - best.address > 64 or self.function_at(best.address)):
            return None
        j = i
        while j > 0 and records[j - 1].address == best.address:
            j -= 1
            if records[j].line > best.line:
                best = records[j]
        return best

    def is_line_start(self, addr: int) -> bool:
        return addr in self._line_set

    @property
    def line_starts(self) -> frozenset[int]:
        return self._line_set

    def files(self) -> list[str]:
        return sorted({r.file for r in self.c_lines})

    def addresses(self, file: str, line: int) -> list[int]:
        """Code addresses where ``file``:``line`` starts (none if it made no code)."""
        return sorted({r.address for r in self.c_lines if r.file == file and r.line == line})

    def lines_with_code(self, file: str) -> list[int]:
        """Lines of ``file`` a breakpoint can be set on: those ``line_at`` reports for an
        address of their own."""
        out = set()
        for r in self.c_lines:
            if r.file == file:
                shown = self.line_at(r.address)
                if shown is not None and shown.line == r.line and shown.file == file:
                    out.add(r.line)
        return sorted(out)

    def code_symbol(self, addr: int) -> tuple[str, int] | None:
        """The nearest code symbol at or before ``addr`` and the offset from it."""
        f = self.function_at(addr)
        if f is not None and f.start is not None:
            return f.name, addr - f.start
        best = None
        for a, name in self.code_symbols.items():
            if a <= addr and (best is None or a > best[0]):
                best = (a, name)
        if best is None:
            return None
        return best[1], addr - best[0]

    # -- data ------------------------------------------------------------------------------
    def visible_locals(self, func: Function, addr: int) -> list[Symbol]:
        """The locals and parameters of ``func`` in scope at ``addr`` (inner blocks shadow
        outer ones; symbols known only from the .asm are visible function-wide)."""
        rec = self.line_at(addr)
        level, block = (rec.level, rec.block) if rec is not None else ((1 << 30, 0), 0)
        chosen: dict[str, Symbol] = {}
        for s in func.locals:
            if s.typed:
                inside = s.level < level or (s.level == level and s.block == block) \
                    or s.level[0] <= 1
                if not inside:
                    continue
            old = chosen.get(s.name)
            if old is None or (s.level, s.block) > (old.level, old.block):
                chosen[s.name] = s
        return sorted(chosen.values(), key=lambda s: (s.level, s.block, s.name))

    def globals(self) -> list[Symbol]:
        """Global and file-static data (not functions, SFRs or sbits), one per name and
        module."""
        seen = set()
        out = []
        for s in self.symbols:
            if s.scope not in ("G", "F") or s.type.kind == "function" or s.space in "IJ":
                continue
            k = (s.scope, s.module if s.scope == "F" else "", s.name)
            if k in seen:
                continue
            seen.add(k)
            out.append(s)
        return sorted(out, key=lambda s: (s.name, s.module or ""))

    def sfr_symbols(self) -> dict[str, Symbol]:
        """SFRs and sbits the firmware declared (8052.h), by name."""
        out: dict[str, Symbol] = {}
        for s in self.symbols:
            if s.space in "IJ" and s.address is not None:
                out.setdefault(s.name, s)
        return out

    def global_symbol(self, name: str, module: str | None = None) -> Symbol | None:
        """A data symbol by name: the module's static first, then a global, then the only
        static of that name anywhere."""
        cands = [s for s in self.symbols if s.name == name and s.scope in ("G", "F")
                 and s.type.kind != "function"]
        if module is not None:
            for s in cands:
                if s.scope == "F" and s.module == module:
                    return s
        for s in cands:
            if s.scope == "G":
                return s
        statics = {s.module for s in cands if s.scope == "F"}
        return cands[0] if len(statics) == 1 else None

    def struct(self, ctype: CType) -> Struct | None:
        s = self.structs.get((ctype.module, ctype.tag))
        if s is None:
            for (_, tag), st in self.structs.items():
                if tag == ctype.tag:
                    return st
        return s

    def type_size(self, ctype: CType) -> int:
        """Bytes the type occupies (structs looked up, arrays multiplied)."""
        if ctype.kind == "struct":
            st = self.struct(ctype)
            return st.size if st is not None else ctype.size
        if ctype.kind == "array" and ctype.target is not None:
            return ctype.count * self.type_size(ctype.target)
        return ctype.size

    # -- sources ---------------------------------------------------------------------------
    def source_path(self, file: str) -> Path | None:
        """An existing path for the C file of a line record (its base name): the path the
        module was compiled from, relative to the project (found above the debug files),
        else any folder of the debug files or above holding it."""
        rel = self.sources.get(file)
        for base in self.source_dirs:
            for anc in (base, *base.parents):
                for cand in ((anc / rel) if rel else None, anc / file):
                    if cand is not None and cand.is_file():
                        return cand.resolve()
        return None


# -- parsing -------------------------------------------------------------------------------
def _parse_chain(chain: str, size: int) -> CType:
    elems = [e for e in chain.split(",") if e]
    if not elems:
        return CType("void", 0)
    return _build(elems, size)


def _build(elems: list[str], size: int) -> CType:
    e = elems[0]
    if e.startswith("D"):
        d = e[1:]
        if d[:1] == "A" and len(d) > 1 and d[1].isdigit():
            count = int(d[1:].rstrip("d"))
            inner_size = size // count if count else 0
            inner = _build(elems[1:], inner_size)
            return CType("array", count * inner.size if inner.size else size, target=inner,
                         count=count)
        if d == "F":
            return CType("function", 2, target=_build(elems[1:], 0))
        space, psize = _POINTER_SPACES.get(d, ("generic", 3))
        return CType("pointer", psize, target=_build(elems[1:], 0), space=space)
    if not e.startswith("S"):
        raise ValueError(f"type element {e!r}")
    spec, _, sign = e.partition(":")
    signed = sign == "S"
    letter, extra = spec[1:2], spec[2:]
    if letter == "T":
        return CType("struct", size, signed, tag=extra)
    if letter == "B":
        start, _, length = extra.partition("$")
        n = int(length or 0)
        if n <= 1 and int(start or 0) == 0 and size <= 1:
            return CType("bit", 1, False, bit_start=0, bit_len=max(n, 1))
        return CType("bitfield", max(size, 1), signed, bit_start=int(start or 0), bit_len=n)
    if letter == "X":
        return CType("sbit", 1)
    kind = {"C": "char", "I": "int", "S": "short", "L": "long", "F": "float", "Q": "fixed",
            "V": "void"}.get(letter)
    if kind is None:
        raise ValueError(f"type specifier {e!r}")
    n = _SPEC_SIZES[letter]
    if kind == "long" and size == 8:
        kind, n = "longlong", 8
    return CType(kind, n, signed)


def _symbol(m: re.Match[str], fallback_module: str | None) -> Symbol:
    scope, module, function = _split_scope(m["scope"])
    if scope == "F" and not module:
        module = fallback_module
    size = int(m["size"])
    try:
        ctype = _parse_chain(m["chain"], size)
    except ValueError as e:
        raise CdbError(f"unknown type in {m.group(0)!r}: {e}") from None
    if ctype.kind == "struct" and not ctype.module:
        ctype = CType("struct", size, ctype.signed, tag=ctype.tag, module=fallback_module or "")
    regs = None
    if m["space"] == "R":
        text = m["regs"] or ""
        regs = tuple(r.strip().lower() for r in text.split(",") if r.strip())
    return Symbol(m["name"], scope, module, function, _level(m["level"]), int(m["block"]),
                  ctype, m["space"], m["onstack"] not in ("0", ""), int(m["offset"]), regs)


def _temporary(name: str) -> bool:
    return name.startswith("__str_") or (name.startswith("sloc") and name[4:].isdigit())


def parse(text: str) -> DebugInfo:
    """A ``DebugInfo`` from the text of a ``.cdb`` (no .asm or .map beside it)."""
    info = DebugInfo()
    module: str | None = None
    links: dict[tuple, int] = {}
    ends: dict[tuple, int] = {}
    for n, raw in enumerate(text.splitlines(), 1):
        line = raw.strip()
        if len(line) < 2 or line[1] != ":":
            continue
        kind = line[0]
        try:
            if kind == "M":
                module = line[2:]
                info.modules.append(module)
            elif kind in "SF":
                m = _SYM.match(line, 2)
                if m is None:
                    raise CdbError(f"line {n}: not a symbol record: {line[:80]}")
                sym = _symbol(m, module)
                if kind == "F":
                    tail = _FUNC_TAIL.search(line, m.end())
                    isr, num, bank = (int(x) for x in tail.groups()) if tail else (0, 0, 0)
                    assert sym.type.target is not None or sym.type.kind != "function"
                    ret = sym.type.target if sym.type.kind == "function" else sym.type
                    info.functions.append(Function(
                        sym.name, sym.module if sym.scope == "F" else module,
                        sym.scope == "F", ret or CType("void", 0), bool(isr), num, bank))
                elif not _temporary(sym.name):
                    info.symbols.append(sym)
            elif kind == "T":
                _parse_struct(info, line, module)
            elif kind == "L":
                _parse_link(info, line, links, ends)
        except CdbError:
            raise
        except (ValueError, AttributeError, TypeError, IndexError) as e:
            raise CdbError(f"line {n}: cannot read {line[:80]!r}: {e}") from None
    _attach(info, links, ends)
    info._finish()
    return info


def _parse_struct(info: DebugInfo, line: str, module: str | None) -> None:
    head, bracket, body = line[2:].partition("[")
    if not bracket:
        raise CdbError(f"not a type record: {line[:80]}")
    scope, _, tag = head.partition("$")
    mod = scope[1:] if scope.startswith("F") else (module or "")
    members: list[Symbol] = []
    for mm in _MEMBER.finditer(body):
        sm = _SYM.match(body, mm.end())
        if sm is None:
            continue
        sym = _symbol(sm, mod)
        sym.offset = int(mm["offset"])
        members.append(sym)
    info.structs[(mod, tag)] = Struct(tag, mod, members)


def _parse_link(info: DebugInfo, line: str, links: dict[tuple, int],
                ends: dict[tuple, int]) -> None:
    m = _LINK.match(line)
    if m is None:
        raise CdbError(f"not a linker record: {line[:80]}")
    body, addr = m["body"], int(m["addr"], 16)
    if body.startswith("A$"):
        _, mod, num = body.split("$")
        info.asm_lines.setdefault(mod, {})[int(num)] = addr
        info.instruction_starts.append(addr)
        return
    if body.startswith("C$"):
        parts = body.split("$")
        file, num, level, block = parts[1], int(parts[2]), _level(parts[3]), int(parts[4])
        info.c_lines.append(LineRecord(file, num, level, block, addr))
        return
    end = body.startswith("X")
    if end:
        body = body[1:]
    parts = body.split("$")
    if len(parts) != 4:
        raise CdbError(f"not a linker record: {line[:80]}")
    scope, module, function = _split_scope(parts[0])
    key = _key(scope, module, function, parts[1], _level(parts[2]), int(parts[3]))
    (ends if end else links)[key] = addr


def _attach(info: DebugInfo, links: dict[tuple, int], ends: dict[tuple, int]) -> None:
    for s in info.symbols:
        s.address = links.get(s.key)
        if s.address is None and s.scope == "L" and s.module is None:
            s.address = _by_name(links, s)
    for f in info.functions:
        scope = "F" if f.static else "G"
        k = _key(scope, f.module if f.static else None, None, f.name, (0, 0), 0)
        f.start = links.get(k)
        f.end = ends.get(k)
    # locals belong to their function (SDCC 2.x names only the function)
    by_name: dict[tuple[str | None, str], Function] = {}
    for f in info.functions:
        by_name[(f.module, f.name)] = f
        by_name.setdefault((None, f.name), f)
    for s in info.symbols:
        if s.scope == "L":
            f = by_name.get((s.module, s.function or "")) or by_name.get((None, s.function or ""))
            if f is not None:
                f.locals.append(s)
                if s.module is None:
                    s.module = f.module


def _by_name(links: dict[tuple, int], s: Symbol) -> int | None:
    for (scope, _mod, fn, name, level, block), addr in links.items():
        if scope == "L" and fn == s.function and name == s.name and level == s.level \
                and block == s.block:
            return addr
    return None


# -- the files beside the .cdb ----------------------------------------------------------------
_ASM_SOURCE = re.compile(r"^;\t(\S[^\n]*?\.c):\d+: ", re.M)
_ALLOC_HEAD = re.compile(r";Allocation info for local variables in function '(\w+)'\n;-+\n"
                         r"((?:;(?!-)[^\n]*\n)*)")
_ALLOC_LINE = re.compile(r";(\w+)\s+Allocated (.*?)\s*$")
_DS = re.compile(r"^(\w+)::?\s*\n\s*\.ds\s+(\d+)", re.M)
_RST_EQU = re.compile(r"^\s+[0-9A-F]{6}\s+\d+\s+(\S+\$\S+)==\.\s*$")
_RST_LABEL = re.compile(r"^\s+([0-9A-F]{6})\s+\d+\s+\w+::?\s*$")
_MAP_AREA = re.compile(r"^(\w+)\s+([0-9A-F]{8})\s+([0-9A-F]{8})\s*=.*\(([^)]*)\)")
_MAP_SYM = re.compile(r"^(?:[A-Z]:)?\s+([0-9A-F]{8})\s+(\S+)(?:\s+(\S+))?\s*$")


def _read_asm(info: DebugInfo, module: str, text: str, links_by_label: dict) -> None:
    m = _ASM_SOURCE.search(text)
    if m is not None:
        path = m.group(1)
        info.sources.setdefault(Path(path).name, path)
    sizes = {label: int(n) for label, n in _DS.findall(text)}
    known = {(s.function, s.name) for s in info.symbols if s.scope == "L"}
    funcs = {f.name: f for f in info.functions if f.module == module}
    for head in _ALLOC_HEAD.finditer(text):
        fname = head.group(1)
        func = funcs.get(fname)
        if func is None:
            continue
        for row in head.group(2).splitlines():
            am = _ALLOC_LINE.match(row)
            if am is None:
                continue
            name, where = am.groups()
            if (fname, name) in known:
                continue
            sym = _untyped(module, fname, name, where, sizes, links_by_label)
            if sym is not None:
                func.locals.append(sym)
                info.symbols.append(sym)


def _untyped(module: str, fname: str, name: str, where: str, sizes: dict[str, int],
             links: dict) -> Symbol | None:
    """A local from the .asm allocation comment (no symbol record): where it lives."""
    def make(space: str, size: int, **kw: object) -> Symbol:
        return Symbol(name, "L", module, fname, (1, 0), 0, CType("unknown", size), space,
                      typed=False, **kw)  # type: ignore[arg-type]

    if where.startswith("to registers"):
        regs = tuple(r.lower() for r in where[len("to registers"):].split())
        return make("R", max(len(regs), 1), regs=regs)
    if where.startswith("with name"):
        label = where.split("'")[1] if "'" in where else ""
        addr = links.get((module, fname, name))
        if addr is None:
            return None
        return make("E", sizes.get(label, 1), address=addr)
    if where.startswith("to stack - _bp"):
        try:
            offset = int(where[len("to stack - _bp"):].replace(" ", ""))
        except ValueError:
            return None
        return make("B", 1, on_stack=True, offset=offset)
    return None


def _read_rst(info: DebugInfo, text: str) -> None:
    """Addresses of symbols without a linker record, from the label after their equate."""
    missing = {s.key: s for s in info.symbols if s.address is None and s.space not in "RBZ"}
    if not missing:
        return
    pending: str | None = None
    for line in text.splitlines():
        m = _RST_EQU.match(line)
        if m is not None:
            pending = m.group(1)
            continue
        if pending is None:
            continue
        lm = _RST_LABEL.match(line)
        if lm is None:
            continue
        parts = pending.split("$")
        pending = None
        if len(parts) != 4:
            continue
        scope, module, function = _split_scope(parts[0])
        key = _key(scope, module, function, parts[1], _level(parts[2]), int(parts[3]))
        sym = missing.get(key)
        if sym is not None:
            sym.address = int(lm.group(1), 16)


def _read_map(info: DebugInfo, text: str) -> None:
    area_is_code = False
    for line in text.splitlines():
        am = _MAP_AREA.match(line)
        if am is not None:
            area_is_code = "CODE" in am.group(4)
            continue
        sm = _MAP_SYM.match(line)
        if sm is None:
            continue
        addr, name = int(sm.group(1), 16), sm.group(2)
        if "$" in name or name.startswith(("s_", "l_")) or name[0].isdigit():
            continue
        if area_is_code:
            info.code_symbols.setdefault(addr, name[1:] if name.startswith("_") else name)
        else:
            info.data_symbols.setdefault(name, addr)


def load(path: str | Path) -> DebugInfo:
    """Read ``path`` (a .cdb), and the module .asm files (beside it or in its ``src/``) and
    the .map beside it when they exist. ``CdbError`` (one line) if it cannot be read."""
    path = Path(path)
    try:
        text = path.read_text(errors="replace")
    except OSError as e:
        raise CdbError(f"{path}: {e.strerror or e}") from None
    info = parse(text)
    info.source_dirs = [path.resolve().parent]
    links_by_label = _local_links(text)
    for module in info.modules:
        for folder in (path.parent, path.parent / "src"):
            asm = folder / f"{module}.asm"
            if asm.is_file():
                _read_asm(info, module, asm.read_text(errors="replace"), links_by_label)
                rst = asm.with_suffix(".rst")
                if rst.is_file():
                    _read_rst(info, rst.read_text(errors="replace"))
                break
    mp = path.with_suffix(".map")
    if mp.is_file():
        _read_map(info, mp.read_text(errors="replace"))
    for f in info.functions:
        f.locals.sort(key=lambda s: (s.level, s.block, s.name))
    return info


def _local_links(text: str) -> dict[tuple[str | None, str | None, str], int]:
    """(module, function, name) -> address of every local's linker record."""
    out: dict[tuple[str | None, str | None, str], int] = {}
    for m in re.finditer(r"^L:L([^$]*)\$([^$]*)\$[^:]*:([0-9A-Fa-f]+)\s*$", text, re.M):
        mod, dot, fn = m.group(1).partition(".")
        key = (mod, fn, m.group(2)) if dot else (None, mod, m.group(2))
        out[key] = int(m.group(3), 16)
    return out
