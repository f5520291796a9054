"""The browser view's websocket and command line, with a plain websocket client (aiohttp).

Bad or hostile messages are answered with an error and never stop the board; a page that goes
away never stops it either; a websocket from another site is refused.
"""

from __future__ import annotations

import asyncio
import json
import socket
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import Any

import aiohttp
import pytest

from sim.frontends.cli import main as sim_main
from tests.web.conftest import WebSim, start_web

TIMEOUT_S = 20.0


async def next_of(ws: aiohttp.ClientWebSocketResponse, kind: str,
                  test: Callable[[dict[str, Any]], bool] = lambda m: True) -> dict[str, Any]:
    """The next message of type ``kind`` that passes ``test`` (others are skipped)."""
    async def wait() -> dict[str, Any]:
        while True:
            msg = await ws.receive()
            if msg.type != aiohttp.WSMsgType.TEXT:
                raise AssertionError(f"the socket ended: {msg.type} {msg.data!r}")
            data = json.loads(msg.data)
            if data["type"] == kind and test(data):
                return data
    return await asyncio.wait_for(wait(), TIMEOUT_S)


def with_socket(web: WebSim, body: Callable[[aiohttp.ClientWebSocketResponse],
                                            Awaitable[None]]) -> None:
    async def main() -> None:
        async with aiohttp.ClientSession() as session, \
                session.ws_connect(web.ws_url, max_msg_size=0) as ws:
            await next_of(ws, "hello")
            await body(ws)
    asyncio.run(main())


BAD = [
    ("garbage{", "not JSON"),
    ("[1, 2]", 'expected a JSON object with a "type"'),
    ('{"type": "launch"}', "unknown message type 'launch'"),
    ('{"type": "key", "key": "FIRE"}', "unknown key 'FIRE' (this board has SET, UP, DOWN, MODE)"),
    ('{"type": "key", "key": "SET", "action": "smash"}', "key action 'smash'"),
    ('{"type": "speed", "value": "11x"}', "speed '11x'"),
    ('{"type": "rtc", "value": "2150-01-01 00:00:00"}', "years 2000-2099"),
    ('{"type": "serial", "line": "caf\\u00e9"}', "only printable ASCII"),
    ('{"type": "temp", "value": 200}', "temp: 200 C is outside the DS18B20's range -55..125 C"),
    ('{"type": "temp", "value": "cold"}', "temp: 'cold' is not a temperature"),
    ("x" * 100_000, "message too long: 100000 characters"),
]


def test_bad_messages_are_answered_and_the_board_keeps_running(web: WebSim) -> None:
    async def body(ws: aiohttp.ClientWebSocketResponse) -> None:
        for text, answer in BAD:
            await ws.send_str(text)
            error = await next_of(ws, "error")
            assert answer in error["message"], (text[:40], error)
        await ws.send_bytes(b"\x00\xff")
        assert "binary" in (await next_of(ws, "error"))["message"]
        before = (await next_of(ws, "state"))["t"]
        await next_of(ws, "state", lambda s: s["t"] > before + 0.3)
        await ws.send_str(json.dumps({"type": "serial", "line": "GET"}))
        await next_of(ws, "serial", lambda m: any(
            x["dir"] == "<" and x["text"].startswith("OK 2026-11-24") for x in m["lines"]))

    with_socket(web, body)


def test_a_huge_frame_closes_that_socket_only(web: WebSim) -> None:
    async def main() -> None:
        async with aiohttp.ClientSession() as session:
            async with session.ws_connect(web.ws_url, max_msg_size=0) as ws:
                await next_of(ws, "state")
                await ws.send_str("x" * (2 * 1024 * 1024))
                msg = await asyncio.wait_for(ws.receive(), TIMEOUT_S)
                while msg.type == aiohttp.WSMsgType.TEXT:
                    msg = await asyncio.wait_for(ws.receive(), TIMEOUT_S)
                assert msg.type in (aiohttp.WSMsgType.CLOSE, aiohttp.WSMsgType.CLOSED)
                assert ws.close_code == aiohttp.WSCloseCode.MESSAGE_TOO_BIG
            async with session.ws_connect(web.ws_url) as ws:
                t = (await next_of(ws, "state"))["t"]
                await next_of(ws, "state", lambda s: s["t"] > t + 0.3)

    asyncio.run(main())


def test_a_closed_page_never_stops_the_board_and_lets_go_of_its_keys(web: WebSim) -> None:
    async def main() -> None:
        async with aiohttp.ClientSession() as session:
            ws = await session.ws_connect(web.ws_url)
            await ws.send_str(json.dumps({"type": "key", "key": "SET", "action": "down"}))
            await next_of(ws, "state", lambda s: s["keys"]["SET"])
            await ws.close()  # the tab goes away with SET still held
            async with session.ws_connect(web.ws_url) as watcher:
                t = (await next_of(watcher, "state"))["t"]
                await next_of(watcher, "state", lambda s: not s["keys"]["SET"])
                await next_of(watcher, "state", lambda s: s["t"] > t + 1.0)

    asyncio.run(main())


def test_a_websocket_from_another_site_is_refused(web: WebSim) -> None:
    async def main() -> None:
        async with aiohttp.ClientSession() as session:
            with pytest.raises(aiohttp.WSServerHandshakeError) as refused:
                await session.ws_connect(web.ws_url, origin="http://elsewhere.example")
            assert refused.value.status == 403
            async with session.ws_connect(web.ws_url, origin=web.url.rstrip("/")) as ws:
                await next_of(ws, "state")

    asyncio.run(main())


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def test_contract_prints_the_url_of_the_port_asked_for(firmware: dict[str, Path]) -> None:
    port = free_port()
    running = start_web(firmware["reference"], port=port)
    try:
        assert running.url == f"http://127.0.0.1:{port}/"
        assert running.port == port
    finally:
        assert running.stop() == 130


