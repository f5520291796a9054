"""Every error of up to 3 flipped bits in a line is caught (issue 10, item 5).

Requests go out as ``BODY#CCCC``: ``#``, then the CRC-16/XMODEM of the body as four
characters ``0x30 + nibble``. Three layers of proof:

1. Any line: the CRC's syndromes. For bodies up to 35 characters (a 40-character line with
   its 5-character suffix), no pattern of at most 3 flipped bits inside the body and the
   four check characters leaves the check intact: a flipped body bit changes the CRC by its
   syndrome, a flipped check bit either makes the character invalid or changes exactly one
   bit of the value, and no XOR of at most 3 such changes is zero. The same test shows why
   the check characters are not hex: with ``0-9A-F`` a flipped bit in a letter (B <-> C)
   changes up to three bits of the value and some 3-bit errors get through.
2. Concrete SET lines, all 1-, 2- and 3-bit flips (the line's characters; the LF that ends
   it is the next line's business), through a Python model of the firmware's line handling
   (tests/host/fwcheck.py): no flipped line may make the clock execute any write other than
   the one sent. A flip can also split the line (a character turned into CR or LF) or turn
   the ``#`` into something else: the model covers those; ``#`` was chosen because it is 3
   flips away from LF and 4 from CR (``*`` is 1 away from LF: a flipped ``*`` would run
   the rest of the line unchecked).
3. Replies: all 1-, 2- and 3-bit flips of SET replies through the host's decoder
   (``parse_reply`` as the client calls it): each is refused or decodes to the very reply.

Layers 2 and 3 judge every 1- and 2-bit pattern and every 3-bit pattern with a flip that
changes the line's structure (makes or unmakes a CR, LF, ``*`` or ``#``); the other 3-bit
patterns keep the body and the check characters in place, which layer 1 covers for every
line (a sample goes through the model too). ``CLOCK51_FLIPS=full`` judges every pattern
(about half a minute per line).
"""

from __future__ import annotations

import itertools
import os
import random
from collections.abc import Iterator

import pytest

from host import protocol as p
from host.errors import DeviceError, ProtocolError
from tests.host import fwcheck

FULL = os.environ.get("CLOCK51_FLIPS") == "full"
MAX_BODY = p.MAX_LINE - 5  # "#CCCC"


def patterns(nbits: int, most: int = 3) -> Iterator[tuple[int, ...]]:
    for k in range(1, most + 1):
        yield from itertools.combinations(range(nbits), k)


def flipped(line: bytes, bits: tuple[int, ...]) -> bytes:
    out = bytearray(line)
    for bit in bits:
        out[bit >> 3] ^= 1 << (bit & 7)
    return bytes(out)


# ------------------------------------------------------------ 1. any line: syndromes


def syndromes(nbits: int) -> list[int]:
    """CRC change caused by flipping body bit k, counted from the body's LAST bit."""
    out = []
    reg = 1
    for _ in range(16):  # x^16 mod G: the change of the last bit
        reg = (reg << 1) ^ (0x11021 if reg & 0x8000 else 0)
    for _ in range(nbits):
        out.append(reg)
        reg = (reg << 1) ^ (0x11021 if reg & 0x8000 else 0)
    return out


def check_char_deltas(alphabet: str, flips: int) -> set[int]:
    """Value changes (nonzero) of one check character hit by exactly ``flips`` bit flips that
    leave it a valid check character (in either case, where letters are)."""
    value = {c: i for i, c in enumerate(alphabet)}
    value.update({c.lower(): i for i, c in enumerate(alphabet)})
    deltas = set()
    for c in alphabet:
        for bits in itertools.combinations(range(8), flips):
            mask = sum(1 << b for b in bits)
            other = chr(ord(c) ^ mask)
            if other in value and value[other] != value[c]:
                deltas.add(value[c] ^ value[other])
    return deltas


