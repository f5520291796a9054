"""The host tool's exception family.

Every error a user can meet is one of these; ``host.cli`` turns each into ONE line
(``clock51: error: ...``) and an exit code, in one place. Anything else escaping is a bug.
"""

from __future__ import annotations


class Clock51Error(Exception):
    """Base of every error the host tool reports to a user."""

    exit_code = 1

    @property
    def message(self) -> str:
        return str(self.args[0]) if self.args else self.__class__.__name__

    def __str__(self) -> str:
        return self.message

    def add_detail(self, detail: str) -> None:
        """Append context (what the clock shows now, what was tried) to the message."""
        self.args = (f"{self.message}; {detail}", *self.args[1:])


class UsageError(Clock51Error):
    """The command line or an argument is wrong. Nothing was sent to the clock."""

    exit_code = 2


class PortError(Clock51Error):
    """The serial port cannot be used: no such port, permission denied, busy, lost."""


class NoAnswer(Clock51Error):
    """The clock did not answer within the timeout."""


class ProtocolError(Clock51Error):
    """The clock answered, but the answer is garbled or not what the protocol says."""


class NotTaken(Clock51Error):
    """The clock answered OK to a write, but its echo is not the value asked for."""


class LateWrite(Clock51Error):
    """A timed byte could not be written on time (the OS woke the tool too late).

    The partial line is voided before the next request; ``sync`` tries again.
    """

    def __init__(self, late: float) -> None:
        super().__init__(f"final byte {late * 1000:.1f} ms late")
        self.late = late


class DeviceError(Clock51Error):
    """The clock answered ``ERR <reason>``: it refused the request and changed nothing."""

    def __init__(self, reason: str, message: str | None = None) -> None:
        super().__init__(message if message is not None else f"the clock answered ERR {reason}")
        self.reason = reason


class HistoryError(Clock51Error):
    """A drift history file cannot be read (damaged, unknown version) or written.

    The file is left as it was and nothing is written to the clock.
    """
