"""The debugger runtime (sim.debug.runtime) on the frames program
(tests/debug/programs/frames.c): call stacks through a reentrant recursion, an interrupt and
a function pointer; stepping over, into and out of calls with interrupts firing; breakpoint
conditions, hit counts, log messages; pause; disassembly."""

from __future__ import annotations

from pathlib import Path

import pytest

from sim.debug import cdb, runtime
from sim.debug.runtime import BreakSpec, DebugError, Debugger, StopEvent, _Step
from sim.machine.board import Board
from tests.debug.conftest import marker_line
from tests.debug.test_values import run_until_stopped


class Rig:
    def __init__(self, ihx: Path) -> None:
        self.src = ihx.with_suffix(".c")
        self.board = Board("reference", ihx)
        self.stops: list[StopEvent] = []
        self.out: list[str] = []
        self.dbg = Debugger(self.board, cdb.load(ihx.with_suffix(".cdb")),
                            on_stop=self.stops.append, on_output=self.out.append)

    def line(self, marker: str) -> int:
        return marker_line(self.src, marker)

    def break_at(self, *markers: str, **kw: str) -> None:
        specs = [BreakSpec(line=self.line(m), **kw) for m in markers]
        bps = self.dbg.set_source_breakpoints(str(self.src), specs)
        assert all(b.verified for b in bps), [b.message for b in bps]

    def run(self, seconds: float = 2.0) -> StopEvent:
        run_until_stopped(self.board, self.dbg, seconds)
        return self.stops[-1]

    def go(self, seconds: float = 2.0) -> StopEvent:
        self.dbg.resume()
        return self.run(seconds)

    def step(self, kind: str, granularity: str = "line") -> StopEvent:
        n = len(self.stops)
        ev = self.dbg.step(kind, granularity)
        if ev is None:  # it went on asynchronously
            run_until_stopped(self.board, self.dbg)
        assert len(self.stops) == n + 1
        return self.stops[-1]

    def where(self) -> tuple[str, int | None]:
        f = self.dbg.frames()[0]
        return f.name, f.line.line if f.line else None

    def local(self, name: str, frame: int = 0) -> str:
        for sc in self.dbg.scopes(frame):
            if sc.name == "Locals":
                return {v.name: v.text for v in sc.variables()}[name]
        raise AssertionError("no Locals scope")


@pytest.fixture
def rig(debug_programs: dict[str, Path]) -> Rig:
    return Rig(debug_programs["frames"])


def test_a_reentrant_recursion_unwinds_with_each_frames_stack_locals(rig):
    rig.break_at("FACT_BASE")
    ev = rig.run()
    assert ev.reason == "breakpoint"
    frames = rig.dbg.frames()
    assert [f.name for f in frames] == ["fact"] * 4 + ["main"]
    assert [f.line.line for f in frames[1:4]] == [rig.line("FACT_RECURSE")] * 3
    assert frames[4].line.line == rig.line("MAIN_FACT")
    assert [rig.local("tag", i) for i in range(4)] == ["13 '\\r'", "12 '\\x0c'",
                                                       "11 '\\x0b'", "10 '\\n'"]
    assert rig.local("mark", 0) == '"\\r\\x01"'  # {tag, n}
    assert rig.local("n", 0) == "1"
    assert "innermost frame only" in rig.local("n", 2)


def test_a_breakpoint_in_a_function_called_by_an_interrupt_shows_the_interrupted_code(rig):
    rig.break_at("LEAF_FIRST", condition="v >= 0x80")  # only the handler's calls
    rig.run()
    frames = rig.dbg.frames()
    assert [f.name for f in frames[:2]] == ["leaf", "timer0_isr"]
    assert frames[2].interrupted and frames[-1].name == "main"
    assert frames[1].line.line == rig.line("ISR_BODY") + 1
    assert rig.dbg.evaluate("v").ctype.size == 1  # untyped (from the .asm), still readable


def test_step_over_a_call_with_interrupts_firing_lands_on_the_next_line(rig):
    rig.break_at("MAIN_FACT")
    rig.run()
    rig.dbg.set_source_breakpoints(str(rig.src), [])
    ticks = rig.dbg.evaluate("ticks")
    assert rig.step("over").reason == "step"
    assert rig.where() == ("main", rig.line("MAIN_OP"))
    assert rig.step("over").reason == "step"  # a call through a function pointer
    assert rig.where() == ("main", rig.line("MAIN_BLOCK"))
    assert rig.dbg.format(rig.dbg.evaluate("k2")) is not None
    assert rig.dbg.format(ticks) != "0"  # the timer interrupt ran meanwhile


