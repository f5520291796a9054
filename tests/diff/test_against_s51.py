"""Differential tests: our CPU against s51 (ucsim), the simulator that ships with SDCC.

Two kinds:

* **Programs** (``programs/*.c``): each is compiled with SDCC, run in s51 to its final
  ``sjmp .`` and in ``sim.frontends.exec.run_program``; the UART output and the machine-cycle
  count at the self-jump must be identical. See ``sim/measure/ucsim.py`` for how s51 is driven.
* **Random instruction streams** (``randstream.py``): seeded streams of valid
  instructions run side by side; PC, cycles, all 256 bytes of IRAM, the SFRs in
  ``COMPARE_SFRS`` and the 256 bytes of XRAM are compared at checkpoints. On a mismatch
  the first diverging instruction is located and printed with the seed, so a failure is
  a one-line reproducer: ``StreamGenerator(seed, focus=...).generate()``.

Where s51 itself disagrees with the datasheet, the expected value is the datasheet's:

* s51 0.6.4 runs one more instruction after the one that sets PCON.IDL before it idles
  (``test_instruction_setting_idl_is_the_last_before_idle``). idle.c puts a NOP there, so
  the results do not depend on it, and its expected output is computed from the datasheet
  (``S51_OUTPUT_OVERRIDE``) rather than taken from s51.
* s51 0.6.4 ignores PCON.SMOD: its mode-1 UART always divides Timer 1 overflows by 16, so
  with SMOD = 0 a frame takes half the datasheet's time (480 instead of 960 machine cycles
  at TH1 = 0xFD). The programs therefore use SMOD = 1, TH1 = 0xFA (also 9600 baud), where
  s51 is right, and ``uart_smod0.c`` checks SMOD = 0 with s51's count corrected by the
  exact datasheet difference (``S51_CYCLE_CORRECTION``).
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

import pytest

from sim.cpu.sfr import SFR_NAMES
from sim.machine.image import load_ihx
from sim.measure.ucsim import S51Run, run_ihx_detailed, run_stream, write_ihx
from tests.diff.build import PROGRAMS, requires_tools
from tests.diff.randstream import (
    COMPARE_SFRS,
    OPCODES,
    SNAPSHOT_MASK,
    Stream,
    StreamGenerator,
    disassemble,
)

pytestmark = requires_tools

MAX_CYCLES = 5_000_000



def _idle_datasheet_output() -> bytes:
    """What idle.c prints on a datasheet 80C52: every nap ends with the wake-up interrupt,
    so ``after - before`` is exactly one Timer 0 tick per nap."""
    ticks = 12
    busy = sum(1 + i * 7 for i in range(12))
    first = f"ticks={ticks} busy={busy} pcon=00\r\n"
    for _ in range(8):
        ticks += 1
        busy = (busy * 3 + ticks) & 0xFFFF
    return f"idle\r\n{first}ticks={ticks} busy={busy}\r\n".encode()


# program -> the datasheet's UART output, where s51's is wrong
S51_OUTPUT_OVERRIDE = {"idle": _idle_datasheet_output()}

# program -> machine cycles to add to s51's count to get the datasheet's (s51 deviations)
S51_CYCLE_CORRECTION = {
    # SMOD = 0, TH1 = 0xFD: 960 cycles a frame, s51 takes 480; the program waits out every
    # frame in full, and 480 is a multiple of Timer 1's 3-cycle period (see uart_smod0.c)
    "uart_smod0": lambda ref: 480 * len(ref.output),
}

# ----------------------------------------------------------------------------- programs


@pytest.fixture(scope="session")
def s51_runs(compiled: dict[str, Path]) -> dict[str, S51Run]:
    """name -> s51's run of the program (lazily filled, each program runs once)."""
    return {}


def _s51(name: str, compiled: dict[str, Path], cache: dict[str, S51Run]) -> S51Run:
    if name not in cache:
        cache[name] = run_ihx_detailed(compiled[name], max_instructions=MAX_CYCLES)
    return cache[name]


@pytest.mark.parametrize("name", PROGRAMS)
def test_s51_runs_program_to_its_self_jump(name: str, compiled: dict[str, Path],
                                           s51_runs: dict[str, S51Run]) -> None:
    """The harness on its own: s51 reaches the final self-jump and the UART output is sane."""
    ref = _s51(name, compiled, s51_runs)
    assert ref.reason == "selfjump", f"s51 stopped at 0x{ref.pc:04X} ({ref.instructions} instr)"
    assert ref.output.startswith(name.encode() + b"\r\n"), ref.output[:80]
    assert ref.output.endswith(b"\r\n")
    assert 0 < ref.cycles < MAX_CYCLES


