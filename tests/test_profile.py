"""Board profiles: hardware only, every part optional; every mistake is one line naming the
file, the table and the field; our firmware's build refuses, in one line, a board it cannot
be made for."""

from __future__ import annotations

import math
import re
from pathlib import Path

import pytest
from boardprofile import (
    DEFAULT_RESET_MS,
    STRICT_RESET_FACTOR,
    ProfileError,
    all_profiles,
    load_profile,
    trickle_byte,
)
from boardprofile.firmware import baud_setting, firmware_config

from tests.buildsupport import profile_variant, write_profile

REFERENCE = Path(__file__).resolve().parent.parent / "firmware" / "boards" / "reference.toml"


def test_shipped_profiles_all_load_and_our_firmware_builds_for_each() -> None:
    names = {firmware_config(load_profile(p)).name for p in all_profiles()}
    assert {"reference", "hc6800", "breadboard"} <= names


def test_reference_profile_has_the_wiring_of_the_issue() -> None:
    p = load_profile("reference")
    assert (p.mcu.part, p.crystal_hz) == ("STC89C52RC", 11059200)
    assert (p.lcd.rs, p.lcd.rw, p.lcd.e, p.lcd.bus, p.lcd.size) == (
        (2, 6), (2, 5), (2, 7), 8, "16x2")
    assert (p.ds1302.ce, p.ds1302.sclk, p.ds1302.io) == ((3, 5), (3, 6), (3, 4))
    assert [(k.name, k.pin, k.active_low) for k in p.keys] == [
        ("SET", (1, 0), True), ("UP", (1, 1), True), ("DOWN", (1, 2), True),
        ("MODE", (1, 3), True)]
    assert (p.buzzer.pin, p.buzzer.active_low) == ((2, 3), True)
    fw = firmware_config(p)
    assert (fw.baud, fw.lcd_data_port, fw.features) == (
        9600, 0, {"lunar": True, "alarm": True, "serial": True, "drift": True})


def test_hc6800_keeps_the_uart_pins_free() -> None:
    p = load_profile("hc6800")
    used = {k.pin for k in p.keys} | {p.buzzer.pin}
    assert (3, 0) not in used and (3, 1) not in used
    assert p.buzzer.pin == (1, 5)


def test_breadboard_profile_wires_a_four_bit_lcd() -> None:
    p = load_profile("breadboard")
    assert p.lcd.bus == 4 and len(p.lcd.data) == 4


