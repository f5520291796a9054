"""C-level debugging of SDCC firmware in the simulator, knowing nothing of any protocol.

Layer: above ``sim.machine`` (it drives a ``Board``), below ``sim.frontends`` (the Debug
Adapter Protocol server in ``sim.frontends.dap`` is one user).

- ``cdb``: SDCC's debug information (``--debug``): the ``.cdb`` the linker writes, plus what
  only the module ``.asm`` files and the link ``.map`` hold (source paths, locals SDCC wrote
  no symbol record for, library symbols, the reentrant frame pointer ``_bp``).
- ``values``: C values in the 8051's address spaces: read, format, expand, write.
- ``expr``: the C expressions of watches and breakpoint conditions.
- ``frames``: the call stack, unwound from the IRAM stack.
- ``listing``: disassembly with symbols and C lines, backwards too.
- ``runtime``: breakpoints, stepping, pause, frames, variables, memory of a running board.
"""
