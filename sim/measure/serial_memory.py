"""Memory per UART byte of a long serial session, measured with tracemalloc.

``python -m sim.measure.serial_memory [--bytes N] [--board NAME] [FIRMWARE.ihx]`` runs the
board's firmware as ``clock51-sim run --serial ... --fast`` does (``RealtimeLoop`` flat out,
an in-memory endpoint standing for the pty or TCP port), keeps a host polling it with
``GET`` lines as ``clock51 monitor`` would, and prints how much Python memory the run held
per UART byte (both directions) once ``N`` bytes have crossed, beside the figure issue 10
reported before the logs were bounded (about 105 bytes a byte, never trimmed).
"""

from __future__ import annotations

import argparse
import gc
import sys
import tracemalloc
from pathlib import Path

REFERENCE_BEFORE = 105.0  # bytes of memory per UART byte, issue 10 (lists of tuples)


def measure(firmware: Path, board_name: str = "reference", total: int = 100_000,
            warmup: int = 30_000, every: int = 50_000) -> list[tuple[int, int]]:
    """(UART bytes counted, memory grown) at every ``every`` bytes after the warm-up and at
    the end. The warm-up (``warmup`` bytes, not counted) lets the CPU translate the code the
    session runs; ``total`` bytes are then counted."""
    from sim.frontends.endpoints import MemoryEndpoint
    from sim.frontends.run import RealtimeLoop
    from sim.machine.board import Board

    endpoint = MemoryEndpoint()
    board = Board(board_name, firmware, endpoint=endpoint)
    board.set_rtc(__import__("datetime").datetime(2026, 11, 24, 12, 0, 0))
    loop = RealtimeLoop(board, endpoint, realtime=False)
    moved = 0
    waiting = False
    mark: list[int] = []
    points: list[tuple[int, int]] = []
    pending = bytearray()

    def on_slice(_now: float) -> bool:
        nonlocal moved, waiting
        got = endpoint.take_sent()
        moved += len(got)
        pending.extend(got)
        if b"\n" in pending:
            del pending[:]
            waiting = False
        if not waiting and board.seconds > 1.0:  # after the banner
            endpoint.feed(b"GET\r\n")
            moved += 5
            waiting = True
        if not mark and moved >= warmup:
            gc.collect()
            mark.extend((tracemalloc.get_traced_memory()[0], moved))
        elif mark and (moved - mark[1]) // every > len(points):
            gc.collect()
            points.append((moved - mark[1], tracemalloc.get_traced_memory()[0] - mark[0]))
        return not mark or moved - mark[1] < total

    tracemalloc.start()
    loop.run(on_slice)
    gc.collect()
    end = (moved - mark[1], tracemalloc.get_traced_memory()[0] - mark[0])
    tracemalloc.stop()
    if not points or points[-1][0] != end[0]:
        points.append(end)
    return points


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(prog="python -m sim.measure.serial_memory",
                                description=__doc__.splitlines()[0])
    p.add_argument("firmware", nargs="?", help="image (default: the board's build)")
    p.add_argument("--board", default="reference")
    p.add_argument("--bytes", type=int, default=100_000,
                   help="UART bytes to count after a warm-up of 30,000 (default 100,000)")
    args = p.parse_args(argv)
    from sim.frontends.run import firmware_path

    points = measure(firmware_path(args.firmware, args.board), args.board, args.bytes)
    print("UART bytes after warm-up   memory grown   per UART byte")
    for counted, grown in points:
        print(f"{counted:>22,}   {grown:>12,}   {grown / counted:8.2f}")
    print(f"issue 10, before the logs were bounded: about {REFERENCE_BEFORE:.0f} bytes per "
          "UART byte, for ever")
    return 0


if __name__ == "__main__":
    sys.exit(main())
