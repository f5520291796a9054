"""Running PlatformIO from the tests."""

from __future__ import annotations

import os
import subprocess
import sys
import textwrap
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
BUILD_DIR = ROOT / ".pio" / "build"
ENVS = ("reference", "hc6800", "breadboard")
DEBUG_ENVS = ("reference_debug",)  # SDCC --debug builds for the debugger (tests/debug)
# the drift feature (issue 20) on the reference board, whose code does not fit 8 KB yet: its
# profile raises the code limit for the simulator (tests/firmware/test_drift.py)
DEV_ENVS = ("reference_dev",)


def sdcc_build(source: Path, outdir: Path, *options: str) -> Path:
    """Compile one C program of the tests' own with SDCC (-mmcs51, C99, the folder's
    headers); the .ihx, or an AssertionError carrying SDCC's output."""
    import shutil

    sdcc = shutil.which("sdcc")
    assert sdcc, "sdcc is installed by make setup"
    outdir.mkdir(parents=True, exist_ok=True)
    ihx = outdir / f"{source.stem}.ihx"
    proc = subprocess.run([sdcc, "-mmcs51", "--std-c99", "-I", str(source.parent), *options,
                           "-o", str(ihx), str(source)], cwd=outdir, text=True,
                          capture_output=True, timeout=300)
    if proc.returncode != 0 or not ihx.exists():
        raise AssertionError(f"sdcc {source.name} failed:\n{proc.stdout}\n{proc.stderr}")
    return ihx


def pio_command() -> list[str]:
    pio = Path(sys.executable).with_name("pio")
    return [str(pio) if pio.exists() else "pio"]


def run_pio(*args: str, env: dict[str, str] | None = None,
            check: bool = True) -> subprocess.CompletedProcess[str]:
    full_env = dict(os.environ, PLATFORMIO_NO_ANSI="1", **(env or {}))
    proc = subprocess.run([*pio_command(), *args], cwd=ROOT, env=full_env, text=True,
                          capture_output=True, timeout=600)
    if check and proc.returncode != 0:
        raise AssertionError(f"pio {' '.join(args)} failed:\n{proc.stdout}\n{proc.stderr}")
    return proc


def profile_variant(tmp_path: Path, old: str, new: str) -> Path:
    """A copy of the reference profile in ``tmp_path`` with ``old`` replaced by ``new``."""
    text = (ROOT / "firmware" / "boards" / "reference.toml").read_text()
    assert old in text, old
    p = tmp_path / "variant.toml"
    p.write_text(text.replace(old, new, 1))
    return p


MCU_DEFAULTS = {"part": '"STC89C52RC"', "crystal_hz": "11059200", "code_size": "8192",
                "iram_size": "256", "xram_size": "256"}


def write_profile(tmp_path: Path, parts: str, mcu: str = "", name: str = "test",
                  file: str = "board.toml") -> Path:
    """A profile of our own in ``tmp_path``: [board], an STC89C52RC at 11.0592 MHz in [mcu]
    (``mcu``: lines that replace or add fields, e.g. 'crystal_hz = 12000000'), then
    ``parts`` (TOML, dedented)."""
    fields = dict(MCU_DEFAULTS)
    for line in mcu.splitlines():
        if line.strip():
            key, _, value = line.partition("=")
            fields[key.strip()] = value.strip()
    head = f'[board]\nname = "{name}"\n\n[mcu]\n' + "".join(
        f"{k} = {v}\n" for k, v in fields.items())
    path = tmp_path / file
    path.write_text(head + "\n" + textwrap.dedent(parts))
    return path
