"""``clock51-sim fwprofile`` and ``fwcompare``: where the firmware's time goes (issue 18)."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

import pytest

from sim.measure.fwprofile import main, read_symbols, self_loops

ROOT = Path(__file__).resolve().parents[2]
IMAGE = ROOT / ".pio" / "build" / "reference" / "firmware.ihx"


def _sim(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "sim.frontends.cli", *args], cwd=ROOT,
                          capture_output=True, text=True, timeout=120)


def test_the_profile_charges_instructions_and_pin_edges_to_functions(
        firmware: dict[str, Path], capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["--seconds", "1", "--settle", "1.5"]) == 0
    out = capsys.readouterr().out
    total = re.search(r"per simulated second \(over 1 s\): ([\d,]+) instructions \(([\d,]+) "
                      r"of them delay-loop", out)
    assert total, out
    rows = {m.group(1): m.group(2) for m in re.finditer(r"^(\S+)\s+([\d,]+)\s", out, re.M)}
    # the tick interrupt runs 200 times a second; the DS1302's seconds are read
    assert "timer0_isr" in rows and "main" in rows and "clock_poll" in rows, out
    assert re.search(r"200 interrupts", out)
    edges = re.search(r"pin edges per simulated second: ds1302 ([\d,]+)", out)
    assert edges and int(edges.group(1).replace(",", "")) > 0


def test_static_functions_are_named_from_the_listings(firmware: dict[str, Path]) -> None:
    names = set(read_symbols(IMAGE).names)
    assert {"put_byte", "get_byte", "ow_byte", "take", "main"} <= names  # statics, globals


def test_self_loops_are_the_instructions_that_jump_to_themselves() -> None:
    code = bytes([0x00, 0xDF, 0xFE, 0xD5, 0x83, 0xFD, 0x80, 0xFE, 0x80, 0x02, 0xD8, 0x10])
    assert self_loops(code + bytes(4)) == {1, 3, 6}


@pytest.mark.parametrize("args,message", [
    (["fwprofile", "--seconds", "0"], "--seconds"),
    (["fwprofile", "--get-every", "0.5"], "--get-every"),
    (["fwprofile", "--press", "SET"], "--press"),
    (["fwprofile", "--press", "NOPE@1"], "no key"),
    (["fwcompare", "--runs", "0"], "--runs"),
])
def test_bad_arguments_are_one_line_and_exit_2(firmware: dict[str, Path], args: list[str],
                                               message: str) -> None:
    proc = _sim(*args)
    assert proc.returncode == 2, proc.stderr
    assert proc.stderr.count("\n") == 1 and message in proc.stderr, proc.stderr


def test_an_unknown_reference_revision_is_one_line_and_exit_1(
        firmware: dict[str, Path]) -> None:
    proc = _sim("fwcompare", "--ref", "no-such-revision", "--runs", "1")
    assert proc.returncode == 1
    assert proc.stderr == ("clock51-sim: error: --ref 'no-such-revision' is not a commit "
                           "of this repository\n")