def test_step_into_enters_the_callee_and_step_out_returns_to_the_call(rig):
    rig.break_at("MAIN_FACT")
    rig.run()
    rig.dbg.set_source_breakpoints(str(rig.src), [])
    rig.step("into")  # past the prologue of a reentrant function (PUSH _bp, locals)
    assert rig.where() == ("fact", rig.line("FACT_FIRST"))
    assert len(rig.dbg.frames()) == 2
    rig.step("out")
    assert rig.where() == ("main", rig.line("MAIN_FACT"))  # the rest of the line
    rig.step("over")
    assert rig.where() == ("main", rig.line("MAIN_OP"))
    rig.step("into")  # through SDCC's call by pointer (LCALL to a PUSH/PUSH/RET)
    assert rig.where() == ("leaf", rig.line("LEAF_FIRST"))  # past the prologue


def test_step_over_the_idle_line_waits_for_the_interrupt_and_its_return(rig):
    rig.break_at("MAIN_IDLE")
    rig.run()
    rig.dbg.set_source_breakpoints(str(rig.src), [])
    before = rig.board.cycles
    rig.step("over")
    assert rig.where() == ("main", rig.line("MAIN_AFTER_IDLE"))
    assert rig.board.cycles - before > 100  # it slept until the timer's interrupt


def test_a_breakpoint_reached_inside_a_stepped_over_call_ends_the_step(rig):
    rig.break_at("MAIN_OP")
    rig.run()
    rig.break_at("LEAF_FIRST", condition="v == 5")
    ev = rig.step("over")
    assert ev.reason == "breakpoint" and rig.where()[0] == "leaf"


def test_conditions_hit_counts_and_log_messages(rig):
    rig.break_at("LEAF_FIRST", condition="v == 5")
    rig.run()
    assert rig.dbg.evaluate("v") and rig.where()[0] == "leaf"
    assert rig.dbg.frames()[1].name == "main"
    rig.break_at("ISR_BODY", hit_condition=">= 3")
    rig.go()
    assert rig.dbg.format(rig.dbg.evaluate("ticks")) == "2 '\\x02'"  # the 3rd entry
    rig.break_at("ISR_BODY", hit_condition="% 2")
    rig.go()
    rig.go()
    bp = rig.dbg.breakpoints()[-1]
    assert bp.hits == 4
    rig.break_at("ISR_BODY", log_message="tick {ticks}")
    rig.dbg.resume()
    rig.board.run_for(0.01)
    for _ in range(20):
        rig.dbg.after_slice(rig.board.run_until(rig.board.cycles + 500))
    assert rig.dbg.running and any(t.startswith("tick ") for t in rig.out)


def test_pause_stops_where_the_program_is(rig):
    rig.board.run_for(0.01)
    assert rig.dbg.pause().reason == "pause"
    assert rig.dbg.frames()[0].pc == rig.board.cpu.pc
    assert rig.dbg.pause() is None  # already stopped


def test_instruction_steps(rig):
    rig.break_at("MAIN_FACT")
    rig.run()
    rig.dbg.set_source_breakpoints(str(rig.src), [])
    cpu = rig.board.cpu
    n = cpu.instructions
    rig.step("into", "instruction")
    assert cpu.instructions == n + 1 or cpu.pc in (0x03, 0x0B)
    while rig.dbg.disassemble(cpu.pc, 0, 1)[0].text.split()[0] != "LCALL":
        rig.step("into", "instruction")
    ret = cpu.pc + 3
    rig.step("over", "instruction")
    assert cpu.pc == ret


def test_disassembly_before_the_pc_starts_on_instruction_boundaries(rig):
    rig.break_at("MAIN_OP")
    rig.run()
    pc = rig.board.cpu.pc
    ins = rig.dbg.disassemble(pc, -5, 10)
    assert ins[5].address == pc
    for a, b in zip(ins, ins[1:], strict=False):
        assert a.address + len(a.raw) == b.address
    assert ins[5].line == rig.line("MAIN_OP") and ins[5].symbol.startswith("main+")


def test_requests_that_need_a_stopped_program_say_so(rig):
    with pytest.raises(DebugError, match="running"):
        rig.dbg.frames()
    with pytest.raises(DebugError, match="running"):
        rig.dbg.step("over")


