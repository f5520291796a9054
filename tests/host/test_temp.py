"""`clock51 temp` and the TEMP reply (fake port, fake time)."""

from __future__ import annotations

import pytest

from host import cli
from host import protocol as p
from host.errors import DeviceError, ProtocolError
from tests.host.test_cli import Bench, one_error_line


@pytest.fixture
def bench(capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch) -> Bench:
    monkeypatch.delenv(cli.ENV_PORT, raising=False)
    return Bench(capsys)


@pytest.mark.parametrize(("payload", "value"), [
    ("TEMP 23.5", 23.5), ("TEMP -0.5", -0.5), ("TEMP -10.5", -10.5), ("TEMP -55.0", -55.0),
    ("TEMP 0.0", 0.0), ("TEMP 125.0", 125.0), ("temp none", None), ("TEMP NONE", None)])
def test_temp_reply_decodes_to_degrees_or_none(payload: str, value: float | None) -> None:
    assert p.req_temp() == "TEMP"
    assert p.decode_temp(payload) == value


@pytest.mark.parametrize("payload", ["TEMP", "TEMP 23", "TEMP 23.55", "TEMP +5.0",
                                     "TEMP 125.1", "TEMP -55.5", "TEMP 1234.0", "HOURS 24",
                                     "TEMP 23.5 C"])
def test_malformed_or_impossible_temp_reply_is_a_protocol_error(payload: str) -> None:
    with pytest.raises(ProtocolError):
        p.decode_temp(payload)


def test_err_sensor_is_a_device_error_with_an_explanation() -> None:
    with pytest.raises(DeviceError, match="no valid reading"):
        p.parse_reply(b"ERR sensor*73")


def test_temp_prints_degrees(bench: Bench) -> None:
    bench.device.temp = -7.5
    assert bench.run("--port", "X", "temp") == (0, "-7.5 C\n", "")
    assert bench.device.lines[-1][1].startswith(b"TEMP#")    # with the CRC-16 check


def test_temp_without_a_sensor_is_one_line_exit_1(bench: Bench) -> None:
    bench.device.temp = None
    code, out, err = bench.run("--port", "X", "temp")
    assert (code, out) == (1, "")
    assert "no DS18B20" in one_error_line(err)


@pytest.mark.parametrize(("state", "words"), [("err", "ERR sensor"), ("busy", "ERR busy")])
def test_temp_sensor_error_is_one_line_exit_1(bench: Bench, state: str, words: str) -> None:
    bench.device.temp = state
    code, out, err = bench.run("--port", "X", "temp")
    assert (code, out) == (1, "")
    assert words in one_error_line(err)
