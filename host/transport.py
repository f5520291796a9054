"""Byte transport to the clock: a pyserial port (device path or URL such as ``socket://``).

The client only needs the small ``Transport`` interface below, so tests drive it with a
fake port and the simulator is reached through ``socket://127.0.0.1:PORT``. Every pyserial
failure is turned into one error with a clear reason of ours here, and nowhere else: a URL
that cannot be right is a ``UsageError`` (checked before pyserial sees it: its messages for
these are internal text), a port that cannot be used a ``PortError``.

Reads are deadline-based: ``read_line(timeout)`` returns by its deadline (plus at most one
short pyserial read, ``POLL``) whatever the other end sends, a stream of bytes included.
"""

from __future__ import annotations

import errno
import importlib.util
import re
import select
import socket
import time
import urllib.parse
from typing import Any, Protocol

import serial

from host.errors import PortError, UsageError

MAX_REPLY = 512  # bytes without a line end before the buffer is handed over as garbage
POLL = 0.05  # seconds a single pyserial read may block; read_line loops until its deadline
RESET_LIMIT = 1 << 16  # bytes reset_input drops at most from a socket (a peer may not stop)
LOG_LEVELS = ("debug", "info", "warning", "error")
#: the options pyserial's network URL handlers take (docs: pyserial URL handlers)
URL_OPTIONS = {"socket": {"logging"},
               "rfc2217": {"logging", "ign_set_control", "poll_modem", "timeout"}}


class Transport(Protocol):
    """What the client needs from a port."""

    name: str
    baudrate: int

    def write(self, data: bytes) -> None:
        """Queue bytes for sending; returns as soon as they are handed to the OS."""

    def flush(self) -> None:
        """Wait until written bytes have left (best effort on USB adapters and sockets)."""

    def read_line(self, timeout: float) -> bytes | None:
        """The next line without its LF (CR kept), or None if none completes in time."""

    def reset_input(self) -> None:
        """Drop everything received and not yet read (stale or late replies)."""

    def close(self) -> None: ...


def _why(exc: BaseException) -> str:
    """A short reason for a failed open, from the errno when there is one."""
    code = getattr(exc, "errno", None)
    text = str(exc)
    if code == errno.ENOENT or "No such file" in text:
        return "no such port (run 'clock51 ports' to list them)"
    if code in (errno.EACCES, errno.EPERM) or "Permission denied" in text:
        return "permission denied (on Linux, join the 'dialout' group)"
    if code in (errno.EBUSY, errno.EAGAIN, errno.EWOULDBLOCK) or "exclusively lock" in text:
        return "port busy (another program has it open)"
    if code == errno.ECONNREFUSED or "Connection refused" in text:
        return "connection refused (is the simulator running with --serial tcp:PORT?)"
    strerror = getattr(exc, "strerror", None)
    return strerror if isinstance(strerror, str) and strerror else text


def check_url(url: str) -> None:
    """UsageError for a port URL that cannot be right (bad host, port or option); PortError
    for a scheme pyserial does not have."""
    scheme, sep, _ = url.partition("://")
    if not sep:
        return  # a device path: only opening it tells
    if (not re.fullmatch(r"[a-z][a-z0-9_]*", scheme)
            or importlib.util.find_spec(f"serial.urlhandler.protocol_{scheme}") is None):
        # like a device path that does not exist: no such port (exit 1), not a usage error
        raise PortError(f"cannot open {url}: no such port type {scheme!r} (use a device "
                        "path or socket://HOST:PORT)")
    if scheme not in URL_OPTIONS:
        return
    form = f"{scheme}://HOST:PORT"
    try:
        parts = urllib.parse.urlsplit(url)
    except ValueError as exc:  # e.g. an unclosed [IPv6 address
        raise UsageError(f"{url}: {exc} (expected {form})") from None
    try:
        port = parts.port
    except ValueError:
        port = -1
    if not parts.hostname:
        raise UsageError(f"{url}: no host (expected {form})")
    if port is None or not 0 < port < 65536:
        raise UsageError(f"{url}: the port must be a number 1-65535 (expected {form})")
    if parts.path not in ("", "/") or parts.fragment:
        raise UsageError(f"{url}: unexpected text after the port (expected {form})")
    for name, values in urllib.parse.parse_qs(parts.query, keep_blank_values=True).items():
        if name not in URL_OPTIONS[scheme]:
            raise UsageError(f"{url}: unknown option {name!r} for {scheme}://")
        if name == "logging" and values[-1] not in LOG_LEVELS:
            raise UsageError(f"{url}: logging must be one of {', '.join(LOG_LEVELS)}")


def _open_failure(url: str, exc: BaseException) -> Exception:
    """Our one-line error for a failed open (pyserial wraps the cause in its own text)."""
    cause = exc.__context__ if "://" in url else None
    if isinstance(cause, socket.gaierror):
        return PortError(f"cannot open {url}: unknown host ({cause.strerror or cause})")
    if isinstance(cause, OSError):
        return PortError(f"cannot open {url}: {_why(cause)}")
    if cause is not None and not isinstance(exc, OSError):
        return UsageError(f"cannot open {url}: malformed URL")
    return PortError(f"cannot open {url}: {_why(exc)}")


