"""SCons build script of clock51's offline MCS-51 dev-platform.

Compiles every C source with the system SDCC (`sdcc -mmcs51`), links the .rel files with the
module holding main() first, and produces, in the env's build directory:

- firmware.ihx  SDCC's Intel HEX output (what the simulator boots and stcgal flashes)
- firmware.hex  the same image tidied by packihx
- firmware.map, firmware.mem  SDCC's link map and memory summary

The link runs through builder/relax.py (call relaxation: LCALL/LJMP to the same 2 KB page
written as ACALL/AJMP, in copies of SDCC's .asm under relax/), unless the env sets
`custom_relax = no` or the environment CLOCK51_RELAX=0 (CLOCK51_RELAX=1 forces it on); it
also chooses the modules' link order (main first) that shortens the most calls, unless
`custom_relax_order = no` or CLOCK51_RELAX_ORDER=0 (then main first, the rest by name).

Board fields follow the upstream intel_mcs51 platform (f_cpu, size_iram, size_xram,
size_code); a board profile's pre-build script may override the limits through the
construction variables CLOCK51_CODE_SIZE / CLOCK51_IRAM_SIZE / CLOCK51_XRAM_SIZE. The
environment variable CLOCK51_EXTRA_CFLAGS adds compiler flags (for a size experiment).
After linking, the code, IRAM and XRAM use is printed against the limits and the build fails
when one is exceeded. `-t upload` runs stcgal on firmware.ihx (`-t size` prints the use):
`-P` is the profile's [upload] protocol (CLOCK51_UPLOAD_PROTOCOL: stc89 or stc89a), and an
image larger than the part's flash (PART_FLASH, from stcgal's model table; else the
profile's code_size) is refused with one line before stcgal runs.
"""

import os
import re
import shlex
import sys

from SCons.Script import (  # type: ignore[import-not-found]
    COMMAND_LINE_TARGETS,
    AlwaysBuild,
    Builder,
    Default,
    DefaultEnvironment,
)

env = DefaultEnvironment()
board = env.BoardConfig()

code_size = int(env.get("CLOCK51_CODE_SIZE") or board.get("build.size_code", 8192))
iram_size = int(env.get("CLOCK51_IRAM_SIZE") or board.get("build.size_iram", 256))
xram_size = int(env.get("CLOCK51_XRAM_SIZE") or board.get("build.size_xram", 0))

env.Replace(
    AR="sdar",
    AS="sdas8051",
    CC="sdcc",
    LINK="sdcc",
    PACKIHX="packihx",
    OBJSUFFIX=".rel",
    LIBSUFFIX=".lib",
    PROGSUFFIX=".ihx",
    PROGNAME="firmware",
    ARFLAGS=["-rcs"],
    ASFLAGS=["-plosgff"],
    # --no-xinit-opt: initialised XDATA variables are set by code at start-up, so neither the
    # XINIT copy loop nor the XRAM clearing loop of SDCC's start-up is linked (70 bytes); the
    # firmware gives every XDATA variable that needs a start value its value itself
    CCFLAGS=["-mmcs51", "--std-c99", "--opt-code-size", "--no-xinit-opt", "--fverbose-asm"]
    + shlex.split(os.environ.get("CLOCK51_EXTRA_CFLAGS", "")),
    CPPDEFINES=[("F_CPU", "$BOARD_F_CPU")],
    LINKFLAGS=[
        "-mmcs51",
        "--iram-size", str(iram_size),
        "--xram-size", str(xram_size),
        "--code-size", str(code_size),
        "--out-fmt-ihx",
    ],
    LIBS=[],
    SIZEPRINTCMD="",
    SIZETOOL="",  # no binutils size: the memory report below is the size check
)

# A debug build (`custom_debug = yes`: the *_debug envs) passes SDCC's --debug to the
# compiler (a .adb beside each .rel, debug records in the .asm/.rst) and to the linker
# (firmware.cdb: the simulator's debugger reads it). SDCC then keeps one exit per
# function and no tail calls (an LCALL + RET where it would LJMP): ~1.5 % more code.
if str(env.GetProjectOption("custom_debug", "no")).strip().lower() in ("yes", "true", "1"):
    env.Append(CCFLAGS=["--debug"], LINKFLAGS=["--debug"])

