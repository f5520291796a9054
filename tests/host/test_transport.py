"""host.transport: pyserial ports and URLs, line reading, one clear error per open failure;
and the whole tool over socket:// against a loopback TCP server running the stand-in device.
"""

from __future__ import annotations

import errno
import os
import socket
import threading
import time
from collections.abc import Iterator

import pytest
import serial

from host import cli
from host import protocol as p
from host.client import Clock
from host.errors import PortError
from host.transport import MAX_REPLY, SerialTransport
from tests.host.fakeclock import FakeDevice

# ------------------------------------------------------------ loop://


@pytest.fixture
def loop() -> Iterator[SerialTransport]:
    port = SerialTransport.open("loop://", 9600)
    yield port
    port.close()


def test_loop_url_reads_back_whole_lines_without_the_lf(loop: SerialTransport) -> None:
    loop.write(b"OK PONG*32\r\nclock51 READY\r\n")
    assert loop.read_line(0.5) == b"OK PONG*32\r"
    assert loop.read_line(0.5) == b"clock51 READY\r"
    assert (loop.name, loop.baudrate) == ("loop://", 9600)


def test_partial_line_is_kept_until_its_end_arrives(loop: SerialTransport) -> None:
    loop.write(b"OK PO")
    assert loop.read_line(0.02) is None
    loop.write(b"NG*32\r\n")
    assert loop.read_line(0.5) == b"OK PONG*32\r"


def test_reset_input_drops_unread_bytes(loop: SerialTransport) -> None:
    loop.write(b"stale\r\npart")
    loop.read_line(0.0)
    loop.reset_input()
    loop.write(b"fresh\n")
    assert loop.read_line(0.5) == b"fresh"


def test_endless_garbage_is_handed_over_in_bounded_pieces(loop: SerialTransport) -> None:
    loop.write(b"x" * (MAX_REPLY + 10))
    assert loop.read_line(0.5) == b"x" * MAX_REPLY


# ------------------------------------------------------------ open failures


def test_no_such_port() -> None:
    with pytest.raises(PortError, match="no such port"):
        SerialTransport.open("/dev/clock51-no-such-port")


def test_port_busy_when_another_program_holds_it() -> None:
    master, slave = os.openpty()
    try:
        first = SerialTransport.open(os.ttyname(slave))
        try:
            with pytest.raises(PortError, match="busy"):
                SerialTransport.open(os.ttyname(slave))
        finally:
            first.close()
    finally:
        os.close(master)
        os.close(slave)


@pytest.mark.parametrize(("exc", "words"), [
    (serial.SerialException(errno.EACCES, "could not open port /dev/ttyS9: denied"),
     "permission denied"),
    (serial.SerialException(errno.EBUSY, "could not open port /dev/ttyS9: busy"), "port busy"),
    (serial.SerialException(errno.ENOENT, "could not open port /dev/ttyS9"), "no such port"),
    (ValueError("invalid URL, protocol 'nope' not known"), "not known"),
    (serial.SerialException("Could not open port socket://x: [Errno 111] Connection refused"),
     "connection refused"),
])
def test_open_failures_become_one_clear_port_error(monkeypatch: pytest.MonkeyPatch,
                                                   exc: Exception, words: str) -> None:
    def fail(*args: object, **kwargs: object) -> None:
        raise exc

    monkeypatch.setattr(serial, "serial_for_url", fail)
    with pytest.raises(PortError, match=words) as caught:
        SerialTransport.open("/dev/ttyS9")
    assert str(caught.value).startswith("cannot open /dev/ttyS9: ")


# ------------------------------------------------------------ socket:// end to end


class RealTime:
    def wall(self) -> float:
        return time.time()

    def mono(self) -> float:
        return time.perf_counter()

    def sleep_until(self, deadline: float) -> None:  # pragma: no cover - not used here
        raise AssertionError("no sleeping in this test")


class LoopbackClock:
    """A TCP server on 127.0.0.1 that answers with the stand-in device (bounded lifetime)."""

    def __init__(self) -> None:
        self.device = FakeDevice(RealTime())  # type: ignore[arg-type]
        self.server = socket.create_server(("127.0.0.1", 0))
        self.server.settimeout(0.05)
        self.port = self.server.getsockname()[1]
        self.stop = threading.Event()
        self.thread = threading.Thread(target=self.serve, daemon=True)
        self.thread.start()

    def serve(self) -> None:
        deadline = time.monotonic() + 20.0
        while time.monotonic() < deadline and not self.stop.is_set():
            try:
                conn, _ = self.server.accept()
            except TimeoutError:
                continue
            except OSError:
                return
            with conn:
                conn.settimeout(0.05)
                conn.sendall(b"clock51 READY\r\n")
                while time.monotonic() < deadline and not self.stop.is_set():
                    try:
                        data = conn.recv(256)
                    except TimeoutError:
                        continue
                    except OSError:
                        break
                    if not data:
                        break
                    for byte in data:
                        reply = self.device.receive(byte, time.perf_counter())
                        if reply:
                            conn.sendall(reply)

    def close(self) -> None:
        self.stop.set()
        self.thread.join(timeout=5.0)
        self.server.close()


@pytest.fixture
def loopback() -> Iterator[LoopbackClock]:
    server = LoopbackClock()
    yield server
    server.close()


def test_client_over_socket_url(loopback: LoopbackClock) -> None:
    with Clock.open(f"socket://127.0.0.1:{loopback.port}", timeout=2.0) as clock:
        assert 0 < clock.ping() < 1.0
        assert clock.get_time().weekday_consistent
        assert clock.set_alarm(6, 30) == p.Alarm(6, 30, True)
        assert clock.info().firmware == "clock51"
    assert loopback.device.alarm == (6, 30, True)


def test_cli_over_socket_url(loopback: LoopbackClock, capsys: pytest.CaptureFixture[str]) -> None:
    code = cli.main(["--port", f"socket://127.0.0.1:{loopback.port}", "--timeout", "2",
                     "hours", "12"])
    assert (code, capsys.readouterr()) == (0, ("12\n", ""))
    assert loopback.device.hours == 12
