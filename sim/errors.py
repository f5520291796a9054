"""The simulator's exception family. Each CLI turns these into one line and an exit code."""


class SimError(Exception):
    """Base of every error the simulator reports to a user."""


class ConfigError(SimError):
    """A board profile or a command-line setting is wrong."""


class UsageError(SimError):
    """A command line that is malformed or contradicts itself (exit 2, one line, like an
    argparse error)."""


class ImageError(SimError):
    """A firmware image cannot be loaded (bad Intel HEX record, checksum, size)."""


class MeasureError(SimError):
    """A measurement could not be made: sdcc or s51 missing or failing, an image not built.

    ``detail`` keeps the tool's output for a report; the message itself is one line."""

    def __init__(self, message: str, detail: str = "") -> None:
        super().__init__(message)
        self.detail = detail


class ProgramFailed(SimError):
    """A program run by ``clock51-sim exec`` reported failure (its exit status port, SFR
    0xFF, nonzero at the stop) or did not stop within its cycle budget."""


class IllegalOpcode(SimError):
    """The CPU met an undefined opcode (0xA5)."""

    def __init__(self, address: int, opcode: int) -> None:
        super().__init__(f"illegal opcode 0x{opcode:02X} at 0x{address:04X}")
        self.address = address
        self.opcode = opcode


class StateError(SimError):
    """A saved device state or state file is malformed or of an unsupported version."""


class Signalled(BaseException):
    """The run was ended by a signal (SIGTERM, SIGHUP) after finishing as at a normal end;
    the CLI exits 128 + ``signum`` (not an ``Exception``: nothing may swallow it)."""

    def __init__(self, signum: int, name: str) -> None:
        super().__init__(f"terminated by {name}")
        self.signum = signum
