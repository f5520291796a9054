"""Flash and power for `clock51-sim run`, and `clock51-sim power-cycle`.

`run` options (added by ``add_arguments``):

- ``--flash FILE``: the chip's flash kept in FILE across runs (sim.machine.flash). The
  first run creates it from FIRMWARE; later runs run what FILE holds (an upload changes
  it) and ignore FIRMWARE. With it the board powers on through the ISP bootloader's
  listening window (sim.cpu.isp) and a crashing program is reported in one line.
- ``--power-cycle-on-sync``: a burst of 0x7F from the host (stcgal waiting for the MCU)
  cycles power (sim.machine.power).

The control channel (so stcgal ``-a -r CMD`` can cycle a running simulated board): a
`run` with ``--serial`` listens on a unix socket named after its serial port,
``$XDG_RUNTIME_DIR/clock51-sim/<port>.sock`` (else ``/tmp/clock51-sim-<uid>/``), where
<port> is ``dev-pts-5`` for /dev/pts/5 or ``tcp-4000`` for tcp:4000. The protocol is one
line each way: ``power-cycle`` -> ``ok`` once the board has cycled its supply (in
simulated time, between two slices of the run), or ``error: ...``.

    clock51-sim power-cycle --serial /dev/pts/5
    stcgal -P stc89 -a -r "clock51-sim power-cycle --serial /dev/pts/5" -p /dev/pts/5 fw.ihx

Exit codes: 0 done; 1 no simulator serves that port, or it did not answer in time.
"""

from __future__ import annotations

import argparse
import contextlib
import os
import socket
import sys
import tempfile
import threading
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from boardprofile import Profile

from sim.errors import ConfigError, SimError
from sim.machine.flash import Flash
from sim.machine.image import load_ihx

ANSWER_TIMEOUT_S = 5.0


# -- `run` options ---------------------------------------------------------------------------
def add_arguments(p: argparse.ArgumentParser) -> None:
    p.add_argument("--flash", type=Path, metavar="FILE",
                   help="keep the chip's flash in FILE across runs (created from FIRMWARE "
                        "on first use); the board boots through its ISP bootloader")
    p.add_argument("--power-cycle-on-sync", action="store_true",
                   help="cycle power when a burst of 0x7F arrives (stcgal waiting for the "
                        "MCU)")


@dataclass
class ChipSetup:
    """What the run options make of the chip: its flash, bootloader and notices."""

    flash: Flash | None
    bootloader: bool
    cycle_on_sync: bool

    @classmethod
    def from_args(cls, args: argparse.Namespace, profile: Profile,
                  firmware: Any) -> ChipSetup:
        """``firmware()`` gives the image path; called only when FILE is created."""
        flash = None
        if args.flash is not None:
            if args.flash.exists():
                flash = Flash.load(args.flash, profile.code_size)
                if args.firmware:
                    _say(f"flash: running what {args.flash} holds ({args.firmware} not "
                         "loaded; delete the file to start from it)")
            else:
                image = load_ihx(firmware())
                flash, _ = Flash.open(args.flash, profile.code_size, image)
        on_sync = bool(args.power_cycle_on_sync)
        return cls(flash, flash is not None or on_sync, on_sync)

    def board_kwargs(self, endpoint: Any) -> dict[str, Any]:
        return {"flash": self.flash, "bootloader": self.bootloader,
                "power_cycle_on_sync": self.cycle_on_sync,
                "host_baud": getattr(endpoint, "baud", None), "notify": _say}

    def finish(self) -> None:
        if self.flash is not None:
            self.flash.save()


def _say(message: str) -> None:
    print(f"clock51-sim: {message}", file=sys.stderr, flush=True)


# -- the control channel ---------------------------------------------------------------------
def control_dir() -> Path:
    runtime = os.environ.get("XDG_RUNTIME_DIR")
    if runtime and Path(runtime).is_dir():
        return Path(runtime) / "clock51-sim"
    return Path(tempfile.gettempdir()) / f"clock51-sim-{os.getuid()}"


