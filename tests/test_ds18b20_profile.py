"""The optional [ds18b20] table: validation, 1-Wire timing from the crystal, and a board
without it building no temperature code."""

from __future__ import annotations

from pathlib import Path

import pytest
from boardprofile import ProfileError, load_profile
from boardprofile.firmware import firmware_config
from boardprofile.onewire import check_uart, delay_asm, onewire_timing

from tests.buildsupport import profile_variant, run_pio

SENSOR = '\n[ds18b20]\npin = "P3.7"'


def sensor(name: str | Path) -> tuple[int, int] | None:
    found = load_profile(name).ds18b20s
    return found[0].pin if found else None


def test_shipped_boards_put_the_sensor_where_the_issue_says() -> None:
    assert sensor("reference") == (3, 7)
    assert sensor("hc6800") == (3, 7)       # the HC6800-ES socket
    assert sensor("breadboard") == (2, 4)


def test_the_table_is_optional(tmp_path: Path) -> None:
    path = profile_variant(tmp_path, SENSOR, "")
    fw = firmware_config(load_profile(path))
    assert sensor(path) is None and fw.ds18b20 is None and fw.onewire is None


@pytest.mark.parametrize(("old", "new", "message"), [
    (SENSOR, '\n[ds18b20]\npin = "P3.5"', "ds18b20.pin: P3.5 is already used by ds1302.ce"),
    (SENSOR, '\n[ds18b20]\npin = "P3.0"', "ds18b20.pin: P3.0 is the UART's RXD pin"),
    (SENSOR, '\n[ds18b20]\npin = "P9.9"', "ds18b20.pin: unknown pin 'P9.9'"),
    (SENSOR, '\n[ds18b20]\n', "ds18b20.pin: missing field"),
    (SENSOR, '\n[ds18b20]\npin = "P3.7"\npullup = 4700', "ds18b20.pullup: unknown field"),
    ("crystal_hz = 11059200", "crystal_hz = 1843200",         # 9600 baud exactly (SMOD)
     "ds18b20: 1-Wire read slots need the sample >= 1 us after the release and by 13.5 us; "
     "at 1.8432 MHz a machine cycle is 6.51 us, too slow"),
])
def test_bad_sensor_settings_are_one_line(tmp_path: Path, old: str, new: str,
                                          message: str) -> None:
    path = profile_variant(tmp_path, old, new)
    with pytest.raises(ProfileError) as exc:
        firmware_config(load_profile(path))
    assert "\n" not in str(exc.value)
    assert str(exc.value).startswith(f"{path}: {message}")


def test_a_baud_rate_whose_frame_is_shorter_than_two_slots_is_refused(tmp_path: Path) -> None:
    # 57600 baud at 11.0592 MHz (SMOD): a frame is 174 us, a slot keeps EA off ~71 us: fine
    firmware_config(load_profile(profile_variant(tmp_path, "baud = 9600", "baud = 57600")))
    with pytest.raises(ValueError, match="more than half a 115200 baud frame"):
        check_uart(onewire_timing(11_059_200), 115200)


@pytest.mark.parametrize("mhz", [3.7, 4, 6, 11.0592, 12, 16, 20, 22.1184, 24, 33, 40, 48])
def test_every_possible_crystal_meets_the_datasheet(mhz: float) -> None:
    t = onewire_timing(round(mhz * 1e6))
    assert 1.0 <= t.release_us <= 15.0                       # write 1: release within 15 us
    start, end = t.sample_us
    assert start >= t.release_us + 1.0 and end <= 13.5       # read: data valid until 15 us
    assert 60.0 <= t.low0_us <= 120.0                        # write 0
    assert t.slot_us - t.low0_us >= 1.0                      # recovery
    assert t.reset_low_us >= 480.0
    lo, hi = t.presence_sample_us
    assert 60.0 < lo and hi < 75.0                           # presence of every part
    assert t.ea_off_us < 1e6 * 10 / 9600 / 2                 # half a 9600 baud frame


def test_the_11_0592_mhz_figures() -> None:
    t = onewire_timing(11_059_200)
    print(f"release {t.release_us:.2f} us, sample {t.sample_us[0]:.2f}-{t.sample_us[1]:.2f} "
          f"us, write-0 low {t.low0_us:.2f} us, slot {t.slot_us:.2f} us, reset low "
          f"{t.reset_low_us:.1f} us, presence sample {t.presence_sample_us[0]:.1f} us, "
          f"EA off {t.ea_off_us:.1f} us")
    assert (t.init, t.sample, t.rest, t.presence) == (0, 9, 47, 62)
    assert round(t.low0_us, 1) == 65.1 and round(t.ea_off_us, 1) == 70.5


@pytest.mark.parametrize(("cycles", "text"), [
    (0, ""), (2, "    nop\\n    nop\\n"), (10, "    mov  dph,#4\\n    djnz dph,.\\n"),
    (11, "    mov  dph,#4\\n    djnz dph,.\\n    nop\\n")])
def test_delay_code_takes_exactly_the_cycles(cycles: int, text: str) -> None:
    assert delay_asm(cycles) == text


def test_a_board_without_the_sensor_builds_no_temperature_code(tmp_path: Path) -> None:
    profile = profile_variant(tmp_path, SENSOR, "")
    env = {"CLOCK51_PROFILE": str(profile), "PLATFORMIO_BUILD_DIR": str(tmp_path / "build")}
    run_pio("run", "-e", "reference", env=env)
    out = tmp_path / "build" / "reference"
    assert "#define FEATURE_DS18B20   0" in (out / "generated" / "board_config.h").read_text()
    linked = (out / "firmware.map").read_text()
    assert "_temp_tick" not in linked and "_temp_print" not in linked

    from sim.frontends.endpoints import MemoryEndpoint
    from sim.machine.board import Board

    board = Board(profile, out / "firmware.ihx", endpoint=MemoryEndpoint())
    assert board.thermo is None
    board.run_for(0.5)
    board.uart.inject(b"TEMP\r\n", board.cycles)
    board.run_for(0.1)
    sent = bytes(b for _, b in board.uart.tx_log)
    assert sent.endswith(b"ERR unknown command\r\n")
    assert board.lcd_text()[1][8:] == "       ?"     # the layout without a sensor
