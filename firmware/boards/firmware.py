"""The clock51 firmware's own settings, and what our build needs of a board.

A board profile describes hardware (``boardprofile.profile``). The settings of OUR firmware
(its features and baud rate) live in the profile's ``[firmware]`` table, which only our
build reads, here; the simulator never does (``tests/test_packaging.py`` checks that no
simulator module imports this one). ``firmware_config(profile)`` checks that our firmware
can be made for the board and refuses, in one ``ProfileError`` line naming the table and
field, what it cannot make:

- ``[firmware]``: ``lunar``, ``alarm``, ``serial`` (true/false) and ``baud`` (the
  crystal must make it within 2 % with Timer 1); optional ``drift`` (true/false, default
  false: the DS1302's drift correction and the ``DRIFT`` command, issue 20; it needs
  ``serial``);
- an ``[lcd]`` of 16 x 2 characters whose RW is on a pin (the driver polls the busy
  flag) and whose 8-bit data bus is a whole port, DB0 on bit 0 (the driver writes it in
  one instruction);
- a ``[ds1302]`` numbering the days from Monday (the firmware's weekday and its "set me"
  mark are ISO weekdays);
- ``[[keys]]`` named SET, UP, DOWN and MODE (more are allowed and ignored);
- a ``[buzzer]``; at most one DS18B20 (the 1-Wire slot timing must fit the crystal and
  leave the UART its interrupts, ``boardprofile.onewire``);
- with ``serial``, the board's ``[uart]``.

The upload protocol (stcgal ``-P``) is the chip's bootloader generation, ``[mcu] isp``: a
fact about the chip the simulator needs too, so it stays with the hardware.

``Firmware`` carries everything the templates (firmware/templates/*.j2) and the pre-build
script read, under the names they use (``p.lcd_rs``, ``p.baud_setting`` ...).
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from boardprofile.onewire import OneWireTiming, check_uart, onewire_timing
from boardprofile.profile import Key, Pin, Profile, ProfileError

REQUIRED_KEYS = ("SET", "UP", "DOWN", "MODE")
FEATURES = ("lunar", "alarm", "serial")
OPTIONAL_FEATURES = ("drift",)  # default false
BAUD_TOLERANCE = 0.02
LCD_SIZE = "16x2"


@dataclass(frozen=True)
class Baud:
    """Timer 1 mode 2 settings that make the baud rate, and how far off the result is."""

    th1: int
    smod: int
    actual: float
    error: float  # relative, e.g. 0.0 or 0.0154


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


@dataclass(frozen=True)
class Firmware:
    """A board as our firmware build sees it."""

    profile: Profile
    features: dict[str, bool]
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
    trickle: int
    keys: tuple[Key, ...]
    buzzer: Pin
    buzzer_active_low: bool
    ds18b20: Pin | None = None
    onewire: OneWireTiming | None = None

    # the hardware, under the names the templates use
    @property
    def path(self) -> Path:
        return self.profile.path

    @property
    def name(self) -> str:
        return self.profile.name

    @property
    def description(self) -> str:
        return self.profile.description

    @property
    def part(self) -> str:
        return self.profile.mcu.part

    @property
    def crystal_hz(self) -> int:
        return self.profile.mcu.crystal_hz

    @property
    def code_size(self) -> int:
        return self.profile.mcu.code_size

    @property
    def iram_size(self) -> int:
        return self.profile.mcu.iram_size

    @property
    def xram_size(self) -> int:
        return self.profile.mcu.xram_size

    @property
    def upload_protocol(self) -> str:
        return self.profile.mcu.isp

    @property
    def lcd_data_port(self) -> int | None:
        """The port of an 8-bit bus wired DB0..DB7 to bits 0..7, else None."""
        if self.lcd_bus == 8 and all(p == (self.lcd_data[0][0], i) for i, p in
                                     enumerate(self.lcd_data)):
            return self.lcd_data[0][0]
        return None


def firmware_config(profile: Profile) -> Firmware:
    """The board as our firmware build needs it; ProfileError (one line) if it cannot be
    made (see the module docstring)."""
    path = profile.path

    def fail(fld: str, msg: str) -> ProfileError:
        return ProfileError(f"{path}: {fld}: {msg}")

    t = profile.firmware
    if t is None:
        raise fail("firmware", "missing table: the clock51 firmware needs [firmware] with "
                               "lunar, alarm, serial (true/false) and baud")
    for k in t:
        if k not in (*FEATURES, *OPTIONAL_FEATURES, "baud"):
            raise fail(f"firmware.{k}", f"unknown field (known: baud, "
                                        f"{', '.join(FEATURES + OPTIONAL_FEATURES)})")
    features: dict[str, bool] = {}
    for f in FEATURES:
        if f not in t:
            raise fail(f"firmware.{f}", "missing field")
        if not isinstance(t[f], bool):
            raise fail(f"firmware.{f}", f"expected true or false, got {t[f]!r}")
        features[f] = t[f]
    for f in OPTIONAL_FEATURES:
        if not isinstance(t.get(f, False), bool):
            raise fail(f"firmware.{f}", f"expected true or false, got {t[f]!r}")
        features[f] = t.get(f, False)
    if features["drift"] and not features["serial"]:
        raise fail("firmware.drift", "the drift correction is set over the serial port: it "
                                     "needs serial = true")
    crystal = profile.mcu.crystal_hz
    if features["serial"] and profile.uart is None:
        raise fail("firmware.serial", "the board has no [uart] (add an empty [uart] table "
                                      "if its serial port is wired)")
    if "baud" not in t:
        raise fail("firmware.baud", "missing field (the serial protocol's baud rate)")
    baud = t["baud"]
    if isinstance(baud, bool) or not isinstance(baud, int) or baud <= 0:
        raise fail("firmware.baud", f"{baud!r} is not a baud rate")
    bs = baud_setting(crystal, baud)
    if bs.error > BAUD_TOLERANCE:
        raise fail("firmware.baud", f"{baud} baud cannot be made from {crystal} Hz within "
                                    f"2 % (best {bs.actual:.0f} baud, {bs.error:.1%} off)")

    lcd = profile.lcd
    if lcd is None:
        raise fail("lcd", "missing table: the clock51 firmware needs an LCD")
    if lcd.size != LCD_SIZE:
        raise fail("lcd.size", f"the clock51 firmware draws {LCD_SIZE}, not {lcd.size}")
    if lcd.rw is None:
        raise fail("lcd.rw", "the clock51 firmware reads the busy flag: RW must be on a pin")
    data = tuple(lcd.data)
    if lcd.bus == 8 and not all(p == (data[0][0], i) for i, p in enumerate(data)):
        raise fail("lcd.data", "the clock51 firmware writes an 8-bit bus as one port, DB0 "
                               "on bit 0: give a port such as 'P0'")
    ds = profile.ds1302
    if ds is None:
        raise fail("ds1302", "missing table: the clock51 firmware needs a DS1302")
    if ds.weekday_one != "monday":
        raise fail("ds1302.weekday_one", "the clock51 firmware numbers the days from "
                                          "Monday (1 = Monday, ISO)")
    keys = profile.keys
    for req in REQUIRED_KEYS:
        if not any(k.name == req for k in keys):
            raise fail("keys", f"the clock51 firmware needs a key named {req} "
                               f"(it uses {', '.join(REQUIRED_KEYS)})")
    bz = profile.buzzer
    if bz is None:
        raise fail("buzzer", "missing table: the clock51 firmware needs a buzzer")
    sensors = profile.ds18b20s
    if len(sensors) > 1:
        raise fail("ds18b20", f"the clock51 firmware reads one sensor; the profile lists "
                              f"{len(sensors)}")
    sensor_pin: Pin | None = None
    ow: OneWireTiming | None = None
    if sensors:
        sensor_pin = sensors[0].pin
        try:
            ow = onewire_timing(crystal)
            if features["serial"]:
                check_uart(ow, baud)
        except ValueError as exc:
            raise fail("ds18b20", str(exc)) from None
    return Firmware(
        profile=profile, features=features, baud=baud, baud_setting=bs,
        lcd_bus=lcd.bus, lcd_rs=lcd.rs, lcd_rw=lcd.rw, lcd_e=lcd.e, lcd_data=data,
        ds1302_ce=ds.ce, ds1302_sclk=ds.sclk, ds1302_io=ds.io, trickle=ds.trickle,
        keys=keys, buzzer=bz.pin, buzzer_active_low=bz.active_low,
        ds18b20=sensor_pin, onewire=ow,
    )
