"""The browser view's HTTP and websocket server (aiohttp), in a thread of its own.

Routes: ``/`` the page, ``/static/*`` its script and style (package data, nothing from
elsewhere), ``/ws`` the websocket, ``/api/state`` the latest snapshot as JSON, and the
downloads ``/download/lcd.png``, ``/download/session.vcd``, ``/download/rtc-state.json``
(each made by the simulation thread at the instant it is asked for).

Every page gets ``hello`` (board, keys, LCD look, DS18B20 or not), then the latest ``state``
whenever a new one is published and the console ``serial`` lines it has not seen. A page
that reads slowly only ever gets the newest state (older ones are skipped, never queued), so
neither a slow nor a closed page can hold the board up. Each message a page sends is checked
(``protocol.parse_message``); a bad one is answered with ``{"type": "error"}`` and dropped.
A frame over ``MAX_FRAME`` bytes is not even read: the socket is closed with code 1009
(message too big). Keys a page still holds when it goes away are released.

A websocket whose ``Origin`` names another site than the page's is refused (403), and so is,
on a loopback address, any request whose ``Host`` is not a loopback name: a web page
elsewhere cannot drive or read the board through the user's browser.
"""

from __future__ import annotations

import asyncio
import itertools
import json
import os
import queue
import threading
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from aiohttp import WSCloseCode, WSMsgType, web

from sim.errors import ConfigError
from sim.frontends.web.protocol import Command, MessageError, parse_message
from sim.frontends.web.session import Job, Mailbox, Request, state_json

STATIC = Path(__file__).resolve().parent / "static"
MAX_FRAME = 1024 * 1024  # bytes of one websocket frame; larger ones close the socket
HISTORY = 2000  # console lines kept for pages that connect later
OUTBOX = 200  # answers waiting for a page that does not read; older ones are dropped
DOWNLOAD_TIMEOUT_S = 10.0
CLOSE_S = 2.0  # at the end, pages get this long to answer the websocket's close
DOWNLOADS = {
    "lcd.png": ("png", "image/png"),
    "session.vcd": ("vcd", "text/plain"),
    "rtc-state.json": ("rtc", "application/json"),
}


@dataclass(eq=False)
class Client:
    id: int
    ws: web.WebSocketResponse
    wake: asyncio.Event = field(default_factory=asyncio.Event)
    outbox: deque[str] = field(default_factory=lambda: deque(maxlen=OUTBOX))
    version: int = 0  # state version last sent
    last_seq: int = 0  # console line last sent
    held: set[str] = field(default_factory=set)

    def send(self, message: dict[str, Any]) -> None:
        self.outbox.append(json.dumps(message))
        self.wake.set()


