"""Prepare PlatformIO for offline use inside the checkout (core_dir = .pio-core).

PlatformIO 6 insists on its core package ``tool-scons`` (~4.41101.0, i.e. SCons 4.11.1) and
would download it from its registry. This script builds that package from the SCons wheel on
PyPI instead and installs it into the project's core dir:

1. unpack the scons==4.11.1 wheel into a folder,
2. add scons.py (runs SCons.Script.main()) and package.json
   {"name": "tool-scons", "version": "4.41101.0"},
3. `pio pkg install -g -t file://FOLDER`,
4. mark the installed package as PlatformIO's own ("owner": "platformio" in the spec of its
   .piopm), without which PlatformIO still asks the registry.

Idempotent: does nothing when the package is already installed and marked.
Usage: python tools/pio_offline.py  (run with the venv's python, pio on PATH or beside it)
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import tempfile
import zipfile
from pathlib import Path

SCONS_VERSION = "4.11.1"
PKG_VERSION = "4.41101.0"
ROOT = Path(__file__).resolve().parent.parent
CORE_DIR = ROOT / ".pio-core"


def pio() -> str:
    local = Path(sys.executable).with_name("pio")
    return str(local) if local.exists() else "pio"


def installed_piopm() -> Path | None:
    pkg_root = CORE_DIR / "packages"
    for d in sorted(pkg_root.glob("tool-scons*")) if pkg_root.exists() else []:
        pm = d / ".piopm"
        if pm.exists():
            meta = json.loads(pm.read_text())
            if meta.get("version") == PKG_VERSION:
                return pm
    return None


def mark_owner(pm: Path) -> None:
    meta = json.loads(pm.read_text())
    spec = meta.setdefault("spec", {})
    if spec.get("owner") != "platformio":
        spec["owner"] = "platformio"
        spec["name"] = "tool-scons"
        pm.write_text(json.dumps(meta))


def drop_foreign_platform_link() -> None:
    """platformio.ini names the dev-platform as symlink://firmware/platform, which PlatformIO
    records with the directory it was first installed from. A link made from another copy
    of the project would build with that copy's builder: remove it so pio links this one."""
    for link in (CORE_DIR / "platforms").glob("*.pio-link"):
        try:
            cwd = json.loads(link.read_text()).get("cwd")
        except ValueError:
            cwd = None
        if cwd is None or Path(cwd).resolve() != ROOT:
            link.unlink()


def main() -> int:
    drop_foreign_platform_link()
    pm = installed_piopm()
    if pm is not None:
        mark_owner(pm)
        print(f"tool-scons {PKG_VERSION}: already installed in {CORE_DIR.name}")
        return 0
    env = dict(os.environ, PLATFORMIO_CORE_DIR=str(CORE_DIR))
    with tempfile.TemporaryDirectory() as tmp:
        tmpd = Path(tmp)
        subprocess.run([sys.executable, "-m", "pip", "download", "--no-deps", "--only-binary",
                        ":all:", "-q", "-d", str(tmpd), f"scons=={SCONS_VERSION}"], check=True)
        wheel = next(tmpd.glob("scons-*.whl"))
        pkg = tmpd / "tool-scons"
        with zipfile.ZipFile(wheel) as z:
            z.extractall(pkg)
        for junk in pkg.glob("*.dist-info"):
            shutil.rmtree(junk)
        (pkg / "scons.py").write_text(
            "import sys\n\nimport SCons.Script\n\n"
            "if __name__ == '__main__':\n    sys.exit(SCons.Script.main())\n"
        )
        (pkg / "package.json").write_text(json.dumps({
            "name": "tool-scons",
            "version": PKG_VERSION,
            "description": f"SCons {SCONS_VERSION} from PyPI, packaged for offline PlatformIO",
        }))
        subprocess.run([pio(), "pkg", "install", "-g", "-t", f"file://{pkg}"], check=True,
                       env=env)
    pm = installed_piopm()
    if pm is None:
        print("error: tool-scons did not install", file=sys.stderr)
        return 1
    mark_owner(pm)
    print(f"tool-scons {PKG_VERSION}: installed from the SCons {SCONS_VERSION} wheel")
    return 0


if __name__ == "__main__":
    sys.exit(main())
