"""The baseline the benchmarks compare against: a checkout of an older commit, built and run
on this machine with this checkout's tools, so every figure can be printed side by side
with the baseline's in one run.

``prepare(commit)`` makes ``.pio/bench/base-<commit>/`` once (later runs reuse it):

1. ``git archive <commit>`` of this repository, unpacked there (nothing is downloaded; the
   commit must be in this clone's history);
2. PlatformIO for it: its ``platformio.ini`` keeps PlatformIO's state in its own
   ``.pio-core``, which gets a copy of this checkout's offline ``tool-scons`` package (what
   ``make setup`` builds; see tools/pio_offline.py), so ``pio run`` there works offline;
3. ``pio run -e reference`` there, with this checkout's ``.venv/bin/pio``: the baseline's
   firmware, built by the baseline's own sources, templates and build scripts;
4. the baseline's simulator is run by this checkout's Python with the baseline's folder
   first on ``sys.path`` (a ``clock51-sim`` launcher there does what the console script
   does), byte-compiled like ours.

``Build.memory`` reads the memory summary SDCC writes beside each image (``firmware.mem``),
as the build's own size report does: code, IRAM and XRAM used (the paged segment and the
rest summed), and the limits.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
import tarfile
import tempfile
from dataclasses import dataclass
from pathlib import Path

from sim.errors import MeasureError

ROOT = Path(__file__).resolve().parent.parent.parent
BENCH_DIR = ROOT / ".pio" / "bench"
DEFAULT_COMMIT = "841ea3b"
_ROM = re.compile(r"ROM/EPROM/FLASH\s+\S+\s+\S+\s+(\d+)\s+(\d+)")
# XRAM: the paged segment (__pdata, MOVX @Ri) and the rest (__xdata), summed
_XRAM = re.compile(r"(?:PAGED EXT\. RAM|EXTERNAL RAM)\s+(?:\S+\s+\S+\s+)?(\d+)\s+(\d+)")
_STACK = re.compile(r"Stack starts at: 0x[0-9a-fA-F]+.*?with (\d+) bytes available")
IRAM_SIZE = 256  # the reference board's (an STC89C52RC's)

LAUNCHER = """\
# clock51-sim of this baseline checkout, for the benchmarks (what the console script does)
import sys

sys.path[:0] = [{root!r}, {packages!r}]
from sim.frontends.cli import main  # noqa: E402

sys.exit(main())
"""


@dataclass
class Build:
    """A checkout whose firmware is built and whose simulator can be run."""

    label: str
    root: Path
    launcher: list[str]   # argv prefix that runs its clock51-sim
    cwd: Path
    image: Path | None = None  # its firmware, if not its own reference build

    @property
    def firmware(self) -> Path:
        return self.image or self.root / ".pio" / "build" / "reference" / "firmware.ihx"

    def sim(self, *argv: str) -> list[str]:
        return [*self.launcher, *argv]

    def memory(self) -> dict[str, tuple[int, int]]:
        """name -> (bytes used, limit) for Code, IRAM, XRAM, from the image's .mem."""
        mem = self.firmware.with_suffix(".mem")
        try:
            text = mem.read_text()
        except OSError as e:
            raise MeasureError(f"{mem}: {e.strerror or e}") from None
        rom, xram, stack = _ROM.search(text), _XRAM.findall(text), _STACK.search(text)
        if not (rom and stack):
            raise MeasureError(f"{mem}: no memory summary")
        return {"Code": (int(rom[1]), int(rom[2])),
                "IRAM": (IRAM_SIZE - int(stack[1]), IRAM_SIZE),
                "XRAM": (sum(int(used) for used, _ in xram), int(xram[-1][1])) if xram
                else (0, 0)}


def _pio_exe() -> str:
    local = Path(sys.executable).with_name("pio")
    return str(local) if local.exists() else "pio"


