"""Blocks that go on past side-effect writes, holds only where a request can be pending,
DJNZ delays as blocks, superblocks that follow the branch direction seen: all give exactly
the state single-stepping gives."""

import random

import pytest

from sim.cpu import CPU, cache
from sim.cpu import translate as tr
from tests.cpu.cpuhelp import image

# Timer 0 mode 2 every 97 cycles (vector 0x0B), Timer 1 mode 2 every 211 (0x1B), the serial
# interrupt (0x23, clears TI) all enabled; the handlers count and record R7. The setup
# runs at 0x40, the main loop at 0x100.
RESET = "02 00 40"
SETUP = ("75 89 22 75 8C 9F 75 8A 9F 75 8D 2D 75 8B 2D 75 A8 9A D2 8C D2 8E "
         "02 01 00")
ISRS = {
    0x0B: "05 30 8F 34 32",           # INC 30h ; MOV 34h,R7 ; RETI
    0x1B: "05 31 32",                 # INC 31h ; RETI
    0x23: "C2 99 05 32 32",           # CLR TI ; INC 32h ; RETI
}
LOOP = 0x100

# (bytes, idles): instructions the random main loop is made of
PIECES: list[tuple[str, bool]] = [
    ("0F", False), ("24 35", False), ("F5 41", False), ("05 42", False),  # INC R7, ADD, MOV, INC
    ("F5 90", False), ("B2 91", False), ("D2 92", False), ("C2 93", False),  # port writes
    ("C2 AF", False), ("D2 AF", False),                                 # CLR EA / SETB EA
    ("75 A8 9A", False), ("53 A8 F7", False), ("43 A8 08", False),      # IE writes
    ("D2 8D", False), ("C2 8D", False), ("D2 99", False),               # SETB TF0, CLR TF0, SETB TI
    ("75 8A F0", False), ("75 8C A0", False),                           # TL0 / TH0 writes
    ("7F 05 DF FE", False), ("7F 00 DF FE", False),                     # MOV R7,#n ; DJNZ R7,$
    ("75 83 03 D5 83 FD", False), ("75 F0 C8 D5 F0 FD", False),         # DJNZ DPH,$ / B,$
    ("75 E0 02 D5 E0 FD", False),                                       # DJNZ ACC,$
    ("30 20 02 B2 00", False), ("20 21 03 75 43 01", False),            # forward JNB / JB
    ("43 A8 82 43 87 01", True),                                        # enable T0, then idle
]


# IP: Timer 0 high, all low. Only with run(): ``step()`` runs an interrupt entry and the
# handler's first instruction as one step, so a high-priority request cannot preempt a
# low-priority handler between the two there, as it does in run() (and on the chip)
PRIORITIES = [("75 B8 02", False), ("75 B8 00", False)]


def _program(rng: random.Random, idle: bool) -> bytes:
    body = ""
    pieces = PIECES + PRIORITIES if idle else PIECES
    for _ in range(30):
        text, idles = rng.choice(pieces)
        if idles and not idle:
            continue
        body += text + " "
    body = "43 A8 82 " + body  # each turn of the loop enables the tick again
    return image(RESET, {**ISRS, 0x40: SETUP, LOOP: body + "02 01 00"})  # ... LJMP loop


def _state(cpu: CPU) -> tuple:
    timers = tuple(cpu.read_direct(a) for a in (0x88, 0x8A, 0x8C, 0x98))
    return (cpu.cycles, cpu.instructions, cpu.pc, bytes(cpu.iram), timers,
            bytes(cpu.ports.latch), cpu.sp_max, cpu.in_service)


class Reference(CPU):
    """The rule as Intel states it: no interrupt right after RETI or a write to IE/IP,
    whether a request is pending or not (the core holds only where one can be)."""

    def _hold_after(self, end: int, recompute: bool = True) -> None:
        self._recompute_ev()
        self._hold = True
        self._ne = 0


