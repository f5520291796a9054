"""Call and jump relaxation for SDCC's MCS-51 link: LCALL/LJMP (3 bytes) become ACALL/AJMP
(2 bytes) where the target lies in the same 2 KB page as the instruction after them.

SDCC writes every call and long jump as LCALL/LJMP; its `--acall-ajmp` is only safe for an
image under 2 KB, and sdld does not relax. This script is the dev-platform's link step
(builder/main.py runs it in place of the plain `sdcc ... -o firmware.ihx *.rel`):

    python relax.py [--keep-order] -- sdcc -mmcs51 ... --code-size N [--debug] -o OUT.ihx A.rel ...

1. For every object with SDCC's `.asm` beside it, the sites: LCALL/LJMP to a plain symbol in
   the relocatable code areas (CSEG, the start-up's GSINIT*/GSFINAL, and HOME after its
   last `.ds`: the interrupt vectors before it are padded to fixed slots), and not an entry
   of a jump table (the LJMP/LCALLs after `JMP @A+DPTR`, or at a label whose address the
   code uses as data, `#label` or `.dw label`: reached by offsets computed in threes), and
   not in a block that uses the location counter (`.`) in an operand (a hand-written
   offset might span a site).
2. A copy of each such `.asm` in `<build>/relax/` (same line numbers; its first line, a
   comment, becomes the DO-NOT-EDIT banner) has the chosen sites written short; the copies
   are assembled as SDCC does (`sdas8051 -plosgffw`, `y` with `--debug`) and linked with
   the same command, in `<build>/relax/`. SDCC's own files are left as they are.
3. After each link the final addresses are read from the linker's listings (`.rst`, one
   per module: the address of every label and instruction by line) and its `.map` (the
   global symbols, library ones included). A site is short when the page (address bits
   15..11) of the address after it equals its target's page, and the page of its operand
   byte (sdld's check: a 2-byte site at 0x..7FE is left long). First every site that fits
   is shortened; then, link after link, each short site that the shift moved out of its
   page is written long again, until none is; then the long sites that now fit are
   shortened (each site at most once, so the loop ends) and the check runs again.
4. The last link is the given command itself (its `-o`, its code limit): the image, `.map`,
   `.mem` (and `.cdb` with `--debug`) land where the plain link puts them, and each module's
   relocated listing is copied to `<module>.rst` beside its `.rel` (where the plain link
   leaves it, and where the debugger and the profiler read addresses). A short site out of
   its page there, or sdld's "2K Page relocation error": then one warning line and the
   plain link (the objects as SDCC wrote them), never a wrong image.

5. The order of the objects on the link line decides which calls land in the same page.
   Unless `--keep-order`, the objects after the first (main, whose areas lead the image)
   are linked in the order that shortens the most sites: a model of the link (Layout: each
   object's part of each code area follows the parts before it, less a byte for each site
   written short before it, the library's after them; from one plain link) runs the loop
   of 3. for an order in about a millisecond, without linking; a climb (each object moved
   to each other place while a move shortens more), then climbs from the best order with
   three objects moved by a fixed-seed generator, judge MAX_EVALS orders at most (about
   3 s). The loop then runs on real links in that order and in the given one, and the
   given order is kept unless the chosen one shortens more.

Intermediate links use a 64 KB code limit, so an image that only fits once relaxed is built.
ACALL and AJMP take as many machine cycles as LCALL and LJMP (2), and push the same return
address: each instruction's time and stack use are unchanged (a path that depends on where
constants lie, a pointer's carry into its high byte, may take a cycle more or less).
Deterministic: the same objects give the same image. Exit status: the final link's, or 1
with one line on stderr.
"""

from __future__ import annotations

import bisect
import os
import random
import re
import shutil
import subprocess
import sys
from collections.abc import Callable
from dataclasses import dataclass, field

PAGE = 0xF800          # address bits of the 2 KB page an ACALL/AJMP reaches
ANY_CODE_SIZE = "65536"
SHORT = {"lcall": "acall", "ljmp": "ajmp"}
# relocatable code areas: CSEG (the functions), the start-up's GSINIT*/GSFINAL, and HOME
# after the last `.ds` of the module's HOME (the interrupt vectors' slots are padded to
# fixed addresses by .ds: a site before one would move the vectors after it)
RELAXED_AREAS = {"CSEG", "GSFINAL", "GSINIT", *(f"GSINIT{i}" for i in range(6))}
PADDED_AREA = "HOME"
PAGE_ERROR = "2K Page relocation error"
MAX_LINKS = 64         # the loop ends long before (each site changes at most twice)

