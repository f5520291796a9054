"""The four 8051 I/O ports as pins that devices attach to.

Electrical model (8051 datasheet, ports P1-P3 quasi-bidirectional):

- Each pin has an output latch written by the CPU (the port SFR). A latch of 0 drives the
  pin hard low. A latch of 1 drives it only through a weak pull-up, so an external device can
  pull the pin low, and the pin then reads 0.
- A pin reads ``latch AND external level``: the CPU's port read sees the pins, while the
  read-modify-write instructions (ANL/ORL/XRL/CPL/INC/DEC/DJNZ/MOV bit/CLR bit/SETB bit/JBC
  on a port) read the latch. That distinction belongs to the CPU; this module supplies both.
- P0 is open-drain: it needs external pull-ups to read or drive high. The boards we model
  all fit a resistor network, so P0 is treated as pulled up like the others.

Devices drive a pin with 0 (pull low), 1 (drive high, push-pull) or None (release,
high-impedance). A device driving 1 while the CPU latch (or another device) holds the pin
low is a short between two outputs: the pin reads 0 and the fact is recorded in
``conflicts`` so a test can fail on it.

Watchers are called synchronously, with the machine cycle of the change, whenever the level
of a watched pin changes, whoever changed it. The CPU passes the cycle at which its writing
instruction completes; scheduled events pass their own cycle. When one change moves several
pins of a port, their watchers are called pin by pin, lowest bit first, each pin's in the
order they were registered.

Muting: a watcher that would do nothing for a while (a timer input while its timer is not
counting, a sensor that is absent) can be muted (``mute(watch)``) and unmuted later. A
muted watcher is not called, and a port write that moves only pins with no unmuted watcher
costs nothing beyond storing the latch. The rule for whoever mutes: only while the callback
would ignore every change. Unmuting takes effect at once, also for the rest of a change
being delivered (a watcher of a lower pin that unmutes a higher pin's watcher: that one
sees this change too), so muting never changes what a model sees.
"""

from __future__ import annotations

# collections.abc for the annotations only: importing it costs every fresh `exec` 1 ms
TYPE_CHECKING = False
if TYPE_CHECKING:
    from collections.abc import Callable
    Watcher = Callable[[int, int], None]  # (level, cycle)


class Conflict(tuple):
    """A short: (cycle, port, bit, owner of the driver pushing high). A tuple, not a
    dataclass: importing dataclasses would cost every fresh ``clock51-sim exec`` 6 ms."""

    __slots__ = ()

    def __new__(cls, cycle: int, port: int, bit: int, owner: str) -> Conflict:
        return tuple.__new__(cls, (cycle, port, bit, owner))

    cycle = property(lambda self: self[0])
    port = property(lambda self: self[1])
    bit = property(lambda self: self[2])
    owner = property(lambda self: self[3])

    def __repr__(self) -> str:
        return f"Conflict(cycle={self[0]}, port={self[1]}, bit={self[2]}, owner={self[3]!r})"


class Watch:
    """One watcher registration (``PortBus.watch``); ``active`` is False while muted."""

    __slots__ = ("port", "bit", "callback", "active")

    def __init__(self, port: int, bit: int, callback: Watcher) -> None:
        self.port, self.bit, self.callback, self.active = port, bit, callback, True

    def __repr__(self) -> str:
        state = "" if self.active else ", muted"
        return f"Watch(P{self.port}.{self.bit}, {self.callback!r}{state})"


