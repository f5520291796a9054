"""host/ layering (issue 9): no import circle, sync through the client's public API only,
one exception family, one exit path with the documented codes (Ctrl-C 130)."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

from host import cli, errors
from host.client import Clock
from tests.host.fakeclock import FakeDevice, FakePort, FakeTime

HOST = Path(__file__).resolve().parents[2] / "host"


def imports_of(module: Path) -> set[str]:
    """host.* modules a file imports (at any level, TYPE_CHECKING and functions included)."""
    found = set()
    for node in ast.walk(ast.parse(module.read_text())):
        if isinstance(node, ast.ImportFrom) and node.module:
            names = [node.module] + [f"{node.module}.{a.name}" for a in node.names]
        elif isinstance(node, ast.Import):
            names = [a.name for a in node.names]
        else:
            continue
        found |= {n for n in names if n.startswith("host.") and (HOST / f"{n[5:]}.py").exists()}
    return found


def test_no_import_circle_in_host() -> None:
    graph = {f"host.{f.stem}": imports_of(f) for f in HOST.glob("*.py")}
    state: dict[str, int] = {}

    def visit(name: str, path: list[str]) -> None:
        if state.get(name) == 2:
            return
        assert state.get(name) != 1, "import circle: " + " -> ".join([*path, name])
        state[name] = 1
        for other in graph.get(name, ()):
            visit(other, [*path, name])
        state[name] = 2

    for name in graph:
        visit(name, [])
    assert "host.sync" not in graph["host.client"]


def clock_attributes(module: str) -> set[str]:
    """Every ``clock.X`` a module uses, each checked to be public and to exist."""
    time = FakeTime()
    clock = Clock(FakePort(FakeDevice(time)), time_source=time)
    tree = ast.parse((HOST / module).read_text())
    used = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Attribute) and isinstance(node.value, ast.Name) \
                and node.value.id == "clock":
            used.add(node.attr)
            assert not node.attr.startswith("_") and node.attr != "transport", node.attr
            assert hasattr(clock, node.attr), node.attr
    return used


def test_sync_uses_only_the_clients_public_api() -> None:
    assert {"set_time", "timed_send", "get_time_at", "ping"} <= clock_attributes("sync.py")


def test_learning_uses_only_the_clients_public_api() -> None:
    assert {"drift", "set_drift_rate", "set_drift_id"} <= clock_attributes("learn.py")


def test_the_drift_history_module_is_pure() -> None:
    """host.drift does no I/O but its history file: no clock, port, sync or CLI."""
    assert imports_of(HOST / "drift.py") <= {"host.errors", "host.errors.HistoryError"}


def test_every_error_class_is_one_family() -> None:
    classes = [c for c in vars(errors).values()
               if isinstance(c, type) and issubclass(c, Exception)]
    assert len(classes) >= 7
    assert all(issubclass(c, errors.Clock51Error) for c in classes)
    assert {c.exit_code for c in classes} == {1, 2}


def test_ctrl_c_exits_130_with_one_line(capsys: pytest.CaptureFixture[str]) -> None:
    class Interrupting(FakeTime):
        def sleep_until(self, deadline: float) -> None:
            raise KeyboardInterrupt

    time = Interrupting()
    port = FakePort(FakeDevice(time))

    def open_clock(name: str, baud: int, timeout: float) -> Clock:
        return Clock(port, timeout=timeout, time_source=time)

    code = cli.main(["--port", "X", "sync"], open_clock=open_clock, time_source=time)
    assert code == 130
    assert capsys.readouterr().err == "clock51: error: interrupted\n"
    assert port.closed
