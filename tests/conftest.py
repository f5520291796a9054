"""Session fixtures: the firmware is built once per test session, for every board profile.

Under pytest-xdist (``make test`` runs ``pytest -n auto``) every worker has its own session;
the first worker to get the lock builds every env and leaves the build logs in the run's
shared temporary directory, the others wait for it and reuse them, so ``pio run`` never
runs twice at once on the same build directory.

Translated blocks are cached in ``.pio/cache`` for the tests (not in the user's cache):
random instruction streams would otherwise fill it. Every test gets its own
``$XDG_STATE_HOME`` (created only if used), so ``clock51 sync``'s drift histories never land
in the user's state folder nor pass from one test to another.

Scheduling (``make test`` runs ``pytest -n auto --dist loadgroup``): one worker more than
the machine has cores, because about a fifth of the suite waits on the wall clock (the
end-to-end tests against a simulator paced to real time, uploads, the browser) and a
third worker keeps the cores busy meanwhile; the longest tests start first (``LONG_FIRST``)
so that no worker is left finishing one alone; tests that share a fixture expensive to set
up (a wheel in a fresh venv, Chromium, a copy of the project, programs compiled and run in
s51) run on one worker, which sets it up once (``SHARED_SETUP``: our own ``loadgroup``
scheduler; xdist's, driven by ``xdist_group`` marks, groups nothing under pytest 9.2,
pytest-xdist issue 1386).
"""

from __future__ import annotations

import fcntl
import hashlib
import json
import os
from pathlib import Path

import pytest

from tests.buildsupport import (
    DEBUG_ENVS,
    ENVS,
    ROOT,
    VARIANTS,
    build_variant,
    image_path,
    run_pio,
)

os.environ.setdefault("CLOCK51_CACHE_DIR", str(ROOT / ".pio" / "cache"))


@pytest.fixture(autouse=True)
def _private_state_home(request: pytest.FixtureRequest,
                        tmp_path_factory: pytest.TempPathFactory,
                        monkeypatch: pytest.MonkeyPatch) -> None:
    name = hashlib.sha1(request.node.nodeid.encode()).hexdigest()[:16]
    home = tmp_path_factory.getbasetemp() / "xdg-state" / name
    monkeypatch.setenv("XDG_STATE_HOME", str(home))


def _build_every_env() -> dict[str, str]:
    logs = {name: run_pio("run", "-e", name).stdout for name in (*ENVS, *DEBUG_ENVS)}
    return logs | {name: build_variant(name) for name in VARIANTS}


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
    """env name -> path of its firmware.ihx, built once per session (the debug envs and the
    VARIANTS too)."""
    return {name: image_path(name) for name in build_logs}


# Tests that take longest (wall time, much of it waiting), started first: node id prefixes.
LONG_FIRST = (
    "tests/firmware/test_fuzz.py::test_fuzz_serial[10000]",
    "tests/sim/test_run_crystal.py::test_a_set_from_the_host_that_syncs",  # 2000 s simulated
    "tests/firmware/test_drift.py::test_hourly_fold_keeps_the_temperature_part",
    "tests/firmware/test_drift.py::test_a_fast_crystal_is_stepped_back",
    "tests/test_packaging.py",
    "tests/e2e/test_run_demo.py",
    "tests/e2e/test_isp_upload.py",
    "tests/web/test_browser.py",
    "tests/firmware/test_pio_unit.py",
    "tests/e2e/test_sync_accuracy.py",
    "tests/e2e/test_cli_e2e.py",
    "tests/debug/test_dap_vscode_client.py",
)


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    def rank(item: pytest.Item) -> int:
        for i, prefix in enumerate(LONG_FIRST):
            if item.nodeid.startswith(prefix):
                return i
        return len(LONG_FIRST)

    items.sort(key=rank)  # stable: the rest keep their order


# Tests sharing an expensive module or session fixture: node id prefix -> group; a group's
# tests all go to one worker (with --dist loadgroup), every other test goes where there is room.
SHARED_SETUP = {
    "tests/test_packaging.py": "packaging",              # a wheel installed in a fresh venv
    "tests/web/test_browser.py": "browser",              # one headless Chromium
    "tests/firmware/test_pio_unit.py": "pio-unit",       # a copy of the project
    "tests/diff/test_against_s51.py::test_s51_": "diff-programs",  # compiled, run in s51 once
    "tests/diff/test_against_s51.py::test_program_matches_s51": "diff-programs",
}


def pytest_xdist_make_scheduler(config: pytest.Config, log: object) -> object:
    if config.getvalue("dist") != "loadgroup":
        return None
    from xdist.scheduler import LoadScopeScheduling

    class SharedSetupScheduling(LoadScopeScheduling):
        """Work units: a SHARED_SETUP group, or one test."""

        def _split_scope(self, nodeid: str) -> str:
            for prefix, group in SHARED_SETUP.items():
                if nodeid.startswith(prefix):
                    return group
            return nodeid

    return SharedSetupScheduling(config, log)


def pytest_xdist_auto_num_workers(config: pytest.Config) -> int:
    """``-n auto``: the cores plus one (see the module docstring)."""
    return (os.cpu_count() or 1) + 1
