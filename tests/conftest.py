"""Session fixtures: the firmware is built once per test session, for every board profile."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.buildsupport import BUILD_DIR, ENVS, run_pio


@pytest.fixture(scope="session")
def build_logs() -> dict[str, str]:
    """Build every env once; the build output of each."""
    logs = {}
    for name in ENVS:
        logs[name] = run_pio("run", "-e", name).stdout
    return logs


@pytest.fixture(scope="session")
def firmware(build_logs: dict[str, str]) -> dict[str, Path]:
    """env name -> path of its firmware.ihx, built once per session."""
    return {name: BUILD_DIR / name / "firmware.ihx" for name in build_logs}
