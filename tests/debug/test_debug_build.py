"""The debug build (`pio run -e reference_debug`: SDCC --debug, the reference profile): its
image fits the board, the debug information lands in its build folder, and the release
build is left without any."""

from __future__ import annotations

from pathlib import Path

from boardprofile import load_profile
from intelhex import IntelHex

from tests.buildsupport import BUILD_DIR

SRC = Path(__file__).resolve().parents[2] / "firmware" / "src"


def test_the_debug_build_fits_the_board_and_writes_its_debug_information(
        debug_firmware: Path, build_logs: dict[str, str]) -> None:
    image = IntelHex(str(debug_firmware))
    assert image.maxaddr() < load_profile("reference").code_size
    assert "Code" in build_logs["reference_debug"]  # the size report ran
    build = debug_firmware.parent
    assert (build / "firmware.cdb").stat().st_size > 10_000
    for module in (p.stem for p in SRC.glob("*.c")):
        for ext in (".adb", ".asm", ".rst", ".lst"):
            assert (build / "src" / f"{module}{ext}").exists(), module + ext


def test_the_release_build_has_no_debug_information(firmware: dict[str, Path]) -> None:
    build = BUILD_DIR / "reference"
    assert firmware["reference"].exists()
    assert not (build / "firmware.cdb").exists()
    assert not list((build / "src").glob("*.adb"))
