"""The part types a board profile can list: the ONE registry of parts.

A board is an MCU plus parts, each optional and each wired by pins. Every part type is one
``PartType`` entry below, and the entry says everything both readers need:

- ``table``: its profile table; ``single`` allows ``[table]`` (one part), ``many`` allows
  ``[[table]]`` (any number of parts);
- ``fields``: its fields, each with a kind (pin, choice, bool ...), a default when optional
  and a line of documentation; the loader (``boardprofile.profile``) checks them all and
  reports a mistake in one line naming the table and the field;
- ``model``: the simulator's chip model as ``"module:Class"`` under ``sim.devices``, a string
  resolved by ``sim.machine.parts`` (this package imports neither the simulator nor the
  firmware build, so both can read it);
- ``view``: what the front ends draw for it: ``lcd`` (the display), ``rtc`` (the clock and
  its set control), ``thermometer`` (the temperature control), ``keys`` (buttons),
  ``buzzer`` (a lamp with its tone), ``lamp`` (lights: the model's ``lamps()`` gives each
  light's name and whether it is lit; the views draw any part of this kind unchanged),
  ``serial`` (the console);
- ``fixed_pins``: pins the part always takes (the UART's RXD/TXD).

Adding a part type is one model file in ``sim/devices/`` (with a ``build(parts, ctx)``
class method) and one entry here; ``tests/test_parts_registry.py`` checks every entry
resolves to a model that can build it.

Why the registry lives here and not in the simulator: the profile loader must know the
tables and fields to check a profile, and the firmware build must never import the
simulator; naming the model by a string keeps one list without an import in either
direction (the alternative, a schema here plus a second table in the simulator kept in step
by a test, is two lists).
"""

from __future__ import annotations

from dataclasses import dataclass

Pin = tuple[int, int]

# HD44780 module geometries the model draws: columns x rows -> each row's (controller line,
# first address offset on that line). One controller drives 80 characters: the 4-row
# modules show line 1 on rows 1 and 3 and line 2 on rows 2 and 4 (rows 3/4 continue at
# column 16 or 20); 40x4 needs two controllers (two E lines) and is not offered.
LCD_SIZES: dict[str, tuple[int, tuple[tuple[int, int], ...]]] = {
    "8x1": (8, ((0, 0),)),
    "8x2": (8, ((0, 0), (1, 0))),
    "16x1": (16, ((0, 0),)),
    "16x2": (16, ((0, 0), (1, 0))),
    "16x4": (16, ((0, 0), (1, 0), (0, 16), (1, 16))),
    "20x1": (20, ((0, 0),)),
    "20x2": (20, ((0, 0), (1, 0))),
    "20x4": (20, ((0, 0), (1, 0), (0, 20), (1, 20))),
    "24x1": (24, ((0, 0),)),
    "24x2": (24, ((0, 0), (1, 0))),
    "40x1": (40, ((0, 0),)),
    "40x2": (40, ((0, 0), (1, 0))),
}

UART_PINS: dict[Pin, str] = {(3, 0): "RXD", (3, 1): "TXD"}
WEEKDAY_ONE = ("monday", "sunday")

# The DS1302's 32.768 kHz tuning-fork crystal (sim.devices.crystal): the defaults of the
# crystal_ fields when a crystal is described (chips.md: turnover 25 +- 5 degC, parabola
# -0.034 +- 0.006 ppm/degC^2), and the ranges a profile or --crystal may give.
CRYSTAL_DEFAULTS = {"ppm": 0.0, "t0": 25.0, "k": -0.034}
CRYSTAL_PPM_MAX = 1000.0
CRYSTAL_K_MAX = 1.0
AMBIENT_C = (-55.0, 125.0)  # the room temperatures the simulator takes (the DS18B20's range)


@dataclass(frozen=True)
class Field:
    """One field of a part's table.

    kinds: ``pin`` (a port pin, used by nothing else), ``pin_or_gnd`` (a pin, or "GND" for
    a signal tied to ground), ``shared_pin`` (a pin parts of this same type may share: the
    1-Wire bus), ``lcd_data`` (a port such as "P0" or a list of pins), ``active`` ("low" or
    "high"), ``name`` (an identifier, unique among parts of the type), ``choice``,
    ``bool``, ``int``, ``float`` (a finite number in ``low..high``; an optional one without
    a default reads as None when not given), ``trickle`` (the DS1302 charger), ``serial`` (a
    48-bit 1-Wire serial number)."""

    name: str
    kind: str
    required: bool = True
    default: object = None
    choices: tuple[object, ...] = ()
    low: float | None = None
    high: float | None = None
    doc: str = ""


@dataclass(frozen=True)
class PartType:
    table: str
    model: str
    view: str
    fields: tuple[Field, ...]
    doc: str
    single: bool = True
    many: bool = False
    fixed_pins: tuple[tuple[str, Pin], ...] = ()

    def field(self, name: str) -> Field:
        for f in self.fields:
            if f.name == name:
                return f
        raise KeyError(name)


