"""The STC89 ISP bootloader (BSL) in the chip's boot ROM, as a behavioural model.

It is not 8051 code: while it runs the CPU does not execute the application; the model
reacts to UART bytes (delivered by the board's UART bridge at the wire's pace) and to its
own scheduler events, and sends its answers byte by byte, each leaving when its frame would
end on the wire at the bootloader's current baud rate.

Protocol facts (stcgal 1.10: stcgal/protocols.py Stc89Protocol / Stc89AProtocol,
stcgal/models.py, doc/reverse-engineering/stc89-protocol.txt, stc89c52rc.txt,
stc89a-c52rc.txt and the recorded replies in tests/stc89c52rc.yml):

- Host frames ``46 B9 6A LENh LENl payload CSUM 16``; MCU frames the same with 68.
  LEN counts from 6A/68 through 16. ``stc89`` (BSL 4.3C): CSUM is the 8-bit sum of the
  bytes from 6A/68 through the payload, LEN = payload + 5, no parity, and the status
  packet is sent without the 46 B9 start. ``stc89a`` (BSL 7.2.5C): CSUM is a 16-bit sum,
  big-endian, LEN = payload + 6, the status packet has its 46 B9, and everything after the
  status packet uses even parity (11-bit frames).
- Sync: the host sends 0x7F every 30 ms until something comes back; the chip answers
  with the status packet at the host's baud rate (the BSL measures the 0x7F bytes).
- stc89 status payload: [0] 00; [1..16] eight 16-bit counters; [17] BSL version 0x43
  (4.3); [18] 'C'; [19] option byte (bit 0 = 1: 12T); [20..21] magic F0 02
  (STC89C52RC/LE52RC); [22] 0x82; zeros up to 54 bytes (the recorded length). stcgal takes
  f = baud x mean(counters) x (12 or 6) / 7, so at 2400 baud and 11.0592 MHz each counter
  is 2688 (0x0A80) and stcgal prints "Target frequency: 11.059 MHz".
- stc89 conversation: 8F BRTh BRTl .. (baud test: echoed at the new rate, then back),
  8E (baud switch: echoed at the new rate, which stays), pings 80 -> 80, erase
  ``84 n 33 33 33 33 33 33`` (n 256-byte pages from 0) -> 80, block write
  ``00 00 00 ADDRh ADDRl 00 80 data[128]`` -> ``80 sum(data)``, options
  ``8D MSR FF FF FF`` -> ``8D MSR FF F6 FF`` (recorded), 82: reset into the program (no
  answer). New baud = f / (32 x (65536 - BRT)) in 12T (16 in 6T): BRT 0xFFFD -> 115200.
- stc89a status payload (recorded, 35 bytes): [0] 50; [1] option byte; [13..14] one
  counter, f = 12 x counter x baud (384 = 0x0180 at 2400 baud: 11.059 MHz); [17] 0x72,
  [18] 'C', [22] low nibble 5: "7.2.5C"; [20..21] magic F0 51 (STC89C52). Conversation:
  ``01 BRTh BRTl IAP`` -> 01 at the old rate, then the new rate (f / 32 / (65536 - BRT));
  ping ``05 00 00 46 B9`` -> 05; erase ``03 00 00 46 B9`` (the whole code flash) ->
  ``03`` + 7-byte chip ID (starting with the magic); blocks ``22 00 00 46 B9 data[128]``
  (the first; 0x32 in the recorded trace) and ``02 ADDRh ADDRl 46 B9 data[128]`` ->
  ``02 54``; options ``04 00 00 46 B9 MSR`` -> ``04 54``; FF: reset into the program.

Choices where the sources are silent (documented in the README too):

- Listening window after power-on: ``LISTEN_S`` = 200 ms (several of stcgal's 30 ms
  pulses); ``SYNC_COUNT`` = 2 consecutive 0x7F start the conversation; a 0x7F seen late in
  the window keeps it open until ``FRAME_GAP_S`` after it. Then the program in flash runs.
- The status packet is sent once per sync; later 0x7F bytes are ignored. (Repeating it
  for more 0x7F looked helpful but breaks stcgal: it consumes stray bytes one per 30 ms
  pulse, so its pulses keep arriving after it has read the status packet, and a repeated
  one would be taken as the answer to its next request.)
- A frame with a bad checksum, a wrong end byte or an impossible length is ignored: no
  answer, nothing written (stcgal's traces record no error reply; the host times out).
  A frame whose bytes stop for more than ``FRAME_GAP_S`` (100 ms) is dropped (truncated).
- The option byte is stored and reported; a 6T setting changes what the status packet
  tells stcgal, not the speed of the simulated CPU. Over TCP the link has no baud rate:
  the model assumes the host handshakes at stcgal's default 2400 baud.
- Timing: answers start ``TURNAROUND_S`` (2 ms) after the frame's last byte; erase takes
  ``ERASE_S`` (300 ms) and a block ``BLOCK_S`` (30 ms), both read off the timestamps of
  stcgal's recorded traces; an answer at a new baud rate starts ``BAUD_SWITCH_S`` (100 ms)
  after the request (stcgal sleeps 100 ms before retuning its port).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Protocol


class Flash(Protocol):
    """What the bootloader needs of the chip's flash (sim.machine.flash.Flash)."""

    size: int
    msr: int

    def erase(self, start: int, length: int) -> None: ...
    def program(self, addr: int, data: bytes) -> bytes: ...
    def finish(self) -> None: ...


