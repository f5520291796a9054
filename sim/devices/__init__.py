"""Pin-level chip models: DS1302, HD44780 (+ picture), keys, buzzer, UART bridge.

Each model is wired by pin to a ``sim.pins.PortBus`` and counts time in machine cycles.
"""