_LABEL = re.compile(r"\s*(\d+\$|[A-Za-z_.$][\w.$]*)\s*::?")
_LOCAL = re.compile(r"\d+\$")
_SYMBOL = re.compile(r"[A-Za-z_$][\w.$]*|\d+\$")
_AREA = re.compile(r"\s*\.area\s+(\w+)", re.I)
_DOT = re.compile(r"(?<![\w$.])\.(?![\w$.])")   # the location counter in an expression
_MAP_SYM = re.compile(r"^\s*[A-Z]:\s+([0-9A-Fa-f]+)\s+(\S+)", re.M)


class RelaxError(Exception):
    """A link that cannot be relaxed (one line)."""


@dataclass(frozen=True)
class Site:
    """An LCALL/LJMP the relaxation may write short: 1-based line of its .asm."""
    line: int
    short: str              # "acall" or "ajmp"
    operand: str
    block: int              # local labels (n$) resolve within the block of normal labels


@dataclass
class Module:
    """One object's .asm, its sites and labels."""
    rel: str                # the object SDCC made
    asm: str                # SDCC's .asm beside it
    work_rel: str           # the relaxed copy's object
    lines: list[str]
    sites: list[Site] = field(default_factory=list)
    labels: dict[tuple[int, str], int] = field(default_factory=dict)  # (block, n$) -> line
    names: dict[str, int] = field(default_factory=dict)               # name -> line

    @property
    def work_asm(self) -> str:
        return self.work_rel[:-4] + ".asm"

    @property
    def work_rst(self) -> str:
        """The relaxed copy's relocated listing (sdld writes it beside the object)."""
        return self.work_rel[:-4] + ".rst"

    def text(self, short: set[int]) -> str:
        """The .asm with the sites on the lines ``short`` written short."""
        out = list(self.lines)
        out[0] = (f"; DO NOT EDIT: {os.path.basename(self.asm)} as SDCC wrote it, with its "
                  "LCALL/LJMP to the same 2 KB page as ACALL/AJMP (builder/relax.py)\n")
        for site in self.sites:
            if site.line in short:
                out[site.line - 1] = _shorten(out[site.line - 1])
        return "".join(out)


def _shorten(line: str) -> str:
    """The line with its LCALL/LJMP mnemonic replaced by ACALL/AJMP, case kept."""
    def swap(m: re.Match[str]) -> str:
        word = m.group(0)
        new = SHORT[word.lower()]
        return new.upper() if word.isupper() else new
    return re.sub(r"\b(?:lcall|ljmp)\b", swap, line, count=1, flags=re.I)


def _code(line: str) -> str:
    """The line without its comment (no string literal of SDCC's code holds a ';' before a
    mnemonic we look at: .ascii lines are never sites)."""
    return line.split(";", 1)[0]


@dataclass(frozen=True)
class _Line:
    """One .asm line as the relaxation sees it."""
    no: int
    area: str
    block: int
    labels: tuple[str, ...]     # labels defined on it
    op: str                     # mnemonic (lower case), directive (".db"), or ""
    operand: str


def _scan(lines: list[str]) -> list[_Line]:
    area = ""
    block = 0
    out = []
    for no, raw in enumerate(lines, 1):
        code = _code(raw)
        am = _AREA.match(code)
        if am:
            area = am.group(1).upper()
            out.append(_Line(no, area, block, (), ".area", ""))
            continue
        labels = []
        while True:     # labels (several may lead a line; an instruction may follow them)
            lm = _LABEL.match(code)
            if not lm:
                break
            if not _LOCAL.fullmatch(lm.group(1)):
                block += 1
            labels.append(lm.group(1))
            code = code[lm.end():]
        words = code.split(None, 1)
        op = words[0].lower() if words and "=" not in code else ""   # (C$...$ ==. defines)
        out.append(_Line(no, area, block, tuple(labels), op,
                         words[1].strip() if op and len(words) > 1 else ""))
    return out


_DATA_DIRECTIVES = (".db", ".dw", ".byte", ".word", ".fcb", ".fdb")


def _operands(text: str) -> list[str]:
    """An instruction's operands: split at the commas outside parentheses, stripped."""
    out, depth, start = [], 0, 0
    for i, ch in enumerate(text):
        depth += (ch == "(") - (ch == ")")
        if ch == "," and depth == 0:
            out.append(text[start:i].strip())
            start = i + 1
    out.append(text[start:].strip())
    return out


def _data_refs(scanned: list[_Line]) -> set[tuple[int, str]]:
    """Labels whose address the code uses as data (``#label``, ``.dw label``...): (block,
    name) for a local label, (-1, name) for another. A jump or call at such a label may be
    reached by computed offsets (a table), so its size must stay."""
    refs = set()
    for ln in scanned:
        if ln.op in _DATA_DIRECTIVES:
            text = ln.operand
        elif ln.op and not ln.op.startswith("."):
            text = " ".join(arg for arg in _operands(ln.operand) if arg.startswith("#"))
        else:
            continue
        for tok in re.findall(r"\d+\$|[A-Za-z_$][\w.$]*", text):
            refs.add((ln.block, tok) if _LOCAL.fullmatch(tok) else (-1, tok))
    return refs


