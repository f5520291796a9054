"""The clock client: one method per protocol command, with the retry and re-read rules.

Rules (docs/protocol.md has the lines):

- Queries (PING, GET, ALARM, HOURS, INFO, HELP, TEMP, CAL) are retried ONCE after no
  answer, a garbled answer, ``ERR checksum`` (line noise) or ``ERR overflow`` (the line was
  lost in the clock's receive buffer); any other ERR is final.
- Writes (SET, ALARM HH:MM/ON/OFF, HOURS 12/24) are never re-sent. Each is one line, so
  the clock either took it or not; after a failed write the client re-reads the value and
  says which: the error message ends with "the clock still shows ...", or, when the reply
  was lost but the value is there, the write counts as done and a warning is logged.
- A write's reply echoes what the clock now holds; an echo other than the value asked for
  is an error (``NotTaken``) naming what the clock holds.
- Every request carries the CRC check (``#CCCC``) and every OK reply must carry it back.
- Each wait for a reply ends at its deadline (``timeout`` after the request), whatever the
  other end sends meanwhile (banners, junk lines).
- Before the first request (and after any failure) the client cancels whatever partial
  line the clock may hold (``CAN`` LF: the clock answers ``ERR bad byte`` and changes
  nothing), so an interrupted line is never completed by accident.
- The ``clock51 READY`` banner (the clock reset) is skipped wherever it appears.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Callable
from datetime import date, datetime, timedelta
from typing import TypeVar

from host import protocol as p
from host.errors import Clock51Error, DeviceError, LateWrite, NoAnswer, NotTaken, ProtocolError
from host.timesource import SystemTime, TimeSource
from host.transport import SerialTransport, Transport

log = logging.getLogger("clock51")

T = TypeVar("T")
BITS_PER_FRAME = 10  # 8N1: start + 8 data + stop
SET_TOLERANCE = 2.0  # seconds: a re-read this close to the requested time means "taken"

Send = Callable[[bytes], None]
_RETRYABLE = (NoAnswer, ProtocolError, DeviceError)


def _retryable(exc: Clock51Error) -> bool:
    return not isinstance(exc, DeviceError) or exc.reason in ("checksum", "overflow")


def local_naive(when: datetime) -> datetime:
    """A datetime as the clock keeps it: local time, no tzinfo, whole seconds."""
    if when.tzinfo is not None:
        when = when.astimezone().replace(tzinfo=None)
    return when.replace(microsecond=0)


def _alarm_held(alarm: p.Alarm) -> str:
    return f"alarm {alarm}"


class Clock:
    """A clock51 on a transport. Use ``Clock.open(port)`` or wrap any ``Transport``."""

    def __init__(self, transport: Transport, *, timeout: float = 1.0, retries: int = 1,
                 time_source: TimeSource | None = None) -> None:
        self.transport = transport
        self.timeout = timeout
        self.retries = retries
        self.time: TimeSource = time_source if time_source is not None else SystemTime()
        self.last_write_at = 0.0  # mono() just before the last request's final write
        self.last_reply_at = 0.0  # mono() just after its reply line arrived
        self.last_timed_write_at = 0.0  # mono() of the last timed final byte (set_time)
        self._in_step = False

    @classmethod
    def open(cls, port: str, baudrate: int = 9600, *, timeout: float = 1.0,
             time_source: TimeSource | None = None) -> Clock:
        return cls(SerialTransport.open(port, baudrate), timeout=timeout,
                   time_source=time_source)

    def close(self) -> None:
        self.transport.close()

    def __enter__(self) -> Clock:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    @property
    def frame_time(self) -> float:
        """Seconds one byte takes on the wire."""
        return BITS_PER_FRAME / self.transport.baudrate

    # ------------------------------------------------------------ line handling

    def _no_answer(self, what: str, skipped: int) -> NoAnswer:
        self._in_step = False
        extra = f"; it sent {skipped} other line(s) meanwhile" if skipped else ""
        return NoAnswer(f"no answer from the clock on {self.transport.name} within "
                        f"{self.timeout:g} s (to {what}; is it on this port at "
                        f"{self.transport.baudrate} baud?){extra}")

    def _read_line(self, deadline: float, what: str,
                   wanted: Callable[[bytes], bool] = lambda raw: True) -> bytes:
        """Next non-banner line that is ``wanted``, before ``deadline`` (mono), else NoAnswer.

        Lines skipped (banners, unwanted ones) never extend the wait past the deadline.
        """
        skipped = banners = 0
        while True:
            left = deadline - self.time.mono()
            raw = self.transport.read_line(max(0.0, left)) if left > 0 or not skipped else None
            if raw is None:
                raise self._no_answer(what, skipped)
            if p.is_banner(raw):
                if not banners:  # once per wait: a peer may send nothing else
                    log.info("the clock says %s (it has reset)", p.BANNER)
                banners += 1
            elif wanted(raw):
                return raw
            skipped += 1

    def cancel_line(self, what: str = "a line reset") -> None:
        """Void any partial line in the clock and drain the ``ERR`` it answers."""
        self.transport.reset_input()
        self.transport.write(p.CANCEL_LINE)
        deadline = self.time.mono() + self.timeout
        # lines before the ERR are late replies to something earlier: skipped
        self._read_line(deadline, what, lambda raw: raw.lstrip().upper().startswith(b"ERR"))
        self._in_step = True

    def mark_out_of_step(self) -> None:
        """The clock may hold a partial line: void it before the next request."""
        self._in_step = False

    def _ensure_in_step(self, what: str, attempts: int = 1) -> None:
        for attempt in range(attempts):
            if self._in_step:
                return
            try:
                self.cancel_line(what)
            except NoAnswer:
                if attempt == attempts - 1:
                    raise

    @staticmethod
    def _what(line: bytes) -> str:
        """A request line as shown in messages: no line end, no checksum suffix."""
        text = line.rstrip(b"\r\n").decode("ascii", "replace")
        return re.sub(r"(\*[0-9A-Fa-f]{2}|#[0-9:;<=>?]{4})$", "", text)

    def exchange_raw(self, line: bytes, send: Send | None = None) -> bytes:
        """Send one request line (by ``send`` if given) and return the reply line as is."""
        what = self._what(line)
        self._ensure_in_step(what)
        self.transport.reset_input()
        self.last_write_at = self.time.mono()
        if send is None:
            self.transport.write(line)
        else:
            send(line)
        raw = self._read_line(self.time.mono() + self.timeout, what)
        self.last_reply_at = self.time.mono()
        return raw

    def _once(self, line: bytes, decode: Callable[[str], T], send: Send | None = None) -> T:
        try:
            return decode(p.parse_reply(self.exchange_raw(line, send), form=p.CRC))
        except ProtocolError:
            self._in_step = False
            raise

    def query(self, body: str, decode: Callable[[str], T]) -> T:
        """An idempotent request: retried once on no answer / garbled answer / ERR checksum
        or ERR overflow."""
        line = p.encode_request(body)
        for attempt in range(self.retries + 1):
            try:
                return self._once(line, decode)
            except _RETRYABLE as exc:
                if not _retryable(exc) or attempt == self.retries:
                    if attempt:
                        exc.add_detail(f"tried {attempt + 1} times")
                    raise
                self._in_step = False
                log.info("%s; retrying %s once", exc, body)
        raise AssertionError("unreachable")

    def command(self, body: str, decode: Callable[[str], T], reread: Callable[[], T],
                taken: Callable[[T], bool], what: str, send: Send | None = None, *,
                echo_ok: Callable[[T], bool] | None = None,
                held: Callable[[T], str] = str) -> T:
        """A write: sent once; on failure re-read and report whether the clock took it.

        The reply's echo must pass ``echo_ok`` (default: ``taken``), else ``NotTaken``
        saying what the clock now holds (``held`` formats it).
        """
        line = p.encode_request(body)
        # failing here means nothing was sent: a plain error
        self._ensure_in_step(self._what(line), self.retries + 1)
        try:
            echo = self._once(line, decode, send)
        except _RETRYABLE as exc:
            self._in_step = False
            failure = exc
        else:
            if not (echo_ok or taken)(echo):
                raise NotTaken(f"{what} was not taken as asked: the clock answered OK but now "
                               f"holds {held(echo)}")
            return echo
        try:
            now = reread()
        except Clock51Error as err:
            failure.args = (f"{what} failed ({failure}); it is unknown whether the clock took "
                            f"it: re-reading failed too ({err})",)
            raise failure from None
        if not isinstance(failure, DeviceError) and taken(now):
            log.warning("%s: %s, but the clock shows %s: it took the value", what, failure, now)
            return now
        failure.args = (f"{what} failed ({failure}); the clock still shows {now}",)
        raise failure from None

    # ------------------------------------------------------------ commands

    def ping(self) -> float:
        """Round-trip time of one PING, in seconds."""
        self.query(p.req_ping(), p.decode_pong)
        return self.last_reply_at - self.last_write_at

    def get_time(self) -> p.ClockTime:
        return self.query(p.req_get(), p.decode_time)

    def timed_send(self, final_byte_at: float, late_limit: float) -> Send:
        """A ``Send`` for a line whose LAST byte is written when ``mono()`` reaches
        ``final_byte_at``: the rest goes at once and is flushed first. Later than
        ``late_limit`` the final byte is not sent: ``LateWrite``, the partial line is voided
        before the next request. The final byte's write time: ``last_timed_write_at``.
        """
        def send(line: bytes) -> None:
            self.transport.write(line[:-1])
            self.transport.flush()
            try:
                self.time.sleep_until(final_byte_at)
                now = self.time.mono()
                if now - final_byte_at > late_limit:
                    raise LateWrite(now - final_byte_at)
                self.last_write_at = self.last_timed_write_at = now
                self.transport.write(line[-1:])
            except BaseException:
                self.mark_out_of_step()  # the partial line is voided before the next request
                raise

        return send

    def get_time_at(self, write_at: float) -> p.ClockTime:
        """One GET whose line is written when ``mono()`` reaches ``write_at`` (no retry)."""
        def send(line: bytes) -> None:
            self.time.sleep_until(write_at)
            self.last_write_at = self.time.mono()
            self.transport.write(line)

        return self._once(p.encode_request(p.req_get()), p.decode_time, send)

    def set_time(self, when: datetime, *, send: Send | None = None) -> p.ClockTime:
        """Set date and time (local; sub-second part dropped). The clock's answer, which
        must echo exactly that time (``NotTaken`` otherwise). ``send``: e.g. ``timed_send``.
        """
        when = local_naive(when)
        body = p.req_set(when)  # UsageError for years the clock cannot keep, before sending
        start = self.time.mono()
        weekday = p.WEEKDAYS[when.weekday()]

        def taken(now: p.ClockTime) -> bool:
            expected = when + timedelta(seconds=self.time.mono() - start)
            return abs((now.when - expected).total_seconds()) <= SET_TOLERANCE

        return self.command(body, p.decode_time, self.get_time, taken,
                            f"set {when.strftime(p.TIME_FORMAT)}", send,
                            echo_ok=lambda echo: (echo.when, echo.weekday) == (when, weekday))

    def get_alarm(self) -> p.Alarm:
        return self.query(p.req_alarm(), p.decode_alarm)

    def set_alarm(self, hour: int, minute: int) -> p.Alarm:
        """Set the alarm time; the clock switches the alarm on."""
        body = p.req_alarm_set(hour, minute)
        return self.command(body, p.decode_alarm, self.get_alarm,
                            lambda a: (a.hour, a.minute, a.enabled) == (hour, minute, True),
                            f"alarm {hour:02d}:{minute:02d}", held=_alarm_held)

    def alarm_on(self) -> p.Alarm:
        return self.command(p.req_alarm_switch(True), p.decode_alarm, self.get_alarm,
                            lambda a: a.enabled, "alarm on", held=_alarm_held)

    def alarm_off(self) -> p.Alarm:
        return self.command(p.req_alarm_switch(False), p.decode_alarm, self.get_alarm,
                            lambda a: not a.enabled, "alarm off", held=_alarm_held)

    def get_hours(self) -> int:
        return self.query(p.req_hours(), p.decode_hours)

    def set_hours(self, mode: int) -> int:
        body = p.req_hours(mode)
        return self.command(body, p.decode_hours, self.get_hours, lambda m: m == mode,
                            f"hours {mode}", held=lambda m: f"the {m}-hour display")

    def info(self) -> p.Info:
        return self.query(p.req_info(), p.decode_info)

    def help(self) -> list[str]:
        return self.query(p.req_help(), p.decode_help)

    def temperature(self) -> float | None:
        """The DS18B20 reading in C; None when no sensor answers (``OK TEMP NONE``)."""
        return self.query(p.req_temp(), p.decode_temp)

    def calendar(self, day: date | None = None) -> p.CalendarDay:
        """The solar term and festival of ``day``, or of the clock's today (``CAL``)."""
        result = self.query(p.req_cal(day), p.decode_cal)
        if day is not None and result.day != day:
            raise ProtocolError(f"asked about {day:%Y-%m-%d}, the clock answered about "
                                f"{result.day:%Y-%m-%d}")
        return result

    def raw(self, text: str, *, add_checksum: bool = True) -> bytes:
        """Send one line as typed (checksum appended unless asked not to); the reply line.

        Sent once, never retried (it may be a write). Check it with protocol.parse_reply.
        """
        return self.exchange_raw(p.encode_raw(text, add_checksum=add_checksum))

    # ------------------------------------------------------------ DRIFT (learned drift)
    # Firmware with the drift feature; others answer ERR unknown command (DeviceError).

    def drift(self) -> p.Drift:
        """The clock's drift state (``DRIFT``)."""
        return self.query(p.req_drift(), p.decode_drift)

    def _drift_write(self, body: str, what: str, same: Callable[[p.Drift], bool],
                     held: Callable[[p.Drift], str]) -> p.Drift:
        return self.command(body, p.decode_drift, self.drift, same, what, held=held)

    def set_drift_rate(self, ppm: float) -> p.Drift:
        """Set the rate the clock corrects (ppm, rounded to 0.01); its new drift state."""
        body = p.req_drift_rate(ppm)
        want = p.hundredths(ppm)
        return self._drift_write(body, f"drift rate {want / 100:+.2f}",
                                 lambda d: p.hundredths(d.rate) == want,
                                 lambda d: f"RATE {d.rate:+.2f}")

    def set_drift_comp(self, on: bool) -> p.Drift:
        """Switch temperature compensation (needs a DS18B20: ``ERR sensor`` otherwise)."""
        try:
            return self._drift_write(p.req_drift_comp(on), f"drift comp {'on' if on else 'off'}",
                                     lambda d: d.comp == on,
                                     lambda d: f"COMP {'ON' if d.comp else 'OFF'}")
        except DeviceError as exc:
            if exc.reason != "sensor":
                raise
            raise DeviceError("sensor", "the clock refused temperature compensation (ERR "
                              "sensor: it has no DS18B20 that answers); it still holds COMP "
                              "OFF") from None

    def set_drift_k(self, k: float) -> p.Drift:
        """Set the parabola's coefficient (ppm/degC^2, rounded to 0.001)."""
        body = p.req_drift_k(k)
        want = p.thousandths(k)
        return self._drift_write(body, f"drift k {want / 1000:+.3f}",
                                 lambda d: p.thousandths(d.k) == want,
                                 lambda d: f"K {d.k:+.3f}")

    def set_drift_t0(self, t0: int) -> p.Drift:
        """Set the parabola's turnover temperature (whole degC)."""
        return self._drift_write(p.req_drift_t0(t0), f"drift t0 {t0}",
                                 lambda d: d.t0 == t0, lambda d: f"T0 {d.t0}")

    def set_drift_id(self, ident: str) -> p.Drift:
        """Give the clock its ID (four hex digits, not 0000 or FFFF)."""
        body = p.req_drift_id(ident)
        want = p.check_drift_id(ident)
        return self._drift_write(body, f"drift id {want}", lambda d: d.id == want,
                                 lambda d: f"ID {d.id or 'NONE'}")
