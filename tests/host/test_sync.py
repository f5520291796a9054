"""host.sync: the final SET byte is written at boundary - (frame + latency), on a fake clock."""

from __future__ import annotations

from datetime import datetime, timedelta

import pytest

from host import protocol as p
from host.client import Clock
from host.sync import Latency, final_byte_deadline, measure_latency, measure_offset, sync
from tests.host.fakeclock import START, FakeDevice, FakePort, FakeTime


def rig(latency: float = 0.0005, baud: int = 9600, phase: float = 0.25,
        set_delay: float = 0.0, turnaround: float = 0.0002,
        time: FakeTime | None = None) -> tuple[FakeTime, FakeDevice, FakePort, Clock]:
    time = time or FakeTime(wall0=START.timestamp() + phase)
    device = FakeDevice(time, set_delay=set_delay)
    port = FakePort(device, baudrate=baud, latency=latency, turnaround=turnaround)
    return time, device, port, Clock(port, time_source=time)


def final_byte_write(port: FakePort) -> tuple[float, bytes]:
    """(mono of the write() of the SET line's LF, the SET line)."""
    for i, (_, data) in enumerate(port.writes):
        if data.startswith(b"SET "):
            at, last = port.writes[i + 1]
            assert last == b"\n"
            return at, data + last
    raise AssertionError("no SET line written")


@pytest.mark.parametrize("latency", [0.0, 0.0005, 0.004, 0.020])
@pytest.mark.parametrize("baud", [9600, 2400, 115200])
@pytest.mark.parametrize("phase", [0.0, 0.25, 0.93])
def test_final_byte_is_written_at_boundary_minus_frame_and_latency(
        latency: float, baud: int, phase: float) -> None:
    time, device, port, clock = rig(latency, baud, phase)
    result = sync(clock, verify=0)
    boundary_mono = result.boundary - time.offset
    written, line = final_byte_write(port)
    assert abs(written - (boundary_mono - (10 / baud + latency))) <= 0.001
    assert written == result.written_at == pytest.approx(result.planned_at, abs=1e-9)
    assert line == p.encode_request(p.req_set(datetime.fromtimestamp(result.boundary)))
    assert result.boundary == int(result.boundary)


@pytest.mark.parametrize("latency", [0.0005, 0.004, 0.020])
def test_clock_is_set_to_the_boundary_within_a_millisecond(latency: float) -> None:
    time, device, port, clock = rig(latency)
    result = sync(clock, verify=0)
    (set_at, value), = device.sets
    assert value == datetime.fromtimestamp(result.boundary) == result.clock.when
    assert abs(device.offset()) <= 0.001
    assert abs(set_at - (result.boundary - time.offset)) <= 0.001


def test_set_prefix_has_left_before_the_final_byte_is_written() -> None:
    time, device, port, clock = rig(baud=2400)
    sync(clock, verify=0)
    written, line = final_byte_write(port)
    lf_arrival = max(at for at, byte in port.arrivals if at <= written + 1)
    prefix_arrivals = [at for at, _ in port.arrivals if at < lf_arrival]
    assert prefix_arrivals[-1] < written  # the line was idle when the LF was written
    assert lf_arrival == pytest.approx(written + port.latency + port.frame)


def test_latency_estimate_is_one_way_from_ping_round_trips() -> None:
    time, device, port, clock = rig(latency=0.003, turnaround=0.0004)
    lat = measure_latency(clock, 5)
    assert len(lat.round_trips) == 5
    assert lat.frame == pytest.approx(10 / 9600)
    assert lat.one_way == pytest.approx(0.003 + 0.0004 / 2, abs=1e-9)  # turnaround folded in


def test_final_byte_deadline_formula() -> None:
    lat = Latency(one_way=0.002, round_trips=(), frame=0.001)
    assert final_byte_deadline(100.0, lat) == pytest.approx(100.0 - 0.003)
    assert final_byte_deadline(100.0, lat, device_delay=0.001) == pytest.approx(99.996)


class LateOnce(FakeTime):
    """Oversleeps the first precise wait by ``late`` seconds (a busy system)."""

    def __init__(self, late: float) -> None:
        super().__init__(wall0=START.timestamp() + 0.25)
        self.late = late

    def sleep_until(self, deadline: float) -> None:
        super().sleep_until(deadline + self.late)
        self.late = 0.0


