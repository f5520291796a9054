"""The debug adapter, driven over its socket by our own DAP client (tests/debug/dapclient.py),
against the real clock firmware's debug build running on the whole simulated board
(`clock51-sim run --dap 0`, a subprocess as an editor would use it): every request the
adapter supports, the scenarios of issue 21 and the bad inputs."""

from __future__ import annotations

import asyncio
import base64
import json
import socket
import time
from pathlib import Path

import aiohttp
import pytest

from tests.debug.dapclient import DapClient
from tests.debug.dapsim import START_RTC, DapSim, start_dap_sim

SRC = Path(__file__).resolve().parents[2] / "firmware" / "src"


def line_of(file: str, text: str) -> int:
    for n, line in enumerate((SRC / file).read_text().splitlines(), 1):
        if text in line:
            return n
    raise AssertionError(f"{text!r} not in {file}")


def bcd(n: int) -> int:
    return n // 10 << 4 | n % 10


@pytest.fixture
def sim(debug_firmware: Path):
    s = start_dap_sim(None, "--fast")
    yield s
    s.stop()


@pytest.fixture
def dap(sim: DapSim):
    c = DapClient(sim.port)
    yield c
    c.close()


def scope_vars(c: DapClient, name: str, frame_id: int = 1) -> dict[str, dict]:
    scopes = c.request("scopes", frameId=frame_id)["body"]["scopes"]
    ref = next(s for s in scopes if s["name"] == name)["variablesReference"]
    return {v["name"]: v for v in c.request("variables", variablesReference=ref)["body"]
            ["variables"]}


def children(c: DapClient, var: dict) -> dict[str, dict]:
    ref = var["variablesReference"]
    assert ref, var
    return {v["name"]: v for v in c.request("variables", variablesReference=ref)["body"]
            ["variables"]}


def sim_seconds(c: DapClient) -> float:
    text = scope_vars(c, "Registers")["cycles"]["value"]
    return float(text.split("(")[1].split()[0])


# == the scenarios ====================================================================
def test_break_at_clock_poll_and_see_the_ds1302_seconds_in_a_local(dap):
    dap.start("attach")
    bps = dap.request("setFunctionBreakpoints", breakpoints=[{"name": "clock_poll"}])
    assert bps["body"]["breakpoints"][0]["verified"]
    dap.request("configurationDone")
    stop = dap.stopped("function breakpoint")
    assert stop["hitBreakpointIds"] == [bps["body"]["breakpoints"][0]["id"]]
    frames = dap.request("stackTrace", threadId=1)["body"]["stackFrames"]
    assert [f["name"] for f in frames] == ["clock_poll", "app_tick", "main"]
    assert frames[0]["source"]["path"] == str(SRC / "clock.c")
    assert frames[0]["line"] == line_of("clock.c", "s = ds1302_read(DS1302_SEC_R);")
    dap.request("setFunctionBreakpoints", breakpoints=[])
    dap.request("next", threadId=1)  # s = ds1302_read(DS1302_SEC_R): the seconds register
    dap.stopped("step")
    # the next line with code after the read, up to the comparison (where SDCC put it)
    assert line_of("clock.c", "s = ds1302_read(DS1302_SEC_R);") < dap.top_frame()["line"] \
        <= line_of("clock.c", "if (s == last_sec_raw)")
    s = dap.locals()["s"]
    assert s["type"] == "unsigned char"
    seconds = int(sim_seconds(dap))  # the DS1302 started at 12:00:00
    assert int(s["value"].split()[0]) == bcd((int(START_RTC[-2:]) + seconds) % 60)
    hexed = dap.request("variables", variablesReference=dap.request(
        "scopes", frameId=1)["body"]["scopes"][0]["variablesReference"],
        format={"hex": True})["body"]["variables"]
    assert next(v for v in hexed if v["name"] == "s")["value"] == \
        f"0x{int(s['value'].split()[0]):02X}"


