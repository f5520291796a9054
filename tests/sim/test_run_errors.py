"""`clock51-sim run` on bad input: one line ``clock51-sim: error: ...``, never a traceback.

Exit 2 for a command line the parser rejects, 1 for anything else (a file, a board
profile, a port). Each row names its input, its exit code and a piece of its message; every
row must give exactly one stderr line. The runs are in-process (an exception escaping
``main`` fails the row) with a two-byte image, so no firmware build is needed.
"""

from __future__ import annotations

import json
import re
import socket
import subprocess
import sys
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from sim.frontends.cli import main as sim_main

ROOT = Path(__file__).resolve().parents[2]
REFERENCE = ROOT / "firmware" / "boards" / "reference.toml"
IHX = ":0200000080FE80\n:00000001FF\n"  # SJMP $

Files = dict[str, Path]


@pytest.fixture
def files(tmp_path: Path) -> Files:
    """Bad (and good) inputs on disk, by name."""
    f: Files = {}

    def put(name: str, content: str | bytes) -> None:
        f[name] = tmp_path / name
        if isinstance(content, str):
            f[name].write_text(content)
        else:
            f[name].write_bytes(content)

    put("fw.ihx", IHX)
    put("empty.ihx", "")
    put("text.ihx", "hello\n")
    f["dir"] = tmp_path / "adir"
    f["dir"].mkdir()
    profile = REFERENCE.read_text()
    put("trickle.toml", profile.replace('trickle = "off"', "trickle = 3.5"))
    put("keys.toml", "keys = [1]\n" + re.sub(r"\[\[keys\]\]\n(\w+ = .*\n)+\n?", "", profile))
    put("notoml.toml", "[board\n")
    # state files: one written by a real run, then broken in one way each
    good = tmp_path / "good.json"
    assert sim_main(["run", str(f["fw.ihx"]), "--rtc", "2026-01-01 10:00:00", "--for", "0.1",
                     "--rtc-state", str(good)]) == 0
    state = json.loads(good.read_text())

    def broken(name: str, change: Callable[[dict], object]) -> None:
        data = json.loads(json.dumps(state))
        change(data)
        put(name, json.dumps(data))

    broken("regs.json", lambda d: d["ds1302"].update(regs=[0, 0, 0]))
    broken("ram.json", lambda d: d["ds1302"].update(ram=[0] * 5))
    broken("version.json", lambda d: d.update(version=99))
    broken("saved_at.json", lambda d: d.update(saved_at="noon"))
    put("notjson.json", "{")
    put("huge.json", b" " * (1 << 20) + b"{}")
    return f