def _pio(project: Path, *argv: str) -> str:
    env = {k: v for k, v in os.environ.items() if not k.startswith("PLATFORMIO_")}
    try:
        proc = subprocess.run([_pio_exe(), *argv], cwd=project, capture_output=True,
                              text=True, env=env, timeout=900)
    except OSError as e:
        raise MeasureError(f"cannot run pio: {e.strerror or e}") from None
    if proc.returncode != 0:
        raise MeasureError(f"pio {' '.join(argv)} failed in {project}",
                           detail=proc.stdout + proc.stderr)
    return proc.stdout + proc.stderr


def current(firmware: Path | None = None) -> Build:
    """This checkout, with its reference build (``make bench`` builds it) or ``firmware``."""
    script = Path(sys.executable).with_name("clock51-sim")
    launcher = [str(script)] if script.exists() else [sys.executable, "-m", "sim"]
    return Build("this", ROOT, launcher, ROOT, firmware)


def prepare(commit: str = DEFAULT_COMMIT, *, quiet: bool = False) -> Build:
    """The baseline checkout of ``commit``, unpacked, set up and built (once)."""
    if not re.fullmatch(r"[0-9A-Za-z._/-]{1,64}", commit) or commit.startswith("-"):
        raise MeasureError(f"not a commit name: {commit!r}")
    sha = _git("rev-parse", "--verify", "--quiet", f"{commit}^{{commit}}",
               what=f"commit {commit} is not in this repository's history")
    dest = BENCH_DIR / f"base-{commit.replace('/', '_')}"
    stamp = dest / ".bench-ready"
    if not (stamp.exists() and stamp.read_text().strip() == sha):
        if not quiet:
            print(f"baseline: preparing {commit} ({sha[:12]}) in {dest.relative_to(ROOT)}",
                  flush=True)
        _unpack(sha, dest)
        _offline_pio(dest)
        _pio(dest, "run", "-s", "-e", "reference")
        packages = dest / ".bench-packages"
        packages.mkdir(exist_ok=True)
        link = packages / "boardprofile"
        if not link.is_symlink():
            link.symlink_to(dest / "firmware" / "boards")
        (dest / "clock51-sim.py").write_text(
            LAUNCHER.format(root=str(dest), packages=str(packages)))
        subprocess.run([sys.executable, "-m", "compileall", "-q", "sim", "firmware/boards"],
                       cwd=dest, capture_output=True, check=False)
        stamp.write_text(sha + "\n")
    return Build(f"{commit}", dest, [sys.executable, str(dest / "clock51-sim.py")], dest)


def _git(*argv: str, what: str) -> str:
    try:
        proc = subprocess.run(["git", *argv], cwd=ROOT, capture_output=True, text=True,
                              timeout=120)
    except OSError as e:
        raise MeasureError(f"cannot run git ({e.strerror or e}): the baseline needs git "
                           "and this repository's history") from None
    if proc.returncode != 0 or not proc.stdout.strip():
        raise MeasureError(what, detail=proc.stderr)
    return proc.stdout.strip()


def _unpack(sha: str, dest: Path) -> None:
    """``git archive`` of the commit into ``dest`` (whatever was there is replaced)."""
    if dest.exists():
        shutil.rmtree(dest)
    dest.parent.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(dir=dest.parent) as tmp:
        tar = Path(tmp) / "base.tar"
        try:
            subprocess.run(["git", "archive", "--format=tar", "-o", str(tar), sha], cwd=ROOT,
                           check=True, capture_output=True, timeout=300)
        except (OSError, subprocess.CalledProcessError) as e:
            raise MeasureError(f"git archive {sha[:12]} failed") from e
        unpacked = Path(tmp) / "tree"
        with tarfile.open(tar) as t:
            t.extractall(unpacked, filter="data")
        unpacked.rename(dest)


def _offline_pio(dest: Path) -> None:
    """Give the baseline's core dir this checkout's offline tool-scons package."""
    ours = sorted((ROOT / ".pio-core" / "packages").glob("tool-scons*"))
    if not ours:
        raise MeasureError("no offline tool-scons in .pio-core: run make setup first")
    target = dest / ".pio-core" / "packages"
    target.mkdir(parents=True, exist_ok=True)
    for pkg in ours:
        if not (target / pkg.name).exists():
            shutil.copytree(pkg, target / pkg.name, symlinks=True)
