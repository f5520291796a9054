"""Helpers for the CPU tests: programs are written as hex bytes, no assembler needed."""

from __future__ import annotations

from sim.cpu import CPU

# flag masks in PSW
CY, AC, F0, RS1, RS0, OV, P = 0x80, 0x40, 0x20, 0x10, 0x08, 0x04, 0x01
HALT = "80 FE"  # sjmp .


def hx(text: str) -> bytes:
    return bytes.fromhex(text.replace("\n", " "))


def image(main: str, at: dict[int, str] | None = None) -> bytes:
    """Code image: ``main`` hex at 0, plus ``at`` = {address: hex} (vectors, subroutines)."""
    parts = {0: hx(main)}
    for addr, text in (at or {}).items():
        parts[addr] = hx(text)
    size = max(a + len(b) for a, b in parts.items())
    img = bytearray(b"\xff" * size)
    for a, b in parts.items():
        img[a:a + len(b)] = b
    return bytes(img)


def make(main: str, at: dict[int, str] | None = None, **kw) -> CPU:
    return CPU(image(main, at), **kw)


def run_halt(cpu: CPU, limit: int = 1_000_000) -> CPU:
    """Run until the program reaches its final ``sjmp .`` (not executed)."""
    reason = cpu.run(cpu.cycles + limit, stop_at_selfjump=True)
    assert reason == "selfjump", f"stopped by {reason} at 0x{cpu.pc:04X}"
    return cpu


def exe(main: str, at: dict[int, str] | None = None, **kw) -> CPU:
    """Build and run a program to its halt."""
    return run_halt(make(main, at, **kw))


