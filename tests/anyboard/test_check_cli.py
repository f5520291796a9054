"""`clock51-sim run --check` prints each broken datasheet rule as it happens (simulated time,
part, rule, what the program did, what the datasheet requires) and exits 1 at the end if
there were any; without --check one summary line at exit. --timing picks typical values
or the datasheets' limits."""

from __future__ import annotations

import re
from collections.abc import Callable
from pathlib import Path

import pytest

from sim.frontends.cli import main as sim_main
from sim.frontends.violations import PRINT_PER_RULE
from tests.anyboard.support import board, variant

LINE = re.compile(r"^clock51-sim: (\d+\.\d{6}) s: (\w+): ([\w-]+): (.+) \(datasheet: (.+)\)$")


def cli(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    capsys.readouterr()
    code = sim_main(["run", *argv])
    out, err = capsys.readouterr()
    return code, out, err


def rst_low(tmp_path: Path) -> Path:
    """The 4-bit LCD board with RST tied low (no reset circuit)."""
    return variant(tmp_path, "lcd4", "xram_size = 256", "xram_size = 256\nreset_ms = 0")


def test_check_lists_each_violation_as_it_happens_then_exits_1(
        program: Callable[[str], Path], tmp_path: Path,
        capsys: pytest.CaptureFixture[str]) -> None:
    code, _, err = cli(capsys, str(program("lcd4_early")), "--board", str(rst_low(tmp_path)),
                       "--for", "0.3", "--headless", "--check")
    assert code == 1
    lines = err.splitlines()
    first = LINE.match(lines[0])
    assert first, lines[0]
    t, part, rule, did, required = first.groups()
    assert 0.004 < float(t) < 0.006 and (part, rule) == ("lcd", "busy-write")
    assert did.startswith("instruction 0x3F sent") and "during the internal reset" in did
    assert required.startswith("wait > 15 ms after VCC reaches 4.5 V")
    times = [float(LINE.match(ln).group(1)) for ln in lines[:-1]]  # type: ignore[union-attr]
    assert times == sorted(times)
    assert lines[-1] == f"clock51-sim: {len(lines) - 1} violations (--check)"


def test_without_check_one_summary_line_and_exit_0(
        program: Callable[[str], Path], tmp_path: Path,
        capsys: pytest.CaptureFixture[str]) -> None:
    code, _, err = cli(capsys, str(program("lcd4_early")), "--board", str(rst_low(tmp_path)),
                       "--for", "0.3", "--headless")
    assert code == 0
    assert re.fullmatch(r"clock51-sim: \d+ timing/protocol violations; --check lists them\n",
                        err), err


def test_a_clean_run_with_check_says_nothing_and_exits_0(
        program: Callable[[str], Path], capsys: pytest.CaptureFixture[str]) -> None:
    code, _, err = cli(capsys, str(program("lcd4_early")), "--board", str(board("lcd4")),
                       "--for", "0.3", "--headless", "--check")
    assert (code, err) == (0, "")


def test_timing_strict_is_what_the_datasheet_limits_make_of_the_program(
        program: Callable[[str], Path], capsys: pytest.CaptureFixture[str]) -> None:
    args = [str(program("ds18b20_early")), "--board", str(board("thermo")), "--for", "1.2",
            "--headless", "--check"]
    code, _, typical = cli(capsys, *args)
    assert code == 1 and "unknown ROM command" not in typical
    code, _, strict = cli(capsys, *args, "--timing", "strict")
    assert code == 1 and "ds18b20: protocol: unknown ROM command 0x66" in strict


def test_a_mistake_repeated_in_a_loop_is_printed_20_times_then_counted(
        program: Callable[[str], Path], tmp_path: Path,
        capsys: pytest.CaptureFixture[str]) -> None:
    tolerant = variant(tmp_path, "lcd4", "[lcd]", "[lcd]\nnibble_resync = true")
    code, _, err = cli(capsys, str(program("busy_single_e")), "--board", str(tolerant),
                       "--for", "0.3", "--headless", "--check")
    assert code == 1
    half = [ln for ln in err.splitlines() if " s: lcd: half-read: " in ln]
    assert len(half) == PRINT_PER_RULE
    assert "clock51-sim: lcd: half-read: more of these are counted, not printed" in err
    total = int(err.splitlines()[-1].split()[1])
    assert total > PRINT_PER_RULE


def test_an_unknown_timing_is_a_usage_error(capsys: pytest.CaptureFixture[str]) -> None:
    code, _, err = cli(capsys, "x.ihx", "--timing", "fast")
    assert code == 2 and err.startswith("clock51-sim: error: argument --timing: invalid choice")
