"""Board profiles: what a board IS (its MCU, reset circuit and parts, wired by pins).

A profile is a TOML file (``firmware/boards/*.toml`` in a checkout, package data when
installed, or any path). It describes hardware only:

``[board]``
    ``name``, ``description``.
``[mcu]``
    ``part``, ``crystal_hz``, ``code_size``, ``iram_size``, ``xram_size``; ``reset_ms``
    (optional) how long the board's reset circuit holds the MCU in reset after power-on;
    ``isp`` (optional) the chip's ISP bootloader generation (``stc89``, ``stc89a``,
    ``none``; default ``stc89`` for an STC89 part, else ``none``).
parts (``boardprofile.parts``: the registry)
    ``[lcd]``, ``[ds1302]``, ``[ds18b20]`` or ``[[ds18b20]]``, ``[[keys]]``, ``[buzzer]``,
    ``[[leds]]``, ``[uart]``; each optional.
``[firmware]``
    settings of the clock51 firmware (features, baud rate): only our build reads this
    table (``boardprofile.firmware``); the loader keeps it unread, and the simulator never
    looks at it.

``reset_ms`` defaults to ``DEFAULT_RESET_MS`` = 69.3 ms, the common 8051 power-on reset
(10 uF from VCC to RST, 10 kOhm from RST to ground): RST starts at VCC and decays as
VCC * exp(-t / RC), RC = 100 ms; the MCU runs once the RST Schmitt trigger reads low,
taken at VCC / 2 (a CMOS input's typical switching point; the datasheet's guaranteed
limits are VIL <= 0.2 VCC - 0.1 V and VIH1 >= 0.7 VCC), so t = RC * ln 2. The simulator's
``--timing strict`` releases it at the 0.7 VCC limit instead, RC * ln(1 / 0.7) = 35.7 ms
(scaled the same way for any ``reset_ms``). 0 means no reset circuit (RST tied low).

``load_profile(path)`` reads and checks a profile. Every mistake is a ``ProfileError``
whose message is one line naming the file, the table and the field, e.g.
``firmware/boards/x.toml: lcd.rs: P3.5 is already used by ds1302.ce``. A profile in the
format before issue 19 (``[features]``, ``[upload]``, ``[uart] baud``) is refused with one
line saying what to move where.
"""

from __future__ import annotations

import math
import tomllib
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from boardprofile.parts import LCD_SIZES, REGISTRY, UART_PINS, Field, PartType

Pin = tuple[int, int]

BOARDS_DIR = Path(__file__).resolve().parent

RESET_RC_S = 10e3 * 10e-6  # 10 kOhm x 10 uF
RST_THRESHOLD = 0.5  # typical switching point of the RST input, fraction of VCC
RST_THRESHOLD_MAX = 0.7  # VIH1 min: the highest level that may still read low
DEFAULT_RESET_MS = round(RESET_RC_S * math.log(1 / RST_THRESHOLD) * 1000, 1)  # 69.3
STRICT_RESET_FACTOR = math.log(1 / RST_THRESHOLD_MAX) / math.log(1 / RST_THRESHOLD)
ISP_PROTOCOLS = ("stc89", "stc89a", "none")
TOP_TABLES = ("board", "mcu", "firmware")


class ProfileError(ValueError):
    """A board profile is missing, unreadable or wrong; the message is one line."""


def parse_pin(text: str) -> Pin:
    """'P2.6' -> (2, 6). Raises ValueError for anything else."""
    t = text.strip().upper()
    if len(t) == 4 and t[0] == "P" and t[2] == "." and t[1] in "0123" and t[3] in "01234567":
        return int(t[1]), int(t[3])
    raise ValueError(f"not a pin name: {text!r} (expected P0.0 .. P3.7)")


def pin_name(pin: Pin) -> str:
    return f"P{pin[0]}.{pin[1]}"


