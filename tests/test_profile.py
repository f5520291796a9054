"""Board profiles: every mistake is one line naming the file and the field."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from boardprofile import ProfileError, all_profiles, baud_setting, load_profile, trickle_byte

from tests.buildsupport import profile_variant

REFERENCE = Path(__file__).resolve().parent.parent / "firmware" / "boards" / "reference.toml"


def test_shipped_profiles_all_load() -> None:
    names = {load_profile(p).name for p in all_profiles()}
    assert {"reference", "hc6800", "breadboard"} <= names


def test_reference_profile_has_the_wiring_of_the_issue() -> None:
    p = load_profile("reference")
    assert (p.part, p.crystal_hz, p.baud) == ("STC89C52RC", 11059200, 9600)
    assert (p.lcd_rs, p.lcd_rw, p.lcd_e, p.lcd_data_port) == ((2, 6), (2, 5), (2, 7), 0)
    assert (p.ds1302_ce, p.ds1302_sclk, p.ds1302_io) == ((3, 5), (3, 6), (3, 4))
    assert [(k.name, k.pin, k.active_low) for k in p.keys] == [
        ("SET", (1, 0), True), ("UP", (1, 1), True), ("DOWN", (1, 2), True),
        ("MODE", (1, 3), True)]
    assert (p.buzzer, p.buzzer_active_low) == ((2, 3), True)


def test_hc6800_keeps_the_uart_pins_free() -> None:
    p = load_profile("hc6800")
    used = {k.pin for k in p.keys} | {p.buzzer}
    assert (3, 0) not in used and (3, 1) not in used
    assert p.buzzer == (1, 5)


def test_breadboard_profile_wires_a_four_bit_lcd() -> None:
    p = load_profile("breadboard")
    assert p.lcd_bus == 4 and len(p.lcd_data) == 4


@pytest.mark.parametrize(("old", "new", "message"), [
    ('rs = "P2.6"', 'rs = "P3.5"', "ds1302.ce: P3.5 is already used by lcd.rs"),
    ('rs = "P2.6"', 'rs = "P4.1"', "lcd.rs: unknown pin 'P4.1' (expected P0.0 .. P3.7)"),
    ('rs = "P2.6"', 'rs = "P2.8"', "lcd.rs: unknown pin 'P2.8' (expected P0.0 .. P3.7)"),
    ('sclk = "P3.6"\n', '', "ds1302.sclk: missing field"),
    ("baud = 9600", "baud = 115200",
     "uart.baud: 115200 baud cannot be made from 11059200 Hz within 2 %"),
    ('pin = "P1.0"', 'pin = "P3.1"', "keys[0].pin (SET): P3.1 is the UART's TXD pin"),
    ("bus = 8", "bus = 6", "lcd.bus: expected 4 or 8, got 6"),
    ('active = "low"', 'active = "down"', "keys[0].active: expected 'low' or 'high'"),
    ("crystal_hz = 11059200", 'crystal_hz = "fast"', "mcu.crystal_hz: expected int"),
    ('name = "MODE"', 'name = "MENU"', "keys: the firmware needs a key named MODE"),
    ("[features]", "[features]\ncolour = true", "features.colour: unknown field"),
    ('trickle = "off"', "trickle = 3.5", "ds1302.trickle: 3.5: expected 'off' or"),
    ('trickle = "off"', "trickle = true", "ds1302.trickle: True: expected 'off' or"),
    ('[[keys]]\nname = "SET"\npin = "P1.0"\nactive = "low"', "[[keys]]",
     "keys[0].name: missing field"),
])
def test_bad_profile_is_one_line_naming_file_and_field(
        tmp_path: Path, old: str, new: str, message: str) -> None:
    path = profile_variant(tmp_path, old, new)
    with pytest.raises(ProfileError) as exc:
        load_profile(path)
    text = str(exc.value)
    assert "\n" not in text
    assert text.startswith(f"{path}: {message}")


def test_unknown_board_name_lists_the_known_ones() -> None:
    with pytest.raises(ProfileError, match=r"unknown board 'nope' \(known: .*reference"):
        load_profile("nope")


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


def test_upload_protocol_is_the_profiles_bootloader_generation(tmp_path: Path) -> None:
    assert load_profile("reference").upload_protocol == "stc89"
    newer = profile_variant(tmp_path, 'protocol = "stc89"', 'protocol = "stc89a"')
    assert load_profile(newer).upload_protocol == "stc89a"


def test_upload_table_is_optional_and_defaults_to_stc89(tmp_path: Path) -> None:
    text = REFERENCE.read_text()
    start = text.index("[upload]")
    end = text.index("[features]")
    path = tmp_path / "no-upload.toml"
    path.write_text(text[:start] + text[end:])
    assert load_profile(path).upload_protocol == "stc89"


@pytest.mark.parametrize(("old", "new", "message"), [
    ('protocol = "stc89"', 'protocol = "stc12"',
     "upload.protocol: expected one of stc89, stc89a, got 'stc12'"),
    ('protocol = "stc89"', "protocol = 89", "upload.protocol: expected str"),
    ('protocol = "stc89"', 'protocol = "stc89"\nport = "/dev/ttyUSB0"',
     "upload.port: unknown field"),
])
def test_bad_upload_table_is_one_line(tmp_path: Path, old: str, new: str,
                                      message: str) -> None:
    path = profile_variant(tmp_path, old, new)
    with pytest.raises(ProfileError) as exc:
        load_profile(path)
    assert str(exc.value).startswith(f"{path}: {message}")
    assert "\n" not in str(exc.value)


def test_keys_that_are_not_tables_are_one_line(tmp_path: Path) -> None:
    text = REFERENCE.read_text()
    text = "keys = [1]\n" + re.sub(r"\[\[keys\]\]\n(\w+ = .*\n)+\n?", "", text)
    path = tmp_path / "keys.toml"
    path.write_text(text)
    with pytest.raises(ProfileError) as exc:
        load_profile(path)
    assert str(exc.value) == (
        f"{path}: keys[0]: expected a [[keys]] table (name, pin, active), got 1")
