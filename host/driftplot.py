"""``clock51 drift --plot FILE.png``: offset against time, the measured points and the fit.

matplotlib is optional (the ``plot`` extra; the test extra has it): without it ``--plot``
is one line and exit 1, checked before the clock is opened.
"""

from __future__ import annotations

import importlib.util
from pathlib import Path

from host import drift as d
from host.errors import Clock51Error

DAY = 86400.0


class PlotError(Clock51Error):
    """The plot cannot be drawn: matplotlib missing, or the file cannot be written."""


def require() -> None:
    try:
        found = importlib.util.find_spec("matplotlib") is not None
    except (ImportError, ValueError):
        found = False
    if not found:
        raise PlotError("--plot needs matplotlib, which is not installed "
                        "(pip install matplotlib, or clock51[plot])")


def draw(history: d.History, intervals: list[d.Interval], est: d.Estimate | None,
         path: Path | str, title: str) -> None:
    """Two panels against days since the first sync: above, the offset the crystal alone
    would have built up (measured points, rejected ones as crosses) and the fitted line;
    below, the offset the clock showed before each sync (what its corrections left)."""
    require()
    try:
        from matplotlib.figure import Figure
    except ImportError as exc:  # installed but broken
        raise PlotError(f"--plot: matplotlib cannot be loaded ({exc})") from None
    points = d.free_running(history, intervals, est)
    if not points:
        raise PlotError("--plot: no completed sync to draw yet")
    start = points[0].time
    fig = Figure(figsize=(8, 6), layout="constrained")
    top, bottom = fig.subplots(2, 1, sharex=True, height_ratios=(2, 1))
    used = [(pt.time - start) / DAY for pt in points if pt.used]
    top.plot(used, [pt.free for pt in points if pt.used], "o", color="tab:blue",
             label="measured (crystal alone, corrections removed)")
    rejected = [pt for pt in points if not pt.used]
    if rejected:
        top.plot([(pt.time - start) / DAY for pt in rejected], [pt.free for pt in rejected],
                 "x", color="tab:red", label="not used")
    if est is not None:
        end = max(pt.time for pt in points)
        top.plot([0.0, (end - start) / DAY], [0.0, est.rate * 1e-6 * (end - start)], "-",
                 color="tab:orange",
                 label=f"fit: {est.rate:+.2f} +- {est.sigma:.2f} ppm")
    top.set_ylabel("offset (s)")
    top.set_title(title)
    top.grid(True, alpha=0.3)
    top.legend(loc="best")
    shown = [((s.measured - start) / DAY, s.offset) for s in history.syncs
             if s.measured is not None and s.offset is not None]
    bottom.plot([x for x, _ in shown], [y for _, y in shown], "s", color="tab:green")
    bottom.axhline(0.0, color="grey", linewidth=0.8)
    bottom.set_ylabel("shown before sync (s)")
    bottom.set_xlabel(f"days since the first sync ({d.local(start)})")
    bottom.grid(True, alpha=0.3)
    try:
        fig.savefig(path, format="png", dpi=100)
    except OSError as exc:
        raise PlotError(f"cannot write the plot {path}: {exc.strerror or exc}") from None
