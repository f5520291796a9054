"""Debugger figures: what breakpoints cost the simulator, and how fast a C-level step answers.

``python -m sim.measure.dapbench [--baseline CHECKOUT]`` prints, in one run:

1. The clock firmware's debug build on the reference board, headless, fast-forward on, run
   in 2 ms slices as the run loop does, as simulated seconds per CPU second (best of
   ``--runs``, interleaved; each case first runs ``WARM_S`` untimed, so that blocks bound
   for the first time, and their one-time costs, are left out), for: the plain board;
   the board with a debugger attached and no breakpoint; four breakpoints set in code that
   never runs in this stretch (the blocks that held their addresses are translated again,
   ending before them); one breakpoint the firmware reaches every 20 ms whose condition is
   false (a stop, a condition evaluated in Python, a pass). With ``--baseline DIR`` the plain
   board is measured with another checkout's simulator too (the code before breakpoints
   existed, e.g. ``git archive`` of the commit this work started from, unpacked), in a
   subprocess with that checkout's own board profiles, interleaved with the others.
2. C-level steps through the real adapter: ``clock51-sim run --dap 0`` (paced to real time,
   as an editor uses it), a breakpoint at ``clock_poll``, then ``--steps`` "next" requests
   one after the other through the firmware's main loop: the wall time from sending each
   request to receiving its ``stopped`` event, beside the 50 ms target.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import re
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

START = dt.datetime(2026, 11, 24, 12, 0, 0)
STEP_TARGET_MS = 50.0
WARM_S = 5.0
SLICE_S = 0.002
_BASELINE = """
import datetime as dt, sys, time
from sim.machine.board import Board
b = Board("reference", sys.argv[1])
b.set_rtc(dt.datetime(2026, 11, 24, 12, 0, 0))
b.run_for(1.0 + float(sys.argv[3]))
step = b.to_cycles(float(sys.argv[4]))
c0 = time.process_time()
end = b.cycles + b.to_cycles(float(sys.argv[2]))
while b.cycles < end:
    b.run_until(min(end, b.cycles + step))
