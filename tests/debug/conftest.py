"""Fixtures for the debugger tests: small SDCC programs built with --debug (once per session)
and the clock firmware's debug build (``reference_debug``, built with the other envs)."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import pytest

from tests.buildsupport import BUILD_DIR

PROGRAMS = Path(__file__).resolve().parent / "programs"


def compile_debug(name: str, outdir: Path) -> Path:
    """``programs/NAME.c`` compiled and linked with ``sdcc --debug`` into ``outdir``: the
    .ihx path (the .cdb, .map and the module's .asm/.rst beside it)."""
    sdcc = shutil.which("sdcc")
    if sdcc is None:
        pytest.skip("sdcc is not installed")
    outdir.mkdir(parents=True, exist_ok=True)
    shutil.copy(PROGRAMS / f"{name}.c", outdir / f"{name}.c")
    proc = subprocess.run([sdcc, "-mmcs51", "--std-c99", "--debug", f"{name}.c"], cwd=outdir,
                          capture_output=True, text=True, timeout=120)
    ihx = outdir / f"{name}.ihx"
    if proc.returncode != 0 or not ihx.exists():
        raise AssertionError(f"sdcc {name}.c failed:\n{proc.stdout}\n{proc.stderr}")
    return ihx


@pytest.fixture(scope="session")
def debug_programs(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    base = tmp_path_factory.mktemp("debug-programs")
    return {name: compile_debug(name, base / name) for name in ("types", "frames")}


@pytest.fixture(scope="session")
def debug_firmware(firmware: dict[str, Path]) -> Path:
    """The clock firmware built with SDCC --debug: .pio/build/reference_debug/firmware.ihx."""
    ihx = firmware["reference_debug"]
    assert ihx == BUILD_DIR / "reference_debug" / "firmware.ihx"
    return ihx


def marker_line(path: Path, marker: str) -> int:
    """The line number of the line holding ``/* MARKER */`` in a source file."""
    for n, line in enumerate(path.read_text().splitlines(), 1):
        if f"/* {marker} */" in line:
            return n
    raise AssertionError(f"no /* {marker} */ in {path}")
