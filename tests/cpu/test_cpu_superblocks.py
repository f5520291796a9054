"""Superblocks (hot code translated across jumps, calls and untaken branches, with early
exits) give exactly the state that basic blocks and single steps give."""

import random

import pytest

from sim.cpu import CPU, cache
from sim.cpu import translate as tr
from tests.cpu.cpuhelp import image
from tests.cpu.test_cpu_fastpath_equivalence import PROG, _state


@pytest.fixture
def no_cache(monkeypatch: pytest.MonkeyPatch):
    """No translation from an earlier run (disk) or test (process) of the same image."""
    monkeypatch.setenv("CLOCK51_CACHE_DIR", "off")
    cache._reset_for_tests()
    yield
    cache._reset_for_tests()


@pytest.fixture
def hot_at_once(monkeypatch: pytest.MonkeyPatch, no_cache: None) -> None:
    """Every block is replaced by its superblock after its first run."""
    monkeypatch.setattr(tr, "HOT_COUNT", 1)


def _random_program(rng: random.Random) -> bytes:
    """A subroutine and a main loop made of short straight runs joined by forward
    conditional branches (JZ, JNZ, JC, JNC, CJNE, DJNZ, JB, JNB), SJMPs and LCALLs;
    the loop runs 50 times, then SJMP $."""
    def straight(n: int) -> bytes:
        out = bytearray()
        for _ in range(n):
            r = rng.randrange(7)
            if r == 0:
                out += bytes([0x24, rng.randrange(256)])          # ADD A,#data
            elif r == 1:
                out += bytes([0x35, rng.randrange(0x30, 0x40)])   # ADDC A,direct
            elif r == 2:
                out += bytes([0x95, rng.randrange(0x30, 0x40)])   # SUBB A,direct
            elif r == 3:
                out += bytes([0xF5, rng.randrange(0x30, 0x40)])   # MOV direct,A
            elif r == 4:
                out += bytes([0x05, rng.randrange(0x30, 0x40)])   # INC direct
            elif r == 5:
                out += bytes([0x33])                               # RLC A
            else:
                out += bytes([0xB3])                               # CPL C
        return bytes(out)

    sub = straight(4) + b"\x22"                                    # ... RET
    body = bytearray()
    for _ in range(8):
        body += straight(rng.randrange(1, 5))
        skip = straight(rng.randrange(1, 4))
        kind = rng.randrange(9)
        if kind < 4:
            body += bytes([(0x60, 0x70, 0x40, 0x50)[kind], len(skip)])  # JZ/JNZ/JC/JNC
        elif kind == 4:
            body += bytes([0xB4, rng.randrange(256), len(skip)])         # CJNE A,#d,rel
        elif kind == 5:
            body += bytes([0xD5, rng.randrange(0x30, 0x40), len(skip)])  # DJNZ direct,rel
        elif kind == 6:
            body += bytes([0x20 if rng.randrange(2) else 0x30, rng.randrange(0x80, 0x100)
                           & 0x7F, len(skip)])                           # JB/JNB bit,rel
        elif kind == 7:
            body += bytes([0x80, len(skip)])                             # SJMP over
        else:
            body += b"\x12\x02\x00"                                      # LCALL 0200h
            skip = b""
        body += skip
    # main at 0x0100: MOV R7,#50 ; loop: body ; DJNZ R7,loop ; SJMP $
    loop = bytes(body)
    back = -(len(loop) + 2)
    main = b"\x7f\x32" + loop + bytes([0xDF, back & 0xFF]) + b"\x80\xfe"
    return image("02 01 00", {0x100: main.hex(" "), 0x200: sub.hex(" ")})