def _meet(ran: CPU, stepped: CPU) -> None:
    """Bring both to the same cycle. ``run(until)`` may stop right after an interrupt
    entry that crosses ``until``, ``step()`` runs the entry and the handler's first
    instruction together: let the one behind catch up."""
    for _ in range(20):
        if ran.cycles < stepped.cycles:
            ran.run(stepped.cycles)
        elif stepped.cycles < ran.cycles:
            stepped.step()
        else:
            return


@pytest.fixture
def fresh(monkeypatch: pytest.MonkeyPatch):
    """No translation from another test: superblocks are built from this run's branches."""
    monkeypatch.setenv("CLOCK51_CACHE_DIR", "off")
    monkeypatch.setattr(tr, "HOT_COUNT", 3)
    cache._reset_for_tests()
    yield
    cache._reset_for_tests()


@pytest.mark.parametrize("seed", range(30))
def test_side_effect_writes_inside_blocks_equal_single_steps(seed, fresh):
    code = _program(random.Random(seed), idle=False)
    ran, stepped = CPU(code), Reference(code)
    assert ran.run(6000) == "deadline"
    while stepped.cycles < 6000:
        stepped.step()
    _meet(ran, stepped)
    assert sum(ran.iram[0x30:0x33]) > 3  # interrupts were taken
    assert _state(ran) == _state(stepped)


@pytest.mark.parametrize("seed", range(30))
def test_side_effect_writes_and_idle_in_one_run_equal_many_tiny_runs(seed, fresh):
    code = _program(random.Random(1000 + seed), idle=True)
    one, tiny = CPU(code), CPU(code)
    one.run(8000)
    while tiny.cycles < 8000:
        tiny.run(tiny.cycles + 1)
    assert _state(one) == _state(tiny)


def test_a_block_goes_on_past_port_and_timer_writes():
    # MOV TL0,#F0 ; INC R7 ; MOV P1,A ; INC R6 ; CLR EA ; SETB EA ; SJMP $-10
    code = image("75 8A F0 0F F5 90 0E C2 AF D2 AF 80 F4")
    info = tr.translate(code + bytes(64), 0, 0, 256)
    assert info.insns == 7


def test_a_branch_that_writes_an_sfr_still_ends_the_block():
    # JBC TF0,+0 ; INC R7 : the JBC clears TF0 and is a branch
    info = tr.translate(image("10 8D 00 0F 80 FE") + bytes(64), 0, 0, 256, superblock=True)
    assert info.insns == 1


def test_a_pending_request_still_waits_one_instruction_after_an_ie_write():
    # SETB TF0 with EA off ; MOV IE,#82 ; INC R7 ; INC R7 ; SJMP $ / ISR: MOV A,R7 ; RETI
    cpu = CPU(image("D2 8D 75 A8 82 0F 0F 80 FE", {0x0B: "EF 32"}))
    assert cpu.run(100, stop_at_selfjump=True) == "selfjump"
    assert cpu.a == 1


@pytest.mark.parametrize("count", [1, 2, 126, 127, 128, 200, 0])
@pytest.mark.parametrize("reg", ["R7", "DPH", "B", "ACC", "3Ah"])
def test_djnz_delays_fast_forward_exactly_under_interrupts(reg, count, fresh):
    load, loop = {
        "R7": (f"7F {count:02X}", "DF FE"), "DPH": (f"75 83 {count:02X}", "D5 83 FD"),
        "B": (f"75 F0 {count:02X}", "D5 F0 FD"), "ACC": (f"74 {count:02X}", "D5 E0 FD"),
        "3Ah": (f"75 3A {count:02X}", "D5 3A FD"),
    }[reg]
    n = len(bytes.fromhex(f"{load} {loop} 05 33 80 00"))
    main = f"{load} {loop} 05 33 80 {-n & 0xFF:02X}"   # ... INC 33h ; SJMP back to the load
    code = image(RESET, {**ISRS, 0x40: SETUP, LOOP: main})
    ran, stepped, slow = CPU(code), Reference(code), CPU(code)
    slow.fast_forward = False
    ran.run(9000)
    slow.run(9000)
    while stepped.cycles < 9000:
        stepped.step()
    _meet(ran, stepped)
    _meet(slow, stepped)
    assert _state(ran) == _state(stepped) == _state(slow)
    assert ran.iram[0x33] > 3 and ran.iram[0x30] > 50


