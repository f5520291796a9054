"""Saved device state: declared once per model (sim.devices._state), versioned, validated.

Every model saves a JSON-able dict with its state version and restores it exactly; a dict
that is not such a state (wrong version, a field missing or unknown, a wrong type, range or
list length) is a one-line ``StateError`` naming the field, and leaves the model as it was.
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Callable
from typing import Any

import pytest

from sim.bus.pins import PortBus
from sim.bus.scheduler import Scheduler
from sim.devices._bytelog import ByteLog
from sim.devices._state import Stateful
from sim.devices.buzzer import Buzzer
from sim.devices.ds1302 import DS1302
from sim.devices.hd44780 import HD44780
from sim.devices.keys import Keys
from sim.devices.uart import UartBridge
from sim.errors import StateError

CPS = 921_600


def ds1302() -> DS1302:
    chip = DS1302(PortBus(), "P3.5", "P3.6", "P3.4")
    chip.set_datetime(dt.datetime(2024, 5, 17, 13, 45, 30), cycle=0)
    return chip


def lcd() -> HD44780:
    return HD44780(PortBus(), "P2.6", "P2.5", "P2.7", "P0")


def keys() -> Keys:
    k = Keys(PortBus(), Scheduler(), bounce_ms=0)
    for i, name in enumerate(("SET", "UP")):
        k.add(name, f"P1.{i}")
    return k


def buzzer() -> Buzzer:
    return Buzzer(PortBus(), "P2.3", "low")


class _Cpu:
    on_uart_tx: Any = None

    def uart_rx(self, byte: int, cycle: int) -> bool:
        return True


def uart() -> UartBridge:
    sched = Scheduler()
    bridge = UartBridge(None, sched)
    bridge.attach(_Cpu())
    bridge.inject(b"GET\r\n", 0)
    sched.fire_due(2000)
    bridge.on_tx(ord("O"), 2500)
    return bridge


MODELS: dict[str, Callable[[], Stateful]] = {
    "ds1302": ds1302, "lcd": lcd, "keys": keys, "buzzer": buzzer, "uart": uart}


def load(model: Stateful, state: Any) -> None:
    model.from_state(state, 0)


@pytest.mark.parametrize("name", MODELS)
def test_every_model_round_trips_through_json_with_its_version(name: str) -> None:
    model = MODELS[name]()
    saved = json.loads(json.dumps(model.to_state()))
    assert saved["version"] == type(model).STATE_VERSION
    other = MODELS[name]()
    load(other, saved)
    assert other.to_state() == model.to_state()


@pytest.mark.parametrize("name", MODELS)
def test_every_field_is_declared_once_and_saved(name: str) -> None:
    model = MODELS[name]()
    keys = [attr.lstrip("_") for attr, _ in type(model).STATE_FIELDS]
    assert len(keys) == len(set(keys))
    assert sorted(model.to_state()) == sorted(["version", *keys])


@pytest.mark.parametrize("name", MODELS)
def test_a_state_without_a_version_is_read_as_version_1(name: str) -> None:
    model = MODELS[name]()
    saved = model.to_state()
    del saved["version"]
    other = MODELS[name]()
    cls = type(model)
    if cls.STATE_VERSION == 1:
        load(other, saved)
        assert other.to_state() == model.to_state()
    elif 1 in cls.STATE_READS:  # it reads version 1, and a later layout is not that
        with pytest.raises(StateError, match=r"^\w+\.\w+: unknown field in a version 1 "
                           "state$"):
            load(other, saved)
    else:
        with pytest.raises(StateError, match="state version 1 is not supported"):
            load(other, saved)


@pytest.mark.parametrize("name", MODELS)
@pytest.mark.parametrize("version", [0, 99, "1", True, None])
def test_an_unknown_version_is_one_line_naming_the_model(name: str, version: Any) -> None:
    model = MODELS[name]()
    saved = model.to_state()
    saved["version"] = version
    with pytest.raises(StateError) as e:
        load(MODELS[name](), saved)
    assert str(e.value).startswith(f"{type(model).STATE_NAME}: state version ")
    assert "\n" not in str(e.value)


# (model, field, bad value, message fragment)
BAD = [
    ("ds1302", "regs", [0, 0], "ds1302.regs: expected a list of 7 integers, got 2 items"),
    ("ds1302", "regs", [0, 0, 0, 0, 0, 0, 256], "ds1302.regs[6]: expected an integer 0-255"),
    ("ds1302", "regs", "0000000", "ds1302.regs: expected a list"),
    ("ds1302", "ram", [0] * 30, "ds1302.ram: expected a list of 31 integers, got 30 items"),
    ("ds1302", "control", True, "ds1302.control: expected an integer 0-255, got True"),
    ("ds1302", "control", 1.5, "ds1302.control: expected an integer 0-255, got 1.5"),
    ("ds1302", "sub", CPS, "ds1302.sub: 921600 cycles is a second or more"),
    ("ds1302", "sub", -1, "ds1302.sub: expected an integer >= 0"),
    ("ds1302", "phase", "dancing", "ds1302.phase: expected one of idle, command, read"),
    ("ds1302", "battery", 1, "ds1302.battery: expected true or false, got 1"),
    ("ds1302", "buffer", [], "ds1302.buffer: expected a list of 7 integers, got 0 items"),
    ("ds1302", "written", [0] * 32, "ds1302.written: expected a list of 0-31 integers"),
    ("ds1302", "violations", [{"cycle": 1}], "ds1302.violations[0].kind: missing field"),
    ("ds1302", "ce_fall_cycle", "x", "ds1302.ce_fall_cycle: expected an integer or null"),
    ("lcd", "ddram", [32] * 79, "lcd.ddram: expected a list of 80 integers, got 79 items"),
    ("lcd", "cgram", [0] * 65, "lcd.cgram: expected a list of 64 integers, got 65 items"),
    ("lcd", "ac", 128, "lcd.ac: expected an integer 0-127, got 128"),
    ("lcd", "rs", 2, "lcd.rs: expected an integer 0-1, got 2"),
    ("keys", "keys", {"SET": {"pressed": False, "transition": 0}},
     "keys.keys: the state has keys SET; this board has SET, UP"),
    ("keys", "keys", {"SET": {"pressed": 0, "transition": 0},
                      "UP": {"pressed": False, "transition": 0}},
     "keys.keys.SET.pressed: expected true or false, got 0"),
    ("buzzer", "sounds", [{"start": 0, "end": None, "rises": 0, "last_rise": 0}],
     "buzzer.sounds[0].rises: expected an integer >= 1, got 0"),
    ("uart", "tx_log", {"total": 1, "cycles": [1, 2], "bytes": [3]},
     "uart.tx_log: expected {total, cycles, bytes} with as many cycles as bytes"),
    ("uart", "queue", [300], "uart.queue[0]: expected an integer 0-255, got 300"),
]


@pytest.mark.parametrize(("name", "field", "value", "message"), BAD,
                         ids=[f"{n}.{f}-{i}" for i, (n, f, _, _) in enumerate(BAD)])
def test_a_bad_field_is_one_line_and_leaves_the_model_unchanged(
        name: str, field: str, value: Any, message: str) -> None:
    saved = MODELS[name]().to_state()
    saved[field] = value
    target = MODELS[name]()
    target_before = target.to_state()
    with pytest.raises(StateError) as e:
        load(target, saved)
    assert str(e.value).startswith(message), str(e.value)
    assert "\n" not in str(e.value)
    assert target.to_state() == target_before


@pytest.mark.parametrize("name", MODELS)
def test_a_missing_or_unknown_field_is_named(name: str) -> None:
    saved = MODELS[name]().to_state()
    first = next(k for k in saved if k != "version")
    missing = {k: v for k, v in saved.items() if k != first}
    with pytest.raises(StateError, match=rf"^\w+\.{first}: missing field$"):
        load(MODELS[name](), missing)
    with pytest.raises(StateError, match=r"^\w+\.colour: unknown field$"):
        load(MODELS[name](), {**saved, "colour": "red"})
    with pytest.raises(StateError, match=r"^\w+: expected an object, got \[\]$"):
        load(MODELS[name](), [])


def test_the_ds1302_keeps_running_from_a_restored_state() -> None:
    chip = ds1302()
    other = DS1302(PortBus(), "P3.5", "P3.6", "P3.4")
    other.from_state(json.loads(json.dumps(chip.to_state())))
    assert other.datetime_at(90 * CPS) == dt.datetime(2024, 5, 17, 13, 47, 0)


def test_the_uart_logs_survive_a_round_trip_with_their_totals() -> None:
    bridge = uart()
    other = UartBridge(None, Scheduler())
    other.from_state(json.loads(json.dumps(bridge.to_state())))
    assert other.rx_log == bridge.rx_log == [(960, ord("G")), (1920, ord("E"))]
    assert other.rx_log.total == 2 and other.pending == 3  # "T\r\n" still on its way
    assert list(other.tx_log) == [(2500, ord("O"))]
    assert isinstance(other.tx_log, ByteLog)
