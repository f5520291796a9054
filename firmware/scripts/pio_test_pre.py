"""PlatformIO pre-build script of the unit-test env ([env:test]), after pio_pre.py.

Links into each suite only the firmware modules it names: its test_main.c has a line
``Firmware modules: calendar.c lunar.c`` (files of firmware/src, compiled unchanged); the
test doubles at the root of firmware/test stand in for the drivers, and for other modules
where a module under test calls them (each module under test is defined to the compiler as
``UNDER_TEST_<NAME>=1``: ``UNDER_TEST_CLOCK`` for clock.c).

Renders the unit tests' expected-value headers (firmware/test/templates/*.j2, data from
firmware/tools/lunar_expect.py and solar_expect.py) with the same generator as the board
headers, into
``$BUILD_DIR/generated_test`` (DO-NOT-EDIT banner, never in git).

Lifts the code limit to the 8052's 64 KB and XRAM to 1 KB (TEST_XRAM): a test image holds
the modules under test, their tests and tables, and the test doubles' buffers (XDATA, beyond
the page the modules' PDATA keeps), and runs only in the simulator (``clock51-sim exec
--xram 1024``), never on the 8 KB part. IRAM keeps the board's limit.
"""

import importlib.util
import os
import re
import sys

from SCons.Script import COMMAND_LINE_TARGETS  # type: ignore[import-not-found]

Import("env")  # type: ignore[name-defined]  # noqa: F821

if not {"__test", "clean", "cleanall"} & set(COMMAND_LINE_TARGETS):
    sys.stderr.write("error: [env:test] builds the firmware unit tests only: "
                     "run `pio test -e test`\n")
    env.Exit(2)  # noqa: F821

project_dir = env.subst("$PROJECT_DIR")  # noqa: F821
sys.path.insert(0, os.path.join(project_dir, "firmware", "scripts"))

from generate import render  # noqa: E402


def _expect(module: str) -> dict:
    path = os.path.join(project_dir, "firmware", "tools", f"{module}.py")
    spec = importlib.util.spec_from_file_location(f"clock51_{module}", path)
    assert spec and spec.loader
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    return getattr(mod, module)()


profile_file = os.environ.get("CLOCK51_PROFILE") or env.GetProjectOption(  # noqa: F821
    "custom_profile"
)
if not os.path.isabs(profile_file):
    profile_file = os.path.join(project_dir, profile_file)
gen_dir = os.path.join(env.subst("$BUILD_DIR"), "generated_test")  # noqa: F821
try:
    expected = {"expect": _expect("lunar_expect"), "solar_expect": _expect("solar_expect")}
except ImportError as exc:                  # pyswisseph, lunardate: the test extra
    package = {"swisseph": "pyswisseph"}.get(exc.name or "", exc.name)
    sys.stderr.write(f"error: the unit tests' expected values need {package}: install the "
                     "test extra (`make setup`, or pip install -e '.[firmware,test]')\n")
    env.Exit(1)  # noqa: F821
render(profile_file, gen_dir, templates_dir=os.path.join(project_dir, "firmware", "test",
                                                          "templates"),
       extra=expected)
env.Prepend(CPPPATH=[gen_dir])  # noqa: F821
TEST_XRAM = 1024  # platformio.ini [env:test] runs the images with --xram 1024
env.Replace(CLOCK51_CODE_SIZE=65536, CLOCK51_XRAM_SIZE=TEST_XRAM)  # noqa: F821

MODULES_RE = re.compile(r"Firmware modules:\s*((?:[\w-]+\.c\s*)+)")
suite = env.get("PIOTEST_RUNNING_NAME")  # noqa: F821
if suite:
    main_c = os.path.join(env.subst("$PROJECT_TEST_DIR"), suite, "test_main.c")  # noqa: F821
    try:
        with open(main_c) as f:
            found = MODULES_RE.search(f.read())
    except OSError as exc:
        found = None
        sys.stderr.write(f"error: {main_c}: {exc.strerror}\n")
        env.Exit(1)  # noqa: F821
    if not found:
        sys.stderr.write(f"error: {os.path.relpath(main_c, project_dir)}: no "
                         "'Firmware modules: a.c b.c' line naming the modules under test\n")
        env.Exit(1)  # noqa: F821
    modules = found.group(1).split()
    src_dir = env.subst("$PROJECT_SRC_DIR")  # noqa: F821
    missing = [m for m in modules if not os.path.isfile(os.path.join(src_dir, m))]
    if missing:
        sys.stderr.write(f"error: {os.path.relpath(main_c, project_dir)}: no such firmware "
                         f"module: {', '.join(missing)}\n")
        env.Exit(1)  # noqa: F821
    env.Replace(SRC_FILTER=["-<*>"] + [f"+<{m}>" for m in modules])  # noqa: F821
    # UNDER_TEST_CLOCK=1 for clock.c...: the doubles stand in only for what is not under test
    # (CFLAGS: the builder sets CPPDEFINES and CCFLAGS after this script)
    env.Append(CFLAGS=[f"-DUNDER_TEST_{m[:-2].upper()}=1" for m in modules])  # noqa: F821
