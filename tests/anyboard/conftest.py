"""Programs of our own that are not the clock (tests/anyboard/programs/*.c), each built once
per session with SDCC; the boards they run on are tests/anyboard/boards/*.toml."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest

from tests.buildsupport import sdcc_build

PROGRAMS = Path(__file__).resolve().parent / "programs"


@pytest.fixture(scope="session")
def program(tmp_path_factory: pytest.TempPathFactory) -> Callable[[str], Path]:
    """program("lcd4_early") -> the .ihx of programs/lcd4_early.c, built once."""
    built: dict[str, Path] = {}
    out = tmp_path_factory.mktemp("anyboard")

    def get(name: str) -> Path:
        if name not in built:
            built[name] = sdcc_build(PROGRAMS / f"{name}.c", out / name)
        return built[name]

    return get
