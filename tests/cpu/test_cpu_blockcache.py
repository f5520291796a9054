"""The persistent translation cache (sim/cpu/cache.py): a fresh process reuses the blocks
an earlier one translated, gives exactly the same results, and survives a corrupted,
concurrent or unusable cache."""

import os
import subprocess
import sys
from pathlib import Path

import pytest

from sim.cpu import CPU, cache
from sim.cpu import translate as tr
from sim.frontends.exec import run_program
from tests.cpu.cpuhelp import image

# a loop with a subroutine: INC 30h ; MOV A,30h ; JNZ +2 ; INC 31h ;
# LCALL 0040h ; DJNZ R7,loop (R7 = 200) ; then UART "Z" and SJMP $
PROG = image("7F C8 05 30 E5 30 70 02 05 31 12 00 40 DF F3 "
             "75 89 20 75 8D FD 75 8B FD 75 98 50 D2 8E 75 99 5A 30 99 FD 80 FE",
             {0x40: "05 32 E5 32 25 30 F5 33 22"})


@pytest.fixture
def cache_dir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch):
    """A fresh cache directory; ``cache._reset_for_tests`` then plays a new process."""
    d = tmp_path / "cache"
    monkeypatch.setenv("CLOCK51_CACHE_DIR", str(d))
    cache._reset_for_tests()
    yield d
    cache._reset_for_tests()


def _fresh_process() -> None:
    cache.save_all()  # what atexit does
    cache._reset_for_tests()


def _run(code: bytes = PROG) -> tuple:
    res = run_program(code)
    return res.output, res.cycles, res.instructions, res.reason


def _no_translation(monkeypatch: pytest.MonkeyPatch) -> None:
    def fail(*args, **kwargs):
        raise AssertionError("translated again")
    monkeypatch.setattr(tr, "translate", fail)


def test_a_second_process_runs_from_the_cache_without_translating(cache_dir, monkeypatch):
    first = _run()
    assert first[0] == b"Z" and first[3] == "selfjump"
    _fresh_process()
    files = list(cache_dir.glob("blocks-*.marshal"))
    assert len(files) == 1
    _no_translation(monkeypatch)
    assert _run() == first


def test_cpus_running_the_same_image_in_one_process_share_translations(cache_dir, monkeypatch):
    first = _run()
    _no_translation(monkeypatch)
    assert _run() == first
    assert not list(cache_dir.glob("blocks-*"))  # written at exit only


@pytest.mark.parametrize("damage", [b"", b"garbage", b"\xe3" * 100, "truncate"])
def test_a_corrupted_cache_file_is_ignored_and_rewritten(cache_dir, damage):
    first = _run()
    _fresh_process()
    (path,) = cache_dir.glob("blocks-*.marshal")
    good = path.read_bytes()
    path.write_bytes(good[: len(good) // 2] if damage == "truncate" else damage)
    _fresh_process()
    assert _run() == first
    _fresh_process()
    assert path.read_bytes() == good


def test_another_image_or_xram_size_gets_its_own_file(cache_dir):
    _run()
    other = bytearray(PROG)
    other[1] = 0x64  # R7 = 100
    res = run_program(bytes(other))
    CPU(PROG, xram_size=512)
    _fresh_process()
    assert len(list(cache_dir.glob("blocks-*.marshal"))) == 2  # the 512 one translated nothing
    assert res.cycles < _run()[1]


def test_cache_off_writes_nothing(tmp_path, monkeypatch):
    monkeypatch.setenv("CLOCK51_CACHE_DIR", "off")
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path))
    monkeypatch.setenv("HOME", str(tmp_path))
    cache._reset_for_tests()
    try:
        _run()
        _fresh_process()
        assert not any(tmp_path.rglob("blocks-*"))
    finally:
        cache._reset_for_tests()


def test_an_unusable_cache_directory_only_costs_speed(tmp_path, monkeypatch):
    blocker = tmp_path / "a-file"
    blocker.write_text("not a directory")
    monkeypatch.setenv("CLOCK51_CACHE_DIR", str(blocker / "cache"))
    cache._reset_for_tests()
    try:
        first = _run()
        _fresh_process()
        assert _run() == first
    finally:
        cache._reset_for_tests()


def test_concurrent_processes_share_one_cache(tmp_path):
    """Four exec processes at once on an empty cache, then four more on the filled one:
    every run prints the same output and cycle count, and the cache file stays loadable."""
    ihx = tmp_path / "p.ihx"
    rec = []
    for off in range(0, len(PROG), 16):
        chunk = PROG[off:off + 16]
        body = bytes([len(chunk), off >> 8, off & 255, 0]) + chunk
        rec.append(f":{body.hex().upper()}{(-sum(body)) & 255:02X}")
    ihx.write_text("\n".join(rec) + "\n:00000001FF\n")
    env = dict(os.environ, CLOCK51_CACHE_DIR=str(tmp_path / "cache"))
    cmd = [sys.executable, "-m", "sim", "exec", str(ihx)]
    results = []
    for _ in range(2):
        procs = [subprocess.Popen(cmd, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
                 for _ in range(4)]
        for p in procs:
            out, err = p.communicate(timeout=60)
            assert p.returncode == 0, err
            cycles = [ln for ln in err.decode().splitlines() if ln.startswith("cycles:")]
            results.append((out, cycles))
    assert len(set(map(repr, results))) == 1 and results[0][0] == b"Z"
    (path,) = (tmp_path / "cache").glob("blocks-*.marshal")
    store = cache.BlockStore(str(path))
    assert store.blocks and not list((tmp_path / "cache").glob("*.tmp"))


def test_alu_flag_tables_match_their_definition():
    for cin in (0, 1):
        for a in range(256):
            for v in range(0, 256, 1 if a % 17 == 0 else 5):
                i = cin << 16 | a << 8 | v
                assert tr.ADDF[i] == tr._add_flags_reference(cin, a, v), (cin, a, v)
                assert tr.SUBF[i] == tr._sub_flags_reference(cin, a, v), (cin, a, v)


def test_a_damaged_cached_table_is_rebuilt(cache_dir):
    built = tr._flag_table(False) + tr._flag_table(True)
    assert cache.load_blob("alu-flags", lambda: built) == built
    (path,) = cache_dir.glob("alu-flags-*.bin")
    data = bytearray(path.read_bytes())
    data[1000] ^= 0x80
    path.write_bytes(bytes(data))
    assert cache.load_blob("alu-flags", lambda: built) == built
    assert path.read_bytes() != bytes(data)
