"""A queue from server threads to the thread that runs the board.

Not a ``queue.Queue``: its waits hold a lock that a Ctrl-C arriving mid-wait can leave
taken, after which the final clean-up would block for ever. Here the items sit in a deque
(append and popleft are atomic) and the simulation thread waits in ``select()`` on a pipe
that every ``put_nowait`` writes a byte to, which holds nothing when interrupted. The
browser view and the debug adapter both hand their requests over through one.
"""

from __future__ import annotations

import os
import queue
import select
from collections import deque
from typing import Any

__all__ = ["Mailbox"]


class Mailbox:
    """Hands items from server threads to the simulation thread (module docstring)."""

    def __init__(self, limit: int) -> None:
        self.limit = limit
        self._items: deque[Any] = deque()
        self._r, self._w = os.pipe()
        os.set_blocking(self._r, False)
        os.set_blocking(self._w, False)
        self._closed = False

    def put_nowait(self, item: Any) -> None:
        if self._closed or len(self._items) >= self.limit:
            raise queue.Full
        self._items.append(item)
        try:
            os.write(self._w, b"\0")
        except BlockingIOError:  # the pipe is full of wake-ups already
            pass

    def get_nowait(self) -> Any:
        try:
            return self._items.popleft()
        except IndexError:
            raise queue.Empty from None

    def wait(self, timeout: float) -> None:
        """Until something was put (maybe already) or ``timeout`` seconds have passed."""
        if not self._items:
            select.select([self._r], [], [], max(0.0, timeout))
        try:
            while os.read(self._r, 4096):
                pass
        except BlockingIOError:
            pass

    def __len__(self) -> int:
        return len(self._items)

    def close(self) -> None:
        if not self._closed:
            self._closed = True
            os.close(self._r)
            os.close(self._w)