def control_path(serial: str) -> Path:
    """The socket of the simulator serving ``serial`` (/dev/pts/N, tcp:PORT or
    socket://127.0.0.1:PORT)."""
    s = serial.strip()
    for prefix in ("socket://127.0.0.1:", "socket://localhost:", "tcp:"):
        if s.startswith(prefix) and s[len(prefix):].isdigit():
            return control_dir() / f"tcp-{int(s[len(prefix):])}.sock"
    if s.startswith("/"):
        name = "-".join(part for part in s.split("/") if part)
        return control_dir() / f"{name}.sock"
    raise ConfigError(f"{serial!r}: expected a pty path (/dev/pts/N), tcp:PORT or "
                      "socket://127.0.0.1:PORT")


class ControlServer:
    """Answers ``power-cycle`` requests for one running board (a daemon thread)."""

    def __init__(self, board: Any, serial: str) -> None:
        self.board = board
        self.path = control_path(serial)
        self.path.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
        with contextlib.suppress(FileNotFoundError):
            self.path.unlink()  # a stale socket of a simulator that died
        self._sock = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        self._sock.bind(str(self.path))
        self._sock.listen(4)
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._serve, name="clock51-control",
                                        daemon=True)
        self._thread.start()

    def _serve(self) -> None:
        while not self._stop.is_set():
            try:
                conn, _ = self._sock.accept()
            except OSError:
                return
            with conn:
                conn.settimeout(ANSWER_TIMEOUT_S)
                try:
                    request = conn.recv(256).decode("ascii", "replace").strip()
                    conn.sendall(self._answer(request).encode() + b"\n")
                except OSError:
                    continue

    def _answer(self, request: str) -> str:
        if request != "power-cycle":
            return f"error: unknown request {request[:40]!r}"
        done = self.board.chip.request_power_cycle()
        if not done.wait(ANSWER_TIMEOUT_S):
            return "error: the simulator did not cycle power (is it paused?)"
        return "ok"

    def close(self) -> None:
        self._stop.set()
        with contextlib.suppress(OSError):
            self._sock.close()
        with contextlib.suppress(OSError):
            self.path.unlink()


def serve(board: Any, serial_name: str | None) -> ControlServer | None:
    """A control server for a run whose serial port is ``serial_name`` (None: no port)."""
    if serial_name is None:
        return None
    try:
        return ControlServer(board, serial_name)
    except OSError as e:
        _say(f"power-cycle control unavailable: {e.strerror or e}")
        return None


# -- `clock51-sim power-cycle` -------------------------------------------------------------------
def add_command_arguments(p: argparse.ArgumentParser) -> None:
    p.add_argument("--serial", required=True, metavar="PORT",
                   help="the serial port of the running simulator: /dev/pts/N, tcp:PORT or "
                        "socket://127.0.0.1:PORT")


def power_cycle(serial: str, timeout: float = ANSWER_TIMEOUT_S + 1) -> None:
    path = control_path(serial)
    with socket.socket(socket.AF_UNIX, socket.SOCK_STREAM) as s:
        s.settimeout(timeout)
        try:
            s.connect(str(path))
        except (FileNotFoundError, ConnectionRefusedError):
            raise SimError(f"no running simulator serves {serial} (start one with "
                           "clock51-sim run --serial ...)") from None
        try:
            s.sendall(b"power-cycle\n")
            answer = s.recv(256).decode("ascii", "replace").strip()
        except TimeoutError:
            raise SimError(f"the simulator serving {serial} did not answer") from None
    if answer != "ok":
        raise SimError(answer.removeprefix("error: ") or "no answer from the simulator")


def run_command(args: argparse.Namespace) -> int:
    power_cycle(args.serial)
    print(f"power cycled: {args.serial}")
    return 0

