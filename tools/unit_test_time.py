"""Time the firmware unit tests: ``pio test -e test``, whole run and per suite, beside the
60 s budget of issue 14 (README "Firmware unit tests").

    .venv/bin/python -m tools.unit_test_time            # as it is (objects may be reused)
    .venv/bin/python -m tools.unit_test_time --clean    # from an empty .pio/build/test

Prints the wall time, each suite's time as PlatformIO reports it (build and run) and the
machine cycles its image ran in the simulator (from ``clock51-sim exec``'s statistics, shown
by ``pio test -v``). Exit status 1 when the run fails or exceeds the budget.
"""

from __future__ import annotations

import argparse
import os
import re
import shutil
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
BUDGET_S = 60.0


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--clean", action="store_true", help="remove .pio/build/test first")
    args = p.parse_args(argv)
    if args.clean:
        shutil.rmtree(ROOT / ".pio" / "build" / "test", ignore_errors=True)
    pio = Path(sys.executable).with_name("pio")
    env = dict(os.environ, PLATFORMIO_NO_ANSI="1")
    t0 = time.perf_counter()
    proc = subprocess.run([str(pio), "test", "-e", "test", "-v"], cwd=ROOT, env=env,
                          text=True, capture_output=True)
    wall = time.perf_counter() - t0
    out = proc.stdout + proc.stderr
    rows = re.findall(r"^test\s+(test_\w+)\s+(\w+)\s+(\d+):(\d+):([\d.]+)$", out, re.M)
    cycles = dict(re.findall(r"Processing (test_\w+) in test environment.*?cycles: (\d+)",
                             out, re.S))
    cases = re.search(r"\d+ test cases: .*? in ", out)
    print(f"pio test -e test{' (clean build)' if args.clean else ''}: "
          f"{wall:.1f} s wall (budget {BUDGET_S:.0f} s), "
          f"{cases[0][:-4] if cases else 'no summary'}")
    for name, status, hh, mm, ss in rows:
        secs = int(hh) * 3600 + int(mm) * 60 + float(ss)
        cyc = cycles.get(name)
        sim = f"{int(cyc):>12,} machine cycles" if cyc else ""
        print(f"  {name:<16} {status:<8} {secs:6.2f} s  {sim}")
    if proc.returncode != 0:
        print(out[-4000:], file=sys.stderr)
        return 1
    return 0 if wall <= BUDGET_S else 1


if __name__ == "__main__":
    sys.exit(main())
