"""`clock51-sim bench` refuses a baseline it cannot prepare in one line, before measuring."""

from __future__ import annotations

import pytest

from sim.frontends.cli import main


@pytest.mark.parametrize("commit, says", [
    ("0123456789abcdef0123", "is not in this repository's history"),
    ("no-such-branch", "is not in this repository's history"),
    ("--upload-pack=x", "not a commit name"),
    ("a b", "not a commit name"),
])
def test_a_baseline_that_is_no_commit_here_is_one_line_and_exit_1(
        commit: str, says: str, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["bench", f"--baseline={commit}"]) == 1
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and err.startswith("clock51-sim: error: ") and says in err


@pytest.mark.parametrize("option",
                         ["--clock-runs=0", "--clock-seconds=nan", "--clock-seconds=-1"])
def test_bad_bench_counts_are_usage_errors(option: str,
                                           capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["bench", option]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and err.startswith("clock51-sim: error: ")


def test_a_firmware_image_that_is_not_there_is_one_line_and_exit_1(
        tmp_path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["bench", "--no-baseline", "--firmware", str(tmp_path / "none.ihx")]) == 1
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "none.ihx: no such image" in err
