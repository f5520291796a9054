"""Helpers for the tests of programs of our own on boards of our own (tests/anyboard)."""

from __future__ import annotations

import dataclasses
from pathlib import Path
from typing import Any

from boardprofile import Profile, load_profile

HERE = Path(__file__).resolve().parent
PROGRAMS = HERE / "programs"
BOARDS = HERE / "boards"


def board(name: str) -> Path:
    """The path of boards/NAME.toml."""
    return BOARDS / f"{name}.toml"


def load(name: str) -> Profile:
    return load_profile(board(name))


def with_part(profile: Profile, table: str, **values: Any) -> Profile:
    """``profile`` with fields of its ``table`` part changed (e.g. an LCD's nibble_resync)."""
    parts = tuple(dataclasses.replace(p, values={**p.values, **values}) if p.type == table
                  else p for p in profile.parts)
    return dataclasses.replace(profile, parts=parts)


def with_mcu(profile: Profile, **values: Any) -> Profile:
    """``profile`` with ``[mcu]`` fields changed (e.g. reset_ms = 0: RST tied low)."""
    return dataclasses.replace(profile, mcu=dataclasses.replace(profile.mcu, **values))


def variant(tmp_path: Path, name: str, old: str, new: str) -> Path:
    """A copy of boards/NAME.toml in ``tmp_path`` with ``old`` replaced by ``new``."""
    text = board(name).read_text()
    assert old in text, old
    path = tmp_path / f"{name}.toml"
    path.write_text(text.replace(old, new, 1))
    return path