def parse_asm(rel: str, asm: str, work_rel: str, text: str) -> Module:
    """The sites and labels of one module's .asm text."""
    lines = text.splitlines(keepends=True)
    mod = Module(rel=rel, asm=asm, work_rel=work_rel, lines=lines)
    if not lines or not lines[0].lstrip().startswith(";"):
        return mod          # no comment line for the banner: left as it is
    scanned = _scan(lines)
    refs = _data_refs(scanned)
    uses_dot: set[int] = set()
    table = False           # in a jump table: after JMP @A+DPTR or at a label used as data
    candidates: list[Site] = []
    padded: list[Site] = []     # HOME sites with no .ds after them yet
    for ln in scanned:
        for name in ln.labels:
            if _LOCAL.fullmatch(name):
                mod.labels[(ln.block, name)] = ln.no
                table |= (ln.block, name) in refs
            else:               # a new function, or a table whose address is taken
                mod.names[name] = ln.no
                table = (-1, name) in refs
        if ln.area == PADDED_AREA and ln.op in (".ds", ".blkb", ".org"):
            padded.clear()      # the sites before it are in fixed slots
        if not ln.op or ln.op.startswith("."):
            continue        # blank, label only, directive, or symbol definition
        if _DOT.search(ln.operand):
            uses_dot.add(ln.block)
        if ln.op == "jmp" and ln.operand.replace(" ", "").lower() == "@a+dptr":
            table = True
            continue
        if ln.op in SHORT and table:
            continue        # a table entry: its size is part of the table's stride
        table = False
        if ln.op in SHORT and _SYMBOL.fullmatch(ln.operand):
            site = Site(ln.no, SHORT[ln.op], ln.operand, ln.block)
            if ln.area in RELAXED_AREAS:
                candidates.append(site)
            elif ln.area == PADDED_AREA:
                padded.append(site)
    candidates += padded
    mod.sites = sorted((s for s in candidates if s.block not in uses_dot),
                       key=lambda s: s.line)
    return mod


def in_page(addr: int, target: int, is_short: bool) -> bool:
    """Whether a site at ``addr`` reaches ``target`` written short: the CPU takes the page
    of the address after it, sdld checks the page of its operand byte (addr + 1); both must
    be the target's (so never at 0x..7FE). A long site is judged as if it alone were
    written short: the code up to a target after it would move down by one."""
    if not is_short and target > addr:
        target -= 1
    after = addr + 2
    return (after & PAGE) == (target & PAGE) and ((addr + 1) & PAGE) == (after & PAGE)


def read_listing(path: str) -> dict[int, int]:
    """asm line -> linked address, from sdld's relocated listing (.rst, sdas8051 -plosgffw
    columns: address in 6..11, the line number right-aligned in 34..38)."""
    out: dict[int, int] = {}
    with open(path, errors="replace") as f:
        for line in f:
            addr, no = line[6:12], line[34:39].strip()
            if len(line) < 39 or not no.isdigit() or not addr.strip():
                continue
            try:
                out[int(no)] = int(addr, 16)
            except ValueError:
                continue
    return out


def read_map(path: str) -> dict[str, int]:
    """Global symbol -> address, from sdld's .map."""
    with open(path, errors="replace") as f:
        return {m.group(2): int(m.group(1), 16) for m in _MAP_SYM.finditer(f.read())}


_MAP_AREA = re.compile(r"^(\S+)\s+([0-9A-Fa-f]+)\s+([0-9A-Fa-f]+)\s+=\s+\d+\. bytes "
                       r"\(([^)]*)\)", re.M)
_RADIX = {"X": 16, "D": 10, "Q": 8}


def read_code_areas(path: str) -> list[tuple[str, int, int]]:
    """(name, start, size) of the relocatable code areas of sdld's .map, in address order."""
    with open(path, errors="replace") as f:
        found = {m.group(1): (int(m.group(2), 16), int(m.group(3), 16))
                 for m in _MAP_AREA.finditer(f.read())
                 if {"REL", "CODE"} <= set(m.group(4).split(","))}
    return sorted(((name, start, size) for name, (start, size) in found.items()),
                  key=lambda a: (a[1], a[2] != 0, a[0]))


def read_areas(path: str) -> dict[str, tuple[int, int]]:
    """Every area of sdld's .map: name -> (start, size)."""
    with open(path, errors="replace") as f:
        return {m.group(1): (int(m.group(2), 16), int(m.group(3), 16))
                for m in _MAP_AREA.finditer(f.read())}


