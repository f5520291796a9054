"""DAP requests turned into calls on the debugger runtime (``sim.debug.runtime``).

Runs in the thread that runs the board. One client at a time. Every request gets exactly
one response; a request that is malformed (not a request, no ``seq``/``command``, arguments
of the wrong type), unknown, or out of order (anything before ``initialize``, a second
``initialize`` or ``launch``, a stack trace while the program runs...) gets
``success: false`` with a one-line ``message``; nothing a client sends stops the server.
Events the debugger raises while a request is handled (the ``stopped`` of a step that ended
at once) go out after that request's response.

Session: ``initialize`` (capabilities; then the ``initialized`` event) -> ``launch`` or
``attach`` -> configuration (breakpoints, exception filters) -> ``configurationDone``.
``launch`` resets the MCU (its reset pin: the program restarts, the LCD, the DS1302 and the
rest keep their state) and holds it until ``configurationDone``; then, with
``stopOnEntry``, it runs to ``main`` and stops there (reason ``entry``). ``attach`` holds
the program where it is until ``configurationDone`` (no stop comes before the client is
configured), then lets it run on (or reports it stopped there, with ``stopOnEntry``).
Launch/attach argument ``onDisconnect``: ``"run"`` (the default for attach) lets the
board run on without breakpoints when the client goes,
``"exit"`` (the default for launch) ends the simulator; ``disconnect``'s
``terminateDebuggee`` overrides it. A client whose connection drops is treated as a
disconnect. ``terminate`` ends the simulator.

References: thread 1 (the 8051); frames 1..N from the innermost, valid while the program
is stopped where they were listed; variables references valid until it runs again;
memory references ``iram:0xAA``, ``xram:0xAAAA``, ``code:0xAAAA``, ``sfr:0x80``; an
instruction pointer reference is a code address (``0x0582``).
"""

from __future__ import annotations

import base64
from collections.abc import Callable
from pathlib import Path
from typing import Any

from sim.debug.cdb import DebugInfo
from sim.debug.runtime import (
    EXCEPTION_FILTERS,
    Breakpoint,
    BreakSpec,
    DebugError,
    Debugger,
    StopEvent,
    Variable,
)
from sim.debug.values import ValueError_
from sim.frontends.dap.protocol import FrameError
from sim.machine.board import Board

__all__ = ["DapAdapter", "THREAD_ID", "CAPABILITIES"]

THREAD_ID = 1
MAX_VARIABLES = 1000  # children listed at once (arrays are paged with start/count)

CAPABILITIES: dict[str, Any] = {
    "supportsConfigurationDoneRequest": True,
    "supportsFunctionBreakpoints": True,
    "supportsConditionalBreakpoints": True,
    "supportsHitConditionalBreakpoints": True,
    "supportsLogPoints": True,
    "supportsEvaluateForHovers": True,
    "supportsSetVariable": True,
    "supportsReadMemoryRequest": True,
    "supportsWriteMemoryRequest": True,
    "supportsDisassembleRequest": True,
    "supportsSteppingGranularity": True,
    "supportsInstructionBreakpoints": True,
    "supportsBreakpointLocationsRequest": True,
    "supportsExceptionInfoRequest": True,
    "supportsTerminateRequest": True,
    "supportTerminateDebuggee": True,
    "supportsLoadedSourcesRequest": True,
    "supportsValueFormattingOptions": True,
    "supportsRestartRequest": False,
    "exceptionBreakpointFilters": [
        {"filter": name, "label": label, "default": False,
         "description": "Stop when a chip model records a timing or protocol violation "
                        "(DS1302, LCD, DS18B20, a bus conflict)"}
        for name, label in EXCEPTION_FILTERS.items()],
}


class RequestError(Exception):
    """A request answered with success: false and this message."""