def undetected_patterns(alphabet: str, body_chars: int) -> int:
    """How many error patterns of at most 3 bits in body + 4 check characters keep the check
    intact (for every possible line with a body of ``body_chars`` characters)."""
    syn = syndromes(8 * body_chars)
    single = {i: check_char_deltas(alphabet, 1) for i in range(4)}
    double = check_char_deltas(alphabet, 2)
    # value changes from flips in the check characters, by how many bits they take
    by_bits: dict[int, set[int]] = {
        1: {d << 4 * i for i in range(4) for d in single[i]},
        2: {d << 4 * i for i in range(4) for d in double}
        | {(a << 4 * i) ^ (b << 4 * j) for i, j in itertools.combinations(range(4), 2)
           for a in single[i] for b in single[j]},
    }
    found = 0
    syn_set = set(syn)
    found += len(syn) - len(syn_set)  # two body bits with the same syndrome
    found += sum(1 for s in syn if s == 0)
    found += sum(1 for s in syn if s in by_bits[1] or s in by_bits[2])  # 1 body + 1..2 check
    for a, b in itertools.combinations(syn, 2):
        s = a ^ b
        if s == 0 or s in by_bits[1] or s in syn_set:  # 2 body + 0..1 check, 3 body
            found += 1
    return found


def test_no_3_bit_error_keeps_the_crc_of_any_line_up_to_40_characters() -> None:
    assert undetected_patterns(p.CRC_DIGITS, MAX_BODY) == 0


def test_hex_check_characters_would_let_3_bit_errors_through() -> None:
    """Why the check characters are 0x30 + nibble and not hex: letters flip several bits."""
    assert undetected_patterns("0123456789ABCDEF", 23) > 0  # already for a SET body


def test_the_check_characters_change_one_value_bit_per_flipped_bit() -> None:
    assert check_char_deltas(p.CRC_DIGITS, 1) == {1, 2, 4, 8}
    assert all(bin(d).count("1") == 2 for d in check_char_deltas(p.CRC_DIGITS, 2))


def test_syndromes_are_the_crc_of_a_single_flipped_bit() -> None:
    body = b"SET 2026-11-24 05:06:07"
    syn = syndromes(8 * len(body))
    for bit in range(8 * len(body)):
        pos = 8 * len(body) - 1 - bit  # counted from the last bit; MSB first in each byte
        other = bytearray(body)
        other[pos >> 3] ^= 0x80 >> (pos & 7)
        assert p.crc16(bytes(other)) ^ p.crc16(body) == syn[bit]


# ------------------------------------------------------------ 2. requests through the model

SET_LINES = ["SET 2026-11-24 05:06:07", "SET 2099-12-31 23:59:59", "SET 2000-01-01 00:00:00"]
LINE_ENDS = (0x0D, 0x0A)
MARKS = (0x2A, 0x23)  # * #


def structural_bits(text: bytes, ends: tuple[int, ...] = LINE_ENDS) -> set[int]:
    """Bits whose flip changes the line's structure: it makes or unmakes a line end or a
    check marker. Patterns without one keep the body and the check characters where they
    were: test 1 covers those for every line (a flip to a byte outside 0x20..0x7E is then
    plainly ERR bad byte)."""
    found = set()
    for bit in range(8 * len(text)):
        old = text[bit >> 3]
        new = old ^ (1 << (bit & 7))
        if old in MARKS or old in ends or new in MARKS or new in ends:
            found.add(bit)
    return found


def judged_patterns(text: bytes, ends: tuple[int, ...] = LINE_ENDS) -> Iterator[tuple[int, ...]]:
    """All 1- and 2-bit patterns; 3-bit ones with a structural bit (all with CLOCK51_FLIPS)."""
    nbits = 8 * len(text)
    if FULL:
        yield from patterns(nbits)
        return
    yield from patterns(nbits, 2)
    special = sorted(structural_bits(text, ends))
    plain = [b for b in range(nbits) if b not in set(special)]
    for k in (1, 2, 3):  # k structural bits and 3 - k plain ones
        for some in itertools.combinations(special, k):
            for rest in itertools.combinations(plain, 3 - k):
                yield tuple(sorted(some + rest))


class RequestFlips:
    """Flip patterns of one request line, judged by the firmware model."""

    def __init__(self, body: str) -> None:
        self.line = p.encode_request(body)
        self.text = self.line[:-1]  # the LF is not flipped
        self.intended = fwcheck.judge(self.text)
        assert self.intended.error is None and self.intended.checked

    def model(self, bits: tuple[int, ...]) -> list[fwcheck.Outcome]:
        return fwcheck.run(flipped(self.text, bits) + b"\n")

    def problems(self, outcomes: list[fwcheck.Outcome]) -> list[str]:
        found = []
        for o in outcomes:
            if o.error is None and o.checked and o.body != self.intended.body:
                found.append(f"checked line {o.body!r} accepted")
            if o.action is not None and o.action != self.intended.action:
                found.append(f"line {o.body!r} would run {o.action}")
        return found