def _closed_by_peer(exc: BaseException) -> bool:
    text = str(exc)
    return (getattr(exc, "errno", None) in (errno.ECONNRESET, errno.EPIPE)
            or "disconnected" in text or "reset by peer" in text or "Broken pipe" in text)


class SerialTransport:
    """A pyserial port opened with ``serial.serial_for_url``."""

    def __init__(self, port: Any, name: str, baudrate: int) -> None:
        self._port = port
        self.name = name
        self.baudrate = baudrate
        self._buffer = bytearray()

    @classmethod
    def open(cls, url: str, baudrate: int = 9600) -> SerialTransport:
        """Open a device path or a pyserial URL (``socket://``, ``loop://``, ``rfc2217://``)."""
        if not url:
            raise UsageError("empty port name")
        check_url(url)
        kwargs: dict[str, Any] = {"baudrate": baudrate, "timeout": POLL, "write_timeout": 2.0}
        if "://" not in url:
            kwargs["exclusive"] = True  # a second clock51 on the same port gets 'busy'
        try:
            port = serial.serial_for_url(url, do_not_open=True, **kwargs)
            if url.startswith("socket://"):
                # pyserial's open() empties the input with its unbounded reset (see _drain):
                # against a peer that never stops sending it would never return
                port.reset_input_buffer = lambda: None
            port.open()
        except ValueError as exc:  # unknown URL scheme, bad baud rate, ...
            raise PortError(f"cannot open {url}: {exc}") from None
        except (serial.SerialException, OSError) as exc:
            raise _open_failure(url, exc) from None
        except (KeyError, TypeError):  # pyserial's URL parsing, on a malformed URL
            raise UsageError(f"cannot open {url}: malformed URL (see pyserial's URL "
                             "handlers for its options)") from None
        sock = getattr(port, "_socket", None)
        if isinstance(sock, socket.socket):  # socket://: no Nagle delay on our single bytes
            try:
                sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
            except OSError:
                pass
        return cls(port, url, baudrate)

    def _closed(self) -> PortError:
        return PortError(f"no answer from the clock on {self.name}: the connection was "
                         "closed by the other end (did the simulator exit?)")

    def write(self, data: bytes) -> None:
        try:
            self._port.write(data)
        except (serial.SerialException, OSError) as exc:
            if _closed_by_peer(exc):
                raise self._closed() from None
            raise PortError(f"writing to {self.name} failed: {exc}") from None

    def flush(self) -> None:
        try:
            self._port.flush()
        except (serial.SerialException, OSError) as exc:
            raise PortError(f"writing to {self.name} failed: {exc}") from None

    def read_line(self, timeout: float) -> bytes | None:
        """The next line, or None at the deadline: bytes arriving do not extend it (one
        look at what is already waiting is always taken, even with timeout 0)."""
        deadline = time.monotonic() + max(0.0, timeout)
        looked = False
        while True:
            end = self._buffer.find(b"\n")
            if end >= 0:
                line = bytes(self._buffer[:end])
                del self._buffer[: end + 1]
                return line
            if len(self._buffer) >= MAX_REPLY:
                line = bytes(self._buffer)
                self._buffer.clear()
                return line
            try:
                waiting = self._port.in_waiting
                if time.monotonic() >= deadline and (looked or not waiting):
                    return None
                looked = True
                chunk = self._port.read(max(1, min(waiting, MAX_REPLY - len(self._buffer))))
            except (serial.SerialException, OSError) as exc:
                if _closed_by_peer(exc):  # socket://: the other end closed the connection
                    raise self._closed() from None
                raise PortError(f"reading from {self.name} failed: {exc}") from None
            self._buffer += chunk

    def reset_input(self) -> None:
        self._buffer.clear()
        sock = getattr(self._port, "_socket", None)
        try:
            if isinstance(sock, socket.socket):
                _drain(sock)
            else:
                self._port.reset_input_buffer()
        except (serial.SerialException, OSError) as exc:
            if _closed_by_peer(exc):
                raise self._closed() from None
            raise PortError(f"{self.name}: {exc}") from None

    def close(self) -> None:
        sock = getattr(self._port, "_socket", None)
        try:
            self._port.close()
        except (serial.SerialException, OSError):
            pass
        if isinstance(sock, socket.socket):
            # pyserial's socket:// close skips close() when shutdown() fails, as it does
            # once the other end has closed the connection: do not leak the socket
            sock.close()


def _drain(sock: socket.socket, limit: int = RESET_LIMIT) -> None:
    """Drop what a socket holds now, at most ``limit`` bytes. (pyserial's own reset for
    socket:// reads until nothing is waiting: never, while the other end keeps sending.)"""
    dropped = 0
    while dropped < limit:
        ready, _, _ = select.select([sock], [], [], 0)
        if not ready:
            return
        data = sock.recv(4096)
        if not data:
            return  # closed by the other end: the next read says so
        dropped += len(data)


def list_ports() -> list[tuple[str, str]]:
    """(device, description) of every serial port the OS reports."""
    from serial.tools import list_ports as lp

    return sorted((p.device, p.description or "") for p in lp.comports())
