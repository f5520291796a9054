"""The ``--rtc-state`` file: the battery-backed DS1302 kept across runs.

Format (JSON), version 2::

    {"format": "clock51-sim rtc-state", "version": 2,
     "saved_at": "2026-11-26T15:04:05.123456+00:00",   # wall time of the save, with offset
     "cycle": 921600,                                  # the board's cycle then (informative)
     "ds1302": {"version": 1, "regs": [...], ...}}     # DS1302.to_state()

Version 1 is the same without ``format`` and ``version``, ``saved_at`` in local time without
an offset: what clock51-sim wrote before files carried a version. It is read as such (a naive
``saved_at`` is taken as local time) and saved back as version 2. Any other version is an
error. The DS1302's violations are not saved: they belong to the run that made them.

Reading is bounded: only a regular file of at most ``MAX_BYTES`` is read (``/dev/zero`` or a
pipe would otherwise be read for ever). Every problem is a ``StateError`` of one line that
names the file (and the field).

Saving is atomic: the state is written to a temporary file in the same directory, flushed
to the disk (fsync), then renamed over the old file (``os.replace``), and the directory is
synced. Whatever fails (a full disk, a kill, a power cut), the file holds either the old
state or the new one, never a part; a failed save leaves no temporary file behind.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import json
import os
import stat
import tempfile
from pathlib import Path
from typing import Any

from sim.devices.ds1302 import DS1302
from sim.errors import StateError

FORMAT = "clock51-sim rtc-state"
VERSION = 2
READS = (1, 2)
MAX_BYTES = 1 << 20  # a state file is about 3 KB


def _aware(when: dt.datetime | None) -> dt.datetime:
    """Now, or ``when``; a naive time is local time."""
    when = when or dt.datetime.now(dt.UTC)
    return when if when.tzinfo is not None else when.astimezone()


def read_bounded(path: str | Path, limit: int = MAX_BYTES) -> bytes:
    """The bytes of a regular file of at most ``limit`` bytes; StateError otherwise."""
    try:
        with open(path, "rb") as f:
            info = os.fstat(f.fileno())
            if not stat.S_ISREG(info.st_mode):
                raise StateError(f"{path}: not a regular file")
            data = f.read(limit + 1)
    except OSError as e:
        raise StateError(f"{path}: cannot read: {e.strerror or e}") from None
    if len(data) > limit:
        raise StateError(f"{path}: more than {limit} bytes: not a DS1302 state file")
    return data


def write_atomic(path: str | Path, data: bytes) -> None:
    """Replace ``path`` with ``data`` so that it holds the old or the new bytes, never a part.

    The new file takes the old file's permission bits (a new one: 0666 less the umask); a
    symbolic link is followed (the file it points to is replaced, the link stays)."""
    path = Path(path)
    if path.is_symlink():
        path = path.resolve()
    directory = path.parent
    fd, tmp = tempfile.mkstemp(dir=directory, prefix=f".{path.name}.", suffix=".tmp")
    try:
        with os.fdopen(fd, "wb") as f:
            f.write(data)
            f.flush()
            os.fsync(f.fileno())
        try:
            mode = stat.S_IMODE(os.stat(path).st_mode)
        except FileNotFoundError:
            mask = os.umask(0)
            os.umask(mask)
            mode = 0o666 & ~mask
        os.chmod(tmp, mode)
        os.replace(tmp, path)
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(tmp)
        raise
    with contextlib.suppress(OSError):  # make the rename itself durable
        dfd = os.open(directory, os.O_RDONLY | getattr(os, "O_DIRECTORY", 0))
        try:
            os.fsync(dfd)
        finally:
            os.close(dfd)


def save_rtc(rtc: DS1302, cycle: int, path: str | Path,
             wall: dt.datetime | None = None) -> None:
    """Save the DS1302's state, as seen at ``cycle``, and the wall time, atomically."""
    # The model counts lazily: bring it up to ``cycle`` first, or the time since it was
    # last touched would be lost (a load restarts counting from the saved registers).
    rtc.registers_at(cycle)
    chip = rtc.to_state()
    chip["violations"] = []
    state = {"format": FORMAT, "version": VERSION, "saved_at": _aware(wall).isoformat(),
             "cycle": cycle, "ds1302": chip}
    try:
        write_atomic(path, (json.dumps(state, indent=1) + "\n").encode())
    except OSError as e:
        raise StateError(f"{path}: cannot save the DS1302 state ({e.strerror or e}); "
                         f"the file is unchanged") from None


def read_rtc_file(path: str | Path) -> tuple[dict[str, Any], dt.datetime]:
    """Validate a state file: (the DS1302 state, the aware time it was saved at)."""
    try:
        state = json.loads(read_bounded(path).decode("utf-8"))
    except (ValueError, RecursionError) as e:  # bad UTF-8 or JSON; nesting too deep
        raise StateError(f"{path}: not a DS1302 state file (not JSON: "
                         f"{str(e).splitlines()[0][:80] or type(e).__name__})") from None
    if not isinstance(state, dict):
        raise StateError(f"{path}: not a DS1302 state file (expected a JSON object)")
    version = state.get("version", 1)
    if type(version) is not int or version not in READS:
        raise StateError(f"{path}: state file version {repr(version)[:20]} is not supported "
                         f"(this clock51-sim reads versions {READS[0]}-{READS[-1]})")
    keys = {"ds1302", "cycle", "saved_at"} | ({"format", "version"} if version >= 2 else set())
    for k in state:
        if k not in keys:
            raise StateError(f"{path}: {k}: unknown field in a version {version} state file")
    for k in sorted(keys):
        if k not in state:
            raise StateError(f"{path}: {k}: missing field")
    if version >= 2 and state["format"] != FORMAT:
        raise StateError(f"{path}: format: expected {FORMAT!r}")
    cycle = state["cycle"]
    if type(cycle) is not int or cycle < 0:
        raise StateError(f"{path}: cycle: expected an integer >= 0")
    try:
        saved_at = dt.datetime.fromisoformat(state["saved_at"])
    except (TypeError, ValueError):
        raise StateError(f"{path}: saved_at: expected an ISO 8601 time such as "
                         "2026-11-26T15:04:05+00:00") from None
    return state["ds1302"], _aware(saved_at)


def load_rtc(rtc: DS1302, cycle: int, path: str | Path,
             wall: dt.datetime | None = None) -> float:
    """Restore a saved DS1302 at ``cycle``; the clock has kept running on its battery
    since the save. The seconds it was away (0 if the save is in the future)."""
    chip, saved_at = read_rtc_file(path)
    try:
        rtc.from_state(chip)
    except StateError as e:
        raise StateError(f"{path}: {e}") from None
    away = max(0.0, (_aware(wall) - saved_at).total_seconds())
    rtc.rebase(cycle, away)
    return away
