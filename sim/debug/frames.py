"""The call stack of SDCC MCS-51 code, unwound from the IRAM stack.

An 8051 keeps no frame chain: LCALL/ACALL push a return address (low byte first), an
interrupt pushes the interrupted PC, and between them lie whatever the code pushed (SDCC
saves registers around calls; an interrupt handler pushes ACC, B, DPL, DPH, PSW, R0-R7 in
its prologue). So each caller is found by its return address:

- in a function: searching down from SP for two bytes forming an address A whose
  preceding instruction is an LCALL (A-3) or ACALL (A-2) to that function's first
  address (then, failing that, to a code symbol without line information: SDCC's
  ``__sdcc_call_dptr`` trampoline of calls through function pointers);
- in an interrupt handler (``F:`` record with the interrupt flag): below the registers its
  prologue pushed, counted from its code: the PUSHes executed so far in the prologue, all
  of them in the body, fewer as the epilogue's POPs run;
- in code without line information (a library routine), or in a function no call on the
  stack names (assembler entered by a jump from the function that was called, as the
  firmware's ``start`` runs into ``put_byte``): below the nearest two bytes that follow any
  call into a known function.

``main`` is the outermost frame. Reentrant functions (SDCC ``__reentrant``, locals on the
stack) keep their frame pointer in ``_bp``: ``PUSH _bp; MOV _bp,SP`` on entry, the caller's
``_bp`` saved at ``[_bp]``; a frame's stack variables are at ``_bp + offset`` between that
set-up and the ``POP _bp`` before its RET, and unknown outside it.
"""

from __future__ import annotations

from dataclasses import dataclass

from sim.cpu.core import CPU, VECTORS
from sim.cpu.opcodes import decode
from sim.cpu.sfr import SP
from sim.debug.cdb import DebugInfo, Function, LineRecord

__all__ = ["Frame", "unwind", "MAX_FRAMES"]

MAX_FRAMES = 40
_LCALL, _PUSH, _POP, _MOV_DD = 0x12, 0xC0, 0xD0, 0x85


@dataclass
class Frame:
    pc: int  # where it runs (frame 0) or will return to (callers)
    function: Function | None
    line: LineRecord | None
    sp: int  # SP in this frame (at its call, for callers)
    bp: int | None  # its _bp, if it is a reentrant function with its frame set up
    interrupted: bool = False  # an interrupt handler was entered from here (the PC it
    #                            returns to need not follow a call)
    innermost: bool = False

    @property
    def name(self) -> str:
        return self.function.name if self.function is not None else f"0x{self.pc:04X}"


def _call_target(code: bytes, ret: int) -> int | None:
    """The target of the call instruction ending just before ``ret``, if there is one."""
    a = (ret - 3) & 0xFFFF
    if code[a] == _LCALL:
        return code[(a + 1) & 0xFFFF] << 8 | code[(a + 2) & 0xFFFF]
    a = (ret - 2) & 0xFFFF
    op = code[a]
    if op & 0x1F == 0x11:  # ACALL: 3 high bits in the opcode, the page of the next address
        return (ret & 0xF800) | (op >> 5) << 8 | code[(a + 1) & 0xFFFF]
    return None


def _isr_depth(cpu: CPU, info: DebugInfo, f: Function, pc: int) -> int:
    """Bytes an interrupt handler has on the stack above the interrupted PC at ``pc``."""
    code = cpu.code
    assert f.start is not None
    addr = f.start
    pushes: list[int] = []
    while code[addr] == _PUSH and len(pushes) < 32:
        pushes.append(addr)
        addr += 2
    if pc < addr:
        return sum(1 for a in pushes if a < pc)
    n = len(pushes)
    if f.end is not None and pc <= f.end:
        # the run of POPs just before the RETI
        starts = [a for a in info.instruction_starts if addr <= a < f.end]
        tail: list[int] = []
        for a in reversed(starts):
            if code[a] != _POP:
                break
            tail.append(a)
        tail.reverse()
        if tail and pc >= tail[0]:
            return n - sum(1 for a in tail if a < pc)
    return n


def _bp_window(cpu: CPU, info: DebugInfo, f: Function, bp_addr: int) -> tuple[int, int] | None:
    """(first address with the frame set up, address of the POP _bp) of a reentrant
    function, or None if it keeps no frame."""
    if f.start is None or f.end is None:
        return None
    code = cpu.code
    setup = None
    addr = f.start
    for _ in range(16):  # the prologue: a few PUSHes, then MOV _bp,SP
        if code[addr] == _MOV_DD and code[addr + 1] == SP and code[addr + 2] == bp_addr:
            setup = addr + 3
            break
        op, _ = decode(code, addr)
        if op is None or addr > f.end:
            break
        addr += op.length
    if setup is None:
        return None
    teardown = f.end
    for a in info.instruction_starts:
        if setup <= a <= f.end and code[a] == _POP and code[a + 1] == bp_addr:
            teardown = a
    return setup, teardown


def unwind(cpu: CPU, info: DebugInfo, limit: int = MAX_FRAMES) -> list[Frame]:
    """The frames from the innermost (the current PC) outwards."""
    iram = cpu.iram
    bp_addr = info.data_symbols.get("_bp")
    bp_cur = iram[bp_addr] if bp_addr is not None else None
    frames: list[Frame] = []
    pc, sp = cpu.pc, cpu.sfr[SP]
    interrupted = False
    while len(frames) < limit:
        f = info.function_at(pc)
        # a caller's line is the one of its call, just before the return address
        line = info.line_at(pc if not frames else (pc - 1) & 0xFFFF)
        bp = None
        if f is not None and bp_addr is not None and bp_cur is not None:
            window = _bp_window(cpu, info, f, bp_addr)
            if window is not None and (frames or window[0] <= pc <= window[1]):
                bp = bp_cur
                bp_cur = iram[bp_cur]
        frames.append(Frame(pc, f, line, sp, bp, interrupted, innermost=not frames))
        if f is not None and f.name == "main":
            break
        ret = _find_return(cpu, info, f, pc, sp)
        if ret is None:
            break
        where, interrupted = ret
        pc = iram[where] << 8 | iram[(where - 1) & 0xFF]
        sp = (where - 2) & 0xFF
    return frames


def _find_return(cpu: CPU, info: DebugInfo, f: Function | None, pc: int,
                 sp: int) -> tuple[int, bool] | None:
    """(stack address of the high byte of this frame's return address, whether an
    interrupt pushed it), or None."""
    iram, code = cpu.iram, cpu.code
    if f is not None and f.isr:
        where = (sp - _isr_depth(cpu, info, f, pc)) & 0xFF
        return (where, True) if where > 7 else None
    if f is None and pc in VECTORS:
        return (sp, True) if sp > 7 else None
    candidates = range(sp, 7, -1)
    if f is not None and f.start is not None:
        for s in candidates:
            if _call_target(code, iram[s] << 8 | iram[s - 1]) == f.start:
                return s, False
        lined = {g.start for g in info.functions if g.lines}
        for s in candidates:  # through a trampoline (calls by function pointer)
            ret = iram[s] << 8 | iram[s - 1]
            target = _call_target(code, ret)
            if target is not None and target not in lined and ret > 2:
                return s, False
        # else it was entered by a jump (assembler running into it from the function that
        # was called, or a second entry point): as for library code, below
    for s in candidates:  # library code: the nearest return into a function we know
        ret = iram[s] << 8 | iram[s - 1]
        if ret > 2 and _call_target(code, ret) is not None \
                and info.function_at((ret - 1) & 0xFFFF) is not None:
            return s, False
    return None