# -- hardware mistakes: load_profile ---------------------------------------------------------
@pytest.mark.parametrize(("old", "new", "message"), [
    ('rs = "P2.6"', 'rs = "P3.5"', "ds1302.ce: P3.5 is already used by lcd.rs"),
    ('rs = "P2.6"', 'rs = "P4.1"', "lcd.rs: unknown pin 'P4.1' (expected P0.0 .. P3.7)"),
    ('rs = "P2.6"', 'rs = "P2.8"', "lcd.rs: unknown pin 'P2.8' (expected P0.0 .. P3.7)"),
    ('sclk = "P3.6"\n', '', "ds1302.sclk: missing field"),
    ('rs = "P2.6"\n', '', "lcd.rs: missing field"),
    ('pin = "P1.0"', 'pin = "P3.1"', "keys[0].pin (SET): P3.1 is the UART's TXD pin"),
    ("bus = 8 ", "bus = 6 ", "lcd.bus: expected 4 or 8, got 6"),
    ("bus = 8 ", "bus = 4 ", "lcd.data: a 4-bit bus takes a list of 4 pins, DB4..DB7, "
                             "got 'P0'"),
    ('active = "low"', 'active = "down"', "keys[0].active: expected 'low' or 'high'"),
    ("crystal_hz = 11059200", 'crystal_hz = "fast"', "mcu.crystal_hz: expected int"),
    ('trickle = "off"', "trickle = 3.5", "ds1302.trickle: 3.5: expected 'off' or"),
    ('trickle = "off"', "trickle = true", "ds1302.trickle: True: expected 'off' or"),
    ('[[keys]]\nname = "SET"\npin = "P1.0"\nactive = "low"', "[[keys]]",
     "keys[0].name: missing field"),
    ('name = "UP"', 'name = "SET"', "keys[1].name: keys SET is defined twice"),
    ('size = "16x2"', 'size = "40x4"', "lcd.size: expected one of 8x1, 8x2, 16x1"),
    ('weekday_one = "monday"', 'weekday_one = "friday"',
     "ds1302.weekday_one: expected one of monday, sunday, got 'friday'"),
    ("[lcd]", "[lcd2]", "lcd2: unknown part type (known parts: lcd, ds1302, ds18b20, keys, "
                        "buzzer, leds, uart"),
    ("[lcd]", "[lcd]\ncolour = true", "lcd.colour: unknown field (known: bus, data, e, "),
    ("[uart]", "[uart]\nspeed = 9600", "uart.speed: unknown field (the table takes no fields)"),
    ('isp = "stc89"', 'isp = "stc12"', "mcu.isp: expected one of stc89, stc89a, none, got "
                                       "'stc12'"),
    ("xram_size = 256", "xram_size = 256\nreset_ms = -1", "mcu.reset_ms: -1 is outside "
                                                          "0-10000 ms"),
    ("[buzzer]", "[[buzzer]]", "buzzer: expected a [buzzer] table"),
])
def test_bad_profile_is_one_line_naming_file_table_and_field(
        tmp_path: Path, old: str, new: str, message: str) -> None:
    path = profile_variant(tmp_path, old, new)
    with pytest.raises(ProfileError) as exc:
        load_profile(path)
    text = str(exc.value)
    assert "\n" not in text
    assert text.startswith(f"{path}: {message}")


def test_a_four_bit_lcd_given_eight_pins_is_one_line(tmp_path: Path) -> None:
    pins = ", ".join(f'"P1.{i}"' for i in range(8))
    path = write_profile(tmp_path, f"""
        [lcd]
        bus = 4
        rs = "P2.0"
        rw = "P2.1"
        e = "P2.2"
        data = [{pins}]
        """)
    with pytest.raises(ProfileError) as exc:
        load_profile(path)
    assert str(exc.value) == f"{path}: lcd.data: a 4-bit bus takes 4 pins, DB4..DB7, got 8"


def test_the_old_profile_format_is_one_line_saying_what_to_move(tmp_path: Path) -> None:
    old = (Path(__file__).parent / "data" / "old_reference.toml").read_text()
    path = tmp_path / "old.toml"
    path.write_text(old)
    with pytest.raises(ProfileError) as exc:
        load_profile(path)
    text = str(exc.value)
    assert "\n" not in text
    assert text.startswith(f"{path}: features: this is the old profile format")
    for what in ("[features]", "[uart] baud", "[firmware]", "[upload] protocol", "[mcu] isp"):
        assert what in text


def test_unknown_board_name_lists_the_known_ones() -> None:
    with pytest.raises(ProfileError, match=r"unknown board 'nope' \(known: .*reference"):
        load_profile("nope")


def test_keys_that_are_not_tables_are_one_line(tmp_path: Path) -> None:
    text = REFERENCE.read_text()
    text = "keys = [1]\n" + re.sub(r"\[\[keys\]\]\n(\w+ = .*\n)+\n?", "", text)
    path = tmp_path / "keys.toml"
    path.write_text(text)
    with pytest.raises(ProfileError) as exc:
        load_profile(path)
    assert str(exc.value) == (
        f"{path}: keys[0]: expected a [[keys]] table (name, pin, active), got 1")


# -- every part optional ----------------------------------------------------------------------
def test_a_board_with_only_an_mcu_loads(tmp_path: Path) -> None:
    p = load_profile(write_profile(tmp_path, ""))
    assert p.parts == () and p.lcd is None and p.keys == () and p.uart is None


