"""The MCS-51 (8052) CPU: state, run loop, SFR side effects, timers, UART, interrupts.

Where the time goes
-------------------
``run()`` is a tight loop over translated blocks (see ``translate.py``)::

    while True:
        fn, bc, bn = blocks[key]          # key = PC | register bank << 16
        if cyc + bc <= self._ne:          # the longest path ends before the next event
            r = fn(cyc)                   # next key | cycles << 18 | instructions << 26
            key = r & 0x3FFFF; cyc += r >> 18 & 0xFF; ni += r >> 26
            continue
        ... slow path ...

``_ne`` ("next event") is the earliest cycle at which anything asynchronous can happen: the
deadline, a timer overflow that can raise an *enabled* interrupt, the end of a UART frame
(``_ev`` is the same without the deadline). Only a write to a port or to an SFR with side
effects can raise an interrupt request or move an event inside a block: its handler
updates ``_ne`` (0 when the slow path must look: a request pending, idle, a hold) and the
block's guard after the write leaves unless the rest of the block still ends before
``_ne``. So interrupts are checked only between blocks, yet are taken at the exact
instruction boundary: near an event the slow path runs a shorter block (the basic block
under a superblock) or single-steps. ``_ev`` is never late: every change to the events
recomputes it or only brings it sooner (a Timer 0 reload, taking an interrupt), and one
that is early costs one slow turn that recomputes it.

The slow path (``_slow``) processes due events, takes interrupts (2-cycle LCALL to the
vector), and fast-forwards what would only burn time: ``PCON.IDL`` (``_wake``: the jump to
the next event and the interrupt that ends the sleep in one turn), ``SJMP $`` (and
``AJMP $``/``LJMP $``) and ``JB/JNB bit,$`` polling loops jump straight to the next event
with exactly the state stepping would give. ``DJNZ x,$`` delays (a register, RAM or a plain
SFR such as DPH) are blocks of their own that run as many turns as end before the event.

The one-instruction hold after RETI or a write to IE/IP (Intel's polling rule) is set only
when a request can be pending at that boundary (``_hold_after``); otherwise it delays
nothing and the run goes on. Writes that clear EA set the one event left (a frame's end).

Timers are lazy. Each counter (T0, T1, T2, and TH0 in mode 3) is ``value at cycle t0`` plus a
rate (counts per machine cycle: 1, 6 for T2 as baud generator, 0 when stopped or counting
pins). Reads of TLx/THx/TCON/T2CON ``_sync`` them to the reading instruction's start cycle
(the flags of overflows that happened meanwhile are set then); writes sync, store and
``_reconfig``. Counter inputs and GATE come from pin watchers on the PortBus.

Timing conventions (matching s51 cycle for cycle): timer registers, TRx, TCON/T2CON/SCON,
SBUF and IE/IP are accessed at the end of the instruction's first machine cycle (second for
JB/JNB/CJNE/DJNZ). So ``SETB TR0`` starts counting one cycle after it starts, ``CLR TR0``
still counts its own cycle, and a 2-cycle ``MOV TL0,#x`` leaves x+1 at its end. A counter
that reaches its top at cycle E sets its flag at E, seen by reads at >= E and by the
interrupt logic at the first instruction boundary >= E. Port writes reach the PortBus with
the cycle at which the writing instruction completes.

Interrupt timing: a request is taken at the first instruction boundary at or after the
cycle its flag is set (like s51), but not right after RETI, a write to IE/IP, or an
instruction that set a request flag by software (SETB TF0/IE0/TI...): then one more
instruction runs first (Intel's polling rule). The hardware LCALL to the vector costs
``CPU.irq_entry_cycles`` = 2 cycles (datasheet); s51 0.6.4 charges 1, so each interrupt
taken puts us 1 cycle behind s51 (set the attribute to 1 to reproduce s51 exactly). From
idle, the CPU vectors at the cycle the waking flag is set.

Deviations / limitations (documented):
- XRAM outside ``xram_size``: reads 0xFF, writes are ignored (no external bus cycles on
  P0/P2/RD/WR are simulated). MOVX @Ri addresses XRAM[Ri] when xram_size <= 256 (the
  STC89C52RC's internal XRAM); with a larger XRAM, P2 supplies the high address byte.
- UART: TI is set after the whole frame (10 bit times in mode 1, 11 in modes 2/3, 8 in mode
  0) counted from the SBUF write: in modes 1/3 that is the N-th overflow of Timer 1
  (N = bits x 32, or x 16 with SMOD=1) or Timer 2 (bits x 16, TCLK=1). The divide-by-16
  phase of real hardware is not modelled (the frame starts at the write). A new SBUF write
  during a frame restarts the frame. Mode 2: ceil(bits x 64/32 oscillator periods / 12).
  s51 0.6.4 differs: it sets TI after 10 x 16 overflows whatever SMOD is.
- Counter inputs and INT0/INT1 edges are taken at the cycle of the pin change (real hardware
  samples once per machine cycle and needs a cycle high and a cycle low).
- With Timer 0 in mode 3, Timer 1 runs whenever it is not in mode 3 itself (TR1 belongs to
  TH0) and does not set TF1.
- Power down (PCON.PD) stops the CPU for good: run() returns 'powerdown'.

Breakpoints (``set_breakpoints``): ``run()`` returns 'breakpoint' before executing an
instruction at one of the addresses, with nothing on the hot path. A breakpoint address gets
a stub block that costs more cycles than any run allows, so the fast loop always falls into
the slow path there, which reports the stop; blocks are translated so that none runs into a
breakpoint address (they end before it). While breakpoints are set, a block from the shared
translation store is used only if none of its instructions (after its first) is a
breakpoint address, else it is translated again for this CPU alone with the breakpoints as
stops; changing the set unbinds the blocks that hold an added address, and the stubs of the
added and removed ones. With no breakpoint the CPU binds exactly the blocks it binds without
ever having had one. ``pass_breakpoint()`` lets the next arrival at the breakpoint at the
current PC execute it (how a debugger resumes from a breakpoint); ``step()`` ignores
breakpoints.
"""

from __future__ import annotations

from types import CodeType

from sim.bus.pins import PortBus
from sim.cpu import translate as tr
from sim.cpu.cache import store_for
from sim.cpu.sfr import (  # the one SFR map
    ACC,
    DPH,
    DPL,
    IE,
    IP,
    P0,
    P1,
    P2,
    P3,
    PCON,
    PSW,
    RCAP2H,
    RCAP2L,
    SBUF,
    SCON,
    SP,
    T2CON,
    T2MOD,
    TCON,
    TH0,
    TH1,
    TH2,
    TL0,
    TL1,
    TL2,
    TMOD,
    B,
)
from sim.errors import ConfigError, IllegalOpcode

