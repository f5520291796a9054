"""The STC89 ISP bootloader model, in simulated time: frames built and checked by stcgal's
own protocol classes (stcgal 1.10), host bytes injected at chosen cycles."""

from __future__ import annotations

import datetime as dt

import pytest
from boardprofile import load_profile
from stcgal.protocols import Stc89AProtocol, Stc89Protocol

from sim.cpu import isp
from sim.errors import SimError
from sim.machine.board import Board
from sim.machine.flash import Flash
from sim.measure.isp import host_frame, read_reply, with_isp
from sim.measure.isp import stcgal_protocol as stcgal

CPS = 11059200 // 12
P1 = 1
# MOV P1,#data ; SJMP $  -- a program you can tell by what it leaves on P1
OLD = bytes([0x75, 0x90, 0x55, 0x80, 0xFE])
NEW = bytes([0x75, 0x90, 0xAA, 0x80, 0xFE])


def make_board(protocol: str = "stc89", image: bytes = OLD, **kw: object) -> Board:
    """The reference board with the chip's bootloader generation ``protocol``. Its reset
    circuit is left out (reset_ms = 0: the MCU runs once its crystal does, 2 ms after
    power-on), so the times here count from the MCU's own start, as stcgal sees it."""
    profile = with_isp(load_profile("reference"), protocol, reset_ms=0.0)
    return Board(profile, image, bootloader=True, **kw)  # type: ignore[arg-type]


def send(board: Board, data: bytes, at_s: float | None = None) -> None:
    cycle = board.cycles if at_s is None else board.to_cycles(at_s)
    board.run_until(cycle)
    board.uart.inject(data, board.cycles)


def sync(board: Board) -> None:
    """Two 0x7F 30 ms apart, as stcgal pulses, at 50 ms after power-on."""
    send(board, b"\x7f", 0.05)
    send(board, b"\x7f", 0.08)


def exchange(board: Board, proto: Stc89Protocol | Stc89AProtocol, payload: bytes,
             timeout_s: float = 1.0) -> bytes:
    since = len(board.uart.tx_log)
    send(board, host_frame(proto, payload))
    return read_reply(board, proto, since, timeout_s)


# -- power-on --------------------------------------------------------------------------------
def test_without_a_sync_the_program_starts_after_the_listening_window() -> None:
    board = make_board()
    board.run_for(isp.LISTEN_S - 0.01)
    assert board.cpu.instructions == 0 and board.chip.state == "bsl"
    board.run_for(0.02)
    assert board.chip.state == "app"
    assert board.bus.latch[P1] == 0x55


def test_status_packet_gives_stcgal_11_059_mhz_bsl_4_3c_and_the_stc89c52rc() -> None:
    board = make_board()
    proto = stcgal("stc89")
    sync(board)
    status = read_reply(board, proto, 0)
    assert status[0] == 0x00
    assert status[1:17] == bytes.fromhex("0A80") * 8
    assert status[20:22] == b"\xf0\x02"
    proto.initialize_status(status)
    assert f"{proto.mcu_clock_hz / 1e6:.3f}" == "11.059"
    assert proto.mcu_bsl_version == "4.3C"
    assert not proto.cpu_6t
    # sent without the 46 B9 start, one byte per 10 bit times at 2400 baud
    first = board.uart.tx_log[0][1]
    assert first == 0x68
    gaps = {b[0] - a[0] for a, b in zip(board.uart.tx_log, board.uart.tx_log[1:], strict=False)}
    assert gaps == {round(10 * CPS / 2400)}


def test_the_status_packet_is_sent_once_per_sync() -> None:
    """stcgal keeps pulsing 0x7F while it reads stray bytes: a second status packet would be
    taken for the answer to its next request."""
    board = make_board()
    proto = stcgal("stc89")
    sync(board)
    read_reply(board, proto, 0)
    n = len(board.uart.tx_log)
    for _ in range(5):
        send(board, b"\x7f", board.seconds + 0.03)
    board.run_for(0.5)
    assert len(board.uart.tx_log) == n


