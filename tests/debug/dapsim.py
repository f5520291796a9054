"""`clock51-sim run --dap 0` as a subprocess, exactly as a user or an editor starts it: the
port is read back from the ``dap: 127.0.0.1:PORT`` line (``web:`` and ``serial:`` lines too
when asked for). Ended with Ctrl-C at teardown unless the test ended it."""

from __future__ import annotations

import json
import signal
import subprocess
import sys
import time
import urllib.request
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from tests.e2e.rig import read_line_before

ROOT = Path(__file__).resolve().parents[2]
START_RTC = "2024-01-01 12:00:00"
START_TIMEOUT_S = 30.0


@dataclass
class DapSim:
    proc: subprocess.Popen[str]
    port: int
    lines: dict[str, str] = field(default_factory=dict)  # web, serial: what it printed

    @property
    def web(self) -> str:
        return self.lines["web"]

    def lcd(self) -> list[str]:
        """The LCD's two lines, from the browser view's /api/state."""
        with urllib.request.urlopen(self.web + "api/state", timeout=10) as r:
            state: dict[str, Any] = json.loads(r.read())
        return state["text"]

    def state(self) -> dict[str, Any]:
        with urllib.request.urlopen(self.web + "api/state", timeout=10) as r:
            return json.loads(r.read())

    def stop(self) -> int | None:
        if self.proc.poll() is None:
            self.proc.send_signal(signal.SIGINT)
            try:
                self.proc.wait(timeout=15)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait(timeout=10)
        for pipe in (self.proc.stdout, self.proc.stderr):
            if pipe is not None:
                pipe.close()
        return self.proc.returncode


def start_dap_sim(image: Path | None, *extra: str, rtc: str = START_RTC) -> DapSim:
    cmd = [sys.executable, "-m", "sim.frontends.cli", "run", "--board", "reference",
           "--headless", "--rtc", rtc, "--dap", "0", *extra]
    if image is not None:
        cmd.insert(4, str(image))
    proc = subprocess.Popen(cmd, cwd=ROOT, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, text=True)
    sim = DapSim(proc, 0)
    try:
        deadline = time.monotonic() + START_TIMEOUT_S
        while not sim.port:
            line = read_line_before(proc, deadline)
            name, _, rest = line.partition(": ")
            if name == "dap":
                sim.port = int(rest.rsplit(":", 1)[1])
            else:
                sim.lines[name] = rest
    except BaseException:
        sim.stop()
        raise
    return sim
