"""UART bridge: frame-time pacing, the in-memory endpoint, TCP (pyserial socket://) and pty."""

from __future__ import annotations

import socket
import time
from collections.abc import Callable, Iterator
from typing import Any

import pytest
import serial

from sim.bus.scheduler import Scheduler
from sim.devices.uart import UartBridge
from sim.frontends.endpoints import MemoryEndpoint, PtyEndpoint, TcpEndpoint

CPS = 921_600
FRAME = 960  # 10 bits at 9600 baud


class FakeCpu:
    def __init__(self, accept: bool = True) -> None:
        self.on_uart_tx: Any = None
        self.accept = accept
        self.received: list[tuple[int, int]] = []

    def uart_rx(self, byte: int, cycle: int) -> bool:
        if self.accept:
            self.received.append((cycle, byte))
        return self.accept


def make(endpoint: Any) -> tuple[Scheduler, FakeCpu, UartBridge]:
    sched, cpu = Scheduler(), FakeCpu()
    bridge = UartBridge(endpoint, sched, baud=9600, cycles_per_second=CPS)
    bridge.attach(cpu)
    return sched, cpu, bridge


def wait_until(condition: Callable[[], bool], poll: Callable[[], None]) -> None:
    """Bounded wait for a real OS socket/pty (loopback: normally instant)."""
    deadline = time.monotonic() + 2.0
    while not condition():
        if time.monotonic() > deadline:
            raise AssertionError("timed out waiting for the host side")
        poll()
        time.sleep(0.002)


def test_frame_time_is_960_cycles_at_9600_baud() -> None:
    _, _, bridge = make(MemoryEndpoint())
    assert bridge.frame_cycles == FRAME


def test_rx_bytes_are_paced_one_frame_apart_as_events() -> None:
    ep = MemoryEndpoint()
    sched, cpu, bridge = make(ep)
    ep.feed(b"ABC")
    bridge.poll(1000)
    assert cpu.received == [] and bridge.pending == 3
    sched.fire_due(1000 + FRAME - 1)
    assert cpu.received == []
    sched.fire_due(10_000)
    assert cpu.received == [(1960, 0x41), (2920, 0x42), (3880, 0x43)]


def test_bytes_arriving_mid_burst_queue_behind_it() -> None:
    ep = MemoryEndpoint()
    sched, cpu, bridge = make(ep)
    bridge.inject(b"A", 0)
    bridge.inject(b"B", 100)
    sched.fire_due(5000)
    assert [c for c, _ in cpu.received] == [FRAME, 2 * FRAME]
    bridge.inject(b"C", 10_000)  # line idle: one frame from now
    sched.fire_due(20_000)
    assert cpu.received[-1] == (10_000 + FRAME, 0x43)


def test_refused_bytes_are_lost_and_listed() -> None:
    ep = MemoryEndpoint()
    sched, cpu, bridge = make(ep)
    cpu.accept = False
    bridge.inject(b"x", 0)
    sched.fire_due(FRAME)
    assert bridge.rx_lost == [(FRAME, ord("x"))]


def test_tx_bytes_go_to_the_endpoint() -> None:
    ep = MemoryEndpoint()
    _, cpu, bridge = make(ep)
    for i, b in enumerate(b"OK\r\n"):
        cpu.on_uart_tx(b, 100 * i)
    assert ep.take_sent() == b"OK\r\n" and ep.sent == bytearray()
    assert bridge.tx_log[0] == (0, ord("O"))


def test_state_round_trip_reschedules_pending_bytes() -> None:
    ep = MemoryEndpoint()
    sched, cpu, bridge = make(ep)
    bridge.inject(b"hello", 0)
    sched.fire_due(FRAME)
    state = bridge.to_state()
    sched2, cpu2, bridge2 = make(MemoryEndpoint())
    bridge2.from_state(state, cycle=FRAME)
    sched2.fire_due(10 * FRAME)
    assert bytes(b for _, b in cpu2.received) == b"ello"


@pytest.fixture
def tcp() -> Iterator[TcpEndpoint]:
    ep = TcpEndpoint(0)
    yield ep
    ep.close()


def test_tcp_endpoint_works_with_pyserial_socket_url(tcp: TcpEndpoint) -> None:
    sched, cpu, bridge = make(tcp)
    clock = [0]

    def poll() -> None:
        clock[0] += FRAME
        bridge.poll(clock[0])
        sched.fire_due(clock[0])

    port = serial.serial_for_url(f"socket://127.0.0.1:{tcp.port}", timeout=2)
    try:
        port.write(b"get\n")
        wait_until(lambda: len(cpu.received) == 4, poll)
        assert bytes(b for _, b in cpu.received) == b"get\n"
        for b in b"ok\n":
            cpu.on_uart_tx(b, clock[0])
        assert port.read(3) == b"ok\n"
    finally:
        port.close()
    wait_until(lambda: not tcp.connected, poll)
    # the next client is accepted after the first one left (a plain socket this time:
    # pyserial's socket close waits 0.3 s)
    with socket.create_connection(("127.0.0.1", tcp.port), timeout=2) as second:
        second.sendall(b"Z")
        wait_until(lambda: cpu.received[-1][1] == ord("Z"), poll)
        assert tcp.clients == 2


def test_tcp_bytes_sent_with_no_client_are_dropped(tcp: TcpEndpoint) -> None:
    tcp.write(b"lost")
    assert tcp.dropped == 4


def test_tcp_endpoint_refuses_non_loopback_addresses() -> None:
    with pytest.raises(ValueError):
        TcpEndpoint(0, host="0.0.0.0")


def test_pty_endpoint_carries_bytes_both_ways() -> None:
    ep = PtyEndpoint()
    sched, cpu, bridge = make(ep)
    clock = [0]

    def poll() -> None:
        clock[0] += FRAME
        bridge.poll(clock[0])
        sched.fire_due(clock[0])

    try:
        assert ep.path.startswith("/dev/")
        port = serial.Serial(ep.path, 9600, timeout=2)
        try:
            port.write(b"\x01\x02\xff")
            wait_until(lambda: len(cpu.received) == 3, poll)
            assert [b for _, b in cpu.received] == [1, 2, 0xFF]
            for b in b"\x00\r\n":  # raw mode: no CR/LF translation
                cpu.on_uart_tx(b, clock[0])
            assert port.read(3) == b"\x00\r\n"
        finally:
            port.close()
    finally:
        bridge.close()
