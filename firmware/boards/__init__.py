"""boardprofile: the board profiles (``*.toml`` beside this file) and their one loader.

Both sides of the project read a board through this package: the firmware build renders its
C headers from a profile (firmware/scripts/pio_pre.py) and the simulator wires its chip
models from the same profile (sim/machine/board.py). It imports neither of them. Installed,
it is the top-level package ``boardprofile`` with the profiles as package data.
"""

from boardprofile.profile import (
    BOARDS_DIR,
    Baud,
    Key,
    Pin,
    Profile,
    ProfileError,
    all_profiles,
    baud_setting,
    load_profile,
    parse_pin,
    pin_name,
    profile_path,
    trickle_byte,
)

__all__ = ["BOARDS_DIR", "Baud", "Key", "Pin", "Profile", "ProfileError", "all_profiles",
           "baud_setting", "load_profile", "parse_pin", "pin_name", "profile_path", "trickle_byte"]
