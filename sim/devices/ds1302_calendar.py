"""DS1302 clock registers <-> calendar arithmetic (pure functions, no pins, no state).

The chip counts years 00-99 and treats every year divisible by 4 as a leap year, which is the
Gregorian rule for 2000-2099. Its calendar is therefore periodic: 100 years of 36,525 days,
and 2099-12-31 23:59:59 is followed by year 00, i.e. 2000-01-01 00:00:00 (2100-02-29 would be
a "leap day" of year 00 = 2000, which exists; 2100 itself is never reached).

Register layout (BCD): seconds CH|10s(3)|s(4); minutes 0|10m(3)|m(4); hours 12/24|0|AM-PM or
20h|10h|h(4); date 00|10d(2)|d(4); month 000|10m|m(4); day 0..0|d(3); year 10y(4)|y(4).
"""

from __future__ import annotations

import datetime as dt

SEC, MIN, HOUR, DATE, MONTH, DAY, YEAR = range(7)
REG_NAMES = ("seconds", "minutes", "hours", "date", "month", "day", "year")

DAYS_PER_CYCLE = 36_525  # 100 chip years, 25 of them leap
SECONDS_PER_DAY = 86_400
_ORD_2000 = dt.date(2000, 1, 1).toordinal()
_MONTH_DAYS = (31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31)


