"""`clock51 calendar [DATE]` and the CAL request and reply (fake port, fake time)."""

from __future__ import annotations

import datetime as dt
import importlib.util
import io
from pathlib import Path

import pytest

from host import cli
from host import protocol as p
from host.errors import DeviceError, ProtocolError, UsageError
from tests.host.test_cli import Bench, one_error_line


@pytest.fixture
def bench(capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch) -> Bench:
    monkeypatch.delenv(cli.ENV_PORT, raising=False)
    return Bench(capsys)


def test_cal_requests() -> None:
    assert p.req_cal() == "CAL"
    assert p.req_cal(dt.date(2026, 9, 25)) == "CAL 2026-09-25"
    with pytest.raises(UsageError, match="2000-2099"):
        p.req_cal(dt.date(2100, 1, 1))


@pytest.mark.parametrize(("payload", "term", "fest"), [
    ("CAL 2026-09-25 term=none fest=ZhongQiu", None, "ZhongQiu"),
    ("CAL 2026-04-05 term=QingMing fest=QingMing", "QingMing", "QingMing"),
    ("CAL 2012-10-23 term=ShuangJiang fest=ChongYang", "ShuangJiang", "ChongYang"),
    ("cal 2026-11-24 TERM=none FEST=none", None, None)])
def test_cal_reply_decodes(payload: str, term: str | None, fest: str | None) -> None:
    day = p.decode_cal(payload)
    assert (day.term, day.festival) == (term, fest)


@pytest.mark.parametrize("payload", [
    "CAL", "CAL 2026-09-25", "CAL 2026-09-25 term=none", "CAL 2026-02-30 term=none fest=none",
    "CAL 2026-09-25 term=ZhongQiu fest=none", "CAL 2026-09-25 term=none fest=DongZhi",
    "CAL 2026-09-25 term=none fest=Xmas", "CAL 26-09-25 term=none fest=none",
    "TEMP 23.5"])
def test_malformed_or_impossible_cal_reply_is_a_protocol_error(payload: str) -> None:
    with pytest.raises(ProtocolError):
        p.decode_cal(payload)


def test_the_host_knows_the_firmware_s_names() -> None:
    path = Path(__file__).resolve().parents[2] / "firmware" / "tools" / "solartable.py"
    spec = importlib.util.spec_from_file_location("clock51_solartable_h", path)
    assert spec and spec.loader
    table = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(table)
    assert dict(table.TERM_NAMES) == p.SOLAR_TERMS
    fests = {n: zh for n, zh, _m, _d in table.LUNAR_FESTIVALS} | {table.CHUXI[0]: table.CHUXI[1]}
    fests[table.TERM_NAMES[table.QINGMING_TERM][0]] = table.TERM_NAMES[table.QINGMING_TERM][1]
    assert fests == p.FESTIVALS


def test_calendar_of_a_date_prints_its_festival(bench: Bench) -> None:
    assert bench.run("--port", "X", "calendar", "2026-09-25") == \
        (0, "2026-09-25  festival: ZhongQiu 中秋\n", "")
    assert bench.device.lines[-1][1].startswith(b"CAL 2026-09-25#")   # with the CRC check


def test_calendar_prints_term_and_festival_or_says_there_is_none(bench: Bench) -> None:
    assert bench.run("--port", "X", "calendar", "2012-10-23")[1] == \
        "2012-10-23  term: ShuangJiang 霜降  festival: ChongYang 重阳\n"
    assert bench.run("--port", "X", "calendar", "2026-11-22")[1] == \
        "2026-11-22  term: XiaoXue 小雪\n"
    assert bench.run("--port", "X", "calendar", "2026-11-24")[1] == \
        "2026-11-24  no solar term or festival\n"


def test_calendar_without_a_date_asks_about_the_clock_s_today(bench: Bench) -> None:
    code, out, _ = bench.run("--port", "X", "calendar")
    assert (code, out) == (0, "2026-11-24  no solar term or festival\n")
    assert bench.device.lines[-1][1].startswith(b"CAL#")


def test_calendar_on_an_ascii_terminal_prints_pinyin_only(
        bench: Bench, monkeypatch: pytest.MonkeyPatch) -> None:
    out = io.TextIOWrapper(io.BytesIO(), encoding="ascii")
    monkeypatch.setattr(cli.sys, "stdout", out)
    assert bench.run("--port", "X", "calendar", "2026-04-05")[0] == 0
    out.flush()
    assert out.buffer.getvalue() == b"2026-04-05  term: QingMing  festival: QingMing\n"


@pytest.mark.parametrize("date", ["2026-02-30", "26-09-25", "2026/09/25", "2100-01-01",
                                  "1999-12-31", "tomorrow"])
def test_a_bad_date_is_one_line_exit_2_and_nothing_is_sent(bench: Bench, date: str) -> None:
    code, out, err = bench.run("--port", "X", "calendar", date)
    assert (code, out) == (2, "")
    one_error_line(err)
    assert bench.opened == []


def test_an_err_from_the_clock_is_one_line_exit_1(bench: Bench) -> None:
    # the first reply answers the client's opening line cancel (CAN LF)
    bench.port.replies = [b"ERR bad byte\r\n",
                          b"ERR range#" + p.crc_digits(p.crc16(b"ERR range")).encode() + b"\r\n"]
    code, out, err = bench.run("--port", "X", "calendar", "2026-09-25")
    assert (code, out) == (1, "")
    assert "out of range" in one_error_line(err)


def test_an_answer_about_another_day_is_refused(bench: Bench) -> None:
    bench.device.calendar["2026-09-25"] = ("none", "ZhongQiu")
    body = "OK CAL 2026-09-24 term=none fest=none"
    bench.port.replies = [b"ERR bad byte\r\n",
                          body.encode() + b"#" + p.crc_digits(p.crc16(body)).encode() + b"\r\n"]
    code, out, err = bench.run("--port", "X", "calendar", "2026-09-25")
    assert (code, out) == (1, "")
    assert "2026-09-24" in one_error_line(err)


def test_err_unknown_command_from_an_older_firmware_is_a_device_error() -> None:
    with pytest.raises(DeviceError, match="does not know"):
        p.parse_reply(b"ERR unknown command\r\n", require_checksum=False)
