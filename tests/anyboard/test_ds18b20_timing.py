"""A DS18B20 written right after its presence pulse (programs/ds18b20_early.c: the first
slot about 180 us after the reset's release, where the datasheet asks for 480 us): a
typical part has let go of the line by then and answers; the datasheet's slowest part
(presence 60 us after the release, 240 us long) still holds it, the first bits are lost
and the reading is garbage. Either way the model records the broken rule (tRSTH)."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest

from sim.machine.board import Board
from tests.anyboard.support import board


def run(program: Path, timing: str) -> tuple[bytes, Board]:
    b = Board(board("thermo"), program, timing=timing, temperature=20.0)
    b.run_for(1.2)
    return bytes(x for _, x in b.uart.tx_log), b


def test_a_typical_sensor_answers_a_master_that_writes_right_after_presence(
        program: Callable[[str], Path]) -> None:
    sent, b = run(program("ds18b20_early"), "typical")
    assert sent == b"T=0140\r\n"  # +20.0 C
    kinds = [(r.part, r.violation.kind) for r in b.violation_records()]
    assert kinds == [("ds18b20", "tRSTH")] * 2  # both resets: slot < 480 us after release
    v = b.violation_records()[0].violation
    assert v.detail.startswith("slot 180.1 us after the reset's release")
    assert v.required == "the first slot >= 480 us after the reset pulse ends (tRSTH)"


def test_the_slowest_sensor_the_datasheet_allows_loses_the_first_bits(
        program: Callable[[str], Path]) -> None:
    sent, b = run(program("ds18b20_early"), "strict")
    assert sent == b"T=FFFF\r\n"  # no command understood: read slots return ones
    kinds = {r.violation.kind for r in b.violation_records()}
    assert {"tRSTH", "protocol"} <= kinds
    assert any("unknown ROM command" in r.violation.detail for r in b.violation_records())


@pytest.mark.parametrize(("timing", "wait_us", "low_us"), [
    ("typical", 30.0, 120.0), ("strict", 60.0, 240.0)])
def test_the_presence_pulse_follows_the_timing_mode(timing: str, wait_us: float,
                                                    low_us: float) -> None:
    b = Board(board("thermo"), bytes.fromhex("80FE"), timing=timing)
    sensor = b.thermo
    assert sensor.presence_wait == sensor._cycles(wait_us)
    assert sensor.presence_len == sensor._cycles(low_us)
