// clock51-sim's debug adapter driven by a DAP client nobody here wrote: Microsoft's
// DebugClient (@vscode/debugadapter-testsupport), in server mode, against the clock
// firmware's debug build running on the whole simulated board (`clock51-sim run --dap 0`,
// started here as an editor user would). Run by tests/debug/test_dap_vscode_client.py
// (`make test`), or alone: `npx mocha tests/debug/js` after `pio run -e reference_debug`.
'use strict';

const assert = require('assert');
const cp = require('child_process');
const fs = require('fs');
const http = require('http');
const net = require('net');
const path = require('path');
const { DebugClient } = require('@vscode/debugadapter-testsupport');

const ROOT = path.resolve(__dirname, '..', '..', '..');
const PYTHON = process.env.CLOCK51_PYTHON || path.join(ROOT, '.venv', 'bin', 'python');
const SRC = path.join(ROOT, 'firmware', 'src');
const RTC = '2024-01-01 12:00:00';

function lineOf(file, text) {
  const lines = fs.readFileSync(path.join(SRC, file), 'utf8').split('\n');
  const i = lines.findIndex((l) => l.includes(text));
  assert.ok(i >= 0, `${text} not in ${file}`);
  return i + 1;
}

const CLOCK_C = path.join(SRC, 'clock.c');
const UART_C = path.join(SRC, 'uart.c');
const DS1302_C = path.join(SRC, 'ds1302.c');
const SEC_READ = lineOf('clock.c', 's = ds1302_read(DS1302_SEC_R);');
const SEC_CHECK = lineOf('clock.c', 'if (s == last_sec_raw)');

// `clock51-sim run --dap 0 ...`: resolves once it printed its `dap: 127.0.0.1:PORT` line
function startSim(extra) {
  return new Promise((resolve, reject) => {
    const args = ['-m', 'sim.frontends.cli', 'run', '--board', 'reference', '--headless',
      '--rtc', RTC, '--dap', '0', ...extra];
    const proc = cp.spawn(PYTHON, args, { cwd: ROOT, stdio: ['ignore', 'pipe', 'pipe'] });
    const sim = { proc, lines: {}, exited: null, stderr: '' };
    sim.exit = new Promise((done) => proc.on('exit', (code) => { sim.exited = code; done(code); }));
    sim.stop = async () => {
      if (sim.exited === null) {
        proc.kill('SIGINT');
        await sim.exit;
      }
    };
    let out = '';
    proc.stderr.on('data', (d) => { sim.stderr += d; });
    proc.stdout.on('data', (d) => {
      out += d;
      let nl;
      while ((nl = out.indexOf('\n')) >= 0) {
        const line = out.slice(0, nl).trim();
        out = out.slice(nl + 1);
        const [name, rest] = [line.slice(0, line.indexOf(': ')), line.slice(line.indexOf(': ') + 2)];
        sim.lines[name] = rest;
        if (name === 'dap') {
          sim.port = Number(rest.split(':').pop());
          resolve(sim);
        }
      }
    });
    proc.on('exit', (code) => reject(new Error(`clock51-sim exited ${code}: ${sim.stderr}`)));
  });
}

function lcd(sim) {
  return new Promise((resolve, reject) => {
    http.get(`${sim.lines.web}api/state`, (res) => {
      let body = '';
      res.on('data', (d) => { body += d; });
      res.on('end', () => resolve(JSON.parse(body)));
    }).on('error', reject);
  });
}