def test_step_over_a_line_then_into_and_out(dap):
    dap.start("attach")
    dap.request("setBreakpoints", source={"path": str(SRC / "clock.c")},
                breakpoints=[{"line": line_of("clock.c", "if (s == last_sec_raw)"),
                              "condition": "s != last_sec_raw"}])  # a new second
    dap.request("configurationDone")
    dap.stopped("breakpoint")
    dap.request("setBreakpoints", source={"path": str(SRC / "clock.c")}, breakpoints=[])
    start = time.perf_counter()
    dap.request("next", threadId=1)
    dap.stopped("step")
    assert time.perf_counter() - start < 5  # (the figure: python -m sim.measure.dapbench)
    assert dap.top_frame()["line"] == line_of("clock.c", "seen_at = now;")  # a new second
    while dap.top_frame()["line"] != line_of("clock.c", "ok = clock_read();"):
        dap.request("next", threadId=1)
        dap.stopped("step")
    dap.request("stepIn", threadId=1)
    dap.stopped("step")
    assert dap.top_frame()["name"] == "clock_read"
    dap.request("stepOut", threadId=1)
    dap.stopped("step")
    top = dap.top_frame()
    assert top["name"] == "clock_poll"
    assert top["line"] == line_of("clock.c", "ok = clock_read();")
    dap.request("stepIn", threadId=1, granularity="instruction")
    dap.stopped("step")
    assert int(dap.top_frame()["instructionPointerReference"], 16) != \
        int(top["instructionPointerReference"], 16)


def test_set_the_alarm_minute_and_see_the_lcd_change(debug_firmware):
    sim = start_dap_sim(None, "--web", "0", "--press", "MODE@0.5")  # the alarm page
    try:
        c = DapClient(sim.port)
        c.start("attach")
        c.request("configurationDone")
        deadline = time.monotonic() + 20
        while "Alarm 07:00" not in sim.lcd()[1]:
            assert time.monotonic() < deadline, sim.lcd()
            time.sleep(0.1)
        c.request("pause", threadId=1)
        c.stopped("pause")
        while not (sim.state()["debug"] or "").startswith("debugger: stopped at"):
            assert time.monotonic() < deadline, sim.state()["debug"]  # the page says so
            time.sleep(0.05)
        settings = scope_vars(c, "Globals")["settings"]
        minute = children(c, settings)["alarm_minute"]
        assert minute["evaluateName"] == "settings.alarm_minute"
        done = c.request("setVariable", variablesReference=settings["variablesReference"],
                         name="alarm_minute", value="42")
        assert done["body"]["value"].startswith("42")
        assert c.request("evaluate", expression="settings.alarm_minute",
                         frameId=1)["body"]["result"].startswith("42")
        c.request("continue", threadId=1)
        while "Alarm 07:42" not in sim.lcd()[1]:  # redrawn at the next second
            assert time.monotonic() < deadline + 20, sim.lcd()
            time.sleep(0.1)
        c.request("disconnect", terminateDebuggee=False)
        c.close()
    finally:
        sim.stop()


def test_break_on_a_line_inside_the_uart_interrupt(debug_firmware):
    sim = start_dap_sim(None, "--serial", "tcp:0", "--fast")
    try:
        c = DapClient(sim.port)
        c.start("attach")
        line = line_of("uart.c", "rx_buf[rx_head] = c;")
        c.request("setBreakpoints", source={"path": str(SRC / "uart.c")},
                  breakpoints=[{"line": line}])
        c.request("configurationDone")
        port = int(sim.lines["serial"].rsplit(":", 1)[1])
        host = socket.create_connection(("127.0.0.1", port), timeout=10)
        host.sendall(b"GET\n")
        c.stopped("breakpoint")
        frames = c.request("stackTrace", threadId=1)["body"]["stackFrames"]
        assert frames[0]["name"] == "uart_isr" and frames[0]["line"] == line
        # the handler interrupted the main loop (or cpu_idle, called from it)
        assert frames[1]["name"].endswith(" [interrupted]")
        assert frames[-1]["name"].split()[0] == "main"
        assert c.request("evaluate", expression="SBUF", frameId=1)["body"]["result"] \
            == "71 'G'"
        received = c.request("evaluate", expression="rx_head", frameId=1)["body"]["result"]
        # stopped: simulated time stands still, the rest of the line waits
        time.sleep(0.3)
        assert c.request("evaluate", expression="rx_head", frameId=1)["body"]["result"] \
            == received
        c.request("setBreakpoints", source={"path": str(SRC / "uart.c")}, breakpoints=[])
        c.request("continue", threadId=1)
        reply = b""
        host.settimeout(10)
        while b"\nOK " not in b"\n" + reply or not reply.endswith(b"\n"):  # (the banner)
            reply += host.recv(100)
        assert b"\nOK 2024-01-01 " in b"\n" + reply
        c.pump(lambda: "OK 2024-01-01" in c.output(), timeout=10)
        assert "OK 2024-01-01" in c.output()  # the output event carries the UART
        host.close()
        c.close()
    finally:
        sim.stop()


