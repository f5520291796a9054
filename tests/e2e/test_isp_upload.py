"""Flashing the simulated board with unmodified stcgal (issue 11), end to end.

The simulator runs one firmware; stcgal uploads another (the reference and hc6800 builds
answer `info` with their board names), so the test can tell the new program runs. stc89a
needs even parity, which a Linux pty cannot carry: it runs stcgal in-process over a pyserial
socket:// link to the simulator's TCP port.
"""

from __future__ import annotations

import datetime as dt
import subprocess
import sys
import time
import types
from collections.abc import Iterator
from pathlib import Path

import pytest
import serial

from sim.machine.image import load_ihx
from tests.buildsupport import run_pio
from tests.e2e.rig import ROOT, SimProcess, clock51, read_line_before, wait_until

STCGAL = str(Path(sys.executable).with_name("stcgal"))
RTC = "2030-01-02 03:04:05"
TIMEOUT_S = 90


def start(image: Path, serial_spec: str, *extra: str, board: str = "reference") -> SimProcess:
    """The contract's command line (no --realtime: a bootloader run paces itself)."""
    cmd = [sys.executable, "-m", "sim.frontends.cli", "run", str(image), "--board", board,
           "--serial", serial_spec, "--headless", "--rtc", RTC, "--for", "300", *extra]
    proc = subprocess.Popen(cmd, cwd=ROOT, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, text=True)
    try:
        line = read_line_before(proc, time.monotonic() + 30)
    except BaseException:
        SimProcess(proc, "", 0.0).stop()
        raise
    return SimProcess(proc, line.removeprefix("serial: "), time.monotonic())


@pytest.fixture
def sims() -> Iterator[list[SimProcess]]:
    running: list[SimProcess] = []
    yield running
    for s in running:
        s.stop()


def info(port: str) -> str:
    proc = clock51(port, "info")
    assert proc.returncode == 0, proc.stdout + proc.stderr
    return proc.stdout


def stop_and_read_stderr(sim: SimProcess) -> str:
    sim.proc.terminate()
    _, err = sim.proc.communicate(timeout=20)
    return err


def test_pio_upload_flashes_the_running_simulator_which_then_runs_the_new_program(
        firmware: dict[str, Path], tmp_path: Path, sims: list[SimProcess]) -> None:
    flash = tmp_path / "f.bin"
    sim = start(firmware["hc6800"], "pty", "--flash", str(flash), "--power-cycle-on-sync")
    sims.append(sim)
    assert "board=hc6800" in info(sim.port)
    proc = run_pio("run", "-e", "reference", "-t", "upload", "--upload-port", sim.port)
    assert "Target frequency: 11.059 MHz" in proc.stdout
    assert "Target BSL version: 4.3C" in proc.stdout
    assert "Disconnected!" in proc.stdout
    assert "board=reference" in info(sim.port)  # the same simulator, the new program
    got = clock51(sim.port, "get").stdout.split()
    clock = dt.datetime.strptime(" ".join(got[:2]), "%Y-%m-%d %H:%M:%S")
    started = dt.datetime.strptime(RTC, "%Y-%m-%d %H:%M:%S")
    assert started < clock < started + dt.timedelta(seconds=TIMEOUT_S)  # the DS1302 kept time
    err = stop_and_read_stderr(sim)
    assert "Traceback" not in err
    # the flash file now holds the uploaded program: a new run starts it
    again = start(firmware["hc6800"], "pty", "--flash", str(flash))
    sims.append(again)
    assert "board=reference" in info(again.port)


@pytest.mark.parametrize("protocol", ["stc89", "auto"])
def test_plain_stcgal_over_a_pty(firmware: dict[str, Path], sims: list[SimProcess],
                                 protocol: str) -> None:
    sim = start(firmware["reference"], "pty", "--power-cycle-on-sync")
    sims.append(sim)
    proc = subprocess.run([STCGAL, "-P", protocol, "-p", sim.port, str(firmware["hc6800"])],
                          capture_output=True, text=True, timeout=TIMEOUT_S)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert "Target frequency: 11.059 MHz" in proc.stdout
    if protocol == "auto":
        assert "Protocol detected: stc89" in proc.stdout
    assert "board=hc6800" in info(sim.port)


def test_stcgal_cycles_power_with_the_power_cycle_command(
        firmware: dict[str, Path], sims: list[SimProcess]) -> None:
    # no --power-cycle-on-sync, no --flash: --realtime so that stcgal's timing holds
    sim = start(firmware["reference"], "pty", "--realtime")
    sims.append(sim)
    cycle = f"{sys.executable} -m sim.frontends.cli power-cycle --serial {sim.port}"
    proc = subprocess.run([STCGAL, "-P", "stc89", "-a", "-r", cycle, "-p", sim.port,
                           str(firmware["hc6800"])], capture_output=True, text=True,
                          timeout=TIMEOUT_S, cwd=ROOT)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert f"power cycled: {sim.port}" in proc.stdout
    assert "board=hc6800" in info(sim.port)


