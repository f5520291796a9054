"""The browser view of a running board: ``clock51-sim run --web [PORT]``.

Two threads: the calling thread runs the board (``RealtimeLoop`` with ``WebSession.on_slice``
as its hook, so the board stays single-threaded) and an aiohttp server thread talks to the
pages (``server.WebServer``). Commands cross over through the session's queue; snapshots
through the server's event loop. The page and its assets are package data (``static/``).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from sim.devices.uart import Endpoint
from sim.machine.board import Board

DEFAULT_PORT = 8051
DEFAULT_HOST = "127.0.0.1"


def url_for(host: str, port: int) -> str:
    shown = f"[{host}]" if ":" in host else host
    return f"http://{shown}:{port}/"


def hello(board: Board) -> dict[str, Any]:
    """What a page needs once: the board, its parts (each with its registry view: ``lcd``,
    ``rtc``, ``thermometer``, ``keys``, ``buzzer``, ``lamp``, ``serial``), its keys and
    hotkeys, the LCD's look (None without an LCD), its lamps (the lights of every "lamp"
    part: LEDs ...), whether it has a buzzer, a DS1302 (the day it numbers 1, its crystal:
    None when ideal), a DS18B20, and anything that feels the room's temperature (``room``:
    the temperature control)."""
    from sim.frontends.live import key_map
    from sim.frontends.screenshot import PALETTES, geometry

    p = board.profile
    names = [k.name for k in p.keys]
    hotkeys = {typed: name for typed, name in key_map(names).items() if not typed.isdigit()}
    lcd = board.lcd
    return {"type": "hello", "board": p.name, "keys": names, "hotkeys": hotkeys,
            "parts": [{"type": part.type, "name": part.name, "view": part.spec.view}
                      for part in p.parts],
            "geometry": geometry(3, lcd.columns, lcd.rows) if lcd is not None else None,
            "palette": [list(c) for c in PALETTES["green"]],
            "lamps": list(board.lamps()), "buzzer": board.buzzer is not None,
            "rtc": board.rtc is not None,
            "weekday_one": p.ds1302.weekday_one if p.ds1302 is not None else None,
            "serial": p.uart is not None, "timing": board.timing,
            "cps": board.cps, "thermometer": board.thermo is not None,
            "room": board.feels_temperature,
            "crystal": None if board.rtc is None or board.rtc.crystal is None
            else board.rtc.crystal.describe()}


def serve(board: Board, endpoint: Endpoint | None = None, *, end: int | None = None,
          realtime: bool = True, host: str = DEFAULT_HOST, port: int = DEFAULT_PORT,
          announce: Callable[[str], None] = print,
          each_slice: Callable[[], None] | None = None, dap: Any = None) -> None:
    """Run ``board`` (until ``end``, or until stopped with Ctrl-C) and serve it to browsers.

    ``announce`` gets the line ``web: http://HOST:PORT/`` once the port is listening;
    ``each_slice`` is called between slices of simulated time (``--check``'s printer).
    ``dap``: a ``sim.frontends.dap.DapService`` sharing the loop (its hook runs first, and
    the pages show where the program is stopped).
    """
    from sim.frontends.run import RealtimeLoop
    from sim.frontends.web.server import WebServer
    from sim.frontends.web.session import WebSession

    loop = RealtimeLoop(board, endpoint, end=end, realtime=realtime)
    server = WebServer(hello(board), [k.name for k in board.profile.keys])
    session = WebSession(board, loop, publish=server.publish, reply=server.reply,
                         speed="1x" if realtime else "max")
    server.commands = session.commands

    def session_slice(now: float) -> bool | None:
        if each_slice is not None:
            each_slice()
        return session.on_slice(now)

    on_slice: Callable[[float], bool | None] = session_slice
    if dap is not None:
        dap.share(session)
        on_slice = dap.hook(loop, session_slice)
    try:
        actual = server.start(host, port)
        session.send_frame()  # queued before anyone can connect: no page sees "no state"
        announce(f"web: {url_for(host, actual)}")
        if dap is not None:
            dap.start()
        loop.run(on_slice)
        session.send_frame()
    finally:
        server.close()  # first: nothing is put into the session's mailbox after this
        session.close()
