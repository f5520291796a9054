"""clock51 simulator: an MCS-51 core and pin-level board models that run the real firmware.

Folders by role, each importing only those before it: ``bus/`` (the pins and the scheduler),
``cpu/`` (the 8052 core), ``devices/`` (chip models), ``machine/`` (board wiring, images),
``frontends/`` (CLI, run loop, views, endpoints, exec), ``measure/`` (benchmarks, budgets,
the s51 driver). ``errors.py`` is the exception family.
"""
