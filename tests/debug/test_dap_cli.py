"""`clock51-sim run --dap` on bad input: one line ``clock51-sim: error: ...`` and exit 2 for
the command line, 1 for the rest (no debug information, a damaged one, a port in use)."""

from __future__ import annotations

import socket
from pathlib import Path

import pytest

from sim.frontends.cli import main as sim_main


def one_error(capsys: pytest.CaptureFixture[str], argv: list[str]) -> tuple[int, str]:
    code = sim_main(argv)
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and err[0].startswith("clock51-sim: error: "), err
    return code, err[0]


def test_debug_info_without_dap_is_a_usage_error(capsys, debug_firmware):
    code, line = one_error(capsys, ["run", str(debug_firmware), "--debug-info", "x.cdb",
                                    "--for", "1"])
    assert code == 2 and "--debug-info needs --dap" in line


@pytest.mark.parametrize("port", ["70000", "-1", "http"])
def test_a_bad_dap_port_is_a_usage_error(capsys, port):
    code, line = one_error(capsys, ["run", "--dap", port])
    assert code == 2 and "--dap" in line


def test_an_image_without_debug_information_says_how_to_make_one(capsys, firmware):
    code, line = one_error(capsys, ["run", str(firmware["reference"]), "--dap", "0"])
    assert code == 1 and "no debug information" in line and "reference_debug" in line


def test_damaged_debug_information_is_one_line(capsys, debug_firmware, tmp_path: Path):
    bad = tmp_path / "bad.cdb"
    bad.write_text("M:x\nS:G$oops\n")
    code, line = one_error(capsys, ["run", str(debug_firmware), "--dap", "0",
                                    "--debug-info", str(bad)])
    assert code == 1 and "line 2" in line


def test_a_dap_port_in_use_is_one_line_and_exit_1(capsys, debug_firmware):
    with socket.socket() as busy:
        busy.bind(("127.0.0.1", 0))
        busy.listen(1)
        port = busy.getsockname()[1]
        code, line = one_error(capsys, ["run", str(debug_firmware), "--dap", str(port)])
    assert code == 1 and f"cannot listen on 127.0.0.1:{port}" in line