def test_unknown_files_functions_and_lines_give_unverified_breakpoints(rig):
    (bp,) = rig.dbg.set_source_breakpoints("/nowhere/other.c", [BreakSpec(line=3)])
    assert not bp.verified and "no debug information" in bp.message
    (bp,) = rig.dbg.set_function_breakpoints([BreakSpec(name="no_such")])
    assert not bp.verified
    (bp,) = rig.dbg.set_source_breakpoints(str(rig.src), [BreakSpec(line=10_000)])
    assert not bp.verified
    (bp,) = rig.dbg.set_source_breakpoints(str(rig.src), [BreakSpec(line=3,
                                                                    condition="v ==")])
    assert not bp.verified and "condition" in bp.message
    with pytest.raises(DebugError, match="unknown exception filter"):
        rig.dbg.set_exception_filters(["nope"])


def test_a_client_going_away_mid_step_leaves_nothing_that_could_stop_the_program(rig):
    rig.break_at("MAIN_FACT")
    rig.run()
    rig.dbg.set_source_breakpoints(str(rig.src), [])
    cpu = rig.board.cpu
    # a step that went on at the loop's pace: a temporary breakpoint waits in leaf
    step = _Step("return", ret=rig.dbg.info.function("leaf").start, ret_sp=-1, then="step")
    rig.dbg.stopped, rig.dbg._step = None, step
    rig.dbg._go_async(step)
    assert cpu.breakpoints
    rig.dbg.clear_all()
    assert rig.dbg.running and not cpu.breakpoints
    for _ in range(200):
        rig.dbg.after_slice(rig.board.run_until(rig.board.cycles + 2000))
    assert rig.dbg.running


def test_disassembly_asked_for_before_address_0_is_padded_to_the_count(rig):
    rig.break_at("MAIN_FIRST")
    rig.run()
    ins = rig.dbg.disassemble(3, -10, 12)  # the reset vector's LJMP is 3 bytes long
    assert len(ins) == 12
    assert [i.address for i in ins[:9]] == [-1] * 9
    assert [i.address for i in ins[9:11]] == [0, 3]


def test_an_asynchronous_wait_at_an_idle_instruction_stops_on_the_first_return(rig):
    rig.break_at("MAIN_IDLE")
    rig.run()
    rig.dbg.set_source_breakpoints(str(rig.src), [])
    cpu = rig.board.cpu
    while not cpu.idle:
        rig.step("into", "instruction")
    ticks = rig.dbg.format(rig.dbg.evaluate("ticks"))
    # the step went on at the loop's pace while the CPU idled at its return address
    step = _Step("return", function=rig.dbg.info.function("main"), sp0=cpu.sp, ret=cpu.pc,
                 ret_sp=cpu.sp, then="line", moved=True)
    rig.dbg.stopped, rig.dbg._step = None, step
    rig.dbg._go_async(step)
    assert rig.run().reason == "step"
    assert rig.where() == ("main", rig.line("MAIN_AFTER_IDLE"))
    assert int(rig.dbg.format(rig.dbg.evaluate("ticks")).split()[0]) == \
        int(ticks.split()[0]) + 1  # the first interrupt's return, not a later one


@pytest.mark.parametrize("budget", range(1, 41))
def test_a_step_over_that_outlasts_its_budget_still_stops_at_the_next_line(rig, monkeypatch,
                                                                            budget):
    """However little a step may do synchronously, the asynchronous rest stops at the next
    line: the instruction where the budget ran out is judged before the step goes on."""
    monkeypatch.setattr(runtime, "STEP_INSTRUCTIONS", budget)
    rig.break_at("MAIN_FACT")
    rig.run()
    rig.dbg.set_source_breakpoints(str(rig.src), [])
    for line in ("MAIN_OP", "MAIN_BLOCK"):
        assert rig.step("over").reason == "step"  # (Rig.step runs an asynchronous rest)
        assert rig.where() == ("main", rig.line(line))


def test_assembler_entered_by_a_jump_still_unwinds_to_its_caller(rig):
    """tail_entry jumps into tail_target: no call on the stack names tail_target, and the
    frame above it is main's (the call to tail_entry)."""
    rig.break_at("TAIL_BODY")
    rig.run()
    frames = rig.dbg.frames()
    assert [f.name for f in frames] == ["tail_target", "main"]
    assert frames[1].line.line == rig.line("MAIN_TAIL")
