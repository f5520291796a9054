// The VS Code extension of docs/debug/vscode, loaded with a stand-in for the `vscode`
// module (VS Code itself does not run here): its package.json contributes the "clock51"
// debug type and C breakpoints, and its descriptor factory points VS Code at the DAP port of
// the launch configuration. (That VS Code then talks to the adapter like DebugClient does
// is what adapter.test.js checks.)
'use strict';

const assert = require('assert');
const Module = require('module');
const path = require('path');

const EXT = path.resolve(__dirname, '..', '..', '..', 'docs', 'debug', 'vscode');

describe('the VS Code extension in docs/debug/vscode', () => {
  it('contributes the clock51 debug type and connects to the configured port', () => {
    const pkg = require(path.join(EXT, 'package.json'));
    const dbg = pkg.contributes.debuggers[0];
    assert.strictEqual(dbg.type, 'clock51');
    assert.deepStrictEqual(pkg.contributes.breakpoints, [{ language: 'c' }]);
    assert.ok(dbg.configurationAttributes.attach && dbg.configurationAttributes.launch);

    const factories = {};
    class DebugAdapterServer { constructor(port, host) { this.port = port; this.host = host; } }
    const fake = {
      DebugAdapterServer,
      debug: { registerDebugAdapterDescriptorFactory: (type, f) => { factories[type] = f; return { dispose() {} }; } },
    };
    const load = Module._load;
    Module._load = (request, ...rest) => (request === 'vscode' ? fake : load(request, ...rest));
    try {
      const ext = require(path.join(EXT, 'extension.js'));
      const context = { subscriptions: [] };
      ext.activate(context);
      assert.strictEqual(context.subscriptions.length, 1);
    } finally {
      Module._load = load;
    }
    const server = factories.clock51.createDebugAdapterDescriptor({ configuration: { port: 5151 } });
    assert.ok(server instanceof DebugAdapterServer);
    assert.deepStrictEqual([server.port, server.host], [5151, '127.0.0.1']);
    const byDefault = factories.clock51.createDebugAdapterDescriptor({ configuration: {} });
    assert.strictEqual(byDefault.port, 4711);
  });
});