@pytest.mark.parametrize("body", SET_LINES)
def test_every_1_2_3_bit_flip_of_a_set_line_runs_no_other_write(body: str) -> None:
    flips = RequestFlips(body)
    bad: list[str] = []
    judged = 0
    for bits in judged_patterns(flips.text):
        judged += 1
        bad += [f"bits {bits}: {f}" for f in flips.problems(flips.model(bits))]
    assert not bad, f"{len(bad)} flipped lines get through, e.g. {bad[:5]}"
    assert judged > 100_000


def test_pure_data_flips_of_a_set_line_are_refused_by_the_model_too() -> None:
    """A sample of what test 1 covers, through the model: the check refuses each."""
    flips = RequestFlips(SET_LINES[0])
    special = structural_bits(flips.text)
    plain = [b for b in range(8 * len(flips.text)) if b not in special]
    rng = random.Random(10)
    for _ in range(5000):
        bits = tuple(sorted(rng.sample(plain, 3)))
        assert all(o.error is not None for o in flips.model(bits)), bits


def test_the_issue_example_is_refused_by_the_model_and_the_xor_would_pass() -> None:
    """Bit 0 of the minute and second tens: 05:06:07 -> 05:16:17."""
    flips = RequestFlips("SET 2026-11-24 05:06:07")
    tens = [8 * flips.text.index(b"06:07") + 0, 8 * flips.text.index(b"07#") + 0]
    assert flipped(flips.text, tuple(tens)).startswith(b"SET 2026-11-24 05:16:17")
    (outcome,) = flips.model(tuple(tens))
    assert outcome.error == "checksum"
    xor_line = ("SET 2026-11-24 05:06:07" + p.check_suffix("SET 2026-11-24 05:06:07", p.XOR))
    (xor_outcome,) = fwcheck.run(flipped(xor_line.encode(), tuple(tens)) + b"\n")
    assert xor_outcome.action == ("SET", 26, 11, 24, 5, 16, 17)  # what the XOR let through


def test_a_star_check_flipped_into_lf_would_run_the_line_unchecked() -> None:
    """Why the CRC check is marked '#': '*' is one flip from LF."""
    body = "SET 2026-11-24 05:06:07"
    line = (body + "*" + p.crc_digits(p.crc16(body))).encode()
    star = 8 * line.index(b"*") + 5  # 0x2A ^ 0x20 = 0x0A
    tens = (8 * line.index(b"06:07"), 8 * line.index(b"07*"))
    outcomes = fwcheck.run(flipped(line, (star, *tens)) + b"\n")
    assert outcomes[0].action == ("SET", 26, 11, 24, 5, 16, 17) and not outcomes[0].checked


# ------------------------------------------------------------ 3. replies through the host


SET_REPLIES = ["OK 2026-11-24 05:06:07 TUE"] + (["OK 2099-12-31 23:59:59 THU"] if FULL else [])


PRINTABLE = bytes(range(0x20, 0x7F))


def host_accepts(raw: bytes) -> list[str]:
    """Payloads the host would take from the lines it reads (split at LF)."""
    taken = []
    for line in raw.split(b"\n")[:-1]:
        if line.rstrip(b"\r\n").translate(None, PRINTABLE):
            continue  # parse_reply's first rule (non-printable: garbled), without the cost
        try:
            taken.append(p.parse_reply(line, form=p.CRC))
        except (ProtocolError, DeviceError):
            pass
    return taken


@pytest.mark.parametrize("reply", SET_REPLIES)
def test_every_1_2_3_bit_flip_of_a_set_reply_is_refused_by_the_host(reply: str) -> None:
    framed = (reply + p.check_suffix(reply)).encode() + b"\r"
    payload = reply[3:]
    bad = []
    judged = 0
    for bits in judged_patterns(framed):
        judged += 1
        taken = host_accepts(flipped(framed, bits) + b"\n")
        if any(t != payload for t in taken):
            bad.append((bits, taken))
    assert not bad, f"{len(bad)} flipped replies accepted, e.g. {bad[:3]}"
    assert judged > 100_000
