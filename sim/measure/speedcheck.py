"""Quick speed check of the CPU core (not a test): ``python -m sim.measure.speedcheck``.

Compiles a CPU-bound SDCC program (16/32-bit arithmetic, 32-bit multiply and divide from the
SDCC library, an XRAM array sum) with ``sdcc -mmcs51 --std-c99``, runs it to its final
``while (1);`` through ``sim.frontends.exec.run_program`` and prints simulated machine cycles per
wall second. The first run includes translating the blocks; the second reuses the compiled
code objects (as every later CPU in the same process does).
"""

from __future__ import annotations

import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

SOURCE = r"""
#include <8052.h>
#include <stdint.h>

static void uart_init(void) {
    SCON = 0x50; TMOD = 0x20; TH1 = 0xFD; TL1 = 0xFD; TR1 = 1;
}
static void putc_(char c) { SBUF = c; while (!TI); TI = 0; }
static void puthex(uint32_t v) {
    int8_t i;
    for (i = 28; i >= 0; i -= 4) putc_("0123456789ABCDEF"[(v >> i) & 15]);
    putc_('\n');
}
__xdata uint16_t arr[64];
uint8_t small[32];

void main(void) {
    uint32_t acc = 1, h = 2166136261UL;
    uint16_t i, j, s16 = 0;
    uart_init();
    for (i = 0; i < 64; i++) arr[i] = i * 37u + 11;
    for (j = 0; j < REPEAT; j++) {
        for (i = 0; i < 64; i++) {
            s16 += arr[i];
            acc = acc * 3 + arr[i];
            h = (h ^ (uint8_t)i) * 16777619UL;
            small[i & 31] += (uint8_t)j;
        }
        acc ^= acc >> 7;
        acc += (uint32_t)s16 / (j + 1);
    }
    puthex(acc); puthex(h); puthex(s16);
    while (1);
}
"""


def build(repeat: int, workdir: Path) -> bytes:
    from sim.machine.image import load_ihx

    src = workdir / "speed.c"
    src.write_text(SOURCE)
    subprocess.run(["sdcc", "-mmcs51", "--std-c99", f"-DREPEAT={repeat}", "speed.c"],
                   cwd=workdir, check=True, capture_output=True)
    return load_ihx(workdir / "speed.ihx")


def main(argv: list[str] | None = None) -> int:
    from sim.frontends.exec import run_program

    args = sys.argv[1:] if argv is None else argv
    repeat = int(args[0]) if args else 300
    if shutil.which("sdcc") is None:
        print("sdcc not found", file=sys.stderr)
        return 1
    with tempfile.TemporaryDirectory() as d:
        image = build(repeat, Path(d))
    for label in ("first run (translating)", "second run (cached code)"):
        res = run_program(image, max_cycles=10**9)
        print(f"{label}: {res.cycles} cycles, {res.instructions} instructions in "
              f"{res.wall_seconds:.3f} s = {res.mhz_equivalent:.2f} M cycles/s, "
              f"{res.instructions / res.wall_seconds / 1e6:.2f} M instructions/s "
              f"[{res.reason}, output {res.output!r}]")
    return 0


if __name__ == "__main__":
    sys.exit(main())
