"""boardprofile: the board profiles (``*.toml`` beside this file), their one loader and the
registry of part types.

Both sides of the project read a board through this package: the firmware build renders its
C headers from a profile (firmware/scripts/pio_pre.py, through ``boardprofile.firmware``,
the clock51 firmware's own settings) and the simulator assembles a board from the same
profile's parts (sim/machine/board.py, through ``boardprofile.parts``). It imports neither
of them. Installed, it is the top-level package ``boardprofile`` with the profiles as
package data.
"""

from boardprofile.parts import (
    AMBIENT_C,
    CRYSTAL_DEFAULTS,
    CRYSTAL_K_MAX,
    CRYSTAL_PPM_MAX,
    PART_TYPES,
    REGISTRY,
    Field,
    PartType,
)
from boardprofile.profile import (
    BOARDS_DIR,
    DEFAULT_RESET_MS,
    STRICT_RESET_FACTOR,
    Key,
    Mcu,
    Part,
    Pin,
    Profile,
    ProfileError,
    all_profiles,
    load_profile,
    parse_pin,
    pin_name,
    profile_path,
    trickle_byte,
)

__all__ = ["AMBIENT_C", "BOARDS_DIR", "CRYSTAL_DEFAULTS", "CRYSTAL_K_MAX", "CRYSTAL_PPM_MAX",
           "DEFAULT_RESET_MS", "PART_TYPES", "REGISTRY", "STRICT_RESET_FACTOR",
           "Field", "Key", "Mcu", "Part", "PartType", "Pin", "Profile", "ProfileError",
           "all_profiles", "load_profile", "parse_pin", "pin_name", "profile_path",
           "trickle_byte"]