class Scheduler(Protocol):
    """The board's event queue (sim.bus.scheduler.Scheduler)."""

    def at(self, cycle: int, action: Callable[[int], None]) -> None: ...


LISTEN_S = 0.2
SYNC_COUNT = 2
FRAME_GAP_S = 0.1
TURNAROUND_S = 0.002
ERASE_S = 0.3
BLOCK_S = 0.03
BAUD_SWITCH_S = 0.1
DEFAULT_HANDSHAKE_BAUD = 2400
MAX_FRAME = 512

STC89_STATUS_LEN = 54
# stc89a status payload bytes whose meaning is unknown: the recorded values are kept.
STC89A_STATUS = bytes.fromhex(
    "50fd841e114d058e96277c0447017f408172430" "0f051058000ffffffff382020021960")
STC89A_CHIP_ID = bytes.fromhex("f051c5f2067c14")


@dataclass(frozen=True)
class Generation:
    name: str
    bsl: str  # as stcgal prints it
    magic: int
    csum_bytes: int  # 1: 8-bit sum; 2: 16-bit
    parity_after_status: bool


GENERATIONS = {
    "stc89": Generation("stc89", "4.3C", 0xF002, 1, False),
    "stc89a": Generation("stc89a", "7.2.5C", 0xF051, 2, True),
}


def frame(payload: bytes, *, host: bool, csum_bytes: int, start: bool = True) -> bytes:
    """One frame as the chip (host=False) or the host sends it."""
    body = bytes([0x6A if host else 0x68]) + (len(payload) + 4 + csum_bytes).to_bytes(2, "big")
    body += payload
    csum = sum(body) & (0xFF if csum_bytes == 1 else 0xFFFF)
    return (b"\x46\xb9" if start else b"") + body + csum.to_bytes(csum_bytes, "big") + b"\x16"


