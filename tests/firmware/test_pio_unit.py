"""The firmware unit tests: ``pio test -e test`` builds each suite in firmware/test with SDCC
and runs it in ``clock51-sim exec`` (README "Firmware unit tests").

The whole run must pass offline; a broken firmware function must fail it with the failing
assertion's file, line and message; a suite that hangs or stops before its summary must fail
too. The failure cases run on a copy of the project (sources only; the venv and PlatformIO's
packages are linked), so the checkout is never modified.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import time
from pathlib import Path

import pytest

from tests.buildsupport import ROOT, pio_command

SUITES = ("test_calendar", "test_ds18b20", "test_lunar", "test_protocol", "test_settings",
          "test_text")
CALENDAR_TEST = "firmware/test/test_calendar/test_main.c"


def pio_test(project: Path, *args: str) -> tuple[subprocess.CompletedProcess[str], float]:
    env = dict(os.environ, PLATFORMIO_NO_ANSI="1")
    t0 = time.perf_counter()
    proc = subprocess.run([*pio_command(), "test", "-e", "test", *args], cwd=project, env=env,
                          text=True, capture_output=True, timeout=600)
    return proc, time.perf_counter() - t0


def test_pio_test_passes_every_suite_offline():
    proc, seconds = pio_test(ROOT)
    out = proc.stdout + proc.stderr
    assert proc.returncode == 0, out
    for suite in SUITES:
        assert re.search(rf"^test\s+{suite}\s+PASSED\s", out, re.M), f"{suite}:\n{out}"
    cases = re.search(r"(\d+) test cases: (\d+) succeeded", out)
    assert cases and cases[1] == cases[2] and int(cases[1]) >= 40, out
    # each case is reported on its own with the file and line of its RUN_TEST
    assert re.search(rf"^{CALENDAR_TEST}:\d+: test_weekday_every_day_2000_2099\s+\[PASSED\]",
                     out, re.M), out
    assert "Unity" not in out and "throwtheswitch" not in out and "registry" not in out
    print(f"pio test -e test: {len(SUITES)} suites, {cases[1]} cases in {seconds:.1f} s")


@pytest.fixture(scope="module")
def project_copy(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The sources of the project in a temporary folder, the venv and packages linked."""
    dst = tmp_path_factory.mktemp("project")
    skip = shutil.ignore_patterns(".git", ".pio", ".pio-core", ".venv", "tests", "docs",
                                  "__pycache__", "*.egg-info", ".pytest_cache", ".ruff_cache")
    for item in ROOT.iterdir():
        if skip(str(ROOT), [item.name]):
            continue
        if item.is_dir():
            shutil.copytree(item, dst / item.name, ignore=skip)
        else:
            shutil.copy2(item, dst / item.name)
    (dst / ".venv").symlink_to(ROOT / ".venv")
    # its own PlatformIO state (it records where its platform lives), the same packages
    (dst / ".pio-core").mkdir()
    (dst / ".pio-core" / "packages").symlink_to(ROOT / ".pio-core" / "packages")
    shutil.copy2(ROOT / ".pio-core" / "appstate.json", dst / ".pio-core" / "appstate.json")
    return dst


def _line_of(path: Path, text: str) -> int:
    lines = path.read_text().splitlines()
    found = [n for n, line in enumerate(lines, 1) if text in line]
    assert len(found) == 1, f"{text!r} in {path}: lines {found}"
    return found[0]


def test_a_broken_weekday_fails_with_the_test_file_line_and_message(project_copy: Path):
    calendar = project_copy / "firmware" / "src" / "calendar.c"
    src = calendar.read_text()
    head = "uint8_t cal_weekday(const datetime_t NEAR *t) __naked\n"
    assert head in src
    # broken for one date a year: every 1 March is a Sunday (the assembler routine renamed,
    # a C cal_weekday() around it)
    calendar.write_text(src.replace(head, "static uint8_t weekday_ok(const datetime_t NEAR *t)"
                                          " __naked\n")
                        + "uint8_t cal_weekday(const datetime_t NEAR *t)\n{\n"
                          "    if (t->month == 3 && t->day == 1)\n"
                          "        return 7;\n"
                          "    return weekday_ok(t);\n}\n")
    line = _line_of(project_copy / CALENDAR_TEST,
                    "TEST_ASSERT_EQUAL_UINT8_MESSAGE(wday, cal_weekday(&t), date_text(y, m, d))")

    proc, _ = pio_test(project_copy, "-f", "test_calendar")
    out = proc.stdout + proc.stderr
    assert proc.returncode == 1, out
    assert (f"{CALENDAR_TEST}:{line}:test_weekday_every_day_2000_2099:FAIL: "
            "Expected 3 Was 7. 2000-03-01") in out, out
    assert re.search(rf"^{CALENDAR_TEST}:{line}: test_weekday_every_day_2000_2099: "
                     r"Expected 3 Was 7\. 2000-03-01\s+\[FAILED\]", out, re.M), out
    assert re.search(r"^test\s+test_calendar\s+FAILED\s", out, re.M), out
    assert "7 succeeded" in out and "1 failed" in out, out