def trickle_byte(text: str | int) -> int:
    """'off' -> 0x00; '1 diode 2k' -> 0xA5 (TCS=1010, DS=01, RS=01); ints pass through."""
    if isinstance(text, int):
        if not 0 <= text <= 0xFF:
            raise ValueError("trickle byte must be 0x00-0xFF")
        return text
    words = text.lower().replace("diodes", "diode").split()
    if words == ["off"]:
        return 0x00
    if len(words) == 3 and words[1] == "diode" and words[0] in ("1", "2") \
            and words[2] in ("2k", "4k", "8k"):
        ds = {"1": 0b01, "2": 0b10}[words[0]]
        rs = {"2k": 0b01, "4k": 0b10, "8k": 0b11}[words[2]]
        return 0xA0 | ds << 2 | rs
    raise ValueError(f"{text!r}: expected 'off' or '<1|2> diode <2k|4k|8k>'")


@dataclass(frozen=True)
class Key:
    name: str
    pin: Pin
    active_low: bool


@dataclass(frozen=True)
class Mcu:
    part: str
    crystal_hz: int
    code_size: int
    iram_size: int
    xram_size: int
    reset_ms: float
    isp: str  # the ISP bootloader generation (stcgal -P), or "none"


@dataclass(frozen=True)
class Part:
    """One part of the board: its type (the registry's table), a name unique among parts of
    that type, its checked field values (pins as (port, bit)) and every pin it uses, with
    a signal name for waveforms. Field values read as attributes: ``lcd.rs``."""

    type: str
    name: str
    index: int
    where: str  # "lcd", "keys[2]": how messages name its table
    values: Mapping[str, Any]
    pins: tuple[tuple[str, Pin], ...]

    def __getattr__(self, item: str) -> Any:
        values = self.__dict__.get("values")
        if values is not None and item in values:
            return values[item]
        raise AttributeError(item)

    @property
    def spec(self) -> PartType:
        return REGISTRY[self.type]

    @property
    def active_low(self) -> bool:
        return self.values.get("active", "low") == "low"


@dataclass(frozen=True)
class Profile:
    path: Path
    name: str
    description: str
    mcu: Mcu
    parts: tuple[Part, ...]
    firmware: Mapping[str, Any] | None = field(default=None, compare=False)

    # -- the MCU ---------------------------------------------------------------------------
    @property
    def crystal_hz(self) -> int:
        return self.mcu.crystal_hz

    @property
    def code_size(self) -> int:
        return self.mcu.code_size

    @property
    def iram_size(self) -> int:
        return self.mcu.iram_size

    @property
    def xram_size(self) -> int:
        return self.mcu.xram_size

    @property
    def cycles_per_second(self) -> int:
        """Machine cycles per second of a 12-clock 8051 at the profile's crystal."""
        return self.mcu.crystal_hz // 12

    # -- parts -----------------------------------------------------------------------------
    def of(self, table: str) -> tuple[Part, ...]:
        """Every part of one type, in profile order."""
        return tuple(p for p in self.parts if p.type == table)

    def one(self, table: str) -> Part | None:
        found = self.of(table)
        return found[0] if found else None

    @property
    def lcd(self) -> Part | None:
        return self.one("lcd")

    @property
    def ds1302(self) -> Part | None:
        return self.one("ds1302")

    @property
    def ds18b20s(self) -> tuple[Part, ...]:
        return self.of("ds18b20")

    @property
    def buzzer(self) -> Part | None:
        return self.one("buzzer")

    @property
    def uart(self) -> Part | None:
        return self.one("uart")

    @property
    def leds(self) -> tuple[Part, ...]:
        return self.of("leds")

    @property
    def keys(self) -> tuple[Key, ...]:
        return tuple(Key(p.name, p.values["pin"], p.active_low) for p in self.of("keys"))

    def key(self, name: str) -> Key:
        for k in self.keys:
            if k.name == name.upper():
                return k
        raise ProfileError(f"{self.path}: keys: no key named {name!r}")

    def signals(self) -> dict[str, Pin]:
        """A readable signal name for every wired pin (lcd_rs, key_SET, ds18b20_dq ...)."""
        out: dict[str, Pin] = {}
        seen: set[Pin] = set()
        for part in self.parts:
            for signal, pin in part.pins:
                if pin not in seen:  # sensors sharing a 1-Wire pin: one signal
                    out[signal] = pin
                    seen.add(pin)
        return out


