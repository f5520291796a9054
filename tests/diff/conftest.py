"""Fixtures for the differential tests: the C programs are compiled once per session."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.diff.build import PROGRAMS, compile_program, sdcc_path


@pytest.fixture(scope="session")
def compiled(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    """name -> .ihx of every program in PROGRAMS, compiled once per session."""
    if sdcc_path() is None:
        pytest.skip("sdcc not on PATH")
    out = tmp_path_factory.mktemp("diff-programs")
    return {name: compile_program(name, out, extra) for name, extra in PROGRAMS.items()}
