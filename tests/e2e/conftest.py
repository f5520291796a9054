"""End-to-end fixtures: the simulated reference clock as a subprocess (helpers in rig.py)."""

from __future__ import annotations

import socket
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.e2e.rig import SimProcess, start_sim


@pytest.fixture(scope="session")
def reference_ihx(firmware: dict[str, Path]) -> Path:
    return firmware["reference"]


@pytest.fixture(scope="module", params=["pty", "tcp"])
def sim(request: pytest.FixtureRequest, reference_ihx: Path) -> Iterator[SimProcess]:
    """A simulated reference clock on a pty or on a loopback TCP port (one per module)."""
    spec = "pty" if request.param == "pty" else "tcp:0"
    running = start_sim(reference_ihx, spec)
    try:
        yield running
    finally:
        running.stop()


@pytest.fixture
def listener() -> Iterator[socket.socket]:
    """A loopback TCP server nobody serves (non-blocking accept)."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as srv:
        srv.bind(("127.0.0.1", 0))
        srv.listen(1)
        srv.setblocking(False)
        yield srv
