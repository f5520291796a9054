"""What every part stands on: the pin bus and simulated time.

``pins.py`` holds the four 8051 ports (latches, external drivers, watchers) that the CPU and
every chip model attach to; ``scheduler.py`` holds events in machine cycles. This is the
lowest layer of the simulator: it imports nothing from the rest of ``sim`` but the error
family, so the CPU (``sim/cpu``) and the chip models (``sim/devices``) can share it without
knowing the board (``sim/machine``) that wires them together.
"""
