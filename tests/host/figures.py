"""Issue 10 items 5 and 6, measured: ``python -m tests.host.figures [--quick]``.

- Item 5: every 1-, 2- and 3-bit flip of the issue's SET line, with the old XOR check and with
  the CRC check, through the firmware model (tests/host/fwcheck.py): how many flipped lines
  would make the clock run a write other than the one sent (reference: the issue found one
  with the XOR, 05:06:07 -> 05:16:17). And the CRC's cost in the built reference firmware.
- Item 6: how long ``clock51 get --timeout T`` takes against a peer that streams banners
  or junk forever (reference: before the fix it waited until the peer stopped).
"""

from __future__ import annotations

import argparse
import itertools
import re
import time
from pathlib import Path

from host import cli
from host import protocol as p
from tests.host import fwcheck

ROOT = Path(__file__).resolve().parents[2]
LINE = "SET 2026-11-24 05:06:07"
CODE_BEFORE = 6323  # bytes, reference board, before the CRC (README budgets)


def wrong_writes(text: bytes, most: int) -> tuple[int, int]:
    intended = fwcheck.judge(text).action
    patterns = wrong = 0
    for k in range(1, most + 1):
        for bits in itertools.combinations(range(8 * len(text)), k):
            line = bytearray(text)
            for bit in bits:
                line[bit >> 3] ^= 1 << (bit & 7)
            patterns += 1
            outcomes = fwcheck.run(bytes(line) + b"\n")
            if any(o.action is not None and o.action != intended for o in outcomes):
                wrong += 1
    return patterns, wrong


def code_size() -> str:
    mem = ROOT / ".pio" / "build" / "reference" / "firmware.mem"
    if not mem.exists():
        return "reference firmware not built (pio run -e reference)"
    rom = re.search(r"ROM/EPROM/FLASH\s+\S+\s+\S+\s+(\d+)", mem.read_text())
    if not rom:
        return "no code size in firmware.mem"
    used = int(rom.group(1))
    return f"code {used} bytes, {used - CODE_BEFORE:+d} against {CODE_BEFORE} before the CRC"


def give_up_time(payload: bytes, timeout: float) -> float:
    from tests.host.test_deadlines import Streamer

    server = Streamer(payload)
    try:
        start = time.monotonic()
        cli.main(["--port", f"socket://127.0.0.1:{server.port}", "--timeout", str(timeout),
                  "get"])
        return time.monotonic() - start
    finally:
        server.close()


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0] if __doc__ else None)
    ap.add_argument("--quick", action="store_true", help="1- and 2-bit flips only")
    most = 2 if ap.parse_args().quick else 3
    for form in (p.XOR, p.CRC):
        text = (LINE + p.check_suffix(LINE, form)).encode()
        patterns, wrong = wrong_writes(text, most)
        print(f"{text.decode():32} {patterns:8d} flip patterns (1-{most} bits): {wrong} would "
              f"run another write")
    print(f"firmware: {code_size()}")
    timeout = 0.5
    for name, payload in (("banners", b"clock51 READY\r\n"), ("junk without LF", b"x")):
        took = give_up_time(payload, timeout)
        print(f"clock51 get --timeout {timeout} against a peer streaming {name}: exit after "
              f"{took:.2f} s (bound: 2 waits of {timeout} s, a query is retried once, "
              "+ 0.3 s pyserial's socket close)")


if __name__ == "__main__":
    main()
