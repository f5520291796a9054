"""Board profiles: the one source of a board's wiring, crystal, baud rate, limits and features.

A profile is a TOML file beside this module (firmware/boards/ in a checkout, package data
when installed). The firmware build renders C headers from it (firmware/scripts/generate.py)
and the simulator wires its device models from it (sim/machine/board.py), so the firmware
and the simulated board can never disagree about a pin. This module imports neither side.

``load_profile(path)`` reads and validates a profile. Every mistake is a ``ProfileError``
whose message is one line naming the file and the field, e.g.
``firmware/boards/x.toml: lcd.rs: P2.6 is already used by ds1302.ce``.
"""

from __future__ import annotations

import tomllib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from boardprofile.onewire import OneWireTiming, check_uart, onewire_timing

Pin = tuple[int, int]

BOARDS_DIR = Path(__file__).resolve().parent


class ProfileError(ValueError):
    """A board profile is missing, unreadable or wrong; the message is one line."""


def parse_pin(text: str) -> Pin:
    """'P2.6' -> (2, 6). Raises ValueError for anything else."""
    t = text.strip().upper()
    if len(t) == 4 and t[0] == "P" and t[2] == "." and t[1] in "0123" and t[3] in "01234567":
        return int(t[1]), int(t[3])
    raise ValueError(f"not a pin name: {text!r} (expected P0.0 .. P3.7)")

UART_PINS = {(3, 0): "RXD", (3, 1): "TXD"}
REQUIRED_KEYS = ("SET", "UP", "DOWN", "MODE")
BAUD_TOLERANCE = 0.02
# [upload] protocol: stcgal's -P for the chip's ISP bootloader. stc89: BSL 4.3C and older
# (no parity, 8-bit checksums); stc89a: BSL 7.2.5C (even parity, 16-bit checksums).
UPLOAD_PROTOCOLS = ("stc89", "stc89a")


@dataclass(frozen=True)
class Key:
    name: str
    pin: Pin
    active_low: bool


@dataclass(frozen=True)
class Baud:
    """Timer 1 mode 2 settings that make the baud rate, and how far off the result is."""

    th1: int
    smod: int
    actual: float
    error: float  # relative, e.g. 0.0 or 0.0154


@dataclass(frozen=True)
class Profile:
    path: Path
    name: str
    description: str
    part: str
    crystal_hz: int
    code_size: int
    iram_size: int
    xram_size: int
    baud: int
    baud_setting: Baud
    lcd_bus: int
    lcd_rs: Pin
    lcd_rw: Pin
    lcd_e: Pin
    lcd_data: tuple[Pin, ...]  # DB0..DB7 (8-bit) or DB4..DB7 (4-bit)
    ds1302_ce: Pin
    ds1302_sclk: Pin
    ds1302_io: Pin
    trickle: int  # byte for DS1302 register 0x90
    keys: tuple[Key, ...]
    buzzer: Pin
    buzzer_active_low: bool
    features: dict[str, bool] = field(default_factory=dict)
    ds18b20: Pin | None = None  # the 1-Wire data pin of an optional DS18B20
    onewire: OneWireTiming | None = None  # its slot timing (when ds18b20 is set)
    upload_protocol: str = "stc89"  # stcgal -P: the chip's bootloader generation

    @property
    def cycles_per_second(self) -> int:
        """Machine cycles per second of a 12-clock 8051 at the profile's crystal."""
        return self.crystal_hz // 12

    @property
    def lcd_data_port(self) -> int | None:
        """The port of an 8-bit bus wired DB0..DB7 to bits 0..7, else None."""
        if self.lcd_bus == 8 and all(p == (self.lcd_data[0][0], i) for i, p in
                                     enumerate(self.lcd_data)):
            return self.lcd_data[0][0]
        return None

    def key(self, name: str) -> Key:
        for k in self.keys:
            if k.name == name.upper():
                return k
        raise ProfileError(f"{self.path}: keys: no key named {name!r}")


def pin_name(pin: Pin) -> str:
    return f"P{pin[0]}.{pin[1]}"


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


def baud_setting(crystal_hz: int, baud: int) -> Baud:
    """Best Timer 1 mode 2 reload (and SMOD) for ``baud`` at ``crystal_hz``."""
    best: Baud | None = None
    for smod in (0, 1):
        for th1 in range(256):
            div = 256 - th1
            actual = (2**smod) * crystal_hz / (32 * 12 * div)
            err = abs(actual - baud) / baud
            if best is None or err < best.error - 1e-12:
                best = Baud(th1, smod, actual, err)
    assert best is not None
    return best


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


