"""The machine: a board assembled from its profile.

``image.py`` loads firmware images; ``flash.py`` and ``power.py`` keep the chip's flash and
supply; ``state.py`` the battery-backed state files; ``board.py`` is the one module here that
knows the chip models: it wires the CPU and every model onto the pins the board profile names
(the pin bus and the scheduler they stand on are ``sim/bus``) and runs them to the next
event. Nothing in this folder knows a front end.
"""
