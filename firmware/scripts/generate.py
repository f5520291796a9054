"""Render firmware/templates/*.j2 for one board profile into a build directory.

Every rendered file starts with a DO-NOT-EDIT banner naming its template and the profile.
The output directory holds exactly what the templates produce: a file no template produces
any more is removed, so no stale header survives a profile or template change. Files whose
content did not change are not rewritten (their timestamps stay, nothing rebuilds).

Used by the PlatformIO pre-build script (pio_pre.py) and by the tests.
"""

from __future__ import annotations

import datetime as dt
import importlib
import importlib.util
import os
import sys
from pathlib import Path
from typing import Any

FIRMWARE_DIR = Path(__file__).resolve().parent.parent
PROJECT_DIR = FIRMWARE_DIR.parent
TEMPLATES_DIR = FIRMWARE_DIR / "templates"
TOOLS_DIR = FIRMWARE_DIR / "tools"
BOARDS_DIR = FIRMWARE_DIR / "boards"


def _boardprofile() -> Any:
    """The ``boardprofile`` package of this checkout (firmware/boards), installed or not.

    The build reads the profiles next to the sources it builds; it never imports the
    simulator.
    """
    mod = sys.modules.get("boardprofile")
    if mod is not None and Path(mod.__file__ or "").resolve().parent == BOARDS_DIR:
        return mod
    spec = importlib.util.spec_from_file_location(
        "boardprofile", BOARDS_DIR / "__init__.py",
        submodule_search_locations=[str(BOARDS_DIR)])
    assert spec and spec.loader
    mod = importlib.util.module_from_spec(spec)
    sys.modules["boardprofile"] = mod
    spec.loader.exec_module(mod)
    return mod


import jinja2  # noqa: E402

_bp = _boardprofile()
Pin = _bp.Pin
Profile = _bp.Profile
ProfileError = _bp.ProfileError
load_profile = _bp.load_profile
importlib.import_module("boardprofile.firmware")
firmware_config = sys.modules["boardprofile.firmware"].firmware_config


def load_firmware(profile_path: str | Path) -> Any:
    """The profile as our firmware build needs it (``boardprofile.firmware.Firmware``):
    its hardware and its ``[firmware]`` table; ProfileError if our firmware cannot be made
    for the board."""
    return firmware_config(load_profile(profile_path))

VERSION = "0.1.0"


def build_date() -> dt.datetime:
    """The build's date: SOURCE_DATE_EPOCH (UTC) if set, else today, at 00:00."""
    epoch = os.environ.get("SOURCE_DATE_EPOCH")
    if epoch:
        d = dt.datetime.fromtimestamp(int(epoch), tz=dt.UTC).replace(tzinfo=None)
    else:
        d = dt.datetime.now()
    return d.replace(hour=0, minute=0, second=0, microsecond=0)


def sbit(pin: Pin) -> str:
    """SDCC's <8052.h> name of a port pin: (2, 6) -> P2_6."""
    return f"P{pin[0]}_{pin[1]}"


def _rel(path: Path) -> Path:
    path = path.resolve()
    try:
        return path.relative_to(PROJECT_DIR)
    except ValueError:
        return path


def banner(template: str, profile: Any, comment: str,
           templates_dir: Path = TEMPLATES_DIR) -> str:
    text = (f"DO NOT EDIT: generated from {_rel(templates_dir) / template} for board profile "
            f"{_rel(profile.path)}. Edit the template or the profile and rebuild.")
    if comment == "c":
        return f"/* {text} */"
    return f"# {text}"


def _tool_data(module: str, func: str) -> Any:
    """Template data from firmware/tools/<module>.py's <func>(), None if there is no tool."""
    path = TOOLS_DIR / f"{module}.py"
    if not path.exists():
        return None
    spec = importlib.util.spec_from_file_location(f"clock51_{module}", path)
    assert spec and spec.loader
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    return getattr(mod, func)()


def _lunar_data() -> Any:
    """Data for the lunar-calendar table (firmware/tools/lunartable.py, lunardate)."""
    return _tool_data("lunartable", "lunar_table")


def _solar_data() -> Any:
    """Data for the solar-term table and the festival names (firmware/tools/solartable.py,
    from the committed term days: no astronomy package at build time)."""
    return _tool_data("solartable", "build_table")


def render(profile_path: str | Path, out_dir: str | Path,
           when: dt.datetime | None = None, *, templates_dir: str | Path = TEMPLATES_DIR,
           extra: dict[str, Any] | None = None) -> list[Path]:
    """Render every template for the profile into ``out_dir``; returns the files written.

    The templates see ``p`` (and ``profile``): the board as our firmware needs it
    (``boardprofile.firmware.Firmware``: the hardware and the ``[firmware]`` settings).
    ``templates_dir`` and ``extra`` (more template variables) serve other template sets,
    e.g. the unit tests' expected values (firmware/test/templates, pio_test_pre.py)."""
    profile = load_firmware(profile_path)
    templates_dir = Path(templates_dir)
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    env = jinja2.Environment(
        loader=jinja2.FileSystemLoader(str(templates_dir)),
        undefined=jinja2.StrictUndefined,
        keep_trailing_newline=True,
    )
    stamp = when or build_date()
    context = {
        "p": profile,
        "profile": profile,
        "version": VERSION,
        "build": stamp,
        "sbit": sbit,
        "lunar": _lunar_data(),
        "solar": _solar_data(),
        **(extra or {}),
    }
    produced: list[Path] = []
    for tpl in sorted(templates_dir.glob("*.j2")):
        target = out / tpl.name[: -len(".j2")]
        kind = "c" if target.suffix in (".c", ".h") else "#"
        note = banner(tpl.name, profile, kind, templates_dir)
        text = env.get_template(tpl.name).render(banner=note, **context)
        if not text.lstrip().startswith(("/* DO NOT EDIT", "# DO NOT EDIT")):
            text = note + "\n" + text
        if not target.exists() or target.read_text() != text:
            target.write_text(text)
        produced.append(target)
    for stale in out.iterdir():
        if stale.is_file() and stale not in produced:
            stale.unlink()
    return produced


if __name__ == "__main__":  # python firmware/scripts/generate.py PROFILE OUTDIR
    for f in render(sys.argv[1], sys.argv[2]):
        print(f)