def test_a_conditional_breakpoint_stops_only_when_it_holds(dap):
    dap.start("attach")
    line = line_of("clock.c", "if (s == last_sec_raw)")
    bp = dap.request("setBreakpoints", source={"path": str(SRC / "clock.c")},
                     breakpoints=[{"line": line, "condition": "s == 0x05"}])
    assert bp["body"]["breakpoints"][0]["verified"]
    dap.request("configurationDone")
    dap.stopped("breakpoint", timeout=60)
    assert dap.locals()["s"]["value"].startswith("5 ")
    assert int(sim_seconds(dap)) % 60 == 5  # 12:00:05
    dap.request("setBreakpoints", source={"path": str(SRC / "clock.c")},
                breakpoints=[{"line": line, "hitCondition": "3"}])
    dap.request("continue", threadId=1)
    dap.stopped("breakpoint")
    dap.request("setBreakpoints", source={"path": str(SRC / "clock.c")},
                breakpoints=[{"line": line, "logMessage": "poll s={s}"}])
    dap.request("continue", threadId=1)
    dap.pump(lambda: "poll s=" in dap.output(), timeout=10)
    assert "poll s=" in dap.output()


def test_pause_while_the_clock_runs(dap):
    dap.start("attach")
    dap.request("configurationDone")
    time.sleep(0.3)
    dap.request("pause", threadId=1)
    assert dap.stopped()["reason"] == "pause"
    t0 = sim_seconds(dap)
    time.sleep(0.3)
    assert sim_seconds(dap) == t0  # simulated time stands still
    frames = dap.request("stackTrace", threadId=1)["body"]["stackFrames"]
    assert frames and frames[-1]["name"] == "main"
    assert dap.request("threads")["body"]["threads"] == [{"id": 1, "name": "8051"}]
    dap.request("continue", threadId=1)
    time.sleep(0.2)
    dap.request("pause", threadId=1)
    dap.stopped("pause")
    assert sim_seconds(dap) > t0


def test_stop_on_a_timing_violation(dap):
    dap.start("attach")
    filters = dap.request("initialize", check=False)  # (a second initialize: refused)
    assert not filters["success"]
    line = line_of("ds1302.c", "DS1302_CE = 1;")
    dap.request("setBreakpoints", source={"path": str(SRC / "ds1302.c")},
                breakpoints=[{"line": line}])
    dap.request("configurationDone")
    dap.stopped("breakpoint")
    p3 = scope_vars(dap, "SFRs")["P3"]
    sclk = children(dap, p3)["P3.6"]
    assert sclk["value"] == "0"
    dap.request("setVariable", variablesReference=p3["variablesReference"], name="P3.6",
                value="1")  # the firmware will raise CE with SCLK high: a violation
    dap.request("setBreakpoints", source={"path": str(SRC / "ds1302.c")}, breakpoints=[])
    dap.request("setExceptionBreakpoints", filters=["timing"])
    dap.request("continue", threadId=1)
    stop = dap.stopped("exception")
    assert "sclk-high-at-ce" in stop["text"]
    info = dap.request("exceptionInfo", threadId=1)["body"]
    assert info["exceptionId"] == "timing" and "SCLK was high" in info["description"]


def test_disconnect_leaves_the_simulator_running_or_ends_it(sim, dap):
    dap.start("attach")  # attach: the board runs on after the client goes
    dap.request("setFunctionBreakpoints", breakpoints=[{"name": "clock_poll"}])
    dap.request("configurationDone")
    dap.stopped("function breakpoint")
    dap.request("disconnect")
    assert dap.pump(lambda: False, timeout=2) is False and dap.closed
    assert sim.proc.poll() is None
    again = DapClient(sim.port)  # a new client; the breakpoint went with the old one
    again.start("attach")
    dap.close()
    again.request("configurationDone")
    time.sleep(0.3)
    again.request("pause", threadId=1)
    again.stopped("pause")
    again.request("disconnect", terminateDebuggee=True)
    assert sim.proc.wait(timeout=20) == 0
    again.pump(lambda: again.closed, timeout=5)
    assert again.closed
    again.close()