# (arguments, exit code, a piece of the one stderr line); {name} is a path from ``files``
CASES: list[tuple[list[str], int, str]] = [
    # usage errors: exit 2
    (["--for", "nan"], 2, "argument --for: 'nan': expected a number of seconds > 0"),
    (["--for", "inf"], 2, "argument --for: 'inf': expected a number of seconds > 0"),
    (["--for", "-1"], 2, "argument --for: '-1': expected a number of seconds > 0"),
    (["--for", "0"], 2, "argument --for: '0': expected a number of seconds > 0"),
    (["--for", "ten"], 2, "argument --for: 'ten': expected a number of seconds > 0"),
    (["--press", "UP@nan"], 2, "argument --press: 'UP@nan': expected KEY@SECONDS"),
    (["--press", "UP@inf"], 2, "argument --press: 'UP@inf': expected KEY@SECONDS"),
    (["--press", "UP@1-nan"], 2, "argument --press: 'UP@1-nan': expected KEY@SECONDS"),
    (["--press", "UP@1-inf"], 2, "argument --press: 'UP@1-inf': expected KEY@SECONDS"),
    (["--press", "UP@3-2"], 2, "argument --press: 'UP@3-2': expected KEY@SECONDS"),
    (["--press", "SET"], 2, "argument --press: 'SET': expected KEY@SECONDS"),
    (["--press", "@1"], 2, "argument --press: '@1': expected KEY@SECONDS"),
    (["--serial", "tcp:70000"], 2, "argument --serial: 'tcp:70000': expected pty or tcp:PORT"),
    (["--serial", "tcp:99999999999999999999"], 2, "argument --serial: 'tcp:9999"),
    (["--serial", "tcp:\u0663"], 2, "argument --serial: 'tcp:\u0663': expected pty"),
    (["--serial", "tcp:"], 2, "argument --serial: 'tcp:': expected pty or tcp:PORT"),
    (["--serial", "usb"], 2, "argument --serial: 'usb': expected pty or tcp:PORT"),
    (["--rtc", "2026-13-01 00:00:00"], 2, "argument --rtc: '2026-13-01 00:00:00': expected"),
    (["--rtc", "1999-12-31 23:59:59"], 2, "the DS1302 counts years 2000-2099"),
    (["--seed", "x"], 2, "argument --seed: invalid int value: 'x'"),
    (["--colour", "red"], 2, "unrecognized arguments: --colour red"),
    # everything else: exit 1
    (["--board", "{trickle.toml}"], 1, "ds1302.trickle: 3.5: expected 'off' or"),
    (["--board", "{keys.toml}"], 1, "keys[0]: expected a [[keys]] table"),
    (["--board", "{notoml.toml}"], 1, "notoml.toml: not valid TOML"),
    (["--board", "{dir}"], 1, "adir: cannot read: Is a directory"),
    (["--board", "nope"], 1, "unknown board 'nope' (known: "),
    (["--board", "{dir}/none.toml"], 1, "none.toml: cannot read: No such file or directory"),
    (["FW={dir}"], 1, "adir: cannot read: Is a directory"),
    (["FW={empty.ihx}"], 1, "empty.ihx: no data records"),
    (["FW={text.ihx}"], 1, "text.ihx: line 1: record does not start with ':'"),
    (["FW={dir}/none.ihx"], 1, "none.ihx: cannot read: No such file or directory"),
    (["--press", "FIRE@1"], 1, "--press FIRE: board reference has keys DOWN, MODE, SET, UP"),
    (["--rtc-state", "{regs.json}"], 1,
     "regs.json: ds1302.regs: expected a list of 7 integers, got 3 items"),
    (["--rtc-state", "{ram.json}"], 1,
     "ram.json: ds1302.ram: expected a list of 31 integers, got 5 items"),
    (["--rtc-state", "{version.json}"], 1, "version.json: state file version 99 is not"),
    (["--rtc-state", "{saved_at.json}"], 1, "saved_at.json: saved_at: expected an ISO 8601"),
    (["--rtc-state", "{notjson.json}"], 1, "notjson.json: not a DS1302 state file (not JSON"),
    (["--rtc-state", "{huge.json}"], 1, "huge.json: more than 1048576 bytes"),
    (["--rtc-state", "/dev/full"], 1, "/dev/full: not a regular file"),
    (["--rtc-state", "{dir}"], 1, "--rtc-state {dir}: is a directory"),
    (["--rtc-state", "{dir}/no/s.json"], 1, "--rtc-state {dir}/no/s.json: no directory"),
    (["--vcd", "{dir}/no/p.vcd"], 1, "--vcd {dir}/no/p.vcd: no directory {dir}/no"),
    (["--vcd", "{dir}"], 1, "--vcd {dir}: is a directory"),
    (["--screenshot", "{dir}/no/l.png"], 1, "--screenshot {dir}/no/l.png: no directory"),
    (["--screenshot", "{dir}"], 1, "--screenshot {dir}: is a directory"),
    (["--flash", "/dev/full"], 1, "/dev/full: not a regular file (the flash file)"),
    (["--flash", "{dir}"], 1, "adir: cannot read: Is a directory (the flash file)"),
    (["--flash", "{notjson.json}"], 1, "notjson.json: not a clock51 flash file"),
    (["--vcd", "/dev/full"], 1, "--vcd /dev/full: No space left on device"),
    (["--screenshot", "/dev/full"], 1, "--screenshot /dev/full: No space left on device"),
    (["NOFOR"], 1, "a headless run without --serial needs --for SECONDS"),
    (["--serial", "tcp:{busy}"], 1, "cannot listen on 127.0.0.1:{busy}: Address already in use"),
]


@pytest.fixture
def busy_port() -> Iterator[int]:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        s.listen(1)
        yield s.getsockname()[1]


def expand(text: str, files: Files, port: int) -> str:
    return re.sub(r"\{([\w.]+)\}", lambda m: str(port) if m.group(1) == "busy"
                  else str(files[m.group(1)]), text)


@pytest.mark.parametrize(("args", "code", "message"), CASES,
                         ids=[" ".join(a)[:40] for a, _, _ in CASES])