HANG = """#include "unit51.h"
/* Firmware modules: calendar.c */
static volatile unsigned char n;
static void test_never_ends(void) { for (;;) n++; }
void main(void) { UNITY_BEGIN(); RUN_TEST(test_never_ends); UNITY_END(); }
"""

NO_SUMMARY = """#include "unit51.h"
/* Firmware modules: calendar.c */
static void test_fine(void) { TEST_ASSERT_TRUE(1); }
void main(void) { UNITY_BEGIN(); RUN_TEST(test_fine); for (;;) ; }
"""

NO_MODULES = """#include "unit51.h"
static void test_fine(void) { TEST_ASSERT_TRUE(1); }
void main(void) { UNITY_BEGIN(); RUN_TEST(test_fine); UNITY_END(); }
"""


def test_a_hung_suite_and_one_without_a_summary_fail(project_copy: Path):
    ini = project_copy / "platformio.ini"
    text = ini.read_text()
    budget = re.search(r"^\s+--max-cycles\n\s+(\d+)$", text, re.M)
    assert budget, "the cycle budget in test_testing_command"
    ini.write_text(text[:budget.start(1)] + "3000000" + text[budget.end(1):])
    for name, source in (("test_zz_hang", HANG), ("test_zz_nosummary", NO_SUMMARY),
                         ("test_zz_nomodules", NO_MODULES)):
        (project_copy / "firmware" / "test" / name).mkdir()
        (project_copy / "firmware" / "test" / name / "test_main.c").write_text(source)

    proc, _ = pio_test(project_copy, "-f", "test_zz_*")
    out = proc.stdout + proc.stderr
    assert proc.returncode == 1, out
    assert ("clock51-sim: error: no final self-jump within 3000000 cycles (--max-cycles): the "
            "program hangs or needs a larger budget; no test summary: the suite did not reach "
            "UNITY_END()") in out, out
    assert re.search(r"^test\s+test_zz_hang\s+ERRORED\s", out, re.M), out
    assert ("clock51-sim: error: the program reported failure: exit status 1 (SFR 0xFF); "
            "no test summary: the suite did not reach UNITY_END()") in out, out
    assert re.search(r"^test\s+test_zz_nosummary\s+ERRORED\s", out, re.M), out
    assert ("error: firmware/test/test_zz_nomodules/test_main.c: no 'Firmware modules: a.c b.c' "
            "line naming the modules under test") in out, out
    assert re.search(r"^test\s+test_zz_nomodules\s+ERRORED\s", out, re.M), out


def test_a_board_build_ignores_the_test_folder():
    # with PlatformIO's default test framework a plain `pio run` would fetch Unity from the
    # registry (and fail, offline) as soon as firmware/test exists
    t0 = time.perf_counter()
    proc = subprocess.run([*pio_command(), "run", "-e", "reference"], cwd=ROOT, text=True,
                          capture_output=True, timeout=600,
                          env=dict(os.environ, PLATFORMIO_NO_ANSI="1"))
    seconds = time.perf_counter() - t0
    out = proc.stdout + proc.stderr
    assert proc.returncode == 0, out
    assert "Unity" not in out and "throwtheswitch" not in out and "Library Manager" not in out
    print(f"pio run -e reference: {seconds:.1f} s")


def test_the_test_env_is_for_pio_test_only():
    proc = subprocess.run([*pio_command(), "run", "-e", "test"], cwd=ROOT, text=True,
                          capture_output=True, timeout=600,
                          env=dict(os.environ, PLATFORMIO_NO_ANSI="1"))
    assert proc.returncode != 0
    assert ("error: [env:test] builds the firmware unit tests only: run `pio test -e test`"
            in proc.stderr + proc.stdout)


