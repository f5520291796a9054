"""`make run`: the simulated clock in the terminal, synced to the PC over its serial port.

1. builds the reference firmware (PlatformIO, offline);
2. starts `clock51-sim run` on it with a fresh DS1302, real-time paced, its UART on a
   loopback TCP port, drawing the LCD live (keys: s/u/d/m, q or Ctrl-C to quit);
3. runs `clock51 sync --no-learn` against it over `socket://127.0.0.1:PORT`, so the LCD
   then shows the PC's time, and prints the sync report when the simulator ends.

With no terminal (CI, a pipe) the simulator runs headless for a bounded time and prints the
final LCD as text.
"""

from __future__ import annotations

import contextlib
import io
import os
import socket
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
BOUNDED_S = 12.0


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def wait_for_port(port: int, proc: subprocess.Popen[bytes], timeout: float = 30.0) -> bool:
    end = time.monotonic() + timeout
    while time.monotonic() < end:
        if proc.poll() is not None:
            return False
        with contextlib.suppress(OSError), socket.create_connection(("127.0.0.1", port), 0.2):
            return True
        time.sleep(0.1)
    return False


def sync(port: int) -> tuple[int, str]:
    """`clock51 --port socket://127.0.0.1:PORT sync --no-learn`, its output captured (the
    demo's DS1302 is new each run: no drift history to keep for it)."""
    from host.cli import main as clock51

    out, err = io.StringIO(), io.StringIO()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        code = clock51(["--port", f"socket://127.0.0.1:{port}", "sync", "--no-learn"])
    return code, out.getvalue() + err.getvalue()


def main() -> int:
    bindir = Path(sys.executable).parent
    build = subprocess.run([str(bindir / "pio"), "run", "-e", "reference"], cwd=ROOT,
                           capture_output=True, text=True)
    if build.returncode != 0:
        sys.stdout.write(build.stdout + build.stderr)
        return build.returncode
    image = ROOT / ".pio" / "build" / "reference" / "firmware.ihx"
    print(f"firmware: {image.relative_to(ROOT)}")
    interactive = sys.stdout.isatty() and sys.stdin.isatty()
    port = free_port()
    cmd = [str(bindir / "clock51-sim"), "run", str(image), "--board", "reference",
           "--serial", f"tcp:{port}", "--realtime"]
    if not interactive:
        cmd += ["--headless", "--for", str(BOUNDED_S), "--lcd-text"]
    proc = subprocess.Popen(cmd, cwd=ROOT)
    report = ""
    code = 1
    try:
        if wait_for_port(port, proc):
            time.sleep(1.0)  # let the firmware boot and print its banner
            code, report = sync(port)
        else:
            report = "the simulator did not open its serial port"
        proc.wait()
    except KeyboardInterrupt:
        with contextlib.suppress(subprocess.TimeoutExpired):
            proc.wait(timeout=5)
    finally:
        if proc.poll() is None:
            proc.terminate()
            proc.wait(timeout=5)
    print("clock51 sync:", report.strip() or f"exit {code}")
    return 0 if code == 0 and proc.returncode in (0, -2, 130) else 1


if __name__ == "__main__":
    os.chdir(ROOT)
    sys.exit(main())