def test_bad_input_is_one_line_and_an_exit_code(
        files: Files, busy_port: int, capsys: pytest.CaptureFixture[str],
        args: list[str], code: int, message: str) -> None:
    argv = [expand(a, files, busy_port) for a in args]
    firmware = str(files["fw.ihx"])
    if argv[0].startswith("FW="):
        firmware = argv.pop(0)[3:]
    duration = [] if "--for" in argv or "NOFOR" in argv else ["--for", "0.1"]
    argv = [a for a in argv if a != "NOFOR"]
    capsys.readouterr()
    got = sim_main(["run", firmware, "--headless", *duration, *argv])
    err = capsys.readouterr().err
    lines = err.splitlines()
    assert len(lines) == 1, err
    assert lines[0].startswith("clock51-sim: error: "), lines[0]
    assert expand(message, files, busy_port) in lines[0]
    assert "Traceback" not in err
    assert got == code


def test_no_command_is_a_usage_error(capsys: pytest.CaptureFixture[str]) -> None:
    assert sim_main([]) == 2
    assert capsys.readouterr().err.splitlines() == [
        "clock51-sim: error: the following arguments are required: COMMAND "
        "(see 'clock51-sim --help')"]


def test_a_time_zone_aware_state_file_is_read_not_refused(
        files: Files, capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    path = tmp_path / "tz.json"
    sim_main(["run", str(files["fw.ihx"]), "--rtc", "2026-01-01 10:00:00", "--for", "0.1",
              "--rtc-state", str(path)])
    data = json.loads(path.read_text())
    data["saved_at"] = "2026-01-01T10:00:00+05:30"
    path.write_text(json.dumps(data))
    assert sim_main(["run", str(files["fw.ihx"]), "--for", "0.1", "--rtc-state",
                     str(path)]) == 0
    assert capsys.readouterr().err == ""


def test_a_real_process_prints_one_line_and_no_traceback(files: Files) -> None:
    for args, code in ((["--for", "nan"], 2), (["--rtc-state", "/dev/full", "--for", "1"], 1)):
        proc = subprocess.run([sys.executable, "-m", "sim", "run", str(files["fw.ihx"]),
                               "--headless", *args], capture_output=True, text=True, cwd=ROOT,
                              timeout=60)
        assert proc.returncode == code
        assert len(proc.stderr.splitlines()) == 1, proc.stderr
        assert proc.stderr.startswith("clock51-sim: error: ")


# the other subcommands: (arguments after the command, exit code, a piece of the one line)
OTHER_CASES: list[tuple[list[str], int, str]] = [
    (["exec", "{fw.ihx}", "--max-cycles", "-1"], 2, "argument --max-cycles: '-1': expected"),
    (["exec", "{dir}"], 1, "adir: cannot read: Is a directory"),
    (["exec", "{empty.ihx}"], 1, "empty.ihx: no data records"),
    (["exec", "{fw.ihx}", "--xram", "-1"], 1, "xram_size must be 0..65536, not -1"),
    (["disasm", "{fw.ihx}", "--start", "-5"], 2, "argument --start: '-5': expected a number"),
    (["disasm", "{fw.ihx}", "--count", "0x"], 2, "argument --count: not a number: '0x'"),
    (["bench", "--runs", "0"], 2, "argument --runs: '0': expected a whole number >= 1"),
    (["bench", "--clock-seconds", "nan"], 2, "argument --clock-seconds: 'nan': expected"),
    (["budgets", "--board", "{dir}"], 1, "adir: cannot read: Is a directory"),
]


@pytest.mark.parametrize(("args", "code", "message"), OTHER_CASES,
                         ids=[" ".join(a)[:40] for a, _, _ in OTHER_CASES])
def test_other_commands_on_bad_input_are_one_line(
        files: Files, capsys: pytest.CaptureFixture[str], args: list[str], code: int,
        message: str) -> None:
    capsys.readouterr()
    got = sim_main([expand(a, files, 0) for a in args])
    lines = capsys.readouterr().err.splitlines()
    assert len(lines) == 1 and lines[0].startswith("clock51-sim: error: "), lines
    assert expand(message, files, 0) in lines[0]
    assert got == code


def test_a_failing_waveform_still_lets_the_state_be_saved(
        files: Files, capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    state = tmp_path / "kept.json"
    assert sim_main(["run", str(files["fw.ihx"]), "--headless", "--for", "0.2", "--vcd",
                     "/dev/full", "--rtc-state", str(state)]) == 1
    assert capsys.readouterr().err.splitlines() == [
        "clock51-sim: error: --vcd /dev/full: No space left on device"]
    assert json.loads(state.read_text())["version"] == 2
