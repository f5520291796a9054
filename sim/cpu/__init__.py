"""MCS-51 (8052) CPU core: opcode table, block translator, lazy timers, UART, interrupts.

Public API::

    from sim.cpu import CPU, IllegalOpcode
    cpu = CPU(code, xram_size=256, ports=None)
    cpu.run(until_cycle, stop_at_selfjump=False) -> 'deadline' | 'selfjump' | 'powerdown'
    cpu.step() -> machine cycles used

Files: ``opcodes.py`` (the one opcode table), ``translate.py`` (table + templates -> Python
source per basic block), ``core.py`` (state, run loop, SFRs, timers, UART, interrupts),
``disasm.py`` (disassembler from the same table), ``cache.py`` (translations kept on disk
per code image).
"""

from sim.cpu.core import CPU, NEVER
from sim.cpu.disasm import disassemble
from sim.errors import IllegalOpcode

__all__ = ["CPU", "IllegalOpcode", "NEVER", "disassemble"]
