"""``clock51-sim run --dap PORT``: the Debug Adapter Protocol on 127.0.0.1:PORT.

Three parts: ``server.DapServer`` (the socket, in a thread of its own), ``adapter.DapAdapter``
(DAP requests -> ``sim.debug.runtime.Debugger``, in the thread that runs the board) and
``DapService`` here, which joins them to the run loop. Messages cross from the socket
thread to the board's thread through a ``Mailbox``, the browser view's one when ``--web``
is on too (so either front end's requests are answered while the other holds the board).

The run loop (``RealtimeLoop``) calls the service's hook between two slices of simulated
time: it lets the debugger decide about a breakpoint the CPU stopped at, reports UART
output and violations, and, while the program is stopped, holds the board there (simulated
time stands still; the browser view keeps answering; a key pressed or a serial byte sent
meanwhile is queued at the stopped instant and happens when the program runs on). After a
hold a real-time run takes the current instant as "now" again.
"""

from __future__ import annotations

import queue
import sys
from collections.abc import Callable
from typing import Any

from sim.debug.cdb import DebugInfo
from sim.frontends.dap.adapter import DapAdapter
from sim.frontends.dap.protocol import FrameError
from sim.frontends.dap.server import DapServer
from sim.frontends.mailbox import Mailbox
from sim.machine.board import Board

__all__ = ["DapService", "HOLD_WAIT_S"]

QUEUE_LIMIT = 10_000
HOLD_WAIT_S = 0.1  # while stopped, the hook wakes at least this often (signals, pages)


class DapService:
    """The debug adapter of one board. ``start()`` opens the socket to clients; ``hook()``
    makes the run loop's ``on_slice``; ``close()`` tells the client the run ended."""

    def __init__(self, board: Board, info: DebugInfo, port: int, *,
                 announce: Callable[[str], None] | None = None) -> None:
        self.board = board
        self.mailbox = Mailbox(QUEUE_LIMIT)
        self._own_mailbox = True
        self.web: Any = None
        self.ended = False
        self.announce = announce or (lambda line: print(line, flush=True))
        self.adapter = DapAdapter(board, info, send=self._send, end=self._end,
                                  close=self._drop)
        self.server = DapServer(port, deliver=self._deliver, connected=self._connected,
                                gone=self._gone)
        self.port = self.server.port

    # -- set-up ---------------------------------------------------------------------------
    def share(self, web_session: Any) -> None:
        """Use the browser view's mailbox (before ``start``) and show the stopped state in
        its pages."""
        self.mailbox.close()
        self.mailbox = web_session.commands
        self._own_mailbox = False
        self.web = web_session
        web_session.status = self.adapter.status

    def start(self) -> None:
        self.server.start()
        self.announce(f"dap: 127.0.0.1:{self.port}")

    def close(self) -> None:
        """The run is over: the client hears ``terminated`` and ``exited``, then the socket
        closes."""
        a = self.adapter
        if a.client is not None:
            a.event("terminated")
            a.event("exited", {"exitCode": 0})
        self.server.close()
        if self._own_mailbox:
            self.mailbox.close()

    # -- from the socket thread ------------------------------------------------------------
    def _post(self, fn: Callable[[], object]) -> None:
        try:
            self.mailbox.put_nowait(fn)
        except queue.Full:
            print("clock51-sim: dap: the board is busy; a client message was dropped",
                  file=sys.stderr)

    def _deliver(self, client: int, message: dict[str, Any] | FrameError) -> None:
        self._post(lambda: self.adapter.handle(client, message))

    def _connected(self, client: int) -> None:
        def accept() -> None:
            if not self.adapter.connected(client):
                self.server.drop(client)
        self._post(accept)

    def _gone(self, client: int) -> None:
        self._post(lambda: self.adapter.disconnected(client))

    # -- to the socket thread ----------------------------------------------------------------
    def _send(self, client: int, message: dict[str, Any]) -> None:
        self.server.send(client, message)

    def _drop(self, client: int) -> None:
        self.server.drop(client)

    def _end(self) -> None:
        self.ended = True

    # -- the run loop's hook -------------------------------------------------------------------
    def drain(self) -> None:
        while True:
            try:
                item = self.mailbox.get_nowait()
            except queue.Empty:
                return
            if callable(item):
                item()
            elif self.web is not None:
                self.web.apply(item)

    def hook(self, loop: Any, inner: Callable[[float], bool | None] | None = None,
             should_stop: Callable[[], bool] = lambda: False) -> Callable[[float], bool]:
        """``on_slice`` for ``loop`` (a RealtimeLoop): the debugger's part, then ``inner``
        (the browser view's or the live view's), then the hold while stopped."""
        debugger = self.adapter.debugger

        def on_slice(now: float) -> bool:
            self.adapter.after_slice(loop.stopped)
            loop.stopped = None
            if self._own_mailbox:
                self.drain()
            result = inner(now) if inner is not None else True
            held = False
            while debugger.stopped is not None and not self.ended and not should_stop():
                held = True
                if self.web is not None:
                    self.web.idle(HOLD_WAIT_S)
                else:
                    self.mailbox.wait(HOLD_WAIT_S)
                    self.drain()
            if held and loop.realtime:
                loop.resume_realtime()
            return result is not False and not self.ended and not should_stop()

        return on_slice