async function until(what, check, ms = 20000) {
  const end = Date.now() + ms;
  for (;;) {
    const got = await what();
    if (check(got)) return got;
    if (Date.now() > end) throw new Error(`timed out; last: ${JSON.stringify(got)}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

async function scope(dc, name, frameId) {
  const scopes = (await dc.scopesRequest({ frameId })).body.scopes;
  const ref = scopes.find((s) => s.name === name).variablesReference;
  const vars = (await dc.variablesRequest({ variablesReference: ref })).body.variables;
  return Object.fromEntries(vars.map((v) => [v.name, v]));
}

async function topFrame(dc) {
  return (await dc.stackTraceRequest({ threadId: 1 })).body.stackFrames[0];
}

async function simSeconds(dc) {
  const regs = await scope(dc, 'Registers', (await topFrame(dc)).id);
  return Number(regs.cycles.value.split('(')[1].split(' ')[0]);
}

const bcd = (n) => ((Math.floor(n / 10)) << 4) | (n % 10);

describe('clock51-sim --dap, driven by @vscode/debugadapter-testsupport DebugClient', function () {
  this.timeout(60000);
  let sim = null;
  let dc = null;

  async function connect(extra) {
    sim = await startSim(extra);
    dc = new DebugClient('node', 'unused', 'clock51');
    await dc.start(sim.port);
  }

  async function attach() {
    await Promise.all([dc.waitForEvent('initialized'), dc.initializeRequest()]);
    await dc.attachRequest({});
  }

  afterEach(async () => {
    if (dc) {
      await Promise.race([dc.stop().catch(() => {}), new Promise((r) => setTimeout(r, 2000))]);
      dc = null;
    }
    if (sim) {
      await sim.stop();
      sim = null;
    }
  });

  it('breaks at clock_poll, shows the DS1302 seconds in a local, steps over a line', async () => {
    await connect(['--fast']);
    await dc.hitBreakpoint({ stopOnEntry: false }, { path: CLOCK_C, line: SEC_READ });
    const stack = (await dc.stackTraceRequest({ threadId: 1 })).body.stackFrames;
    assert.deepStrictEqual(stack.map((f) => f.name), ['clock_poll', 'app_tick', 'main']);
    await dc.setBreakpointsRequest({ source: { path: CLOCK_C }, breakpoints: [] });
    await Promise.all([dc.nextRequest({ threadId: 1 }), dc.waitForEvent('stopped')]);
    const frame = await topFrame(dc);
    // the next line with code after the read, up to the comparison (where SDCC put it)
    assert.ok(frame.line > SEC_READ && frame.line <= SEC_CHECK, `stopped at line ${frame.line}`);
    const s = (await scope(dc, 'Locals', frame.id)).s;
    assert.strictEqual(s.type, 'unsigned char');
    const seconds = Math.floor(await simSeconds(dc)) % 60; // the DS1302 started at 12:00:00
    assert.strictEqual(Number(s.value.split(' ')[0]), bcd(seconds));
  });

  it('sets the alarm minute and the LCD shows it', async () => {
    await connect(['--web', '0', '--press', 'MODE@0.5']); // the alarm page
    await attach();
    await dc.configurationDoneRequest();
    await until(() => lcd(sim), (st) => st.text[1].includes('Alarm 07:00'));
    await Promise.all([dc.waitForEvent('stopped'), dc.pauseRequest({ threadId: 1 })]);
    const frame = await topFrame(dc);
    const settings = (await scope(dc, 'Globals', frame.id)).settings;
    const set = await dc.setVariableRequest({
      variablesReference: settings.variablesReference, name: 'alarm_minute', value: '42',
    });
    assert.ok(set.body.value.startsWith('42'));
    await dc.continueRequest({ threadId: 1 });
    await until(() => lcd(sim), (st) => st.text[1].includes('Alarm 07:42'));
  });

  it('breaks on a source line inside the UART interrupt', async () => {
    await connect(['--serial', 'tcp:0', '--fast']);
    const line = lineOf('uart.c', 'rx_buf[rx_head] = c;');
    await attach();
    const bps = await dc.setBreakpointsRequest({ source: { path: UART_C }, breakpoints: [{ line }] });
    assert.ok(bps.body.breakpoints[0].verified);
    await dc.configurationDoneRequest();
    const host = net.connect(Number(sim.lines.serial.split(':').pop()), '127.0.0.1');
    await new Promise((r) => host.on('connect', r));
    const stopped = dc.assertStoppedLocation('breakpoint', { path: UART_C, line });
    host.write('GET\n');
    await stopped;
    const stack = (await dc.stackTraceRequest({ threadId: 1 })).body.stackFrames;
    assert.strictEqual(stack[0].name, 'uart_isr');
    assert.ok(stack[1].name.endsWith('[interrupted]'));
    const sbuf = await dc.evaluateRequest({ expression: 'SBUF', frameId: stack[0].id });
    assert.strictEqual(sbuf.body.result, "71 'G'");
    await dc.setBreakpointsRequest({ source: { path: UART_C }, breakpoints: [] });
    let received = ''; // (the boot banner may come first)
    const reply = new Promise((r) => host.on('data', (d) => {
      received += d;
      const ok = received.split('\n').find((l, i, all) => i < all.length - 1 && l.startsWith('OK'));
      if (ok) r(ok);
    }));
    let stdout = '';
    dc.on('output', (ev) => { if (ev.body.category === 'stdout') stdout += ev.body.output; });
    await dc.continueRequest({ threadId: 1 });
    const answer = String(await reply);
    assert.ok(answer.startsWith('OK 2024-01-01'), answer);
    await until(async () => stdout, (text) => text.includes('OK 2024-01-01')); // the UART
    host.destroy();
  });

  it('stops at a conditional breakpoint only when its condition holds', async () => {
    await connect(['--fast']);
    await attach();
    await dc.setBreakpointsRequest({
      source: { path: CLOCK_C }, breakpoints: [{ line: SEC_CHECK, condition: 's == 0x05' }],
    });
    await Promise.all([dc.configurationDoneRequest(),
      dc.assertStoppedLocation('breakpoint', { path: CLOCK_C, line: SEC_CHECK })]);
    const frame = await topFrame(dc);
    const s = await dc.evaluateRequest({ expression: 's', frameId: frame.id });
    assert.ok(s.body.result.startsWith('5 '));
    assert.strictEqual(Math.floor(await simSeconds(dc)) % 60, 5);
  });

  it('pauses while the clock runs', async () => {
    await connect([]);
    await attach();
    await dc.configurationDoneRequest();
    await new Promise((r) => setTimeout(r, 300));
    const [ev] = await Promise.all([dc.waitForEvent('stopped'), dc.pauseRequest({ threadId: 1 })]);
    assert.strictEqual(ev.body.reason, 'pause');
    const t0 = await simSeconds(dc);
    await new Promise((r) => setTimeout(r, 300));
    assert.strictEqual(await simSeconds(dc), t0); // simulated time stands still
    const stack = (await dc.stackTraceRequest({ threadId: 1 })).body.stackFrames;
    assert.strictEqual(stack[stack.length - 1].name.split(' ')[0], 'main');
  });

  it('stops on a device timing violation', async () => {
    await connect(['--fast']);
    await attach();
    const line = lineOf('ds1302.c', 'DS1302_CE = 1;');
    await dc.setBreakpointsRequest({ source: { path: DS1302_C }, breakpoints: [{ line }] });
    await Promise.all([dc.configurationDoneRequest(),
      dc.assertStoppedLocation('breakpoint', { path: DS1302_C, line })]);
    const frame = await topFrame(dc);
    const p3 = (await scope(dc, 'SFRs', frame.id)).P3;
    // SCLK high when the firmware raises CE: the DS1302 model records a violation
    await dc.setVariableRequest({ variablesReference: p3.variablesReference, name: 'P3.6', value: '1' });
    await dc.setBreakpointsRequest({ source: { path: DS1302_C }, breakpoints: [] });
    await dc.setExceptionBreakpointsRequest({ filters: ['timing'] });
    const [ev] = await Promise.all([dc.waitForEvent('stopped'), dc.continueRequest({ threadId: 1 })]);
    assert.strictEqual(ev.body.reason, 'exception');
    assert.ok(ev.body.text.includes('sclk-high-at-ce'), ev.body.text);
    const info = await dc.exceptionInfoRequest({ threadId: 1 });
    assert.strictEqual(info.body.exceptionId, 'timing');
  });

  it('disconnects leaving the simulator running, then ends it', async () => {
    await connect(['--fast']);
    await attach();
    await dc.configurationDoneRequest();
    await dc.disconnectRequest({ terminateDebuggee: false });
    dc.stopAdapter();
    await new Promise((r) => setTimeout(r, 300));
    assert.strictEqual(sim.exited, null); // still running
    dc = new DebugClient('node', 'unused', 'clock51');
    await dc.start(sim.port);
    await attach();
    await dc.configurationDoneRequest();
    await dc.disconnectRequest({ terminateDebuggee: true });
    assert.strictEqual(await sim.exit, 0);
    dc.stopAdapter();
    dc = null;
  });
});