def test_late_wakeup_voids_the_set_line_and_aims_at_the_next_second() -> None:
    time = LateOnce(0.0)
    time, device, port, clock = rig(time=time)
    measure_latency(clock, 1)
    time.late = 0.010
    result = sync(clock, pings=1, verify=0)
    assert len(device.sets) == 1 and abs(device.offset()) <= 0.001
    voided = [line for _, line in device.lines if line.startswith(b"SET") and b"\x18" in line]
    assert len(voided) == 1  # the late attempt was completed by CAN LF: ERR bad byte
    assert result.written_at == pytest.approx(result.planned_at)


class Interrupted(FakeTime):
    def sleep_until(self, deadline: float) -> None:
        if deadline - self.now > 0.05:
            raise KeyboardInterrupt
        super().sleep_until(deadline)


def test_interrupt_while_waiting_leaves_no_half_set_line_behind() -> None:
    time = Interrupted(wall0=START.timestamp() + 0.25)
    time, device, port, clock = rig(time=time)
    with pytest.raises(KeyboardInterrupt):
        sync(clock, pings=1, verify=0)
    assert device.buffer.startswith(b"SET ")  # the partial line sits in the clock...
    clock.get_time()
    assert device.sets == []  # ...and the next request voids it instead of completing it


def test_lost_set_reply_is_resolved_by_reading_the_clock_back() -> None:
    time, device, port, clock = rig()
    original = port._send_reply
    dropped: list[bytes] = []

    def drop_the_set_reply(reply: bytes, ready: float) -> None:
        if device.lines[-1][1].startswith(b"SET") and not dropped:
            dropped.append(reply)
            return
        original(reply, ready)

    port._send_reply = drop_the_set_reply  # type: ignore[method-assign]
    result = sync(clock, pings=1, verify=0)
    assert dropped and len(device.sets) == 1 and abs(device.offset()) <= 0.001
    assert result.clock.when - device.sets[0][1] == timedelta(seconds=1)  # read 1 s later


@pytest.mark.parametrize("offset", [0.0, -0.0015, 0.004, -0.007, 0.3, -0.45])
def test_residual_bracket_contains_the_true_offset(offset: float) -> None:
    time, device, port, clock = rig(turnaround=0.0)
    lat = measure_latency(clock, 3)
    device.rtc_value = round(time.wall()) + 10
    device.rtc_ref = (round(time.wall()) + 10 - offset) - time.offset
    assert device.offset() == pytest.approx(offset, abs=1e-6)
    residual = measure_offset(clock, lat, 6)
    assert residual.probes == 6
    assert residual.low - 1e-6 <= offset < residual.high + 1e-6
    if abs(offset) < 0.01:
        assert residual.half_width <= 0.0026  # +/-10 ms halved twice
    assert "GET probes" in str(residual)


def test_sync_reports_a_residual_within_the_10_ms_target() -> None:
    time, device, port, clock = rig(latency=0.002, set_delay=0.0015)
    result = sync(clock)
    assert result.residual is not None and result.residual.probes == 4
    assert abs(result.residual.estimate) <= 0.010
    assert result.residual.low - 1e-6 <= device.offset() < result.residual.high + 1e-6


def test_failed_probe_stops_verification_without_failing_the_sync() -> None:
    time, device, port, clock = rig()
    result = sync(clock, verify=0)
    port.deaf = True
    residual = measure_offset(clock, result.latency, 4)
    assert residual.probes == 0 and "verification stopped" in residual.note


def test_calibrate_compensates_a_slow_set_in_the_clock() -> None:
    time, device, port, clock = rig(set_delay=0.005)
    first = sync(clock, verify=6)
    assert first.residual is not None and first.residual.estimate == pytest.approx(-0.005,
                                                                                   abs=0.001)
    time, device, port, clock = rig(set_delay=0.005)
    result = sync(clock, verify=6, calibrate=True)
    assert result.device_delay == pytest.approx(0.005, abs=0.001)
    assert len(device.sets) == 2 and abs(device.offset()) <= 0.001
    assert result.residual is not None and abs(result.residual.estimate) <= 0.001


def test_calibrate_leaves_a_good_sync_alone() -> None:
    time, device, port, clock = rig()
    result = sync(clock, verify=4, calibrate=True)
    assert len(device.sets) == 1 and result.device_delay == 0.0