def test_a_superblock_follows_a_branch_that_was_taken(monkeypatch):
    monkeypatch.setattr(tr, "UNROLL_CYCLES", 0)  # the loop once: the branch alone is looked at
    # loop: JB 20h.0,skip ; INC R7 ; skip: INC R6 ; SJMP loop  (bit 20h.0 set: always taken)
    code = image("D2 00 20 00 01 0F 0E 80 F9") + bytes(64)
    took = bytearray(1 << 16)
    not_followed = tr.translate(code, 2, 0, 256, superblock=True, took=took)
    took[2] = 1
    followed = tr.translate(code, 2, 0, 256, superblock=True, took=took)
    # fall-through: JB, INC R7, INC R6, SJMP; taken: JB, INC R6, SJMP
    assert (not_followed.insns, followed.insns) == (4, 3)


def test_basic_blocks_record_the_direction_their_branch_took(fresh):
    cpu = CPU(image("D2 00 20 00 01 0F 0E 80 F9"))
    cpu.run(6)
    assert cpu._ns["took"][2] == 1


@pytest.mark.parametrize("period", range(23, 53))
def test_overflows_at_every_phase_of_ie_writes_and_reti_are_taken_where_stepping_takes_them(
        period, fresh):
    # Timer 0 mode 2 every `period` cycles, ISR: MOV @R0,R6 ; INC R0 ; RETI; Timer 1 mode 2
    # every 7 cycles more, ISR: INC R5 ; RETI. loop: MOV IE,#00 ; MOV IE,#8A (2-cycle
    # writes) ; SETB EA ; INC R6 ; SJMP loop: over the periods, overflows land on every
    # cycle of the writes and of either RETI.
    r0, r1 = 256 - period, 256 - period - 7
    main = (f"75 89 22 75 8C {r0:02X} 75 8A {r0:02X} 75 8D {r1:02X} 75 8B {r1:02X} 78 30 "
            "D2 A9 D2 AB D2 8C D2 8E 75 A8 00 75 A8 8A D2 AF 0E 80 F6")
    code = image("02 00 40", {0x0B: "A6 06 08 32", 0x1B: "0D 32", 0x40: main})
    ran, stepped = CPU(code), Reference(code)
    ran.run(2500)
    while stepped.cycles < 2500:
        stepped.step()
    _meet(ran, stepped)
    assert ran.iram[0] > 0x30 + 20
    assert _state(ran) == _state(stepped)


def test_single_steps_take_every_tick_of_a_handler_that_touches_no_timer(fresh):
    # Timer 0 mode 2 every 50 cycles; ISR: INC R6 ; RETI; main: NOPs and SJMP, nothing that
    # reads TCON: each overflow must still be seen by step() as by run()
    main = "75 89 02 75 8C CE 75 8A CE 75 A8 82 D2 8C 00 00 00 00 80 FA"
    code = image("02 00 40", {0x0B: "0E 32", 0x40: main})
    ran, stepped = CPU(code), CPU(code)
    ran.run(3000)
    while stepped.cycles < 3000:
        stepped.step()
    _meet(ran, stepped)
    assert ran.iram[6] > 50
    assert _state(ran) == _state(stepped)


def test_a_loop_superblock_goes_round_several_times_a_call(fresh):
    # MOV R7,#100 ; loop: INC R6 ; MOV P1,R6 ; DJNZ R7,loop ; SJMP $ (3 + 1 + 2 cycles a turn)
    code = image("7F 64 0E 8E 90 DF FB 80 FE")
    took = bytearray(1 << 16)
    took[5] = 1  # the DJNZ went back to the loop
    info = tr.translate(code + bytes(64), 2, 0, 256, superblock=True, took=took)
    turns = info.insns // 3
    assert turns >= 8 and info.cycles <= tr.UNROLL_CYCLES + 8
    ran, stepped = CPU(code), CPU(code)
    assert ran.run(10**6, stop_at_selfjump=True) == "selfjump"
    while stepped.pc != 7:
        stepped.step()
    assert _state(ran) == _state(stepped) and ran.iram[6] == 100