def bcd(value: int) -> int:
    return (value // 10) << 4 | value % 10


def from_bcd(reg: int) -> int:
    return (reg >> 4) * 10 + (reg & 0x0F)


def is_bcd(reg: int) -> bool:
    return (reg >> 4) <= 9 and (reg & 0x0F) <= 9


def days_in_month(month: int, year2: int) -> int:
    """year2 is the chip's 00-99 year; every 4th year is a leap year."""
    if month == 2 and year2 % 4 == 0:
        return 29
    return _MONTH_DAYS[month - 1]


def hour24(reg: int) -> int:
    """Decode an hours register (either mode) to 0..23 (no range check)."""
    if reg & 0x80:
        h12 = from_bcd(reg & 0x1F)
        return h12 % 12 + (12 if reg & 0x20 else 0)
    return from_bcd(reg & 0x3F)


def encode_hour(h24: int, mode12: bool) -> int:
    if not mode12:
        return bcd(h24)
    h12 = h24 % 12 or 12
    return 0x80 | (0x20 if h24 >= 12 else 0) | bcd(h12)


def field_error(index: int, reg: int) -> str | None:
    """Why a value written to clock register ``index`` is illogical, or None if it is fine."""
    name = REG_NAMES[index]
    if index == SEC:
        v = reg & 0x7F
        ok = is_bcd(v) and from_bcd(v) <= 59
    elif index == MIN:
        ok = reg & 0x80 == 0 and is_bcd(reg) and from_bcd(reg) <= 59
    elif index == HOUR:
        if reg & 0x40:
            ok = False
        elif reg & 0x80:
            v = reg & 0x1F
            ok = is_bcd(v) and 1 <= from_bcd(v) <= 12
        else:
            ok = is_bcd(reg & 0x3F) and from_bcd(reg & 0x3F) <= 23
    elif index == DATE:
        ok = reg & 0xC0 == 0 and is_bcd(reg) and 1 <= from_bcd(reg) <= 31
    elif index == MONTH:
        ok = reg & 0xE0 == 0 and is_bcd(reg) and 1 <= from_bcd(reg) <= 12
    elif index == DAY:
        ok = 1 <= reg <= 7
    else:
        ok = is_bcd(reg)
    return None if ok else f"{name} = 0x{reg:02X} is not a valid {name} value"


def calendar_error(regs: list[int]) -> str | None:
    """Field errors, or a date that does not exist in its month (Feb 30, Apr 31, ...)."""
    for i in range(7):
        err = field_error(i, regs[i])
        if err:
            return err
    date, month, year = from_bcd(regs[DATE]), from_bcd(regs[MONTH]), from_bcd(regs[YEAR])
    if date > days_in_month(month, year):
        return f"date {date:02d} does not exist in month {month:02d} of year 20{year:02d}"
    return None


def coerce(regs: list[int]) -> list[int]:
    """Nearest logical contents (used when the chip runs on illogical ones: undefined)."""
    out = list(regs)
    out[SEC] = (regs[SEC] & 0x80) | bcd(min(_loose(regs[SEC] & 0x7F), 59))
    out[MIN] = bcd(min(_loose(regs[MIN] & 0x7F), 59))
    mode12 = bool(regs[HOUR] & 0x80)
    if mode12:
        h12 = min(max(_loose(regs[HOUR] & 0x1F), 1), 12)
        out[HOUR] = 0x80 | (regs[HOUR] & 0x20) | bcd(h12)
    else:
        out[HOUR] = bcd(min(_loose(regs[HOUR] & 0x3F), 23))
    year = min(_loose(regs[YEAR]), 99)
    month = min(max(_loose(regs[MONTH] & 0x1F), 1), 12)
    date = min(max(_loose(regs[DATE] & 0x3F), 1), days_in_month(month, year))
    out[YEAR], out[MONTH], out[DATE] = bcd(year), bcd(month), bcd(date)
    out[DAY] = regs[DAY] & 0x07
    return out


def _loose(reg: int) -> int:
    return (reg >> 4) * 10 + min(reg & 0x0F, 9)


def add_seconds(regs: list[int], seconds: int) -> list[int]:
    """Registers after ``seconds`` more seconds of counting (regs must be logical).

    O(1) whatever the span: day numbers, not a loop over seconds. The day-of-week counter
    steps once per midnight crossed, 7 -> 1 (a 0 steps to 1 and then cycles).
    """
    year = from_bcd(regs[YEAR])
    day_no = (
        dt.date(2000 + year, from_bcd(regs[MONTH]), from_bcd(regs[DATE])).toordinal() - _ORD_2000
    )
    second_of_day = (
        hour24(regs[HOUR]) * 3600 + from_bcd(regs[MIN]) * 60 + from_bcd(regs[SEC] & 0x7F)
    )
    total = day_no * SECONDS_PER_DAY + second_of_day + seconds
    new_day_no, new_second = divmod(total, SECONDS_PER_DAY)
    midnights = new_day_no - day_no
    day_in_cycle = new_day_no % DAYS_PER_CYCLE
    date = dt.date.fromordinal(_ORD_2000 + day_in_cycle)  # 2000-01-01 .. 2099-12-31
    h, rest = divmod(new_second, 3600)
    m, s = divmod(rest, 60)
    out = list(regs)
    out[SEC] = (regs[SEC] & 0x80) | bcd(s)
    out[MIN] = bcd(m)
    out[HOUR] = encode_hour(h, bool(regs[HOUR] & 0x80))
    out[DATE] = bcd(date.day)
    out[MONTH] = bcd(date.month)
    out[YEAR] = bcd(date.year - 2000)
    if midnights:
        d = regs[DAY] & 0x07
        if d == 0:
            d, midnights = 1, midnights - 1
        out[DAY] = (d - 1 + midnights) % 7 + 1
    return out


def to_datetime(regs: list[int]) -> dt.datetime | None:
    """The registers as a datetime (whole seconds), or None if they are not logical."""
    if calendar_error(regs):
        return None
    return dt.datetime(
        2000 + from_bcd(regs[YEAR]),
        from_bcd(regs[MONTH]),
        from_bcd(regs[DATE]),
        hour24(regs[HOUR]),
        from_bcd(regs[MIN]),
        from_bcd(regs[SEC] & 0x7F),
    )


def from_datetime(when: dt.datetime, halted: bool, mode12: bool) -> list[int]:
    """Registers for ``when``; day of week = ISO weekday (1 = Monday .. 7 = Sunday)."""
    if not 2000 <= when.year <= 2099:
        raise ValueError(f"the DS1302 counts 2000-2099 only, not {when.year}")
    return [
        (0x80 if halted else 0) | bcd(when.second),
        bcd(when.minute),
        encode_hour(when.hour, mode12),
        bcd(when.day),
        bcd(when.month),
        when.isoweekday(),
        bcd(when.year - 2000),
    ]
