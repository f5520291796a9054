"""Drive s51 (ucsim, the 8051 simulator shipped with SDCC) as a reference for our CPU.

Used by the differential tests (``tests/diff``) and by ``python -m sim.measure.bench``. Nothing in
the simulator proper depends on this module; it only needs the ``s51`` binary (found on
``PATH``, or named by the ``CLOCK51_S51`` environment variable). Verified with s51 0.6.4
(SDCC 4.2).

How s51 is driven
=================

Every run is one s51 process, started as::

    s51 -b -q -t C52 -X 11.0592M -R 1 -S in=/dev/null,out=UART.bin -C COMMANDS.cmd </dev/null

* ``-t C52`` is the CMOS 8052 (256 bytes IRAM, Timer 2, 64 KiB XRAM space). The CMOS part
  matters: the HMOS models (``-t 8052``) have no idle or power-down mode, and the
  STC89C52RC, like every CMOS 80C52, does.
* ``-X 11.0592M`` is the crystal. s51 counts *clock periods* ("ticks", "clks"); a 12T
  8051 machine cycle is 12 of them, so ``machine_cycles = ticks // 12`` (we check the
  division is exact). ``-R 1`` seeds s51's power-on RAM noise (it fills IRAM with random
  bytes at start) so runs are reproducible; the command file then clears IRAM and XRAM
  anyway, to match our CPU, whose RAM starts at zero.
* ``-S in=/dev/null,out=UART.bin`` connects UART 0 to files: every byte the program
  transmits is appended to ``UART.bin``. s51 writes a byte when its transmission finishes
  (ten bit times later: 960 machine cycles at 9600 baud, but see the SMOD deviation
  below), not when SBUF is written; hence the ``step`` after the stop, which lets the last
  frame finish.
* ``-b -q`` turn off colours and the banner noise; ``</dev/null`` so nothing waits for a
  terminal.
* ``-C COMMANDS.cmd`` is the command file; s51 echoes each command line before its output,
  which is how the output is split up for parsing. The image is loaded from inside the
  command file (``file "prog.ihx"``): files named on the command line would be loaded
  *after* a ``-C`` file has already run.

Running a compiled program (``run_ihx``)
----------------------------------------

The command file is::

    file "prog.ihx"
    fill iram 0 0xff 0
    fill xram 0 0xffff 0
    break 0x00b0            one fetch breakpoint per self-jump in the image
    step 50000000           bounded run: stops at a breakpoint or after N instructions
    state                   -> "Total time since last reset= ... (N clks)", "Inst= N"
    dump /h iram 0 0xff 16  the RAM and SFRs at the stop, for diagnosis
    dump /h sfr 0x80 0xff 16
    delete                  drop the breakpoints, then
    step 2000               let the UART finish shifting out the last byte
    quit

The program ends in ``while (1);``, which SDCC emits as ``sjmp .`` (``80 FE``). We put a
fetch breakpoint on *every* unconditional jump to itself found in the image (``80 FE``,
``02 hi lo`` pointing at itself, and the ``AJMP`` form): a fetch breakpoint only fires
when the CPU is about to execute an instruction at that address, so byte patterns that
happen to sit in data or in the middle of another instruction never fire. s51 stops
*before* executing the instruction at a breakpoint, which is exactly where our CPU stops
(``ExecResult.reason == 'selfjump'``), so the tick counts compare directly. (s51's own
``selfjump_stop`` option stops one ``sjmp`` later, 2 machine cycles more, so it is not
used.) ``step N`` instead of ``run`` gives a bounded run; breakpoints stop it too.

Running a raw instruction stream (``run_stream``)
-------------------------------------------------

For random instruction streams the code image is written as an Intel HEX file and the
command file turns off s51's stack error (``set error stack off``: SP wrapping from 0xFF to
0x00 is legal, s51 would stop the run), sets the initial RAM, then for each checkpoint runs
``step K`` and dumps the
machine state: ``state`` (PC, ticks, instruction count), ``dump /h iram 0 0xff 16``,
``dump /h sfr 0x80 0xff 16`` and ``dump /h xram 0 0xff 16``. Checkpoints let one s51
process report the state at several instruction counts, so a divergence can be located
without starting s51 once per instruction. s51's ``Inst=`` counter counts an interrupt
entry as an instruction (``strict_count=False`` accepts that).

Where s51 0.6.4 departs from the datasheet
------------------------------------------

Found by the differential tests; each is either avoided by the tests or compared against
the datasheet value instead (see ``tests/diff``):

* UART modes 1/3 ignore PCON.SMOD: a frame always takes 16 x bits Timer 1 overflows, so
  SMOD = 0 runs twice too fast (480 instead of 960 machine cycles a frame at TH1 = 0xFD).
* The instruction after the one that sets PCON.IDL is executed before idling.
* A timer register read right after an idle wake-up is inconsistent with the cycle count.
* Writing PSW as a byte stores P as written; P is only recomputed when ACC changes.
* Bit instructions on PSW.3/PSW.4 (RS0/RS1) do not switch the register bank.
* In level-triggered mode a software-set IE0/IE1 stays set (the flag should follow the pin).
* With Timer 0 in mode 3, Timer 1 still stops when TR1 = 0.
* A software-set interrupt flag (``SETB IE0``) is serviced right after that instruction;
  the datasheet's polling cycle lets one more instruction run first.
* The debugger view (``dump sfr``) of a running timer lags one machine cycle behind the
  instruction boundary; what instructions read is not affected.
* SP wrapping past 0xFF stops the simulation as an error unless ``set error stack off``.
"""

