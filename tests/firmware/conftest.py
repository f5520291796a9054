"""Fixtures for the firmware-in-simulator system tests: one fresh board per test.

Every board a test builds is checked at teardown: a normal run must break no DS1302 or
HD44780 protocol rule and cause no bus conflict (``Board.violations()`` empty), and the
UART must have taken every byte the host sent (``UartBridge.rx_lost`` empty: a byte is only
refused when the previous one is still unread a whole frame later, i.e. the serial interrupt
was held off for more than ~1 ms).

CLOCK51_FW_BUILD=<dir> makes the tests use images already built in <dir>/<env>/ (e.g. a
copy of .pio/build) instead of running ``pio run``; unset, the session builds every env.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from tests.buildsupport import ENVS, VARIANTS, image_path
from tests.firmware.clockdriver import Clock

ALL_ENVS = list(ENVS)


if os.environ.get("CLOCK51_FW_BUILD"):
    @pytest.fixture(scope="session")
    def firmware() -> dict[str, Path]:
        """Images already built elsewhere: $CLOCK51_FW_BUILD/<env>/firmware.ihx (no pio run)."""
        base = Path(os.environ["CLOCK51_FW_BUILD"])
        return {name: image_path(name, base) for name in (*ENVS, *VARIANTS)}


@pytest.fixture
def make_clock(firmware: dict[str, Path]) -> Iterator[Callable[[str], Clock]]:
    """A factory: make_clock(env) -> an unbooted Clock; violations checked at teardown."""
    made: list[Clock] = []

    def make(env: str = "reference") -> Clock:
        c = Clock(env, firmware[env])
        made.append(c)
        return c

    yield make
    found = [f"{c.env} {v}" for c in made for v in c.violations()]
    lost = [f"{c.env} board#{i}: byte {b:#04x} at cycle {cyc}"
            for c in made for i, board in enumerate(c.boards)
            for cyc, b in board.uart.rx_lost]
    assert not found, "protocol violations:\n" + "\n".join(found[:20])
    assert not lost, "received bytes lost (UART overrun):\n" + "\n".join(lost[:10])


@pytest.fixture(params=ALL_ENVS)
def env(request: pytest.FixtureRequest) -> str:
    """The board profiles, for behaviour that does not depend on the board."""
    return request.param


@pytest.fixture
def clock(make_clock: Callable[[str], Clock]) -> Clock:
    """An unbooted clock on the reference board."""
    return make_clock("reference")
