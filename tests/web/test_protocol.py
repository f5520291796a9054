"""What a page may send: every message is checked before the board sees it (pure functions)."""

from __future__ import annotations

import datetime as dt

import pytest

from sim.frontends.web.protocol import MAX_LINE, MAX_TEXT, Command, MessageError, parse_message

KEYS = ("SET", "UP", "DOWN", "MODE")


@pytest.mark.parametrize(("text", "command"), [
    ('{"type": "key", "key": "set", "action": "down"}', Command("key", ("SET", "down"))),
    ('{"type": "key", "key": "MODE"}', Command("key", ("MODE", "tap"))),
    ('{"type": "serial", "line": "GET"}', Command("serial", b"GET\n")),
    ('{"type": "speed", "value": "10x"}', Command("speed", "10x")),
    ('{"type": "rtc", "value": "now"}', Command("rtc", None)),
    ('{"type": "rtc", "value": "2030-02-03T04:05"}',
     Command("rtc", dt.datetime(2030, 2, 3, 4, 5))),
    ('{"type": "rtc", "value": "2030-02-03 04:05:06"}',
     Command("rtc", dt.datetime(2030, 2, 3, 4, 5, 6))),
    ('{"type": "power"}', Command("power")),
    ('{"type": "temp", "value": -7.5}', Command("temp", -7.5)),
    ('{"type": "temp", "value": " 23.0625 "}', Command("temp", 23.0625)),
    ('{"type": "temp", "value": 125}', Command("temp", 125.0)),
    ('{"type": "temp", "value": "-55"}', Command("temp", -55.0)),
    ('{"type": "temp", "value": "+"}', Command("temp", "+")),
    ('{"type": "temp", "value": "-"}', Command("temp", "-")),
    ('{"type": "temp", "value": "none"}', Command("temp", None)),
])
def test_good_messages_become_commands(text: str, command: Command) -> None:
    assert parse_message(text, KEYS) == command


@pytest.mark.parametrize(("text", "answer"), [
    (b"\x00", "binary messages are not understood"),
    ("x" * (MAX_TEXT + 1), f"message too long: {MAX_TEXT + 1} characters"),
    ("{", "not JSON"),
    ("null", 'expected a JSON object with a "type"'),
    ('{"type": 5}', 'expected a JSON object with a "type"'),
    ('{"type": "reboot"}', "unknown message type 'reboot' (expected key, serial, speed, rtc, "
                           "power, temp)"),
    ('{"type": "key"}', "unknown key null"),
    ('{"type": "key", "key": "ENTER"}', "unknown key 'ENTER' (this board has SET, UP, DOWN, "
                                        "MODE)"),
    ('{"type": "key", "key": "UP", "action": 1}', "key action 1"),
    ('{"type": "serial"}', '"line" must be a string'),
    ('{"type": "serial", "line": "' + "A" * (MAX_LINE + 1) + '"}', "line too long"),
    ('{"type": "serial", "line": "GET\\r\\nSET"}', "only printable ASCII"),
    ('{"type": "speed", "value": "2x"}', "speed '2x': expected pause, 1x, 10x, max"),
    ('{"type": "rtc"}', 'expected "now"'),
    ('{"type": "rtc", "value": "tomorrow"}', "'tomorrow' is not"),
    ('{"type": "rtc", "value": "1999-12-31 23:59:59"}', "1999: the DS1302 counts years"),
    ('{"type": "rtc", "value": "2026-02-30 10:00:00"}', "is not"),
    ('{"type": "temp"}', "temp: null is not a temperature"),
    ('{"type": "temp", "value": "warm"}', "temp: 'warm' is not a temperature"),
    ('{"type": "temp", "value": true}', "temp: true is not a temperature"),
    ('{"type": "temp", "value": [20]}', "temp: [20] is not a temperature"),
    ('{"type": "temp", "value": "++"}', "temp: '++' is not a temperature"),
    ('{"type": "temp", "value": 125.01}', "temp: 125.01 C is outside the DS18B20's range "
                                          "-55..125 C"),
    ('{"type": "temp", "value": "-55.5"}', "temp: '-55.5' C is outside the DS18B20's range"),
    ('{"type": "temp", "value": "nan"}', "temp: 'nan' C is outside"),
    ('{"type": "temp", "value": 1e999}', "temp: Infinity C is outside"),
])
def test_bad_messages_are_refused_with_a_reason(text: str | bytes, answer: str) -> None:
    with pytest.raises(MessageError) as refused:
        parse_message(text, KEYS)
    assert answer in str(refused.value)
    assert "\n" not in str(refused.value)


def test_a_long_value_is_cut_short_in_the_answer() -> None:
    with pytest.raises(MessageError) as refused:
        parse_message('{"type": "key", "key": "' + "K" * 500 + '"}', KEYS)
    assert len(str(refused.value)) < 120
