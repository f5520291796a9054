"""The MCU's flash memory as state: what the bootloader programs and the CPU runs.

Model (STC89 class; facts and choices):

- ``size`` bytes of code flash (the profile's ``mcu.code_size``; 8 KB on the STC89C52RC).
  Erased cells read 0xFF. Programming can only clear bits (a cell becomes ``old AND new``),
  so programming without an erase first shows as a wrong read-back.
- ``msr``: the STC89's one option byte (bit 0 = 1: 12T mode; see stcgal's Stc89Option).
  The bootloader reports it and the host may rewrite it.
- ``blank`` marks the cells the bootloader erased and nothing programmed since;
  ``complete`` is False from an erase until the host ends the session with the reset
  command. A host that vanished mid-upload leaves ``complete`` False and the tail of the
  erased area blank: ``partial()`` describes that, and the board reports it in one line
  (and once more if the program runs into it). A finished upload may leave blank cells
  past the program (stc89a erases the whole flash): that is not partial.

File format (``--flash FILE``), little-endian, version 1::

    0   8 bytes  magic b"C51FLASH"
    8   u16      version (1)
    10  u16      header size (32)
    12  u32      flash size N
    16  u8       option byte (MSR)
    17  u8       flags: bit 0 = an upload was started and not finished
    18  14 bytes reserved (0)
    32  N bytes  contents
    32+N N bytes blank map (1 = erased and not programmed since)

Saved atomically (sim.machine.state.write_atomic: a temporary file beside it, fsync, then
``os.replace``); only a regular file of bounded size is read. A file of another
version, of another size than the board's flash, or that is not a flash file is refused
with one line (``ConfigError``).
"""

from __future__ import annotations

import struct
from pathlib import Path

from sim.errors import ConfigError, StateError
from sim.machine.state import MAX_BYTES, read_bounded, write_atomic

MAGIC = b"C51FLASH"
VERSION = 1
_HEADER = struct.Struct("<8sHHIBB14x")
DEFAULT_MSR = 0xFD  # 12T, as the reference board's chip ships (bit 0 = 1)


class Flash:
    """Code flash contents, option byte and the erased-but-unprogrammed map."""

    def __init__(self, size: int, image: bytes = b"", *, msr: int = DEFAULT_MSR) -> None:
        if len(image) > size and any(image[size:]):
            raise ConfigError(f"the image uses {len(image)} bytes; the flash holds {size}")
        self.size = size
        self.data = bytearray(b"\xff" * size)
        self.data[:min(len(image), size)] = image[:size]
        self.blank = bytearray(size)
        self.msr = msr & 0xFF
        self.complete = True
        self.path: Path | None = None

    # -- what the bootloader does ----------------------------------------------------------
    def erase(self, start: int, length: int) -> None:
        """Erase ``length`` bytes from ``start`` (clipped to the flash)."""
        a, b = max(0, start), min(self.size, start + length)
        if b > a:
            self.data[a:b] = b"\xff" * (b - a)
            self.blank[a:b] = b"\x01" * (b - a)
            self.complete = False

    def finish(self) -> None:
        """The host ended the upload (the bootloader's reset command)."""
        self.complete = True

    def program(self, addr: int, data: bytes) -> bytes:
        """Program ``data`` at ``addr`` (bits can only be cleared; bytes past the end of
        the flash are dropped); returns what reads back."""
        out = bytearray()
        for i, v in enumerate(data):
            a = addr + i
            if 0 <= a < self.size:
                self.data[a] &= v
                self.blank[a] = 0
                out.append(self.data[a])
        return bytes(out)

    # -- what the board asks ---------------------------------------------------------------
    def image(self) -> bytes:
        return bytes(self.data)

    def is_blank(self, addr: int) -> bool:
        return 0 <= addr < self.size and bool(self.blank[addr])

    def partial(self) -> str | None:
        """None if no erased area is left unprogrammed below programmed code, else a
        description such as 'programmed up to 0x0180, erased but empty 0x0180-0x03FF'."""
        if self.complete or not any(self.blank):
            return None
        first_blank = self.blank.index(1)
        last_blank = len(self.blank) - 1 - self.blank[::-1].index(1)
        if first_blank == 0:
            return f"erased but never programmed at 0x0000-0x{last_blank:04X}"
        return (f"programmed up to 0x{first_blank:04X}, erased but empty "
                f"0x{first_blank:04X}-0x{last_blank:04X}")

    # -- the file --------------------------------------------------------------------------
    def save(self, path: str | Path | None = None) -> None:
        target = Path(path) if path is not None else self.path
        if target is None:
            return
        header = _HEADER.pack(MAGIC, VERSION, _HEADER.size, self.size, self.msr,
                              0 if self.complete else 1)
        payload = header + bytes(self.data) + bytes(self.blank)
        try:
            write_atomic(target, payload)  # temporary file, fsync, os.replace
        except OSError as e:
            raise ConfigError(f"{target}: cannot write the flash file: {e.strerror}") from None

    @classmethod
    def load(cls, path: str | Path, size: int) -> Flash:
        path = Path(path)
        try:  # a regular file of bounded size: /dev/zero is not read for ever
            raw = read_bounded(path, max(MAX_BYTES, _HEADER.size + 2 * size))
        except StateError as e:
            raise ConfigError(f"{e} (the flash file)") from None
        if len(raw) < _HEADER.size or raw[:8] != MAGIC:
            raise ConfigError(f"{path}: not a clock51 flash file")
        magic, version, hsize, fsize, msr, flags = _HEADER.unpack_from(raw)
        if version != VERSION:
            raise ConfigError(f"{path}: flash file version {version}; this simulator reads "
                              f"version {VERSION}")
        if fsize != size:
            raise ConfigError(f"{path}: holds {fsize} bytes of flash; this board has {size}")
        if len(raw) != hsize + 2 * fsize:
            raise ConfigError(f"{path}: flash file is truncated ({len(raw)} bytes)")
        flash = cls(size, msr=msr)
        flash.data[:] = raw[hsize:hsize + fsize]
        flash.blank[:] = bytes(1 if b else 0 for b in raw[hsize + fsize:])
        flash.complete = not flags & 1
        flash.path = path
        return flash

    @classmethod
    def open(cls, path: str | Path, size: int, image: bytes) -> tuple[Flash, bool]:
        """The flash kept in ``path``, or a new one holding ``image`` (saved there now);
        returns (flash, created)."""
        path = Path(path)
        if path.exists():
            return cls.load(path, size), False
        flash = cls(size, image)
        flash.path = path
        flash.save()
        return flash, True
