"""A Debug Adapter Protocol client of our own, for the tests: blocking, one connection.

``request(command, **arguments)`` sends a request and returns its response (a dict; a
failed response raises ``DapFailure`` unless ``check=False``); events are kept in arrival
order and ``wait_event(name, predicate)`` takes the first matching one not yet taken.
"""

from __future__ import annotations

import json
import socket
import time
from collections.abc import Callable
from typing import Any

TIMEOUT_S = 20.0


class DapFailure(AssertionError):
    def __init__(self, response: dict[str, Any]) -> None:
        super().__init__(f"{response.get('command')}: {response.get('message')}")
        self.response = response


class DapClient:
    def __init__(self, port: int, host: str = "127.0.0.1", timeout: float = TIMEOUT_S):
        self.sock = socket.create_connection((host, port), timeout=timeout)
        self.timeout = timeout
        self.seq = 1
        self.buf = b""
        self.events: list[dict[str, Any]] = []
        self.responses: dict[int, dict[str, Any]] = {}
        self.orphans: list[dict[str, Any]] = []  # responses to no request (request_seq 0)
        self.taken: set[int] = set()  # ids of events already waited for
        self.closed = False

    # -- wire --------------------------------------------------------------------------
    def send_raw(self, data: bytes) -> None:
        self.sock.sendall(data)

    def send(self, message: dict[str, Any]) -> int:
        message = dict(message)
        if "seq" not in message:
            message["seq"] = self.seq
            self.seq += 1
        body = json.dumps(message).encode()
        self.send_raw(b"Content-Length: %d\r\n\r\n" % len(body) + body)
        return message["seq"]

    def _read_one(self, deadline: float) -> dict[str, Any] | None:
        while True:
            end = self.buf.find(b"\r\n\r\n")
            if end >= 0:
                head = self.buf[:end].decode()
                length = int(head.split(":", 1)[1])
                if len(self.buf) >= end + 4 + length:
                    body = self.buf[end + 4:end + 4 + length]
                    self.buf = self.buf[end + 4 + length:]
                    return json.loads(body)
            left = deadline - time.monotonic()
            self.sock.settimeout(max(left, 0.0))  # 0: what has arrived, without waiting
            try:
                data = self.sock.recv(65536)
            except (TimeoutError, BlockingIOError):
                return None
            except OSError:
                data = b""
            if not data:
                self.closed = True
                return None
            self.buf += data

    def pump(self, until: Callable[[], bool], timeout: float | None = None) -> bool:
        deadline = time.monotonic() + (self.timeout if timeout is None else timeout)
        while not until():
            msg = self._read_one(deadline)
            if msg is None:
                return until()
            if msg.get("type") == "event":
                self.events.append(msg)
            elif msg.get("type") == "response":
                if msg.get("request_seq", 0) in self.responses or not msg.get("request_seq"):
                    self.orphans.append(msg)
                else:
                    self.responses[msg.get("request_seq", 0)] = msg
        return True

    # -- requests ------------------------------------------------------------------------
    def request(self, command: str, check: bool = True, timeout: float | None = None,
                **arguments: Any) -> dict[str, Any]:
        seq = self.send({"type": "request", "command": command, "arguments": arguments})
        return self.response(seq, check, timeout)

    def response(self, seq: int, check: bool = True, timeout: float | None = None
                 ) -> dict[str, Any]:
        if not self.pump(lambda: seq in self.responses, timeout):
            raise AssertionError(f"no response to request {seq} (closed: {self.closed})")
        resp = self.responses.pop(seq)
        if check and not resp.get("success"):
            raise DapFailure(resp)
        return resp

    def wait_event(self, name: str, predicate: Callable[[dict[str, Any]], bool] | None = None,
                   timeout: float | None = None) -> dict[str, Any]:
        def find() -> dict[str, Any] | None:
            for i, ev in enumerate(self.events):
                if i not in self.taken and ev.get("event") == name and \
                        (predicate is None or predicate(ev)):
                    return ev
            return None
        if not self.pump(lambda: find() is not None, timeout):
            got = [e.get("event") for i, e in enumerate(self.events) if i not in self.taken]
            raise AssertionError(f"no {name!r} event (got {got}; closed: {self.closed})")
        ev = find()
        assert ev is not None
        self.taken.add(self.events.index(ev))
        return ev

    def output(self, category: str = "stdout") -> str:
        self.pump(lambda: False, timeout=0.05)
        return "".join(e["body"]["output"] for e in self.events
                       if e.get("event") == "output" and e["body"].get("category") == category)

    def close(self) -> None:
        try:
            self.sock.close()
        except OSError:
            pass

    # -- conveniences ----------------------------------------------------------------------
    def start(self, command: str = "launch", **arguments: Any) -> dict[str, Any]:
        """initialize + launch/attach; returns the capabilities."""
        caps = self.request("initialize", adapterID="clock51", linesStartAt1=True,
                            columnsStartAt1=True, pathFormat="path")["body"]
        self.wait_event("initialized")
        self.request(command, **arguments)
        return caps

    def stopped(self, reason: str | None = None, timeout: float | None = None
                ) -> dict[str, Any]:
        ev = self.wait_event("stopped", None if reason is None else
                             lambda e: e["body"]["reason"] == reason, timeout)
        return ev["body"]

    def top_frame(self) -> dict[str, Any]:
        return self.request("stackTrace", threadId=1)["body"]["stackFrames"][0]

    def locals(self, frame_id: int | None = None) -> dict[str, dict[str, Any]]:
        fid = frame_id if frame_id is not None else self.top_frame()["id"]
        scopes = self.request("scopes", frameId=fid)["body"]["scopes"]
        ref = next(s for s in scopes if s["name"] == "Locals")["variablesReference"]
        return {v["name"]: v for v in
                self.request("variables", variablesReference=ref)["body"]["variables"]}
