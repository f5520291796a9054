"""A board's parts, built from its profile through the one registry (boardprofile.parts).

Each registry entry names its chip model as ``"module:Class"`` under ``sim.devices``; this
module resolves those names and asks each model class to ``build(parts, ctx)`` the
profile's parts of its type (a ``sim.devices._common.PartContext`` carries the pins, the
scheduler, the time base and the timing mode). Nothing here knows a particular part: a new
part type is a model file plus its registry entry.
"""

from __future__ import annotations

import importlib
from typing import Any

from boardprofile import PART_TYPES, PartType, Profile

from sim.devices._common import PartContext


def model_class(spec: PartType) -> Any:
    """The model class a registry entry names (``"hd44780:HD44780"`` -> the class)."""
    module, _, name = spec.model.partition(":")
    return getattr(importlib.import_module(f"sim.devices.{module}"), name)


def build_parts(profile: Profile, ctx: PartContext) -> dict[str, list[Any]]:
    """Every part the profile lists, as models: part type -> its models, in registry
    order (so power and views walk them in a fixed order)."""
    built: dict[str, list[Any]] = {}
    for spec in PART_TYPES:
        parts = profile.of(spec.table)
        if parts:
            built[spec.table] = list(model_class(spec).build(parts, ctx))
    return built