from __future__ import annotations

import bisect
import os
import re
import shutil
import subprocess
import tempfile
import threading
import time
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from sim.errors import MeasureError
from sim.machine.image import load_ihx

XTAL_HZ = 11_059_200
CLOCKS_PER_MACHINE_CYCLE = 12
DEFAULT_CPU = "C52"
DEFAULT_MAX_INSTRUCTIONS = 50_000_000
FLUSH_INSTRUCTIONS = 2000  # >= 2000 machine cycles after the stop: two UART frames at 9600


class S51Error(MeasureError):
    """s51 is missing, failed, or printed something we could not parse (its output in
    ``detail``)."""


def s51_path() -> str | None:
    """The s51 binary: ``$CLOCK51_S51`` if set, else ``s51`` on PATH, else None."""
    env = os.environ.get("CLOCK51_S51")
    if env:
        return env if Path(env).exists() else None
    return shutil.which("s51")


def s51_version() -> str:
    exe = _require_s51()
    out = subprocess.run([exe, "-v"], capture_output=True, text=True, timeout=10)
    return (out.stdout + out.stderr).strip()


def _require_s51() -> str:
    exe = s51_path()
    if exe is None:
        raise S51Error("s51 (ucsim) not found: install SDCC's simulator or set CLOCK51_S51")
    return exe


# --------------------------------------------------------------------------- images


def write_ihx(code: bytes, path: str | os.PathLike[str]) -> None:
    """Write ``code`` (loaded at 0) as Intel HEX, 16 bytes a record.

    Runs of 0xFF are written too: s51's unwritten ROM reads 0xFF (like erased flash, and
    like ``sim.machine.image``), so leaving them out would change nothing, but say so explicitly.
    """
    lines = []
    for off in range(0, len(code), 16):
        chunk = code[off : off + 16]
        rec = bytes([len(chunk), (off >> 8) & 0xFF, off & 0xFF, 0]) + chunk
        lines.append(":" + (rec + bytes([(-sum(rec)) & 0xFF])).hex().upper())
    lines.append(":00000001FF")
    Path(path).write_text("\n".join(lines) + "\n")


def selfjump_addresses(code: bytes) -> list[int]:
    """Every address holding an unconditional jump to itself.

    ``SJMP .`` (80 FE), ``LJMP addr`` to its own address (02 hi lo) and ``AJMP`` to its own
    address (aaa00001 low, same 2 KiB page as the following instruction).
    """
    found = []
    n = len(code)
    for a in range(n - 1):
        op = code[a]
        if op == 0x80 and code[a + 1] == 0xFE:
            found.append(a)
        elif op == 0x02 and a + 2 < n and ((code[a + 1] << 8) | code[a + 2]) == a:
            found.append(a)
        elif op & 0x1F == 0x01:
            target = ((a + 2) & 0xF800) | ((op & 0xE0) << 3) | code[a + 1]
            if target == a:
                found.append(a)
    return found


