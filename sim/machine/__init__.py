"""The machine: a board assembled from its profile, and what the parts stand on.

``pins.py`` (the four ports: latches, external drivers, watchers) and ``scheduler.py`` (events
in machine cycles) are the substrate the CPU and the chip models attach to; ``image.py``
loads firmware images; ``board.py`` is the one module here that knows the chip models: it
wires the CPU and every model onto the pins the board profile names and runs them to the
next event. Nothing in this folder knows a front end.
"""