class IspBootloader:
    """The BSL of one chip. The board powers it on, feeds it bytes and hears it exit.

    ``tx(byte, cycle)``: a byte's frame ends on the wire at ``cycle`` (the UART bridge).
    ``set_line(baud, frame_bits)``: the receiver's timing (the bridge paces host bytes).
    ``on_exit(cycle, reason)``: 'timeout' (nobody synced) or 'reset' (the host said so);
    the board then starts the program in flash.
    ``host_baud()``: the host's baud rate if the link knows it (a pty does), else None.
    """

    def __init__(self, scheduler: Scheduler, flash: Flash, *, protocol: str,
                 crystal_hz: int, tx: Callable[[int, int], None],
                 set_line: Callable[[int, int], None],
                 on_exit: Callable[[int, str], None],
                 host_baud: Callable[[], int | None] | None = None) -> None:
        if protocol not in GENERATIONS:
            raise ValueError(f"unknown bootloader protocol {protocol!r}")
        self.gen = GENERATIONS[protocol]
        self.scheduler = scheduler
        self.flash = flash
        self.crystal_hz = crystal_hz
        self.cps = crystal_hz // 12
        self._tx = tx
        self._set_line = set_line
        self._on_exit = on_exit
        self._host_baud = host_baud
        self.state = "off"  # off | listen | synced | session
        self._epoch = 0
        self.log: list[str] = []  # what happened, one line each (tests, --stats)
        self.frames_ignored = 0
        self.blocks_written = 0

    # -- power -----------------------------------------------------------------------------
    @property
    def active(self) -> bool:
        return self.state != "off"

    @property
    def listening(self) -> bool:
        return self.state == "listen"

    def in_frame(self, cycle: int) -> bool:
        """A frame has begun and its bytes are still arriving (no gap of FRAME_GAP_S since
        the last): a byte at ``cycle`` belongs to it (data, whatever its value)."""
        return bool(self._buf) and cycle - self._last_rx <= self._c(FRAME_GAP_S)

    def power_on(self, cycle: int) -> None:
        self._epoch += 1
        self.state = "listen"
        self.handshake_baud = self._measure_baud()
        self._baud = self.handshake_baud
        self._bits = 10
        self._set_line(self._baud, self._bits)
        self._syncs = 0
        self._last_rx = -1
        self._buf = bytearray()
        self._tx_free = cycle
        self._at(cycle + self._c(LISTEN_S), self._window_end)

    def stop(self) -> None:
        """Power lost or the program started: drop everything in flight."""
        self._epoch += 1
        self.state = "off"

    # -- receiving -------------------------------------------------------------------------
    def rx(self, byte: int, cycle: int) -> bool:
        if self.state == "off":
            return False
        gap = self._last_rx >= 0 and cycle - self._last_rx > self._c(FRAME_GAP_S)
        self._last_rx = cycle
        if self.state == "listen":
            self._syncs = self._syncs + 1 if byte == 0x7F else 0
            if self._syncs >= SYNC_COUNT:
                self.state = "synced"
                self.handshake_baud = self._baud = self._measure_baud()
                self.log.append("sync")
                self._send_status(cycle + self._c(TURNAROUND_S))
            return True
        if self._buf and gap:
            self._ignore(f"truncated frame ({len(self._buf)} bytes) dropped")
        if not self._buf and byte != 0x46:
            return True
        self._buf.append(byte)
        buf = self._buf
        head = (0x46, 0xB9, 0x6A)
        if len(buf) <= 3 and buf[-1] != head[len(buf) - 1]:
            self._buf = bytearray(b"\x46") if byte == 0x46 else bytearray()
            return True
        if len(buf) >= 5:
            length = buf[3] << 8 | buf[4]
            if not 5 + self.gen.csum_bytes <= length <= MAX_FRAME:
                self._ignore(f"impossible frame length {length}")
                return True
            if len(buf) == length + 2:
                self._buf = bytearray()
                self._frame(bytes(buf), cycle)
        return True

    def _ignore(self, why: str) -> None:
        self.frames_ignored += 1
        self.log.append(f"ignored: {why}")
        self._buf = bytearray()

    def _frame(self, data: bytes, cycle: int) -> None:
        n = self.gen.csum_bytes
        if data[-1] != 0x16:
            self._ignore("no 16 at the end of the frame")
            return
        want = sum(data[2:-1 - n]) & (0xFF if n == 1 else 0xFFFF)
        if int.from_bytes(data[-1 - n:-1], "big") != want:
            self._ignore("bad checksum")
            return
        payload = data[5:-1 - n]
        if not payload:
            self._ignore("empty frame")
            return
        self.state = "session"
        if self.gen.name == "stc89":
            self._stc89(payload, cycle)
        else:
            self._stc89a(payload, cycle)

    # -- the two generations ---------------------------------------------------------------
    def _stc89(self, p: bytes, cycle: int) -> None:
        cmd = p[0]
        soon = cycle + self._c(TURNAROUND_S)
        if cmd in (0x8F, 0x8E) and len(p) >= 3:
            new = self._brt_baud(p[1] << 8 | p[2], 16 if self._6t else 32)
            old = self._baud
            self._line(new, self._bits)
            end = self._reply(p, cycle + self._c(BAUD_SWITCH_S))
            self.log.append(f"{'baud test' if cmd == 0x8F else 'baud switch'} {new}")
            if cmd == 0x8F:
                self._at(end, lambda c, b=old: self._line(b, self._bits))
        elif cmd == 0x80:
            self._reply(b"\x80", soon)
        elif cmd == 0x84 and len(p) >= 2:
            self.flash.erase(0, p[1] * 256)
            self.log.append(f"erase {p[1] * 256} bytes")
            self._reply(b"\x80", cycle + self._c(ERASE_S))
        elif cmd == 0x00 and len(p) >= 7:
            addr, size = p[3] << 8 | p[4], p[5] << 8 | p[6]
            data = p[7:7 + size]
            if len(data) != size:
                self._ignore("short block")
                return
            back = self.flash.program(addr, data)
            self.blocks_written += 1
            self._reply(bytes([0x80, sum(back) & 0xFF]), cycle + self._c(BLOCK_S))
        elif cmd == 0x8D and len(p) >= 2:
            self.flash.msr = p[1]
            self.log.append(f"options 0x{p[1]:02X}")
            self._reply(bytes([0x8D, p[1], 0xFF, 0xF6, 0xFF]), soon)
        elif cmd == 0x82:
            self._reset(cycle)
        else:
            self._ignore(f"unknown command 0x{cmd:02X}")

    def _stc89a(self, p: bytes, cycle: int) -> None:
        cmd = p[0]
        soon = cycle + self._c(TURNAROUND_S)
        if cmd == 0x01 and len(p) >= 3:
            new = self._brt_baud(p[1] << 8 | p[2], 32)
            end = self._reply(b"\x01", soon)
            self.log.append(f"baud switch {new}")
            self._at(end, lambda c, b=new: self._line(b, self._bits))
        elif cmd == 0x05:
            self._reply(b"\x05", soon)
        elif cmd == 0x03:
            self.flash.erase(0, self.flash.size)
            self.log.append(f"erase {self.flash.size} bytes")
            self._reply(b"\x03" + STC89A_CHIP_ID, cycle + self._c(ERASE_S))
        elif cmd in (0x22, 0x32, 0x02) and len(p) >= 5:
            addr = 0 if cmd != 0x02 else p[1] << 8 | p[2]
            self.flash.program(addr, p[5:])
            self.blocks_written += 1
            self._reply(b"\x02\x54", cycle + self._c(BLOCK_S))
        elif cmd == 0x04 and len(p) >= 6:
            self.flash.msr = p[5]
            self.log.append(f"options 0x{p[5]:02X}")
            self._reply(b"\x04\x54", soon)
        elif cmd == 0xFF:
            self._reset(cycle)
        else:
            self._ignore(f"unknown command 0x{cmd:02X}")

    def _reset(self, cycle: int) -> None:
        self.log.append("reset")
        self.flash.finish()
        epoch = self._epoch
        at = max(cycle, self._tx_free)

        def leave(c: int) -> None:
            if self._epoch == epoch:
                self.stop()
                self._on_exit(c, "reset")

        self.scheduler.at(at, leave)

    def _measure_baud(self) -> int:
        """The host's rate, as the BSL measures it from the 0x7F bytes: what the link
        reports (a pty knows what the host set), else stcgal's default 2400."""
        return (self._host_baud() if self._host_baud else None) or DEFAULT_HANDSHAKE_BAUD

    # -- the status packet -----------------------------------------------------------------
    @property
    def _6t(self) -> bool:
        return not self.flash.msr & 1

    def status_payload(self) -> bytes:
        baud = self.handshake_baud
        if self.gen.name == "stc89":
            count = round(self.crystal_hz * 7 / (baud * (6 if self._6t else 12)))
            p = bytearray(STC89_STATUS_LEN)
            p[1:17] = count.to_bytes(2, "big") * 8
            p[17], p[18], p[19] = 0x43, ord("C"), self.flash.msr
            p[20:22] = self.gen.magic.to_bytes(2, "big")
            p[22] = 0x82
            return bytes(p)
        p = bytearray(STC89A_STATUS)
        p[1] = self.flash.msr
        p[13:15] = round(self.crystal_hz / (12 * baud)).to_bytes(2, "big")
        p[20:22] = self.gen.magic.to_bytes(2, "big")
        return bytes(p)

    def _send_status(self, at: int) -> None:
        self._line(self.handshake_baud, 10)
        data = frame(self.status_payload(), host=False, csum_bytes=self.gen.csum_bytes,
                     start=self.gen.name != "stc89")
        end = self._send(data, at)
        if self.gen.parity_after_status:
            self._at(end, lambda c: self._line(self._baud, 11))

    # -- sending ---------------------------------------------------------------------------
    def _reply(self, payload: bytes, at: int) -> int:
        return self._send(frame(payload, host=False, csum_bytes=self.gen.csum_bytes), at)

    def _send(self, data: bytes, at: int) -> int:
        """Queue bytes to leave from ``at`` on, at the current line; returns the cycle the
        last one ends."""
        per = self._frame_cycles()
        t = max(at, self._tx_free)
        epoch = self._epoch
        for b in data:
            t += per
            self.scheduler.at(t, lambda c, b=b: self._tx(b, c) if self._epoch == epoch
                              else None)
        self._tx_free = t
        return t

    def _frame_cycles(self) -> int:
        return max(1, round(self._bits * self.cps / self._baud))

    def _line(self, baud: int, bits: int) -> None:
        self._baud, self._bits = baud, bits
        self._set_line(baud, bits)

    def _brt_baud(self, brt: int, divisor: int) -> int:
        return round(self.crystal_hz / (divisor * max(1, 65536 - brt)))

    # -- time ------------------------------------------------------------------------------
    def _c(self, seconds: float) -> int:
        return round(seconds * self.cps)

    def _at(self, cycle: int, action: Callable[[int], None]) -> None:
        epoch = self._epoch
        self.scheduler.at(cycle, lambda c: action(c) if self._epoch == epoch else None)

    def _window_end(self, cycle: int) -> None:
        if self.state != "listen":
            return
        if self._syncs and cycle - self._last_rx < self._c(FRAME_GAP_S):
            self._at(self._last_rx + self._c(FRAME_GAP_S), self._window_end)
            return
        self.stop()
        self._on_exit(cycle, "timeout")
