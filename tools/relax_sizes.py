"""Code size of every firmware env linked as SDCC made it and with call relaxation, side by
side (README "Call relaxation"):

    .venv/bin/python -m tools.relax_sizes [-e ENV ...]

Builds each env three times in a temporary build folder (``PLATFORMIO_BUILD_DIR``; the
project's ``.pio/build`` is left alone): with ``CLOCK51_RELAX=0``, relaxed with the modules
in the builder's order (``CLOCK51_RELAX_ORDER=0``: main first, then by name), and relaxed as
a build does it (the link order chosen by relax.py), and prints the code bytes of the three
(from the link's ``.mem``), the bytes the relaxation saves, and how many of the image's
LCALL/LJMP it wrote as ACALL/AJMP. Exit status 1 if a build fails.

The plain link of a board with every feature on does not fit the STC89C52RC's 8 KB (only the
relaxed one does), so the plain builds use a copy of the env's profile with a 64 KB code
limit (``CLOCK51_PROFILE``; the objects, and so the comparison, are the same).
"""

from __future__ import annotations

import argparse
import configparser
import os
import re
import subprocess
import sys
import tempfile
from pathlib import Path

from sim.errors import MeasureError
from sim.measure.fwcompare import memory

ROOT = Path(__file__).resolve().parent.parent
ENVS = ("reference", "hc6800", "breadboard", "reference_debug")


def code_bytes(build: Path, env: str) -> int:
    """Code bytes of the env's image in ``build``, from its link's .mem (fwcompare's reader)."""
    return memory(build / env / "firmware.ihx", iram_size=256)["code"]


ANY_CODE_SIZE = 65536


def roomy_profile(env: str, folder: Path) -> Path:
    """A copy of ``env``'s profile (platformio.ini ``custom_profile``) in ``folder`` with a
    code limit no link reaches."""
    ini = configparser.ConfigParser(interpolation=None)
    ini.read(ROOT / "platformio.ini")
    text = (ROOT / ini[f"env:{env}"]["custom_profile"]).read_text()
    text, n = re.subn(r"(?m)^code_size\s*=\s*\d+", f"code_size = {ANY_CODE_SIZE}", text)
    if n != 1:
        raise RuntimeError(f"{env}: its profile has no code_size line")
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / f"{env}.toml"
    path.write_text(text)
    return path


def build(env: str, folder: Path, relax: bool, reorder: bool = True) -> str:
    pio = Path(sys.executable).with_name("pio")
    extra = {} if relax else {
        "CLOCK51_PROFILE": str(roomy_profile(env, folder.parent / "profiles"))}
    proc = subprocess.run(
        [str(pio) if pio.exists() else "pio", "run", "-e", env], cwd=ROOT, text=True,
        capture_output=True,
        env=dict(os.environ, PLATFORMIO_NO_ANSI="1", PLATFORMIO_BUILD_DIR=str(folder),
                 CLOCK51_RELAX="1" if relax else "0",
                 CLOCK51_RELAX_ORDER="1" if reorder else "0", **extra))
    if proc.returncode != 0:
        raise RuntimeError(f"pio run -e {env} failed:\n{proc.stdout}{proc.stderr}")
    return proc.stdout


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("-e", "--env", action="append", choices=ENVS,
                   help="an env to measure (repeatable; default: all)")
    args = p.parse_args(argv)
    envs = args.env or list(ENVS)
    print(f"{'env':<16} {'plain':>7} {'by name':>8} {'relaxed':>8} {'saved':>6}  shortened")
    with tempfile.TemporaryDirectory(prefix="clock51-relax-") as tmp:
        for env in envs:
            try:
                build(env, Path(tmp) / "plain", relax=False)
                build(env, Path(tmp) / "byname", relax=True, reorder=False)
                log = build(env, Path(tmp) / "relaxed", relax=True)
                plain = code_bytes(Path(tmp) / "plain", env)
                byname = code_bytes(Path(tmp) / "byname", env)
                relaxed = code_bytes(Path(tmp) / "relaxed", env)
            except (RuntimeError, MeasureError) as exc:
                print(f"error: {exc}", file=sys.stderr)
                return 1
            m = re.search(r"relax: (\d+ of \d+)", log)
            print(f"{env:<16} {plain:>7} {byname:>8} {relaxed:>8} {relaxed - plain:>6}  "
                  f"{m.group(1) if m else '?'} LCALL/LJMP")
    return 0


if __name__ == "__main__":
    sys.exit(main())
