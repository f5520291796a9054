"""No input from the other end keeps clock51 past its timeout; port URL errors are ours.

A peer that keeps sending (``clock51 READY`` banners, junk lines, bytes without a line end)
must not extend any wait for a reply: each wait ends ``--timeout`` after it started. Checked
twice: with a fake port and fake time (exact), and with a real TCP peer streaming forever
from a thread (a bound on the wall time, with a margin for a loaded machine).
"""

from __future__ import annotations

import socket
import threading
import time
from collections.abc import Iterator

import pytest

from host import cli
from host.client import Clock
from host.errors import NoAnswer
from host.transport import POLL, SerialTransport
from tests.host.fakeclock import FakeTime

MARGIN = 0.5  # seconds of slack for a busy machine (2 cores shared by many test runs)


# ------------------------------------------------------------ fake port, exact time


class ChatteringPort:
    """A port whose other end sends ``line`` every ``period`` seconds, forever, and never
    answers. Taking a line costs the host ``cost`` seconds (more than ``period``), so a
    backlog builds up and a line is always waiting, as with a real peer that talks faster
    than the host reads. Reading advances the fake time; past ``limit`` it fails the test
    instead of looping on (the hang this file is about)."""

    name = "fake://chatter"
    baudrate = 9600

    def __init__(self, time: FakeTime, line: bytes, period: float = 0.01,
                 cost: float = 0.015, limit: float = 10.0) -> None:
        self.time = time
        self.line = line
        self.period = period
        self.cost = cost
        self.next_at = time.mono() + period
        self.limit = time.mono() + limit
        self.reads = 0

    def write(self, data: bytes) -> None:
        pass

    def flush(self) -> None:
        pass

    def read_line(self, timeout: float) -> bytes | None:
        assert self.time.mono() < self.limit, "still reading the peer's lines 10 s later"
        deadline = self.time.mono() + timeout
        if self.next_at > deadline:
            self.time.advance_to(deadline)
            return None
        self.time.advance_to(self.next_at)
        self.next_at += self.period
        self.reads += 1
        self.time.advance(self.cost)
        return self.line

    def reset_input(self) -> None:
        self.next_at = max(self.next_at, self.time.mono())

    def close(self) -> None:
        pass


@pytest.mark.parametrize("line", [b"clock51 READY\r", b"junk that is no reply\r",
                                  b"OK PONG\r"])
@pytest.mark.parametrize("retries", [0, 1])
def test_a_chattering_peer_ends_each_wait_at_its_deadline(line: bytes, retries: int) -> None:
    time_ = FakeTime()
    port = ChatteringPort(time_, line)
    clock = Clock(port, timeout=0.3, retries=retries, time_source=time_)
    start = time_.mono()
    with pytest.raises(NoAnswer, match="other line"):
        clock.get_time()
    waits = retries + 1  # one line reset (CAN LF) per attempt, each given up at its deadline
    assert time_.mono() - start == pytest.approx(waits * 0.3, abs=0.02)
    assert port.reads >= 15  # the peer really kept talking


def test_banners_before_a_real_reply_are_still_skipped() -> None:
    time_ = FakeTime()
    clock = Clock(ChatteringPort(time_, b"clock51 READY\r"), timeout=0.3, time_source=time_)
    with pytest.raises(NoAnswer) as caught:
        clock.cancel_line()
    assert "within 0.3 s" in str(caught.value)


# ------------------------------------------------------------ a real TCP peer, streaming