def test_web_host_without_web_is_a_usage_error(capsys: pytest.CaptureFixture[str]) -> None:
    assert sim_main(["run", "--web-host", "0.0.0.0", "--for", "1", "--headless"]) == 2
    assert capsys.readouterr().err.strip() == "clock51-sim: error: --web-host needs --web"


def test_a_bad_port_is_a_usage_error(capsys: pytest.CaptureFixture[str]) -> None:
    assert sim_main(["run", "--web", "http"]) == 2  # usage errors return 2, one line
    err = capsys.readouterr().err
    assert "'http': expected a TCP port 0-65535" in err and len(err.splitlines()) == 1


def test_a_port_in_use_is_one_line_and_exit_1(firmware: dict[str, Path],
                                               capsys: pytest.CaptureFixture[str]) -> None:
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen(1)
        port = taken.getsockname()[1]
        code = sim_main(["run", str(firmware["reference"]), "--web", str(port), "--headless"])
    err = capsys.readouterr().err.strip()
    assert code == 1
    assert err.startswith(f"clock51-sim: error: cannot serve the browser view on "
                          f"127.0.0.1:{port}: "), err
    assert len(err.splitlines()) == 1


def test_a_request_naming_another_host_is_refused(web: WebSim) -> None:
    async def main() -> None:
        async with aiohttp.ClientSession() as session:
            async with session.get(web.url, headers={"Host": f"evil.example:{web.port}"}) as r:
                assert r.status == 403
            async with session.get(web.url, headers={"Host": f"localhost:{web.port}"}) as r:
                assert r.status == 200

    asyncio.run(main())


def test_typed_lines_wait_for_the_uart_and_a_flood_is_refused(web: WebSim) -> None:
    async def body(ws: aiohttp.ClientWebSocketResponse) -> None:
        line = json.dumps({"type": "serial", "line": "X" * 200})
        for _ in range(30):  # 6 KB at once: the UART takes about 1 KB a second
            await ws.send_str(line)
        error = await next_of(ws, "error")
        assert "still on their way to the clock: line dropped" in error["message"]
        t = (await next_of(ws, "state"))["t"]
        await next_of(ws, "state", lambda s: s["t"] > t + 0.3)

    with_socket(web, body)


def test_the_temperature_control_sets_the_ds18b20_and_the_lcd_follows(web: WebSim) -> None:
    async def body(ws: aiohttp.ClientWebSocketResponse) -> None:
        first = await next_of(ws, "state")
        assert first["temp"] == {"c": 20.0}  # the reference board's sensor, 20 C by default
        await ws.send_str(json.dumps({"type": "temp", "value": -7.5}))
        info = await next_of(ws, "info")
        assert info["message"] == "DS18B20 at -7.5 C"
        t = (await next_of(ws, "state", lambda s: s["temp"] == {"c": -7.5}))["t"]
        shown = await next_of(ws, "state", lambda s: any("-7.5" in row for row in s["text"]))
        assert shown["t"] - t <= 2.0, (t, shown["t"], shown["text"])
        # a nudge, and a sensor that stops answering: "--.-" on the LCD
        await ws.send_str(json.dumps({"type": "temp", "value": "+"}))
        assert (await next_of(ws, "info"))["message"] == "DS18B20 at -7 C"
        await ws.send_str(json.dumps({"type": "temp", "value": "none"}))
        assert (await next_of(ws, "info"))["message"] == "DS18B20: no sensor"
        await next_of(ws, "state", lambda s: s["temp"] == {"c": None}
                      and any("--.-" in row for row in s["text"]))

    with_socket(web, body)


def test_the_page_gets_the_true_time_beside_the_clock_and_a_set_moves_it(
        firmware: dict[str, Path]) -> None:
    """A crystal 1000 ppm fast in a room at its turnover: the offset is 1 ms per simulated
    second, the true time is the --rtc time plus the simulated time; a SET to another time
    (from the serial console, as a host would) moves the true time with it."""
    import datetime as dt

    from tests.web.conftest import START_RTC

    start = dt.datetime.fromisoformat(START_RTC)
    running = start_web(firmware["reference"], "--crystal", "ppm=1000", "--temp", "25")

    async def body(ws: aiohttp.ClientWebSocketResponse) -> None:
        first = await next_of(ws, "state")
        assert first["crystal_ppm"] == 1000.0 and first["room"] == 25.0
        await ws.send_str(json.dumps({"type": "speed", "value": "max"}))
        late = await next_of(ws, "state", lambda s: s["t"] > 20)
        t = late["t"]
        assert late["offset_ms"] == pytest.approx(t, abs=0.2)  # 1000 ppm x t seconds
        true = dt.datetime.fromisoformat(late["true"])
        assert (true - start).total_seconds() == pytest.approx(t, abs=0.002)
        assert late["rtc"] == f"{start + dt.timedelta(seconds=int(t * 1.001)):%Y-%m-%d %H:%M:%S}"
        await ws.send_str(json.dumps({"type": "serial", "line": "SET 2030-01-02 03:04:05"}))
        moved = await next_of(ws, "state", lambda s: (s["true"] or "").startswith("2030"))
        # counted from the SET on (1 ms per second since), no more from the start
        assert 0 <= moved["offset_ms"] <= moved["t"] - t + 0.2  # not moved["t"] as before

    try:
        with_socket(running, body)
    finally:
        assert running.stop() == 130
