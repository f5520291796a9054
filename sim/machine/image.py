"""Intel HEX (.ihx) loading.

``load_ihx(path_or_text)`` returns the code image as ``bytes``: the used length (highest
address + 1), unprogrammed gaps filled with 0xFF like erased flash. The CPU pads it to
64 KB itself. Any defect (bad checksum, bad record, odd characters, missing end record is
tolerated) raises :class:`sim.errors.ImageError` naming the file and the line number.
"""

from __future__ import annotations

import os
from pathlib import Path

from sim.errors import ImageError

__all__ = ["load_ihx", "parse_ihx", "project_build"]


def project_build(board: str, start: str | os.PathLike[str] | None = None) -> Path:
    """Where PlatformIO puts ``board``'s image in the project around ``start`` (default: the
    current directory): ``<project>/.pio/build/<board>/firmware.ihx``, <project> being the
    nearest folder that holds a platformio.ini (``start`` itself when none does). Whether
    the file exists is the caller's business."""
    here = Path(start or Path.cwd()).resolve()
    project = next((d for d in (here, *here.parents) if (d / "platformio.ini").is_file()), here)
    return project / ".pio" / "build" / board / "firmware.ihx"


def load_ihx(path_or_text: str | os.PathLike[str]) -> bytes:
    """Load an Intel HEX image from a path, or from the text itself (if it starts with ':')."""
    if isinstance(path_or_text, str) and path_or_text.lstrip().startswith(":"):
        return parse_ihx(path_or_text, "<text>")
    path = Path(path_or_text)
    try:
        text = path.read_text(encoding="ascii", errors="replace")
    except OSError as e:
        raise ImageError(f"{path}: cannot read: {e.strerror or e}") from e
    return parse_ihx(text, str(path))


def parse_ihx(text: str, name: str = "<text>") -> bytes:
    mem: dict[int, int] = {}
    base = 0
    seen_eof = False
    for lineno, raw in enumerate(text.splitlines(), start=1):
        line = raw.strip()
        if not line or seen_eof:
            continue
        where = f"{name}: line {lineno}"
        if line[0] != ":":
            raise ImageError(f"{where}: record does not start with ':'")
        try:
            rec = bytes.fromhex(line[1:])
        except ValueError:
            raise ImageError(f"{where}: bad record (not hexadecimal)") from None
        if len(rec) < 5 or len(rec) != rec[0] + 5:
            raise ImageError(f"{where}: bad record length")
        if sum(rec) & 0xFF:
            want = (-sum(rec[:-1])) & 0xFF
            raise ImageError(
                f"{where}: bad checksum 0x{rec[-1]:02X} (expected 0x{want:02X})"
            )
        count, addr, rtype, data = rec[0], rec[1] << 8 | rec[2], rec[3], rec[4:-1]
        if rtype == 0:
            for i, b in enumerate(data):
                mem[base + addr + i] = b
        elif rtype == 1:
            seen_eof = True
        elif rtype == 2 and count == 2:
            base = (data[0] << 8 | data[1]) << 4
        elif rtype == 4 and count == 2:
            base = (data[0] << 8 | data[1]) << 16
        elif rtype in (3, 5) and count == 4:
            pass  # start address: the 8051 always starts at 0
        else:
            raise ImageError(f"{where}: bad record type {rtype:02X}")
    if not mem:
        raise ImageError(f"{name}: no data records")
    top = max(mem)
    if top > 0xFFFF:
        raise ImageError(f"{name}: data at 0x{top:X} is beyond the 64 KB code space")
    image = bytearray(b"\xff" * (top + 1))
    for a, b in mem.items():
        image[a] = b
    return bytes(image)
