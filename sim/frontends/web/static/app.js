// clock51 browser view: draws what the simulator sends over /ws and sends back what the
// user does. No libraries, nothing loaded from elsewhere. The LCD is drawn dot for dot
// from the server's cells (the same ones the PNG renderer draws), so the two match.
"use strict";

const view = {
  hello: null, state: null, frames: 0, arrivals: [], errors: [], infos: [], console: [],
  sound: false, connected: false,
};
window.clock51 = view;  // for tests and the curious

const $ = (id) => document.getElementById(id);
const lcd = $("lcd");
const ctx = lcd.getContext("2d", { alpha: false });
// Backlight off (the firmware switched the display off): an unlit module.
const UNLIT = [[52, 64, 30], [47, 58, 27], [28, 44, 18], [38, 50, 22]];
let ws = null;
let retry = 500;

function rgb(c) { return `rgb(${c[0]},${c[1]},${c[2]})`; }

function drawLcd(state) {
  const h = view.hello;
  if (!h || !state || !h.geometry || !state.lcd) return;
  const g = h.geometry;
  if (lcd.width !== g.width || lcd.height !== g.height) {
    lcd.width = g.width; lcd.height = g.height;
  }
  const pal = state.lcd.on ? h.palette : UNLIT;
  const [bg, off, on, block] = pal.map(rgb);
  ctx.fillStyle = bg;
  ctx.fillRect(0, 0, g.width, g.height);
  const dots = state.lcd.dots, dark = state.lcd.dark;
  for (let i = 0; i < g.columns * g.rows; i++) {
    const r = Math.floor(i / g.columns), c = i % g.columns;
    const x0 = g.margin + c * g.cell_w, y0 = g.margin + r * g.cell_h;
    const rows = dots[i], unlit = dark[i] === "1" ? block : off;
    for (let y = 0; y < 8; y++) {
      const bits = rows[y];
      for (let x = 0; x < 5; x++) {
        ctx.fillStyle = (bits >> (4 - x)) & 1 ? on : unlit;
        ctx.fillRect(x0 + x * g.pitch, y0 + y * g.pitch, g.dot, g.dot);
      }
    }
  }
  lcd.setAttribute("aria-label", state.text.join("\n"));
}

function message(kind, text) {
  (kind === "error" ? view.errors : view.infos).push(text);
  const box = $("messages");
  const p = document.createElement("div");
  p.className = kind;
  p.textContent = text;
  box.prepend(p);
  while (box.childNodes.length > 4) box.removeChild(box.lastChild);
}

function send(obj) {
  if (ws && ws.readyState === WebSocket.OPEN) ws.send(JSON.stringify(obj));
  else message("error", "not connected to the simulator");
}

// -- keys ---------------------------------------------------------------------------------
const held = new Set();
function keyDown(name) {
  if (held.has(name)) return;
  held.add(name);
  send({ type: "key", key: name, action: "down" });
}
function keyUp(name) {
  if (!held.delete(name)) return;
  send({ type: "key", key: name, action: "up" });
}

function buildKeys(h) {
  const box = $("keys");
  box.textContent = "";
  const letter = {};
  for (const [typed, name] of Object.entries(h.hotkeys)) letter[name] = typed;
  for (const name of h.keys) {
    const b = document.createElement("button");
    b.type = "button";
    b.id = "key-" + name;
    b.dataset.key = name;
    b.innerHTML = `${name}<small>${letter[name] || ""}</small>`;
    b.addEventListener("pointerdown", (e) => {
      e.preventDefault();
      b.setPointerCapture(e.pointerId);
      keyDown(name);
    });
    for (const ev of ["pointerup", "pointercancel", "lostpointercapture"]) {
      b.addEventListener(ev, () => keyUp(name));
    }
    b.addEventListener("contextmenu", (e) => e.preventDefault());
    box.appendChild(b);
  }
  $("hotkeys").textContent = Object.entries(h.hotkeys)
    .map(([typed, name]) => `${typed} = ${name}`).join(", ");
}

