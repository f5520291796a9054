"""``clock51-sim exec`` exit status: the exit status port (SFR 0xFF) and the cycle budget.

Convention (README "Firmware unit tests"): the port reads 0 after reset; a test program
writes a nonzero value when it starts and 0 only when every test passed, then stops at its
final ``sjmp .``. Exit codes: 0 pass, 1 failure reported / budget exhausted, 2 usage.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from sim.frontends.cli import main
from sim.frontends.exec import EXIT_SFR, run_program

SJMP_SELF = "80FE"


def _mov_exit(value: int) -> str:
    """MOV 0xFF,#value (direct address form: the exit status port)."""
    return f"75{EXIT_SFR:02X}{value:02X}"


def _ihx(tmp_path: Path, code_hex: str) -> Path:
    data = bytes.fromhex(code_hex)
    rec = bytes([len(data), 0, 0, 0]) + data
    p = tmp_path / "prog.ihx"
    p.write_text(f":{rec.hex().upper()}{(-sum(rec)) & 255:02X}\n:00000001FF\n")
    return p


def test_the_port_is_sfr_0xff_and_reads_zero_for_an_ordinary_program():
    assert EXIT_SFR == 0xFF
    res = run_program(bytes.fromhex("7441" + SJMP_SELF))        # MOV A,#41h ; SJMP .
    assert res.reason == "selfjump" and res.status == 0


def test_run_program_reports_the_port_value_at_the_stop():
    res = run_program(bytes.fromhex(_mov_exit(1) + _mov_exit(3) + SJMP_SELF))
    assert res.reason == "selfjump" and res.status == 3


def test_run_program_has_no_status_when_the_budget_runs_out():
    res = run_program(bytes.fromhex(_mov_exit(0) + "0480FD"), max_cycles=500)
    assert res.reason == "max-cycles" and res.status is None


def test_cli_exits_0_when_the_program_cleared_the_port(tmp_path, capsys):
    p = _ihx(tmp_path, _mov_exit(1) + _mov_exit(0) + SJMP_SELF)
    assert main(["exec", str(p)]) == 0
    err = capsys.readouterr().err
    assert "stop: selfjump" in err and "error" not in err


def test_cli_exits_1_with_one_line_when_the_program_reports_failure(tmp_path, capsys):
    p = _ihx(tmp_path, _mov_exit(2) + SJMP_SELF)
    assert main(["exec", str(p)]) == 1
    err = capsys.readouterr().err
    errors = [line for line in err.splitlines() if "error" in line]
    assert errors == ["clock51-sim: error: the program reported failure: exit status 2 "
                      "(SFR 0xFF)"]
    assert "cycles: " in err                                   # the statistics still come


def test_cli_a_test_program_that_stops_before_reporting_fails(tmp_path, capsys):
    # started (port = 1) and stopped without writing its result: not a pass
    p = _ihx(tmp_path, _mov_exit(1) + SJMP_SELF)
    assert main(["exec", str(p)]) == 1
    assert "exit status 1" in capsys.readouterr().err


@pytest.mark.parametrize("port", [0, 1])
def test_cli_exhausted_budget_is_a_failure_in_one_line(tmp_path, capsys, port):
    p = _ihx(tmp_path, _mov_exit(port) + "0480FD")                # INC A ; SJMP back
    assert main(["exec", str(p), "--max-cycles", "2000"]) == 1
    err = capsys.readouterr().err
    errors = [line for line in err.splitlines() if "error" in line]
    assert len(errors) == 1
    assert errors[0].startswith("clock51-sim: error: no final self-jump within 2000 cycles")
    assert "stop: max-cycles" in err


def test_cli_bad_budget_is_a_usage_error(tmp_path, capsys):
    p = _ihx(tmp_path, SJMP_SELF)
    assert main(["exec", str(p), "--max-cycles", "lots"]) == 2  # usage errors return 2
    assert capsys.readouterr().err.splitlines() == [
        "clock51-sim: error: argument --max-cycles: not a number: 'lots' "
        "(see 'clock51-sim exec --help')"]
