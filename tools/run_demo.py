"""`make run`: build the firmware and show what there is to show.

Full behaviour (simulated clock live in the terminal, synced to the PC over the simulated
serial port) arrives with the simulator's `run` command; until then this builds every board
and reports the images.
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def main() -> int:
    pio = str(Path(sys.executable).with_name("pio"))
    proc = subprocess.run([pio, "run", "-e", "reference"], cwd=ROOT)
    if proc.returncode != 0:
        return proc.returncode
    print(f"built {ROOT / '.pio/build/reference/firmware.ihx'}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
