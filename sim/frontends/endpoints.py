"""Host sides of the simulated serial line: a pty, a loopback TCP server, or memory.

These are what a front end hands to the board's UART (sim.devices.uart.UartBridge, which
knows them only as ``Endpoint``: ``read_available() -> bytes``, ``write(bytes)``,
``close()``).

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
  them late (see sim.frontends.run.RealtimeLoop).

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

# Linux: SO_TIMESTAMPNS == SCM_TIMESTAMPNS (not exported by the socket module)
_SO_TIMESTAMPNS = getattr(socket, "SO_TIMESTAMPNS", 35)
_TIMESPEC = struct.Struct("@ll")



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

    def baud(self) -> int | None:
        """The baud rate the program on the slave side set (a pty keeps it, though it
        carries bytes at any speed), or None."""
        try:
            speed = termios.tcgetattr(self._slave)[5]
        except (termios.error, OSError):
            return None
        for name in dir(termios):
            if name.startswith("B") and name[1:].isdigit() and getattr(termios, name) == speed:
                return int(name[1:]) or None
        return None

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
    MAX_OUT = 65_536  # bytes waiting for a client that does not read; more are dropped

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
        room = self.MAX_OUT - len(self._out)
        if len(data) > room:  # a client that does not read: drop, as a UART would
            self.dropped += len(data) - max(room, 0)
            data = data[:max(room, 0)]
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
