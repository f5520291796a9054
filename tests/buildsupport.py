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
# Builds of a shipped profile with one line of it changed, for behaviour no shipped board has
# any more (a clock built without the drift feature: what older firmware and boards without
# room answer). name -> (profile, line, replacement); the profile is written to
# .pio/build/variants/<name>.toml (pio empties a build folder whose settings changed), the
# image lands in .pio/build/<name>/<profile>/ (variant_profile(), image_path()).
VARIANTS = {"reference_nodrift": ("reference", "drift = true", "drift = false")}
BOARDS = ROOT / "firmware" / "boards"


def variant_profile(name: str) -> Path:
    """The profile file of env or variant ``name`` (a variant's: .pio/build/variants)."""
    if name not in VARIANTS:
        return BOARDS / f"{name}.toml"
    return BUILD_DIR / "variants" / f"{name}.toml"


def image_path(name: str, build_dir: Path = BUILD_DIR) -> Path:
    """Where the firmware.ihx of env or variant ``name`` is built."""
    if name in VARIANTS:
        return build_dir / name / VARIANTS[name][0] / "firmware.ihx"
    return build_dir / name / "firmware.ihx"


def build_variant(name: str) -> str:
    """Build variant ``name`` (its profile written first); pio's output."""
    base, old, new = VARIANTS[name]
    text = (BOARDS / f"{base}.toml").read_text()
    line = next((x for x in text.splitlines() if x.startswith(old)), None)
    assert line is not None, f"{base}.toml has no line starting {old!r}"
    profile = variant_profile(name)
    profile.parent.mkdir(parents=True, exist_ok=True)
    profile.write_text(text.replace(line, new, 1))
    return run_pio("run", "-e", base, env={"CLOCK51_PROFILE": str(profile),
                                          "PLATFORMIO_BUILD_DIR": str(BUILD_DIR / name)}).stdout


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