@pytest.mark.parametrize("seed", range(30))
def test_random_branchy_code_in_superblocks_equals_single_steps(seed, hot_at_once):
    rng = random.Random(seed)
    code = _random_program(rng)
    fast, slow = CPU(code), CPU(code)
    for cpu in (fast, slow):
        cpu.iram[0x30:0x40] = bytes(random.Random(seed + 1000).randrange(256)
                                    for _ in range(16))
        cpu.iram[0x20:0x30] = bytes(random.Random(seed + 2000).randrange(256)
                                    for _ in range(16))
    assert fast.run(10**7, stop_at_selfjump=True) == "selfjump"
    assert slow.instructions == 0
    while slow.pc != fast.pc or slow.instructions < fast.instructions:
        slow.step()
    assert (fast.cycles, fast.instructions) == (slow.cycles, slow.instructions)
    assert fast.iram == slow.iram and fast.sfr == slow.sfr


@pytest.mark.parametrize("until", [500, 1234, 5000, 20011, 60000])
def test_interrupts_with_superblocks_equal_many_tiny_runs(until, hot_at_once):
    fast = CPU(PROG)
    fast.run(until)
    slow = CPU(PROG)
    while slow.cycles < until:
        slow.run(slow.cycles + 1)
    assert _state(fast) == _state(slow)


def test_a_hot_block_is_replaced_by_a_longer_superblock(monkeypatch, no_cache):
    monkeypatch.setattr(tr, "HOT_COUNT", 3)
    # loop: INC 30h ; MOV A,30h ; JNZ skip ; INC 31h ; skip: LCALL sub ; SJMP loop
    # sub: INC 32h ; RET
    code = image("05 30 E5 30 70 02 05 31 12 00 20 80 F3", {0x20: "05 32 22"})
    cpu = CPU(code)
    cpu.run(20)
    basic = cpu._blocks[0]
    assert basic[2] == 3  # INC, MOV, JNZ: a basic block ends at the branch
    cpu.run(200)
    sup = cpu._blocks[0]
    assert sup[2] > 3  # goes on past the untaken branch, into the call
    assert cpu.iram[0x30] == cpu.iram[0x32] or cpu.iram[0x30] == cpu.iram[0x32] + 1


def test_a_block_no_superblock_could_extend_does_not_count_its_runs():
    # sub: INC 32h ; MOV A,32h ; RET - no branch, jump or call: the superblock from 0x20
    # would be this very block, so it is not counted, promoted nor compiled twice
    code = image("12 00 20 80 FB", {0x20: "05 32 E5 32 22"})
    code += b"\xff" * (0x10000 - len(code))
    sub = tr.translate(code, 0x20, 0, 256)
    assert "hot[" not in sub.source and "promote" not in sub.source
    assert tr.translate(code, 0x20, 0, 256, superblock=True).source == sub.source
    # the caller (LCALL) and the loop (SJMP) can be extended: they count their runs
    assert "promote(0)" in tr.translate(code, 0, 0, 256).source
    assert "promote(3)" in tr.translate(code, 3, 0, 256).source


@pytest.mark.parametrize("text", [
    "a = 1", "  a += b", "a -= 1\nx", "a == 1", "if a == b:\n    return 1", "ab = 2",
    "a, psw = DA(a, psw)", "x = a", "   a ^= 5", "a >= 3", "a|= 1", "psw = 0", "psw &= 1",
    "psw ^= x", "xpsw = 1", "psw == 1", "q = psw", "_psw = 2", "sfr[208] = psw | 1",
    "code[a] = 1", "iram[7] = PAR[a]", "y=psw|=3"])
def test_translator_source_scans_agree_with_the_regular_expressions(text):
    # the translator scans its generated source without `re` (3 ms of a cold start);
    # these are the regular expressions the scans replace, character for character
    import re

    assert tr._writes_a(text) == bool(re.search(r"(^|\n)\s*(a\s*[\^|&+-]?=(?!=)|a, )", text))
    assert tr._writes_psw(text) == bool(re.search(r"\bpsw\s*[&|^]?=(?!=)", text))
    assert tr._words(text) == set(re.findall(r"\b\w+\b", text))
