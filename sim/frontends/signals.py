"""Ending a run on a signal as at its normal end: Ctrl-C (SIGINT), SIGTERM, SIGHUP.

Inside ``with StopRequests() as stops:`` the first of these signals only records itself
(``stops.received``); the run loop checks it between slices, so the run ends with the CPU
between instructions and every device between transfers (a DS1302 is never saved halfway
through a clock burst). The caller then finishes as at a normal end (saves ``--rtc-state``,
writes the waveform, prints the LCD) and calls ``raise_if_received()``: SIGINT raises
``KeyboardInterrupt`` (the CLI exits 130), SIGTERM / SIGHUP raise ``Signalled`` (exit 143 /
129, i.e. 128 + the signal number, the shell's convention). A second signal while the first
is being handled raises at once, so a run that does not stop can still be interrupted.
``StopRequests(immediate=True)`` raises on the first signal, for a loop that cannot look at
``received`` (the browser view waiting in select() for its pages); the caller catches
``KeyboardInterrupt`` / ``Signalled`` and finishes as above.

Handlers are only installed in the main thread (Python's rule); elsewhere signals keep their
default behaviour. The previous handlers are restored on leaving the block.
"""

from __future__ import annotations

import signal
import threading
from types import FrameType, TracebackType

from sim.errors import Signalled

STOP_SIGNALS = tuple(getattr(signal, name) for name in ("SIGINT", "SIGTERM", "SIGHUP")
                     if hasattr(signal, name))


def raise_for(signum: int) -> None:
    """Raise what ``signum`` means for the CLI: KeyboardInterrupt or Signalled."""
    if signum == signal.SIGINT:
        raise KeyboardInterrupt
    raise Signalled(signum, signal.Signals(signum).name)


class StopRequests:
    """Records the first stop signal; see the module docstring."""

    def __init__(self, *, immediate: bool = False) -> None:
        self.immediate = immediate  # raise on the first signal (a loop that cannot poll)
        self.received: int | None = None
        self._previous: dict[int, object] = {}

    def _handle(self, signum: int, frame: FrameType | None) -> None:
        if self.received is not None or self.immediate:
            self.received = signum
            raise_for(signum)
        self.received = signum

    def __enter__(self) -> StopRequests:
        if threading.current_thread() is threading.main_thread():
            for sig in STOP_SIGNALS:
                self._previous[sig] = signal.signal(sig, self._handle)
        return self

    def __exit__(self, kind: type[BaseException] | None, exc: BaseException | None,
                 tb: TracebackType | None) -> None:
        for sig, handler in self._previous.items():
            signal.signal(sig, handler)  # type: ignore[arg-type]
        self._previous.clear()

    def __bool__(self) -> bool:
        return self.received is not None

    def raise_if_received(self) -> None:
        if self.received is not None:
            raise_for(self.received)
