"""Intel HEX loading errors and the clock51-sim exec/disasm command line."""

import pytest

from sim.errors import ImageError
from sim.frontends.cli import main
from sim.frontends.exec import run_program
from sim.machine.image import load_ihx


def _ihx(data: bytes, addr: int = 0) -> str:
    rec = bytes([len(data), addr >> 8, addr & 255, 0]) + data
    return f":{rec.hex().upper()}{(-sum(rec)) & 255:02X}\n:00000001FF\n"


def test_load_ihx_from_text_and_file(tmp_path):
    assert load_ihx(_ihx(bytes([0x74, 0x41, 0x24, 0x00]))) == bytes([0x74, 0x41, 0x24, 0x00])
    p = tmp_path / "p.ihx"
    p.write_text(_ihx(b"\x80\xfe", 0x10))
    img = load_ihx(p)
    assert len(img) == 0x12 and img[0x10:] == b"\x80\xfe" and img[0] == 0xFF


def test_bad_checksum_names_the_line(tmp_path):
    p = tmp_path / "bad.ihx"
    p.write_text(":0200000080FE80\n:0400000074412400C4\n:00000001FF\n")
    with pytest.raises(ImageError, match=r"line 2: bad checksum"):
        load_ihx(p)


def test_bad_record_names_the_line():
    with pytest.raises(ImageError, match=r"line 1: bad record"):
        load_ihx(":04000000744124\n")
    with pytest.raises(ImageError, match="line 3"):
        load_ihx(":0200000080FE80\n\n:zz\n")


def test_missing_file_is_an_image_error(tmp_path):
    with pytest.raises(ImageError, match="cannot read"):
        load_ihx(tmp_path / "nope.ihx")


def test_run_program_collects_uart_output_and_stops_at_the_self_jump():
    prog = bytes.fromhex("758920758DFD758BFD759850D28E" "759941" "3099FD" "80FE")
    res = run_program(prog)
    assert res.output == b"A" and res.reason == "selfjump"
    assert res.cycles == 969 and res.instructions > 5


def test_run_program_stops_at_max_cycles():
    res = run_program(bytes.fromhex("0480FD"), max_cycles=1000)  # INC A ; SJMP back
    assert res.reason == "max-cycles" and 1000 <= res.cycles <= 1002


def test_cli_exec_prints_output_and_statistics(tmp_path, capsysbinary):
    p = tmp_path / "hello.ihx"
    p.write_text(_ihx(bytes.fromhex("758920758DFD758BFD759850D28E" "759948" "3099FD" "80FE")))
    assert main(["exec", str(p)]) == 0
    out, err = capsysbinary.readouterr()
    assert out == b"H"
    assert b"cycles: 969" in err and b"instructions:" in err and b"M machine cycles/s" in err


def test_cli_reports_user_errors_in_one_line(tmp_path, capsys):
    p = tmp_path / "bad.ihx"
    p.write_text(":0400000074412400C4\n")
    assert main(["exec", str(p)]) == 1
    err = capsys.readouterr().err
    assert err.startswith("clock51-sim: error:") and "line 1" in err
    assert err.count("\n") == 1


def test_cli_illegal_opcode_is_a_one_line_error(tmp_path, capsys):
    p = tmp_path / "ill.ihx"
    p.write_text(_ihx(b"\x00\xa5"))
    assert main(["exec", str(p)]) == 1
    err = capsys.readouterr().err
    assert "illegal opcode 0xA5 at 0x0001" in err


def test_cli_usage_error_exits_2_with_one_line(capsys):
    assert main(["exec"]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and err.startswith("clock51-sim: error: ")


def test_cli_disasm(tmp_path, capsys):
    p = tmp_path / "d.ihx"
    p.write_text(_ihx(bytes.fromhex("7441D28C80FE")))
    assert main(["disasm", str(p), "--count", "2"]) == 0
    out = capsys.readouterr().out.splitlines()
    assert out == ["0000  74 41     MOV A,#0x41", "0002  D2 8C     SETB TR0"]
