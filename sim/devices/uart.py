"""The 8051 serial line as a device: host bytes paced at the frame time, MCU bytes logged.

Facts and choices:

- The CPU side is two calls: the CPU calls ``on_uart_tx(byte, cycle)`` when a transmitted
  byte's frame completes; the bridge calls ``cpu.uart_rx(byte, cycle) -> bool`` to deliver a
  received byte (False: the CPU did not take it, e.g. receiver off; the byte is lost, as on
  the wire, and listed in ``rx_lost``).
- Host -> MCU bytes are queued and delivered one frame apart, as scheduler events: a frame
  is ``frame_bits`` (10: start, 8 data, stop) bit times, 960 machine cycles at 9600 baud
  and 11.0592 MHz. The first byte of a burst arrives one frame after it was read from the
  host (it still has to cross the wire); a byte never arrives less than one frame after the
  previous one.
- MCU -> host bytes are written to the endpoint as they complete. The CPU paces them.
- The line's speed: a real host and MCU must agree on the baud rate; the bridge paces host
  bytes at the rate the MCU's receiver runs at, ``rate()`` (given by the board: the serial
  mode and baud-rate generator the program has set up, ``sim.machine.serialrate``), so
  any program's baud rate works without a setting; ``baud`` (default 9600) serves until the
  program has set its port up. ``set_line`` fixes the line instead (the ISP bootloader's
  handshake); ``follow_mcu`` returns to following the MCU.
- ``poll(cycle)`` (called by the board's main loop) reads whatever the host sent, without
  blocking. No thread, no host clock.
- Memory is bounded whatever the traffic: the logs (``rx_log``, ``rx_lost``, ``tx_log``) are
  ``ByteLog``s holding the latest records (``.total`` counts all), and at most ``MAX_QUEUE``
  host bytes wait for the line.

Checks: none here; the CPU's own receiver records nothing either (a byte the program does
not take in time is listed in ``rx_lost``, which the firmware tests treat as a failure).

The host side is an ``Endpoint`` (``read_available() -> bytes``, ``write(bytes)``,
``close()``), given by the front end (sim.frontends.endpoints: pty, TCP, memory). Without
one, the bridge only logs: host bytes come from ``inject`` and MCU bytes go to ``tx_log``.
"""

from __future__ import annotations

from collections import deque
from collections.abc import Callable
from typing import Any, Protocol

from sim.bus.scheduler import Scheduler
from sim.devices._bytelog import ByteLog, ByteLogCodec
from sim.devices._common import DEFAULT_CYCLES_PER_SECOND, PartContext
from sim.devices._state import Int, IntList, Stateful


class Endpoint(Protocol):
    def read_available(self) -> bytes: ...
    def write(self, data: bytes) -> None: ...
    def close(self) -> None: ...


class UartCpu(Protocol):
    on_uart_tx: Any

    def uart_rx(self, byte: int, cycle: int) -> bool: ...