# --------------------------------------------------------------------------- running


@dataclass
class S51Run:
    """Result of ``run_ihx_detailed``."""

    output: bytes  # bytes the program sent through UART 0
    cycles: int  # machine cycles when stopped (before the self-jump executes)
    instructions: int  # s51's "Inst=" counter: instructions plus interrupt entries
    reason: str  # 'selfjump' (hit a self-jump breakpoint), 'limit', or 'error: <s51 message>'
    pc: int
    host_seconds: float  # s51's own "Host usage" figure for the bounded run
    wall_seconds: float  # wall time of the whole s51 process
    iram: bytes = field(repr=False, default=b"")  # IRAM 0x00-0xFF at the stop
    sfr: bytes = field(repr=False, default=b"")  # SFRs 0x80-0xFF at the stop (s51's view)
    log: str = field(repr=False, default="")


_STOP_RE = re.compile(r"Stop at 0x([0-9a-fA-F]+): \((\d+)\) (.*)")
_TOTAL_RE = re.compile(r"Total time since last reset= [0-9.e+-]+ sec \((\d+) clks\)")
_INST_RE = re.compile(r"^Inst= (\d+)", re.M)
_PC_RE = re.compile(r"CPU state= \S+ PC= 0x([0-9a-fA-F]+)")
_HOST_RE = re.compile(r"Host usage: ([0-9.e+-]+) sec")


def _ticks_to_cycles(ticks: int) -> int:
    if ticks % CLOCKS_PER_MACHINE_CYCLE:
        raise S51Error(f"s51 tick count {ticks} is not a whole number of machine cycles")
    return ticks // CLOCKS_PER_MACHINE_CYCLE


def _run_s51(
    workdir: Path,
    commands: Sequence[str],
    *,
    uart_out: Path | None,
    cpu_type: str,
    xtal: str,
    timeout: float,
) -> tuple[str, float]:
    exe = _require_s51()
    cmd_file = workdir / "commands.cmd"
    cmd_file.write_text("\n".join([*commands, "quit"]) + "\n")
    argv = [exe, "-b", "-q", "-t", cpu_type, "-X", xtal, "-R", "1"]
    if uart_out is not None:
        argv += ["-S", f"in=/dev/null,out={uart_out}"]
    argv += ["-C", str(cmd_file)]
    # s51's output goes to files: through a pipe, its many small writes would cost this
    # process a poll and a read each (thousands a run). The wait blocks until s51 exits
    # (a timer kills it at the timeout): waiting with a timeout, Python polls with sleeps
    # of up to 50 ms, longer than most runs.
    out_path, err_path = workdir / "s51.out", workdir / "s51.err"
    late = threading.Event()
    t0 = time.perf_counter()
    with open(out_path, "wb") as out, open(err_path, "wb") as err:
        proc = subprocess.Popen(argv, cwd=workdir, stdin=subprocess.DEVNULL, stdout=out,
                                stderr=err)
        timer = threading.Timer(timeout, lambda: (late.set(), proc.kill()))
        timer.start()
        try:
            proc.wait()
        finally:
            timer.cancel()
    wall = time.perf_counter() - t0
    if late.is_set():
        raise S51Error(f"s51 did not finish within {timeout} s: {' '.join(argv)}")
    log = out_path.read_bytes().decode("latin-1") + err_path.read_bytes().decode("latin-1")
    if proc.returncode != 0:
        raise S51Error(f"s51 exited with {proc.returncode}", detail=log[-2000:])
    return log, wall


class _Sections:
    """What s51 printed after each command of a command file (which it echoes), found in
    one pass over its output: a stream with many checkpoints asks for hundreds."""

    def __init__(self, log: str, commands: Sequence[str]) -> None:
        self.log = log
        self.lines = log.splitlines()
        wanted = {c.strip() for c in commands}
        self.at: dict[str, list[int]] = {}
        for i, line in enumerate(self.lines):
            text = line.strip()
            if text in wanted:
                self.at.setdefault(text, []).append(i)
        self.echoes = sorted(i for found in self.at.values() for i in found)

    def __call__(self, command: str, nth: int = 0) -> str:
        """The output after the ``nth`` echo of ``command`` up to the next echoed command."""
        found = self.at.get(command, [])
        if nth >= len(found):
            raise S51Error(f"s51 output has no {command!r} (#{nth})", detail=self.log[-2000:])
        k = bisect.bisect_right(self.echoes, found[nth])
        end = self.echoes[k] if k < len(self.echoes) else len(self.lines)
        return "\n".join(self.lines[found[nth] + 1:end])