function typing(e) {
  const t = e.target;
  return t && (t.tagName === "INPUT" || t.tagName === "TEXTAREA");
}
document.addEventListener("keydown", (e) => {
  if (!view.hello || typing(e) || e.ctrlKey || e.altKey || e.metaKey) return;
  const name = view.hello.hotkeys[e.key.toLowerCase()];
  if (!name) return;
  e.preventDefault();
  if (!e.repeat) keyDown(name);
});
document.addEventListener("keyup", (e) => {
  if (!view.hello) return;
  const name = view.hello.hotkeys[e.key.toLowerCase()];
  if (name) keyUp(name);
});
window.addEventListener("blur", () => { for (const name of [...held]) keyUp(name); });

// -- sound --------------------------------------------------------------------------------
let audio = null;
$("sound").addEventListener("click", () => {
  if (!audio) {
    const ac = new AudioContext();
    const osc = ac.createOscillator();
    const gain = ac.createGain();
    osc.type = "square";
    osc.frequency.value = 2400;
    gain.gain.value = 0;
    osc.connect(gain).connect(ac.destination);
    osc.start();
    audio = { ac, osc, gain };
    view.sound = true;
    $("sound").textContent = "mute";
  } else if (audio.ac.state === "running") {
    audio.ac.suspend();
    view.sound = false;
    $("sound").textContent = "enable sound";
  } else {
    audio.ac.resume();
    view.sound = true;
    $("sound").textContent = "mute";
  }
});

function buildLamps(h) {
  const box = $("leds");
  box.textContent = "";
  for (const name of h.lamps) {
    const span = document.createElement("span");
    span.className = "led";
    const lamp = document.createElement("span");
    lamp.className = "lamp";
    lamp.id = "led-" + name;
    lamp.title = name;
    span.appendChild(lamp);
    span.appendChild(document.createTextNode(" " + name));
    box.appendChild(span);
  }
}

function showViolations(v) {
  $("violation-count").textContent = String(v.count);
  const log = $("violation-log");
  const text = v.recent.map((r) => r.text).join("\n");
  if (log.textContent !== text) log.textContent = text;
}

function buzz(b) {
  if (!b) return;
  $("buzzer").classList.toggle("on", b.on);
  $("buzzer-hz").textContent = b.on && b.hz > 0 ? `${Math.round(b.hz)} Hz` : "";
  if (audio) {
    const hz = b.hz > 50 ? Math.min(b.hz, 8000) : 2400;  // a steady hold: an active buzzer
    audio.osc.frequency.setValueAtTime(hz, audio.ac.currentTime);
    audio.gain.gain.setTargetAtTime(b.on ? 0.08 : 0, audio.ac.currentTime, 0.005);
  }
}

// -- console ------------------------------------------------------------------------------
function addLines(lines) {
  const log = $("console-log");
  const stick = log.scrollTop + log.clientHeight >= log.scrollHeight - 4;
  for (const l of lines) {
    view.console.push(l);
    const div = document.createElement("div");
    div.className = l.dir === ">" ? "to" : "from";
    div.textContent = `${l.t.toFixed(4).padStart(12)}  ${l.dir} ${l.text}`;
    log.appendChild(div);
  }
  while (log.childNodes.length > 1000) log.removeChild(log.firstChild);
  if (view.console.length > 1000) view.console.splice(0, view.console.length - 1000);
  if (stick) log.scrollTop = log.scrollHeight;
}
$("console-form").addEventListener("submit", (e) => {
  e.preventDefault();
  const input = $("console-input");
  send({ type: "serial", line: input.value });
  input.value = "";
});

// -- simulation controls --------------------------------------------------------------------
for (const b of document.querySelectorAll("[data-speed]")) {
  b.addEventListener("click", () => send({ type: "speed", value: b.dataset.speed }));
}
$("rtc-now").addEventListener("click", () => send({ type: "rtc", value: "now" }));
$("rtc-set").addEventListener("click", () => {
  const v = $("rtc-date").value;
  if (!v) { message("error", "choose a date and time first"); return; }
  send({ type: "rtc", value: v });
});
$("power").addEventListener("click", () => send({ type: "power" }));
// the DS18B20 (shown only when the board has one): the server checks the value
$("temp-up").addEventListener("click", () => send({ type: "temp", value: "+" }));
$("temp-down").addEventListener("click", () => send({ type: "temp", value: "-" }));
$("temp-none").addEventListener("click", () => send({ type: "temp", value: "none" }));
$("temp-set").addEventListener("click", () => {
  const v = $("temp-value").value.trim();
  if (!v) { message("error", "type a temperature first (-55..125 C)"); return; }
  send({ type: "temp", value: v });
});
$("temp-value").addEventListener("keydown", (e) => {
  if (e.key === "Enter") { e.preventDefault(); $("temp-set").click(); }
});