class _Reader:
    """Walks the TOML tables and turns every problem into one ProfileError line."""

    def __init__(self, path: Path, data: dict[str, Any]) -> None:
        self.path = path
        self.data = data
        self.used: dict[Pin, str] = {}

    def fail(self, fld: str, msg: str) -> ProfileError:
        return ProfileError(f"{self.path}: {fld}: {msg}")

    def table(self, name: str, allowed: set[str]) -> dict[str, Any]:
        t = self.data.get(name)
        if not isinstance(t, dict):
            raise self.fail(name, "missing table")
        for k in t:
            if k not in allowed:
                raise self.fail(f"{name}.{k}", "unknown field")
        return t

    def get(self, t: dict[str, Any], tname: str, key: str, typ: type) -> Any:
        if key not in t:
            raise self.fail(f"{tname}.{key}", "missing field")
        v = t[key]
        if typ is int and isinstance(v, bool) or not isinstance(v, typ):
            raise self.fail(f"{tname}.{key}", f"expected {typ.__name__}, got {v!r}")
        return v

    def pin(self, text: Any, fld: str, *, serial: bool) -> Pin:
        if not isinstance(text, str):
            raise self.fail(fld, f"expected a pin name such as 'P2.6', got {text!r}")
        try:
            pin = parse_pin(text)
        except ValueError:
            raise self.fail(fld, f"unknown pin {text!r} (expected P0.0 .. P3.7)") from None
        if pin in self.used:
            raise self.fail(fld, f"{pin_name(pin)} is already used by {self.used[pin]}")
        if serial and pin in UART_PINS:
            raise self.fail(fld, f"{pin_name(pin)} is the UART's {UART_PINS[pin]} pin "
                                 "(features.serial is on)")
        self.used[pin] = fld
        return pin

    def active(self, t: dict[str, Any], tname: str) -> bool:
        v = self.get(t, tname, "active", str)
        if v not in ("low", "high"):
            raise self.fail(f"{tname}.active", f"expected 'low' or 'high', got {v!r}")
        return v == "low"


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
    for top in data:
        if top not in ("board", "mcu", "uart", "lcd", "ds1302", "keys", "buzzer", "features",
                       "ds18b20", "upload"):
            raise r.fail(top, "unknown table")

    board = r.table("board", {"name", "description"})
    name = r.get(board, "board", "name", str)
    description = board.get("description", "")

    mcu = r.table("mcu", {"part", "crystal_hz", "code_size", "iram_size", "xram_size"})
    part = r.get(mcu, "mcu", "part", str)
    crystal = r.get(mcu, "mcu", "crystal_hz", int)
    if not 1_000_000 <= crystal <= 48_000_000:
        raise r.fail("mcu.crystal_hz", f"{crystal} Hz is outside 1-48 MHz")
    code_size = r.get(mcu, "mcu", "code_size", int)
    if not 1024 <= code_size <= 65536:
        raise r.fail("mcu.code_size", f"{code_size} is outside 1024-65536")
    iram_size = r.get(mcu, "mcu", "iram_size", int)
    if iram_size not in (128, 256):
        raise r.fail("mcu.iram_size", f"expected 128 or 256, got {iram_size}")
    xram_size = r.get(mcu, "mcu", "xram_size", int)
    if not 0 <= xram_size <= 65536:
        raise r.fail("mcu.xram_size", f"{xram_size} is outside 0-65536")

    feats_t = r.table("features", {"lunar", "alarm", "serial"})
    features: dict[str, bool] = {}
    for f in ("lunar", "alarm", "serial"):
        features[f] = r.get(feats_t, "features", f, bool)
    serial = features["serial"]

    uart = r.table("uart", {"baud"})
    baud = r.get(uart, "uart", "baud", int)
    if baud <= 0:
        raise r.fail("uart.baud", f"{baud} is not a baud rate")
    bs = baud_setting(crystal, baud)
    if bs.error > BAUD_TOLERANCE:
        raise r.fail("uart.baud", f"{baud} baud cannot be made from {crystal} Hz within 2 % "
                                  f"(best {bs.actual:.0f} baud, {bs.error:.1%} off)")

    lcd = r.table("lcd", {"bus", "rs", "rw", "e", "data"})
    bus = r.get(lcd, "lcd", "bus", int)
    if bus not in (4, 8):
        raise r.fail("lcd.bus", f"expected 4 or 8, got {bus}")
    rs = r.pin(r.get(lcd, "lcd", "rs", str), "lcd.rs", serial=serial)
    rw = r.pin(r.get(lcd, "lcd", "rw", str), "lcd.rw", serial=serial)
    e = r.pin(r.get(lcd, "lcd", "e", str), "lcd.e", serial=serial)
    if "data" not in lcd:
        raise r.fail("lcd.data", "missing field")
    data_v = lcd["data"]
    data: list[Pin] = []
    if bus == 8:
        if not (isinstance(data_v, str) and len(data_v) == 2 and data_v.upper()[0] == "P"
                and data_v[1] in "0123"):
            raise r.fail("lcd.data", f"an 8-bit bus takes a whole port such as 'P0', got "
                                     f"{data_v!r}")
        port = int(data_v[1])
        for bit in range(8):
            data.append(r.pin(f"P{port}.{bit}", f"lcd.data (DB{bit})", serial=serial))
    else:
        if not (isinstance(data_v, list) and len(data_v) == 4):
            raise r.fail("lcd.data", "a 4-bit bus takes a list of four pins, DB4..DB7")
        for i, p in enumerate(data_v):
            data.append(r.pin(p, f"lcd.data (DB{i + 4})", serial=serial))

    ds = r.table("ds1302", {"ce", "sclk", "io", "trickle"})
    ce = r.pin(r.get(ds, "ds1302", "ce", str), "ds1302.ce", serial=serial)
    sclk = r.pin(r.get(ds, "ds1302", "sclk", str), "ds1302.sclk", serial=serial)
    io = r.pin(r.get(ds, "ds1302", "io", str), "ds1302.io", serial=serial)
    trickle_v = ds.get("trickle", "off")
    try:
        if isinstance(trickle_v, bool) or not isinstance(trickle_v, str | int):
            raise ValueError(f"{trickle_v!r}: expected 'off' or '<1|2> diode <2k|4k|8k>'")
        trickle = trickle_byte(trickle_v)
    except ValueError as exc:
        raise r.fail("ds1302.trickle", str(exc)) from None

    keys_v = r.data.get("keys")
    if not isinstance(keys_v, list) or not keys_v:
        raise r.fail("keys", "missing: add [[keys]] tables (name, pin, active)")
    keys: list[Key] = []
    for i, kt in enumerate(keys_v):
        tname = f"keys[{i}]"
        if not isinstance(kt, dict):
            raise r.fail(tname, f"expected a [[keys]] table (name, pin, active), got {kt!r}")
        for k in kt:
            if k not in ("name", "pin", "active"):
                raise r.fail(f"{tname}.{k}", "unknown field")
        kname = r.get(kt, tname, "name", str).upper()
        if not kname.isidentifier():
            raise r.fail(f"{tname}.name", f"{kname!r} is not a usable key name")
        if any(k.name == kname for k in keys):
            raise r.fail(f"{tname}.name", f"key {kname} is defined twice")
        kpin = r.pin(r.get(kt, tname, "pin", str), f"{tname}.pin ({kname})", serial=serial)
        keys.append(Key(kname, kpin, r.active(kt, tname)))
    for req in REQUIRED_KEYS:
        if not any(k.name == req for k in keys):
            raise r.fail("keys", f"the firmware needs a key named {req}")

    bz = r.table("buzzer", {"pin", "active"})
    buzzer = r.pin(r.get(bz, "buzzer", "pin", str), "buzzer.pin", serial=serial)
    buzzer_low = r.active(bz, "buzzer")

    ds18b20: Pin | None = None
    ow: OneWireTiming | None = None
    if "ds18b20" in r.data:
        tt = r.table("ds18b20", {"pin"})
        ds18b20 = r.pin(r.get(tt, "ds18b20", "pin", str), "ds18b20.pin", serial=serial)
        try:
            ow = onewire_timing(crystal)
            if serial:
                check_uart(ow, baud)
        except ValueError as exc:
            raise r.fail("ds18b20", str(exc)) from None
    upload_protocol = "stc89"
    if "upload" in r.data:
        up = r.table("upload", {"protocol"})
        upload_protocol = r.get(up, "upload", "protocol", str)
        if upload_protocol not in UPLOAD_PROTOCOLS:
            raise r.fail("upload.protocol", f"expected one of {', '.join(UPLOAD_PROTOCOLS)}, "
                                            f"got {upload_protocol!r}")

    return Profile(
        path=path, name=name, description=description, part=part, crystal_hz=crystal,
        code_size=code_size, iram_size=iram_size, xram_size=xram_size, baud=baud,
        baud_setting=bs, lcd_bus=bus, lcd_rs=rs, lcd_rw=rw, lcd_e=e, lcd_data=tuple(data),
        ds1302_ce=ce, ds1302_sclk=sclk, ds1302_io=io, trickle=trickle, keys=tuple(keys),
        buzzer=buzzer, buzzer_active_low=buzzer_low, features=features,
        ds18b20=ds18b20, onewire=ow,
        upload_protocol=upload_protocol,
    )


def all_profiles() -> list[Path]:
    return sorted(BOARDS_DIR.glob("*.toml"))