class PortBus:
    """Latches, external drivers and watchers of ports P0-P3."""

    def __init__(self) -> None:
        self.latch = [0xFF, 0xFF, 0xFF, 0xFF]
        # ext[p]: bit = 0 where some device pulls the pin low, else 1.
        self.ext = [0xFF, 0xFF, 0xFF, 0xFF]
        # high[p]: bit = 1 where some device actively drives the pin high.
        self._high = [0, 0, 0, 0]
        self._short = [0, 0, 0, 0]
        # per port: owner -> (low mask, high mask)
        self._drivers: list[dict[str, tuple[int, int]]] = [{}, {}, {}, {}]
        # per pin: every registration, muted or not, in the order of registration
        self._watches: list[list[list[Watch]]] = [[[] for _ in range(8)] for _ in range(4)]
        # per port: bit = 1 where at least one watcher is not muted
        self.watch_mask = [0, 0, 0, 0]
        self.conflicts: list[Conflict] = []

    # -- reading -----------------------------------------------------------------------
    def level(self, port: int) -> int:
        """What the CPU reads from the port pins."""
        return self.latch[port] & self.ext[port]

    def pin(self, port: int, bit: int) -> int:
        return (self.latch[port] & self.ext[port]) >> bit & 1

    def drives(self, port: int) -> dict[str, tuple[int, int]]:
        """Who drives pins of ``port`` now: owner -> (mask pulled low, mask driven high)."""
        return dict(self._drivers[port])

    # -- the CPU side ------------------------------------------------------------------
    def write_latch(self, port: int, value: int, cycle: int) -> None:
        """The CPU wrote the port SFR (any instruction that writes it). The hot path of
        bit-banged protocols: written for speed."""
        latch = self.latch
        value &= 0xFF
        old = latch[port]
        diff = old ^ value
        if not diff:
            return
        latch[port] = value
        ext = self.ext[port]
        if diff & self._high[port]:  # a pin a device drives high: a short starts or ends
            self._settle(port, old & ext, cycle)
            return
        moved = diff & ext  # the pins whose level changes
        if moved & self.watch_mask[port]:  # (else none is watched: nothing else to do)
            self._deliver(port, moved, value & ext, cycle)

    # -- the device side ---------------------------------------------------------------
    def drive(self, owner: str, port: int, bit: int, level: int | None, cycle: int) -> None:
        """Device ``owner`` drives pin (port, bit) to 0, 1 or releases it (None)."""
        drivers = self._drivers[port]
        low0, high0 = drivers.get(owner, (0, 0))
        m = 1 << bit
        if level == 0:
            low, high = low0 | m, high0 & ~m
        elif level == 1:
            low, high = low0 & ~m, high0 | m
        else:
            low, high = low0 & ~m, high0 & ~m
        if low == low0 and high == high0:
            return  # already driven so: nothing changes
        ext = self.ext
        old = self.latch[port] & ext[port]
        if low or high:
            drivers[owner] = (low, high)
        else:
            drivers.pop(owner, None)
        if not drivers:
            all_low = all_high = 0
        elif len(drivers) == 1 and owner in drivers:  # the common case: one device
            all_low, all_high = low, high
        else:
            all_low = all_high = 0
            for lo, hi in drivers.values():
                all_low |= lo
                all_high |= hi
        ext[port] = ~all_low & 0xFF
        self._high[port] = all_high
        self._settle(port, old, cycle)

    def watch(self, port: int, bit: int, callback: Watcher) -> Watch:
        """Call ``callback(level, cycle)`` whenever pin (port, bit) changes level; the
        returned registration can be muted and unmuted."""
        w = Watch(port, bit, callback)
        self._watches[port][bit].append(w)
        self.watch_mask[port] |= 1 << bit
        return w

    def mute(self, w: Watch) -> None:
        """Stop calling ``w`` (only while its callback would ignore every change)."""
        if w.active:
            w.active = False
            self._remask(w.port, w.bit)

    def unmute(self, w: Watch) -> None:
        if not w.active:
            w.active = True
            self.watch_mask[w.port] |= 1 << w.bit

    def _remask(self, port: int, bit: int) -> None:
        if any(x.active for x in self._watches[port][bit]):
            self.watch_mask[port] |= 1 << bit
        else:
            self.watch_mask[port] &= ~(1 << bit)

    # -- internals ---------------------------------------------------------------------
    def _settle(self, port: int, old: int, cycle: int) -> None:
        new = self.latch[port] & self.ext[port]
        high = self._high[port]
        if high or self._short[port]:
            short = high & ~new & 0xFF
            fresh = short & ~self._short[port]
            self._short[port] = short
            if fresh:
                for bit in range(8):
                    if fresh >> bit & 1:
                        for owner, (_lo, hi) in self._drivers[port].items():
                            if hi >> bit & 1:
                                self.conflicts.append(Conflict(cycle, port, bit, owner))
        moved = old ^ new
        if moved & self.watch_mask[port]:
            self._deliver(port, moved, new, cycle)

    def _deliver(self, port: int, moved: int, new: int, cycle: int) -> None:
        """Call the watchers of the pins in ``moved`` (now at levels ``new``), lowest pin
        first, each pin's in registration order."""
        watches = self._watches[port]
        mask = self.watch_mask
        pending = moved & mask[port]
        while pending:
            low = pending & -pending
            bit = low.bit_length() - 1
            lvl = new >> bit & 1
            for w in watches[bit]:
                if w.active:
                    w.callback(lvl, cycle)
            # the higher pins still to deliver, with the watchers unmuted meanwhile
            pending = moved & mask[port] & -(low << 1)
