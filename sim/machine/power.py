"""The MCU's supply, reset, boot ROM and flash: who owns the chip at any moment.

States: ``reset`` (powered, held in reset: the CPU executes nothing), ``app`` (the CPU runs
the program in flash), ``bsl`` (the ISP bootloader of sim.cpu.isp owns the chip: the CPU
executes nothing), ``off`` (no supply), ``halted`` (the program crashed: an illegal opcode,
or it ran into erased flash; nothing runs until power is cycled).

- Power-on (``power_on``), as on a real board: every part powers up at that instant (the
  LCD starts its internal reset, the DS18B20 its power-on state, the LEDs light by their
  pins; the DS1302 takes its pins again, having kept its time on its battery), the CPU's
  ports go high and the MCU is held in reset until ``release_cycles`` later: the board's
  reset circuit (profile ``[mcu] reset_ms``; ``timing="strict"``: the shortest time the
  RST input's threshold allows, x ``STRICT_RESET_FACTOR``) and the crystal's start-up,
  whichever ends later (both begin at power-on); then the bootloader listens for sync
  bytes (with ``bootloader``) and the program starts. So the LCD's power-on busy time
  (10-15 ms) has passed before a program's first instruction, unless ``reset_ms`` is
  shorter: a board whose RST is tied low (``reset_ms = 0``) starts 2 ms after power-on.
  The DS1302's Vcc2 is off while the supply is, so a transfer cut by the power cycle is
  dropped and the ports' reset edges are not taken for one; the keys are not the chip's.
- The bootloader's reset command restarts the CPU into the (new) program without a power
  cycle. The flash is saved to its file (``--flash``) whenever the bootloader exits.
- Host bytes reach the bootloader while it owns the chip, the CPU's UART while the program
  runs, nobody while the chip is off or halted.
- ``cycle_on_sync``: a burst of ``BURST`` bytes 0x7F, each within ``BURST_GAP_S`` of the
  previous, while the program runs (or crashed) or while the bootloader is stuck in a
  conversation (its host vanished after a valid frame; bytes inside a frame are data, not
  a burst), cycles power, as a person does when stcgal says "Waiting for MCU, please cycle
  power".
- Requests from other threads (``request_power_cycle``: the control socket) are applied
  by the board's run loop between slices, in simulated time.
- After an interrupted upload the flash holds erased, unprogrammed cells: when the program
  starts the board says so in one line (``notices``, ``notify``) and, if the CPU then
  executes from there (or from beyond the end of the flash), it halts with one more line
  naming the address. To catch that exactly and for free, the CPU's copy of such a flash
  has 0xA5 (the one undefined opcode) in those cells: a deviation only MOVC can see, and
  only while the flash is partly programmed. A board that models its flash
  (``catch_crashes``) turns a crash into a notice and halts; otherwise it raises
  (``IllegalOpcode``, or ``SimError`` for erased flash), one line either way.
"""

from __future__ import annotations

import threading
from collections import deque
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from boardprofile import STRICT_RESET_FACTOR

from sim.cpu.isp import IspBootloader
from sim.devices._common import Limit
from sim.errors import IllegalOpcode, SimError
from sim.machine.flash import Flash

if TYPE_CHECKING:
    from sim.machine.board import Board

BURST = 4
BURST_GAP_S = 0.1
# A MHz crystal on the 8051's inverting amplifier oscillates 1-10 ms after power-on; the
# model takes 2 ms (typical) and 1 ms (strict: the earliest start is the worst case for a
# program).
CRYSTAL_START = Limit(0.002, 0.001, "s", "crystal oscillator start-up, 1-10 ms for MHz "
                      "crystals")


def release_seconds(reset_ms: float, timing: str) -> float:
    """Seconds from power-on until the MCU runs: the reset circuit's time (the strict
    release scaled to the RST input's highest threshold) or the crystal's start-up,
    whichever is later."""
    reset_s = reset_ms / 1000 * (STRICT_RESET_FACTOR if timing == "strict" else 1.0)
    return max(reset_s, CRYSTAL_START.value(timing))


