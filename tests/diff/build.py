"""Building the differential test programs (programs/*.c) with SDCC."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import pytest

from sim.measure.ucsim import s51_path

PROGRAM_DIR = Path(__file__).resolve().parent / "programs"

# program name -> extra SDCC options (every program: -mmcs51 --std-c99, 256 bytes IRAM)
PROGRAMS: dict[str, tuple[str, ...]] = {
    "arith": (),
    "muldiv_bcd": (),
    "bits_rot": (),
    "tables": (),
    "recurse": ("--stack-auto",),
    "timers_irq": (),
    "timer2": (),
    "idle": (),
    "float_printf": (),
    "large_model": ("--model-large", "--xram-size", "256"),
    "uart_smod0": (),
}

SDCC_BASE = ("-mmcs51", "--std-c99", "--iram-size", "256", "--code-size", "8192")


def sdcc_path() -> str | None:
    return shutil.which("sdcc")


def compile_program(name: str, outdir: Path, extra: tuple[str, ...] = ()) -> Path:
    """Compile ``programs/NAME.c`` into ``outdir/NAME/NAME.ihx``."""
    sdcc = sdcc_path()
    if sdcc is None:
        raise RuntimeError("sdcc not found")
    build = outdir / name
    build.mkdir(parents=True, exist_ok=True)
    src = PROGRAM_DIR / f"{name}.c"
    ihx = build / f"{name}.ihx"
    cmd = [sdcc, *SDCC_BASE, *extra, "-I", str(PROGRAM_DIR), "-o", str(ihx), str(src)]
    proc = subprocess.run(cmd, cwd=build, capture_output=True, text=True, timeout=300)
    if proc.returncode != 0 or not ihx.exists():
        raise RuntimeError(f"{' '.join(cmd)} failed:\n{proc.stdout}\n{proc.stderr}")
    return ihx


requires_tools = pytest.mark.skipif(
    s51_path() is None or sdcc_path() is None, reason="needs sdcc and s51 (ucsim) on PATH"
)