def test_s51_known_results(compiled: dict[str, Path], s51_runs: dict[str, S51Run]) -> None:
    """Values computed independently of either simulator, checked in s51's output."""
    rec = _s51("recurse", compiled, s51_runs).output.decode()
    assert "fib(14)=377 calls=1219" in rec
    assert "ack(2,3)=9" in rec
    assert "digits=54" in rec  # 1+2+...+9+0 = 45, plus 9 levels of depth
    ari = _s51("arith", compiled, s51_runs).output.decode()
    assert "-123456789 2147483647" in ari
    tab = _s51("tables", compiled, s51_runs).output.decode()
    assert "days=365" in tab
    assert "zero 11 one 33 two 55 three 77" in tab
    mul = _s51("muldiv_bcd", compiled, s51_runs).output.decode()
    assert "4B*42=1356 44" in mul  # 0x4B * 0x42 = 0x1356, OV set, AC kept, parity even
    assert "55/0 psw=04" in mul  # division by zero: OV = 1, CY = 0
    tim = _s51("timers_irq", compiled, s51_runs).output.decode()
    assert "ex0=10 ex1=15 r7b2=5A" in tim
    idle = _s51("idle", compiled, s51_runs).output.decode()
    assert "ticks=12 " in idle and "pcon=00" in idle
    flt = _s51("float_printf", compiled, s51_runs).output.decode()
    assert "1 1.75 1.5893" in flt


@pytest.mark.parametrize("name", PROGRAMS)
def test_program_matches_s51(name: str, compiled: dict[str, Path],
                             s51_runs: dict[str, S51Run]) -> None:
    execrun = pytest.importorskip("sim.frontends.exec", reason="CPU core not there yet")
    _cpu_class()
    ref = _s51(name, compiled, s51_runs)
    assert ref.reason == "selfjump"
    # s51 charges 1 cycle for an interrupt's hardware LCALL, the datasheet 2: compare in
    # s51's convention (tests/cpu checks the datasheet's 2 cycles).
    res = execrun.run_program(load_ihx(compiled[name]), max_cycles=MAX_CYCLES,
                              s51_timing=True)
    assert res.reason == "selfjump", (
        f"{name}: ours stopped by {res.reason} after {res.cycles} cycles; "
        f"s51 reached the self-jump at {ref.cycles}"
    )
    expected_output = S51_OUTPUT_OVERRIDE.get(name, ref.output)
    assert res.output == expected_output, _first_diff(res.output, expected_output)
    correction = S51_CYCLE_CORRECTION.get(name, lambda ref: 0)(ref)
    assert res.cycles == ref.cycles + correction, (
        f"{name}: ours {res.cycles} machine cycles ({res.instructions} instructions), "
        f"s51 {ref.cycles} ({ref.instructions} instructions incl. interrupt entries)"
        + (f" + {correction} datasheet correction" if correction else "")
    )


def _first_diff(ours: bytes, ref: bytes) -> str:
    i = next((k for k, (a, b) in enumerate(zip(ours, ref, strict=False)) if a != b),
             min(len(ours), len(ref)))
    return (f"UART output differs at byte {i}:\n  ours: {ours[max(0, i - 40):i + 40]!r}\n"
            f"  s51:  {ref[max(0, i - 40):i + 40]!r}")


# ----------------------------------------------------------------------------- streams


@dataclass
class State:
    instructions: int
    cycles: int
    pc: int
    iram: bytes
    sfrs: dict[int, int]
    xram: bytes

    def diff(self, other: State) -> list[str]:
        out = []
        if self.pc != other.pc:
            out.append(f"PC ours=0x{self.pc:04X} s51=0x{other.pc:04X}")
        if self.cycles != other.cycles:
            out.append(f"cycles ours={self.cycles} s51={other.cycles}")
        for a in COMPARE_SFRS:
            m = SNAPSHOT_MASK.get(a, 0xFF)
            if (self.sfrs[a] ^ other.sfrs[a]) & m:
                out.append(f"{SFR_NAMES.get(a, hex(a))} ours=0x{self.sfrs[a]:02X} "
                           f"s51=0x{other.sfrs[a]:02X}")
        for a in range(256):
            if self.iram[a] != other.iram[a]:
                out.append(f"IRAM[0x{a:02X}] ours=0x{self.iram[a]:02X} s51=0x{other.iram[a]:02X}")
        for a in range(256):
            if self.xram[a] != other.xram[a]:
                out.append(f"XRAM[0x{a:02X}] ours=0x{self.xram[a]:02X} s51=0x{other.xram[a]:02X}")
        return out


