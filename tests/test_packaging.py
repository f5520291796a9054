"""The distribution: every package listed, a wheel from the standard build front end, and the
two commands working from a fresh venv outside the checkout; the layers import downwards.
"""

from __future__ import annotations

import ast
import os
import subprocess
import sys
import time
import tomllib
import venv
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
PYPROJECT = tomllib.loads((ROOT / "pyproject.toml").read_text())


def _package_dirs() -> dict[str, Path]:
    """Import name -> folder, for every package in the checkout the wheel must carry."""
    found = {"boardprofile": ROOT / "firmware" / "boards"}
    for top in ("sim", "host"):
        for init in sorted((ROOT / top).rglob("__init__.py")):
            rel = init.parent.relative_to(ROOT)
            found[".".join(rel.parts)] = init.parent
    return found


def test_every_package_in_the_checkout_is_listed_for_the_wheel() -> None:
    listed = set(PYPROJECT["tool"]["setuptools"]["packages"])
    missing = set(_package_dirs()) - listed
    assert not missing, f"add to [tool.setuptools] packages: {sorted(missing)}"


def _imports(path: Path) -> set[str]:
    tree = ast.parse(path.read_text())
    out: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            out.update(a.name for a in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and not node.level:
            out.add(node.module)
    return out


# Folder -> the project packages its modules may import (lower layers only).
ALLOWED = {
    "boardprofile": {"boardprofile"},
    "sim.bus": {"sim.errors", "sim.bus"},
    "sim.cpu": {"sim.errors", "sim.cpu", "sim.bus"},
    "sim.devices": {"sim.errors", "sim.devices", "sim.bus", "boardprofile"},
    "sim.machine": {"sim.errors", "sim.bus", "sim.cpu", "sim.devices", "sim.machine",
                    "boardprofile"},
    "sim.debug": {"sim.errors", "sim.bus", "sim.cpu", "sim.devices", "sim.machine",
                  "sim.debug", "boardprofile"},
    "host": {"host"},
}


@pytest.mark.parametrize("layer", sorted(ALLOWED))
def test_lower_layers_never_import_the_layers_above_them(layer: str) -> None:
    allowed = ALLOWED[layer]
    folder = _package_dirs()[layer]
    bad = []
    for path in sorted(folder.glob("*.py")):
        for mod in _imports(path):
            if mod.split(".")[0] not in ("sim", "host", "boardprofile"):
                continue
            if mod == "sim" or not any(mod == a or mod.startswith(a + ".") for a in allowed):
                bad.append(f"{path.relative_to(ROOT)} imports {mod}")
    assert not bad, "\n".join(bad)


def test_the_simulator_never_reads_our_firmwares_own_settings() -> None:
    """boardprofile.firmware ([firmware] of a profile) is for our build only: a board in the
    simulator is its hardware, whatever program runs on it."""
    bad = [f"{p.relative_to(ROOT)} imports {m}"
           for p in sorted((ROOT / "sim").rglob("*.py"))
           for m in _imports(p) if m == "boardprofile.firmware"]
    assert not bad, "\n".join(bad)


def test_the_firmware_build_never_imports_the_simulator() -> None:
    bad = [f"{p.relative_to(ROOT)} imports {m}"
           for p in sorted((ROOT / "firmware").rglob("*.py"))
           for m in _imports(p) if m == "sim" or m.startswith("sim.")]
    assert not bad, "\n".join(bad)


@pytest.fixture(scope="module")
def installed(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A wheel built with `python -m build` (an sdist first, then the wheel from it, so the
    sdist must carry everything and nothing is written into the checkout), installed with
    its dependencies into a fresh venv outside the checkout; the venv's bin folder. (The
    installer is this venv's pip, pointed at the new one with --python: the new venv needs
    no pip of its own, and nothing is byte-compiled ahead: 7 s less, the same install.)"""
    work = tmp_path_factory.mktemp("dist")
    env = {k: v for k, v in os.environ.items() if k not in ("PYTHONPATH", "VIRTUAL_ENV")}
    built = subprocess.run([sys.executable, "-m", "build", "--outdir", str(work / "dist"),
                            str(ROOT)], capture_output=True, text=True, env=env, timeout=600)
    assert built.returncode == 0, built.stdout[-3000:] + built.stderr[-3000:]
    wheels = sorted((work / "dist").glob("clock51-*.whl"))
    assert len(wheels) == 1, wheels
    venv.create(work / "venv", with_pip=False)
    bindir = work / "venv" / "bin"
    pip = subprocess.run([sys.executable, "-m", "pip", "--python", str(bindir / "python"),
                          "install", "-q", "--no-compile", str(wheels[0])],
                         capture_output=True, text=True, env=env, cwd=work, timeout=600)
    assert pip.returncode == 0, pip.stdout[-3000:] + pip.stderr[-3000:]
    return bindir


def _run(bindir: Path, *argv: str) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if k not in ("PYTHONPATH", "VIRTUAL_ENV")}
    return subprocess.run([str(bindir / argv[0]), *argv[1:]], capture_output=True, text=True,
                          env=env, cwd=bindir.parent.parent, timeout=120)


def test_installed_clock51_answers_help_outside_the_checkout(installed: Path) -> None:
    proc = _run(installed, "clock51", "--help")
    assert proc.returncode == 0, proc.stderr
    assert "usage: clock51" in proc.stdout


def test_installed_simulator_runs_a_board_from_its_packaged_profile(
        installed: Path, firmware: dict[str, Path]) -> None:
    proc = _run(installed, "clock51-sim", "run", "--board", "reference",
                str(firmware["reference"]), "--rtc", "2026-11-24 12:05:31", "--for", "2",
                "--headless", "--lcd-text")
    assert proc.returncode == 0, proc.stderr
    lines = proc.stdout.splitlines()[-2:]
    assert lines[0].startswith("2026-11-24"), lines
    assert lines[1].startswith("12:05:33"), lines


def test_installed_package_reads_nothing_from_the_checkout(installed: Path) -> None:
    code = ("import boardprofile, sim, host; "
            "print(boardprofile.__file__); print(sim.__file__); print(host.__file__); "
            "print(len(boardprofile.all_profiles()))")
    proc = _run(installed, "python", "-c", code)
    assert proc.returncode == 0, proc.stderr
    *files, count = proc.stdout.split()
    assert all(str(ROOT) not in f for f in files), files
    assert int(count) >= 3


def test_installed_simulator_without_an_image_says_how_to_give_one(installed: Path) -> None:
    proc = _run(installed, "clock51-sim", "run", "--board", "reference", "--for", "1",
                "--headless")
    assert proc.returncode == 1
    assert proc.stderr.count("\n") == 1 and "clock51-sim: error:" in proc.stderr
    assert "firmware.ihx" in proc.stderr


def test_installed_simulator_serves_the_browser_view_from_its_package_data(
        installed: Path, firmware: dict[str, Path]) -> None:
    from urllib.request import urlopen

    from tests.e2e.rig import read_line_before

    env = {k: v for k, v in os.environ.items() if k not in ("PYTHONPATH", "VIRTUAL_ENV")}
    proc = subprocess.Popen([str(installed / "clock51-sim"), "run", str(firmware["reference"]),
                             "--web", "0", "--headless", "--for", "4"],
                            cwd=installed.parent.parent, env=env, stdin=subprocess.DEVNULL,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        url = read_line_before(proc, time.monotonic() + 60).removeprefix("web: ")
        for path in ("", "static/app.js", "static/style.css"):
            with urlopen(url + path, timeout=10) as resp:
                assert resp.status == 200 and resp.read(), path
    finally:
        assert proc.wait(timeout=60) == 0, proc.stderr.read() if proc.stderr else ""
        for pipe in (proc.stdout, proc.stderr):
            if pipe is not None:
                pipe.close()