FORMATS = r"""#include "unit51.h"
/* Firmware modules: calendar.c */
static const char mem_e[3] = { 1, 2, 3 }, mem_a[3] = { 1, 2, 4 };
static void test_pass(void) { TEST_ASSERT_EQUAL_INT(-3, -3); }
static void test_int(void) { TEST_ASSERT_EQUAL_INT(-3, 5); }
static void test_uint16(void) { TEST_ASSERT_EQUAL_UINT16(65535, 0); }
static void test_uint32(void) { TEST_ASSERT_EQUAL_UINT(4000000000UL, 7); }
static void test_hex8(void) { TEST_ASSERT_EQUAL_HEX8(0x0A, 0xA0); }
static void test_hex16(void) { TEST_ASSERT_EQUAL_HEX16(0x1234, 0xBEEF); }
static void test_true(void) { TEST_ASSERT_TRUE(0); }
static void test_false(void) { TEST_ASSERT_FALSE(1); }
static void test_expr(void) { TEST_ASSERT(1 == 2); }
static void test_string(void) { TEST_ASSERT_EQUAL_STRING("a\tb", "a\x01"); }
static void test_memory(void) { TEST_ASSERT_EQUAL_MEMORY(mem_e, mem_a, 3); }
static void test_message(void) { TEST_ASSERT_EQUAL_UINT8_MESSAGE(1, 2, "why"); }
static void test_fail(void) { TEST_FAIL_MESSAGE("stop\r\n"); }
static void helper(void) { TEST_ASSERT_TRUE_MESSAGE(0, "deep"); }
static void test_deep(void) { helper(); TEST_FAIL_MESSAGE("not reached"); }
static void test_ignored(void) { TEST_IGNORE_MESSAGE("later"); }
void main(void)
{
    UNITY_BEGIN();
    RUN_TEST(test_pass);
    RUN_TEST(test_int); RUN_TEST(test_uint16); RUN_TEST(test_uint32); RUN_TEST(test_hex8);
    RUN_TEST(test_hex16); RUN_TEST(test_true); RUN_TEST(test_false); RUN_TEST(test_expr);
    RUN_TEST(test_string); RUN_TEST(test_memory); RUN_TEST(test_message); RUN_TEST(test_fail);
    RUN_TEST(test_deep); RUN_TEST(test_ignored);
    UNITY_END();
}
"""

# test name -> the line's end after "file:line:name:"
FORMAT_LINES = {
    "test_pass": "PASS",
    "test_int": "FAIL: Expected -3 Was 5",
    "test_uint16": "FAIL: Expected 65535 Was 0",
    "test_uint32": "FAIL: Expected 4000000000 Was 7",
    "test_hex8": "FAIL: Expected 0x0A Was 0xA0",
    "test_hex16": "FAIL: Expected 0x1234 Was 0xBEEF",
    "test_true": "FAIL: Expected TRUE Was FALSE",
    "test_false": "FAIL: Expected FALSE Was TRUE",
    "test_expr": "FAIL: Expression Evaluated To FALSE",
    "test_string": r"FAIL: Expected 'a\tb' Was 'a\x01'",
    "test_memory": "FAIL: Memory Mismatch. Byte 2 Expected 0x03 Was 0x04",
    "test_message": "FAIL: Expected 1 Was 2. why",
    "test_fail": r"FAIL: stop\r\n",
    "test_deep": "FAIL: Expected TRUE Was FALSE. deep",
    "test_ignored": "IGNORE: later",
}


def test_the_harness_prints_each_assertion_like_unity(project_copy: Path):
    suite = project_copy / "firmware" / "test" / "test_fmt"
    suite.mkdir()
    (suite / "test_main.c").write_text(FORMATS)
    src = "firmware/test/test_fmt/test_main.c"
    lines = FORMATS.splitlines()

    def line_of(text: str) -> int:
        return next(n for n, line in enumerate(lines, 1) if text in line)

    proc, _ = pio_test(project_copy, "-f", "test_fmt", "-v")
    out = proc.stdout + proc.stderr
    assert proc.returncode == 1, out
    for name, end in FORMAT_LINES.items():
        if name == "test_pass":
            where = line_of("RUN_TEST(test_pass)")          # a pass names its RUN_TEST
        elif name == "test_deep":
            where = line_of("static void helper")           # a failure, its assertion
        else:
            where = line_of(f"static void {name}(")
        assert f"\n{src}:{where}:{name}:{end}\n" in out, f"{name}:\n{out}"
    assert "\n15 Tests 13 Failures 1 Ignored \nFAIL\n" in out, out
    assert "not reached" not in out
    assert re.search(r"^test\s+test_fmt\s+FAILED\s", out, re.M), out
    assert "15 test cases: 13 failed, 1 skipped, 1 succeeded" in out, out