def test_a_board_with_an_lcd_and_leds_and_nothing_else(tmp_path: Path) -> None:
    p = load_profile(write_profile(tmp_path, """
        [lcd]
        bus = 4
        rs = "P2.0"
        rw = "GND"
        e = "P2.2"
        data = ["P2.4", "P2.5", "P2.6", "P2.7"]
        size = "20x4"

        [[leds]]
        name = "D1"
        pin = "P1.0"

        [[leds]]
        name = "power"
        pin = "P1.1"
        active = "high"
        """))
    assert p.lcd.rw is None and p.lcd.size == "20x4" and p.lcd.nibble_resync is False
    assert [(led.name, led.pin, led.active_low) for led in p.leds] == [
        ("D1", (1, 0), True), ("power", (1, 1), False)]
    assert p.signals() == {"lcd_rs": (2, 0), "lcd_e": (2, 2), "lcd_db4": (2, 4),
                           "lcd_db5": (2, 5), "lcd_db6": (2, 6), "lcd_db7": (2, 7),
                           "led_D1": (1, 0), "led_power": (1, 1)}


def test_several_ds18b20s_share_one_pin_and_get_their_own_serials(tmp_path: Path) -> None:
    p = load_profile(write_profile(tmp_path, """
        [[ds18b20]]
        pin = "P3.7"

        [[ds18b20]]
        name = "outside"
        pin = "P3.7"
        serial = "0x0000AABBCCDD"
        """))
    a, b = p.ds18b20s
    assert (a.name, a.pin, b.name, b.pin) == ("ds18b20", (3, 7), "outside", (3, 7))
    assert a.serial != b.serial and b.serial == 0xAABBCCDD


def test_a_ds18b20_pin_is_shared_only_with_other_sensors(tmp_path: Path) -> None:
    path = write_profile(tmp_path, """
        [[ds18b20]]
        pin = "P3.7"

        [[leds]]
        name = "D1"
        pin = "P3.7"
        """)
    with pytest.raises(ProfileError) as exc:
        load_profile(path)
    assert str(exc.value) == f"{path}: leds[0].pin (D1): P3.7 is already used by ds18b20[0].pin"


def test_without_uart_the_serial_pins_are_free_for_anything(tmp_path: Path) -> None:
    p = load_profile(write_profile(tmp_path, """
        [[keys]]
        name = "K1"
        pin = "P3.1"
        """))
    assert p.key("K1").pin == (3, 1) and p.uart is None


def test_reset_default_is_the_10uf_10k_rc_reset_at_half_vcc() -> None:
    assert DEFAULT_RESET_MS == pytest.approx(100 * math.log(2), abs=0.05)  # 69.3 ms
    assert load_profile("reference").mcu.reset_ms == DEFAULT_RESET_MS
    assert DEFAULT_RESET_MS * STRICT_RESET_FACTOR == pytest.approx(100 * math.log(1 / 0.7),
                                                                   abs=0.05)  # 35.7 ms


def test_reset_ms_may_be_zero_and_isp_defaults_by_the_part(tmp_path: Path) -> None:
    p = load_profile(write_profile(tmp_path, "", mcu='part = "AT89C52"\nreset_ms = 0'))
    assert (p.mcu.reset_ms, p.mcu.isp) == (0.0, "none")
    assert load_profile("reference").mcu.isp == "stc89"


