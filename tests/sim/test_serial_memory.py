"""Memory stays bounded whatever the serial traffic (issue 10, item 10).

The UART logs keep the latest records in compact arrays and count the rest; the host ->
MCU queue, a TCP client that does not read and the live view's unfinished line are capped.
Figures for a whole session: ``python -m sim.measure.serial_memory`` (README).
"""

from __future__ import annotations

import gc
import socket
import tracemalloc
from collections.abc import Callable, Iterator
from typing import Any

import pytest

from sim.bus.scheduler import Scheduler
from sim.devices._bytelog import DEFAULT_KEEP, ByteLog
from sim.devices.uart import UartBridge
from sim.frontends.endpoints import TcpEndpoint
from sim.frontends.live import LiveView


def grown_by(action: Callable[[], None]) -> int:
    """Python memory still held after ``action()``, in bytes."""
    gc.collect()
    tracemalloc.start()
    try:
        before = tracemalloc.get_traced_memory()[0]
        action()
        gc.collect()
        return tracemalloc.get_traced_memory()[0] - before
    finally:
        tracemalloc.stop()


def test_a_byte_log_holds_the_latest_records_and_counts_all() -> None:
    log = ByteLog(keep=100)
    for i in range(1000):
        log.append(10 * i, i & 0xFF)
    assert log.total == len(log) == 1000 and 100 <= log.held < 200
    assert log[-1] == (9990, 999 & 0xFF) and log[999] == log[-1]
    assert log[997:] == log.since(997) and log[997:998] == [(9970, 997 & 0xFF)]
    with pytest.raises(IndexError, match="trimmed"):
        log[0]
    assert log.since(997) == [(9970, 997 & 0xFF), (9980, 998 & 0xFF), (9990, 999 & 0xFF)]
    assert log.data_since(998) == bytes([998 & 0xFF, 999 & 0xFF])
    assert log.since(0)[0] == log[log.first], "what was trimmed is gone, the rest is returned"
    assert log.since(log.total) == []


def test_a_byte_log_reads_like_the_list_it_replaced() -> None:
    log = ByteLog()
    assert log == [] and not log and len(log) == 0
    log.append(5, 0x41)
    log.append(7, 0x42)
    assert log == [(5, 0x41), (7, 0x42)] and log[:1] == [(5, 0x41)] and log[0] == (5, 0x41)
    n = len(log)
    log.append(9, 0x43)
    assert log[n:] == [(9, 0x43)] and log[::2] == [(5, 0x41), (9, 0x43)]
    assert [b for _, b in log] == [0x41, 0x42, 0x43] and max(c for c, _ in log) == 9


class _Cpu:
    on_uart_tx: Any = None

    def uart_rx(self, byte: int, cycle: int) -> bool:
        return True


def test_a_day_of_transmitted_bytes_holds_a_bounded_log() -> None:
    bridge = UartBridge(None, Scheduler())
    bridge.attach(_Cpu())
    n = 60_000

    def send() -> None:
        for i in range(n):
            bridge.on_tx(0x30 + i % 10, 960 * i)

    grown = grown_by(send)
    assert bridge.tx_log.total == n and bridge.tx_log.held < 2 * DEFAULT_KEEP
    assert grown < 2 * DEFAULT_KEEP * 12, f"{grown} bytes held for {n} bytes sent"


def test_received_bytes_hold_a_bounded_log() -> None:
    sched = Scheduler()
    bridge = UartBridge(None, sched)
    bridge.attach(_Cpu())
    n = 50_000

    def receive() -> None:
        for i in range(0, n, 1000):
            bridge.inject(bytes(1000), sched_time := 960 * i)
            sched.fire_due(sched_time + 960 * 1001)

    grown = grown_by(receive)
    assert bridge.rx_log.total == n and grown < 2 * DEFAULT_KEEP * 12


def test_a_host_writing_faster_than_the_line_fills_a_bounded_queue() -> None:
    bridge = UartBridge(None, Scheduler())
    bridge.attach(_Cpu())
    for _ in range(100):
        bridge.inject(bytes(4096), 0)
    assert bridge.pending == UartBridge.MAX_QUEUE
    assert bridge.rx_overflow == 100 * 4096 - UartBridge.MAX_QUEUE


@pytest.fixture
def tcp() -> Iterator[TcpEndpoint]:
    ep = TcpEndpoint(0)
    yield ep
    ep.close()


def test_a_tcp_client_that_never_reads_does_not_grow_memory(tcp: TcpEndpoint) -> None:
    with socket.create_connection(("127.0.0.1", tcp.port)) as client:
        client.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 4096)
        tcp.read_available()  # accepts the client
        chunk = bytes(1024)
        grown = grown_by(lambda: [tcp.write(chunk) for _ in range(20_000)])
        assert tcp.dropped > 0
        assert grown < 2 * TcpEndpoint.MAX_OUT, grown


def test_the_live_view_keeps_a_bounded_unfinished_line() -> None:
    view = LiveView("reference", ["SET", "UP", "DOWN", "MODE"], "serial: test")
    grown = grown_by(lambda: [view.feed_serial("<", b"x" * 1000) for _ in range(2000)])
    assert grown < 10_000, grown
    view.feed_serial("<", b"\r\n")
    assert list(view.serial_log) == ["< " + "x" * 60]
