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
- ``poll(cycle)`` (called by the board's main loop) reads whatever the host sent, without
  blocking. No thread, no host clock.

The host side is an ``Endpoint`` (``read_available() -> bytes``, ``write(bytes)``,
``close()``), given by the front end (sim.frontends.endpoints: pty, TCP, memory). Without
one, the bridge only logs: host bytes come from ``inject`` and MCU bytes go to ``tx_log``.
"""

from __future__ import annotations

from collections import deque
from typing import Any, Protocol

from sim.devices._common import DEFAULT_CYCLES_PER_SECOND
from sim.machine.scheduler import Scheduler


class Endpoint(Protocol):
    def read_available(self) -> bytes: ...
    def write(self, data: bytes) -> None: ...
    def close(self) -> None: ...


class UartCpu(Protocol):
    on_uart_tx: Any

    def uart_rx(self, byte: int, cycle: int) -> bool: ...


class UartBridge:
    """Connects a CPU's serial port to an endpoint, pacing host bytes at the frame time."""

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
        self.baud = baud
        self.cps = int(cycles_per_second)
        self.frame_cycles = round(frame_bits * self.cps / baud)
        self._cpu: UartCpu | None = None
        self.reset()

    def set_line(self, baud: int, frame_bits: int = 10) -> None:
        """Retune the line (a bootloader switching baud rate or parity): host bytes from
        now on arrive ``frame_bits`` bit times apart at ``baud``."""
        self.baud = baud
        self.frame_cycles = max(1, round(frame_bits * self.cps / baud))

    def reset(self) -> None:
        self._queue: deque[int] = deque()
        self._event_pending = False
        self._last_delivery: int | None = None
        self.rx_log: list[tuple[int, int]] = []  # (cycle, byte) delivered to the CPU
        self.rx_lost: list[tuple[int, int]] = []  # (cycle, byte) the CPU refused
        self.tx_log: list[tuple[int, int]] = []  # (cycle, byte) sent by the CPU

    def attach(self, cpu: UartCpu) -> None:
        self._cpu = cpu
        cpu.on_uart_tx = self.on_tx

    # -- host -> MCU -------------------------------------------------------------------
    def poll(self, cycle: int) -> None:
        data = self.endpoint.read_available() if self.endpoint is not None else b""
        if data:
            self.inject(data, cycle)

    def inject(self, data: bytes, cycle: int) -> None:
        """Bytes arriving from the host at ``cycle`` (what ``poll`` does with what it read)."""
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
            self.rx_log.append((cycle, byte))
        else:
            self.rx_lost.append((cycle, byte))
        if self._queue:
            self._schedule(cycle)

    @property
    def pending(self) -> int:
        """Host bytes still on their way to the CPU."""
        return len(self._queue)

    # -- MCU -> host -------------------------------------------------------------------
    def on_tx(self, byte: int, cycle: int) -> None:
        self.tx_log.append((cycle, byte))
        if self.endpoint is not None:
            self.endpoint.write(bytes([byte & 0xFF]))

    def close(self) -> None:
        if self.endpoint is not None:
            self.endpoint.close()

    # -- state -------------------------------------------------------------------------
    def to_state(self) -> dict[str, Any]:
        """Queue and logs (the endpoint's OS resources are not state)."""
        return {
            "queue": list(self._queue),
            "last_delivery": self._last_delivery,
            "rx_log": self.rx_log,
            "rx_lost": self.rx_lost,
            "tx_log": self.tx_log,
        }

    def from_state(self, state: dict[str, Any], cycle: int) -> None:
        """Restore; undelivered bytes are rescheduled from ``cycle``."""
        self.reset()
        self._last_delivery = state["last_delivery"]
        self.rx_log = [(int(c), int(b)) for c, b in state["rx_log"]]
        self.rx_lost = [(int(c), int(b)) for c, b in state["rx_lost"]]
        self.tx_log = [(int(c), int(b)) for c, b in state["tx_log"]]
        if state["queue"]:
            self.inject(bytes(state["queue"]), cycle)
