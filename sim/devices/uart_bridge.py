"""The 8051 serial port to the outside: a pty, a loopback TCP server or an in-memory endpoint.

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

Endpoints (all with ``read_available() -> bytes``, ``write(bytes)``, ``close()``):

- ``MemoryEndpoint``: no OS resources; a test ``feed``s bytes and reads ``sent``.
- ``PtyEndpoint``: ``os.openpty`` in raw mode; ``path`` is the slave device to open
  (e.g. ``/dev/pts/5``). The model keeps the slave open, so bytes sent while no program has
  it open wait in the pty buffer (up to the kernel's limit, then they are dropped and
  counted in ``dropped``).
- ``TcpEndpoint``: a server on 127.0.0.1 only (pyserial ``socket://127.0.0.1:PORT``); one
  client at a time, the next one is accepted after it disconnects. Bytes sent while no
  client is connected are dropped and counted. With ``timestamps=True`` (Linux) each read
  also records ``arrival``: the kernel's receive time (epoch seconds) of the latest segment
  it took, so a paced runner can place bytes at the instant they arrived even if it read
  them late (see sim.runner.RealtimeLoop).

``wait_fds()`` (pty and TCP) lists the file descriptors that become readable when the host
side has something: a paced runner sleeps in ``select()`` on them.
"""

from __future__ import annotations

import contextlib
import errno
import os
import socket
import struct
import sys
import termios
import tty
from collections import deque
from typing import Any, Protocol

from sim.devices._common import DEFAULT_CYCLES_PER_SECOND
from sim.scheduler import Scheduler

# Linux: SO_TIMESTAMPNS == SCM_TIMESTAMPNS (not exported by the socket module)
_SO_TIMESTAMPNS = getattr(socket, "SO_TIMESTAMPNS", 35)
_TIMESPEC = struct.Struct("@ll")


class Endpoint(Protocol):
    def read_available(self) -> bytes: ...
    def write(self, data: bytes) -> None: ...
    def close(self) -> None: ...


class UartCpu(Protocol):
    on_uart_tx: Any

    def uart_rx(self, byte: int, cycle: int) -> bool: ...


class MemoryEndpoint:
    """In-memory host side for tests."""

    def __init__(self) -> None:
        self._incoming = bytearray()
        self.sent = bytearray()

    def feed(self, data: bytes) -> None:
        """Bytes the 'host' sends to the MCU; taken at the next poll."""
        self._incoming += data

    def read_available(self) -> bytes:
        data = bytes(self._incoming)
        self._incoming.clear()
        return data

    def write(self, data: bytes) -> None:
        self.sent += data

    def take_sent(self) -> bytes:
        data = bytes(self.sent)
        self.sent.clear()
        return data

    def close(self) -> None:
        pass


class PtyEndpoint:
    """A pseudo-terminal; programs open ``path``."""

    def __init__(self) -> None:
        self._master, self._slave = os.openpty()
        tty.setraw(self._slave, termios.TCSANOW)
        os.set_blocking(self._master, False)
        self.path = os.ttyname(self._slave)
        self.dropped = 0

    def read_available(self) -> bytes:
        chunks = []
        while True:
            try:
                data = os.read(self._master, 4096)
            except BlockingIOError:
                break
            except OSError as exc:
                if exc.errno == errno.EIO:
                    break
                raise
            if not data:
                break
            chunks.append(data)
        return b"".join(chunks)

    def wait_fds(self) -> list[int]:
        return [self._master] if self._master >= 0 else []

    def write(self, data: bytes) -> None:
        try:
            n = os.write(self._master, data)
        except BlockingIOError:
            n = 0
        self.dropped += len(data) - n

    def close(self) -> None:
        for fd in (self._master, self._slave):
            with contextlib.suppress(OSError):
                os.close(fd)
        self._master = self._slave = -1


class TcpEndpoint:
    """A loopback TCP server, one client at a time (pyserial ``socket://`` works)."""

    LOOPBACK = ("127.0.0.1", "localhost")

    def __init__(self, port: int = 0, host: str = "127.0.0.1", *,
                 timestamps: bool = False) -> None:
        if host not in self.LOOPBACK:
            raise ValueError("the serial bridge listens on the loopback interface only")
        self._server = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        try:
            self._server.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
            self._server.bind(("127.0.0.1", port))
            self._server.listen(1)
            self._server.setblocking(False)
        except OSError:
            self._server.close()
            raise
        self.port: int = self._server.getsockname()[1]
        self._client: socket.socket | None = None
        self._out = bytearray()
        self.dropped = 0
        self.clients = 0
        self.timestamps = timestamps and sys.platform.startswith("linux")
        self.arrival: float | None = None  # kernel receive time of the last data read

    @property
    def connected(self) -> bool:
        return self._client is not None

    def _accept(self) -> None:
        if self._client is not None:
            return
        try:
            conn, _ = self._server.accept()
        except (BlockingIOError, InterruptedError):
            return
        conn.setblocking(False)
        conn.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        if self.timestamps:
            try:
                conn.setsockopt(socket.SOL_SOCKET, _SO_TIMESTAMPNS, 1)
            except OSError:
                self.timestamps = False
        self._client = conn
        self.clients += 1

    def _drop_client(self) -> None:
        if self._client is not None:
            self._client.close()
            self._client = None
        self.dropped += len(self._out)
        self._out.clear()

    def wait_fds(self) -> list[int]:
        sock = self._client if self._client is not None else self._server
        fd = sock.fileno()
        return [fd] if fd >= 0 else []

    def _recv(self, client: socket.socket) -> bytes:
        if not self.timestamps:
            return client.recv(4096)
        data, ancillary, _, _ = client.recvmsg(4096, socket.CMSG_SPACE(_TIMESPEC.size))
        for level, kind, payload in ancillary:
            if (level, kind) == (socket.SOL_SOCKET, _SO_TIMESTAMPNS) and len(
                    payload) >= _TIMESPEC.size:
                sec, nsec = _TIMESPEC.unpack_from(payload)
                self.arrival = sec + nsec / 1e9
        return data

    def read_available(self) -> bytes:
        self._accept()
        chunks = []
        self.arrival = None
        while self._client is not None:
            try:
                data = self._recv(self._client)
            except (BlockingIOError, InterruptedError):
                break
            except OSError:
                self._drop_client()
                break
            if not data:
                self._drop_client()
                self._accept()
                break
            chunks.append(data)
        self._flush()
        return b"".join(chunks)

    def write(self, data: bytes) -> None:
        self._accept()
        if self._client is None:
            self.dropped += len(data)
            return
        self._out += data
        self._flush()

    def _flush(self) -> None:
        if self._client is None or not self._out:
            return
        try:
            n = self._client.send(self._out)
        except (BlockingIOError, InterruptedError):
            return
        except OSError:
            self._drop_client()
            return
        del self._out[:n]

    def close(self) -> None:
        self._drop_client()
        self._server.close()


class UartBridge:
    """Connects a CPU's serial port to an endpoint, pacing host bytes at the frame time."""

    def __init__(
        self,
        endpoint: Endpoint,
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
        data = self.endpoint.read_available()
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
        self.endpoint.write(bytes([byte & 0xFF]))

    def close(self) -> None:
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
