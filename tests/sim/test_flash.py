"""The chip's flash as state: the --flash file and what survives between runs."""

from __future__ import annotations

import struct
from pathlib import Path

import pytest

from sim.errors import ConfigError
from sim.frontends.cli import main as sim_main
from sim.machine.flash import Flash

PROGRAM = bytes([0x75, 0x90, 0x55, 0x80, 0xFE])


def test_flash_file_keeps_contents_option_byte_and_the_unfinished_upload(
        tmp_path: Path) -> None:
    flash = Flash(8192, PROGRAM, msr=0xFC)
    flash.erase(0, 512)
    flash.program(0, PROGRAM[:3])
    flash.save(tmp_path / "f.bin")
    back = Flash.load(tmp_path / "f.bin", 8192)
    assert back.data == flash.data and back.blank == flash.blank
    assert back.msr == 0xFC
    assert not back.complete
    assert back.partial() == "programmed up to 0x0003, erased but empty 0x0003-0x01FF"


def test_programming_only_clears_bits() -> None:
    flash = Flash(8192, bytes([0xF0]))
    assert flash.program(0, bytes([0x0F])) == b"\x00"


def test_save_is_atomic_and_leaves_no_temporary_file(tmp_path: Path) -> None:
    target = tmp_path / "f.bin"
    Flash(8192, PROGRAM).save(target)
    Flash(8192, PROGRAM[::-1]).save(target)
    assert [p.name for p in tmp_path.iterdir()] == ["f.bin"]
    assert Flash.load(target, 8192).data[:5] == PROGRAM[::-1]


def test_a_file_of_an_unknown_version_is_one_line(tmp_path: Path) -> None:
    path = tmp_path / "f.bin"
    Flash(8192, PROGRAM).save(path)
    raw = bytearray(path.read_bytes())
    struct.pack_into("<H", raw, 8, 7)
    path.write_bytes(raw)
    with pytest.raises(ConfigError) as exc:
        Flash.load(path, 8192)
    assert str(exc.value) == (f"{path}: flash file version 7; this simulator reads version 1")


@pytest.mark.parametrize(("content", "message"), [
    (b"hello", "not a clock51 flash file"),
    (b"C51FLASH" + b"\x01\x00\x20\x00" + struct.pack("<I", 4096) + bytes(16),
     "holds 4096 bytes of flash; this board has 8192"),
    (b"C51FLASH" + b"\x01\x00\x20\x00" + struct.pack("<I", 8192) + bytes(16) + bytes(100),
     "flash file is truncated"),
])
def test_a_bad_flash_file_is_one_line(tmp_path: Path, content: bytes, message: str) -> None:
    path = tmp_path / "f.bin"
    path.write_bytes(content)
    with pytest.raises(ConfigError, match=message):
        Flash.load(path, 8192)


def test_run_keeps_the_flash_across_runs_and_ignores_a_later_image(
        firmware: dict[str, Path], tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = tmp_path / "f.bin"
    code = sim_main(["run", str(firmware["reference"]), "--flash", str(path), "--for", "1.5",
                     "--headless", "--rtc", "2030-01-01 08:00:00", "--lcd-text"])
    out, _ = capsys.readouterr()
    assert code == 0 and out.splitlines()[-2].startswith("2030-01-01")
    first = path.read_bytes()
    code = sim_main(["run", str(firmware["hc6800"]), "--flash", str(path), "--for", "1.5",
                     "--headless", "--rtc", "2030-01-01 08:00:00", "--lcd-text"])
    out, err = capsys.readouterr()
    assert code == 0
    assert out.splitlines()[-2].startswith("2030-01-01")  # the reference build still runs
    assert f"running what {path} holds" in err
    assert path.read_bytes() == first


def test_run_with_a_bad_flash_file_is_a_one_line_error(
        firmware: dict[str, Path], tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = tmp_path / "f.bin"
    path.write_bytes(b"not flash")
    code = sim_main(["run", str(firmware["reference"]), "--flash", str(path), "--for", "0.1",
                     "--headless"])
    _, err = capsys.readouterr()
    assert code == 1
    assert err == f"clock51-sim: error: {path}: not a clock51 flash file\n"


def test_power_cycle_of_a_port_nobody_serves_is_a_one_line_error(
        capsys: pytest.CaptureFixture[str]) -> None:
    code = sim_main(["power-cycle", "--serial", "/dev/pts/999"])
    _, err = capsys.readouterr()
    assert code == 1
    assert err.startswith("clock51-sim: error: no running simulator serves /dev/pts/999")
    assert err.count("\n") == 1


def test_a_flash_file_that_cannot_be_written_is_a_one_line_error(
        firmware: dict[str, Path], tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = tmp_path / "missing" / "f.bin"
    code = sim_main(["run", str(firmware["reference"]), "--flash", str(path), "--for", "0.1",
                     "--headless"])
    _, err = capsys.readouterr()
    assert code == 1
    assert err == (f"clock51-sim: error: {path}: cannot write the flash file: "
                   "No such file or directory\n")