def read_rel_areas(path: str) -> dict[str, int]:
    """Area name -> size in one object file (its `A NAME size N flags F ...` lines)."""
    out: dict[str, int] = {}
    with open(path, errors="replace") as f:
        radix = _RADIX.get(f.read(1), 16)
        f.seek(0)
        for line in f:
            words = line.split()
            if len(words) >= 4 and words[0] == "A" and words[2] == "size":
                out[words[1]] = out.get(words[1], 0) + int(words[3], radix)
    return out


CHECKED_ORDERS = 40     # the best orders linked to check their RAM, at most
_MEM_STACK = re.compile(r"Stack starts at: (0x[0-9a-fA-F]+)")
_MEM_XRAM = re.compile(r"^\s*(?:PAGED EXT\. RAM|EXTERNAL RAM).*$", re.M)
REST = -1               # an area's part after the objects' (the library's code)
MAX_EVALS = 2500        # layouts the order search judges (about 1 ms each)


@dataclass(frozen=True)
class _Placed:
    """A site and its target as (area, object, offset in that object's part of the area)."""
    seg: tuple[str, int]
    off: int
    target_seg: tuple[str, int]
    target_off: int


class Layout:
    """The link modelled without linking: each object's part of each code area is laid out
    in the order of the objects on the link line (the library's after them), less one byte
    per site written short before it. From one plain link of the given order; judges any
    order by the relaxation loop of Relaxer.run run on modelled addresses."""

    def __init__(self, areas: list[tuple[str, int, int]], sizes: dict[tuple[str, int], int],
                 order: list[int]) -> None:
        self.areas = [(name, start) for name, start, _ in areas]
        self.sizes = dict(sizes)
        for name, _, size in areas:     # what the objects do not fill is the library's
            self.sizes[(name, REST)] = size - sum(self.sizes.get((name, i), 0) for i in order)
        self.bases = self._bases(order, {})
        self.sites: dict[tuple[int, int], _Placed] = {}
        self.ram: tuple[dict[int, int], list[tuple[int, int]], int] = ({}, [], 0)
        self.ram_limit: int | None = None

    def _bases(self, order: list[int], per: dict[tuple[str, int], list[int]]
               ) -> dict[tuple[str, int], int]:
        bases = {}
        removed = 0
        for name, start in self.areas:
            addr = start - removed      # the code areas follow one another
            for i in (*order, REST):
                seg = (name, i)
                bases[seg] = addr
                n = len(per.get(seg, ()))
                addr += self.sizes.get(seg, 0) - n
                removed += n
        return bases

    def locate(self, addr: int, obj: int | None = None) -> tuple[tuple[str, int], int] | None:
        """(segment, offset) of an address of the plain link, in object ``obj`` (None: any,
        the library's included)."""
        end = None
        for seg, base in self.bases.items():
            if obj is not None and seg[1] != obj:
                continue
            size = self.sizes.get(seg, 0)
            if base <= addr < base + size:
                return seg, addr - base
            if addr == base + size and size:
                end = (seg, size)       # a label at the end of a part
        return end

    def add(self, key: tuple[int, int], obj: int, addr: int, target: int,
            target_obj: int | None) -> None:
        site, goal = self.locate(addr, obj), self.locate(target, target_obj)
        if site is not None and goal is not None:
            self.sites[key] = _Placed(site[0], site[1], goal[0], goal[1])

    def _compile(self) -> None:
        """The sites as rows of numbers for _judge: (segment, offset, how many sites of its
        segment lie before it) for the site and for its target; a segment is a number
        (self.segs: area, object)."""
        self.keys = list(self.sites)
        self.segs = list(self.sizes)
        sid = {seg: n for n, seg in enumerate(self.segs)}
        offsets: list[list[int]] = [[] for _ in self.segs]
        for p in self.sites.values():
            offsets[sid[p.seg]].append(p.off)
        for offs in offsets:
            offs.sort()
        self.members: list[list[int]] = [[] for _ in self.segs]
        for k in sorted(range(len(self.keys)), key=lambda k: self.sites[self.keys[k]].off):
            self.members[sid[self.sites[self.keys[k]].seg]].append(k)
        self.rows = [(sid[p.seg], p.off, bisect.bisect_left(offsets[sid[p.seg]], p.off),
                      sid[p.target_seg], p.target_off,
                      bisect.bisect_left(offsets[sid[p.target_seg]], p.target_off))
                     for p in (self.sites[key] for key in self.keys)]
        self.sid = sid

    def _judge(self, order: list[int], short: list[bool]) -> list[bool]:
        """Site k (in self.keys) -> in page, with the sites ``short[k]`` written short
        (in_page, inlined: this is the order search's inner loop)."""
        before = []         # segment -> short sites before its r-th site, r = 0..all
        for members in self.members:
            acc = [0]
            for k in members:
                acc.append(acc[-1] + short[k])
            before.append(acc)
        bases = [0] * len(self.segs)
        removed = 0
        sid, sizes = self.sid, self.sizes
        for name, start in self.areas:
            addr = start - removed      # the code areas follow one another
            for i in (*order, REST):
                n = sid.get((name, i))
                if n is None:
                    continue
                bases[n] = addr
                cut = before[n][-1]
                addr += sizes[(name, i)] - cut
                removed += cut
        out = []
        for k, (seg, off, rank, tseg, toff, trank) in enumerate(self.rows):
            addr = bases[seg] + off - before[seg][rank]
            target = bases[tseg] + toff - before[tseg][trank]
            if not short[k] and target > addr:
                target -= 1
            after = (addr + 2) & PAGE
            out.append(after == target & PAGE and (addr + 1) & PAGE == after)
        return out

    def fits(self, order: list[int], short: set[tuple[int, int]]
             ) -> dict[tuple[int, int], bool]:
        """Every site -> whether it is (or would be, written short) in page."""
        self._compile()
        fits = self._judge(order, [key in short for key in self.keys])
        return dict(zip(self.keys, fits, strict=True))

    def relax(self, order: list[int]) -> set[tuple[int, int]]:
        """The sites Relaxer.run's loop would write short, linking in ``order``."""
        self._compile()
        return {self.keys[k] for k, on in enumerate(self._loop(order)) if on}

    def _loop(self, order: list[int]) -> list[bool]:
        """_relax_loop on lists (site k short or not), for speed."""
        n = len(self.rows)
        short, tried = [False] * n, [False] * n
        for _ in range(MAX_LINKS):
            fits = self._judge(order, short)
            moved_out = [k for k in range(n) if short[k] and not fits[k]]
            for k in moved_out:
                short[k] = False
            if moved_out:
                continue
            new = [k for k in range(n) if fits[k] and not short[k] and not tried[k]]
            if not new:
                return short
            for k in new:
                short[k] = tried[k] = True
        raise RelaxError(f"no stable layout after {MAX_LINKS} links")

    def set_ram(self, data: dict[int, int], reserved: list[tuple[int, int]], overlay: int,
                iseg: int, order: list[int]) -> bool:
        """The internal RAM model: each object's DSEG part (``data``) placed first-fit in
        link order around the ``reserved`` (start, size) ranges (register banks, the bit
        area), then the overlay; ISEG follows the highest byte used. True if it gives the
        plain link's ISEG start back (then Relaxer links no order that would move it up)."""
        self.ram = (data, reserved, overlay)
        self.ram_limit = self.ram_top(order) if self.ram_top(order) == iseg else None
        return self.ram_limit is not None

    def ram_top(self, order: list[int]) -> int:
        """Where ISEG would start, the objects linked in ``order`` (see set_ram)."""
        data, reserved, overlay = self.ram
        used = bytearray(256)
        for start, size in reserved:
            used[start:start + size] = b"\1" * size
        for size in (*(data.get(i, 0) for i in order), overlay):
            if size:
                at = used.find(b"\0" * size)
                if at < 0:
                    return 256
                used[at:at + size] = b"\1" * size
        return len(used.rstrip(b"\0"))

    def _score(self, order: list[int]) -> int:
        self.evals += 1
        score = sum(self._loop(order))
        self.judged.setdefault(tuple(order), score)
        return score

    def ranked(self) -> list[tuple[list[int], int]]:
        """The orders best_order judged, the most sites short first (then in the order
        they were judged), without those the RAM model says would use more internal RAM
        than the given order (set_ram)."""
        return [(list(order), score) for order, score in
                sorted(self.judged.items(), key=lambda item: -item[1])
                if self.ram_limit is None or self.ram_top(list(order)) <= self.ram_limit]

    def best_order(self, order: list[int], evals: int = MAX_EVALS) -> tuple[list[int], int]:
        """A link order (the first object stays first) with more sites short, and how many:
        a climb from the given order (each object moved to each other place, a move kept
        when it shortens more, until none does), then climbs from the best order with three
        objects moved at random, until ``evals`` layouts were judged or every site is short.
        Deterministic: the random moves come from a generator with a fixed seed."""
        rng = random.Random(0)
        self.evals = 0
        self.judged: dict[tuple[int, ...], int] = {}
        self._compile()
        best, score = self._climb(order, evals)
        n = len(order)
        while self.evals < evals and score < len(self.sites):
            start = list(best)
            for _ in range(3):
                start.insert(rng.randrange(1, n), start.pop(rng.randrange(1, n)))
            cand, got = self._climb(start, evals)
            if got > score:
                best, score = cand, got
        return best, score

    def _climb(self, order: list[int], evals: int) -> tuple[list[int], int]:
        best, score = list(order), self._score(order)
        n = len(order)
        improved = True
        while improved and self.evals < evals and score < len(self.sites):
            improved = False
            for i in range(1, n):
                for j in range(1, n):
                    if i == j or self.evals >= evals:
                        continue
                    cand = list(best)
                    cand.insert(j, cand.pop(i))
                    got = self._score(cand)
                    if got > score:
                        best, score, improved = cand, got, True
        return best, score


