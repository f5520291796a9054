"""The Debug Adapter Protocol's wire format: ``Content-Length: N\\r\\n\\r\\n`` + N bytes of JSON.

``Framer.feed(data)`` takes bytes as they arrive and returns the complete messages, each a
dict, or a ``FrameError`` for what could not be read (a header without a usable
``Content-Length``, a body that is not UTF-8 JSON or not an object). After a bad header the
framer drops that header block and reads on; a header over ``MAX_HEADER`` bytes or a body
announced over ``MAX_BODY`` cannot be skipped safely: the error is ``fatal`` and the
connection should be closed. ``encode(message)`` frames a message.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

__all__ = ["Framer", "FrameError", "encode", "MAX_BODY", "MAX_HEADER"]

MAX_BODY = 4 * 1024 * 1024
MAX_HEADER = 8 * 1024


@dataclass
class FrameError:
    message: str
    fatal: bool = False


def encode(message: dict[str, Any]) -> bytes:
    body = json.dumps(message, separators=(",", ":"), ensure_ascii=False).encode()
    return b"Content-Length: %d\r\n\r\n" % len(body) + body


class Framer:
    def __init__(self) -> None:
        self._buf = bytearray()
        self._need: int | None = None  # body length once its header was read
        self.closed = False

    def feed(self, data: bytes) -> list[dict[str, Any] | FrameError]:
        if self.closed:
            return []
        self._buf += data
        out: list[dict[str, Any] | FrameError] = []
        while True:
            if self._need is None:
                end = self._buf.find(b"\r\n\r\n")
                if end < 0:
                    if len(self._buf) > MAX_HEADER:
                        self.closed = True
                        out.append(FrameError(f"a header longer than {MAX_HEADER} bytes",
                                              fatal=True))
                    return out
                head = bytes(self._buf[:end])
                del self._buf[:end + 4]
                length = _content_length(head)
                if isinstance(length, str):
                    out.append(FrameError(length))
                    continue
                if length > MAX_BODY:
                    self.closed = True
                    out.append(FrameError(f"a message of {length} bytes (at most {MAX_BODY})",
                                          fatal=True))
                    return out
                self._need = length
            if len(self._buf) < self._need:
                return out
            body = bytes(self._buf[:self._need])
            del self._buf[:self._need]
            self._need = None
            out.append(_decode(body))


def _content_length(head: bytes) -> int | str:
    try:
        text = head.decode("ascii")
    except UnicodeDecodeError:
        return "a header that is not ASCII"
    length: int | None = None
    for line in text.split("\r\n"):
        name, sep, value = line.partition(":")
        if not sep:
            return f"a header line without a colon: {line[:60]!r}"
        if name.strip().lower() == "content-length":
            value = value.strip()
            if not value.isdigit():
                return f"Content-Length {value[:20]!r} is not a number"
            length = int(value)
    if length is None:
        return "a header without Content-Length"
    return length


def _decode(body: bytes) -> dict[str, Any] | FrameError:
    try:
        msg = json.loads(body.decode("utf-8"))
    except (UnicodeDecodeError, ValueError) as e:
        return FrameError(f"the message is not JSON: {str(e)[:80]}")
    if not isinstance(msg, dict):
        return FrameError("the message is not a JSON object")
    return msg