class ChipPower:
    def __init__(self, board: Board, flash: Flash, *, protocol: str = "stc89",
                 cycle_on_sync: bool = False, catch_crashes: bool = False,
                 host_baud: Callable[[], int | None] | None = None,
                 notify: Callable[[str], None] | None = None) -> None:
        self.board = board
        self.flash = flash
        self.state = "off"
        self.release_cycles = board.to_cycles(release_seconds(board.profile.mcu.reset_ms,
                                                              board.timing))
        self.released_at = 0  # the cycle the MCU last left reset
        self._power_gen = 0
        self.cycle_on_sync = cycle_on_sync
        self.catch_crashes = catch_crashes
        self.notify = notify
        self.notices: list[str] = []
        self.power_cycles = 0
        self.on_uart_tx: Any = None  # set by UartBridge.attach (the CPU sends, not us)
        # an MCU without an ISP bootloader ([mcu] isp = "none": an AT89C52) starts its
        # program straight out of reset, also on a power cycle
        self.has_isp = protocol != "none"
        self.isp = IspBootloader(board.scheduler, flash, protocol=protocol if self.has_isp
                                 else "stc89",
                                 crystal_hz=board.profile.crystal_hz, tx=board.uart.on_tx,
                                 set_line=board.uart.set_line, on_exit=self._isp_exit,
                                 host_baud=host_baud)
        self._burst = 0
        self._burst_last = -1
        self._loaded = bytes(flash.data)
        self._requests: deque[threading.Event] = deque()

    # -- power -----------------------------------------------------------------------------
    def _now(self, cycle: int | None) -> int:
        return max(self.board.cpu.cycles, cycle if cycle is not None else 0)

    def _powered_models(self) -> list[Any]:
        return [m for m in self.board.models() if hasattr(m, "power_on")]

    def power_off(self, cycle: int | None = None) -> None:
        """Supply off: nothing runs; the flash (and its file) keep what was written."""
        now = self._now(cycle)
        self.isp.stop()
        self.state = "off"
        self._power_gen += 1
        for model in self._powered_models():
            model.power_off(now)  # the DS1302 runs on its battery: pins ignored
        if self.flash.path is not None:
            self.flash.save()

    def power_on(self, cycle: int | None = None, *, bootloader: bool = True) -> None:
        """Supply on: every part powers up now, the MCU is held in reset for
        ``release_cycles``, then (``bootloader``) its bootloader listens for a sync or the
        program starts."""
        now = self._now(cycle)
        b = self.board
        self.isp.stop()
        models = self._powered_models()
        for model in models:  # parts not yet powered: the ports' reset edges reach nobody
            model.power_off(now)
        b.cpu.reset(now)
        for model in models:
            model.power_on(now)
        self.state = "reset"
        self._burst = 0
        self._power_gen += 1
        gen = self._power_gen
        b.scheduler.at(now + self.release_cycles,
                       lambda c: self._release(c, gen, bootloader))

    def _release(self, cycle: int, gen: int, bootloader: bool) -> None:
        """The reset circuit lets go and the crystal runs: the MCU starts."""
        if gen != self._power_gen or self.state != "reset":
            return  # switched off (or on again) meanwhile
        self.released_at = cycle
        if bootloader and self.has_isp:
            self.board.cpu.reset(cycle)
            self.state = "bsl"
            self.isp.power_on(cycle)
        else:
            self.start_program(cycle)

    def power_cycle(self, cycle: int | None = None) -> None:
        self.power_cycles += 1
        self.power_off(cycle)
        self.power_on(cycle)

    def request_power_cycle(self) -> threading.Event:
        """From any thread: cycle power at the next slice; the event is set when done."""
        done = threading.Event()
        self._requests.append(done)
        return done

    def apply_requests(self) -> None:
        while self._requests:
            done = self._requests.popleft()
            self.power_cycle()
            done.set()

    @property
    def pending_requests(self) -> bool:
        return bool(self._requests)

    # -- the program -----------------------------------------------------------------------
    def _isp_exit(self, cycle: int, reason: str) -> None:
        if reason == "reset" and self.flash.path is not None:
            self.flash.save()
        self.start_program(cycle)

    def start_program(self, cycle: int | None = None) -> None:
        now = self._now(cycle)
        b = self.board
        partial = self.flash.partial()
        code = self.cpu_image(partial is not None)
        if code != self._loaded:
            self._loaded = code
            b.cpu.load_code(code)
        b.cpu.reset(now)
        b.uart.follow_mcu()
        self.state = "app"
        if partial is not None:
            self._say(f"flash: partly programmed ({partial}): an interrupted upload? "
                      "upload again")

    def cpu_image(self, mark_blank: bool) -> bytes:
        """The flash as the CPU fetches it (erased cells as 0xA5 while partly programmed)."""
        if not mark_blank:
            return bytes(self.flash.data)
        marked = bytes(0xA5 if blank else v
                       for v, blank in zip(self.flash.data, self.flash.blank, strict=True))
        return marked + b"\xa5" * (0x10000 - len(marked))

    def run_cpu(self, target: int) -> str | None:
        """The board's run loop: run the CPU to ``target`` if it runs at all; "breakpoint"
        if it stopped at one of its breakpoints first."""
        cpu = self.board.cpu
        if self.state != "app":
            cpu.cycles = target
            return None
        try:
            reason = cpu.run(target)
        except IllegalOpcode as e:
            pc = e.address
            erased = self.flash.partial() is not None and (self.flash.is_blank(pc)
                                                            or pc >= self.flash.size)
            if erased:
                where = "erased flash" if pc < self.flash.size else "past the end of the flash"
                what = f"ran into {where} at 0x{pc:04X} (the flash is partly programmed)"
            else:
                what = str(e)
            if not self.catch_crashes:
                raise (SimError(what) if erased else e) from None
            self._halt(f"cpu: {what}; halted until power is cycled")
            cpu.cycles = max(cpu.cycles, target)
            return None
        if reason == "powerdown" and cpu.cycles < target:
            cpu.cycles = target  # nothing runs until an event wakes the board
        return "breakpoint" if reason == "breakpoint" else None

    def _halt(self, message: str) -> None:
        self.state = "halted"
        self._say(message)

    def _say(self, message: str) -> None:
        self.notices.append(message)
        if self.notify is not None:
            self.notify(message)

    # -- host bytes (the UART bridge delivers here) ------------------------------------------
    def uart_rx(self, byte: int, cycle: int) -> bool:
        state = self.state
        # (in a bootloader conversation, only between frames: inside one 0x7F is data, e.g.
        # a run of 0x7F in the image being written)
        if self.cycle_on_sync and (state == "app" or state == "halted"
                                   or state == "bsl" and self.isp.state == "session"
                                   and not self.isp.in_frame(cycle)):
            if byte == 0x7F and (self._burst == 0 or
                                 cycle - self._burst_last <= self.board.to_cycles(BURST_GAP_S)):
                self._burst += 1
            else:
                self._burst = 1 if byte == 0x7F else 0
            self._burst_last = cycle
            if self._burst >= BURST:
                self._say("power: cycled (a burst of 0x7F: a programmer is waiting)")
                self.power_cycle(cycle)
                return True
        if state == "bsl":
            return self.isp.rx(byte, cycle)
        if state == "app":
            return self.board.cpu.uart_rx(byte, cycle)
        return False