# -- a whole stc89 upload --------------------------------------------------------------------
def test_stc89_upload_programs_the_flash_and_resets_into_the_new_program() -> None:
    board = make_board()
    proto = stcgal("stc89")
    sync(board)
    proto.initialize_status(read_reply(board, proto, 0))
    brt = 0xFFFD  # 115200 baud at 11.0592 MHz
    test = bytes([0x8F, 0xFF, 0xFD, 0x00, 0x06, 0xA0, 0x81])
    since = len(board.uart.tx_log)
    assert exchange(board, proto, test) == test  # echoed at the new rate, then back
    echo = board.uart.tx_log[since:]
    assert echo[1][0] - echo[0][0] == round(10 * CPS / 115200)
    assert board.uart.frame_cycles == round(10 * CPS / 2400)
    switch = bytes([0x8E, brt >> 8, brt & 0xFF, 0x00, 0x06, 0xA0])
    assert exchange(board, proto, switch) == switch
    assert board.uart.frame_cycles == round(10 * CPS / 115200)
    for _ in range(4):
        assert exchange(board, proto, bytes([0x80, 0, 0, 0x36, 0x01, 0xF0, 0x02])) == b"\x80"
    t0 = board.cycles
    assert exchange(board, proto, bytes([0x84, 2, 0x33, 0x33, 0x33, 0x33, 0x33, 0x33])) \
        == b"\x80"
    assert board.cycles - t0 >= board.to_cycles(isp.ERASE_S)
    block = NEW + bytes(128 - len(NEW))
    reply = exchange(board, proto, bytes([0, 0, 0, 0, 0, 0, 0x80]) + block)
    assert reply == bytes([0x80, sum(block) & 0xFF])
    assert exchange(board, proto, bytes([0x8D, 0xFD, 0xFF, 0xFF, 0xFF]))[0] == 0x8D
    assert board.flash.data[:len(NEW)] == NEW
    send(board, host_frame(proto, b"\x82"))
    board.run_for(0.05)
    assert board.chip.state == "app"
    assert board.bus.latch[P1] == 0xAA
    assert board.flash.partial() is None


def test_the_ds1302_keeps_its_time_across_an_upload() -> None:
    board = make_board()
    board.set_rtc(dt.datetime(2030, 1, 2, 3, 4, 5))
    proto = stcgal("stc89")
    sync(board)
    read_reply(board, proto, 0)
    exchange(board, proto, bytes([0x84, 2, 0x33, 0x33, 0x33, 0x33, 0x33, 0x33]))
    exchange(board, proto, bytes([0, 0, 0, 0, 0, 0, 0x80]) + NEW + bytes(128 - len(NEW)))
    send(board, host_frame(proto, b"\x82"))
    board.run_for(1.0)
    elapsed = dt.timedelta(seconds=int(board.seconds))
    assert board.rtc.datetime_at(board.cycles) == dt.datetime(2030, 1, 2, 3, 4, 5) + elapsed


# -- faults ----------------------------------------------------------------------------------
def test_a_frame_with_a_bad_checksum_is_not_answered_and_writes_nothing() -> None:
    board = make_board()
    proto = stcgal("stc89")
    sync(board)
    read_reply(board, proto, 0)
    exchange(board, proto, bytes([0x84, 2, 0x33, 0x33, 0x33, 0x33, 0x33, 0x33]))
    good = host_frame(proto, bytes([0, 0, 0, 0, 0, 0, 0x80]) + NEW + bytes(128 - len(NEW)))
    bad = good[:-2] + bytes([good[-2] ^ 0x01]) + good[-1:]
    since = len(board.uart.tx_log)
    send(board, bad)
    board.run_for(1.0)  # 135 bytes at 2400 baud, and then some
    assert len(board.uart.tx_log) == since
    assert board.flash.data[:len(NEW)] == b"\xff" * len(NEW)
    assert board.chip.isp.log[-1] == "ignored: bad checksum"
    send(board, good)  # the host retries: answered and written
    assert read_reply(board, proto, since, timeout_s=1.0)[0] == 0x80
    assert board.flash.data[:len(NEW)] == NEW