print(time.process_time() - c0)
"""


def _board(image: Path):  # type: ignore[no-untyped-def]
    from sim.machine.board import Board

    b = Board("reference", image)
    b.set_rtc(START)
    b.run_for(1.0)  # boot outside the timing
    return b


def _slices(board, seconds: float, after) -> None:  # type: ignore[no-untyped-def]
    end = board.cycles + board.to_cycles(seconds)
    step = board.to_cycles(SLICE_S)
    while board.cycles < end:
        after(board.run_until(min(end, board.cycles + step)))


def _timed(board, seconds: float, after=None) -> float:  # type: ignore[no-untyped-def]
    """CPU seconds for ``seconds`` of simulated time after ``WARM_S`` untimed."""
    after = after or (lambda _stopped: None)
    _slices(board, WARM_S, after)
    c0 = time.process_time()
    _slices(board, seconds, after)
    return time.process_time() - c0


def speed_figures(image: Path, seconds: float, runs: int, baseline: Path | None
                  ) -> list[tuple[str, float]]:
    from sim.debug import cdb
    from sim.debug.runtime import BreakSpec, Debugger

    info = cdb.load(image.with_suffix(".cdb"))
    cold = [f.name for f in info.functions if f.name in (
        "settings_save", "clock_commit", "clock_prepare", "protocol_banner")]

    def plain() -> float:
        return _timed(_board(image), seconds)

    def attached() -> float:
        b = _board(image)
        dbg = Debugger(b, info)
        return _timed(b, seconds, dbg.after_slice)

    def never_hit() -> float:
        b = _board(image)
        dbg = Debugger(b, info)
        bps = dbg.set_function_breakpoints([BreakSpec(name=n) for n in cold])
        assert all(bp.verified for bp in bps)
        t = _timed(b, seconds, dbg.after_slice)
        assert dbg.running
        return t

    def passing() -> float:
        b = _board(image)
        dbg = Debugger(b, info)
        dbg.set_function_breakpoints([BreakSpec(name="clock_poll", condition="0")])
        t = _timed(b, seconds, dbg.after_slice)
        assert dbg.running
        return t

    links = tempfile.TemporaryDirectory(prefix="dapbench-")
    if baseline is not None:  # its own board profile package (firmware/boards), first
        os.symlink(baseline.resolve() / "firmware" / "boards",
                   Path(links.name) / "boardprofile")

    def base() -> float:
        assert baseline is not None
        env = dict(os.environ, PYTHONPATH=f"{links.name}{os.pathsep}{baseline.resolve()}")
        out = subprocess.run([sys.executable, "-c", _BASELINE, str(image), str(seconds),
                              str(WARM_S), str(SLICE_S)],
                             cwd=baseline, env=env, capture_output=True, text=True,
                             timeout=600)
        if out.returncode != 0:
            raise RuntimeError(f"the baseline run failed:\n{out.stderr[-2000:]}")
        return float(out.stdout.split()[-1])

    cases = [("plain board (this checkout)", plain),
             ("debugger attached, no breakpoint", attached),
             (f"{len(cold)} breakpoints never reached", never_hit),
             ("1 breakpoint passed every 20 ms (condition 0)", passing)]
    if baseline is not None:
        cases.insert(0, (f"plain board ({baseline})", base))
    best: dict[str, float] = {}
    with links:
        for _ in range(runs):
            for label, fn in cases:
                t = fn()
                best[label] = min(best.get(label, t), t)
    return [(label, seconds / best[label]) for label, _ in cases]


class _Client:
    """Just enough DAP to time steps."""

    def __init__(self, port: int) -> None:
        self.sock = socket.create_connection(("127.0.0.1", port), timeout=30)
        self.buf = b""
        self.seq = 0

    def send(self, command: str, **args: object) -> None:
        self.seq += 1
        body = json.dumps({"seq": self.seq, "type": "request", "command": command,
                           "arguments": args}).encode()
        self.sock.sendall(b"Content-Length: %d\r\n\r\n" % len(body) + body)

    def read(self) -> dict:
        while True:
            end = self.buf.find(b"\r\n\r\n")
            if end >= 0:
                n = int(self.buf[:end].split(b":")[1])
                if len(self.buf) >= end + 4 + n:
                    msg = json.loads(self.buf[end + 4:end + 4 + n])
                    self.buf = self.buf[end + 4 + n:]
                    return msg
            data = self.sock.recv(65536)
            if not data:
                raise RuntimeError("the adapter closed the connection")
            self.buf += data

    def until(self, what: str) -> dict:
        while True:
            msg = self.read()
            if msg.get("event") == what or (msg.get("type") == "response"
                                            and msg.get("command") == what):
                if msg.get("type") == "response" and not msg.get("success"):
                    raise RuntimeError(msg.get("message"))
                return msg

    def request(self, command: str, **args: object) -> dict:
        self.send(command, **args)
        return self.until(command)


def step_figures(image: Path, steps: int) -> tuple[list[float], list[str]]:
    cmd = [sys.executable, "-m", "sim.frontends.cli", "run", str(image), "--board",
           "reference", "--headless", "--rtc", START.strftime("%Y-%m-%d %H:%M:%S"),
           "--dap", "0"]
    proc = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        assert proc.stdout is not None
        line = proc.stdout.readline()
        m = re.match(r"dap: 127\.0\.0\.1:(\d+)", line)
        if m is None:
            raise RuntimeError(f"no dap line from clock51-sim: {line!r}")
        c = _Client(int(m.group(1)))
        c.request("initialize", adapterID="dapbench")
        c.request("attach")
        c.request("setFunctionBreakpoints", breakpoints=[{"name": "clock_poll"}])
        c.request("configurationDone")
        c.until("stopped")
        c.request("setFunctionBreakpoints", breakpoints=[])
        times, where = [], []
        for _ in range(steps):
            t0 = time.perf_counter()
            c.send("next", threadId=1)
            c.until("stopped")
            times.append((time.perf_counter() - t0) * 1000)
            top = c.request("stackTrace", threadId=1, levels=1)["body"]["stackFrames"][0]
            where.append(f"{top['name']}:{top['line']}")
        c.request("disconnect", terminateDebuggee=True)
        proc.wait(timeout=30)
        return times, where
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()
        for pipe in (proc.stdout, proc.stderr):
            if pipe is not None:
                pipe.close()


def main(argv: list[str] | None = None) -> int:
    from sim.machine.image import project_build

    p = argparse.ArgumentParser(prog="python -m sim.measure.dapbench", description=__doc__,
                                formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--image", type=Path, default=project_build("reference_debug"))
    p.add_argument("--seconds", type=float, default=30.0)
    p.add_argument("--runs", type=int, default=3)
    p.add_argument("--steps", type=int, default=40)
    p.add_argument("--baseline", type=Path, help="another checkout, for the plain board")
    args = p.parse_args(argv)
    if not args.image.exists():
        print(f"dapbench: {args.image} is not built (pio run -e reference_debug)",
              file=sys.stderr)
        return 1
    shown = os.path.relpath(args.image) if args.image.is_absolute() else args.image
    print(f"firmware {shown}, {args.seconds:g} simulated seconds, best of {args.runs} "
          "(CPU time)")
    figures = speed_figures(args.image, args.seconds, args.runs, args.baseline)
    ref = figures[0][1]
    for label, factor in figures:
        print(f"  {label:<48} {factor:7.1f} x real time  ({factor / ref * 100:5.1f} %)")
    times, where = step_figures(args.image, args.steps)
    s = sorted(times)
    print(f"C-level steps ('next', real adapter, paced run): {len(times)} steps through "
          f"{len(set(w.split(':')[0] for w in where))} functions")
    print(f"  median {statistics.median(s):.1f} ms, 90 % {s[int(len(s) * 0.9) - 1]:.1f} ms, "
          f"max {s[-1]:.1f} ms ({where[times.index(s[-1])]})   [target: < "
          f"{STEP_TARGET_MS:.0f} ms]")
    return 0


if __name__ == "__main__":
    sys.exit(main())