class DapAdapter:
    """See the module docstring. ``send(client, message)`` hands a message to the socket
    thread; ``end()`` ends the simulator; ``close(client)`` drops a connection."""

    def __init__(self, board: Board, info: DebugInfo, *,
                 send: Callable[[int, dict[str, Any]], None],
                 end: Callable[[], None], close: Callable[[int], None]) -> None:
        self.board = board
        self.info = info
        self._send = send
        self._end = end
        self._close = close
        self.debugger = Debugger(board, info, on_stop=self._on_stop, on_output=self._on_output)
        self.client: int | None = None
        self._seq = 1
        self._reset_session()

    def _reset_session(self) -> None:
        self.state = "new"  # new, initialized, launched, configured
        self.mode = ""  # launch or attach
        self.on_disconnect = "run"
        self.stop_on_entry = False
        self._deferred: list[dict[str, Any]] | None = None
        self._after: Callable[[], None] | None = None  # after the response (disconnect)
        self._handles: dict[int, Callable[[], list[Variable]]] = {}
        self._listed: dict[int, list[Variable]] = {}
        self._next_handle = 1
        self._paths: dict[str, str] = {}  # debug file name -> the path the client uses

    # -- connections ---------------------------------------------------------------------
    def connected(self, client: int) -> bool:
        """A new client; False if another one is being served."""
        if self.client is not None:
            return False
        self.client = client
        self._reset_session()
        return True

    def disconnected(self, client: int) -> None:
        """The client's connection dropped without a disconnect request."""
        if client != self.client:
            return
        self._finish(self.on_disconnect == "exit")

    def _finish(self, terminate: bool) -> None:
        d = self.debugger
        d.clear_all()
        if d.stopped is not None:
            if self.board.chip.state == "app":
                d.resume()
            else:
                d.stopped = None
        self.client = None
        self._reset_session()
        if terminate:
            self._end()

    # -- messages ----------------------------------------------------------------------------
    def _emit(self, message: dict[str, Any]) -> None:
        if self.client is None:
            return
        message["seq"] = self._seq
        self._seq += 1
        self._send(self.client, message)

    def event(self, name: str, body: dict[str, Any] | None = None) -> None:
        msg: dict[str, Any] = {"type": "event", "event": name}
        if body is not None:
            msg["body"] = body
        if self._deferred is not None:
            self._deferred.append(msg)
        else:
            self._emit(msg)

    def _respond(self, request: dict[str, Any], body: Any = None, error: str | None = None
                 ) -> None:
        msg: dict[str, Any] = {"type": "response",
                               "request_seq": request.get("seq", 0)
                               if isinstance(request.get("seq"), int) else 0,
                               "command": request.get("command", "")
                               if isinstance(request.get("command"), str) else "",
                               "success": error is None}
        if error is not None:
            msg["message"] = error
            msg["body"] = {"error": {"id": 1, "format": error, "showUser": False}}
        elif body is not None:
            msg["body"] = body
        self._emit(msg)

    def handle(self, client: int, message: dict[str, Any] | FrameError) -> None:
        """One message from ``client`` (or what could not be read of one)."""
        if client != self.client:
            return
        if isinstance(message, FrameError):
            self._respond({}, error=f"malformed message: {message.message}")
            if message.fatal:
                self._close(client)
            return
        if message.get("type") != "request":
            if message.get("type") == "response":
                return  # an answer to a reverse request: we send none
            self._respond(message, error="expected a request (type: \"request\")")
            return
        seq, command = message.get("seq"), message.get("command")
        if not isinstance(seq, int) or isinstance(seq, bool) or not isinstance(command, str):
            self._respond(message, error="a request needs an integer seq and a command")
            return
        args = message.get("arguments", {})
        if args is None:
            args = {}
        if not isinstance(args, dict):
            self._respond(message, error=f"{command}: arguments must be an object")
            return
        handler = getattr(self, "_r_" + command, None) if command.isidentifier() else None
        if handler is None:
            self._respond(message, error=f"unknown request {command!r}")
            return
        self._deferred = []
        try:
            body = handler(args)
        except (RequestError, DebugError, ValueError_) as e:
            self._deferred, pending = None, self._deferred
            self._respond(message, error=f"{command}: {e}")
        except (TypeError, ValueError, KeyError, AttributeError, IndexError) as e:
            self._deferred, pending = None, self._deferred
            self._respond(message, error=f"{command}: bad arguments ({e})")
        else:
            self._deferred, pending = None, self._deferred
            self._respond(message, body)
        for ev in pending:
            self._emit(ev)
        after, self._after = self._after, None
        if after is not None:
            after()

    # -- the debugger's callbacks ------------------------------------------------------------
    def _on_stop(self, ev: StopEvent) -> None:
        self._handles.clear()
        self._listed.clear()
        body: dict[str, Any] = {"reason": ev.reason, "threadId": THREAD_ID,
                                "allThreadsStopped": True}
        if ev.description:
            body["description"] = ev.description
        if ev.text:
            body["text"] = ev.text
        if ev.hit_ids:
            body["hitBreakpointIds"] = ev.hit_ids
        self.event("stopped", body)

    def _on_output(self, text: str) -> None:
        self.event("output", {"category": "stdout", "output": text})

    def after_slice(self, stopped: str | None) -> None:
        self.debugger.after_slice(stopped)

    def status(self) -> str | None:
        """One line for the browser view while the program is stopped."""
        d = self.debugger
        if d.stopped is None or self.client is None:
            return None
        try:
            f = d.frames()[0]
        except DebugError:
            return None
        where = f"{f.name}"
        if f.line is not None:
            where += f" ({f.line.file}:{f.line.line})"
        return f"debugger: stopped at {where}, PC 0x{f.pc:04X}: {d.stopped.reason}" + \
            (f" - {d.stopped.text}" if d.stopped.text else "")

    # -- helpers -----------------------------------------------------------------------------
    def _need(self, *states: str) -> None:
        if self.state not in states:
            if self.state == "new":
                raise RequestError("send initialize first")
            raise RequestError(f"not allowed now (session state: {self.state})")

    def _handle(self, kids: Callable[[], list[Variable]]) -> int:
        h = self._next_handle
        self._next_handle += 1
        self._handles[h] = kids
        return h

    def _var(self, v: Variable, hex_: bool = False) -> dict[str, Any]:
        out: dict[str, Any] = {"name": v.name, "value": v.text, "type": v.type,
                               "variablesReference": 0}
        if v.kids is not None:
            out["variablesReference"] = self._handle(v.kids)
            if v.indexed:
                out["indexedVariables"] = v.indexed
            if v.named:
                out["namedVariables"] = v.named
        if v.memory_reference:
            out["memoryReference"] = v.memory_reference
        if v.evaluate_name:
            out["evaluateName"] = v.evaluate_name
        if not v.writable:
            out["presentationHint"] = {"attributes": ["readOnly"]}
        return out

    def _source(self, file: str | None) -> dict[str, Any] | None:
        if file is None:
            return None
        path = self._paths.get(file) or self.debugger.source_path(file)
        src: dict[str, Any] = {"name": file}
        if path:
            src["path"] = path
        else:
            src["presentationHint"] = "deemphasize"
        return src

    @staticmethod
    def _int(args: dict[str, Any], name: str, default: int | None = None) -> int:
        v = args.get(name, default)
        if not isinstance(v, int) or isinstance(v, bool):
            raise RequestError(f"{name} must be an integer")
        return v

    @staticmethod
    def _text(args: dict[str, Any], name: str) -> str:
        v = args.get(name)
        if not isinstance(v, str):
            raise RequestError(f"{name} must be a string")
        return v

    def _bp_body(self, bp: Breakpoint, path: str | None = None) -> dict[str, Any]:
        out: dict[str, Any] = {"id": bp.id, "verified": bp.verified}
        if bp.message:
            out["message"] = bp.message
        if bp.line:
            out["line"] = bp.line
            src = self._source(bp.file)
            if path is not None:
                src = {"name": Path(path).name, "path": path}
            if src is not None:
                out["source"] = src
        if bp.addresses:
            out["instructionReference"] = f"0x{bp.addresses[0]:04X}"
        return out

    def _specs(self, items: Any, kind: str) -> list[BreakSpec]:
        if items is None:
            return []
        if not isinstance(items, list):
            raise RequestError("breakpoints must be an array")
        specs = []
        for it in items:
            if not isinstance(it, dict):
                raise RequestError("each breakpoint must be an object")
            spec = BreakSpec()
            if kind == "source":
                spec.line = self._int(it, "line")
            elif kind == "function":
                spec.name = self._text(it, "name")
            else:
                ref = self._text(it, "instructionReference")
                try:
                    spec.address = int(ref, 0) + self._int(it, "offset", 0)
                except ValueError:
                    raise RequestError(f"bad instructionReference {ref!r}") from None
            for key, attr in (("condition", "condition"), ("hitCondition", "hit_condition"),
                              ("logMessage", "log_message")):
                v = it.get(key)
                if v is not None and not isinstance(v, str):
                    raise RequestError(f"{key} must be a string")
                setattr(spec, attr, v if v else None)
            specs.append(spec)
        return specs

    # -- session -------------------------------------------------------------------------------
    def _r_initialize(self, args: dict[str, Any]) -> dict[str, Any]:
        if self.state != "new":
            raise RequestError("the session is already initialized")
        if args.get("linesStartAt1", True) is False:
            raise RequestError("only linesStartAt1 is supported")
        self.state = "initialized"
        self.event("initialized")
        return dict(CAPABILITIES)

    def _start(self, args: dict[str, Any], mode: str) -> None:
        self._need("initialized")
        on = args.get("onDisconnect", "exit" if mode == "launch" else "run")
        if on not in ("run", "exit"):
            raise RequestError('onDisconnect must be "run" or "exit"')
        stop = args.get("stopOnEntry", False)
        if not isinstance(stop, bool):
            raise RequestError("stopOnEntry must be true or false")
        self.mode = mode
        self.on_disconnect = on
        self.stop_on_entry = stop
        self.state = "launched"

    def _r_launch(self, args: dict[str, Any]) -> None:
        self._start(args, "launch")
        d = self.debugger
        d.restart()
        if d.stopped is None:
            d.stopped = StopEvent("entry", "reset")  # held until configurationDone
        self.event("output", {"category": "console",
                              "output": "clock51-sim: MCU reset, program restarted\n"})

    def _r_attach(self, args: dict[str, Any]) -> None:
        self._start(args, "attach")
        d = self.debugger
        if d.stopped is None:  # held while the client configures (no stop before it is)
            d.stopped = StopEvent("entry", "attached")

    def _r_configurationDone(self, args: dict[str, Any]) -> None:
        self._need("launched")
        self.state = "configured"
        d = self.debugger
        if self.mode == "launch":
            main = self.info.function("main")
            if self.stop_on_entry and main is not None and main.start is not None:
                d.run_to(main.body_start, "entry")
            elif self.stop_on_entry:
                d.stopped = None
                d.stop_now("entry", "reset")
            else:
                d.resume()
        elif self.stop_on_entry:
            d.stopped = None
            d.stop_now("entry", "attached")
        elif d.stopped is not None and self.board.chip.state == "app":
            d.resume()
        else:
            d.stopped = None

    def _r_disconnect(self, args: dict[str, Any]) -> None:
        term = args.get("terminateDebuggee")
        if term is not None and not isinstance(term, bool):
            raise RequestError("terminateDebuggee must be true or false")
        terminate = term if term is not None else self.on_disconnect == "exit"
        client = self.client

        def done() -> None:  # after the response has gone out
            self._finish(terminate)
            if client is not None:
                self._close(client)
        self._after = done

    def _r_terminate(self, args: dict[str, Any]) -> None:
        self._need("launched", "configured")
        self.event("terminated")
        self._after = self._end

    # -- breakpoints ---------------------------------------------------------------------------
    def _r_setBreakpoints(self, args: dict[str, Any]) -> dict[str, Any]:
        self._need("initialized", "launched", "configured")
        source = args.get("source")
        if not isinstance(source, dict) or not isinstance(source.get("path"), str):
            raise RequestError("source.path is required")
        path = source["path"]
        items = args.get("breakpoints")
        if items is None and isinstance(args.get("lines"), list):
            items = [{"line": n} for n in args["lines"]]
        specs = self._specs(items, "source")
        bps = self.debugger.set_source_breakpoints(path, specs)
        file = self.debugger.file_for(path)
        if file is not None:
            self._paths[file] = path
        return {"breakpoints": [self._bp_body(b, path if b.line else None) for b in bps]}

    def _r_setFunctionBreakpoints(self, args: dict[str, Any]) -> dict[str, Any]:
        self._need("initialized", "launched", "configured")
        bps = self.debugger.set_function_breakpoints(self._specs(args.get("breakpoints"),
                                                                 "function"))
        return {"breakpoints": [self._bp_body(b) for b in bps]}

    def _r_setInstructionBreakpoints(self, args: dict[str, Any]) -> dict[str, Any]:
        self._need("initialized", "launched", "configured")
        bps = self.debugger.set_instruction_breakpoints(
            self._specs(args.get("breakpoints"), "instruction"))
        return {"breakpoints": [self._bp_body(b) for b in bps]}

    def _r_setExceptionBreakpoints(self, args: dict[str, Any]) -> dict[str, Any]:
        self._need("initialized", "launched", "configured")
        filters = args.get("filters", [])
        if not isinstance(filters, list) or not all(isinstance(f, str) for f in filters):
            raise RequestError("filters must be an array of strings")
        self.debugger.set_exception_filters(filters)
        return {"breakpoints": [{"verified": True} for _ in filters]}

    def _r_breakpointLocations(self, args: dict[str, Any]) -> dict[str, Any]:
        self._need("initialized", "launched", "configured")
        source = args.get("source")
        if not isinstance(source, dict) or not isinstance(source.get("path"), str):
            raise RequestError("source.path is required")
        line = self._int(args, "line")
        end = self._int(args, "endLine", line)
        file = self.debugger.file_for(source["path"])
        lines = self.info.lines_with_code(file) if file else []
        return {"breakpoints": [{"line": n} for n in lines if line <= n <= end]}

    def _r_exceptionInfo(self, args: dict[str, Any]) -> dict[str, Any]:
        d = self.debugger
        if d.stopped is None or d.stopped.reason != "exception":
            raise RequestError("the program is not stopped on an exception")
        crash = d.stopped.description == "Program crashed"
        return {"exceptionId": "crash" if crash else "timing", "description": d.stopped.text,
                "breakMode": "always",
                "details": {"message": d.stopped.text,
                            "typeName": "crash" if crash else "timing violation"}}

    # -- running -----------------------------------------------------------------------------
    def _thread(self, args: dict[str, Any]) -> None:
        tid = args.get("threadId", THREAD_ID)
        if tid != THREAD_ID:
            raise RequestError(f"no thread {tid!r} (the 8051 is thread {THREAD_ID})")

    def _r_threads(self, args: dict[str, Any]) -> dict[str, Any]:
        self._need("initialized", "launched", "configured")
        return {"threads": [{"id": THREAD_ID, "name": "8051"}]}

    def _r_continue(self, args: dict[str, Any]) -> dict[str, Any]:
        self._need("configured")
        self._thread(args)
        self._handles.clear()
        self.debugger.resume()
        return {"allThreadsContinued": True}

    def _step(self, args: dict[str, Any], kind: str) -> None:
        self._need("configured")
        self._thread(args)
        gran = args.get("granularity", "line")
        if gran not in ("line", "statement", "instruction"):
            raise RequestError(f"granularity {gran!r} (line, statement or instruction)")
        self._handles.clear()
        self.debugger.step(kind, "instruction" if gran == "instruction" else "line")

    def _r_next(self, args: dict[str, Any]) -> None:
        self._step(args, "over")

    def _r_stepIn(self, args: dict[str, Any]) -> None:
        self._step(args, "into")

    def _r_stepOut(self, args: dict[str, Any]) -> None:
        self._step(args, "out")

    def _r_pause(self, args: dict[str, Any]) -> None:
        self._need("configured", "launched")
        self._thread(args)
        self.debugger.pause()

    # -- inspection ----------------------------------------------------------------------------
    def _r_stackTrace(self, args: dict[str, Any]) -> dict[str, Any]:
        self._need("launched", "configured")
        self._thread(args)
        frames = self.debugger.frames()
        start = self._int(args, "startFrame", 0)
        levels = self._int(args, "levels", 0) or len(frames)
        out = []
        for i, f in enumerate(frames[start:start + levels], start):
            item: dict[str, Any] = {"id": i + 1, "name": f.name, "line": 0, "column": 0,
                                    "instructionPointerReference": f"0x{f.pc:04X}"}
            if f.interrupted:
                item["name"] += " [interrupted]"
            if f.line is not None:
                src = self._source(f.line.file)
                if src is not None:
                    item["source"] = src
                item["line"], item["column"] = f.line.line, 1
            else:
                item["presentationHint"] = "subtle"
            out.append(item)
        return {"stackFrames": out, "totalFrames": len(frames)}

    def _frame(self, args: dict[str, Any], name: str = "frameId", default: int | None = None
               ) -> int:
        fid = self._int(args, name, default)
        frames = self.debugger.frames()
        if not 1 <= fid <= len(frames):
            raise RequestError(f"no frame {fid}")
        return fid - 1

    def _r_scopes(self, args: dict[str, Any]) -> dict[str, Any]:
        self._need("launched", "configured")
        index = self._frame(args)
        out = []
        for sc in self.debugger.scopes(index):
            out.append({"name": sc.name, "presentationHint": sc.hint,
                        "variablesReference": self._handle(sc.variables),
                        "expensive": sc.expensive})
        return {"scopes": out}

    def _r_variables(self, args: dict[str, Any]) -> dict[str, Any]:
        self._need("launched", "configured")
        ref = self._int(args, "variablesReference")
        kids = self._handles.get(ref)
        if kids is None:
            raise RequestError(f"no variables reference {ref} (the program ran since?)")
        if self.debugger.stopped is None:
            raise RequestError("the program is running")
        hex_ = bool((args.get("format") or {}).get("hex")) if isinstance(args.get("format"),
                                                                        dict) else False
        items = self._listed.get(ref)
        if items is None:
            items = kids()
            self._listed[ref] = items
        flt = args.get("filter")
        start = self._int(args, "start", 0)
        count = self._int(args, "count", 0) or MAX_VARIABLES
        chosen = items
        if flt == "indexed":
            chosen = [v for v in items if v.name.startswith("[")]
        elif flt == "named":
            chosen = [v for v in items if not v.name.startswith("[")]
        chosen = chosen[start:start + min(count, MAX_VARIABLES)]
        if hex_:
            chosen = [self._rehex(v) for v in chosen]
        return {"variables": [self._var(v) for v in chosen]}

    def _rehex(self, v: Variable) -> Variable:
        if v.value is None:
            return v
        return self.debugger.variable(v.name, v.value, v.evaluate_name, hex_=True)

    def _r_setVariable(self, args: dict[str, Any]) -> dict[str, Any]:
        self._need("configured")
        ref = self._int(args, "variablesReference")
        name = self._text(args, "name")
        value = self._text(args, "value")
        items = self._listed.get(ref)
        if items is None:
            kids = self._handles.get(ref)
            if kids is None:
                raise RequestError(f"no variables reference {ref}")
            items = self._listed[ref] = kids()
        found = [v for v in items if v.name == name]
        if not found:
            raise RequestError(f"no variable {name!r} there")
        var = found[0]
        d = self.debugger
        if var.name == "PC" and var.value is None:
            d.assign_pc(value)
            text = f"0x{self.board.cpu.pc:04X}"
            self._listed.clear()
            self.event("invalidated", {"areas": ["stacks", "variables"]})
            return {"value": text}
        if var.value is None or not var.writable:
            raise RequestError(f"{name} cannot be changed")
        d.assign(var.value, value)
        self._listed.clear()
        new = d.variable(var.name, var.value, var.evaluate_name)
        return {"value": new.text, "type": new.type,
                "variablesReference": self._handle(new.kids) if new.kids else 0}

    def _r_evaluate(self, args: dict[str, Any]) -> dict[str, Any]:
        self._need("launched", "configured")
        text = self._text(args, "expression")
        d = self.debugger
        index = 0
        if args.get("frameId") is not None:
            index = self._frame(args)
        if d.stopped is None:
            raise RequestError("the program is running (watches are evaluated when it stops)")
        fmt = args.get("format")
        hex_ = isinstance(fmt, dict) and bool(fmt.get("hex"))
        value = d.evaluate(text, index)
        var = d.variable(text, value, text, hex_=hex_)
        body: dict[str, Any] = {"result": var.text, "type": var.type,
                                "variablesReference": self._handle(var.kids) if var.kids else 0}
        if var.memory_reference:
            body["memoryReference"] = var.memory_reference
        if var.indexed:
            body["indexedVariables"] = var.indexed
        if var.named:
            body["namedVariables"] = var.named
        return body

    def _r_readMemory(self, args: dict[str, Any]) -> dict[str, Any]:
        self._need("launched", "configured")
        ref = self._text(args, "memoryReference")
        count = self._int(args, "count")
        if count > 0x10000:
            raise RequestError("count: at most 65536 bytes at once")
        start, data, unreadable = self.debugger.read_memory(ref, self._int(args, "offset", 0),
                                                            count)
        body: dict[str, Any] = {"address": f"0x{start:04X}",
                                "data": base64.b64encode(data).decode()}
        if unreadable:
            body["unreadableBytes"] = unreadable
        return body

    def _r_writeMemory(self, args: dict[str, Any]) -> dict[str, Any]:
        self._need("configured")
        ref = self._text(args, "memoryReference")
        try:
            data = base64.b64decode(self._text(args, "data"), validate=True)
        except ValueError:
            raise RequestError("data is not base64") from None
        n = self.debugger.write_memory(ref, self._int(args, "offset", 0), data)
        self.event("invalidated", {"areas": ["variables"]})
        return {"bytesWritten": n}

    def _r_disassemble(self, args: dict[str, Any]) -> dict[str, Any]:
        self._need("launched", "configured")
        ref = self._text(args, "memoryReference")
        space, addr, _ = self.debugger.parse_reference(ref)
        if space != "code":
            raise RequestError("disassemble needs a code address")
        addr += self._int(args, "offset", 0)
        count = self._int(args, "instructionCount")
        if not 0 <= count <= 10000:
            raise RequestError("instructionCount: 0 to 10000")
        out = []
        for ins in self.debugger.disassemble(addr, self._int(args, "instructionOffset", 0),
                                             count):
            # (VS Code skips an instruction at address -1: the invalid ones)
            item: dict[str, Any] = {"address": f"0x{ins.address:04X}"
                                    if ins.address >= 0 else "-1", "instruction": ins.text}
            if ins.raw:
                item["instructionBytes"] = " ".join(f"{b:02X}" for b in ins.raw)
            if ins.symbol:
                item["symbol"] = ins.symbol
            if ins.file and ins.line:
                src = self._source(ins.file)
                if src is not None:
                    item["location"] = src
                item["line"] = ins.line
            if ins.address < 0 or not ins.raw:
                item["presentationHint"] = "invalid"
            out.append(item)
        return {"instructions": out}

    def _r_loadedSources(self, args: dict[str, Any]) -> dict[str, Any]:
        self._need("initialized", "launched", "configured")
        return {"sources": [s for s in (self._source(f) for f in self.info.files()) if s]}

    def _r_source(self, args: dict[str, Any]) -> dict[str, Any]:
        src = args.get("source")
        path = src.get("path") if isinstance(src, dict) else None
        if not isinstance(path, str):
            raise RequestError("only sources with a path exist here")
        try:
            return {"content": Path(path).read_text(errors="replace")}
        except OSError as e:
            raise RequestError(f"{path}: {e.strerror or e}") from None
