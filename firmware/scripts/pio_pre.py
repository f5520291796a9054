"""PlatformIO pre-build script: render the board profile's headers into the build directory.

The env's profile is `custom_profile` in platformio.ini, or the file named by the
environment variable CLOCK51_PROFILE (to build any profile without adding an env).
A bad profile, or a board our firmware cannot be made for (boardprofile.firmware), stops
the build with one line naming the file and the field.
"""

import os
import sys

Import("env")  # type: ignore[name-defined]  # noqa: F821

project_dir = env.subst("$PROJECT_DIR")  # type: ignore[name-defined]  # noqa: F821
sys.path.insert(0, os.path.join(project_dir, "firmware", "scripts"))

from generate import ProfileError, load_firmware, render  # noqa: E402

profile_file = os.environ.get("CLOCK51_PROFILE") or env.GetProjectOption(  # noqa: F821
    "custom_profile"
)
if not os.path.isabs(profile_file):
    profile_file = os.path.join(project_dir, profile_file)
gen_dir = os.path.join(env.subst("$BUILD_DIR"), "generated")  # noqa: F821

try:
    profile = load_firmware(profile_file)
    render(profile_file, gen_dir)
except ProfileError as exc:
    sys.stderr.write(f"error: {exc}\n")
    env.Exit(1)  # noqa: F821

env.Prepend(CPPPATH=[gen_dir])  # noqa: F821
env.Replace(  # noqa: F821
    CLOCK51_PROFILE_NAME=profile.name,
    CLOCK51_CODE_SIZE=profile.code_size,
    CLOCK51_IRAM_SIZE=profile.iram_size,
    CLOCK51_XRAM_SIZE=profile.xram_size,
    BOARD_F_CPU=f"{profile.crystal_hz}UL",
    CLOCK51_PART=profile.part,
    CLOCK51_UPLOAD_PROTOCOL=profile.upload_protocol,
)
print(f"clock51: board profile {profile.name} ({os.path.relpath(profile_file, project_dir)})"
      f" -> {os.path.relpath(gen_dir, project_dir)}")