# -- our firmware's build ---------------------------------------------------------------------
@pytest.mark.parametrize(("old", "new", "message"), [
    ("baud = 9600", "baud = 115200",
     "firmware.baud: 115200 baud cannot be made from 11059200 Hz within 2 %"),
    ('name = "MODE"', 'name = "MENU"', "keys: the clock51 firmware needs a key named MODE"),
    ("\n[firmware] ", "\n[firmware]\ncolour = true\n#", "firmware.colour: unknown field"),
    ("serial = true", "serial = 1", "firmware.serial: expected true or false, got 1"),
    ('weekday_one = "monday"', 'weekday_one = "sunday"',
     "ds1302.weekday_one: the clock51 firmware numbers the days from Monday"),
    ('size = "16x2"', 'size = "20x4"', "lcd.size: the clock51 firmware draws 16x2, not 20x4"),
    ('rw = "P2.5"', 'rw = "GND"', "lcd.rw: the clock51 firmware reads the busy flag"),
    ('data = "P0"', 'data = ["P0.1", "P0.0", "P0.2", "P0.3", "P0.4", "P0.5", "P0.6", "P0.7"]',
     "lcd.data: the clock51 firmware writes an 8-bit bus as one port"),
    ("[uart]", "", "firmware.serial: the board has no [uart]"),
    ("\n[firmware] ", "\n[unused]", "firmware: missing table"),
])
def test_what_our_firmware_cannot_be_made_for_is_one_line(
        tmp_path: Path, old: str, new: str, message: str) -> None:
    path = profile_variant(tmp_path, old, new)
    if new == "\n[unused]":  # drop the whole [firmware] table
        text = path.read_text()
        path.write_text(text[:text.index("\n[unused]")])
    with pytest.raises(ProfileError) as exc:
        firmware_config(load_profile(path))
    assert "\n" not in str(exc.value)
    assert str(exc.value).startswith(f"{path}: {message}")


@pytest.mark.parametrize(("table", "message"), [
    ("lcd", "lcd: missing table: the clock51 firmware needs an LCD"),
    ("ds1302", "ds1302: missing table: the clock51 firmware needs a DS1302"),
    ("buzzer", "buzzer: missing table: the clock51 firmware needs a buzzer"),
])
def test_our_firmware_refuses_a_board_without_the_parts_it_drives(
        tmp_path: Path, table: str, message: str) -> None:
    text = REFERENCE.read_text()
    text = re.sub(rf"\n\[{table}\]\n(\w+ = .*\n)+", "\n", text)
    path = tmp_path / "board.toml"
    path.write_text(text)
    load_profile(path)  # the board itself is fine
    with pytest.raises(ProfileError) as exc:
        firmware_config(load_profile(path))
    assert str(exc.value).startswith(f"{path}: {message}")


def test_our_firmware_reads_one_ds18b20(tmp_path: Path) -> None:
    path = profile_variant(tmp_path, '[ds18b20]\npin = "P3.7"',
                           '[[ds18b20]]\npin = "P3.7"\n\n[[ds18b20]]\npin = "P3.7"')
    with pytest.raises(ProfileError, match="ds18b20: the clock51 firmware reads one sensor; "
                                           "the profile lists 2"):
        firmware_config(load_profile(path))


def test_9600_baud_at_11_0592_mhz_is_th1_fd_exactly() -> None:
    b = baud_setting(11_059_200, 9600)
    assert (b.th1, b.smod, b.error) == (0xFD, 0, 0.0)


def test_19200_baud_uses_smod() -> None:
    b = baud_setting(11_059_200, 19200)
    assert (b.th1, b.smod) == (0xFD, 1)


def test_9600_baud_at_12_mhz_is_out_of_tolerance_but_4800_is_fine() -> None:
    assert baud_setting(12_000_000, 9600).error > 0.02  # the classic 12 MHz pitfall: 7 % off
    b = baud_setting(12_000_000, 4800)
    assert (b.th1, b.smod) == (0xF3, 1) and b.error < 0.002


@pytest.mark.parametrize(("text", "byte"), [
    ("off", 0x00), ("1 diode 2k", 0xA5), ("2 diodes 8k", 0xAB), ("1 diode 8k", 0xA7)])
def test_trickle_settings_decode_to_the_ds1302_register(text: str, byte: int) -> None:
    assert trickle_byte(text) == byte


def test_upload_protocol_is_the_chips_bootloader_generation(tmp_path: Path) -> None:
    assert firmware_config(load_profile("reference")).upload_protocol == "stc89"
    newer = profile_variant(tmp_path, 'isp = "stc89"', 'isp = "stc89a"')
    assert firmware_config(load_profile(newer)).upload_protocol == "stc89a"
