"""End-to-end helpers: `clock51-sim run` on the built reference firmware, driven by `clock51`.

Everything is bounded: the simulator runs for a limited simulated time (``--for``) and is
terminated at teardown; every subprocess has a timeout; waits poll with a deadline. Only
loopback TCP and ptys are used.
"""

from __future__ import annotations

import os
import select
import subprocess
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
SIM_RTC = "2026-11-24 12:00:00"
SIM_FOR_S = 240  # a safety bound: the fixture ends the simulator long before
START_TIMEOUT_S = 30.0
CLI_TIMEOUT_S = 30.0


@dataclass
class SimProcess:
    proc: subprocess.Popen[str]
    port: str  # /dev/pts/N or socket://127.0.0.1:PORT
    started: float  # time.monotonic() when the serial line was printed

    def stop(self) -> None:
        if self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait(timeout=10)
        for pipe in (self.proc.stdout, self.proc.stderr):
            if pipe is not None:
                pipe.close()


def read_line_before(proc: subprocess.Popen[str], deadline: float) -> str:
    """The next stdout line of ``proc``, or AssertionError at ``deadline``."""
    assert proc.stdout is not None
    fd = proc.stdout.fileno()
    buf = b""
    while b"\n" not in buf:
        left = deadline - time.monotonic()
        if left <= 0 or proc.poll() is not None and not select.select([fd], [], [], 0)[0]:
            err = proc.stderr.read() if proc.poll() is not None and proc.stderr else ""
            raise AssertionError(f"the simulator printed no serial line (got {buf!r}) {err}")
        if select.select([fd], [], [], min(left, 0.2))[0]:
            chunk = os.read(fd, 1)  # byte by byte: leave the rest to the pipe
            if not chunk:
                continue
            buf += chunk
    return buf.decode().strip()


def start_sim(image: Path, serial: str, *extra: str, rtc: str = SIM_RTC,
              duration: float = SIM_FOR_S) -> SimProcess:
    cmd = [sys.executable, "-m", "sim.frontends.cli", "run", str(image), "--board", "reference",
           "--serial", serial, "--headless", "--realtime", "--rtc", rtc, "--for",
           str(duration), *extra]
    proc = subprocess.Popen(cmd, cwd=ROOT, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, text=True)
    try:
        line = read_line_before(proc, time.monotonic() + START_TIMEOUT_S)
        assert line.startswith("serial: "), line
    except BaseException:
        SimProcess(proc, "", 0.0).stop()
        raise
    return SimProcess(proc, line.removeprefix("serial: "), time.monotonic())


def clock51(port: str, *args: str, timeout: float = CLI_TIMEOUT_S,
            ) -> subprocess.CompletedProcess[str]:
    """`clock51 --port PORT ARGS...` as a subprocess (its own interpreter and timing)."""
    return subprocess.run([sys.executable, "-m", "host", "--port", port, *args], cwd=ROOT,
                          stdin=subprocess.DEVNULL, capture_output=True, text=True,
                          timeout=timeout)


def wait_until(predicate: Callable[[], bool], timeout: float, what: str,
               poll: float = 0.05) -> None:
    end = time.monotonic() + timeout
    while not predicate():
        if time.monotonic() > end:
            raise AssertionError(f"timed out after {timeout} s waiting for {what}")
        time.sleep(poll)