def test_a_truncated_frame_is_dropped_and_the_next_frame_is_understood() -> None:
    board = make_board()
    proto = stcgal("stc89")
    sync(board)
    read_reply(board, proto, 0)
    exchange(board, proto, bytes([0x84, 2, 0x33, 0x33, 0x33, 0x33, 0x33, 0x33]))
    block = host_frame(proto, bytes([0, 0, 0, 0, 0, 0, 0x80]) + NEW + bytes(128 - len(NEW)))
    since = len(board.uart.tx_log)
    send(board, block[:60])
    board.run_for(0.5)
    assert len(board.uart.tx_log) == since
    assert exchange(board, proto, bytes([0x80, 0, 0, 0x36, 0x01, 0xF0, 0x02])) == b"\x80"
    assert board.flash.data[:len(NEW)] == b"\xff" * len(NEW)
    assert any("truncated" in line for line in board.chip.isp.log)


def test_an_interrupted_upload_is_reported_in_one_line_when_the_program_runs() -> None:
    notes: list[str] = []
    board = make_board(notify=notes.append)
    proto = stcgal("stc89")
    sync(board)
    read_reply(board, proto, 0)
    exchange(board, proto, bytes([0x84, 4, 0x33, 0x33, 0x33, 0x33, 0x33, 0x33]))
    ljmp = bytes([0x02, 0x01, 0x00])  # LJMP 0x0100: into a block the host never sent
    exchange(board, proto, bytes([0, 0, 0, 0, 0, 0, 0x80]) + ljmp + bytes(125))
    board.power_cycle()  # the host vanished; the user cycles power
    board.run_for(0.5)
    assert board.chip.state == "halted"
    assert notes == [
        "flash: partly programmed (programmed up to 0x0080, erased but empty "
        "0x0080-0x03FF): an interrupted upload? upload again",
        "cpu: ran into erased flash at 0x0100 (the flash is partly programmed); "
        "halted until power is cycled",
    ]


def test_without_the_bootloader_erased_flash_is_a_one_line_error() -> None:
    flash = Flash(8192, OLD)
    flash.erase(0, 512)
    flash.program(0, bytes([0x02, 0x01, 0x00]))
    board = Board("reference", None, flash=flash)
    board.chip.start_program(0)
    with pytest.raises(SimError, match="^ran into erased flash at 0x0100"):
        board.run_for(0.01)


def test_a_burst_of_7f_while_the_program_runs_cycles_power_when_asked_to() -> None:
    board = make_board(power_cycle_on_sync=True)
    board.run_for(0.3)
    assert board.chip.state == "app"
    for i in range(4):
        send(board, b"\x7f", 0.3 + 0.03 * i)
    board.run_for(0.01)
    assert board.chip.state == "bsl" and board.chip.power_cycles == 1


def test_a_block_of_7f_bytes_is_data_not_a_sync_burst_while_cycling_on_sync() -> None:
    """An image with a run of 0x7F (a table of them) is written, not taken for stcgal
    waiting for the MCU."""
    board = make_board(power_cycle_on_sync=True)
    proto = stcgal("stc89")
    sync(board)
    proto.initialize_status(read_reply(board, proto, 0))
    assert exchange(board, proto, bytes([0x84, 2, 0x33, 0x33, 0x33, 0x33, 0x33, 0x33])) \
        == b"\x80"
    block = NEW + b"\x7f" * (128 - len(NEW))
    reply = exchange(board, proto, bytes([0, 0, 0, 0, 0, 0, 0x80]) + block)
    assert reply == bytes([0x80, sum(block) & 0xFF])
    assert board.chip.power_cycles == 0
    assert board.flash.data[:128] == block
    # between frames a burst still means a programmer is waiting (its host vanished)
    for _ in range(4):
        send(board, b"\x7f", board.seconds + 0.03)
    board.run_for(0.01)
    assert board.chip.power_cycles == 1


def test_7f_bytes_reach_the_program_when_power_cycling_on_sync_is_off() -> None:
    board = make_board()
    board.run_for(0.3)
    for i in range(6):
        send(board, b"\x7f", 0.3 + 0.03 * i)
    board.run_for(0.01)
    assert board.chip.state == "app" and board.chip.power_cycles == 0


