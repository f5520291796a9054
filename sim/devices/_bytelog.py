"""A bounded log of serial bytes: ``(cycle, byte)`` records in compact arrays.

A day of ``clock51 monitor`` moves millions of bytes; a list of tuples costs about 105 bytes
of memory per byte and was never trimmed. ``ByteLog`` keeps the latest ``keep`` records (at
most twice that between trims) in an ``array('q')`` of cycles and a ``bytearray``: 9 bytes a
record, never more than ~18 x ``keep`` bytes in all. ``total`` counts every record ever
appended; positions in that count (``total`` before an operation, ``since(position)``) let a
reader pick up what is new without the log keeping everything.

It reads like the list of every record, of which only the latest are still there:
``len(log)`` is ``total``, so ``n = len(log)`` then ``log[n:]`` gives what came since, as with
the list it replaced; ``log[-1]`` is the latest record; indexing a trimmed record raises
IndexError and slices skip them; iteration and ``log == [...]`` cover the records held.
"""

from __future__ import annotations

from array import array
from collections.abc import Iterator, Sequence
from typing import Any, overload

from sim.errors import StateError

DEFAULT_KEEP = 10_000  # records kept at least: 10 s of a busy 9600-baud line


class ByteLog(Sequence[tuple[int, int]]):
    """The latest ``keep`` (or more) ``(cycle, byte)`` records; ``total`` counts them all."""

    def __init__(self, keep: int = DEFAULT_KEEP) -> None:
        if keep < 1:
            raise ValueError("a ByteLog keeps at least one record")
        self.keep = keep
        self.total = 0
        self._cycles = array("q")
        self._bytes = bytearray()

    def append(self, cycle: int, byte: int) -> None:
        self._cycles.append(cycle)
        self._bytes.append(byte & 0xFF)
        self.total += 1
        if len(self._bytes) >= 2 * self.keep:
            cut = len(self._bytes) - self.keep
            del self._cycles[:cut]
            del self._bytes[:cut]

    @property
    def held(self) -> int:
        """How many records are still held."""
        return len(self._bytes)

    @property
    def first(self) -> int:
        """Position (in ``total``'s count) of the oldest record still held."""
        return self.total - len(self._bytes)

    def since(self, position: int) -> list[tuple[int, int]]:
        """The records from ``position`` on (those already trimmed are gone)."""
        start = max(0, position - self.first)
        return list(zip(self._cycles[start:], self._bytes[start:], strict=True))

    def data_since(self, position: int) -> bytes:
        """The bytes of the records from ``position`` on."""
        return bytes(self._bytes[max(0, position - self.first):])

    def clear(self) -> None:
        del self._cycles[:]
        self._bytes.clear()

    # -- a read-only sequence: positions count every record, the trimmed ones are gone ------
    def __len__(self) -> int:
        return self.total

    def __bool__(self) -> bool:
        return self.total > 0

    @overload
    def __getitem__(self, index: int) -> tuple[int, int]: ...
    @overload
    def __getitem__(self, index: slice) -> list[tuple[int, int]]: ...

    def __getitem__(self, index: int | slice) -> Any:
        first = self.first
        if isinstance(index, slice):
            start, stop, step = index.indices(self.total)
            if step == 1:
                return self.since(start)[:max(0, stop - max(start, first))]
            return [self[i] for i in range(start, stop, step) if i >= first]
        i = index + self.total if index < 0 else index
        if not first <= i < self.total:
            why = "trimmed (only the latest are kept)" if 0 <= i < first else "none"
            raise IndexError(f"record {index} of {self.total}: {why}")
        return self._cycles[i - first], self._bytes[i - first]

    def __iter__(self) -> Iterator[tuple[int, int]]:
        return zip(self._cycles, self._bytes, strict=True)

    def __eq__(self, other: object) -> bool:
        if isinstance(other, ByteLog | list | tuple):
            return list(self) == list(other)
        return NotImplemented

    __hash__ = None  # type: ignore[assignment]

    def __repr__(self) -> str:
        return f"ByteLog(total={self.total}, held={list(self)[-8:]!r})"


class ByteLogCodec:
    """Saved form (sim.devices._state): ``{"total": n, "cycles": [...], "bytes": [...]}``."""

    def __init__(self, keep: int = DEFAULT_KEEP) -> None:
        self.keep = keep

    def encode(self, value: ByteLog) -> Any:
        return {"total": value.total, "cycles": list(value._cycles), "bytes": list(value._bytes)}

    def decode(self, data: Any, where: str) -> ByteLog:
        ok = (isinstance(data, dict) and set(data) == {"total", "cycles", "bytes"}
              and isinstance(data["cycles"], list) and isinstance(data["bytes"], list)
              and len(data["cycles"]) == len(data["bytes"]) <= 2 * self.keep
              and type(data["total"]) is int and data["total"] >= len(data["bytes"])
              and all(type(c) is int and -(1 << 63) <= c < 1 << 63 for c in data["cycles"])
              and all(type(b) is int and 0 <= b <= 0xFF for b in data["bytes"]))
        if not ok:
            raise StateError(f"{where}: expected {{total, cycles, bytes}} with as many cycles "
                             f"as bytes (0-255), at most {2 * self.keep}")
        log = ByteLog(self.keep)
        log._cycles.extend(data["cycles"])
        log._bytes.extend(data["bytes"])
        log.total = data["total"]
        return log