def test_launch_resets_the_mcu_and_stops_on_entry_in_main(sim, dap):
    dap.start("launch", stopOnEntry=True)
    dap.request("configurationDone")
    dap.stopped("entry")
    top = dap.top_frame()
    assert top["name"] == "main" and top["line"] == line_of("main.c", "EA = 0;")
    assert sim_seconds(dap) > 0  # the board's time goes on: the MCU was reset, not the board
    dap.request("terminate")
    dap.wait_event("terminated")
    assert sim.proc.wait(timeout=20) == 0


def test_a_client_that_vanishes_leaves_an_attached_board_running(sim, dap):
    dap.start("attach")
    dap.request("setFunctionBreakpoints", breakpoints=[{"name": "clock_poll"}])
    dap.request("configurationDone")
    dap.stopped("function breakpoint")
    dap.close()  # no disconnect request: the connection just drops
    again = DapClient(sim.port)
    try:
        again.start("attach")
        again.request("configurationDone")
        time.sleep(0.2)
        again.request("pause", threadId=1)
        again.stopped("pause")
    finally:
        again.close()


def test_a_launched_session_whose_client_vanishes_ends_the_simulator(sim, dap):
    dap.start("launch")
    dap.request("configurationDone")
    dap.close()
    assert sim.proc.wait(timeout=20) == 0


def test_a_key_pressed_while_stopped_waits_for_the_program(debug_firmware):
    sim = start_dap_sim(None, "--web", "0")
    c = DapClient(sim.port)
    try:
        c.start("attach")
        c.request("configurationDone")
        deadline = time.monotonic() + 20
        while not sim.lcd()[0].startswith("2024-01-01"):
            assert time.monotonic() < deadline, sim.lcd()
            time.sleep(0.1)
        c.request("pause", threadId=1)
        c.stopped("pause")
        t0 = sim_seconds(c)

        async def tap() -> None:  # MODE, from a page, as a user clicks it
            ws_url = sim.web.replace("http://", "ws://") + "ws"
            async with aiohttp.ClientSession() as session, session.ws_connect(ws_url) as ws:
                await ws.send_str(json.dumps({"type": "key", "key": "MODE",
                                              "action": "tap"}))
                await asyncio.sleep(0.5)
        asyncio.run(tap())
        assert sim.lcd()[0].startswith("2024-01-01")  # nothing happened: time stands still
        assert sim_seconds(c) == t0
        c.request("continue", threadId=1)
        while not sim.lcd()[1].startswith("Alarm"):  # the press, when the program runs on
            assert time.monotonic() < deadline + 20, sim.lcd()
            time.sleep(0.1)
    finally:
        c.close()
        sim.stop()


def test_set_the_pc_and_step_instructions_over_a_call(dap):
    dap.start("attach")
    dap.request("setFunctionBreakpoints", breakpoints=[{"name": "clock_poll"}])
    dap.request("configurationDone")
    dap.stopped()
    dap.request("setFunctionBreakpoints", breakpoints=[])
    pc = int(dap.top_frame()["instructionPointerReference"], 16)
    ins = dap.request("disassemble", memoryReference=f"0x{pc:04X}",
                      instructionCount=3)["body"]["instructions"]
    # the build writes a call to the same 2 KB page as ACALL (README "Call relaxation")
    call = next(i for i in ins if i["instruction"].startswith(("LCALL", "ACALL")))
    regs_ref = dap.request("scopes", frameId=1)["body"]["scopes"][2]["variablesReference"]
    dap.request("variables", variablesReference=regs_ref)
    dap.request("setVariable", variablesReference=regs_ref, name="PC",
                value=call["address"])  # jump to the call (here: the next instruction)
    assert dap.top_frame()["instructionPointerReference"] == call["address"]
    dap.request("next", threadId=1, granularity="instruction")  # over the whole call
    dap.stopped("step")
    after = int(call["address"], 16) + (3 if call["instruction"].startswith("LCALL") else 2)
    assert int(dap.top_frame()["instructionPointerReference"], 16) == after
    dap.request("stepIn", threadId=1, granularity="instruction")
    dap.stopped("step")
    assert int(dap.top_frame()["instructionPointerReference"], 16) != after