def run_ihx_detailed(
    ihx: str | os.PathLike[str],
    *,
    max_instructions: int = DEFAULT_MAX_INSTRUCTIONS,
    cpu_type: str = DEFAULT_CPU,
    xtal: str = "11.0592M",
    timeout: float = 300.0,
    flush_instructions: int = FLUSH_INSTRUCTIONS,
) -> S51Run:
    """Run a compiled program in s51 until it reaches a self-jump (see module docstring)."""
    ihx = Path(ihx).resolve()
    code = load_ihx(ihx)
    stops = selfjump_addresses(code)
    with tempfile.TemporaryDirectory(prefix="clock51-s51-") as tmp:
        work = Path(tmp)
        uart = work / "uart.bin"
        uart.write_bytes(b"")
        cmds = [
            f'file "{ihx}"',
            "fill iram 0 0xff 0",
            "fill xram 0 0xffff 0",
            *(f"break 0x{a:04x}" for a in stops),
            f"step {max_instructions}",
            "state",
            "dump /h iram 0 0xff 16",
            "dump /h sfr 0x80 0xff 16",
            "delete",
            f"step {flush_instructions}",
        ]
        log, wall = _run_s51(
            work, cmds, uart_out=uart, cpu_type=cpu_type, xtal=xtal, timeout=timeout
        )
        output = uart.read_bytes()
    _section = _Sections(log, cmds)
    run_part = _section(f"step {max_instructions}")
    stop = _STOP_RE.search(run_part)
    state = _section("state")
    total = _TOTAL_RE.search(state)
    inst = _INST_RE.search(state)
    pcm = _PC_RE.search(state)
    host = _HOST_RE.search(run_part)
    if not (stop and total and inst and pcm):
        raise S51Error("cannot parse s51 output", detail=log[-3000:])
    pc = int(pcm.group(1), 16)
    if "Breakpoint" in stop.group(3) and pc in stops:
        reason = "selfjump"
    elif "stepped" in stop.group(3):
        reason = "limit"
    else:  # s51 stopped on an error it detected (stack overflow, ...): say which
        reason = "error: " + " ".join(
            ln.strip() for ln in run_part.splitlines()[:4] if ln.strip() and "Stop at" not in ln
        )
    instructions = int(inst.group(1))
    if "Breakpoint" in stop.group(3):
        instructions -= 1  # s51 counts the instruction fetched at the breakpoint
    return S51Run(
        output=output,
        cycles=_ticks_to_cycles(int(total.group(1))),
        instructions=instructions,
        reason=reason,
        pc=pc,
        host_seconds=float(host.group(1)) if host else float("nan"),
        wall_seconds=wall,
        iram=_parse_dump(_section("dump /h iram 0 0xff 16"), 0, 256),
        sfr=_parse_dump(_section("dump /h sfr 0x80 0xff 16"), 0x80, 128),
        log=log,
    )


def run_ihx(ihx: str | os.PathLike[str], **kwargs: object) -> tuple[bytes, int]:
    """Run ``ihx`` in s51 to its final self-jump: ``(uart_output, machine_cycles)``."""
    r = run_ihx_detailed(ihx, **kwargs)  # type: ignore[arg-type]
    if r.reason != "selfjump":
        raise S51Error(f"{ihx}: s51 stopped at 0x{r.pc:04x} without reaching a self-jump")
    return r.output, r.cycles


# --------------------------------------------------------------------------- streams


@dataclass
class MachineState:
    """The architectural state s51 reports at one checkpoint."""

    instructions: int  # instructions executed since reset (s51 counts interrupt entries too)
    cycles: int  # machine cycles since reset
    pc: int
    iram: bytes  # 256 bytes, 0x00-0xFF (indirect view)
    sfr: bytes  # 128 bytes, SFR 0x80-0xFF (index = address - 0x80)
    xram: bytes  # 256 bytes, XRAM 0x0000-0x00FF

    def sfr_at(self, addr: int) -> int:
        return self.sfr[addr - 0x80]


