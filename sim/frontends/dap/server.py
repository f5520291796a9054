"""The debug adapter's socket: 127.0.0.1:PORT, one client at a time, in a thread of its own.

The thread accepts, reads and writes; it never touches the board. What a client sends is
framed (``protocol.Framer``) and handed to ``deliver(client, message)``, which queues it for
the board's thread; ``send(client, message)`` may be called from any thread and queues the
framed message for the socket thread, which writes it when the client can take it. A
client that reads nothing while more than ``MAX_OUTBOX`` bytes wait for it is dropped, so
it can never hold the simulator up. A second connection while one client is served gets
one ``output`` event saying so and is closed.
"""

from __future__ import annotations

import itertools
import os
import selectors
import socket
import threading
from collections import deque
from collections.abc import Callable
from typing import Any

from sim.errors import ConfigError
from sim.frontends.dap.protocol import FrameError, Framer, encode

__all__ = ["DapServer", "MAX_OUTBOX"]

MAX_OUTBOX = 16 * 1024 * 1024
READ_SIZE = 65536


class _Client:
    def __init__(self, cid: int, sock: socket.socket) -> None:
        self.id = cid
        self.sock = sock
        self.framer = Framer()
        self.outbox: deque[bytes] = deque()
        self.queued = 0
        self.closing = False  # close once the outbox is written


class DapServer:
    def __init__(self, port: int, *,
                 deliver: Callable[[int, dict[str, Any] | FrameError], None],
                 connected: Callable[[int], None], gone: Callable[[int], None],
                 host: str = "127.0.0.1") -> None:
        self.deliver = deliver
        self.connected = connected
        self.gone = gone
        self._ids = itertools.count(1)
        self._lock = threading.Lock()
        self._client: _Client | None = None
        self._stop = False
        self._wake_r, self._wake_w = os.pipe()
        os.set_blocking(self._wake_r, False)
        os.set_blocking(self._wake_w, False)
        self._listener = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        self._listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            self._listener.bind((host, port))
        except OSError as e:
            self._listener.close()
            os.close(self._wake_r)
            os.close(self._wake_w)
            why = os.strerror(e.errno) if e.errno else str(e)
            raise ConfigError(f"--dap: cannot listen on {host}:{port}: {why}") from None
        self._listener.listen(4)
        self._listener.setblocking(False)
        self.port = self._listener.getsockname()[1]
        self._thread = threading.Thread(target=self._run, name="clock51-dap", daemon=True)

    def start(self) -> DapServer:
        self._thread.start()
        return self

    # -- any thread ----------------------------------------------------------------------
    def send(self, client: int, message: dict[str, Any]) -> None:
        data = encode(message)
        with self._lock:
            c = self._client
            if c is None or c.id != client or c.closing and c.queued > MAX_OUTBOX:
                return
            c.outbox.append(data)
            c.queued += len(data)
        self._wake()

    def drop(self, client: int) -> None:
        """Close the client's connection once what was sent to it is written."""
        with self._lock:
            c = self._client
            if c is not None and c.id == client:
                c.closing = True
        self._wake()

    def close(self) -> None:
        self._stop = True
        self._wake()
        if self._thread.is_alive():
            self._thread.join(2.0)

    def _wake(self) -> None:
        try:
            os.write(self._wake_w, b"\0")
        except (BlockingIOError, OSError):
            pass

    # -- the socket thread -----------------------------------------------------------------
    def _run(self) -> None:
        sel = selectors.DefaultSelector()
        sel.register(self._listener, selectors.EVENT_READ, "listen")
        sel.register(self._wake_r, selectors.EVENT_READ, "wake")
        try:
            while not self._stop:
                c = self._client
                if c is not None:
                    events = selectors.EVENT_READ | (selectors.EVENT_WRITE if c.outbox else 0)
                    try:
                        sel.modify(c.sock, events, "client")
                    except (KeyError, ValueError):
                        sel.register(c.sock, events, "client")
                for key, mask in sel.select(0.5):
                    if key.data == "listen":
                        self._accept(sel)
                    elif key.data == "wake":
                        try:
                            while os.read(self._wake_r, 4096):
                                pass
                        except BlockingIOError:
                            pass
                    elif self._client is not None and key.fileobj is self._client.sock:
                        if mask & selectors.EVENT_READ:
                            self._read(sel, self._client)
                        if self._client is not None and mask & selectors.EVENT_WRITE:
                            self._write(sel, self._client)
                c = self._client
                if c is not None and c.closing and not c.outbox:
                    self._disconnect(sel, c)
        finally:
            c = self._client
            if c is not None:
                self._flush_and_close(c)
            sel.close()
            self._listener.close()
            os.close(self._wake_r)
            os.close(self._wake_w)

    def _accept(self, sel: selectors.BaseSelector) -> None:
        try:
            sock, _ = self._listener.accept()
        except OSError:
            return
        if self._client is not None:
            try:
                sock.sendall(encode({"seq": 1, "type": "event", "event": "output", "body": {
                    "category": "important",
                    "output": "clock51-sim: another debugger is attached to this board\n"}}))
            except OSError:
                pass
            sock.close()
            return
        sock.setblocking(False)
        sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        with self._lock:
            self._client = _Client(next(self._ids), sock)
        self.connected(self._client.id)

    def _read(self, sel: selectors.BaseSelector, c: _Client) -> None:
        try:
            data = c.sock.recv(READ_SIZE)
        except (BlockingIOError, InterruptedError):
            return
        except OSError:
            data = b""
        if not data:
            self._disconnect(sel, c)
            return
        if c.closing:
            return
        for msg in c.framer.feed(data):
            self.deliver(c.id, msg)
            if isinstance(msg, FrameError) and msg.fatal:
                c.closing = True
                break

    def _write(self, sel: selectors.BaseSelector, c: _Client) -> None:
        while True:
            with self._lock:
                if not c.outbox:
                    return
                data = c.outbox[0]
            try:
                n = c.sock.send(data)
            except (BlockingIOError, InterruptedError):
                break
            except OSError:
                self._disconnect(sel, c)
                return
            with self._lock:
                c.queued -= n
                if n < len(data):
                    c.outbox[0] = data[n:]
                    break
                c.outbox.popleft()
        with self._lock:
            too_much = c.queued > MAX_OUTBOX
        if too_much:  # it does not read: let it go rather than hold everything
            self._disconnect(sel, c)

    def _disconnect(self, sel: selectors.BaseSelector, c: _Client) -> None:
        try:
            sel.unregister(c.sock)
        except (KeyError, ValueError):
            pass
        try:
            c.sock.close()
        except OSError:
            pass
        with self._lock:
            if self._client is c:
                self._client = None
        # the adapter hears of every end of a connection; after a disconnect request it has
        # already let the client go and ignores this
        self.gone(c.id)

    def _flush_and_close(self, c: _Client) -> None:
        """At the end of the run: what is queued (terminated, exited) still goes out."""
        try:
            c.sock.setblocking(True)
            c.sock.settimeout(1.0)
            with self._lock:
                pending = b"".join(c.outbox)
                c.outbox.clear()
            if pending:
                c.sock.sendall(pending)
        except OSError:
            pass  # the client is gone already
        finally:
            try:
                c.sock.close()
            except OSError:
                pass