def profile_path(name_or_path: str | Path) -> Path:
    """A board name ('reference') or a path to a .toml profile."""
    p = Path(name_or_path)
    if p.suffix == ".toml" or p.exists():
        return p
    candidate = BOARDS_DIR / f"{name_or_path}.toml"
    if not candidate.exists():
        known = ", ".join(sorted(x.stem for x in BOARDS_DIR.glob("*.toml")))
        raise ProfileError(f"unknown board {str(name_or_path)!r} (known: {known})")
    return candidate


def old_format_message(data: dict[str, Any]) -> str | None:
    """One line for a profile in the format before issue 19 (features, upload and the baud
    rate among the hardware), or None."""
    uart = data.get("uart")
    old = [t for t in ("features", "upload") if t in data]
    if isinstance(uart, dict) and "baud" in uart:
        old.append("uart.baud")
    if not old:
        return None
    return (f"{old[0]}: this is the old profile format (hardware and firmware settings "
            "mixed): move [features] lunar/alarm/serial and [uart] baud into a [firmware] "
            "table (keep an empty [uart] if the board has its serial port), and [upload] "
            "protocol to [mcu] isp; see README 'Board profiles'")


class _Reader:
    """Walks the TOML tables and turns every problem into one ProfileError line."""

    def __init__(self, path: Path, data: dict[str, Any]) -> None:
        self.path = path
        self.data = data
        self.used: dict[Pin, str] = {}
        self.shared: dict[Pin, str] = {}  # pin -> part type that may share it

    def fail(self, fld: str, msg: str) -> ProfileError:
        return ProfileError(f"{self.path}: {fld}: {msg}")

    def table(self, name: str, allowed: set[str], *, required: bool = True
              ) -> dict[str, Any] | None:
        t = self.data.get(name)
        if t is None and not required:
            return None
        if not isinstance(t, dict):
            raise self.fail(name, "missing table" if t is None else
                            f"expected a [{name}] table, got {t!r}")
        for k in t:
            if k not in allowed:
                raise self.fail(f"{name}.{k}", f"unknown field (known: "
                                f"{', '.join(sorted(allowed))})")
        return t

    def get(self, t: dict[str, Any], tname: str, key: str, typ: type | tuple[type, ...],
            default: Any = ...) -> Any:
        if key not in t:
            if default is not ...:
                return default
            raise self.fail(f"{tname}.{key}", "missing field")
        v = t[key]
        types = typ if isinstance(typ, tuple) else (typ,)
        if isinstance(v, bool) and bool not in types or not isinstance(v, types):
            name = " or ".join(x.__name__ for x in types)
            raise self.fail(f"{tname}.{key}", f"expected {name}, got {v!r}")
        return v

    def claim(self, pin: Pin, fld: str, *, shared_by: str | None = None) -> None:
        if shared_by is not None and self.shared.get(pin) == shared_by:
            return  # another sensor on the same 1-Wire line
        if pin in self.used:
            raise self.fail(fld, f"{pin_name(pin)} is already used by {self.used[pin]}")
        self.used[pin] = fld
        if shared_by is not None:
            self.shared[pin] = shared_by

    def pin(self, text: Any, fld: str, *, shared_by: str | None = None) -> Pin:
        if not isinstance(text, str):
            raise self.fail(fld, f"expected a pin name such as 'P2.6', got {text!r}")
        try:
            pin = parse_pin(text)
        except ValueError:
            raise self.fail(fld, f"unknown pin {text!r} (expected P0.0 .. P3.7)") from None
        if pin in UART_PINS and "uart" in self.data:
            raise self.fail(fld, f"{pin_name(pin)} is the UART's {UART_PINS[pin]} pin "
                                 "([uart] is listed: the serial port uses it)")
        self.claim(pin, fld, shared_by=shared_by)
        return pin

    # -- the MCU -----------------------------------------------------------------------------
    def mcu(self) -> Mcu:
        t = self.table("mcu", {"part", "crystal_hz", "code_size", "iram_size", "xram_size",
                               "reset_ms", "isp"})
        assert t is not None
        part = self.get(t, "mcu", "part", str)
        crystal = self.get(t, "mcu", "crystal_hz", int)
        if not 1_000_000 <= crystal <= 48_000_000:
            raise self.fail("mcu.crystal_hz", f"{crystal} Hz is outside 1-48 MHz")
        code_size = self.get(t, "mcu", "code_size", int)
        if not 1024 <= code_size <= 65536:
            raise self.fail("mcu.code_size", f"{code_size} is outside 1024-65536")
        iram_size = self.get(t, "mcu", "iram_size", int)
        if iram_size not in (128, 256):
            raise self.fail("mcu.iram_size", f"expected 128 or 256, got {iram_size}")
        xram_size = self.get(t, "mcu", "xram_size", int)
        if not 0 <= xram_size <= 65536:
            raise self.fail("mcu.xram_size", f"{xram_size} is outside 0-65536")
        reset = self.get(t, "mcu", "reset_ms", (int, float), DEFAULT_RESET_MS)
        if not (math.isfinite(reset) and 0 <= reset <= 10_000):
            raise self.fail("mcu.reset_ms", f"{reset} is outside 0-10000 ms")
        isp_default = "stc89" if part.upper().startswith("STC89") else "none"
        isp = self.get(t, "mcu", "isp", str, isp_default)
        if isp not in ISP_PROTOCOLS:
            raise self.fail("mcu.isp", f"expected one of {', '.join(ISP_PROTOCOLS)}, "
                                       f"got {isp!r}")
        return Mcu(part, crystal, code_size, iram_size, xram_size, float(reset), isp)

    # -- parts -------------------------------------------------------------------------------
    def parts(self) -> list[Part]:
        out: list[Part] = []
        if "uart" in self.data:  # its fixed pins first: other parts are told they are taken
            for _signal, pin in REGISTRY["uart"].fixed_pins:
                self.used[pin] = f"uart ({UART_PINS[pin]})"
        for spec in REGISTRY.values():
            raw = self.data.get(spec.table)
            if raw is None:
                continue
            if isinstance(raw, dict):
                if not spec.single:
                    raise self.fail(spec.table, f"expected [[{spec.table}]] tables (one per "
                                    f"part: {', '.join(f.name for f in spec.fields)}), "
                                    f"got one [{spec.table}] table")
                entries = [(spec.table, raw)]
            elif isinstance(raw, list) and spec.many:
                if not raw:
                    continue
                entries = [(f"{spec.table}[{i}]", e) for i, e in enumerate(raw)]
            else:
                form = f"[[{spec.table}]] tables" if spec.many else f"a [{spec.table}] table"
                raise self.fail(spec.table, f"expected {form}, got {raw!r}")
            names: set[str] = set()
            for index, (where, entry) in enumerate(entries):
                if not isinstance(entry, dict):
                    raise self.fail(where, f"expected a [[{spec.table}]] table ("
                                    f"{', '.join(f.name for f in spec.fields)}), got {entry!r}")
                out.append(self.part(spec, index, where, entry, names))
        return out

    def part(self, spec: PartType, index: int, where: str, t: dict[str, Any],
             names: set[str]) -> Part:
        allowed = {f.name for f in spec.fields}
        for k in t:
            if k not in allowed:
                known = f" (known: {', '.join(sorted(allowed))})" if allowed else \
                    " (the table takes no fields)"
                raise self.fail(f"{where}.{k}", f"unknown field{known}")
        values: dict[str, Any] = {}
        name_field = next((f for f in spec.fields if f.kind == "name"), None)
        name = spec.table
        if name_field is not None:
            raw = t.get(name_field.name)
            if raw is None and name_field.required:
                raise self.fail(f"{where}.{name_field.name}", "missing field")
            if raw is not None:
                name = self.name(raw, f"{where}.{name_field.name}", spec, names)
            elif index:
                name = f"{spec.table}_{index + 1}"
            values[name_field.name] = name
        label = f"{where} ({name})" if name_field is not None and name != spec.table else where
        pins: list[tuple[str, Pin]] = list(spec.fixed_pins)
        for f in spec.fields:
            if f.kind == "name":
                continue
            values[f.name] = self.value(spec, f, t, where, label, values, pins)
        if spec.table == "lcd":
            self.check_lcd(values, where)
        if spec.table == "ds18b20" and values.get("serial") is None:
            values["serial"] = DEFAULT_SERIAL + index
        signals = tuple((self.signal(spec, name, s), p) for s, p in pins)
        return Part(spec.table, name, index, where, values, signals)

    def name(self, raw: Any, fld: str, spec: PartType, names: set[str]) -> str:
        if not isinstance(raw, str):
            raise self.fail(fld, f"expected str, got {raw!r}")
        text = raw.upper() if spec.table == "keys" else raw
        if not text.isidentifier():
            raise self.fail(fld, f"{text!r} is not a usable name (letters, digits, _)")
        if text in names:
            raise self.fail(fld, f"{spec.table} {text} is defined twice")
        names.add(text)
        return text

    @staticmethod
    def signal(spec: PartType, name: str, signal: str) -> str:
        if spec.table == "keys":
            return f"key_{name}"
        if spec.table == "leds":
            return f"led_{name}"
        if spec.table == "buzzer":
            return "buzzer"
        if spec.table == "ds18b20":
            return f"{name}_dq"
        return f"{spec.table}_{signal}"

    def value(self, spec: PartType, f: Field, t: dict[str, Any], where: str, label: str,
              values: dict[str, Any], pins: list[tuple[str, Pin]]) -> Any:
        fld = f"{where}.{f.name}"
        if f.name not in t:
            if f.required:
                raise self.fail(fld, "missing field")
            v: Any = f.default
            if v is None:
                return None
        else:
            v = t[f.name]
        pin_label = f"{fld} ({label.split(' (')[1]}" if " (" in label else fld
        kind = f.kind
        if kind in ("pin", "shared_pin"):
            pin = self.pin(v, pin_label, shared_by=spec.table if kind == "shared_pin" else None)
            pins.append((f.name if kind == "pin" else "dq", pin))
            return pin
        if kind == "pin_or_gnd":
            if isinstance(v, str) and v.strip().upper() == "GND":
                return None
            pin = self.pin(v, fld)
            pins.append((f.name, pin))
            return pin
        if kind == "lcd_data":
            return self.lcd_data(v, values.get("bus"), where, pins)
        if kind == "active":
            if v not in ("low", "high"):
                raise self.fail(fld, f"expected 'low' or 'high', got {v!r}")
            return v
        if kind == "choice":
            if v not in f.choices:
                raise self.fail(fld, f"expected one of {', '.join(map(str, f.choices))}, "
                                     f"got {v!r}")
            return v
        if kind == "bool":
            if not isinstance(v, bool):
                raise self.fail(fld, f"expected true or false, got {v!r}")
            return v
        if kind == "int":
            if isinstance(v, bool) or not isinstance(v, int):
                raise self.fail(fld, f"expected int, got {v!r}")
            if f.choices and v not in f.choices:
                raise self.fail(fld, f"expected {' or '.join(map(str, f.choices))}, got {v}")
            return v
        if kind == "float":
            if isinstance(v, bool) or not isinstance(v, int | float) or not math.isfinite(v):
                raise self.fail(fld, f"expected a number, got {v!r}")
            if (f.low is not None and v < f.low) or (f.high is not None and v > f.high):
                raise self.fail(fld, f"{v:g} is outside {f.low:g}..{f.high:g}")
            return float(v)
        if kind == "trickle":
            try:
                if isinstance(v, bool) or not isinstance(v, str | int):
                    raise ValueError(f"{v!r}: expected 'off' or '<1|2> diode <2k|4k|8k>'")
                return trickle_byte(v)
            except ValueError as exc:
                raise self.fail(fld, str(exc)) from None
        if kind == "serial":
            try:
                n = int(v, 0) if isinstance(v, str) else v
                if isinstance(n, bool) or not isinstance(n, int) or not 0 <= n < 1 << 48:
                    raise ValueError
            except ValueError:
                raise self.fail(fld, f"expected a 48-bit serial number such as "
                                     f"'0x00001B2C3D4E', got {v!r}") from None
            return n
        raise AssertionError(f"field kind {kind!r}")  # the registry's own mistake

    def lcd_data(self, v: Any, bus: int | None, where: str,
                 pins: list[tuple[str, Pin]]) -> tuple[Pin, ...]:
        fld = f"{where}.data"
        if bus == 8 and isinstance(v, str):
            t = v.strip().upper()
            if not (len(t) == 2 and t[0] == "P" and t[1] in "0123"):
                raise self.fail(fld, f"an 8-bit bus takes a whole port such as 'P0' or 8 "
                                     f"pins DB0..DB7, got {v!r}")
            v = [f"P{t[1]}.{bit}" for bit in range(8)]
        want = 8 if bus == 8 else 4
        if not isinstance(v, list):
            raise self.fail(fld, f"a {bus}-bit bus takes a list of {want} pins, "
                                 f"DB{8 - want}..DB7, got {v!r}")
        if len(v) != want:
            raise self.fail(fld, f"a {bus}-bit bus takes {want} pins, DB{8 - want}..DB7, "
                                 f"got {len(v)}")
        out = []
        for i, p in enumerate(v):
            db = i + 8 - want
            pin = self.pin(p, f"{fld} (DB{db})")
            pins.append((f"db{db}", pin))
            out.append(pin)
        return tuple(out)

    def check_lcd(self, values: dict[str, Any], where: str) -> None:
        if values["size"] not in LCD_SIZES:  # the choice check already said so
            raise self.fail(f"{where}.size", f"unsupported size {values['size']!r}")


