"""Running PlatformIO from the tests."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
BUILD_DIR = ROOT / ".pio" / "build"
ENVS = ("reference", "hc6800", "breadboard")
DEBUG_ENVS = ("reference_debug",)  # SDCC --debug builds for the debugger (tests/debug)


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
