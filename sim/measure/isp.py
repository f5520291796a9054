"""The ISP bootloader's figures beside their references: ``python -m sim.measure.isp``.

Runs the STC89 bootloader model (sim.cpu.isp) on a simulated reference board in simulated
time, with frames built and read by stcgal's own protocol classes (stcgal 1.10, installed
with the project's firmware extras), and prints:

- the status packet's clock counter(s) and the frequency and BSL version stcgal derives
  from them, for BSL 4.3C (stc89) and 7.2.5C (stc89a), beside the figures of issue 11 and
  stcgal's recorded traces;
- the wire time of the status packet at 2400 baud;
- the simulated time of a whole stc89 upload of the reference build at 115200 baud (first
  0x7F to the reset into the new program), when that build exists.
"""

from __future__ import annotations

import dataclasses
import sys
from typing import Any

from boardprofile import Profile, load_profile

from sim.errors import MeasureError
from sim.machine.board import Board
from sim.machine.image import load_ihx, project_build

TINY = bytes([0x80, 0xFE])  # SJMP $


class _Wire:
    """Stands in for stcgal's serial port: collects what ``write_packet`` sends."""

    def __init__(self) -> None:
        self.data = b""

    def write(self, data: bytes) -> None:
        self.data += data

    def flush(self) -> None:
        pass


def stcgal_protocol(protocol: str) -> Any:
    """stcgal's own protocol object for "stc89" or "stc89a", writing into memory."""
    from stcgal.protocols import Stc89AProtocol, Stc89Protocol

    cls = Stc89Protocol if protocol == "stc89" else Stc89AProtocol
    proto = cls("simulated", 2400, 115200)
    proto.ser = _Wire()
    return proto


def host_frame(proto: Any, payload: bytes) -> bytes:
    """The bytes stcgal sends for ``payload``."""
    proto.ser.data = b""
    proto.write_packet(payload)
    return proto.ser.data


def read_reply(board: Board, proto: Any, since: int, timeout_s: float = 5.0) -> bytes:
    """The next whole MCU frame sent after tx_log index ``since``, checked and unpacked by
    stcgal (the status packet may start at 0x68: stcgal's sync eats the 46 B9)."""
    def frame() -> bytes:
        got = bytes(b for _, b in board.uart.tx_log[since:])
        return b"\x46\xb9" + got if got[:1] == b"\x68" else got

    def complete() -> bool:
        got = frame()
        return len(got) >= 5 and len(got) >= int.from_bytes(got[3:5], "big") + 2

    if not board.run_until_true(complete, timeout_s):
        raise MeasureError("the bootloader did not answer")
    got = frame()
    return proto.extract_payload(got[:int.from_bytes(got[3:5], "big") + 2])


class _Host:
    """stcgal's framing on one side of a simulated board's UART, in simulated time."""

    def __init__(self, board: Board, protocol: str) -> None:
        self.proto = stcgal_protocol(protocol)
        self.board = board

    def send(self, raw: bytes) -> None:
        self.board.uart.inject(raw, self.board.cycles)

    def request(self, payload: bytes) -> bytes:
        since = len(self.board.uart.tx_log)
        self.send(host_frame(self.proto, payload))
        return self.reply(since)

    def reply(self, since: int, timeout_s: float = 5.0) -> bytes:
        return read_reply(self.board, self.proto, since, timeout_s)


def with_isp(profile: Profile, protocol: str, **mcu: Any) -> Profile:
    """``profile`` with its chip's bootloader generation (and other ``[mcu]`` fields)."""
    return dataclasses.replace(profile, mcu=dataclasses.replace(profile.mcu, isp=protocol,
                                                                **mcu))


def _board(protocol: str, image: bytes) -> Board:
    return Board(with_isp(load_profile("reference"), protocol), image, bootloader=True)


def status(protocol: str) -> tuple[Board, _Host, bytes, int]:
    """A board whose bootloader got stcgal's sync 50 ms after it started listening (the MCU
    out of reset) and sent its status packet: the board, the host, the payload and the
    cycle of the sync."""
    board = _board(protocol, TINY)
    host = _Host(board, protocol)
    board.run_until_true(lambda: board.chip.state == "bsl", 1.0)
    board.run_for(0.05)
    host.send(b"\x7f")
    board.run_for(0.03)
    host.send(b"\x7f")
    sync = board.cycles
    return board, host, host.reply(0), sync


def upload_seconds(image: bytes) -> float:
    board, host, payload, _ = status("stc89")
    host.proto.initialize_status(payload)
    start = board.cycles
    data = image + b"\xff" * (-len(image) % 512)
    host.request(bytes([0x8F, 0xFF, 0xFD, 0x00, 0x06, 0xA0, 0x81]))
    host.request(bytes([0x8E, 0xFF, 0xFD, 0x00, 0x06, 0xA0]))
    for _ in range(4):
        host.request(bytes([0x80, 0x00, 0x00, 0x36, 0x01, 0xF0, 0x02]))
    host.request(bytes([0x84, len(data) // 256, 0x33, 0x33, 0x33, 0x33, 0x33, 0x33]))
    for addr in range(0, len(data), 128):
        host.request(bytes([0, 0, 0, addr >> 8, addr & 0xFF, 0, 0x80]) + data[addr:addr + 128])
    host.request(bytes([0x8D, 0xFD, 0xFF, 0xFF, 0xFF]))
    host.send(host_frame(host.proto, b"\x82"))
    board.run_until_true(lambda: board.chip.state == "app", 1.0)
    return (board.cycles - start) / board.cps


def main() -> int:
    for protocol, counter_at, ref_counter in (("stc89", 1, 2688), ("stc89a", 13, 384)):
        board, host, payload, _ = status(protocol)
        host.proto.initialize_status(payload)
        counter = int.from_bytes(payload[counter_at:counter_at + 2], "big")
        print(f"{protocol}: counter {counter} (0x{counter:04X}; reference {ref_counter}), "
              f"stcgal: {host.proto.mcu_clock_hz / 1e6:.3f} MHz (reference 11.059), "
              f"BSL {host.proto.mcu_bsl_version} (reference "
              f"{'4.3C' if protocol == 'stc89' else '7.2.5C'})")
    board, _, payload, sync = status("stc89")
    log = board.uart.tx_log
    print(f"stc89 status packet: {len(log)} bytes, first byte {log[0][0] - sync} cycles after "
          f"the sync, last after {(log[-1][0] - log[0][0]) / board.cps * 1e3:.1f} ms more "
          f"(reference: {len(log) - 1} x 10 bits at 2400 baud = "
          f"{(len(log) - 1) * 10 / 2400 * 1e3:.1f} ms)")
    built = project_build("reference")
    if built.exists():
        image = load_ihx(built)
        print(f"stc89 upload of the reference build ({len(image)} bytes) at 115200 baud: "
              f"{upload_seconds(image):.2f} s simulated, sync to reset")
    else:
        print(f"(no {built}: run .venv/bin/pio run -e reference for the upload figure)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