def _parse_dump(text: str, start: int, count: int, per_line: int = 16) -> bytes:
    out = bytearray(count)
    got = 0
    for line in text.splitlines():
        if not line.startswith("0x"):
            if got:
                break
            continue
        parts = line.split()
        addr = int(parts[0], 16)
        if addr < start or addr >= start + count:
            break
        vals = parts[1 : 1 + per_line]
        for i, v in enumerate(vals):
            if addr + i - start < count:
                out[addr + i - start] = int(v, 16)
                got += 1
    if got != count:
        raise S51Error(f"s51 dump: expected {count} bytes from 0x{start:x}, parsed {got}")
    return bytes(out)


def _set_memory_cmds(space: str, data: bytes, start: int = 0, chunk: int = 16) -> list[str]:
    cmds = []
    for off in range(0, len(data), chunk):
        vals = " ".join(f"0x{b:02x}" for b in data[off : off + chunk])
        cmds.append(f"set memory {space} 0x{start + off:x} {vals}")
    return cmds


def run_stream(
    code: bytes,
    checkpoints: Iterable[int],
    *,
    iram: bytes | None = None,
    xram: bytes | None = None,
    cpu_type: str = DEFAULT_CPU,
    xtal: str = "11.0592M",
    timeout: float = 60.0,
    strict_count: bool = True,
) -> list[MachineState]:
    """Load ``code`` at 0, reset, execute and report the state at each checkpoint.

    ``checkpoints`` are cumulative instruction counts (strictly increasing). ``iram`` (256
    bytes) and ``xram`` (up to 64 KiB) set the initial RAM; both default to zeros. SFRs are
    at their reset values. s51 counts an interrupt entry as an instruction; with
    ``strict_count`` (the default) a checkpoint whose count s51 did not reach exactly is an
    error, which also catches s51 stopping on its own.
    """
    points = list(checkpoints)
    if any(b <= a for a, b in zip(points, points[1:], strict=False)) or not points or points[0] < 0:
        raise ValueError("checkpoints must be increasing, non-negative instruction counts")
    with tempfile.TemporaryDirectory(prefix="clock51-s51-") as tmp:
        work = Path(tmp)
        write_ihx(code, work / "code.ihx")
        cmds = [
            'file "code.ihx"',
            "set error stack off",  # SP wrapping past 0xFF is legal; s51 would stop on it
            "fill iram 0 0xff 0",
            "fill xram 0 0xffff 0",
        ]
        if iram is not None:
            if len(iram) != 256:
                raise ValueError("iram must be 256 bytes")
            cmds += _set_memory_cmds("iram", iram)
        if xram is not None:
            cmds += _set_memory_cmds("xram", xram)
        done = 0
        for p in points:
            if p > done:
                cmds.append(f"step {p - done}")
            done = p
            cmds += [
                "state",
                "dump /h iram 0 0xff 16",
                "dump /h sfr 0x80 0xff 16",
                "dump /h xram 0 0xff 16",
            ]
        log, _ = _run_s51(work, cmds, uart_out=None, cpu_type=cpu_type, xtal=xtal, timeout=timeout)
    states = []
    _section = _Sections(log, cmds)
    for i, p in enumerate(points):
        st = _section("state", i)
        total = _TOTAL_RE.search(st)
        pcm = _PC_RE.search(st)
        inst = _INST_RE.search(st)
        if not (total and pcm and inst):
            raise S51Error(f"cannot parse s51 state #{i}", detail=st[:2000])
        if int(inst.group(1)) != p and strict_count:
            raise S51Error(f"s51 executed {inst.group(1)} instructions, expected {p}")
        states.append(
            MachineState(
                instructions=p,
                cycles=_ticks_to_cycles(int(total.group(1))),
                pc=int(pcm.group(1), 16),
                iram=_parse_dump(_section("dump /h iram 0 0xff 16", i), 0, 256),
                sfr=_parse_dump(_section("dump /h sfr 0x80 0xff 16", i), 0x80, 128),
                xram=_parse_dump(_section("dump /h xram 0 0xff 16", i), 0, 256),
            )
        )
    return states
