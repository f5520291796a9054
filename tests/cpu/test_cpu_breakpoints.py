"""Breakpoints in the CPU: ``run()`` stops before every execution of an instruction at a
breakpoint address, exactly where single steps would see it, in basic blocks, superblocks
and interrupt handlers alike, and a CPU whose breakpoints are all removed runs the very
translations a CPU that never had one runs."""

import random

import pytest

from sim.cpu import CPU, cache
from sim.cpu import translate as tr
from sim.cpu.opcodes import decode
from tests.cpu.cpuhelp import image
from tests.cpu.test_cpu_fastpath_equivalence import PROG, _state
from tests.cpu.test_cpu_superblocks import _random_program


@pytest.fixture
def no_cache(monkeypatch: pytest.MonkeyPatch):
    monkeypatch.setenv("CLOCK51_CACHE_DIR", "off")
    cache._reset_for_tests()
    yield
    cache._reset_for_tests()


def _instruction_starts(code: bytes, start: int, end: int) -> list[int]:
    out, addr = [], start
    while addr < end:
        out.append(addr)
        op, _ = decode(code, addr)
        addr += op.length if op else 1
    return out


def _stops_by_stepping(cpu: CPU, bps: set[int], until: int) -> list[tuple]:
    """(pc, cycles, instructions) each time an instruction at a breakpoint is next, found
    by single steps; the run ends at the final SJMP $ or ``until`` cycles."""
    seen = []
    while cpu.cycles < until:
        if cpu.pc in bps:
            seen.append((cpu.pc, cpu.cycles, cpu.instructions))
        op, vals = decode(cpu.code, cpu.pc)
        if op.mnemonic == "SJMP" and vals[0] == cpu.pc:
            break
        cpu.step()
    return seen


def _stops_by_running(cpu: CPU, bps: set[int], until: int) -> list[tuple]:
    seen = []
    cpu.set_breakpoints(bps)
    while True:
        reason = cpu.run(until, stop_at_selfjump=True)
        if reason != "breakpoint":
            break
        assert cpu.pc in bps
        seen.append((cpu.pc, cpu.cycles, cpu.instructions))
        cpu.pass_breakpoint()
    return seen


@pytest.mark.parametrize("seed", range(20))
def test_every_arrival_at_a_breakpoint_stops_the_run_where_single_steps_see_it(
        seed, monkeypatch, no_cache):
    monkeypatch.setattr(tr, "HOT_COUNT", 2)  # superblocks early: breakpoints inside them
    rng = random.Random(seed)
    code = _random_program(rng)
    scout = CPU(code)
    visited = set()
    while scout.run(scout.cycles + 1, stop_at_selfjump=True) != "selfjump":
        visited.add(scout.pc)
    bps = set(rng.sample(sorted(visited), 3))
    fast, slow = CPU(code), CPU(code)
    fast.run(600)  # hot without breakpoints first: they must break into bound superblocks
    while slow.cycles < fast.cycles:
        slow.step()
    assert _state(fast) == _state(slow)
    got = _stops_by_running(fast, bps, 10**6)
    want = _stops_by_stepping(slow, bps, 10**6)
    assert got == want and got
    assert _state(fast) == _state(slow)


def test_breakpoints_changed_between_stops_take_effect_at_once(monkeypatch, no_cache):
    monkeypatch.setattr(tr, "HOT_COUNT", 2)
    code = _random_program(random.Random(7))
    starts = _instruction_starts(code, 0x102, 0x100 + 50)
    cpu, ref = CPU(code), CPU(code)
    first, second = {starts[3]}, {starts[1], starts[9]}
    cpu.set_breakpoints(first)
    assert cpu.run(10**6) == "breakpoint" and cpu.pc == starts[3]
    cpu.set_breakpoints(second)  # no pass needed: the CPU is not at one of these
    assert cpu.run(10**6) == "breakpoint" and cpu.pc in second
    while ref.instructions < cpu.instructions:
        ref.step()
    assert _state(ref) == _state(cpu)


def test_a_breakpoint_in_an_interrupt_handler_stops_inside_it(no_cache):
    # PROG: Timer 0 interrupts into a handler at 0x0B; single steps find its first arrival
    cpu, ref = CPU(PROG), CPU(PROG)
    handler = 0x0B
    cpu.set_breakpoints({handler})
    assert cpu.run(100_000) == "breakpoint"
    while ref.pc != handler:
        ref.run(ref.cycles + 1)
    assert (cpu.pc, cpu.cycles, cpu.instructions) == (ref.pc, ref.cycles, ref.instructions)
    assert cpu.in_service != (False, False)


def test_a_breakpoint_at_the_current_pc_stops_unless_passed():
    code = image("00 00 00 80 FB")  # NOP NOP NOP SJMP back to 0
    cpu = CPU(code)
    cpu.set_breakpoints({0})
    assert cpu.run(1000) == "breakpoint" and cpu.cycles == 0
    assert cpu.run(1000) == "breakpoint" and cpu.cycles == 0  # not passed: stays
    cpu.pass_breakpoint()
    assert cpu.run(1000) == "breakpoint" and cpu.pc == 0 and cpu.instructions == 4


def test_step_ignores_breakpoints():
    cpu = CPU(image("00 00 80 FC"))
    cpu.set_breakpoints({0, 1})
    cpu.step()
    cpu.step()
    assert cpu.pc == 2


def test_without_breakpoints_the_cpu_binds_the_shared_translations_again(monkeypatch,
                                                                         no_cache):
    monkeypatch.setattr(tr, "HOT_COUNT", 2)
    code = _random_program(random.Random(3))
    plain, debugged = CPU(code), CPU(code)
    plain.run(600)
    debugged.set_breakpoints(set(_instruction_starts(code, 0x104, 0x100 + 40)))
    while debugged.run(600) == "breakpoint":
        debugged.pass_breakpoint()
    debugged.set_breakpoints(())
    assert debugged.breakpoints == frozenset()
    assert not any(debugged._blocks)  # every block is bound afresh ...
    more = 40_000
    plain.run(more)
    debugged.run(more)
    assert _state(plain) == _state(debugged)
    store = plain._store
    for key, entry in enumerate(debugged._blocks):  # ... from the shared store, as before
        if entry is not None and entry[0] is not None:
            shared = store.blocks.get(key | 1 << 20) or store.blocks[key]
            assert entry[0].__code__ in shared[0].co_consts


def test_a_cpu_never_given_a_breakpoint_never_looks_at_block_contents(no_cache):
    cpu = CPU(PROG)
    cpu.run(50_000)
    assert cpu._cover == {} and cpu._scover == {}
