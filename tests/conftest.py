"""Session fixtures: the firmware is built once per test session, for every board profile.

Under pytest-xdist (``make test`` runs ``pytest -n auto``) every worker has its own session;
the first worker to get the lock builds every env and leaves the build logs in the run's
shared temporary directory, the others wait for it and reuse them, so ``pio run`` never
runs twice at once on the same build directory.

Translated blocks are cached in ``.pio/cache`` for the tests (not in the user's cache):
random instruction streams would otherwise fill it. Every test gets its own
``$XDG_STATE_HOME`` (created only if used), so ``clock51 sync``'s drift histories never land
in the user's state folder nor pass from one test to another.
"""

from __future__ import annotations

import fcntl
import hashlib
import json
import os
from pathlib import Path

import pytest

from tests.buildsupport import BUILD_DIR, DEBUG_ENVS, DEV_ENVS, ENVS, ROOT, run_pio

os.environ.setdefault("CLOCK51_CACHE_DIR", str(ROOT / ".pio" / "cache"))


@pytest.fixture(autouse=True)
def _private_state_home(request: pytest.FixtureRequest,
                        tmp_path_factory: pytest.TempPathFactory,
                        monkeypatch: pytest.MonkeyPatch) -> None:
    name = hashlib.sha1(request.node.nodeid.encode()).hexdigest()[:16]
    home = tmp_path_factory.getbasetemp() / "xdg-state" / name
    monkeypatch.setenv("XDG_STATE_HOME", str(home))


def _build_every_env() -> dict[str, str]:
    return {name: run_pio("run", "-e", name).stdout for name in (*ENVS, *DEBUG_ENVS, *DEV_ENVS)}


@pytest.fixture(scope="session")
def build_logs(tmp_path_factory: pytest.TempPathFactory) -> dict[str, str]:
    """Build every env once; the build output of each."""
    if not os.environ.get("PYTEST_XDIST_WORKER"):  # not under xdist
        return _build_every_env()
    shared = tmp_path_factory.getbasetemp().parent  # one directory per run, all workers
    done = shared / "firmware-build-logs.json"
    with open(shared / "firmware-build.lock", "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        if done.exists():
            return json.loads(done.read_text())
        logs = _build_every_env()
        done.write_text(json.dumps(logs))
        return logs


@pytest.fixture(scope="session")
def firmware(build_logs: dict[str, str]) -> dict[str, Path]:
    """env name -> path of its firmware.ihx, built once per session (the debug envs too)."""
    return {name: BUILD_DIR / name / "firmware.ihx" for name in build_logs}
