"""A debugger for the firmware running on a simulated board: no protocol, only the board.

Every method is called from the thread that runs the board (the run loop calls
``after_slice`` between its slices of simulated time; requests from a client reach that
thread through a queue), so the board is never touched by two threads.

Breakpoints are CPU breakpoints (``CPU.set_breakpoints``: nothing on the hot path). A stop
there is decided here: a condition (a C expression, ``sim.debug.expr``) and a hit condition
(``5``, ``>= 3``, ``% 4``...) are checked, a log message is printed instead of stopping, and
otherwise the CPU passes the breakpoint and runs on. Breakpoints by source line take the
addresses of the line's records (a ``for`` line has several); by function, the function's
first address; by instruction, the address itself.

Stepping (``step``), synchronously first, flat out, within a budget of simulated work
(``STEP_INSTRUCTIONS`` single steps, ``STEP_SIM_S`` run to returns; the same on any machine):

- a C line (over / into): one instruction at a time until the PC reaches the first
  instruction of a line: of the same function (not deeper in a recursion), or of another
  function (the caller after a return; a callee after a call, for "into"). A call to a
  function without line information (library code), or any call for "over", and an
  interrupt taken meanwhile, run at full speed to their return (a temporary breakpoint at
  the return address, taken only with the stack pointer back where it was). Idle mode
  (PCON.IDL) waits the same way for the interrupt that ends it and its return.
- out: to the return address of the innermost frame, the stack pointer below its frame.
- an instruction: one instruction ("into"; an interrupt entry counts as one), or over a
  call.

A step still going when that budget is spent goes on asynchronously, at the run loop's
pace: temporary breakpoints on the lines of the function being stepped and its return
address (a step "into" then no longer stops in callees). A breakpoint reached during a
step ends it.

A program that crashes (an illegal opcode, erased flash) does not end the simulator: the
chip halts with its one-line notice (``ChipPower.catch_crashes``) and the debugger stops
there (reason ``exception``); a launch (reset) runs it again.

Stops are reported through ``on_stop(StopEvent)``; the UART's output through
``on_output(text)``; device timing/protocol violations (``Board.violations``) stop the
program when the "timing" exception filter is on, at the end of the slice (or step chunk)
in which they happened: the stop's text names each violation with its cycle.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from sim.cpu.core import VECTORS
from sim.cpu.opcodes import decode
from sim.cpu.sfr import BIT_NAMES, SFR_TABLE
from sim.debug import expr as cexpr
from sim.debug import listing
from sim.debug.cdb import CType, DebugInfo, Function, Symbol
from sim.debug.frames import Frame, unwind
from sim.debug.listing import Instruction
from sim.debug.values import (
    Memory,
    Place,
    Value,
    ValueError_,
    children,
    format_value,
    has_children,
    place_of,
    pointer_target,
    read,
    write,
)
from sim.errors import SimError
from sim.machine.board import Board

__all__ = ["Debugger", "DebugError", "StopEvent", "Breakpoint", "BreakSpec", "Scope",
           "Variable", "Instruction", "EXCEPTION_FILTERS", "STEP_INSTRUCTIONS", "STEP_SIM_S"]

# A step runs synchronously (flat out, in this call) until it has single-stepped
# STEP_INSTRUCTIONS instructions or run STEP_SIM_S simulated seconds to a return, then
# goes on at the loop's pace. Budgets in simulated work, not wall time: a step does the
# same thing on a loaded machine as on an idle one (about 10-25 ms of wall time here).
STEP_INSTRUCTIONS = 2000
STEP_SIM_S = 0.5
CHUNK_S = 0.002  # simulated seconds per board run while a step runs to a return
EXCEPTION_FILTERS = {"timing": "Timing violation"}
UCHAR = CType("char", 1)
UINT = CType("int", 2)
BIT = CType("bit", 1)



class _Budget:
    """What a synchronous step may still do: single steps and simulated cycles."""

    __slots__ = ("instructions", "cycles")

    def __init__(self, instructions: int, cycles: int) -> None:
        self.instructions = instructions
        self.cycles = cycles

    @property
    def spent(self) -> bool:
        return self.instructions <= 0 or self.cycles <= 0


def _violation_text(record: Any) -> str:
    """A broken rule (``sim.machine.board.ViolationRecord``) as one piece of text: the part,
    the rule, what the program did, what the datasheet requires."""
    v = record.violation
    text = f"{record.part} {v.kind}: {v.detail}"
    return f"{text} (datasheet: {v.required})" if v.required else text


class DebugError(SimError):
    """A request the debugger cannot carry out (one line for the client)."""


@dataclass
class StopEvent:
    reason: str  # breakpoint, function breakpoint, instruction breakpoint, step, pause,
    #              entry, exception
    description: str = ""
    text: str = ""
    hit_ids: list[int] = field(default_factory=list)


@dataclass
class BreakSpec:
    line: int = 0  # source breakpoints
    name: str = ""  # function breakpoints
    address: int = -1  # instruction breakpoints
    condition: str | None = None
    hit_condition: str | None = None
    log_message: str | None = None


@dataclass
class Breakpoint:
    id: int
    kind: str  # source, function, instruction
    spec: BreakSpec
    addresses: list[int]
    verified: bool
    message: str = ""
    file: str = ""
    line: int = 0
    hits: int = 0


@dataclass
class Variable:
    name: str
    text: str
    type: str
    value: Value | None = None
    kids: Callable[[], list[Variable]] | None = None
    memory_reference: str | None = None
    evaluate_name: str | None = None
    indexed: int = 0  # array elements (for paging)
    named: int = 0
    writable: bool = True


@dataclass
class Scope:
    name: str
    hint: str  # locals, registers, globals
    variables: Callable[[], list[Variable]]
    expensive: bool = False


@dataclass
class _Step:
    phase: str  # line, return, out, instruction
    kind: str = "over"  # over, into (line phase)
    function: Function | None = None
    sp0: int = 0
    ret: int = -1  # return phase: the address and SP of the return
    ret_sp: int = 0
    then: str = "line"  # after a return phase: line (go on stepping) or stop
    frame_ret: int = -1  # line phase asynchronous: the frame's return address and SP
    frame_ret_sp: int = 0
    moved: bool = False  # an instruction of the stepped code ran (a line start ends it)


class Debugger:
    """See the module docstring."""

    def __init__(self, board: Board, info: DebugInfo, *,
                 on_stop: Callable[[StopEvent], None] | None = None,
                 on_output: Callable[[str], None] | None = None) -> None:
        self.board = board
        self.info = info
        self.mem = Memory(board.cpu)
        self.on_stop = on_stop or (lambda ev: None)
        self.on_output = on_output or (lambda text: None)
        self.stopped: StopEvent | None = None
        self._bps: dict[int, Breakpoint] = {}
        self._by_file: dict[str, list[int]] = {}
        self._func_ids: list[int] = []
        self._instr_ids: list[int] = []
        self._next_id = 1
        self._step: _Step | None = None
        self._temp: set[int] = set()
        self._filters: set[str] = set()
        self._violations_seen = board.violation_count
        board.chip.catch_crashes = True  # a crash halts the chip: a stop, not the end
        self._halts_seen = len(board.chip.notices)
        self._tx_seen = board.uart.tx_log.total
        self._frames: list[Frame] | None = None
        self._frames_at: tuple[int, ...] = ()
        self.cpu_changed = 0  # bumped by every write: clients refresh their views

    # == state ===========================================================================
    @property
    def running(self) -> bool:
        return self.stopped is None

    def _stop(self, ev: StopEvent) -> StopEvent:
        self._step = None
        self._set_temp(set())
        self.stopped = ev
        self._frames = None
        self.on_stop(ev)
        return ev

    def _require_stopped(self, what: str) -> None:
        if self.stopped is None:
            raise DebugError(f"{what}: the program is running (pause it first)")

    def _require_program(self, what: str) -> None:
        state = self.board.chip.state
        if state == "halted":
            raise DebugError(f"{what}: the program crashed and the MCU halted (launch, i.e. "
                             "reset, to run it again)")
        if state != "app":
            raise DebugError(f"{what}: the MCU is not running its program ({state})")

    # == breakpoints =====================================================================
    def file_for(self, path: str) -> str | None:
        """The debug information's name for a source path (matched by file name)."""
        name = Path(path).name
        return name if name in self.info.files() else None

    def set_source_breakpoints(self, path: str, specs: list[BreakSpec]) -> list[Breakpoint]:
        file = self.file_for(path)
        for bid in self._by_file.pop(path, []):
            self._bps.pop(bid, None)
        out = []
        for spec in specs:
            bp = self._new(spec, "source")
            bp.file = file or Path(path).name
            bp.line = spec.line
            if file is None:
                bp.message = f"{Path(path).name} has no debug information in this image"
            else:
                line = self._line_with_code(file, spec.line)
                if line is None:
                    bp.message = f"no code at or after {file}:{spec.line}"
                else:
                    bp.line = line
                    bp.addresses = self.info.addresses(file, line)
                    bp.verified = True
            out.append(bp)
        self._by_file[path] = [b.id for b in out]
        self._check_conditions(out)
        self._apply()
        return out

    def _line_with_code(self, file: str, line: int) -> int | None:
        """``line`` if it made code, else the next line that did, as debuggers move a
        breakpoint from a blank, comment or declaration line: within the function that
        line is in, or into the next function when it is at most 3 lines below (a comment
        above a function); None when there is nothing there."""
        lines = self.info.lines_with_code(file)
        after = [n for n in lines if n >= line]
        if not after:
            return None
        best = after[0]
        if best == line:
            return best
        here = [r for r in self.info.c_lines if r.file == file and r.line == best]
        f = self.info.function_at(here[0].address) if here else None
        before = [r for r in self.info.c_lines if r.file == file and r.line <= line]
        if f is not None and before and not any(f.contains(r.address) for r in before):
            return None if best - line > 3 else best  # a line between functions
        return best

    def set_function_breakpoints(self, specs: list[BreakSpec]) -> list[Breakpoint]:
        for bid in self._func_ids:
            self._bps.pop(bid, None)
        out = []
        for spec in specs:
            bp = self._new(spec, "function")
            name = spec.name.strip()
            module = None
            if ":" in name:  # module:function for a static one
                module, name = name.split(":", 1)
            f = self.info.function(name, module)
            if f is None or f.start is None:
                bp.message = f"no function {spec.name!r} in the debug information"
            else:  # after its prologue, at its first line, as debuggers do
                bp.addresses = [f.body_start]
                bp.verified = True
                rec = self.info.line_at(f.body_start)
                if rec is not None:
                    bp.file, bp.line = rec.file, rec.line
            out.append(bp)
        self._func_ids = [b.id for b in out]
        self._check_conditions(out)
        self._apply()
        return out

    def set_instruction_breakpoints(self, specs: list[BreakSpec]) -> list[Breakpoint]:
        for bid in self._instr_ids:
            self._bps.pop(bid, None)
        out = []
        for spec in specs:
            bp = self._new(spec, "instruction")
            if 0 <= spec.address < len(self.board.cpu.code):
                bp.addresses = [spec.address]
                bp.verified = True
            else:
                bp.message = f"address {spec.address} is outside code memory"
            out.append(bp)
        self._instr_ids = [b.id for b in out]
        self._check_conditions(out)
        self._apply()
        return out

    def set_exception_filters(self, filters: Iterable[str]) -> None:
        wanted = set(filters)
        unknown = wanted - set(EXCEPTION_FILTERS)
        if unknown:
            raise DebugError(f"unknown exception filter(s): {', '.join(sorted(unknown))} "
                             f"(known: {', '.join(EXCEPTION_FILTERS)})")
        if "timing" in wanted and "timing" not in self._filters:
            self._violations_seen = self.board.violation_count
        self._filters = wanted

    def clear_all(self) -> None:
        """No breakpoint, no step under way, no exception filter (a client went away)."""
        self._bps.clear()
        self._by_file.clear()
        self._func_ids, self._instr_ids = [], []
        self._filters = set()
        self._step = None
        self._temp = set()
        self._apply()

    def breakpoints(self) -> list[Breakpoint]:
        return sorted(self._bps.values(), key=lambda b: b.id)

    def _new(self, spec: BreakSpec, kind: str) -> Breakpoint:
        bp = Breakpoint(self._next_id, kind, spec, [], False)
        self._next_id += 1
        self._bps[bp.id] = bp
        return bp

    def _check_conditions(self, bps: list[Breakpoint]) -> None:
        for bp in bps:
            for text in (bp.spec.condition,):
                if text:
                    try:
                        cexpr.parse(text)
                    except cexpr.ExprError as e:
                        bp.verified = False
                        bp.message = f"condition: {e}"
                        bp.addresses = []
            if bp.spec.hit_condition:
                try:
                    _hit_test(bp.spec.hit_condition, 1)
                except DebugError as e:
                    bp.verified = False
                    bp.message = str(e)
                    bp.addresses = []

    def _apply(self) -> None:
        addrs = {a for b in self._bps.values() if b.verified for a in b.addresses}
        cpu = self.board.cpu
        cpu.set_breakpoints(addrs | self._temp)

    def _set_temp(self, addrs: set[int]) -> None:
        if addrs != self._temp:
            self._temp = set(addrs)
            self._apply()

    # == running =========================================================================
    def resume(self) -> None:
        """Continue until a breakpoint, a pause or an exception."""
        if self.stopped is None:
            return
        self._require_program("continue")
        self.stopped = None
        self._frames = None
        self._step = None
        self._set_temp(set())
        self._pass_here()

    def pause(self) -> StopEvent | None:
        if self.stopped is not None:
            return None
        return self._stop(StopEvent("pause", "paused"))

    def stop_now(self, reason: str, description: str = "") -> StopEvent:
        """Stop where the program is (the entry stop, a stop asked for by the front end)."""
        return self._stop(StopEvent(reason, description or reason))

    def run_to(self, address: int, reason: str) -> StopEvent | None:
        """Run (flat out, then at the loop's pace) until the PC reaches ``address``; stop
        there with ``reason`` (the entry stop at main)."""
        self.stopped = None
        self._frames = None
        self._step = _Step("return", ret=address, ret_sp=-1, then=reason)
        self._set_temp({address})
        return self._advance(self._budget())

    def _pass_here(self) -> None:
        cpu = self.board.cpu
        if cpu.pc in cpu.breakpoints:
            cpu.pass_breakpoint()

    def after_slice(self, stopped: str | None) -> StopEvent | None:
        """The run loop ran a slice; ``stopped`` is "breakpoint" if the CPU stopped at one.
        Decide what that means; report output and violations. Returns the stop, if any."""
        self._output()
        if self.stopped is not None:
            return None
        ev = None
        if stopped == "breakpoint":
            ev = self._at_breakpoint()
        if ev is None and self.stopped is None:
            ev = self._check_violations()
        if ev is None and self.stopped is None:
            ev = self._check_crash()
        return ev

    def _check_crash(self) -> StopEvent | None:
        chip = self.board.chip
        if chip.state != "halted" or len(chip.notices) <= self._halts_seen:
            return None
        self._halts_seen = len(chip.notices)
        return self._stop(StopEvent("exception", "Program crashed", chip.notices[-1]))

    def _output(self) -> None:
        log = self.board.uart.tx_log
        if log.total > self._tx_seen:
            data = log.data_since(self._tx_seen)
            self._tx_seen = log.total
            if data:
                self.on_output(data.decode("latin-1"))

    def _check_violations(self) -> StopEvent | None:
        if "timing" not in self._filters:
            return None
        new = self.board.violation_records(self._violations_seen)
        if not new:
            return None
        self._violations_seen = new[-1].seq
        text = "; ".join(_violation_text(r) for r in new)
        return self._stop(StopEvent("exception", "Timing violation", text))

    def _at_breakpoint(self) -> StopEvent | None:
        """The CPU stopped at one of its breakpoints: stop, go on stepping, or pass."""
        cpu = self.board.cpu
        pc = cpu.pc
        ev = self._user_break(pc)
        if ev is not None:
            return self._stop(ev)
        st = self._step
        if st is not None and pc in self._temp:
            ev = self._step_hit(st, pc)
            if ev is not None or self._step is not st or self.stopped is not None:
                return ev
        if self.stopped is None:
            cpu.pass_breakpoint()
        return None

    def _user_break(self, pc: int) -> StopEvent | None:
        hit: list[Breakpoint] = []
        for bp in self._bps.values():
            if not bp.verified or pc not in bp.addresses:
                continue
            if bp.spec.condition:
                try:
                    if not self._truth(bp.spec.condition):
                        continue
                except ValueError_ as e:
                    self.on_output(f"breakpoint {bp.id} condition {bp.spec.condition!r}: {e}"
                                   " (stopping)\n")
                    hit.append(bp)
                    continue
            bp.hits += 1
            if bp.spec.hit_condition and not _hit_test(bp.spec.hit_condition, bp.hits):
                continue
            if bp.spec.log_message is not None:
                self.on_output(self._interpolate(bp.spec.log_message) + "\n")
                continue
            hit.append(bp)
        if not hit:
            return None
        kinds = {b.kind for b in hit}
        reason = "breakpoint" if "source" in kinds else \
            "function breakpoint" if "function" in kinds else "instruction breakpoint"
        return StopEvent(reason, "breakpoint", hit_ids=[b.id for b in hit])

    def _truth(self, text: str) -> bool:
        self._frames = None
        v = self.evaluate(text, 0)
        return bool(read(v, self.info, self.mem))

    def _interpolate(self, message: str) -> str:
        """A log message with each ``{expression}`` replaced by its value."""
        out = []
        i = 0
        while i < len(message):
            j = message.find("{", i)
            if j < 0:
                out.append(message[i:])
                break
            k = message.find("}", j)
            if k < 0:
                out.append(message[i:])
                break
            out.append(message[i:j])
            try:
                out.append(self.format(self.evaluate(message[j + 1:k], 0)))
            except ValueError_ as e:
                out.append(f"<{e}>")
            i = k + 1
        return "".join(out)

    # == stepping =========================================================================
    def step(self, kind: str, granularity: str = "line") -> StopEvent | None:
        """``kind``: over, into, out; ``granularity``: line or instruction. Returns the stop
        if the step ended synchronously, else None (it goes on while the loop runs)."""
        self._require_stopped(f"step {kind}")
        self._require_program(f"step {kind}")
        if kind not in ("over", "into", "out"):
            raise DebugError(f"unknown step {kind!r}")
        cpu = self.board.cpu
        budget = self._budget()
        if kind == "out":
            frames = unwind(cpu, self.info, 2)
            if len(frames) < 2:
                raise DebugError(f"step out: {frames[0].name if frames else 'this code'} has "
                                 "no caller on the stack")
        self.stopped = None
        self._frames = None
        if kind == "out":
            self._step = _Step("return", ret=frames[1].pc, ret_sp=frames[1].sp, then="step")
        elif granularity == "instruction":
            self._step = _Step("instruction", kind=kind)
        else:
            f = self.info.function_at(cpu.pc)
            self._step = _Step("line", kind=kind, function=f, sp0=cpu.sp)
        return self._advance(budget)

    def _budget(self) -> _Budget:
        return _Budget(STEP_INSTRUCTIONS, self.board.to_cycles(STEP_SIM_S))

    def _advance(self, budget: _Budget) -> StopEvent | None:
        """Carry the current step on until it stops or its budget is spent (then it goes on
        asynchronously with temporary breakpoints)."""
        while self._step is not None and self.stopped is None:
            st = self._step
            if st.phase in ("return", "vector"):
                ev = self._run_to_return(st, budget)
            elif st.phase == "instruction":
                ev = self._instruction(st)
            else:
                ev = self._line(st, budget)
            if ev is not None:
                return ev
            if self._step is st and st.phase != "instruction" and budget.spent:
                self._go_async(st)
                return None
        return self.stopped

    def _go_async(self, st: _Step) -> None:
        """The step continues at the loop's pace: temporary breakpoints where it ends."""
        cpu = self.board.cpu
        if st.phase in ("return", "vector"):
            self._set_temp(self._targets(st))
        else:  # a C line step: the lines of its function and its frame's return
            f = st.function
            addrs = {r.address for r in f.lines} if f is not None else set()
            frames = unwind(cpu, self.info, 2)
            if len(frames) > 1:
                st.frame_ret, st.frame_ret_sp = frames[1].pc, frames[1].sp
                addrs.add(st.frame_ret)
            if not addrs:  # nowhere known to stop: stop now rather than run away
                self._stop(StopEvent("step", "step"))
                return
            self._set_temp(addrs)
        if st.phase == "line" or self.board.cpu.pc != st.ret:  # (idle at the return
            self._pass_here()                                   # address: stop there)

    def _step_hit(self, st: _Step, pc: int) -> StopEvent | None:
        """A temporary breakpoint of an asynchronous step was reached."""
        cpu = self.board.cpu
        sp = cpu.sp
        if st.phase in ("return", "vector"):
            if not self._reached(st, pc, sp):
                return None
            return self._after_return(st)
        # line phase, asynchronous
        f = st.function
        if f is not None and f.contains(pc) and self.info.is_line_start(pc) and sp <= st.sp0:
            return self._stop(StopEvent("step", "step"))
        if pc == st.frame_ret and sp == st.frame_ret_sp:
            # back in the caller, mid-line: step on to its next line, synchronously again
            self._set_temp(set())
            self._step = _Step("line", kind=st.kind, function=self.info.function_at(pc), sp0=sp,
                               moved=True)
            return self._advance(self._budget())
        return None

    @staticmethod
    def _targets(st: _Step) -> set[int]:
        return set(VECTORS) if st.phase == "vector" else {st.ret}

    @staticmethod
    def _reached(st: _Step, pc: int, sp: int) -> bool:
        if st.phase == "vector":
            return pc in VECTORS
        return pc == st.ret and (st.ret_sp < 0 or sp == st.ret_sp)

    def _after_return(self, st: _Step) -> StopEvent | None:
        self._set_temp(set())
        if st.phase == "vector":
            return self._stop(StopEvent("step", "step"))
        if st.then == "line":
            self._step = _Step("line", kind=st.kind, function=st.function, sp0=st.sp0,
                               moved=st.moved)
            return self._advance(self._budget())
        return self._stop(StopEvent(st.then, st.then))

    def _run_to_return(self, st: _Step, budget: _Budget) -> StopEvent | None:
        """Run flat out until the PC is at ``st.ret`` with SP ``st.ret_sp`` (-1: any), or at
        an interrupt vector (phase "vector")."""
        board, cpu = self.board, self.board.cpu
        self._set_temp(self._targets(st))
        if cpu.pc != st.ret:  # (idle at the return address: the interrupt comes first)
            self._pass_here()
        while not budget.spent:
            c0 = cpu.cycles
            stopped = board.run_until(c0 + board.to_cycles(CHUNK_S))
            budget.cycles -= cpu.cycles - c0
            crash = self._check_crash()
            if crash is not None:
                return crash
            if stopped == "breakpoint":
                self._output()
                pc = cpu.pc
                ev = self._user_break(pc)
                if ev is not None:
                    return self._stop(ev)
                if self._reached(st, pc, cpu.sp):
                    return self._after_return(st)
                cpu.pass_breakpoint()
            else:
                self._output()
            ev = self._check_violations()
            if ev is not None:
                return ev
        return None

    def _single(self) -> tuple[int, int, bool]:
        """Execute one instruction (or take one interrupt); (pc, sp, whether an instruction
        ran) before it."""
        board, cpu = self.board, self.board.cpu
        pc, sp, n = cpu.pc, cpu.sp, cpu.instructions
        self._set_temp(set())
        self._pass_here()
        board.run_until(cpu.cycles + 1)
        return pc, sp, cpu.instructions != n

    def _instruction(self, st: _Step) -> StopEvent | None:
        cpu = self.board.cpu
        op, vals = decode(cpu.code, cpu.pc)
        if st.kind == "over" and op is not None and op.mnemonic in ("LCALL", "ACALL"):
            self._step = _Step("return", ret=cpu.pc + op.length, ret_sp=cpu.sp, then="step")
            return None
        if cpu.idle:  # what runs next is the entry of the interrupt that ends idle mode
            self._step = _Step("vector")
            return None
        self._single()
        self._output()
        return self._check_crash() or self._stop(StopEvent("step", "step"))

    def _line(self, st: _Step, budget: _Budget) -> StopEvent | None:
        """Instruction by instruction to the start of a line (see the module docstring)."""
        cpu = self.board.cpu
        info = self.info
        while True:
            pc = cpu.pc
            if cpu.idle:  # wait for the interrupt that ends idle mode, and its return
                self._step = _Step("return", kind=st.kind, function=st.function, sp0=st.sp0,
                                   ret=pc, ret_sp=cpu.sp, then="line", moved=st.moved)
                return None
            if st.moved and info.is_line_start(pc):
                g = info.function_at(pc)
                if g is not st.function and g is not None and pc == g.start != g.body_start:
                    # a callee's entry: on past its prologue, to its first line (a
                    # reentrant one's prologue pushes _bp and makes room for its locals)
                    st.function, st.sp0 = g, 0xFF
                elif g is not st.function or cpu.sp <= st.sp0:
                    return self._stop(StopEvent("step", "step"))
            if budget.spent:
                # out of budget here, after the check above: the PC has been judged, so
                # the asynchronous part may pass the breakpoint it sets at this address
                return None
            budget.instructions -= 1
            if st.moved and st.function is not None and not st.function.contains(pc) \
                    and cpu.sp < st.sp0:
                # returned into the middle of the caller's line: step on in the caller
                st.function = info.function_at(pc)
                st.sp0 = cpu.sp
            op, vals = decode(cpu.code, pc)
            if op is not None and op.mnemonic in ("LCALL", "ACALL"):
                target = vals[0]
                callee = info.function_at(target)
                if st.kind == "over" or callee is None or not callee.lines or callee.isr:
                    self._step = _Step("return", kind=st.kind, function=st.function,
                                       sp0=st.sp0, ret=pc + op.length, ret_sp=cpu.sp,
                                       then="line", moved=True)
                    return None
            pc0, sp0, ran = self._single()
            self._output()
            crash = self._check_crash()
            if crash is not None:
                return crash
            if not ran and cpu.pc != pc0:  # an interrupt was taken: run to its return
                self._step = _Step("return", kind=st.kind, function=st.function, sp0=st.sp0,
                                   ret=pc0, ret_sp=sp0, then="line", moved=st.moved)
                return None
            st.moved = st.moved or ran
            new = cpu.pc
            ev = self._user_break(new) if new in cpu.breakpoints else None
            if ev is not None:
                return self._stop(ev)
            ev = self._check_violations()
            if ev is not None:
                return ev

    # == program control ==================================================================
    def restart(self) -> None:
        """Reset the MCU as its reset pin does: the program starts again at the reset
        vector; the devices keep their state (a chip held by its bootloader, off or halted
        runs its program again too)."""
        self.board.chip.start_program()
        self._frames = None
        self.cpu_changed += 1

    # == frames ===========================================================================
    def frames(self) -> list[Frame]:
        """The call stack (kept while the CPU stays where it was: a power cycle from the
        browser view while stopped is seen)."""
        self._require_stopped("stack trace")
        cpu = self.board.cpu
        here = (cpu.pc, cpu.sp, cpu.cycles, self.cpu_changed)
        if self._frames is None or self._frames_at != here:
            self._frames = unwind(cpu, self.info)
            self._frames_at = here
        return self._frames

    def frame(self, index: int) -> Frame:
        frames = self.frames()
        if not 0 <= index < len(frames):
            raise DebugError(f"no frame {index} (there are {len(frames)})")
        return frames[index]

    def source_path(self, file: str) -> str | None:
        p = self.info.source_path(file)
        return str(p) if p is not None else None

    # == variables ========================================================================
    def scopes(self, index: int) -> list[Scope]:
        frame = self.frame(index)
        out = []
        if frame.function is not None:
            out.append(Scope("Locals", "locals", lambda: self._locals(frame)))
        out.append(Scope("Globals", "globals", lambda: self._globals(frame)))
        out.append(Scope("Registers", "registers", lambda: self._registers(frame)))
        out.append(Scope("SFRs", "registers", self._sfrs, expensive=True))
        return out

    def _value_of(self, sym: Symbol, frame: Frame) -> Value:
        f = frame.function
        bank = f.bank if f is not None else self.mem.bank
        v = place_of(sym, self.info, self.mem, bank=bank, bp=frame.bp)
        if sym.space == "R" and not frame.innermost and not v.missing:
            return Value(v.ctype, missing="in a register: known in the innermost frame only")
        return v

    def _locals(self, frame: Frame) -> list[Variable]:
        f = frame.function
        if f is None:
            return []
        syms = self.info.visible_locals(f, frame.pc if frame.innermost else frame.pc - 1)
        return [self.variable(s.name, self._value_of(s, frame), s.name) for s in syms]

    def _globals(self, frame: Frame) -> list[Variable]:
        """Globals by name; file statics with their module's name (the frame's module's
        statics and names held once can be evaluated by name)."""
        module = frame.function.module if frame.function is not None else None
        syms = self.info.globals()
        count: dict[str, int] = {}
        for s in syms:
            count[s.name] = count.get(s.name, 0) + 1
        out = []
        for s in syms:
            label = s.name if s.scope == "G" else f"{s.name} ({s.module})"
            unique = count[s.name] == 1 or (s.scope == "F" and s.module == module)
            out.append(self.variable(label, place_of(s, self.info, self.mem),
                                     s.name if unique else None))
        return out

    def _registers(self, frame: Frame) -> list[Variable]:
        cpu = self.board.cpu
        bank = self.mem.bank
        out = [self.variable(f"R{n}", Value(UCHAR, Place("reg", (bank * 8 + n,))), f"R{n}",
                             hex_=True) for n in range(8)]
        for name, addr in (("A", 0xE0), ("B", 0xF0), ("PSW", 0xD0), ("SP", 0x81)):
            out.append(self.variable(name, Value(UCHAR, Place("data", (addr,))), name,
                                     hex_=True))
        out.append(self.variable("DPTR", Value(UINT, Place("data", (0x82, 0x83))), "DPTR",
                                 hex_=True))
        out.append(Variable("PC", f"0x{cpu.pc:04X}", "code address", evaluate_name="PC",
                            memory_reference=f"code:0x{cpu.pc:04X}"))
        flags = cpu.psw
        names = "CY AC F0 RS1 RS0 OV F1 P".split()
        text = " ".join(n for i, n in enumerate(names) if flags >> (7 - i) & 1) or "-"
        state = ", idle until an interrupt (PCON.IDL)" if cpu.idle else ""
        out.append(Variable("flags", f"{text} (bank {bank}{state})", "PSW bits",
                            writable=False))
        out.append(Variable("cycles", f"{cpu.cycles} ({self.board.seconds:.6f} s)",
                            "machine cycles", writable=False))
        return out

    def _sfrs(self) -> list[Variable]:
        out = []
        for name, addr, _, _ in SFR_TABLE:
            v = Value(UCHAR, Place("data", (addr,)))
            var = self.variable(name, v, name, hex_=True)
            if addr & 7 == 0:
                bits = [(BIT_NAMES.get(addr + b, f"{name}.{b}"), addr + b) for b in range(8)]

                def kids(bits: list[tuple[str, int]] = bits) -> list[Variable]:
                    return [self.variable(n, Value(BIT, Place("bit", (a,))), n)
                            for n, a in bits]
                var.kids = kids
                var.named = 8
            out.append(var)
        return out

    def format(self, value: Value, hex_: bool = False) -> str:
        return format_value(value, self.info, self.mem, hex_)

    def variable(self, name: str, value: Value, evaluate_name: str | None,
                 hex_: bool = False) -> Variable:
        """A value as a debugger lists it, with its parts when it has some."""
        t = value.ctype
        text = self.format(value, hex_)
        var = Variable(name, text, t.name() if t.kind != "unknown" else t.name(), value,
                       evaluate_name=evaluate_name)
        if value.place is not None and not value.missing:
            var.memory_reference = value.place.reference()
        if t.kind == "pointer" and not value.missing:
            try:
                space, addr = pointer_target(value, self.info, self.mem)
                ref = Place({"pdata": "xdata"}.get(space, space), (addr,)).reference()
                var.memory_reference = ref
            except ValueError_:
                pass
        if has_children(value, self.info):
            def kids(value: Value = value, parent: str | None = evaluate_name) -> list[Variable]:
                out = []
                for label, child in children(value, self.info, self.mem):
                    ev = None
                    if parent is not None:
                        ev = f"(*{parent})" if label == "*" else \
                            f"{parent}{label}" if label.startswith("[") else f"{parent}.{label}"
                    out.append(self.variable(label, child, ev, hex_))
                return out
            var.kids = kids
            if t.kind == "array":
                var.indexed = t.count
            elif t.kind == "struct":
                st = self.info.struct(t)
                var.named = len(st.members) if st is not None else 0
            else:
                var.named = 1
        var.writable = value.lvalue and (t.is_scalar or t.kind == "pointer") and \
            (value.place is None or value.place.space != "code")
        return var

    def evaluate(self, text: str, index: int = 0) -> Value:
        """A C expression in the context of frame ``index`` (see sim.debug.expr)."""
        if self.stopped is not None:
            frame = self.frame(index)
        else:  # a breakpoint's condition, decided before anything is reported
            frame = unwind(self.board.cpu, self.info, 1)[0]
        return cexpr.evaluate(text, lambda name: self._resolve(name, frame), self.info,
                              self.mem)

    def _resolve(self, name: str, frame: Frame) -> Value:
        info = self.info
        if frame.function is not None:
            for s in info.visible_locals(frame.function,
                                         frame.pc if frame.innermost else frame.pc - 1):
                if s.name == name:
                    return self._value_of(s, frame)
        module = frame.function.module if frame.function is not None else None
        s = info.global_symbol(name, module)
        if s is not None:
            return place_of(s, info, self.mem)
        reg = self._register_value(name)
        if reg is not None:
            return reg
        raw = {"iram": ("idata", 256), "xram": ("xdata", len(self.board.cpu.xram)),
               "code": ("code", 0x10000)}.get(name)
        if raw is not None:
            return cexpr.raw_memory(*raw)
        raise cexpr.ExprError(f"no symbol {name!r} here")

    def _register_value(self, name: str) -> Value | None:
        up = name.upper()
        bank = self.mem.bank
        if len(up) == 2 and up[0] == "R" and up[1] in "01234567":
            return Value(UCHAR, Place("reg", (bank * 8 + int(up[1]),)))
        if up == "A":
            up = "ACC"
        if up == "DPTR":
            return Value(UINT, Place("data", (0x82, 0x83)))
        if up == "PC":
            return Value(UINT, number=self.board.cpu.pc)
        for n, addr, _, _ in SFR_TABLE:
            if n == up:
                return Value(UCHAR, Place("data", (addr,)))
        for addr, n in BIT_NAMES.items():
            if n == up:
                return Value(BIT, Place("bit", (addr,)))
        sfr = self.info.sfr_symbols().get(name)
        if sfr is not None and sfr.address is not None:
            if sfr.space == "J":
                return Value(BIT, Place("bit", (sfr.address,)))
            return Value(UCHAR, Place("data", (sfr.address,)))
        return None

    def assign(self, target: Value, text: str, index: int = 0) -> None:
        """Store the value of the expression ``text`` into ``target``."""
        self._require_stopped("set variable")
        if not target.lvalue:
            raise DebugError(f"cannot assign: {target.missing or 'not a variable in memory'}")
        new = self.evaluate(text, index)
        number = read(new, self.info, self.mem) if new.ctype.kind != "array" else \
            (new.place.address if new.place else 0)
        write(target, number, self.info, self.mem)
        self._frames = None
        self.cpu_changed += 1

    def assign_pc(self, text: str, index: int = 0) -> None:
        """Set the PC to the value of an expression (where the program goes on)."""
        self._require_stopped("set PC")
        self.set_pc(int(read(self.evaluate(text, index), self.info, self.mem)))

    def set_pc(self, address: int) -> None:
        self._require_stopped("set PC")
        if not 0 <= address < 0x10000:
            raise DebugError(f"PC 0x{address:X} is outside code memory")
        self.board.cpu.pc = address
        self._frames = None
        self.cpu_changed += 1

    # == memory ===========================================================================
    _REF_SPACES = {"iram": ("idata", 256), "idata": ("idata", 256), "data": ("idata", 256),
                   "xram": ("xdata", None), "xdata": ("xdata", None), "code": ("code", 0x10000),
                   "sfr": ("data", 256)}

    def parse_reference(self, ref: str) -> tuple[str, int, int]:
        """'iram:0x30' -> (space, address, size of the space)."""
        space, sep, addr = ref.partition(":")
        if not sep:  # a bare address (an instruction pointer reference): code
            space, addr = "code", ref
        entry = self._REF_SPACES.get(space.strip().lower())
        if entry is None:
            raise DebugError(f"unknown memory reference {ref!r} (iram:, xram:, code:, sfr:)")
        try:
            a = int(addr, 0)
        except ValueError:
            raise DebugError(f"bad address in memory reference {ref!r}") from None
        size = entry[1] if entry[1] is not None else len(self.board.cpu.xram)
        return entry[0], a, size

    def read_memory(self, ref: str, offset: int, count: int) -> tuple[int, bytes, int]:
        """(start address, the bytes readable from it, unreadable bytes after them)."""
        space, addr, size = self.parse_reference(ref)
        start = addr + offset
        if count < 0:
            raise DebugError("count must be >= 0")
        lo = max(start, 0)
        hi = min(start + count, size)
        if space == "data":  # the SFR space: 0x80..0xFF only
            lo = max(lo, 0x80)
        data = self.mem.block(space, lo, hi - lo) if hi > lo else b""
        unreadable = count - len(data)
        return lo if hi > lo else start, data, unreadable

    def write_memory(self, ref: str, offset: int, data: bytes) -> int:
        self._require_stopped("write memory")
        space, addr, size = self.parse_reference(ref)
        start = addr + offset
        if start < 0 or start + len(data) > size:
            raise DebugError(f"{ref}+{offset}: {len(data)} bytes do not fit in the "
                             f"{size} bytes of that memory")
        for i, b in enumerate(data):
            self.mem.write(space, start + i, b)
        self._frames = None
        self.cpu_changed += 1
        return len(data)

    # == disassembly ======================================================================
    def disassemble(self, address: int, instruction_offset: int, count: int) -> list[Instruction]:
        """See ``sim.debug.listing.disassemble``."""
        return listing.disassemble(self.board.cpu.code, self.info, address,
                                   instruction_offset, count)


def _hit_test(condition: str, hits: int) -> bool:
    """A hit condition: ``N`` / ``== N`` (the N-th hit), ``> N``, ``>= N``, ``< N``,
    ``<= N``, ``% N`` (every N-th hit)."""
    text = condition.strip()
    for op in (">=", "<=", "==", ">", "<", "%"):
        if text.startswith(op):
            num = text[len(op):].strip()
            break
    else:
        op, num = "==", text
    try:
        n = int(num, 0)
    except ValueError:
        raise DebugError(f"hit condition {condition!r}: expected N, >= N, % N ...") from None
    if op == "%":
        if n <= 0:
            raise DebugError(f"hit condition {condition!r}: % needs a number > 0")
        return hits % n == 0
    return {"==": hits == n, ">": hits > n, ">=": hits >= n, "<": hits < n,
            "<=": hits <= n}[op]