DEFAULT_SERIAL = 0x0000_1B2C_3D4E  # the DS18B20 model's serial number; +1 per extra sensor


def load_profile(name_or_path: str | Path) -> Profile:
    path = profile_path(name_or_path)
    try:
        raw = path.read_bytes()
    except OSError as e:
        raise ProfileError(f"{path}: cannot read: {e.strerror}") from None
    try:
        data = tomllib.loads(raw.decode("utf-8"))
    except (tomllib.TOMLDecodeError, UnicodeDecodeError) as e:
        raise ProfileError(f"{path}: not valid TOML: {e}") from None
    r = _Reader(path, data)
    old = old_format_message(data)
    if old is not None:
        raise ProfileError(f"{path}: {old}")
    for top in data:
        if top not in TOP_TABLES and top not in REGISTRY:
            raise r.fail(top, f"unknown part type (known parts: {', '.join(REGISTRY)}; "
                              f"other tables: {', '.join(TOP_TABLES)})")
    board = r.table("board", {"name", "description"})
    assert board is not None
    name = r.get(board, "board", "name", str)
    description = r.get(board, "board", "description", str, "")
    mcu = r.mcu()
    parts = r.parts()
    fw = data.get("firmware")
    if fw is not None and not isinstance(fw, dict):
        raise r.fail("firmware", f"expected a [firmware] table, got {fw!r}")
    return Profile(path=path, name=name, description=description, mcu=mcu,
                   parts=tuple(parts), firmware=fw)


def all_profiles() -> list[Path]:
    return sorted(BOARDS_DIR.glob("*.toml"))
