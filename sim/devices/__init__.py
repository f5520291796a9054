"""Chip models, one file each: DS1302, HD44780 (with its character ROM), keys, buzzer, UART.

Each model is wired by pin to a ``sim.bus.pins.PortBus`` (``uart.py`` to the CPU's serial
port), counts time in machine cycles, opens with the datasheet facts it implements, the
deviations it knows and the rules it checks, and records broken rules as data. Models know
nothing of boards or front ends.
"""
