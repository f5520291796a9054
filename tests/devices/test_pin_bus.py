"""The pin bus (sim/bus/pins.py): watchers, muting, drivers and shorts."""

from sim.bus.pins import PortBus
from sim.cpu import CPU
from tests.cpu.cpuhelp import image


def _recorder(log: list, name: str):
    return lambda level, cycle: log.append((name, level, cycle))


def test_a_watcher_sees_every_change_of_its_pin_whoever_makes_it():
    bus, log = PortBus(), []
    bus.watch(1, 3, _recorder(log, "w"))
    bus.write_latch(1, 0xF7, 10)             # the CPU pulls P1.3 low
    bus.write_latch(1, 0xF7, 11)             # no change: no call
    bus.write_latch(1, 0xFF, 12)
    bus.drive("dev", 1, 3, 0, 13)            # a device pulls it low
    bus.drive("dev", 1, 3, None, 14)
    assert log == [("w", 0, 10), ("w", 1, 12), ("w", 0, 13), ("w", 1, 14)]


def test_a_muted_watcher_is_not_called_and_an_unmuted_one_is_again():
    bus, log = PortBus(), []
    w = bus.watch(1, 3, _recorder(log, "w"))
    bus.mute(w)
    assert not w.active and bus.watch_mask[1] == 0   # a write moving P1.3 costs nothing
    bus.write_latch(1, 0xF7, 10)
    bus.unmute(w)
    bus.write_latch(1, 0xFF, 12)
    assert log == [("w", 1, 12)]


def test_muting_one_of_two_watchers_keeps_the_pin_watched():
    bus, log = PortBus(), []
    a = bus.watch(2, 0, _recorder(log, "a"))
    bus.watch(2, 0, _recorder(log, "b"))
    bus.mute(a)
    assert bus.watch_mask[2] == 1
    bus.write_latch(2, 0xFE, 5)
    assert log == [("b", 0, 5)]


def test_pins_changed_together_are_delivered_lowest_first_in_registration_order():
    bus, log = PortBus(), []
    bus.watch(3, 6, _recorder(log, "p6"))
    bus.watch(3, 2, _recorder(log, "p2a"))
    bus.watch(3, 2, _recorder(log, "p2b"))
    bus.write_latch(3, 0xBB, 7)
    assert log == [("p2a", 0, 7), ("p2b", 0, 7), ("p6", 0, 7)]


def test_a_watcher_unmuted_by_a_lower_pin_sees_the_same_change():
    # as if it had never been muted: what a model sees does not depend on muting
    bus, log = PortBus(), []
    high = bus.watch(0, 5, _recorder(log, "p5"))
    bus.mute(high)

    def low_pin(level: int, cycle: int) -> None:
        log.append(("p1", level, cycle))
        bus.unmute(high)

    bus.watch(0, 1, low_pin)
    bus.write_latch(0, 0xDD, 3)              # P0.1 and P0.5 fall together
    assert log == [("p1", 0, 3), ("p5", 0, 3)]


def test_a_watcher_muted_by_another_of_the_same_change_is_skipped():
    bus, log = PortBus(), []
    late = bus.watch(0, 4, _recorder(log, "late"))
    bus.watch(0, 0, lambda level, cycle: bus.mute(late))
    bus.write_latch(0, 0xEE, 3)
    assert log == []


def test_a_short_is_recorded_when_the_latch_pulls_down_a_pin_a_device_drives_high():
    bus = PortBus()
    bus.drive("chip", 3, 4, 1, 5)
    bus.write_latch(3, 0xFF, 6)              # latch high too: no short
    assert bus.conflicts == []
    bus.write_latch(3, 0xEF, 7)              # the latch pulls P3.4 low against the chip
    assert [(c.cycle, c.port, c.bit, c.owner) for c in bus.conflicts] == [(7, 3, 4, "chip")]
    assert bus.pin(3, 4) == 0
    bus.write_latch(3, 0xFF, 8)              # ends it; a new one is a new conflict
    bus.write_latch(3, 0xEF, 9)
    assert len(bus.conflicts) == 2


def test_two_devices_pulling_one_port():
    bus = PortBus()
    bus.drive("a", 1, 0, 0, 1)
    bus.drive("b", 1, 1, 0, 1)
    assert bus.level(1) == 0xFC
    bus.drive("a", 1, 0, None, 2)
    assert bus.level(1) == 0xFD and bus.drives(1) == {"b": (0x02, 0)}


# -- the CPU's own watchers ---------------------------------------------------------------

def test_the_cpu_listens_to_t0_only_while_timer_0_counts_pin_edges():
    bus = PortBus()
    # MOV TMOD,#05 (Timer 0 counter, mode 1) ; SETB TR0 ; SJMP $
    cpu = CPU(image("75 89 05 D2 8C 80 FE"), ports=bus)
    assert not bus.watch_mask[3] & 0x10      # after reset: a timer, P3.4 not watched
    cpu.run(5)
    assert bus.watch_mask[3] & 0x10
    for _ in range(3):                       # three falling edges are counted
        bus.drive("src", 3, 4, 0, cpu.cycles)
        bus.drive("src", 3, 4, None, cpu.cycles)
        cpu.run(cpu.cycles + 4)
    assert cpu.read_direct(0x8A) == 3


def test_t2ex_is_watched_only_with_exen2():
    bus = PortBus()
    cpu = CPU(image("75 C8 08 80 FE"), ports=bus)  # MOV T2CON,#08 (EXEN2) ; SJMP $
    assert not bus.watch_mask[1] & 0x02
    cpu.run(4)
    assert bus.watch_mask[1] & 0x02
    bus.drive("src", 1, 1, 0, cpu.cycles)
    assert cpu.read_direct(0xC8) & 0x40      # EXF2