class UartBridge(Stateful):
    """Connects a CPU's serial port to an endpoint, pacing host bytes at the frame time."""

    MAX_QUEUE = 65_536  # host bytes waiting for the line, at most

    def __init__(
        self,
        endpoint: Endpoint | None,
        scheduler: Scheduler,
        *,
        baud: int = 9600,
        cycles_per_second: int = DEFAULT_CYCLES_PER_SECOND,
        frame_bits: int = 10,
    ) -> None:
        self.endpoint = endpoint
        self.scheduler = scheduler
        self.name = "uart"
        self.cps = int(cycles_per_second)
        self._default = self._fixed = (baud, frame_bits)
        self._following = True
        # the MCU receiver's (baud, frame bits) now, None while it is not set up
        self.rate: Callable[[], tuple[float, int] | None] | None = None
        self._cpu: UartCpu | None = None
        self.reset()

    @classmethod
    def build(cls, parts: Any, ctx: PartContext) -> list[UartBridge]:
        """The ``[uart]`` part: the serial port wired to the host ``ctx.endpoint``."""
        return [cls(ctx.endpoint, ctx.scheduler, cycles_per_second=ctx.cycles_per_second)
                for _ in parts]

    def set_line(self, baud: int, frame_bits: int = 10) -> None:
        """Fix the line (a bootloader switching baud rate or parity): host bytes from now on
        arrive ``frame_bits`` bit times apart at ``baud``, whatever the MCU is set to."""
        self._fixed = (baud, frame_bits)
        self._following = False

    def follow_mcu(self) -> None:
        """Pace host bytes at the rate the MCU's receiver is set to (a program runs; until
        it switches its receiver on, at the default rate)."""
        self._following = True
        self._fixed = self._default

    def _line(self) -> tuple[float, int]:
        if self._following and self.rate is not None:
            found = self.rate()
            if found is not None:
                return found
        return self._fixed

    @property
    def baud(self) -> int:
        """The line's baud rate now."""
        return round(self._line()[0])

    @property
    def frame_cycles(self) -> int:
        """Machine cycles one frame of the line takes now."""
        baud, bits = self._line()
        return max(1, round(bits * self.cps / baud))

    def reset(self) -> None:
        self._queue: deque[int] = deque()
        self._event_pending = False
        self._last_delivery: int | None = None
        # (cycle, byte) records, the latest DEFAULT_KEEP or more of each (``.total`` counts all)
        self.rx_log = ByteLog()  # delivered to the CPU
        self.rx_lost = ByteLog()  # the CPU refused
        self.tx_log = ByteLog()  # sent by the CPU
        self.rx_overflow = 0  # host bytes dropped because MAX_QUEUE were already waiting

    def attach(self, cpu: UartCpu) -> None:
        self._cpu = cpu
        cpu.on_uart_tx = self.on_tx

    # -- host -> MCU -------------------------------------------------------------------
    def poll(self, cycle: int) -> None:
        data = self.endpoint.read_available() if self.endpoint is not None else b""
        if data:
            self.inject(data, cycle)

    def inject(self, data: bytes, cycle: int) -> None:
        """Bytes arriving from the host at ``cycle`` (what ``poll`` does with what it read).

        A host writing faster than the line carries them (a TCP peer can) fills the queue;
        beyond ``MAX_QUEUE`` waiting bytes the newest are dropped and counted in
        ``rx_overflow``, as a full FIFO in a USB-serial adapter would."""
        room = self.MAX_QUEUE - len(self._queue)
        if len(data) > room:
            self.rx_overflow += len(data) - max(room, 0)
            data = data[:max(room, 0)]
        self._queue.extend(data)
        if not self._event_pending:
            self._schedule(cycle)

    def _schedule(self, cycle: int) -> None:
        start = cycle if self._last_delivery is None else max(cycle, self._last_delivery)
        self._event_pending = True
        self.scheduler.at(start + self.frame_cycles, self._deliver)

    def _deliver(self, cycle: int) -> None:
        self._event_pending = False
        if not self._queue:
            return
        byte = self._queue.popleft()
        self._last_delivery = cycle
        if self._cpu is None:
            raise RuntimeError("UartBridge: no CPU attached")
        if self._cpu.uart_rx(byte, cycle):
            self.rx_log.append(cycle, byte)
        else:
            self.rx_lost.append(cycle, byte)
        if self._queue:
            self._schedule(cycle)

    @property
    def pending(self) -> int:
        """Host bytes still on their way to the CPU."""
        return len(self._queue)

    # -- MCU -> host -------------------------------------------------------------------
    def on_tx(self, byte: int, cycle: int) -> None:
        self.tx_log.append(cycle, byte)
        if self.endpoint is not None:
            self.endpoint.write(bytes([byte & 0xFF]))

    def close(self) -> None:
        if self.endpoint is not None:
            self.endpoint.close()

    # -- state (sim.devices._state: declared once; the endpoint's OS resources are not state)
    STATE_NAME = "uart"
    STATE_VERSION = 2  # 1: the logs were lists of [cycle, byte]
    STATE_FIELDS = (
        ("_queue", IntList(max_len=MAX_QUEUE)), ("_last_delivery", Int(optional=True)),
        ("rx_log", ByteLogCodec()), ("rx_lost", ByteLogCodec()), ("tx_log", ByteLogCodec()),
        ("rx_overflow", Int(0)),
    )

    def _state_set(self, attr: str, value: Any) -> None:
        if attr == "_queue":
            self._loaded_queue = bytes(value)
        else:
            setattr(self, attr, value)

    def _state_loaded(self, cycle: int) -> None:
        """Undelivered bytes are rescheduled from ``cycle``."""
        queue, self._loaded_queue = self._loaded_queue, b""
        self._queue = deque()
        self._event_pending = False
        if queue:
            self.inject(queue, cycle)
