"""Saveable device state, declared once per model and versioned.

A model lists its state fields once, as ``STATE_FIELDS``: ``(attribute, codec)`` pairs (the
key in the saved dict is the attribute without its leading underscore), and a
``STATE_VERSION``. ``Stateful.to_state()`` then gives a JSON-able dict
``{"version": N, key: value, ...}`` and ``Stateful.from_state(state)`` checks all of it
before touching the model: the version, every field present and no unknown one, each value's
type, range and list length. Any problem is a ``StateError`` whose message is one line
naming the field, e.g. ``ds1302.regs: expected a list of 7 integers 0-255, got 2 items``;
a failed load leaves the model as it was.

A dict without ``"version"`` is read as version 1 (the layout written before states carried
a version). A model changes ``STATE_VERSION`` whenever its fields change meaning; it may
still read older versions, listed in ``STATE_READS``, which ``_upgrade_state`` turns into
the current layout before anything is checked.

Hooks a model may override: ``_upgrade_state(state, version)`` (class method: an older
layout's dict -> the current one), ``_state_get(attr)`` / ``_state_set(attr, value)`` (default
getattr / setattr), ``_check_state(values)`` for checks that need the instance or several
fields, ``_state_loaded(cycle)`` to re-apply pin drives after a load.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any, ClassVar, Protocol

from sim.devices._common import Violation
from sim.errors import StateError


class Codec(Protocol):
    def encode(self, value: Any) -> Any: ...
    def decode(self, data: Any, where: str) -> Any: ...


def _got(data: Any) -> str:
    text = repr(data)
    return text if len(text) <= 40 else text[:37] + "..."


def _is_int(data: Any) -> bool:
    return isinstance(data, int) and not isinstance(data, bool)


@dataclass(frozen=True)
class Int:
    """An integer in ``lo..hi`` (either open); ``optional``: None allowed."""

    lo: int | None = None
    hi: int | None = None
    optional: bool = False

    def what(self) -> str:
        if self.lo is not None and self.hi is not None:
            return f"an integer {self.lo}-{self.hi}"
        if self.lo is not None:
            return f"an integer >= {self.lo}"
        return "an integer"

    def encode(self, value: Any) -> Any:
        return None if value is None else int(value)

    def decode(self, data: Any, where: str) -> Any:
        if data is None and self.optional:
            return None
        if not _is_int(data) or (self.lo is not None and data < self.lo) or (
                self.hi is not None and data > self.hi):
            extra = " or null" if self.optional else ""
            raise StateError(f"{where}: expected {self.what()}{extra}, got {_got(data)}")
        return data


@dataclass(frozen=True)
class Bool:
    def encode(self, value: Any) -> Any:
        return bool(value)

    def decode(self, data: Any, where: str) -> Any:
        if not isinstance(data, bool):
            raise StateError(f"{where}: expected true or false, got {_got(data)}")
        return data


@dataclass(frozen=True)
class Str:
    """A string, one of ``choices`` when given, at most ``max_len`` characters."""

    choices: tuple[str, ...] = ()
    max_len: int = 1000

    def encode(self, value: Any) -> Any:
        return str(value)

    def decode(self, data: Any, where: str) -> Any:
        if not isinstance(data, str) or len(data) > self.max_len:
            raise StateError(f"{where}: expected a string, got {_got(data)}")
        if self.choices and data not in self.choices:
            raise StateError(f"{where}: expected one of {', '.join(self.choices)}, "
                             f"got {_got(data)}")
        return data


@dataclass(frozen=True)
class IntList:
    """A list of integers ``lo..hi``, exactly ``length`` long or ``min_len..max_len``;
    decoded as a list, or a bytearray with ``as_bytes``."""

    length: int | None = None
    lo: int = 0
    hi: int = 0xFF
    min_len: int = 0
    max_len: int = 1 << 20
    as_bytes: bool = False

    def encode(self, value: Any) -> Any:
        return [int(v) for v in value]

    def decode(self, data: Any, where: str) -> Any:
        what = f"a list of {self.length if self.length is not None else ''} integers " \
               f"{self.lo}-{self.hi}".replace("of  ", "of ")
        if not isinstance(data, list):
            raise StateError(f"{where}: expected {what}, got {_got(data)}")
        n = len(data)
        if (self.length is not None and n != self.length) or not (
                self.min_len <= n <= self.max_len):
            limits = (f"{self.length}" if self.length is not None
                      else f"{self.min_len}-{self.max_len}")
            raise StateError(f"{where}: expected a list of {limits} integers, got {n} items")
        for i, v in enumerate(data):
            if not _is_int(v) or not self.lo <= v <= self.hi:
                raise StateError(f"{where}[{i}]: expected an integer {self.lo}-{self.hi}, "
                                 f"got {_got(v)}")
        return bytearray(data) if self.as_bytes else list(data)


@dataclass(frozen=True)
class Table:
    """A dict with exactly the keys of ``fields`` (key, codec); decoded into a dict, or
    into ``make(**decoded)`` when given (encode then reads the same names as attributes)."""

    fields: tuple[tuple[str, Codec], ...]
    make: Callable[..., Any] | None = None

    def encode(self, value: Any) -> Any:
        get = value.get if isinstance(value, dict) else lambda k: getattr(value, k)
        return {k: c.encode(get(k)) for k, c in self.fields}

    def decode(self, data: Any, where: str) -> Any:
        out = decode_fields(self.fields, data, where)
        return self.make(**out) if self.make is not None else out


@dataclass(frozen=True)
class ListOf:
    """A list of items of one codec, at most ``max_len`` of them."""

    item: Codec
    max_len: int = 1 << 20

    def encode(self, value: Any) -> Any:
        return [self.item.encode(v) for v in value]

    def decode(self, data: Any, where: str) -> Any:
        if not isinstance(data, list) or len(data) > self.max_len:
            raise StateError(f"{where}: expected a list (at most {self.max_len} items), "
                             f"got {_got(data)}")
        return [self.item.decode(v, f"{where}[{i}]") for i, v in enumerate(data)]


@dataclass(frozen=True)
class DictOf:
    """A dict from names to items of one codec."""

    item: Codec

    def encode(self, value: Any) -> Any:
        return {str(k): self.item.encode(v) for k, v in value.items()}

    def decode(self, data: Any, where: str) -> Any:
        if not isinstance(data, dict):
            raise StateError(f"{where}: expected an object, got {_got(data)}")
        return {k: self.item.decode(v, f"{where}.{k}") for k, v in data.items()}


def decode_fields(fields: Sequence[tuple[str, Codec]], data: Any, where: str,
                  ignore: tuple[str, ...] = ()) -> dict[str, Any]:
    """Check a dict holds exactly ``fields`` (plus ``ignore``d keys); the decoded values."""
    if not isinstance(data, dict):
        raise StateError(f"{where}: expected an object, got {_got(data)}")
    names = {key for key, _ in fields}
    for k in data:
        if k not in names and k not in ignore:
            raise StateError(f"{where}.{k}: unknown field")
    out: dict[str, Any] = {}
    for key, codec in fields:
        if key not in data:
            raise StateError(f"{where}.{key}: missing field")
        out[key] = codec.decode(data[key], f"{where}.{key}")
    return out


def state_key(attr: str) -> str:
    return attr.lstrip("_")


class Stateful:
    """Mixin: ``to_state`` / ``from_state`` from the class's ``STATE_FIELDS``."""

    STATE_NAME: ClassVar[str] = "device"
    STATE_VERSION: ClassVar[int] = 1
    STATE_READS: ClassVar[tuple[int, ...]] = ()  # versions read (default: STATE_VERSION)
    STATE_FIELDS: ClassVar[tuple[tuple[str, Codec], ...]] = ()

    def to_state(self) -> dict[str, Any]:
        """Every state field, JSON-able, with the state version."""
        state: dict[str, Any] = {"version": self.STATE_VERSION}
        for attr, codec in self.STATE_FIELDS:
            state[state_key(attr)] = codec.encode(self._state_get(attr))
        return state

    def from_state(self, state: Any, cycle: int = 0) -> None:
        """Restore what ``to_state`` saved; ``StateError`` (model unchanged) if it is not
        that. ``cycle``: now, for models that schedule or drive pins on a load."""
        values = self.decode_state(state)
        self._check_state(values)
        for attr, value in values.items():
            self._state_set(attr, value)
        self._state_loaded(cycle)

    @classmethod
    def decode_state(cls, state: Any, where: str | None = None) -> dict[str, Any]:
        """Validate ``state``; ``{attribute: value}``."""
        where = where or cls.STATE_NAME
        if not isinstance(state, dict):
            raise StateError(f"{where}: expected an object, got {_got(state)}")
        version = state.get("version", 1)
        reads = cls.STATE_READS or (cls.STATE_VERSION,)
        if isinstance(version, bool) or version not in reads:
            which = f"version {reads[0]}" if len(reads) == 1 else \
                f"versions {', '.join(map(str, reads))}"
            raise StateError(f"{where}: state version {_got(version)} is not supported "
                             f"(this simulator reads {which})")
        if version != cls.STATE_VERSION:
            state = cls._upgrade_state({k: v for k, v in state.items() if k != "version"},
                                       version)
        fields = tuple((state_key(a), c) for a, c in cls.STATE_FIELDS)
        decoded = decode_fields(fields, state, where, ignore=("version",))
        return {a: decoded[state_key(a)] for a, _ in cls.STATE_FIELDS}

    # -- hooks -------------------------------------------------------------------------
    @classmethod
    def _upgrade_state(cls, state: dict[str, Any], version: int) -> dict[str, Any]:
        """An older version's fields (``version`` in ``STATE_READS``) as the current ones."""
        raise StateError(f"{cls.STATE_NAME}: no upgrade from state version {version}")

    def _state_get(self, attr: str) -> Any:
        return getattr(self, attr)

    def _state_set(self, attr: str, value: Any) -> None:
        setattr(self, attr, value)

    def _check_state(self, values: dict[str, Any]) -> None:
        """Checks that need the instance or several fields; raise ``StateError``."""

    def _state_loaded(self, cycle: int) -> None:
        """Called after a successful load."""


def _violation(cycle: int, kind: str, detail: str) -> Violation:
    return Violation(cycle, kind, detail)


VIOLATIONS = ListOf(Table((("cycle", Int()), ("kind", Str()), ("detail", Str())),
                          make=_violation))
"""A model's recorded ``Violation`` list."""