def test_a_crash_stops_the_program_instead_of_ending_the_simulator(sim, dap):
    dap.start("attach")
    dap.request("setFunctionBreakpoints", breakpoints=[{"name": "clock_poll"}])
    dap.request("configurationDone")
    dap.stopped()  # (not paused: a CPU in idle mode would wait for an interrupt first)
    dap.request("setFunctionBreakpoints", breakpoints=[])
    code = base64.b64decode(dap.request("readMemory", memoryReference="code:0x0000",
                                        count=0x2000)["body"]["data"])
    bad = code.index(0xA5)  # an operand byte: the one undefined opcode if executed
    regs = dap.request("scopes", frameId=1)["body"]["scopes"][2]["variablesReference"]
    dap.request("variables", variablesReference=regs)
    dap.request("setVariable", variablesReference=regs, name="PC", value=str(bad))
    dap.request("stepIn", threadId=1, granularity="instruction")
    stop = dap.stopped("exception")
    assert f"illegal opcode 0xA5 at 0x{bad:04X}" in stop["text"]
    info = dap.request("exceptionInfo", threadId=1)["body"]
    assert info["exceptionId"] == "crash"
    refused = dap.request("continue", threadId=1, check=False)
    assert not refused["success"] and "crashed" in refused["message"]
    assert sim.proc.poll() is None  # the simulator lives on


# == every other request ======================================================================
def test_scopes_variables_registers_and_sfrs(dap):
    dap.start("attach")
    dap.request("setFunctionBreakpoints", breakpoints=[{"name": "clock_poll"}])
    dap.request("configurationDone")
    dap.stopped()
    names = [s["name"] for s in dap.request("scopes", frameId=1)["body"]["scopes"]]
    assert names == ["Locals", "Globals", "Registers", "SFRs"]
    glob = scope_vars(dap, "Globals")
    now = glob["clock_now"]
    assert now["type"].startswith("struct") and now["memoryReference"].startswith("iram:")
    assert set(children(dap, now)) == {"year", "month", "day", "hour", "minute", "second",
                                       "wday"}
    assert children(dap, now)["year"]["value"].startswith("24 ")
    buf = glob["tx_buf (uart)"]
    size = int(buf["type"].split("[")[1].rstrip("]"))  # UART_TX_SIZE
    assert buf["indexedVariables"] == size and buf["memoryReference"].startswith("xram:")
    page = dap.request("variables", variablesReference=buf["variablesReference"],
                       filter="indexed", start=10, count=5)["body"]["variables"]
    assert [v["name"] for v in page] == ["[10]", "[11]", "[12]", "[13]", "[14]"]
    regs = scope_vars(dap, "Registers")
    assert {"R0", "R7", "A", "B", "PSW", "SP", "DPTR", "PC", "cycles"} <= set(regs)
    assert regs["PC"]["value"] == dap.top_frame()["instructionPointerReference"]
    dap.request("setVariable", variablesReference=dap.request(
        "scopes", frameId=1)["body"]["scopes"][2]["variablesReference"], name="R5",
        value="0x3C")
    assert scope_vars(dap, "Registers")["R5"]["value"] == "0x3C"
    sfrs = scope_vars(dap, "SFRs")
    assert {"P0", "P1", "P2", "P3", "TCON", "SCON", "IE", "TH0"} <= set(sfrs)
    assert set(children(dap, sfrs["IE"])) >= {"EA", "ES", "ET0"}
    assert children(dap, sfrs["IE"])["EA"]["value"] == "1"
    outer = scope_vars(dap, "Locals", frame_id=2)  # app_tick's
    assert isinstance(outer, dict)


def test_evaluate_watch_hover_and_repl(dap):
    dap.start("attach")
    dap.request("setFunctionBreakpoints", breakpoints=[{"name": "clock_poll"}])
    dap.request("configurationDone")
    dap.stopped()
    ev = lambda e, **kw: dap.request("evaluate", expression=e, frameId=1, **kw)  # noqa: E731
    assert ev("clock_now.year + 2000", context="watch")["body"]["result"] == "2024"
    assert ev("settings", context="hover")["body"]["variablesReference"] > 0
    assert ev("&clock_now", context="repl")["body"]["result"].endswith("(idata)")
    assert ev("clock_now.hour", format={"hex": True})["body"]["result"] == "0x0C"
    bad = dap.request("evaluate", expression="no_such_thing", frameId=1, check=False)
    assert not bad["success"] and "no symbol 'no_such_thing'" in bad["message"]
    bad = dap.request("evaluate", expression="1 +", frameId=1, check=False)
    assert not bad["success"]