def _relax_loop(fits_of: Callable[[set[tuple[int, int]]], dict[tuple[int, int], bool]]
                ) -> set[tuple[int, int]]:
    """The relaxation loop on a layout judge (short sites -> every site in page or not):
    first every site that fits is written short; then each short site out of its page is
    written long again, until none is; then the long sites that now fit, each at most once."""
    short: set[tuple[int, int]] = set()
    tried: set[tuple[int, int]] = set()
    for _ in range(MAX_LINKS):
        fits = fits_of(short)
        moved_out = {k for k in short if not fits.get(k, False)}
        if moved_out:
            short -= moved_out
            continue
        new = {k for k, ok in fits.items() if ok and k not in short and k not in tried}
        if not new:
            return short
        short |= new
        tried |= new
    raise RelaxError(f"no stable layout after {MAX_LINKS} links")


def resolved(modules: dict[int, Module], listings: dict[int, dict[int, int]],
             symbols: dict[str, int]) -> list[tuple[tuple[int, int], int, int, int | None]]:
    """(site, its address, its target's address, the target's object or None for a
    global symbol) of every site whose addresses the link gives."""
    out = []
    for i, mod in modules.items():
        where = listings[i]
        for s in mod.sites:
            addr = where.get(s.line)
            obj: int | None = i
            if _LOCAL.fullmatch(s.operand):
                line = mod.labels.get((s.block, s.operand))
                target = where.get(line) if line is not None else None
            elif s.operand in mod.names:
                target = where.get(mod.names[s.operand])
            else:
                target, obj = symbols.get(s.operand), None
            if addr is not None and target is not None:
                out.append(((i, s.line), addr, target, obj))
    return out      # (unresolved, an assigned symbol...: stays long)


