// VS Code side of the clock51-sim debugger: the "clock51" debug type connects to the DAP
// server of `clock51-sim run --dap PORT` (the configuration's port, default 4711). VS Code
// needs an extension to contribute a debug type; this is all it has to do.
'use strict';
const vscode = require('vscode');

function activate(context) {
  context.subscriptions.push(vscode.debug.registerDebugAdapterDescriptorFactory('clock51', {
    createDebugAdapterDescriptor(session) {
      const c = session.configuration;
      return new vscode.DebugAdapterServer(c.port || 4711, c.host || '127.0.0.1');
    },
  }));
}

function deactivate() {}

module.exports = { activate, deactivate };