def test_memory_reads_and_writes_in_iram_xram_and_code(dap):
    dap.start("attach")
    dap.request("setFunctionBreakpoints", breakpoints=[{"name": "clock_poll"}])
    dap.request("configurationDone")
    dap.stopped()
    ref = dap.request("evaluate", expression="clock_now", frameId=1)["body"]["memoryReference"]
    got = dap.request("readMemory", memoryReference=ref, count=7)["body"]
    data = base64.b64decode(got["data"])
    assert data[0] == 24 and data[3] == 12  # year 24, hour 12
    code = dap.request("readMemory", memoryReference="code:0x0000", count=3)["body"]
    assert base64.b64decode(code["data"])[0] == 0x02  # LJMP at the reset vector
    xram = dap.request("readMemory", memoryReference="xram:0x00F0", count=32)["body"]
    assert len(base64.b64decode(xram["data"])) == 16 and xram["unreadableBytes"] == 16
    dap.request("writeMemory", memoryReference=ref, offset=4,
                data=base64.b64encode(bytes([33])).decode())
    assert dap.request("evaluate", expression="clock_now.minute",
                       frameId=1)["body"]["result"].startswith("33")
    bad = dap.request("writeMemory", memoryReference="code:0x0000",
                      data=base64.b64encode(b"\0").decode(), check=False)
    assert not bad["success"] and "read-only" in bad["message"]
    bad = dap.request("readMemory", memoryReference="eeprom:0", count=1, check=False)
    assert not bad["success"]


def test_disassemble_and_instruction_breakpoints(dap):
    dap.start("attach")
    dap.request("setFunctionBreakpoints", breakpoints=[{"name": "clock_poll"}])
    dap.request("configurationDone")
    dap.stopped()
    pc = dap.top_frame()["instructionPointerReference"]
    ins = dap.request("disassemble", memoryReference=pc, instructionOffset=-4,
                      instructionCount=10, resolveSymbols=True)["body"]["instructions"]
    assert ins[4]["address"] == pc and ins[4]["symbol"] == "clock_poll"
    assert ins[4]["location"]["path"] == str(SRC / "clock.c")
    # the build writes a call to the same 2 KB page as ACALL (README "Call relaxation")
    call = next(i for i in ins[4:] if i["instruction"].startswith(("LCALL", "ACALL")))
    assert call["instruction"].endswith("<ds1302_read>")
    target = int(call["address"], 16) + (3 if call["instruction"].startswith("LCALL") else 2)
    dap.request("setFunctionBreakpoints", breakpoints=[])
    bps = dap.request("setInstructionBreakpoints",
                      breakpoints=[{"instructionReference": f"0x{target:04X}"}])
    assert bps["body"]["breakpoints"][0]["verified"]
    dap.request("continue", threadId=1)
    assert dap.stopped()["reason"] == "instruction breakpoint"
    assert int(dap.top_frame()["instructionPointerReference"], 16) == target


def test_sources_breakpoint_locations_and_unknown_lines(dap):
    dap.start("attach")
    sources = dap.request("loadedSources")["body"]["sources"]
    assert {s["name"] for s in sources} == {p.name for p in SRC.glob("*.c")}
    blank = line_of("clock.c", "BIT ok;") + 1  # the blank line after clock_poll's locals
    read = line_of("clock.c", "s = ds1302_read(DS1302_SEC_R);")
    check = line_of("clock.c", "if (s == last_sec_raw)")
    assert not (SRC / "clock.c").read_text().splitlines()[blank - 1].strip()
    locs = dap.request("breakpointLocations", source={"path": str(SRC / "clock.c")},
                       line=blank, endLine=check)["body"]["breakpoints"]
    assert {"line": check} in locs and {"line": read} in locs
    assert {"line": blank} not in locs
    bps = dap.request("setBreakpoints", source={"path": str(SRC / "clock.c")},
                      breakpoints=[{"line": blank}, {"line": 100000}])["body"]["breakpoints"]
    assert bps[0]["verified"] and bps[0]["line"] == read  # moved to the next line with code
    assert not bps[1]["verified"] and bps[1]["message"]
    other = dap.request("setBreakpoints", source={"path": "/elsewhere/nothing.c"},
                        breakpoints=[{"line": 1}])["body"]["breakpoints"]
    assert not other[0]["verified"]
    text = dap.request("source", source={"path": str(SRC / "uart.c")})["body"]["content"]
    assert "uart_isr" in text


