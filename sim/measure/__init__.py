"""Measurement: how fast the simulator runs and what budgets the firmware keeps.

``bench.py`` (``make bench``: our core against s51 on the same program, and the clock
firmware's real-time factor), ``boardbench.py`` (the firmware figure), ``budgets.py`` (LCD and
SET latencies, stack headroom, memory use, measured in the simulator), ``speedcheck.py``
(cached-translation speed), ``ucsim.py`` (the driver that runs SDCC's s51 for comparisons),
``programs/`` (the C sources of the bench programs).
"""