def _s51_states(stream: Stream, checkpoints: list[int]) -> list[State]:
    return [
        State(s.instructions, s.cycles, s.pc, s.iram, {a: s.sfr_at(a) for a in COMPARE_SFRS},
              s.xram)
        for s in run_stream(stream.code, checkpoints, iram=stream.iram, xram=stream.xram)
    ]


def _cpu_class() -> type:
    cpu_mod = pytest.importorskip("sim.cpu", reason="CPU core not there yet")
    if not hasattr(cpu_mod, "CPU"):
        pytest.skip("CPU core not there yet (sim.cpu has no CPU)")
    return cpu_mod.CPU


def _our_states(stream: Stream, checkpoints: list[int]) -> list[State]:
    cpu = _cpu_class()(stream.code, xram_size=256)
    cpu.reset()
    cpu.iram[:] = stream.iram
    cpu.xram[:256] = stream.xram
    states = []
    done = 0
    for p in checkpoints:
        while done < p:
            cpu.step()
            done += 1
        states.append(State(p, cpu.cycles, cpu.pc, bytes(cpu.iram),
                            {a: cpu.read_direct(a) for a in COMPARE_SFRS}, bytes(cpu.xram[:256])))
    return states


def _describe(label: str, stream: Stream, before: State, ours: State, ref: State) -> str:
    regs = (f"A={before.sfrs[0xE0]:02X} B={before.sfrs[0xF0]:02X} PSW={before.sfrs[0xD0]:02X} "
            f"SP={before.sfrs[0x81]:02X} DPTR={before.sfrs[0x83]:02X}{before.sfrs[0x82]:02X} "
            f"bank={before.iram[(before.sfrs[0xD0] & 0x18):(before.sfrs[0xD0] & 0x18) + 8].hex()}")
    lines = [
        f"{label}: first divergence at instruction #{ours.instructions} "
        f"(cycle {before.cycles}), executing",
        f"    {disassemble(stream.code, before.pc)}",
        f"  state before it: {regs}",
        *(f"  {d}" for d in ours.diff(ref)[:24]),
        f"  stream ({len(stream.code)} bytes): {stream.describe()}",
    ]
    return "\n".join(lines)


def check_stream(label: str, stream: Stream, steps: int, every: int) -> None:
    _cpu_class()
    checkpoints = list(range(0, steps + 1, every))
    ref = _s51_states(stream, checkpoints)
    ours = _our_states(stream, checkpoints)
    bad = next((i for i, (o, r) in enumerate(zip(ours, ref, strict=True)) if o.diff(r)), None)
    if bad is None:
        return
    if bad == 0:
        pytest.fail(f"{label}: states differ before the first instruction:\n"
                    + "\n".join(ours[0].diff(ref[0])[:24]))
    # narrow down to the first instruction whose result differs
    fine = list(range(checkpoints[bad - 1], checkpoints[bad] + 1))
    ref_f = _s51_states(stream, fine)
    ours_f = _our_states(stream, fine)
    k = next(i for i, (o, r) in enumerate(zip(ours_f, ref_f, strict=True)) if o.diff(r))
    pytest.fail(_describe(label, stream, ref_f[k - 1], ours_f[k], ref_f[k]))


STREAM_SEEDS = int(os.environ.get("CLOCK51_DIFF_SEEDS", "40"))


@pytest.mark.parametrize("seed", range(STREAM_SEEDS))
def test_random_stream(seed: int) -> None:
    stream = StreamGenerator(seed).generate()
    check_stream(f"seed {seed}", stream, steps=3000, every=100)


@pytest.mark.parametrize("seed", range(1000, 1008))
def test_random_stream_with_timer2(seed: int) -> None:
    stream = StreamGenerator(seed, timer2=True).generate()
    check_stream(f"seed {seed} (timer2)", stream, steps=3000, every=100)


@pytest.mark.parametrize("opcode", [op for op in range(256) if op in OPCODES],
                         ids=lambda op: f"{op:02X}")
def test_opcode_focused_stream(opcode: int) -> None:
    """Every opcode, densely: half the units of the stream are that instruction."""
    stream = StreamGenerator(opcode, focus=opcode, units=60).generate()
    check_stream(f"focus 0x{opcode:02X} ({OPCODES[opcode][0]}) seed {opcode}", stream,
                 steps=400, every=25)