function show(state) {
  view.state = state;
  view.frames += 1;
  view.arrivals.push(performance.now());
  if (view.arrivals.length > 50) view.arrivals.shift();
  drawLcd(state);
  $("sim-time").textContent = `${state.t.toFixed(3)} s`;
  $("ratio").textContent = state.speed === "pause" ? "paused"
    : state.debug ? "stopped by the debugger" : `${state.ratio.toFixed(1)}x real time`;
  for (const b of document.querySelectorAll("[data-speed]")) {
    b.classList.toggle("active", b.dataset.speed === state.speed);
  }
  $("rtc").textContent = state.rtc || "halted";
  // the true time: what the DS1302 would show with a perfect crystal
  $("rtc-true").textContent = state.true || "not set";
  $("rtc-offset").textContent = state.offset_ms === null || state.offset_ms === undefined ? ""
    : `offset ${state.offset_ms >= 0 ? "+" : ""}${state.offset_ms.toFixed(1)} ms`;
  $("crystal").textContent = state.crystal_ppm === null || state.crystal_ppm === undefined
    ? "" : `crystal ${state.crystal_ppm >= 0 ? "+" : ""}${state.crystal_ppm.toFixed(2)} ppm`;
  buzz(state.buzzer);
  for (const [name, lit] of Object.entries(state.lamps || {})) {
    const lamp = document.getElementById("led-" + name);
    if (lamp) lamp.classList.toggle("on", lit);
  }
  if (state.violations) showViolations(state.violations);
  for (const [name, down] of Object.entries(state.keys)) {
    const b = document.getElementById("key-" + name);
    if (b) b.classList.toggle("down", down || held.has(name));
  }
  if (state.vcd) $("messages").dataset.vcd = state.vcd;
  // the debugger (clock51-sim run --dap): where the program is stopped, if it is
  $("debug").hidden = !state.debug;
  $("debug").textContent = state.debug || "";
  if (state.temp) {
    $("temp-now").textContent = state.temp.c === null ? "no sensor" : `${state.temp.c} \u00b0C`;
  } else if (state.room !== null && state.room !== undefined) {
    $("temp-now").textContent = `${state.room} \u00b0C`;  // no DS18B20: the crystal feels it
  }
}

// -- the link -----------------------------------------------------------------------------
function connect() {
  const url = `${location.protocol === "https:" ? "wss" : "ws"}://${location.host}/ws`;
  ws = new WebSocket(url);
  ws.onopen = () => {
    retry = 500;
    view.connected = true;
    $("link").textContent = "connected";
    $("link").className = "link up";
  };
  ws.onmessage = (e) => {
    let msg;
    try { msg = JSON.parse(e.data); } catch { return; }
    if (msg.type === "state") show(msg);
    else if (msg.type === "serial") addLines(msg.lines);
    else if (msg.type === "hello") {
      view.hello = msg;
      view.console = [];
      $("console-log").textContent = "";  // the server sends the history again
      $("board-name").textContent = `- ${msg.board}`;
      document.title = `clock51 - ${msg.board}`;
      buildKeys(msg);
      buildLamps(msg);
      $("lcd-frame").hidden = !msg.geometry;
      $("buzzer-box").hidden = !msg.buzzer;
      $("keys-hint").hidden = msg.keys.length === 0;
      $("rtc-control").hidden = !msg.rtc;
      $("weekday-one").textContent = msg.weekday_one ? `(day 1 = ${msg.weekday_one})` : "";
      $("console").hidden = !msg.serial;
      $("timing").textContent = `(timing: ${msg.timing})`;
      $("temp-control").hidden = !msg.room;
      $("temp-label").textContent = msg.thermometer ? "DS18B20" : "room";
      $("temp-none").hidden = !msg.thermometer;
      if (view.state) drawLcd(view.state);
    } else if (msg.type === "error" || msg.type === "info") message(msg.type, msg.message);
  };
  ws.onclose = () => {
    view.connected = false;
    $("link").textContent = "disconnected: retrying";
    $("link").className = "link down";
    for (const name of [...held]) held.delete(name);
    setTimeout(connect, retry);
    retry = Math.min(retry * 2, 5000);
  };
}
connect();