# -- stc89a (BSL 7.2.5C) ---------------------------------------------------------------------
def test_stc89a_upload_with_16_bit_checksums_and_even_parity_after_the_status() -> None:
    board = make_board("stc89a")
    proto = stcgal("stc89a")
    sync(board)
    status = read_reply(board, proto, 0)
    assert status[0] == 0x50 and status[20:22] == b"\xf0\x51"
    proto.initialize_status(status)
    assert f"{proto.mcu_clock_hz / 1e6:.3f}" == "11.059"
    assert proto.mcu_bsl_version == "7.2.5C"
    assert board.uart.frame_cycles == round(11 * CPS / 2400)  # parity: 11-bit frames
    assert exchange(board, proto, bytes([0x01, 0xFF, 0xFD, 0x82]))[0] == 0x01
    assert board.uart.frame_cycles == round(11 * CPS / 115200)
    assert exchange(board, proto, bytes([0x05, 0x00, 0x00, 0x46, 0xB9]))[0] == 0x05
    erase = exchange(board, proto, bytes([0x03, 0x00, 0x00, 0x46, 0xB9]))
    assert erase[0] == 0x03 and erase[1:3] == b"\xf0\x51"
    data = NEW + bytes(128 - len(NEW))
    assert exchange(board, proto, bytes([0x22, 0, 0, 0x46, 0xB9]) + data)[0] == 0x02
    assert exchange(board, proto, bytes([0x04, 0, 0, 0x46, 0xB9, 0xFD]))[0] == 0x04
    send(board, host_frame(proto, b"\xff"))
    board.run_for(0.05)
    assert board.bus.latch[P1] == 0xAA


def test_stcgal_stc89_cannot_read_a_7_2_5c_status_packet() -> None:
    """stcgal issues #50/#66: the old protocol on the new bootloader."""
    board = make_board("stc89a")
    sync(board)
    board.run_for(0.5)
    raw = bytes(b for _, b in board.uart.tx_log)
    with pytest.raises(Exception, match="checksum mismatch"):
        stcgal("stc89").extract_payload(raw)


def test_power_off_stops_the_program_and_power_on_goes_through_the_bootloader() -> None:
    board = make_board()
    board.run_for(0.3)
    board.power_off()
    ran = board.cpu.instructions
    board.run_for(1.0)
    assert board.cpu.instructions == ran and board.chip.state == "off"
    board.power_on()  # held in reset (ports high) until the crystal runs, then the bootloader
    assert board.chip.state == "reset" and board.bus.latch[P1] == 0xFF
    board.run_until(board.cycles + board.chip.release_cycles)
    assert board.chip.state == "bsl" and board.bus.latch[P1] == 0xFF
    board.run_for(isp.LISTEN_S + 0.01)
    assert board.chip.state == "app" and board.bus.latch[P1] == 0x55


def test_the_handshake_rate_is_the_hosts_when_the_link_knows_it() -> None:
    board = make_board(host_baud=lambda: 9600)
    proto = Stc89Protocol("unused", 9600, 115200)
    send(board, b"\x7f\x7f", 0.05)
    status = read_reply(board, proto, 0)
    proto.initialize_status(status)
    assert f"{proto.mcu_clock_hz / 1e6:.3f}" == "11.059"
    assert status[1:3] == (672).to_bytes(2, "big")  # 2688 / 4


def test_the_figures_script_prints_the_issues_figures_beside_the_references(
        capsys: pytest.CaptureFixture[str]) -> None:
    from sim.measure import isp as figures

    assert figures.main() == 0
    out = capsys.readouterr().out
    assert "stc89: counter 2688 (0x0A80; reference 2688), stcgal: 11.059 MHz (reference " \
           "11.059), BSL 4.3C (reference 4.3C)" in out
    assert "stc89a: counter 384 (0x0180; reference 384), stcgal: 11.059 MHz (reference " \
           "11.059), BSL 7.2.5C (reference 7.2.5C)" in out
