-- Neovim (nvim-dap): debug the clock51 firmware in clock51-sim.
-- Put this in your config (or :luafile it), open firmware/src/*.c, set breakpoints with
-- :DapToggleBreakpoint and start with :DapContinue.
local dap = require('dap')

-- Attach to a simulator you started yourself: .venv/bin/clock51-sim run --dap 4711 --web 0
dap.adapters.clock51 = { type = 'server', host = '127.0.0.1', port = 4711 }

-- Or let nvim-dap start it on a free port (run Neovim in the checkout):
dap.adapters.clock51_start = {
  type = 'server',
  port = '${port}',
  executable = {
    command = '.venv/bin/clock51-sim',
    args = { 'run', '--dap', '${port}', '--web', '0', '--rtc', 'now' },
  },
}

dap.configurations.c = {
  { type = 'clock51', request = 'attach', name = 'clock51-sim: attach (port 4711)' },
  { type = 'clock51', request = 'launch', name = 'clock51-sim: reset, stop at main',
    stopOnEntry = true, onDisconnect = 'run' },
  { type = 'clock51_start', request = 'launch', name = 'clock51-sim: start and debug',
    stopOnEntry = true, onDisconnect = 'exit' },
}
