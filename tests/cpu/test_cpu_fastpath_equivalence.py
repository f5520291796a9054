"""The fast paths (whole blocks, idle/self-jump/DJNZ/JNB fast-forward) give exactly the state
that single-stepping gives."""

import random

import pytest

from sim.cpu import CPU
from sim.cpu.opcodes import OPCODES
from tests.cpu.cpuhelp import image

# timer 0 mode 2 interrupts every 100 cycles; the ISR counts in 30h and toggles bit 00h.
# main loop: MOV R7,#37 ; DJNZ R7,$ ; JNB 00h,$ ; INC 31h ; JB 00h,$ ; ORL PCON,#1 ;
#            INC 32h ; SJMP loop
MAIN = ("75 89 02 75 8C 9C 75 8A 9C 75 A8 82 D2 8C "
        "7F 25 DF FE 30 00 FD 05 31 20 00 FD 43 87 01 05 32 80 ED")
PROG = image("02 00 40", {0x0B: "05 30 B2 00 32", 0x40: MAIN})


def _state(cpu: CPU) -> tuple:
    timers = tuple(cpu.read_direct(a) for a in (0x88, 0x8A, 0x8C, 0x98))
    return (cpu.cycles, cpu.instructions, cpu.pc, bytes(cpu.iram), timers, cpu.sp_max)


@pytest.mark.parametrize("until", [500, 1234, 5000, 20011, 60000])
def test_one_run_equals_many_tiny_runs(until):
    fast = CPU(PROG)
    fast.run(until)
    slow = CPU(PROG)
    while slow.cycles < until:
        slow.run(slow.cycles + 1)
    assert _state(fast) == _state(slow)
    assert fast.iram[0x30] > 3 and fast.iram[0x32] > 0 or until < 5000


def test_djnz_delay_fast_forward_is_exact():
    # MOV R6,#200 ; outer: MOV R7,#0 ; DJNZ R7,$ ; DJNZ R6,outer ; SJMP $
    prog = image("7E C8 7F 00 DF FE DE FA 80 FE")
    cpu = CPU(prog)
    assert cpu.run(10**8, stop_at_selfjump=True) == "selfjump"
    assert cpu.cycles == 1 + 200 * (1 + 256 * 2 + 2)
    assert cpu.instructions == 1 + 200 * (1 + 256 + 1)


def test_self_jump_idle_advances_to_the_deadline_exactly():
    cpu = CPU(image("80 FE"))
    assert cpu.run(1001) == "deadline"
    assert cpu.cycles == 1002 and cpu.instructions == 501


def _random_straight_line(rng: random.Random, n: int) -> bytes:
    """Random non-branching instructions on IRAM, ACC, B, DPTR, PSW (no side-effect SFRs)."""
    ok = [op for op in OPCODES if op is not None and not any(
        k in ("rel", "addr11", "addr16", "@A+DPTR") for k in op.operands)
        and op.mnemonic not in ("RET", "RETI", "JMP")]
    out = bytearray()
    for _ in range(n):
        op = rng.choice(ok)
        raw = []
        for kind in op.operands:
            if kind == "direct":
                raw.append(rng.choice([rng.randrange(0x00, 0x80), 0xE0, 0xF0, 0x82, 0x83, 0xD0]))
            elif kind in ("bit", "/bit"):
                raw.append(rng.choice([rng.randrange(0, 0x80), 0xE0 + rng.randrange(8),
                                       0xD0 + rng.randrange(8), 0xF0 + rng.randrange(8)]))
            elif kind in ("#data", "#data16"):
                raw += [rng.randrange(256) for _ in range(1 if kind == "#data" else 2)]
        out += bytes([op.code, *raw])
    return bytes(out) + b"\x80\xfe"


@pytest.mark.parametrize("seed", range(40))
def test_random_straight_line_code_blocks_equal_single_steps(seed):
    rng = random.Random(seed)
    code = _random_straight_line(rng, 60)
    a = CPU(code, xram_size=0x10000)
    b = CPU(code, xram_size=0x10000)
    for cpu in (a, b):
        for i in range(256):
            cpu.iram[i] = rng.randrange(256) if cpu is a else a.iram[i]
        cpu.sp = 0x70
    assert a.run(100_000, stop_at_selfjump=True) == "selfjump"
    while b.pc != a.pc:
        b.step()
    assert (a.cycles, a.instructions) == (b.cycles, b.instructions)
    assert a.iram == b.iram and a.sfr == b.sfr and a.xram == b.xram