class WebServer:
    """Serves one board to any number of pages. ``publish`` and ``reply`` may be called
    from any thread; everything else runs in the server's own event loop thread."""

    def __init__(self, hello: dict[str, Any], key_names: list[str]) -> None:
        self.hello = hello
        self.key_names = list(key_names)
        self.commands: Mailbox | None = None  # the WebSession's, set before start
        self.clients: dict[int, Client] = {}
        self._ids = itertools.count(1)
        self._state_text: str | None = None
        self._version = 0
        self._history: deque[dict[str, Any]] = deque(maxlen=HISTORY)
        self._loop: asyncio.AbstractEventLoop | None = None
        self._runner: web.AppRunner | None = None
        self._thread: threading.Thread | None = None
        self.port = 0

    # -- life cycle ------------------------------------------------------------------------
    def start(self, host: str, port: int) -> int:
        """Listen on host:port (0: any free port); the port listened on. ConfigError if the
        address cannot be had."""
        ready = threading.Event()
        failure: list[BaseException] = []

        def main() -> None:
            loop = asyncio.new_event_loop()
            self._loop = loop
            asyncio.set_event_loop(loop)
            try:
                loop.run_until_complete(self._listen(host, port))
            except BaseException as e:  # noqa: BLE001 - reported by start()
                failure.append(e)
                ready.set()
                loop.close()
                return
            ready.set()
            try:
                loop.run_forever()
            finally:
                loop.run_until_complete(self._shutdown())
                loop.close()

        self._thread = threading.Thread(target=main, name="clock51-web", daemon=True)
        self._thread.start()
        ready.wait()
        if failure:
            e = failure[0]
            errno = getattr(e, "errno", None)
            if isinstance(errno, int) and errno > 0:
                why = os.strerror(errno)
            else:
                why = getattr(e, "strerror", None) or str(e)
            raise ConfigError(f"cannot serve the browser view on {host}:{port}: {why}")
        return self.port

    async def _listen(self, host: str, port: int) -> None:
        app = web.Application(client_max_size=64 * 1024,
                              middlewares=[self._host_check(host, port)])
        app.router.add_get("/", self._index)
        app.router.add_get("/ws", self._websocket)
        app.router.add_get("/api/state", self._api_state)
        app.router.add_get("/download/{name}", self._download)
        app.router.add_static("/static/", STATIC, show_index=False, follow_symlinks=False)
        runner = web.AppRunner(app, handle_signals=False, access_log=None,
                               shutdown_timeout=1.0)
        await runner.setup()
        site = web.TCPSite(runner, host, port)
        try:
            await site.start()
        except BaseException:
            await runner.cleanup()
            raise
        self._runner = runner
        self.port = runner.addresses[0][1]

    def _host_check(self, host: str, port: int) -> Any:
        """On a loopback address only requests naming a loopback host are served, so a web
        page elsewhere cannot reach the board by pointing its own name at 127.0.0.1."""
        loopback = host in ("127.0.0.1", "::1", "localhost")

        @web.middleware
        async def check(request: web.Request, handler: Any) -> web.StreamResponse:
            if loopback:
                name = urlsplit(f"//{request.host}").hostname
                if name not in ("127.0.0.1", "::1", "localhost"):
                    raise web.HTTPForbidden(text=f"host {request.host!r} refused")
            return await handler(request)

        return check

    async def _shutdown(self) -> None:
        closing = [c.ws.close(code=WSCloseCode.GOING_AWAY, message=b"the simulation has ended")
                   for c in list(self.clients.values())]
        if closing:
            await asyncio.wait([asyncio.ensure_future(c) for c in closing], timeout=CLOSE_S)
        if self._runner is not None:
            await self._runner.cleanup()

    def close(self) -> None:
        loop, thread = self._loop, self._thread
        if loop is None or thread is None:
            return
        try:
            loop.call_soon_threadsafe(loop.stop)
        except RuntimeError:  # already closed
            pass
        thread.join(5.0)
        self._thread = None

    # -- from the simulation thread --------------------------------------------------------
    def publish(self, state: dict[str, Any], lines: list[dict[str, Any]]) -> None:
        self._call(self._on_publish, state, lines)

    def reply(self, client: int, message: dict[str, Any]) -> None:
        self._call(self._on_reply, client, message)

    def _call(self, fn: Callable[..., None], *args: Any) -> None:
        loop = self._loop
        if loop is None:
            return
        try:
            loop.call_soon_threadsafe(fn, *args)
        except RuntimeError:  # the server has stopped: nobody to tell
            pass

    def _on_publish(self, state: dict[str, Any], lines: list[dict[str, Any]]) -> None:
        self._state_text = state_json(state)
        self._version += 1
        self._history.extend(lines)
        for c in self.clients.values():
            c.wake.set()

    def _on_reply(self, client: int, message: dict[str, Any]) -> None:
        c = self.clients.get(client)
        if c is not None:
            c.send(message)

    # -- HTTP ------------------------------------------------------------------------------
    async def _index(self, request: web.Request) -> web.StreamResponse:
        return web.FileResponse(STATIC / "index.html", headers={"Cache-Control": "no-store"})

    async def _api_state(self, request: web.Request) -> web.Response:
        if self._state_text is None:
            raise web.HTTPServiceUnavailable(text="no state yet")
        return web.Response(text=self._state_text, content_type="application/json")

    async def _download(self, request: web.Request) -> web.Response:
        name = request.match_info["name"]
        if name not in DOWNLOADS or self.commands is None:
            raise web.HTTPNotFound(text=f"no download {name!r}")
        what, mime = DOWNLOADS[name]
        item = Request(what)
        try:
            self.commands.put_nowait(item)
        except queue.Full:
            raise web.HTTPServiceUnavailable(text="the board is busy, try again") from None
        try:
            body = await asyncio.wait_for(asyncio.wrap_future(item.future), DOWNLOAD_TIMEOUT_S)
        except TimeoutError:
            raise web.HTTPServiceUnavailable(text="the simulation did not answer") from None
        except Exception as e:  # noqa: BLE001 - one line for the browser
            raise web.HTTPServiceUnavailable(text=str(e)) from None
        return web.Response(body=body, content_type=mime, headers={
            "Content-Disposition": f'attachment; filename="{name}"',
            "Cache-Control": "no-store"})

    # -- websocket -------------------------------------------------------------------------
    async def _websocket(self, request: web.Request) -> web.StreamResponse:
        origin = request.headers.get("Origin")
        if origin is not None and urlsplit(origin).netloc != request.host:
            raise web.HTTPForbidden(text="websocket from another site refused")
        ws = web.WebSocketResponse(max_msg_size=MAX_FRAME, heartbeat=30.0, timeout=CLOSE_S)
        await ws.prepare(request)
        c = Client(next(self._ids), ws)
        self.clients[c.id] = c
        c.send(self.hello)
        history = list(self._history)[-500:]
        if history:
            c.send({"type": "serial", "lines": history})
        c.last_seq = self._history[-1]["seq"] if self._history else 0
        sender = asyncio.create_task(self._sender(c))
        try:
            async for msg in ws:
                if msg.type == WSMsgType.TEXT:
                    self._received(c, msg.data)
                elif msg.type == WSMsgType.BINARY:
                    self._received(c, msg.data)
                elif msg.type == WSMsgType.ERROR:
                    break
        finally:
            del self.clients[c.id]
            sender.cancel()
            for name in sorted(c.held):  # a closed page lets go of its keys
                self._enqueue(c, Command("key", (name, "up")))
        return ws

    def _received(self, c: Client, data: str | bytes) -> None:
        try:
            cmd = parse_message(data, self.key_names)
        except MessageError as e:
            c.send({"type": "error", "message": str(e)})
            return
        if cmd.kind == "key":
            name, action = cmd.arg
            if action == "down":
                c.held.add(name)
            elif action == "up":
                c.held.discard(name)
        self._enqueue(c, cmd)

    def _enqueue(self, c: Client, cmd: Command) -> None:
        if self.commands is None:
            return
        try:
            self.commands.put_nowait(Job(cmd, c.id))
        except queue.Full:
            c.send({"type": "error", "message": f"{cmd.kind}: the board is busy, dropped"})

    async def _sender(self, c: Client) -> None:
        ws = c.ws
        try:
            while not ws.closed:
                await c.wake.wait()
                c.wake.clear()
                while c.outbox:
                    await ws.send_str(c.outbox.popleft())
                history = self._history
                if history and history[-1]["seq"] > c.last_seq:
                    first = history[0]["seq"]
                    start = max(0, c.last_seq + 1 - first)
                    lines = list(itertools.islice(history, start, None))
                    c.last_seq = lines[-1]["seq"]
                    await ws.send_str(json.dumps({"type": "serial", "lines": lines}))
                if self._state_text is not None and c.version != self._version:
                    c.version = self._version
                    await ws.send_str(self._state_text)
        except (ConnectionError, RuntimeError):
            pass  # the page went away; its handler cleans up