@pytest.mark.slow
@pytest.mark.parametrize("seed", range(100, 160))
def test_random_stream_long(seed: int) -> None:
    stream = StreamGenerator(seed, units=400).generate()
    check_stream(f"seed {seed} (long)", stream, steps=20000, every=1000)


# ------------------------------------------------------------------ directed reproducers
# Small hand-assembled programs for the behaviours where the two simulators (and the
# datasheet) have been seen to differ. Each prints the instruction bytes it runs.


def _s51_raw(code: bytes, tmp_path: Path) -> S51Run:
    write_ihx(code, tmp_path / "raw.ihx")
    ref = run_ihx_detailed(tmp_path / "raw.ihx", max_instructions=100_000)
    assert ref.reason == "selfjump", ref.reason
    return ref


def _ours_raw(code: bytes) -> object:
    """Our CPU, single-stepped to the final SJMP $, in s51's interrupt timing (1-cycle
    hardware LCALL; the datasheet's 2 cycles are checked in tests/cpu)."""
    cpu = _cpu_class()(code, xram_size=256)
    cpu.reset()
    cpu.irq_entry_cycles = 1
    stop = code.rindex(b"\x80\xfe")
    for _ in range(100_000):
        if cpu.pc == stop:
            return cpu
        cpu.step()
    pytest.fail("our CPU did not reach the final SJMP $")


def _timer_irq_program(tl0: int, filler: list[int]) -> bytes:
    """Timer 0 mode 2 started by SETB TR0 at cycle 9 with TL0 = ``tl0``; the ISR stores R0
    (counted up by the INC R0 instructions in ``filler``) at 40h and stops the timer."""
    code = bytearray(b"\xff" * 0x30)
    code[0:3] = bytes([0x02, 0x00, 0x30])  # LJMP 0030h
    code[0x0B:0x10] = bytes([0x88, 0x40, 0xC2, 0x8C, 0x32])  # MOV 40h,R0; CLR TR0; RETI
    code += bytes([0x75, 0x89, 0x02,  # MOV TMOD,#02h
                   0x75, 0x8A, tl0,  # MOV TL0,#tl0
                   0x75, 0xA8, 0x82,  # MOV IE,#82h (EA, ET0)
                   0x78, 0x00,  # MOV R0,#0
                   0xD2, 0x8C])  # SETB TR0  (cycle 9; the timer counts this cycle)
    code += bytes(filler * 12) + b"\x80\xfe"
    return bytes(code)


def _datasheet_r0_at_isr(tl0: int, filler: list[int]) -> int:
    """Intel MCS-51 manual, interrupt response: flags are sampled at S5P2 of every cycle and
    polled in the next one; the LCALL follows the instruction whose *final* cycle is a
    polling cycle that finds the flag. So TF0 set during cycle t is serviced after the
    first instruction whose last cycle is t + 1 or later."""
    cycles = {0x08: 1, 0xA3: 2, 0xA4: 4, 0x00: 1}
    overflow = 9 + (256 - tl0) - 1  # the cycle in which TL0 wraps
    t, r0 = 10, 0
    for op in filler * 12:
        t += cycles[op]
        r0 += op == 0x08
        if t - 1 >= overflow + 1:
            return r0
    raise AssertionError("no interrupt")


@pytest.mark.parametrize("filler", [[0x08], [0x08, 0xA3], [0xA4, 0x08]],
                         ids=["inc", "inc-incdptr", "mul-inc"])
@pytest.mark.parametrize("tl0", range(0xF8, 0x100), ids=lambda v: f"TL0={v:02X}")
def test_timer_interrupt_latency(tl0: int, filler: list[int], tmp_path: Path) -> None:
    """A timer flag set in the last cycle of an instruction is serviced one instruction later."""
    code = _timer_irq_program(tl0, filler)
    want = _datasheet_r0_at_isr(tl0, filler)
    ref = _s51_raw(code, tmp_path)
    assert ref.iram[0x40] == want, "s51 disagrees with the datasheet model (harness bug?)"
    ours = _ours_raw(code)
    assert ours.iram[0x40] == want, (
        f"ISR saw R0={ours.iram[0x40]}, datasheet and s51: {want}; program: {code[0x30:].hex(' ')}"
    )