# == bad input ==================================================================================
def test_out_of_order_requests_get_error_responses(dap):
    r = dap.request("stackTrace", threadId=1, check=False)
    assert not r["success"] and "initialize first" in r["message"]
    dap.request("initialize", adapterID="x")
    r = dap.request("configurationDone", check=False)
    assert not r["success"]
    r = dap.request("next", threadId=1, check=False)
    assert not r["success"]
    dap.request("attach")
    assert not dap.request("attach", check=False)["success"]
    dap.request("configurationDone")
    r = dap.request("stackTrace", threadId=1, check=False)  # running
    assert not r["success"] and "running" in r["message"]
    r = dap.request("next", threadId=1, check=False)
    assert not r["success"] and "running" in r["message"]
    r = dap.request("variables", variablesReference=99, check=False)
    assert not r["success"]
    r = dap.request("pause", threadId=7, check=False)
    assert not r["success"] and "no thread" in r["message"]
    dap.request("pause", threadId=1)
    dap.stopped("pause")
    r = dap.request("scopes", frameId=999, check=False)
    assert not r["success"] and "no frame" in r["message"]
    r = dap.request("noSuchRequest", check=False)
    assert not r["success"] and "unknown request" in r["message"]
    r = dap.request("setBreakpoints", source={"path": 5}, check=False)
    assert not r["success"]
    r = dap.request("setBreakpoints", source={"path": str(SRC / "clock.c")},
                    breakpoints=[{"line": "ten"}], check=False)
    assert not r["success"] and "line" in r["message"]
    r = dap.request("setExceptionBreakpoints", filters=["everything"], check=False)
    assert not r["success"]
    r = dap.request("stepOut", threadId=1, check=False)  # main has no caller? (maybe)
    assert r["success"] or "no caller" in r["message"]
    assert dap.request("threads")["success"]  # still serving


def test_malformed_messages_get_error_responses_and_the_server_lives_on(dap):
    dap.send_raw(b"Content-Length: 5\r\n\r\nhello")
    dap.send_raw(b"Content-Length: 2\r\n\r\n[]")
    dap.send_raw(b"Garbage-Header\r\n\r\n")
    dap.send_raw(b'Content-Length: 28\r\n\r\n{"type":"request","seq":"x"}')
    dap.send({"type": "request", "seq": 40, "command": "initialize", "arguments": 3})
    dap.send({"type": "event", "seq": 41, "event": "whatever"})
    errors = []
    dap.pump(lambda: len(dap.responses) + len(dap.orphans) >= 6, timeout=10)
    for resp in [*dap.responses.values(), *dap.orphans]:
        assert resp["success"] is False and resp["message"]
        errors.append(resp["message"])
    assert len(errors) == 6, errors
    assert any("not JSON" in e for e in errors) and any("colon" in e for e in errors)
    assert any("not a JSON object" in e for e in errors)
    dap.responses.clear()
    caps = dap.start("attach")  # the session still works
    assert caps["supportsConfigurationDoneRequest"]


def test_an_absurd_message_length_closes_only_that_connection(sim, dap):
    dap.send_raw(b"Content-Length: 999999999\r\n\r\n")
    dap.pump(lambda: dap.closed, timeout=10)
    assert dap.closed
    fresh = DapClient(sim.port)
    try:
        fresh.start("attach")
    finally:
        fresh.close()


def test_a_second_client_is_refused_while_one_is_attached(sim, dap):
    dap.start("attach")
    other = DapClient(sim.port)
    try:
        other.pump(lambda: other.closed, timeout=10)
        assert other.closed and "another debugger" in other.output("important")
    finally:
        other.close()
    assert dap.request("threads")["success"]