# -- in-process stcgal over socket:// (parity cannot cross a pty) ------------------------------
@pytest.fixture
def stcgal_over_sockets(monkeypatch: pytest.MonkeyPatch) -> types.ModuleType:
    """stcgal's protocol classes, opening socket:// URLs (stcgal calls serial.Serial)."""
    import stcgal.protocols as protocols

    shim = types.SimpleNamespace(**{k: getattr(serial, k) for k in dir(serial)
                                    if not k.startswith("__")})
    shim.Serial = lambda port, parity="N", **kw: serial.serial_for_url(port, parity=parity,
                                                                       **kw)
    monkeypatch.setattr(protocols, "serial", shim)
    return protocols


def stc89a_profile(tmp_path: Path) -> Path:
    text = (ROOT / "firmware" / "boards" / "reference.toml").read_text()
    path = tmp_path / "newer.toml"
    path.write_text(text.replace('isp = "stc89" ', 'isp = "stc89a"', 1))
    return path


# stcgal's frontend leaves the image file open (a ResourceWarning pytest would raise)
@pytest.mark.filterwarnings("ignore::pytest.PytestUnraisableExceptionWarning")
def test_stc89a_upload_with_stcgals_own_classes_over_tcp(
        firmware: dict[str, Path], tmp_path: Path, sims: list[SimProcess],
        stcgal_over_sockets: types.ModuleType, monkeypatch: pytest.MonkeyPatch,
        capsys: pytest.CaptureFixture[str]) -> None:
    from stcgal.frontend import cli as stcgal_cli

    sim = start(firmware["reference"], "tcp:0", "--power-cycle-on-sync",
                board=str(stc89a_profile(tmp_path)))
    sims.append(sim)
    monkeypatch.setattr(sys, "argv", ["stcgal", "-P", "stc89a", "-p", sim.port,
                                      str(firmware["hc6800"])])
    assert stcgal_cli() == 0
    out = capsys.readouterr().out
    assert "Target frequency: 11.059 MHz" in out
    assert "Target BSL version: 7.2.5C" in out
    assert "board=hc6800" in info(sim.port)


def test_an_interrupted_upload_is_reported_in_one_line_and_a_new_upload_recovers(
        firmware: dict[str, Path], sims: list[SimProcess],
        stcgal_over_sockets: types.ModuleType, capsys: pytest.CaptureFixture[str]) -> None:
    sim = start(firmware["reference"], "tcp:0", "--power-cycle-on-sync")
    sims.append(sim)
    proto = stcgal_over_sockets.Stc89Protocol(sim.port, 2400, 115200)
    proto.connect()
    proto.initialize()
    proto.handshake()
    proto.erase_flash(1024, 8192)
    # one block, then the host vanishes: 00 NOP; 01 02 AJMP 0x0002; 02 03 04 LJMP 0x0304
    proto.program_flash(bytes(range(128)))
    proto.ser.close()
    port = f"tcp:{sim.port.rsplit(':', 1)[1]}"
    done = subprocess.run([sys.executable, "-m", "sim.frontends.cli", "power-cycle",
                           "--serial", port], cwd=ROOT, capture_output=True, text=True,
                          timeout=30)
    assert done.returncode == 0, done.stderr
    wait_until(lambda: "board=" not in clock51(sim.port, "--timeout", "0.3", "info").stdout,
               10, "the crashed program to stay silent")
    # a fresh stcgal (another burst of 0x7F) still gets in and repairs the flash
    data = load_ihx(firmware["hc6800"])
    data += b"\xff" * (-len(data) % 512)
    proto = stcgal_over_sockets.Stc89Protocol(sim.port, 2400, 115200)
    proto.connect()
    proto.initialize()
    proto.handshake()
    proto.erase_flash(len(data), 8192)
    proto.program_flash(data)
    proto.program_options()
    proto.disconnect()
    capsys.readouterr()
    assert "board=hc6800" in info(sim.port)
    lines = stop_and_read_stderr(sim).splitlines()
    assert [ln for ln in lines if ln.startswith(("clock51-sim: flash", "clock51-sim: cpu"))] \
        == ["clock51-sim: flash: partly programmed (programmed up to 0x0080, erased but "
            "empty 0x0080-0x03FF): an interrupted upload? upload again",
            "clock51-sim: cpu: ran into erased flash at 0x0304 (the flash is partly "
            "programmed); halted until power is cycled"]
    assert not any("Traceback" in ln for ln in lines)
