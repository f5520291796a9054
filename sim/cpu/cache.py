"""A persistent cache of translated blocks, so that a fresh process starts fast.

Most runs are short programs in a fresh process (``clock51-sim exec``, a test, ``pio
test``): start-up and the first translation of every basic block then cost more than
running the program. Every block translated for one code image (its compiled code
object, cycles, instruction count and special kind) is kept in one file
``blocks-<digest>.marshal`` in ``$CLOCK51_CACHE_DIR``, else ``$XDG_CACHE_HOME/clock51``,
else ``~/.cache/clock51`` (``CLOCK51_CACHE_DIR=off`` turns the disk cache off; everything
then works the same, only slower to start). The digest covers the image, the XRAM size,
the translator's own source and the Python version, so a stale entry can never be used: a
change to any of them is another file. In one process, every CPU running the same image
shares the same store, so a test suite creating many boards translates each block once.

Robustness: files are written whole to a temporary name and renamed into place (atomic on
POSIX), so a concurrent reader sees the old file or the new one, never half of one; two
writers at once simply both write a complete file. A file that fails to load (truncated,
corrupted, another format) is ignored and rewritten. Any ``OSError`` (read-only home, full
disk) disables the disk cache for the process silently: it is an optimisation only.
The directory is pruned to the ``_MAX_FILES`` most recently used block files.
"""

from __future__ import annotations

import atexit
import marshal
import os
import sys

# collections.abc for the annotations only: importing it costs every fresh `exec` 1 ms
TYPE_CHECKING = False
if TYPE_CHECKING:
    from collections.abc import Callable

__all__ = ["cache_dir", "BlockStore", "store_for", "save_all", "load_blob"]

_FORMAT = 2  # 2: each block keeps the addresses of its instructions
_MAX_FILES = 400
_PY_TAG = f"{sys.implementation.cache_tag}-{sys.version_info[:3]}".encode()
_dir: str | None | bool = False  # False: not looked up yet


def cache_dir() -> str | None:
    """The cache directory (created), or None if the disk cache is off or unusable."""
    global _dir
    if _dir is not False:
        return _dir  # type: ignore[return-value]
    env = os.environ.get("CLOCK51_CACHE_DIR")
    if env is not None and env.strip().lower() in ("", "off", "0", "none"):
        _dir = None
        return None
    if env:
        path = env
    else:
        base = os.environ.get("XDG_CACHE_HOME") or os.path.join(os.path.expanduser("~"),
                                                                 ".cache")
        path = os.path.join(base, "clock51")
    try:
        os.makedirs(path, exist_ok=True)
    except OSError:
        path = None
    _dir = path
    return path


def _reset_for_tests() -> None:
    """Forget the looked-up directory and the in-process stores (tests change the env)."""
    global _dir
    _dir = False
    _STORES.clear()


def forget(disk: bool = True) -> None:
    """Start cold: drop every translation kept in this process and, unless ``disk``, stop
    using the disk cache (the benchmark measures first runs this way)."""
    global _dir
    _STORES.clear()
    if not disk:
        _dir = None


def _write_atomic(path: str, data: bytes) -> None:
    tmp = f"{path}.{os.getpid()}.tmp"
    try:
        with open(tmp, "wb") as f:
            f.write(data)
        os.replace(tmp, path)
    except OSError:
        try:
            os.unlink(tmp)
        except OSError:
            pass


try:  # the builtin module: hashlib would load OpenSSL, 2 ms of a fresh process
    from _blake2 import blake2b
except ImportError:  # pragma: no cover - other Pythons
    from hashlib import blake2b


def _digest(*parts: bytes) -> bytes:
    h = blake2b(digest_size=16)
    for p in parts:
        h.update(len(p).to_bytes(8, "little"))
        h.update(p)
    return h.digest()


def load_blob(name: str, build: Callable[[], bytes]) -> bytes:
    """Bytes computed by ``build`` (which must depend only on the translator's source),
    kept in the cache directory with a digest; rebuilt if missing or damaged."""
    d = cache_dir()
    path = os.path.join(d, f"{name}-{_translator_tag().hex()[:16]}.bin") if d else None
    if path is not None:
        try:
            with open(path, "rb") as f:
                blob = f.read()
            if len(blob) > 16 and _digest(blob[16:]) == blob[:16]:
                return blob[16:]
        except OSError:
            pass
    data = build()
    if path is not None:
        _write_atomic(path, _digest(data) + data)
    return data


class BlockStore:
    """The translated blocks of one code image: ``blocks[key]`` = (code object or None,
    cycles, instructions, the addresses of its instructions) and ``singles[key]`` = (code
    object or None, cycles, special,
    arg), keyed like the CPU's block table (PC | bank << 16). Shared by every CPU running
    the same image in this process and saved at exit when something was added."""

    def __init__(self, path: str | None) -> None:
        self.path = path
        self.blocks: dict[int, tuple] = {}
        self.singles: dict[int, tuple] = {}
        self.dirty = False
        if path is not None:
            self._load()

    def _load(self) -> None:
        assert self.path is not None
        try:
            with open(self.path, "rb") as f:
                blob = f.read()
        except OSError:
            return
        try:
            fmt, blocks, singles = marshal.loads(blob)
            if fmt != _FORMAT or not isinstance(blocks, dict) or not isinstance(singles, dict):
                return
        except (ValueError, EOFError, TypeError):
            return  # corrupted or foreign: ignored, rewritten at exit
        self.blocks, self.singles = blocks, singles

    def save(self) -> None:
        if not self.dirty or self.path is None:
            return
        self.dirty = False
        try:
            data = marshal.dumps((_FORMAT, self.blocks, self.singles))
        except ValueError:
            return
        _write_atomic(self.path, data)
        _prune(os.path.dirname(self.path))


def _prune(d: str) -> None:
    try:
        names = [n for n in os.listdir(d) if n.startswith("blocks-")]
        if len(names) <= _MAX_FILES:
            return
        paths = [os.path.join(d, n) for n in names]
        paths.sort(key=lambda p: os.stat(p).st_mtime)
        for p in paths[: len(paths) - _MAX_FILES // 2]:
            os.unlink(p)
    except OSError:
        pass


_STORES: dict[bytes, BlockStore] = {}
_TRANSLATOR_TAG: bytes | None = None


def _translator_tag() -> bytes:
    """Digest of the translator's source (and of the core that runs its blocks): any change
    to them invalidates every block file."""
    global _TRANSLATOR_TAG
    if _TRANSLATOR_TAG is None:
        here = os.path.dirname(os.path.abspath(__file__))
        parts = [_PY_TAG]
        for name in ("translate.py", "opcodes.py", "cache.py", "core.py"):
            try:
                with open(os.path.join(here, name), "rb") as f:
                    parts.append(f.read())
            except OSError:
                parts.append(name.encode())
        _TRANSLATOR_TAG = _digest(*parts)
    return _TRANSLATOR_TAG


def store_for(code: bytes, xram_size: int) -> BlockStore:
    """The block store of this image (one per image and XRAM size in the process)."""
    key = _digest(_translator_tag(), code, str(xram_size).encode())
    st = _STORES.get(key)
    if st is None:
        d = cache_dir()
        path = os.path.join(d, f"blocks-{key.hex()}.marshal") if d else None
        st = BlockStore(path)
        _STORES[key] = st
    return st


def save_all() -> None:
    """Write every store that gained blocks (also run at interpreter exit)."""
    for st in list(_STORES.values()):
        st.save()


atexit.register(save_all)