class Streamer:
    """A TCP server on 127.0.0.1 that sends ``payload`` over and over to whoever connects,
    until stopped (and at most 20 s)."""

    def __init__(self, payload: bytes) -> None:
        self.payload = payload * max(1, 4096 // len(payload))
        self.server = socket.create_server(("127.0.0.1", 0))
        self.server.settimeout(0.05)
        self.port = self.server.getsockname()[1]
        self.stop = threading.Event()
        self.sent = 0
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
                while time.monotonic() < deadline and not self.stop.is_set():
                    try:
                        self.sent += conn.send(self.payload)
                    except TimeoutError:
                        continue
                    except OSError:
                        break

    def close(self) -> None:
        self.stop.set()
        self.thread.join(timeout=5.0)
        self.server.close()


@pytest.fixture(params=[b"clock51 READY\r\n", b"ERR\r\nOK\r\nnoise noise\r\n", b"x"],
                ids=["banners", "junk lines", "no line end"])
def streamer(request: pytest.FixtureRequest) -> Iterator[Streamer]:
    server = Streamer(request.param)
    yield server
    server.close()


def test_read_line_returns_by_its_deadline_while_bytes_keep_coming(streamer: Streamer) -> None:
    port = SerialTransport.open(f"socket://127.0.0.1:{streamer.port}")
    try:
        start = time.monotonic()
        while time.monotonic() - start < 0.3:
            port.read_line(max(0.0, 0.3 - (time.monotonic() - start)))
        assert time.monotonic() - start < 0.3 + POLL + MARGIN
    finally:
        port.close()
    assert streamer.sent > 0


def test_open_and_input_reset_return_while_the_peer_streams(streamer: Streamer) -> None:
    start = time.monotonic()
    port = SerialTransport.open(f"socket://127.0.0.1:{streamer.port}")
    try:
        for _ in range(5):
            port.reset_input()
        assert time.monotonic() - start < MARGIN
    finally:
        port.close()


def test_clock51_gives_up_within_its_timeout_against_a_streaming_peer(
        streamer: Streamer, capsys: pytest.CaptureFixture[str]) -> None:
    timeout = 0.4
    start = time.monotonic()
    code = cli.main(["--port", f"socket://127.0.0.1:{streamer.port}", "--timeout",
                     str(timeout), "get"])
    elapsed = time.monotonic() - start
    out, err = capsys.readouterr()
    assert (code, out) == (1, "")
    assert err.startswith("clock51: error: ") and err.count("\n") == 1, err
    # the query and its one retry: two waits of --timeout, each ended at its deadline, and
    # pyserial's socket close (it sleeps 0.3 s "in case of quick reconnects")
    assert elapsed < 2 * (timeout + POLL) + 0.3 + MARGIN, f"{elapsed:.2f} s"
    assert streamer.sent > 0


# ------------------------------------------------------------ port URLs: our one-line errors

BAD_URLS = [
    ("socket://127.0.0.1:99999", 2, "the port must be a number 1-65535"),
    ("socket://127.0.0.1:abc", 2, "the port must be a number 1-65535"),
    ("socket://127.0.0.1:0", 2, "the port must be a number 1-65535"),
    ("socket://127.0.0.1", 2, "the port must be a number 1-65535"),
    ("socket://", 2, "no host"),
    ("socket://:5", 2, "no host"),
    ("socket://[::1:5", 2, "Invalid IPv6 URL"),
    ("socket://127.0.0.1:5/extra", 2, "unexpected text after the port"),
    ("socket://127.0.0.1:5?bogus=1", 2, "unknown option 'bogus'"),
    ("socket://127.0.0.1:5?logging=loud", 2, "logging must be one of"),
    ("rfc2217://127.0.0.1:70000", 2, "the port must be a number 1-65535"),
    ("nope://somewhere", 1, "no such port type 'nope'"),
    ("loop://?x=1", 2, "malformed URL"),
    ("socket://clock51-no-such-host.invalid:7777", 1, "unknown host"),
    ("/dev/clock51-no-such-port", 1, "no such port"),
]


@pytest.mark.parametrize(("url", "code", "words"), BAD_URLS, ids=[u for u, _, _ in BAD_URLS])
def test_a_bad_port_url_is_one_line_of_ours(url: str, code: int, words: str,
                                            capsys: pytest.CaptureFixture[str]) -> None:
    assert cli.main(["--port", url, "get"]) == code
    out, err = capsys.readouterr()
    assert out == "" and err.count("\n") == 1, err
    assert err.startswith("clock51: error: ") and words in err, err
    for internal in ("debug|info", "'<='", "NoneType", "KeyError", "Could not open port"):
        assert internal not in err, err


def test_an_unreachable_peer_is_a_port_error(capsys: pytest.CaptureFixture[str]) -> None:
    with socket.create_server(("127.0.0.1", 0)) as probe:
        free = probe.getsockname()[1]  # closed again below: nobody listens there
    assert cli.main(["--port", f"socket://127.0.0.1:{free}", "get"]) == 1
    err = capsys.readouterr().err
    assert "connection refused" in err and err.count("\n") == 1, err