# SDCC writes .asm/.lst/.sym/.rst beside each .rel; it wants -c and -o together.
env.Replace(
    CCCOM="$CC $CCFLAGS $CFLAGS $_CCCOMCOM -c $SOURCES -o $TARGET",
    ASCOM="$AS $ASFLAGS $TARGET $SOURCES",
)


MAIN_MODULES = ("main.rel", "test_main.rel")   # the firmware's, a unit-test suite's


def _main_first(target, source, env, for_signature):  # noqa: ARG001
    """The module defining main() must come first on SDCC's link line."""
    objs = [str(s) for s in source]
    objs.sort(key=lambda p: 0 if os.path.basename(p) in MAIN_MODULES else 1)
    return " ".join(shlex.quote(o) for o in objs)


env["_CLOCK51_OBJS"] = _main_first
env.Replace(LINKCOM="$LINK $LINKFLAGS -o $TARGET ${_CLOCK51_OBJS}")

# Call relaxation (builder/relax.py, README "Call relaxation"): the link runs through
# relax.py, which writes every LCALL/LJMP whose target is in the same 2 KB page as ACALL/AJMP
# (2 bytes, not 3) in copies of SDCC's .asm under $BUILD_DIR/relax and links until the layout
# is stable. On by default; `custom_relax = no` in an env, or CLOCK51_RELAX=0 in the
# environment for one build, links SDCC's objects as they are.
RELAX_PY = os.path.join(env.PioPlatform().get_dir(), "builder", "relax.py")


def _switch(value, what):
    text = str(value).strip().lower()
    if text in ("yes", "true", "1", "on"):
        return True
    if text in ("no", "false", "0", "off"):
        return False
    sys.stderr.write(f"error: {what} = {value!r}: expected yes or no\n")
    env.Exit(1)


relax = _switch(os.environ.get("CLOCK51_RELAX") or env.GetProjectOption("custom_relax", "yes"),
                "CLOCK51_RELAX" if os.environ.get("CLOCK51_RELAX") else "custom_relax")
# relax.py also chooses the order of the modules on the link line (main first) that shortens
# the most calls; `custom_relax_order = no` or CLOCK51_RELAX_ORDER=0 keeps main first, then
# the modules by name (passed on the link command, so a change relinks).
relax_order = _switch(
    os.environ.get("CLOCK51_RELAX_ORDER") or env.GetProjectOption("custom_relax_order", "yes"),
    "CLOCK51_RELAX_ORDER" if os.environ.get("CLOCK51_RELAX_ORDER") else "custom_relax_order")
if relax:
    env.Replace(LINKCOM='"$PYTHONEXE" ' + shlex.quote(RELAX_PY)
                + ("" if relax_order else " --keep-order")
                + " -- $LINK $LINKFLAGS -o $TARGET ${_CLOCK51_OBJS}")

env.Append(
    BUILDERS=dict(
        PackIhx=Builder(
            action=env.VerboseAction("$PACKIHX $SOURCE > $TARGET", "Building $TARGET"),
            suffix=".hex",
            src_suffix=".ihx",
        )
    )
)


# -- size report -------------------------------------------------------------------------

MEM_ROM = re.compile(r"ROM/EPROM/FLASH\s+\S+\s+\S+\s+(\d+)\s+(\d+)")
# XRAM: the paged segment (__pdata, MOVX @Ri) and the rest (__xdata) together
MEM_XRAM = re.compile(r"(?:PAGED EXT\. RAM|EXTERNAL RAM)\s+(?:\S+\s+\S+\s+)?(\d+)\s+(\d+)")
MEM_STACK = re.compile(r"Stack starts at: 0x([0-9a-fA-F]+).*?with (\d+) bytes available")


def memory_use(mem_path):
    """(code, iram, xram) bytes used, from SDCC's .mem summary."""
    with open(mem_path) as f:
        text = f.read()
    rom = MEM_ROM.search(text)
    stack = MEM_STACK.search(text)
    if not (rom and stack):
        raise RuntimeError(f"cannot read the memory summary in {mem_path}")
    code = int(rom.group(1))
    iram = iram_size - int(stack.group(2))
    xr = sum(int(m.group(1)) for m in MEM_XRAM.finditer(text))
    return code, iram, xr


