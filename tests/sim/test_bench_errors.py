"""`clock51-sim bench` refuses a baseline it cannot prepare in one line, before measuring;
the memory figures it prints beside the baseline's."""

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


MEM_TAIL = """Stack starts at: 0xc0 (sp set to 0xbf) with 64 bytes available.

Other memory:
   Name             Start    End      Size     Max
   ---------------- -------- -------- -------- --------
{paged}
{external}
   ROM/EPROM/FLASH  0x0000   0x1e18    7705     8192
"""


@pytest.mark.parametrize("paged, external, xram", [
    # this firmware: every XRAM variable __pdata (the paged segment), none __xdata
    ("   PAGED EXT. RAM   0x0001   0x00be     190      256",
     "   EXTERNAL RAM                           0      256", (190, 256)),
    # 841ea3b's: all __xdata
    ("   PAGED EXT. RAM                         0      256",
     "   EXTERNAL RAM     0x0001   0x00ec     236      256", (236, 256)),
    ("   PAGED EXT. RAM   0x0001   0x0010      16      256",
     "   EXTERNAL RAM     0x0011   0x0030      32      256", (48, 256)),
], ids=["pdata", "xdata", "both"])
def test_the_memory_figures_count_both_xram_segments(tmp_path, paged: str, external: str,
                                                      xram: tuple[int, int]) -> None:
    from sim.measure.baseline import Build

    image = tmp_path / "firmware.ihx"
    image.with_suffix(".mem").write_text(MEM_TAIL.format(paged=paged, external=external))
    mem = Build("this", tmp_path, [], tmp_path, image).memory()
    assert mem == {"Code": (7705, 8192), "IRAM": (192, 256), "XRAM": xram}