PART_TYPES: tuple[PartType, ...] = (
    PartType(
        "lcd", "hd44780:HD44780", "lcd",
        (
            Field("bus", "int", choices=(4, 8),
                  doc="data bus width: 8 (DB0..DB7) or 4 (DB4..DB7)"),
            Field("rs", "pin", doc="register select"),
            Field("rw", "pin_or_gnd", doc='read/write, or "GND" when tied low (write only)'),
            Field("e", "pin", doc="enable"),
            Field("data", "lcd_data", doc='8-bit: a port ("P0", DB0 = bit 0) or 8 pins '
                  "DB0..DB7; 4-bit: 4 pins DB4..DB7"),
            Field("size", "choice", required=False, default="16x2",
                  choices=tuple(LCD_SIZES), doc="columns x rows of the module"),
            Field("nibble_resync", "bool", required=False, default=False,
                  doc="4-bit: the module starts a new byte when RS or RW changes (some do; "
                  "the datasheet's HD44780 counts every E pulse)"),
        ),
        "HD44780 character LCD (LCD1602 and kin)",
    ),
    PartType(
        "ds1302", "ds1302:DS1302", "rtc",
        (
            Field("ce", "pin", doc="chip enable (RST on old parts)"),
            Field("sclk", "pin", doc="serial clock"),
            Field("io", "pin", doc="data"),
            Field("trickle", "trickle", required=False, default="off",
                  doc='trickle charger: "off" or "<1|2> diode <2k|4k|8k>"'),
            Field("weekday_one", "choice", required=False, default="monday",
                  choices=WEEKDAY_ONE, doc="the day the program numbers 1 in the day "
                  "register (what --rtc and the browser view write)"),
            Field("crystal_ppm", "float", required=False, low=-CRYSTAL_PPM_MAX,
                  high=CRYSTAL_PPM_MAX, doc="its 32.768 kHz crystal's rate at the turnover "
                  f"temperature, ppm, positive = fast (default {CRYSTAL_DEFAULTS['ppm']:g})"),
            Field("crystal_t0", "float", required=False, low=AMBIENT_C[0], high=AMBIENT_C[1],
                  doc="the crystal's turnover temperature, degC (default "
                  f"{CRYSTAL_DEFAULTS['t0']:g})"),
            Field("crystal_k", "float", required=False, low=-CRYSTAL_K_MAX, high=CRYSTAL_K_MAX,
                  doc="the crystal's parabola, ppm/degC^2: the rate at T is ppm + k (T - t0)^2 "
                  f"(default {CRYSTAL_DEFAULTS['k']:g}); a board whose profile gives none of "
                  "the crystal_ fields (and no --crystal) has an ideal crystal"),
        ),
        "DS1302 real-time clock with battery-backed RAM",
    ),
    PartType(
        "ds18b20", "ds18b20:DS18B20", "thermometer",
        (
            Field("pin", "shared_pin", doc="1-Wire data (4.7 kOhm pull-up; several sensors "
                  "may share one pin)"),
            Field("name", "name", required=False, doc="a name for this sensor"),
            Field("serial", "serial", required=False,
                  doc="48-bit serial number of the ROM code (default: one per sensor)"),
        ),
        "DS18B20 1-Wire thermometer, powered from VCC",
        many=True,
    ),
    PartType(
        "keys", "keys:Keys", "keys",
        (
            Field("name", "name", doc="the key's name (SET, K1 ...)"),
            Field("pin", "pin", doc="the pin the key pulls"),
            Field("active", "active", required=False, default="low",
                  doc='"low": to ground (pull-up idle); "high": to VCC (pull-down idle)'),
        ),
        "push buttons, one [[keys]] table each",
        single=False, many=True,
    ),
    PartType(
        "buzzer", "buzzer:Buzzer", "buzzer",
        (
            Field("pin", "pin", doc="the pin driving the buzzer (through a transistor)"),
            Field("active", "active", required=False, default="low",
                  doc="the pin level that sounds it"),
        ),
        "buzzer, active or passive",
    ),
    PartType(
        "leds", "leds:Leds", "lamp",
        (
            Field("name", "name", doc="the LED's name (D1, POWER ...)"),
            Field("pin", "pin", doc="the pin driving it"),
            Field("active", "active", required=False, default="low",
                  doc='"low": LED to VCC through a resistor, the pin sinks (most boards); '
                  '"high": the pin sources'),
        ),
        "LEDs, one [[leds]] table each",
        single=False, many=True,
    ),
    PartType(
        "uart", "uart:UartBridge", "serial",
        (),
        "the serial port: RXD P3.0 and TXD P3.1 wired to a host (USB adapter, MAX232)",
        fixed_pins=(("rxd", (3, 0)), ("txd", (3, 1))),
    ),
)

REGISTRY: dict[str, PartType] = {t.table: t for t in PART_TYPES}