def report_size(target, source, env):  # noqa: ARG001
    ihx = next(str(n) for n in list(target) + list(source) if str(n).endswith(".ihx"))
    mem = os.path.splitext(ihx)[0] + ".mem"
    code, iram, xr = memory_use(mem)
    rows = [("Code", code, code_size), ("IRAM", iram, iram_size), ("XRAM", xr, xram_size)]
    over = []
    print("clock51 memory use (board limits):")
    for name, used, limit in rows:
        pct = 100.0 * used / limit if limit else (0.0 if not used else 100.0)
        print(f"  {name:<5} {used:>6} / {limit:<6} bytes  {pct:5.1f} %")
        if used > limit:
            over.append(f"{name} {used} > {limit}")
    if over:
        sys.stderr.write("error: firmware exceeds the board's limits: " + ", ".join(over) + "\n")
        return 1
    return 0


# -- the build ---------------------------------------------------------------------------

target_ihx = env.BuildProgram()
if relax:
    env.Depends(target_ihx, RELAX_PY)
target_hex = env.PackIhx(os.path.join("$BUILD_DIR", "firmware.hex"), target_ihx)
env.Depends(target_hex, target_ihx)

# The memory report runs on every build, up to date or not, and fails an oversized image.
size_target = env.Alias("size", target_ihx, env.VerboseAction(report_size, "Checking memory use"))
AlwaysBuild(size_target)


# -- upload with stcgal ------------------------------------------------------------------

# Code flash of the parts a profile may name (stcgal's models.py), bytes.
PART_FLASH = {
    "STC89C51RC": 4096, "STC89LE51RC": 4096, "STC89C52RC": 8192, "STC89LE52RC": 8192,
    "STC89C53RC": 14336, "STC89LE53RC": 14336, "STC89C51": 4096, "STC89C52": 8192,
    "STC89C53": 12288, "STC89C54RD+": 16384, "STC89C58RD+": 32768, "STC89C516RD+": 63488,
}


def image_size(ihx_path):
    """Highest address + 1 of the data records of an Intel HEX file."""
    top = 0
    base = 0
    with open(ihx_path) as f:
        for line in f:
            line = line.strip()
            if not line.startswith(":") or len(line) < 11:
                continue
            count, addr, kind = int(line[1:3], 16), int(line[3:7], 16), int(line[7:9], 16)
            if kind == 0 and count:
                top = max(top, base + addr + count)
            elif kind == 2:
                base = int(line[9:13], 16) << 4
            elif kind == 4:
                base = int(line[9:13], 16) << 16
    return top


def upload_command(env):
    port = env.subst("$UPLOAD_PORT")
    if not port:
        sys.stderr.write("error: no upload port: pass --upload-port /dev/ttyUSB0 "
                         "(or set upload_port in platformio.ini)\n")
        env.Exit(1)
    cmd = [
        "stcgal",
        "-P", env.get("CLOCK51_UPLOAD_PROTOCOL") or board.get("upload.stcgal_protocol",
                                                              "stc89"),
        "-p", port,
    ]
    speed = env.subst("$UPLOAD_SPEED")
    if speed:
        cmd += ["-b", speed]
    cmd += shlex.split(env.subst("$UPLOAD_FLAGS"))
    cmd.append(env.subst(os.path.join("$BUILD_DIR", "firmware.ihx")))
    return cmd


def upload(target, source, env):  # noqa: ARG001
    ihx = env.subst(os.path.join("$BUILD_DIR", "firmware.ihx"))
    part = env.get("CLOCK51_PART") or board.get("build.mcu", "")
    limit = PART_FLASH.get(str(part).upper(), code_size)
    size = image_size(ihx)
    if size > limit:
        sys.stderr.write(f"error: firmware.ihx is {size} bytes; the {part} holds {limit} bytes "
                         "of flash: not uploading\n")
        return 1
    cmd = upload_command(env)
    line = " ".join(shlex.quote(c) for c in cmd)
    if os.environ.get("CLOCK51_UPLOAD_DRY_RUN"):
        print("upload (dry run): " + line)
        return 0
    print(line)
    # stcgal installed beside PlatformIO (the project's venv) is found without activating it
    here = os.path.dirname(sys.executable)
    if os.path.exists(os.path.join(here, "stcgal")):
        env.PrependENVPath("PATH", here)
    return env.Execute(line)


upload_target = env.Alias("upload", [target_ihx, size_target],
                          env.VerboseAction(upload, "Uploading firmware.ihx"))
AlwaysBuild(upload_target)

Default([target_ihx, target_hex, size_target])
_ = COMMAND_LINE_TARGETS