# collections.abc for the annotations only: importing it costs every fresh `exec` 1 ms
TYPE_CHECKING = False
if TYPE_CHECKING:
    from collections.abc import Callable

__all__ = ["CPU", "NEVER"]

NEVER = 1 << 62
_HUGE = 1 << 62
_SUPER = 1 << 20  # store key of a superblock: block key | _SUPER
_NO_ADDRS: frozenset[int] = frozenset()

VECTORS = (0x03, 0x0B, 0x13, 0x1B, 0x23, 0x2B)
# TCON -> the IE enable bits of the requests its flags raise (IE0 EX0, TF0 ET0, IE1 EX1,
# TF1 ET1): TF1 of a baud-rate Timer 1 is always set, and asks for nothing with ET1 off
_TCON_REQ = bytes((t >> 1 & 1) | (t >> 4 & 2) | (t >> 1 & 4) | (t >> 4 & 8)
                  for t in range(256))
_PORT_OF = {P0: 0, P1: 1, P2: 2, P3: 3}

# Compiled block code shared by every CPU instance (the source depends only on the code).
_CODE_CACHE: dict[str, CodeType] = {}


class _Ctr:
    """A lazily evaluated up-counter: ``val`` at cycle ``t0``, ``rate`` counts per cycle.

    It overflows when it reaches ``top`` and continues from ``reload``; each overflow ORs
    ``fmask`` into ``sfr[fsfr]``. ``counting``: it counts pin edges (rate is then 0).
    """

    __slots__ = ("val", "t0", "rate", "top", "reload", "fsfr", "fmask", "counting")

    def __init__(self) -> None:
        self.val = 0
        self.t0 = 0
        self.rate = 0
        self.top = 1 << 16
        self.reload = 0
        self.fsfr = TCON
        self.fmask = 0
        self.counting = False

    def next_ovf(self, k: int = 1) -> int:
        """Cycle of the k-th overflow after t0 (NEVER if it does not run)."""
        if not self.rate or k < 1:
            return NEVER
        counts = (self.top - self.val) + (k - 1) * (self.top - self.reload)
        return self.t0 + -(-counts // self.rate)


class CPU:
    """An 8052 core (STC89C52RC flavour). See the module docstring for the design."""

    #: Machine cycles of the hardware LCALL that enters an interrupt (datasheet: 2).
    #: s51 0.6.4 charges 1; a differential test may set this to 1 on its instance.
    irq_entry_cycles = 2
    # Idle mode, SJMP $, JB/JNB bit,$ polls and DJNZ Rn,$ delays jump straight to the next
    # event with the same end state as stepping; False steps them (for the bench only).
    fast_forward = True

    def __init__(self, code: bytes, *, xram_size: int = 256, ports: PortBus | None = None):
        if not 0 <= xram_size <= 0x10000:
            raise ConfigError(f"xram_size must be 0..65536, not {xram_size}")
        if len(code) > 0x10000:
            raise ConfigError(f"code image is {len(code)} bytes, more than 64 KB")
        self.code = bytes(code) + b"\xff" * (0x10000 - len(code))
        self.xram_size = xram_size
        self.xram = bytearray(xram_size)
        self.iram = bytearray(256)
        self.sfr = bytearray(256)
        self.ports = ports if ports is not None else PortBus()
        self.on_uart_tx: Callable[[int, int], None] | None = None
        self.pc = 0
        self.cycles = 0
        self.instructions = 0
        self.sp_max = 7
        self._c0, self._c0h, self._c1, self._c2 = _Ctr(), _Ctr(), _Ctr(), _Ctr()
        self._live: list[_Ctr] = []
        bus = self.ports
        # the side-effect SFRs' write handlers (blocks call them straight from this table)
        self._whandlers = {
            TMOD: self._w_timer, TL0: self._w_timer, TL1: self._w_timer, TH0: self._w_timer,
            TH1: self._w_timer, TL2: self._w_timer, TH2: self._w_timer,
            RCAP2L: self._w_timer, RCAP2H: self._w_timer, T2MOD: self._w_timer,
            TCON: self._w_tcon, T2CON: self._w_t2con, SCON: self._w_scon, SBUF: self._w_sbuf,
            IE: self._w_ieip, IP: self._w_ieip, PCON: self._w_pcon,
        }
        self._ns = {
            "iram": self.iram, "sfr": self.sfr, "xram": self.xram, "code": self.code,
            "PL": bus.latch, "PE": bus.ext, "PAR": tr.PAR, "ADDF": tr.ADDF, "SUBF": tr.SUBF,
            "DA": tr.da, "rsfr": self._rsfr, "wsfr": self._whandlers, "wport": bus.write_latch,
            "cpu": self, "reti": self._reti, "promote": self._promote,
            # runs left before a basic block is replaced by its superblock
            "hot": bytearray((tr.HOT_COUNT,)) * (4 << 16),
            # the direction each conditional branch took last in a basic block (1: taken):
            # the superblock built later follows it
            "took": bytearray(1 << 16),
        }
        self._blocks: list[tuple | None] = [None] * (4 << 16)
        self._singles: dict[int, tuple] = {}
        self._basic: dict[int, tuple | None] = {}  # key -> basic block under a superblock
        # breakpoints (see the module docstring): the addresses, the one to pass once, and
        # while any is set, the addresses inside each bound block (after its first) and
        # inside each shared translation (by store key)
        self._bps: frozenset[int] = _NO_ADDRS
        self._bp_pass = -1
        self._cover: dict[int, frozenset[int]] = {}
        self._scover: dict[int, frozenset[int]] = {}
        # translations of this image: shared by every CPU running it, kept on disk
        self._store = store_for(self.code, xram_size)
        bus.watch(3, 2, self._pin_int0)
        bus.watch(3, 3, self._pin_int1)
        # counter inputs and T2EX: muted while their timer does not count them (the pins
        # are often a device's, e.g. the DS1302's I/O and CE on P3.4/P3.5)
        self._inputs = (
            (bus.watch(3, 4, self._pin_t0), self._c0),
            (bus.watch(3, 5, self._pin_t1), self._c1),
            (bus.watch(1, 0, self._pin_t2), self._c2),
        )
        self._t2ex = bus.watch(1, 1, self._pin_t2ex)
        self.reset()

    # == public state ======================================================================
    def load_code(self, code: bytes) -> None:
        """New contents of the code memory (the chip was reprogrammed); call ``reset`` next."""
        if len(code) > 0x10000:
            raise ConfigError(f"code image is {len(code)} bytes, more than 64 KB")
        self.code = bytes(code) + b"\xff" * (0x10000 - len(code))
        self._ns["code"] = self.code
        self._ns["hot"][:] = bytearray((tr.HOT_COUNT,)) * (4 << 16)
        self._ns["took"][:] = bytes(1 << 16)
        self._blocks = [None] * (4 << 16)
        self._singles = {}
        self._basic = {}
        self._store = store_for(self.code, self.xram_size)  # the new image's translations
        self._cover = {}
        self._scover = {}

    def reset(self, cycle: int = 0) -> None:
        """Power-on reset: SFRs to their reset values, IRAM and XRAM cleared, PC = 0.

        ``cycle``: the machine cycle the reset happens at (a board that keeps its clock
        across a reset passes its current cycle; the counters restart from there)."""
        self.iram[:] = bytes(256)
        self.xram[:] = bytes(len(self.xram))
        self.sfr[:] = bytes(256)
        self.sfr[SP] = 7
        self.pc = 0
        self.cycles = cycle
        self.instructions = 0
        self.sp_max = 7
        self._tsync = cycle
        self._until = NEVER
        self._ev = NEVER
        self._ne = 0
        self._act_lo = self._act_hi = False
        self._hold = False
        self._idle = self._pd = False
        self._tx_busy = False
        self._tx_src: _Ctr | None = None
        self._tx_left = 0
        self._tx_done = NEVER
        self._tx_byte = 0
        self._stop_sj = False
        self._bp_pass = -1
        for p in range(4):
            self.sfr[P0 + 16 * p] = 0xFF
            self.ports.write_latch(p, 0xFF, cycle)
        self._w_tcon(TCON, 0, cycle)  # IT0 = IT1 = 0: IE0/IE1 follow the INT pins
        self._recompute_ev()

    @property
    def a(self) -> int:
        return self.sfr[ACC]

    @a.setter
    def a(self, v: int) -> None:
        self.sfr[ACC] = v & 0xFF

    @property
    def b(self) -> int:
        return self.sfr[B]

    @b.setter
    def b(self, v: int) -> None:
        self.sfr[B] = v & 0xFF

    @property
    def psw(self) -> int:
        """PSW with the parity bit computed from ACC."""
        return self.sfr[PSW] & 0xFE | tr.PAR[self.sfr[ACC]]

    @psw.setter
    def psw(self, v: int) -> None:
        self.sfr[PSW] = v & 0xFF

    @property
    def sp(self) -> int:
        return self.sfr[SP]

    @sp.setter
    def sp(self, v: int) -> None:
        self.sfr[SP] = v & 0xFF
        self.sp_max = max(self.sp_max, v & 0xFF)

    @property
    def dptr(self) -> int:
        return self.sfr[DPH] << 8 | self.sfr[DPL]

    @dptr.setter
    def dptr(self, v: int) -> None:
        self.sfr[DPH], self.sfr[DPL] = v >> 8 & 0xFF, v & 0xFF

    def reg(self, n: int) -> int:
        """Rn of the current register bank."""
        return self.iram[(self.sfr[PSW] & 0x18) + n]

    def set_reg(self, n: int, v: int) -> None:
        self.iram[(self.sfr[PSW] & 0x18) + n] = v & 0xFF

    @property
    def idle(self) -> bool:
        return self._idle

    @property
    def powered_down(self) -> bool:
        return self._pd

    @property
    def in_service(self) -> tuple[bool, bool]:
        """(low, high): an interrupt of that priority level is being served (until RETI)."""
        return self._act_lo, self._act_hi

    def read_direct(self, addr: int) -> int:
        """Value a ``MOV A,direct`` would read now (ports: the pins)."""
        addr &= 0xFF
        if addr < 0x80:
            return self.iram[addr]
        if addr in _PORT_OF:
            return self.ports.level(_PORT_OF[addr])
        if addr == PSW:
            return self.psw
        if addr in tr.TIMED_READ:
            return self._rsfr(addr, self.cycles)
        return self.sfr[addr]

    def write_direct(self, addr: int, value: int) -> None:
        """Like a ``MOV direct,#value`` completing now."""
        addr &= 0xFF
        value &= 0xFF
        if addr < 0x80:
            self.iram[addr] = value
        elif addr in _PORT_OF:
            self.ports.write_latch(_PORT_OF[addr], value, self.cycles)
        elif addr == SP:
            self.sp = value
        else:
            self._wsfr(addr, value, self.cycles)

    # == UART (host side) ==================================================================
    def uart_rx(self, byte: int, cycle: int, bit8: int = 1) -> bool:
        """The stop bit of a received frame arrives now: load SBUF and set RI.

        Returns False (byte lost) if REN=0, RI is still set (overrun), or, in modes 2/3
        with SM2=1, the 9th bit ``bit8`` is 0. RB8 gets the stop bit (mode 1) or bit8."""
        sfr = self.sfr
        scon = sfr[SCON]
        if not scon & 0x10 or scon & 0x01:
            return False
        mode = scon >> 6
        if mode >= 2:
            if scon & 0x20 and not bit8:
                return False
            scon = scon & ~0x04 | (0x04 if bit8 else 0)
        elif mode == 1:
            scon |= 0x04
        sfr[SBUF] = byte & 0xFF
        sfr[SCON] = scon | 0x01
        self._ne = 0
        return True

    def stop_by(self, cycle: int) -> None:
        """Something (a device, from a pin watcher) scheduled an event at ``cycle`` while
        ``run`` is going: make that ``run`` return by then ('deadline')."""
        if cycle < self._until:
            self._until = cycle
            if cycle < self._ne:  # a block running now ends before it (its guard)
                self._ne = cycle

    # == running ===========================================================================
    def run(self, until_cycle: int, *, stop_at_selfjump: bool = False) -> str:
        """Run until cycles >= until_cycle ('deadline'), the next instruction jumps to itself
        ('selfjump', only if stop_at_selfjump), is at a breakpoint ('breakpoint'), or power
        down ('powerdown')."""
        if self._pd:
            return "powerdown"
        self._until = until_cycle
        self._stop_sj = stop_at_selfjump
        self._recompute_ev()
        blocks = self._blocks
        sfr = self.sfr
        cyc = self.cycles
        ni = self.instructions
        key = self.pc | (sfr[PSW] & 0x18) << 13
        try:
            while True:
                b = blocks[key]
                if b is None:
                    b = self._translate(key)
                fn, bc, bn = b
                if cyc + bc <= self._ne:
                    r = fn(cyc)  # next key | cycles run << 18 | instructions run << 26
                    key = r & 0x3FFFF
                    cyc += r >> 18 & 0xFF
                    ni += r >> 26
                    continue
                self.cycles = cyc
                self.instructions = ni
                self.pc = key & 0xFFFF
                r = self._slow()
                if r is not None:
                    return r
                cyc = self.cycles
                ni = self.instructions
                key = self.pc | (sfr[PSW] & 0x18) << 13
        except BaseException:
            if cyc > self.cycles:  # an exception escaped from a block (e.g. a device)
                self.cycles = cyc
                self.instructions = ni
                self.pc = key & 0xFFFF
            raise

    def step(self) -> int:
        """Execute one instruction (after the interrupt entry, if one is taken now);
        returns the machine cycles used."""
        if self._pd:
            return 0
        c0 = self.cycles
        self._until = NEVER
        if c0 >= self._ev:
            self._events(c0)
        if self._hold:
            self._hold = False
        else:
            self._try_irq()
        if self._idle:
            t = self._ev
            if t >= NEVER:
                return 0
            self.cycles = max(self.cycles, t)
            self._events(self.cycles)
            self._try_irq()
            return self.cycles - c0
        self._exec_one()
        return self.cycles - c0

    # == the slow path =====================================================================
    def _slow(self) -> str | None:
        if self._idle and self.fast_forward and not self._hold and not self._pd:
            return self._wake()
        return self._slow_turn()

    def _wake(self) -> str | None:
        """Idle with fast-forward: jump to the next event and take the interrupt it raises
        (the tick that ends each sleep), in one turn. Exactly what ``_slow_turn`` does in
        two, with fewer looks at the event state."""
        if self._try_irq():  # a request was pending already (a byte arrived meanwhile)
            self._recompute_ev()
            return None
        # _ev is never late (every change to the events updates it, or leaves it early)
        cyc = self.cycles
        until = self._until
        ne = self._ev if self._ev < until else until
        if ne > cyc:
            self.cycles = cyc = ne
        if cyc >= until:
            return "deadline"
        self._sync(cyc)
        if self._tx_busy and self._tx_done <= cyc:
            self._tx_finish()
        if self._try_irq():
            self._recompute_ev()
            return None
        self._recompute_ev()  # an event that wakes nothing (TF0 with ET0 off): sleep on
        return None

    def _slow_turn(self) -> str | None:
        if self._pd:
            return "powerdown"
        cyc = self.cycles
        if cyc >= self._until:
            return "deadline"
        if cyc >= self._ev:
            self._events(cyc)
        hold = self._hold
        if hold:
            self._hold = False
            if not self._idle and self._irq_request() < 0:
                # the common hold (after a write to IE/IP, RETI...) with no request pending:
                # it delays nothing, so the fast loop may run the block here as usual (a
                # request that comes due inside it shortens _ne as always). A special
                # instruction (no block function: self-loops, illegal) keeps the exact path.
                key = self.pc | (self.sfr[PSW] & 0x18) << 13
                if (self._blocks[key] or self._translate(key))[0] is not None:
                    self._recompute_ev()
                    return None
        elif self._try_irq():
            self._recompute_ev()
            return None
        # no request is pending and _ev is current or early (never late): no need to ask
        ne = min(self._ev, self._until)
        if self._idle:
            # idle: jump to the next event, or, without fast-forward, tick one cycle
            self.cycles = max(cyc, ne if self.fast_forward else min(ne, cyc + 1))
            return None
        self._ne = ne
        key = self.pc | (self.sfr[PSW] & 0x18) << 13
        if not hold:
            b = self._blocks[key] or self._translate(key)
            if cyc + b[1] <= ne:
                return None  # the fast loop can run it whole
            # a superblock that does not fit before the event: its basic block may (its
            # shared translation: not while breakpoints are set, it could run into one)
            short = self._basic.get(key) if b[1] > 1 and not self._bps else None
            if short is None and b[1] > 1 and not self._bps:
                short = self._basic_of(key)
            if short is not None and cyc + short[1] <= ne:
                if self._ns["hot"][key] < 2:
                    self._ns["hot"][key] = 255  # promoted already: it must not count down
                r = short[0](cyc)
                self.cycles = cyc + (r >> 18 & 0xFF)
                self.instructions += r >> 26
                self.pc = r & 0xFFFF
                return None
        bps = self._bps
        if bps and self.pc in bps:
            if self._bp_pass != self.pc:
                self._hold = hold
                return "breakpoint"
            self._bp_pass = -1
        fn, cycles, special, arg = self._singles.get(key) or self._single(key)
        if special is None:  # one instruction (what _exec_one does)
            r = fn(cyc)
            self.cycles = cyc + (r >> 18 & 0xFF)
            self.instructions += 1
            self.pc = r & 0xFFFF
        elif special == tr.ILLEGAL:
            raise IllegalOpcode(self.pc, self.code[self.pc])
        elif special == tr.SELFJUMP:
            if self._stop_sj:
                self._hold = hold
                return "selfjump"
            self._spin(1 if hold or not self.fast_forward else max(1, -(-(ne - cyc) // 2)))
        elif special == tr.DJNZSELF:
            kind, n = arg
            addr = (self.sfr[PSW] & 0x18) + n if kind == "R" else n
            mem = self.sfr if kind == "S" else self.iram
            count = mem[addr] or 256
            it = 1 if hold or not self.fast_forward else min(count, max(1, -(-(ne - cyc) // 2)))
            mem[addr] = (mem[addr] - it) & 0xFF
            self.cycles += 2 * it
            self.instructions += it
            if it == count:
                self.pc = (self.pc + (2 if kind == "R" else 3)) & 0xFFFF
        else:  # JBSELF: test once; if it loops, nothing changes it before the next event
            pc = self.pc
            self._exec_one()
            if self.pc == pc and not hold and self.fast_forward:
                bitaddr = arg[0]
                target = ne
                if bitaddr >= 0x80 and (bitaddr & 0xF8) in (TCON, T2CON):
                    target = min(target, self._c0.next_ovf(), self._c0h.next_ovf(),
                                 self._c1.next_ovf(), self._c2.next_ovf())
                # iterations that read the bit (at their end) before target all loop
                n = -(-(target - self.cycles - 2) // 2)
                if n > 0:
                    self._spin(n)
        if hold:
            # one instruction ran under the hold: look again now (a request already
            # pending, idle or another hold make _ne 0) rather than in another slow turn
            self._recompute_ev()
        return None

    def _spin(self, n: int) -> None:
        """Account n iterations of a 2-cycle self-loop instruction."""
        self.cycles += 2 * n
        self.instructions += n

    def _exec_one(self) -> None:
        key = self.pc | (self.sfr[PSW] & 0x18) << 13
        fn, cycles, special, arg = self._singles.get(key) or self._single(key)
        if special == tr.ILLEGAL:
            raise IllegalOpcode(self.pc, self.code[self.pc])
        cyc = self.cycles
        r = fn(cyc)
        self.cycles = cyc + (r >> 18 & 0xFF)
        self.instructions += 1
        self.pc = r & 0xFFFF

    # == translation =======================================================================
    def _compile(self, info: tr.BlockInfo) -> CodeType:
        co = _CODE_CACHE.get(info.source)
        if co is None:
            co = compile(info.source, f"<8051 block {info.end:04X}>", "exec")
            _CODE_CACHE[info.source] = co
        return co

    def _bind(self, co: CodeType) -> Callable[[int], int]:
        ns = self._ns
        exec(co, ns)
        return ns.pop("_b")

    def _translate(self, key: int, superblock: bool = False) -> tuple:
        """The block at key: its superblock if one is known, else the basic block."""
        if self._bps:
            return self._translate_bp(key, superblock)
        store = self._store
        got = store.blocks.get(key | _SUPER)
        if got is None and not superblock:
            got = store.blocks.get(key)
        if got is None:
            info = tr.translate(self.code, key & 0xFFFF, key >> 16, self.xram_size,
                                superblock=superblock, took=self._ns["took"])
            # special instructions have no block function (the slow path runs them), but
            # for DJNZ x,$ delays, whose block runs as many turns as fit before the event
            co = (None if info.special is not None and info.special != tr.DJNZSELF
                  else self._compile(info))
            got = (co, info.cycles, info.insns, info.addrs)
            store.blocks[key | _SUPER if superblock else key] = got
            store.dirty = True
        co, cycles, insns = got[:3]
        if co is not None and not self.fast_forward \
                and tr.classify(self.code, key & 0xFFFF)[0] == tr.DJNZSELF:
            co = None  # without fast-forward the slow path steps the delay turn by turn
        entry = (None, _HUGE, 1) if co is None else (self._bind(co), cycles, insns)
        self._blocks[key] = entry
        return entry

    def _basic_of(self, key: int) -> tuple | None:
        """(function, cycles) of the basic block at key when a longer superblock runs there
        (near an event the slow path runs the shorter one if it fits); None if there is
        none (cached either way)."""
        got = self._store.blocks.get(key)
        sup = self._store.blocks.get(key | _SUPER)
        short = None
        if got is not None and sup is not None and got[0] is not None and got[1] < sup[1]:
            short = (self._bind(got[0]), got[1])
        self._basic[key] = short
        return short

    # == breakpoints =======================================================================
    @property
    def breakpoints(self) -> frozenset[int]:
        return self._bps

    def set_breakpoints(self, addresses: object) -> None:
        """From now on ``run()`` stops ('breakpoint') before executing an instruction at any
        of these code addresses (an iterable of ints; empty: none)."""
        new = frozenset(int(a) & 0xFFFF for a in addresses)  # type: ignore[attr-defined]
        old = self._bps
        if new == old:
            return
        self._bps = new
        if self._bp_pass not in new:
            self._bp_pass = -1
        blocks = self._blocks
        cover = self._cover
        if not new:  # bind the shared translations again, as if no breakpoint ever was
            blocks[:] = [None] * len(blocks)
            cover.clear()
            return
        if not old:  # what the blocks bound without breakpoints hold
            for skey in list(self._store.blocks):
                key = skey & ~_SUPER
                if blocks[key] is not None and key not in cover:
                    cover[key] = self._store_cover(key, (key | _SUPER) in self._store.blocks)
        changed = new ^ old
        added = new - old
        for key, inner in list(cover.items()):
            if key & 0xFFFF in changed or not inner.isdisjoint(added) or blocks[key] is None:
                blocks[key] = None
                del cover[key]

    def pass_breakpoint(self) -> None:
        """The next time the CPU reaches the breakpoint at the current PC, it executes that
        instruction instead of stopping (resuming from a breakpoint)."""
        self._bp_pass = self.pc

    def _store_cover(self, key: int, superblock: bool) -> frozenset[int]:
        """The addresses after the first inside the shared translation of ``key`` (kept
        with it: a superblock follows the branches the way they went when it was made)."""
        skey = key | _SUPER if superblock else key
        inner = self._scover.get(skey)
        if inner is None:
            pc = key & 0xFFFF
            got = self._store.blocks.get(skey)
            addrs = got[3] if got is not None else tr.translate(
                self.code, pc, key >> 16, self.xram_size, superblock=superblock).addrs
            inner = self._scover[skey] = addrs - {pc}
        return inner

    def _translate_bp(self, key: int, superblock: bool) -> tuple:
        """``_translate`` while breakpoints are set: a stub at a breakpoint address; else the
        shared translation if it runs into no breakpoint, else one that ends before them."""
        pc = key & 0xFFFF
        bps = self._bps
        if pc in bps:
            entry: tuple = (None, _HUGE, 1)
            self._blocks[key] = entry
            self._cover[key] = _NO_ADDRS
            return entry
        store = self._store
        sup = superblock or (key | _SUPER) in store.blocks or not self._ns["hot"][key]
        skey = key | _SUPER if sup else key
        got = store.blocks.get(skey)
        if got is None:  # never translated: the shared translation first, as without
            info = tr.translate(self.code, pc, key >> 16, self.xram_size, superblock=sup)
            co = None if info.special is not None else self._compile(info)
            got = store.blocks[skey] = (co, info.cycles, info.insns, info.addrs)
            store.dirty = True
            self._scover[skey] = info.addrs - {pc}
        inner = self._store_cover(key, sup)
        if inner.isdisjoint(bps):
            co, cycles, insns = got[:3]
        else:  # it would run into a breakpoint: this CPU's own translation, ending before
            info = tr.translate(self.code, pc, key >> 16, self.xram_size, superblock=sup,
                                stops=bps)
            co = None if info.special is not None else self._compile(info)
            cycles, insns = info.cycles, info.insns
            inner = info.addrs - {pc}
        entry = (None, _HUGE, 1) if co is None else (self._bind(co), cycles, insns)
        self._blocks[key] = entry
        self._cover[key] = inner
        return entry

    def _promote(self, key: int) -> None:
        """A basic block became hot: use the superblock from the same address from now on."""
        self._translate(key, superblock=True)

    def _single(self, key: int) -> tuple:
        store = self._store
        got = store.singles.get(key)
        if got is None:
            info = tr.translate(self.code, key & 0xFFFF, key >> 16, self.xram_size,
                                max_insns=1)
            co = None if info.special == tr.ILLEGAL else self._compile(info)
            got = store.singles[key] = (co, info.cycles, info.special, info.arg)
            store.dirty = True
        co, cycles, special, arg = got
        entry = (None if co is None else self._bind(co), cycles, special, arg)
        self._singles[key] = entry
        return entry

    # == interrupts ========================================================================
    def _irq_request(self) -> int:
        """The source (0-5) an interrupt would be taken from now, or -1: pending, enabled
        and above the level in service."""
        sfr = self.sfr
        ie = sfr[IE]
        if not ie & 0x80 or self._act_hi:
            return -1
        tcon = sfr[TCON]
        req = 0
        if ie & 0x01 and tcon & 0x02:
            req |= 1
        if ie & 0x02 and tcon & 0x20:
            req |= 2
        if ie & 0x04 and tcon & 0x08:
            req |= 4
        if ie & 0x08 and tcon & 0x80:
            req |= 8
        if ie & 0x10 and sfr[SCON] & 0x03:
            req |= 16
        if ie & 0x20 and sfr[T2CON] & 0xC0:
            req |= 32
        if not req:
            return -1
        hi = req & sfr[IP]
        if hi:
            return (hi & -hi).bit_length() - 1
        if self._act_lo:
            return -1
        return (req & -req).bit_length() - 1

    def _try_irq(self) -> bool:
        """Take the highest-priority pending enabled interrupt now, if allowed."""
        src = self._irq_request()
        if src < 0:
            return False
        sfr = self.sfr
        if sfr[IP] >> src & 1:
            self._act_hi = True
        else:
            self._act_lo = True
        tcon = sfr[TCON]
        # hardware LCALL: push PC, clear the flags the hardware clears, 2 cycles
        pc = self.pc
        s = (sfr[SP] + 1) & 0xFF
        self.iram[s] = pc & 0xFF
        s = (s + 1) & 0xFF
        self.iram[s] = pc >> 8
        sfr[SP] = s
        if s > self.sp_max:
            self.sp_max = s
        if src == 0 and tcon & 0x01:
            tcon &= ~0x02
        elif src == 1:
            tcon &= ~0x20
        elif src == 2 and tcon & 0x04:
            tcon &= ~0x08
        elif src == 3:
            tcon &= ~0x80
        sfr[TCON] = tcon
        if self._idle:
            self._idle = False
            sfr[PCON] &= ~0x01
        self.pc = VECTORS[src]
        self.cycles += self.irq_entry_cycles
        # the flag cleared may bring its source's next event back: _ev must not be late
        # (the callers recompute it; step() does at its next call)
        if self._ev > self.cycles:
            self._ev = self.cycles
        return True

    def _reti(self, cycle: int) -> int:
        """RETI completing at ``cycle``: pop the PC, end the level in service."""
        sfr = self.sfr
        s = sfr[SP]
        pc = self.iram[s] << 8 | self.iram[(s - 1) & 0xFF]
        sfr[SP] = (s - 2) & 0xFF
        if self._act_hi:
            self._act_hi = False
        else:
            self._act_lo = False
        self._hold_after(cycle, recompute=False)  # the events themselves do not change
        return pc | (sfr[PSW] & 0x18) << 13

    def _hold_after(self, end: int, recompute: bool = True) -> None:
        """No interrupt is taken right after RETI or a write to IE/IP (the instruction
        ending at ``end`` or earlier): one more instruction runs first. That matters only
        if a request can be pending at that boundary: one is pending now (``_recompute_ev``
        then leaves ``_ne`` at 0) or an event is due by ``end``. Only then does the slow
        path have to look (and step one instruction); otherwise the run goes on.
        ``recompute``: the write may have changed the events (IE/IP); RETI does not."""
        if recompute:
            self._recompute_ev()
        elif self._requested():
            self._ne = 0
        if not self._ne or self._ev <= end:
            self._hold = True
            self._ne = 0

    def _requested(self) -> bool:
        """An interrupt would be taken now (pending, enabled, above the level served)."""
        sfr = self.sfr
        ie = sfr[IE]
        return bool(ie & 0x80 and (_TCON_REQ[sfr[TCON]] & ie or ie & 0x10 and sfr[SCON] & 0x03
                                   or ie & 0x20 and sfr[T2CON] & 0xC0)
                    and self._irq_request() >= 0)

    # == events ============================================================================
    def _recompute_ev(self) -> None:
        """``_ev``: the next event (an enabled timer interrupt's overflow, the end of a UART
        frame); ``_ne``: how far the fast loop may run (0: the slow path must look now).
        Runs several times a tick: written for speed."""
        sfr = self.sfr
        ev = self._tx_done if self._tx_busy else NEVER
        ie = sfr[IE]
        if ie & 0x80:
            tcon = sfr[TCON]
            if ie & 0x02 and not tcon & 0x20:
                c = self._c0
                rate = c.rate
                if rate:  # c.next_ovf(), inlined
                    t = c.t0 - (c.val - c.top) // rate
                    if t < ev:
                        ev = t
            if ie & 0x28:
                if ie & 0x08 and not tcon & 0x80:
                    ev = min(ev, (self._c0h if self._c0h.fmask else self._c1).next_ovf())
                if ie & 0x20 and not sfr[T2CON] & 0x80 and self._c2.fmask:
                    ev = min(ev, self._c2.next_ovf())
            self._ev = ev
            # a request already pending (e.g. RI set by uart_rx between two runs) is the
            # slow path's job (no enabled request flag set: no need to ask)
            if (_TCON_REQ[tcon] & ie or ie & 0x10 and sfr[SCON] & 0x03
                    or ie & 0x20 and sfr[T2CON] & 0xC0) and self._irq_request() >= 0:
                self._ne = 0
                return
        else:
            self._ev = ev
        # so are idle, power down and the one-instruction interrupt hold
        if self._idle or self._pd or self._hold:
            self._ne = 0
        else:
            u = self._until
            self._ne = ev if ev < u else u

    def _events(self, cyc: int) -> None:
        self._sync(cyc)
        if self._tx_busy and self._tx_done <= cyc:
            self._tx_finish()
        self._recompute_ev()

    def _tx_finish(self) -> None:
        t = self._tx_done
        self._tx_busy = False
        self._tx_src = None
        self._tx_done = NEVER
        self.sfr[SCON] |= 0x02
        self._ne = 0
        if self.on_uart_tx is not None:
            self.on_uart_tx(self._tx_byte, t)

    # == timers ============================================================================
    def _sync(self, t: int) -> None:
        """Bring the counters up to cycle t: set overflow flags, update TLx/THx."""
        if t <= self._tsync:
            return
        self._tsync = t
        live = self._live
        if not live:
            return
        sfr = self.sfr
        for c in live:
            n = c.val + c.rate * (t - c.t0)
            c.t0 = t
            if n >= c.top:
                span = c.top - c.reload
                k = 1 + (n - c.top) // span
                n = c.reload + (n - c.top) % span
                if c.fmask:
                    sfr[c.fsfr] |= c.fmask
                if c is self._tx_src:
                    self._tx_left -= k
            c.val = n
        self._materialize()

    def _materialize(self) -> None:
        sfr = self.sfr
        tmod = sfr[TMOD]
        m0, m1 = tmod & 3, tmod >> 4 & 3
        v = self._c0.val
        if m0 == 0:
            sfr[TH0] = v >> 5 & 0xFF
            sfr[TL0] = sfr[TL0] & 0xE0 | v & 0x1F
        elif m0 == 1:
            sfr[TH0] = v >> 8 & 0xFF
            sfr[TL0] = v & 0xFF
        elif m0 == 2:
            sfr[TL0] = v & 0xFF
        else:
            sfr[TL0] = v & 0xFF
            sfr[TH0] = self._c0h.val & 0xFF
        v = self._c1.val
        if m1 == 0:
            sfr[TH1] = v >> 5 & 0xFF
            sfr[TL1] = sfr[TL1] & 0xE0 | v & 0x1F
        elif m1 == 1:
            sfr[TH1] = v >> 8 & 0xFF
            sfr[TL1] = v & 0xFF
        elif m1 == 2:
            sfr[TL1] = v & 0xFF
        v = self._c2.val
        sfr[TH2] = v >> 8 & 0xFF
        sfr[TL2] = v & 0xFF

    @staticmethod
    def _setup(c: _Ctr, mode: int, tl: int, th: int) -> None:
        if mode == 0:
            c.val, c.top, c.reload = th << 5 | tl & 0x1F, 1 << 13, 0
        elif mode == 1:
            c.val, c.top, c.reload = th << 8 | tl, 1 << 16, 0
        elif mode == 2:
            c.val, c.top, c.reload = tl, 256, th
        else:
            c.val, c.top, c.reload = tl, 256, 0

    def _reconfig(self, t: int) -> None:
        """Derive the counters from TMOD/TCON/T2CON/TLx/THx/RCAP2 and the pins (at cycle t,
        after ``_sync(t)``)."""
        sfr = self.sfr
        tmod, tcon, t2con = sfr[TMOD], sfr[TCON], sfr[T2CON]
        p3 = self.ports.level(3)
        c0, c0h, c1, c2 = self._c0, self._c0h, self._c1, self._c2
        for c in (c0, c0h, c1, c2):
            c.t0 = t
        m0, m1 = tmod & 3, tmod >> 4 & 3
        # Timer 0 (TL0 alone in mode 3)
        run0 = bool(tcon & 0x10) and (not tmod & 0x08 or bool(p3 & 0x04))
        self._setup(c0, m0, sfr[TL0], sfr[TH0])
        c0.counting = run0 and bool(tmod & 0x04)
        c0.rate = 1 if run0 and not tmod & 0x04 else 0
        c0.fsfr, c0.fmask = TCON, 0x20
        # TH0 in mode 3: a timer run by TR1, owning TF1
        if m0 == 3:
            c0h.val, c0h.top, c0h.reload = sfr[TH0], 256, 0
            c0h.rate = 1 if tcon & 0x40 else 0
            c0h.fsfr, c0h.fmask = TCON, 0x80
        else:
            c0h.rate, c0h.fmask = 0, 0
        c0h.counting = False
        # Timer 1
        if m0 == 3:
            run1 = m1 != 3 and (not tmod & 0x80 or bool(p3 & 0x08))
            c1.fmask = 0
        else:
            run1 = m1 != 3 and bool(tcon & 0x40) and (not tmod & 0x80 or bool(p3 & 0x08))
            c1.fmask = 0x80
        self._setup(c1, m1, sfr[TL1], sfr[TH1])
        c1.fsfr = TCON
        c1.counting = run1 and bool(tmod & 0x40)
        c1.rate = 1 if run1 and not tmod & 0x40 else 0
        # Timer 2
        run2 = bool(t2con & 0x04)
        ct2 = bool(t2con & 0x02)
        c2.val, c2.top = sfr[TH2] << 8 | sfr[TL2], 1 << 16
        rcap = sfr[RCAP2H] << 8 | sfr[RCAP2L]
        c2.fsfr = T2CON
        if t2con & 0x30:  # baud-rate generator: fosc/2, reload, no TF2
            c2.reload, c2.fmask = rcap, 0
            c2.rate = 6 if run2 and not ct2 else 0
        else:
            c2.reload = 0 if t2con & 0x01 else rcap
            c2.fmask = 0x80
            c2.rate = 1 if run2 and not ct2 else 0
        c2.counting = run2 and ct2
        self._live = [c for c in (c0, c0h, c1, c2) if c.rate]
        if self._tx_busy and self._tx_src is not None:
            self._tx_done = self._tx_src.next_ovf(self._tx_left) if self._tx_left > 0 else t
        bus = self.ports
        for w, c in self._inputs:
            if w.active != c.counting:
                (bus.unmute if c.counting else bus.mute)(w)
        if self._t2ex.active != bool(t2con & 0x08):  # EXEN2: T2EX edges capture/reload
            (bus.unmute if t2con & 0x08 else bus.mute)(self._t2ex)

    def _count_edge(self, c: _Ctr, t: int) -> None:
        """One falling edge on a counter input (counter mode)."""
        self._sync(t)
        if not c.counting:
            return
        c.val += 1
        if c.val >= c.top:
            c.val = c.reload
            if c.fmask:
                self.sfr[c.fsfr] |= c.fmask
            if c is self._tx_src:
                self._tx_left -= 1
        self._materialize()
        self._reconfig(max(t, self._tsync))
        self._recompute_ev()
        self._ne = 0

    # == SFR access handlers ===============================================================
    def _rsfr(self, addr: int, t: int) -> int:
        if addr == SCON:  # no counter flag lives in SCON: no need to sync the timers
            if self._tx_busy and self._tx_done <= t:
                self._tx_finish()  # a read in an instruction's 2nd cycle may see TI of now
            return self.sfr[SCON]
        self._sync(t)
        return self.sfr[addr]

    def _wsfr(self, addr: int, v: int, t: int) -> None:
        h = self._whandlers.get(addr)
        if h is None:
            if addr in _PORT_OF:
                self.ports.write_latch(_PORT_OF[addr], v, t)
                self.sfr[addr] = v
            else:
                self.sfr[addr] = v
        else:
            h(addr, v, t)

    def _w_timer(self, addr: int, v: int, t: int) -> None:
        sfr = self.sfr
        mode = sfr[TMOD] & 3
        if (addr == TL0 or addr == TH0) and mode != 3:
            # fast path (the tick interrupt's reload): only Timer 0's count changes, so
            # only Timer 0 is brought up to t (the other counters stay lazy); its run
            # state and the other counters are as _reconfig would leave them
            c0 = self._c0
            if t < self._tsync:
                t = self._tsync
            rate = c0.rate
            if rate and t > c0.t0:
                n = c0.val + rate * (t - c0.t0)
                if n >= c0.top:
                    n = c0.reload + (n - c0.top) % (c0.top - c0.reload)
                    sfr[c0.fsfr] |= c0.fmask
                c0.val = n
            n = c0.val
            if mode == 1:
                sfr[TH0] = n >> 8 & 0xFF
                sfr[TL0] = n & 0xFF
            elif mode == 0:
                sfr[TH0] = n >> 5 & 0xFF
                sfr[TL0] = sfr[TL0] & 0xE0 | n & 0x1F
            else:
                sfr[TL0] = n & 0xFF
            sfr[addr] = v
            self._setup(c0, mode, sfr[TL0], sfr[TH0])
            c0.t0 = t
            # only Timer 0's overflow moved: if its interrupt can be requested, the next
            # event may come sooner (an event that moved later leaves _ev early, which
            # costs one slow turn that recomputes it: _ev is never late)
            if sfr[IE] & 0x82 == 0x82 and not sfr[TCON] & 0x20 and c0.rate:
                e = t - (c0.val - c0.top) // c0.rate
                if e < self._ev:
                    self._ev = e
                if e < self._ne:
                    self._ne = e
            return
        self._sync(t)
        sfr[addr] = v
        self._reconfig(max(t, self._tsync))
        self._recompute_ev()

    def _w_tcon(self, addr: int, v: int, t: int) -> None:
        self._sync(t)
        p3 = self.ports.level(3)
        if not v & 0x01:  # INT0 level-triggered: IE0 follows the pin
            v = v & ~0x02 | (0 if p3 & 0x04 else 0x02)
        if not v & 0x04:
            v = v & ~0x08 | (0 if p3 & 0x08 else 0x08)
        self._soft_request(self.sfr[TCON], v, 0xAA)  # TF1 TF0 IE1 IE0
        self.sfr[TCON] = v
        self._reconfig(max(t, self._tsync))
        self._recompute_ev()  # a request now pending or a hold: _ne = 0 (the slow path)

    def _w_t2con(self, addr: int, v: int, t: int) -> None:
        self._sync(t)
        self._soft_request(self.sfr[T2CON], v, 0xC0)  # TF2 EXF2
        self.sfr[T2CON] = v
        self._reconfig(max(t, self._tsync))
        self._recompute_ev()

    def _w_scon(self, addr: int, v: int, t: int) -> None:
        self._soft_request(self.sfr[SCON], v, 0x03)  # TI RI
        self.sfr[SCON] = v
        self._recompute_ev()

    def _soft_request(self, old: int, new: int, flags: int) -> None:
        """Software set an interrupt flag: it is set in the instruction's last cycle and
        polled in the next one, so one more instruction runs before the LCALL."""
        if new & ~old & flags:
            self._hold = True

    def _w_sbuf(self, addr: int, v: int, t: int) -> None:
        sfr = self.sfr
        self._sync(t)
        t = max(t, self._tsync)
        self._tx_byte = v
        scon = sfr[SCON]
        mode = scon >> 6
        smod = sfr[PCON] & 0x80
        self._tx_busy = True
        self._tx_src = None
        if mode == 0:
            self._tx_done = t + 8
        elif mode == 2:
            self._tx_done = t + -(-11 * (32 if smod else 64) // 12)
        else:
            bits = 10 if mode == 1 else 11
            if sfr[T2CON] & 0x10:
                self._tx_src, self._tx_left = self._c2, bits * 16
            else:
                self._tx_src, self._tx_left = self._c1, bits * (16 if smod else 32)
            self._tx_done = self._tx_src.next_ovf(self._tx_left)
        self._recompute_ev()  # the frame's end is the next event

    def _w_ieip(self, addr: int, v: int, t: int) -> None:
        sfr = self.sfr
        sfr[addr] = v
        if not sfr[IE] & 0x80:
            # EA off (the CLR EA of a critical section): no interrupt can be taken, so the
            # hold does not matter; the only event left is the end of a UART frame
            ev = self._tx_done if self._tx_busy else NEVER
            self._ev = ev
            if not (self._idle or self._pd or self._hold):
                u = self._until
                self._ne = ev if ev < u else u
            return
        # an interrupt is not taken right after a write to IE or IP; every instruction
        # that writes them accesses IE/IP at t (its first cycle) and ends by t + 1
        self._hold_after(t + 1)

    def _w_pcon(self, addr: int, v: int, t: int) -> None:
        self.sfr[PCON] = v
        if v & 0x02:
            self._pd = True
        elif v & 0x01:
            self._idle = True
        self._ne = 0

    # == pin watchers ======================================================================
    def _pin_intx(self, level: int, t: int, it_bit: int, ie_bit: int, gate: int) -> None:
        sfr = self.sfr
        if sfr[TMOD] & gate:
            self._sync(t)
            self._reconfig(max(t, self._tsync))
        tcon = sfr[TCON]
        if tcon & it_bit:
            if not level:
                tcon |= ie_bit
        else:
            tcon = tcon & ~ie_bit | (0 if level else ie_bit)
        sfr[TCON] = tcon
        self._recompute_ev()
        self._ne = 0

    def _pin_int0(self, level: int, t: int) -> None:
        self._pin_intx(level, t, 0x01, 0x02, 0x08)

    def _pin_int1(self, level: int, t: int) -> None:
        self._pin_intx(level, t, 0x04, 0x08, 0x80)

    def _pin_t0(self, level: int, t: int) -> None:
        if not level and self._c0.counting:
            self._count_edge(self._c0, t)

    def _pin_t1(self, level: int, t: int) -> None:
        if not level and self._c1.counting:
            self._count_edge(self._c1, t)

    def _pin_t2(self, level: int, t: int) -> None:
        if not level and self._c2.counting:
            self._count_edge(self._c2, t)

    def _pin_t2ex(self, level: int, t: int) -> None:
        sfr = self.sfr
        t2con = sfr[T2CON]
        if level or not t2con & 0x08:  # falling edges only, EXEN2 must be set
            return
        self._sync(t)
        if not t2con & 0x30:
            if t2con & 0x01:  # capture
                sfr[RCAP2L], sfr[RCAP2H] = sfr[TL2], sfr[TH2]
            else:  # reload
                sfr[TL2], sfr[TH2] = sfr[RCAP2L], sfr[RCAP2H]
        sfr[T2CON] = t2con | 0x40  # EXF2
        self._reconfig(max(t, self._tsync))
        self._recompute_ev()
        self._ne = 0