@dataclass
class LinkCommand:
    """The plain link command and where its parts are."""
    argv: list[str]
    out: str
    objects: list[int]              # indices of the .rel arguments
    code_size: int | None           # index of --code-size's value
    debug: bool

    @classmethod
    def parse(cls, argv: list[str]) -> LinkCommand:
        if not argv:
            raise RelaxError("no link command after --")
        out = None
        code_size = None
        objects = []
        for i, arg in enumerate(argv):
            if arg == "-o" and i + 1 < len(argv):
                out = argv[i + 1]
            elif arg == "--code-size" and i + 1 < len(argv):
                code_size = i + 1
            elif arg.endswith(".rel") and argv[i - 1] != "-o":
                objects.append(i)
        if out is None or not out.endswith(".ihx"):
            raise RelaxError("the link command names no -o OUT.ihx")
        return cls(argv, out, objects, code_size, "--debug" in argv)

    def with_objects(self, rels: dict[int, str], out: str | None = None,
                     code_size: str | None = None) -> list[str]:
        argv = list(self.argv)
        for i, rel in rels.items():
            argv[i] = rel
        if out is not None:
            argv[argv.index("-o") + 1] = out
        if code_size is not None and self.code_size is not None:
            argv[self.code_size] = code_size
        return argv


class Relaxer:
    """The relaxation loop over one link command."""

    def __init__(self, argv: list[str], assembler: str = "sdas8051",
                 reorder: bool = True) -> None:
        self.cmd = LinkCommand.parse(argv)
        self.assembler = assembler
        self.build = os.path.dirname(self.cmd.out) or "."
        self.work = os.path.join(self.build, "relax")
        self.modules: dict[int, Module] = {}
        self.written: dict[int, str] = {}
        self.links = 0
        self.order = list(self.cmd.objects)    # the command's objects, as linked
        self.reorder = reorder
        self.predicted: int | None = None       # sites short in the chosen order, modelled
        for i in self.cmd.objects:
            rel = self.cmd.argv[i]
            asm = rel[:-4] + ".asm"
            if not os.path.isfile(asm):
                continue    # an object we have no source of: linked as it is
            inside = os.path.relpath(rel, self.build)
            if inside.startswith(".."):
                inside = os.path.join("_", os.path.basename(rel))
            with open(asm, errors="replace") as f:
                self.modules[i] = parse_asm(rel, asm, os.path.join(self.work, inside), f.read())

    @property
    def sites(self) -> int:
        """How many LCALL/LJMP the relaxation may write short, in all modules."""
        return sum(len(m.sites) for m in self.modules.values())

    # -- one link ------------------------------------------------------------------------

    def _write(self, short: set[tuple[int, int]]) -> None:
        for i, mod in self.modules.items():
            text = mod.text({line for (m, line) in short if m == i})
            if self.written.get(i) == text:
                continue
            os.makedirs(os.path.dirname(mod.work_asm), exist_ok=True)
            with open(mod.work_asm, "w") as f:
                f.write(text)
            if self.cmd.debug:
                adb = mod.rel[:-4] + ".adb"
                if os.path.isfile(adb):
                    shutil.copyfile(adb, mod.work_rel[:-4] + ".adb")
            flags = "-plosgffwy" if self.cmd.debug else "-plosgffw"
            proc = subprocess.run([self.assembler, flags, mod.work_rel, mod.work_asm],
                                  capture_output=True, text=True)
            if proc.returncode != 0:
                detail = (proc.stdout + proc.stderr).strip().splitlines()
                raise RelaxError(f"{self.assembler} {mod.work_asm} failed: "
                                 + (detail[0] if detail else f"status {proc.returncode}"))
            self.written[i] = text

    def _link(self, final: bool) -> subprocess.CompletedProcess[str]:
        """Link the copies, the objects in ``self.order`` (the command's places for them)."""
        places = zip(self.cmd.objects, self.order, strict=True)
        rels = {place: self._object(i) for place, i in places}
        if final:
            argv = self.cmd.with_objects(rels)
        else:
            argv = self.cmd.with_objects(rels, out=os.path.join(self.work, "firmware.ihx"),
                                         code_size=ANY_CODE_SIZE)
        self.links += 1
        return subprocess.run(argv, capture_output=True, text=True)

    def _object(self, i: int) -> str:
        """The object linked for the command's object argument ``i``."""
        return self.modules[i].work_rel if i in self.modules else self.cmd.argv[i]

    def _addresses(self, out: str) -> tuple[dict[int, dict[int, int]], dict[str, int]]:
        listings = {i: read_listing(mod.work_rst) for i, mod in self.modules.items()}
        return listings, read_map(os.path.splitext(out)[0] + ".map")

    def _fits(self, short: set[tuple[int, int]], listings: dict[int, dict[int, int]],
              symbols: dict[str, int]) -> dict[tuple[int, int], bool]:
        """Every resolvable site -> whether it is (or would be, written short) in page."""
        return {key: in_page(addr, target, key in short)
                for key, addr, target, _ in resolved(self.modules, listings, symbols)}

    def _layout(self) -> Layout | None:
        """The model of the link (class Layout) from one plain link in the given order, or
        None if it does not give that link's addresses back (then the order stays)."""
        self._write(set())
        if self._link(final=False).returncode != 0:
            return None
        out = os.path.join(self.work, "firmware.ihx")
        mapfile = os.path.splitext(out)[0] + ".map"
        sizes = {}
        for i in self.cmd.objects:
            for area, size in read_rel_areas(self._object(i)).items():
                sizes[(area, i)] = size
        layout = Layout(read_code_areas(mapfile), sizes, self.order)
        areas = read_areas(mapfile)
        layout.set_ram({i: sizes.get(("DSEG", i), 0) for i in self.cmd.objects},
                       [areas[name] for name in areas
                        if name.startswith(("REG_BANK_", "BSEG_BYTES", "BIT_BANK"))],
                       areas.get("OSEG", (0, 0))[1], areas.get("ISEG", (0, 0))[0], self.order)
        sites = resolved(self.modules, *self._addresses(out))
        for key, addr, target, obj in sites:
            layout.add(key, key[0], addr, target, obj)
        if len(layout.sites) != len(sites) or layout.fits(self.order, set()) != {
                key: in_page(addr, target, False) for key, addr, target, _ in sites}:
            return None
        return layout

    # -- the loop -------------------------------------------------------------------------

    def _plain(self, why: str) -> tuple[subprocess.CompletedProcess[str], int, int]:
        """A layout this loop misjudged (sdld refused a short site, or one ended out of its
        page): one warning line, then SDCC's objects linked as they are (a bigger image,
        never a wrong one)."""
        sys.stderr.write(f"warning: relax: {why}: linked without relaxation\n")
        self.order = list(self.cmd.objects)
        self._write(set())
        proc = self._link(final=True)
        if proc.returncode == 0:
            self._keep_listings()
        return proc, 0, self.sites

    def _keep_listings(self) -> None:
        for mod in self.modules.values():
            if os.path.isfile(mod.work_rst):
                shutil.copyfile(mod.work_rst, mod.rel[:-4] + ".rst")

    def _loop(self) -> set[tuple[int, int]]:
        """The sites written short in ``self.order``: the relaxation loop on real links."""
        out = os.path.join(self.work, "firmware.ihx")

        def linked(short: set[tuple[int, int]]) -> dict[tuple[int, int], bool]:
            if self.links >= MAX_LINKS:
                raise RelaxError(f"no stable layout after {MAX_LINKS} links")
            self._write(short)
            # (a relaxed link may fail on sdld's page check: its listings still hold the
            # addresses, and the sites it refused are found out of page)
            if self._link(final=False).returncode != 0 and not short:
                raise _PlainFails()
            return self._fits(short, *self._addresses(out))

        return _relax_loop(linked)

    def _data_use(self) -> tuple[int, list[str]] | None:
        """What the last link (in relax/) used of the RAM: where the stack starts, and the
        XRAM lines of its .mem. An order must use no more than the given order (sdld packs
        each object's DSEG part first-fit around the bit area: the order can leave a hole)."""
        try:
            with open(os.path.join(self.work, "firmware.mem"), errors="replace") as f:
                text = f.read()
        except OSError:
            return None
        stack = _MEM_STACK.search(text)
        if not stack:
            return None
        return int(stack.group(1), 16), sorted(m.group(0) for m in _MEM_XRAM.finditer(text))

    def _choose(self, layout: Layout, given: list[int]) -> None:
        """self.order: the best order the search judged whose link uses no more RAM than
        the given order's (the RAM model's choice checked by a plain link; CHECKED_ORDERS
        links at most), else the given order. (A search that refused such orders on its
        way found fewer sites to shorten.)"""
        self.order = given
        self._write(set())
        self._link(final=False)
        want = self._data_use()
        base = layout.judged.get(tuple(given), 0)
        for order, score in layout.ranked()[:CHECKED_ORDERS]:
            if score <= base:
                break
            self.order = order
            use = self._data_use() if self._link(final=False).returncode == 0 else None
            if want and use and use[0] <= want[0] and use[1] == want[1]:
                self.predicted = score
                return
        self.order = given

    def run(self) -> tuple[subprocess.CompletedProcess[str], int, int]:
        """Relax and link; the final link's result, the sites written short, all sites."""
        given = list(self.order)
        try:
            if self.reorder and len(self.order) > 2:
                layout = self._layout()
                if layout is not None:
                    layout.best_order(given)
                    self._choose(layout, given)
            short = self._loop()
            if self.order != given:    # never worse than the given order
                chosen, self.order = self.order, given
                kept = self._loop()
                if len(short) > len(kept):
                    self.order = chosen
                else:
                    short = kept
        except _PlainFails:
            self.order = given
            return self._link(final=True), 0, 0    # the plain link fails: its errors
        self._write(short)
        proc = self._link(final=True)
        if proc.returncode != 0 and PAGE_ERROR in proc.stdout + proc.stderr:
            return self._plain(f"sdld: {PAGE_ERROR}")
        if proc.returncode == 0:
            fits = self._fits(short, *self._addresses(self.cmd.out))
            bad = sorted(k for k in short if not fits.get(k, False))
            if bad:
                i, line = bad[0]
                return self._plain(f"an ACALL/AJMP out of its 2 KB page in the final link "
                                   f"({self.modules[i].work_asm}:{line})")
            self._keep_listings()
        return proc, len(short), self.sites

    @property
    def order_names(self) -> str:
        """The objects' names in the link order."""
        return " ".join(os.path.basename(self.cmd.argv[i])[:-4] for i in self.order)


class _PlainFails(Exception):
    """The link of SDCC's objects fails: its own errors are the answer."""


def main(argv: list[str] | None = None) -> int:
    args = list(sys.argv[1:] if argv is None else argv)
    if args[:1] == ["--"]:
        args = args[1:]
    reorder = True
    if args[:1] == ["--keep-order"]:
        reorder = False
        args = args[1:]
    if args[:1] == ["--"]:
        args = args[1:]
    try:
        relaxer = Relaxer(args, assembler=os.environ.get("CLOCK51_AS", "sdas8051"),
                          reorder=reorder)
        proc, short, total = relaxer.run()
    except (RelaxError, OSError) as exc:
        sys.stderr.write(f"error: relax: {exc}\n")
        return 1
    sys.stdout.write(proc.stdout)
    sys.stderr.write(proc.stderr)
    if proc.returncode == 0:
        print(f"relax: {short} of {total} LCALL/LJMP written as ACALL/AJMP (-{short} bytes, "
              f"{relaxer.links} links; link order {relaxer.order_names})")
    return proc.returncode


if __name__ == "__main__":
    sys.exit(main())