def test_software_set_interrupt_flag_waits_one_instruction() -> None:
    """SETB IE0 sets the flag in its last cycle, so it is polled in the next instruction's
    cycle and at least one more instruction runs before the LCALL (Intel MCS-51 manual,
    interrupt response timing; the same rule as for writes to IE/IP). s51 0.6.4 takes the
    interrupt straight after the SETB (it would store R0 = 0 here)."""
    code = bytearray(b"\xff" * 0x30)
    code[0:3] = bytes([0x02, 0x00, 0x30])
    code[0x03:0x06] = bytes([0x88, 0x40, 0x32])  # INT0: MOV 40h,R0; RETI
    code += bytes([0x75, 0xA8, 0x81,  # MOV IE,#81h (EA, EX0)
                   0xD2, 0x88,  # SETB IT0 (edge triggered)
                   0x78, 0x00,  # MOV R0,#0
                   0xD2, 0x89,  # SETB IE0
                   0x08, 0x08, 0x08, 0x80, 0xFE])  # INC R0 x3; SJMP $
    ours = _ours_raw(bytes(code))
    assert ours.iram[0x40] == 1, (
        f"ISR saw R0={ours.iram[0x40]}, datasheet: 1; program: {bytes(code[0x30:]).hex(' ')}"
    )


def test_push_sp_pushes_the_incremented_sp(tmp_path: Path) -> None:
    """PUSH: SP <- SP + 1, then (SP) <- (direct) (Intel instruction set); so PUSH SP stores
    the new SP. s51 agrees."""
    code = bytes([0x75, 0x81, 0x74,  # MOV SP,#74h
                  0xC0, 0x81,  # PUSH SP
                  0x80, 0xFE])
    ref = _s51_raw(code, tmp_path)
    ours = _ours_raw(code)
    assert ref.iram[0x75] == 0x75
    assert ours.iram[0x75] == 0x75, f"PUSH SP stored {ours.iram[0x75]:02X}: {code.hex(' ')}"


def test_instruction_setting_idl_is_the_last_before_idle(tmp_path: Path) -> None:
    """'The instruction that sets PCON.0 is the last instruction executed before going into
    the Idle mode' (80C51 data sheets). s51 0.6.4 runs one more (its ISR would see R0 = 1)."""
    code = bytearray(b"\xff" * 0x30)
    code[0:3] = bytes([0x02, 0x00, 0x30])
    code[0x0B:0x0E] = bytes([0x88, 0x40, 0x32])  # Timer 0: MOV 40h,R0; RETI
    code += bytes([0x75, 0x89, 0x02, 0x75, 0x8C, 0x06, 0x75, 0x8A, 0x06,  # T0 mode 2, 250 cyc
                   0x75, 0xA8, 0x82, 0x78, 0x00, 0xD2, 0x8C,  # IE, R0 = 0, SETB TR0
                   0x43, 0x87, 0x01,  # ORL PCON,#01h (IDL)
                   0x08, 0x08, 0xC2, 0x8C, 0x80, 0xFE])  # INC R0 x2; CLR TR0; SJMP $
    ref = _s51_raw(bytes(code), tmp_path)
    ours = _ours_raw(bytes(code))
    assert ours.iram[0x40] == 0
    assert ours.cycles == ref.cycles  # the wake-up itself is timed alike


@pytest.mark.parametrize("pad", range(6))
def test_uart_ti_timing_matches_s51(pad: int, tmp_path: Path) -> None:
    """TI after a frame, polled by JNB TI,$ (SMOD = 1, TH1 = 0xFA). The datasheet does not
    pin this down to the cycle (real hardware starts the frame on the next divide-by-16
    rollover and sets TI at the start of the stop bit); both simulators end the frame on the
    160th Timer 1 overflow after the SBUF write, and this checks they agree on the cycle
    at which a polling instruction first sees TI."""
    code = bytes([0x75, 0x87, 0x80, 0x75, 0x98, 0x50, 0x75, 0x89, 0x20,  # SMOD, SCON, TMOD
                  0x75, 0x8D, 0xFA, 0x75, 0x8B, 0xFA, 0xD2, 0x8E,  # TH1 = TL1 = FAh, TR1
                  *([0x00] * pad),
                  0x75, 0x99, 0x41,  # MOV SBUF,#'A'
                  0x30, 0x99, 0xFD,  # JNB TI,$
                  0x80, 0xFE])
    ref = _s51_raw(code, tmp_path)
    execrun = pytest.importorskip("sim.frontends.exec")
    res = execrun.run_program(code, max_cycles=100_000)
    assert (res.output, res.reason) == (b"A", "selfjump")
    assert res.cycles == ref.cycles, f"ours {res.cycles}, s51 {ref.cycles}: {code.hex(' ')}"
