"""Solar-term table and festival/term names for the clock51 firmware (build time).

Reads the committed term days (solar_terms.txt, written by solar_oracle.py from astronomy)
and finds their compact exact encoding; the PlatformIO pre-build script passes the result
to every firmware template as `solar` (templates/solar_table.h.j2 renders it, src/solar.c
decodes it). Needs nothing but the standard library.

The encoding (the classic "Y * D + C" rule of Chinese almanacs, fitted): for year
Y = 0..99 (2000..2099) and term k = 0..23 (month k // 2 + 1),

    day = ((Y * D + c[k]) >> 8) - ((Y + (3 if k < 4 else 0)) >> 2) + fix(Y, k)

D = 62 (0.2422 day, the tropical year's excess over 365 days, in 1/256 day) is shared;
c[k] (16 bits, 1/256 day) is fitted per term to miss the fewest years; the Y >> 2 term
takes back the leap days (for January and February those of the years before Y, hence
the + 3). fix() is +-1 on the few (year, term) pairs the straight line misses: terms whose
instant lies within minutes of midnight while the line drifts by the planets' pull and
nutation; no term needs more than one, so the correction is one byte a term. The table is
24 * 3 = 72 bytes; build_table() proves it exact for all 2400 terms, and
`python firmware/tools/solartable.py` prints the comparison with other encodings.

Names: every pinyin name is two syllables, every syllable a head and a tail out of 16 each
(Xiao = X + iao, Shuang = Shu + ang), so a name is two bytes and the shared syllables and
their pieces are stored once (HEADS, TAILS below).
"""

from __future__ import annotations

import importlib.util
import re
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
D = 62                       # 1/256 day per year: 0.2421875
FIRST_YEAR = 2000
YEARS = 100
TERMS = 24

# lunar festivals: (pinyin, Chinese, lunar month, lunar day); 除夕 (ChuXi) is the last
# day of the lunar year and 清明 (QingMing) is the solar term of that name.
LUNAR_FESTIVALS = [
    ("ChunJie", "春节", 1, 1), ("YuanXiao", "元宵", 1, 15), ("DuanWu", "端午", 5, 5),
    ("QiXi", "七夕", 7, 7), ("ZhongYuan", "中元", 7, 15), ("ZhongQiu", "中秋", 8, 15),
    ("ChongYang", "重阳", 9, 9), ("LaBa", "腊八", 12, 8), ("XiaoNian", "小年", 12, 23),
]
CHUXI = ("ChuXi", "除夕")
QINGMING_TERM = 6


def _oracle_module():
    spec = importlib.util.spec_from_file_location("clock51_solar_oracle",
                                                  HERE / "solar_oracle.py")
    assert spec and spec.loader
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    return mod


_oracle = _oracle_module()
TERM_NAMES = _oracle.TERM_NAMES
read_table = _oracle.read_table


def leap_back(y: int, k: int) -> int:
    """The leap days taken back: Y >> 2, for January/February (Y + 3) >> 2."""
    return (y + (3 if k < 4 else 0)) >> 2


def line_day(y: int, k: int, c: int, d: int = D) -> int:
    return ((y * d + c) >> 8) - leap_back(y, k)


def fit_term(days: list[int], k: int, d: int = D) -> tuple[int, list[int]]:
    """The c (1/256 day) whose line misses the fewest years of term k, and those years."""
    # day == ((y*d + c) >> 8) - lb  <=>  256*(day + lb) - y*d <= c < 256*(day + lb + 1) - y*d
    events: list[tuple[int, int]] = []
    for y, day in enumerate(days):
        lo = 256 * (day + leap_back(y, k)) - y * d
        events += [(lo, 1), (lo + 256, -1)]
    events.sort()
    best, cover, c = -1, 0, 0
    for x, e in events:
        cover += e
        if cover > best:
            best, c = cover, x
    missed = [y for y, day in enumerate(days) if line_day(y, k, c, d) != day]
    return c, missed


def term_day(y: int, k: int, c: list[int], fixes: dict[tuple[int, int], int]) -> int:
    """What the firmware computes (solar.c): the day of the month of term k in year Y."""
    return line_day(y, k, c[k]) + fixes.get((y, k), 0)


# A syllable is printed as a head and a tail, each one of 16 strings, so a syllable is one
# byte (head << 4 | tail) and a name two. The split of each syllable is the longest head of
# HEADS whose rest is in TAILS (chosen so that 16 of each suffice for every name).
HEADS = ["Ba", "Ch", "D", "Fen", "Gu", "H", "Ji", "L", "M", "Ni", "Q", "Shu", "W", "X", "Y",
         "Zh"]
TAILS = ["", "a", "an", "ang", "e", "i", "ia", "iao", "ing", "iu", "ng", "ong", "u", "uan",
         "ue", "un"]


def syllable_code(syl: str) -> int:
    """head << 4 | tail of a syllable (its longest head whose rest is a tail)."""
    for h in sorted(HEADS, key=len, reverse=True):
        if syl.startswith(h) and syl[len(h):] in TAILS:
            return HEADS.index(h) << 4 | TAILS.index(syl[len(h):])
    raise ValueError(f"syllable {syl!r} has no head + tail in HEADS, TAILS")


def name_codes(name: str) -> list[int]:
    """The two syllable bytes of a pinyin name (each syllable starts with a capital)."""
    syls = re.findall("[A-Z][a-z]*", name)
    assert len(syls) == 2 and "".join(syls) == name, name
    return [syllable_code(x) for x in syls]


def print_name(codes: list[int]) -> str:
    """What the firmware prints for a name's syllable bytes (solar.c)."""
    return "".join(HEADS[c >> 4] + TAILS[c & 15] for c in codes)


def no_leap_twelfth() -> None:
    """solar.c takes ChuXi as the last day of the twelfth month: no year 1999..2099 may
    have a leap twelfth month (whose last day would be the eve instead)."""
    from lunardate import LunarDate

    for year in range(FIRST_YEAR - 1, FIRST_YEAR + YEARS):
        assert LunarDate.leap_month_for_year(year) != 12, f"{year} has a leap 12th month"


def build_table(days: dict[tuple[int, int], int] | None = None) -> dict:
    """Everything the solar template needs; asserts the encoding is exact."""
    days = days or read_table()
    c: list[int] = []
    fixes: dict[tuple[int, int], int] = {}
    for k in range(TERMS):
        col = [days[(FIRST_YEAR + y, k)] for y in range(YEARS)]
        ck, missed = fit_term(col, k)
        c.append(ck)
        for y in missed:
            fixes[(y, k)] = col[y] - line_day(y, k, ck)
    assert all(abs(v) == 1 for v in fixes.values()), fixes
    fix_of: list[dict | None] = [None] * TERMS
    for (y, k), v in fixes.items():
        assert fix_of[k] is None, f"two fixes for term {k}: the table holds one"
        fix_of[k] = {"year": y, "delta": v}
    for y in range(YEARS):
        for k in range(TERMS):
            assert term_day(y, k, c, fixes) == days[(FIRST_YEAR + y, k)], (y, k)
    assert max(c) + 99 * D < 65536
    names = [n for n, _ in TERM_NAMES] + [f[0] for f in LUNAR_FESTIVALS] + [CHUXI[0]]
    no_leap_twelfth()
    assert len(HEADS) == len(TAILS) == 16
    codes = [name_codes(n) for n in names]
    for n, cs in zip(names, codes, strict=True):
        assert print_name(cs) == n, n
    return {
        "d": D,
        "c": c,
        "fixes": [{"year": y, "term": k, "delta": v} for (y, k), v in sorted(fixes.items())],
        "fix_of": fix_of,
        "term_names": [n for n, _ in TERM_NAMES],
        "festivals": [{"name": n, "zh": zh, "month": m, "day": dd}
                      for n, zh, m, dd in LUNAR_FESTIVALS],
        "chuxi": CHUXI[0],
        "qingming_term": QINGMING_TERM,
        "names": names,
        "name_codes": codes,
        "heads": HEADS,
        "tails": TAILS,
        "table_bytes": 3 * len(c),
    }


def _compare() -> None:
    """Print the sizes of candidate exact encodings of the same 2400 days."""
    days = read_table()
    t = build_table(days)
    print(f"line D={D}/256: c[24] (16 bits) + one correction byte a term = "
          f"{t['table_bytes']} bytes ({len(t['fixes'])} years off the line)")
    for d in range(60, 65):
        miss = sum(len(fit_term([days[(FIRST_YEAR + y, k)] for y in range(YEARS)], k, d)[1])
                   for k in range(TERMS))
        print(f"  D={d}/256: {miss} years off -> 48 + 2 x {miss} = {48 + 2 * miss} bytes "
              "(a list of corrections)")
    lo = {k: min(days[(FIRST_YEAR + y, k)] for y in range(YEARS)) for k in range(TERMS)}
    span = max(days[(FIRST_YEAR + y, k)] - lo[k] for y in range(YEARS) for k in range(TERMS))
    print(f"per-term base day + {span.bit_length()}-bit deltas: "
          f"{24 + (2400 * span.bit_length() + 7) // 8} bytes")
    plain = sum(len(n) + 1 for n in t["names"])
    packed = 2 * len(t["names"]) + sum(len(x) + 1 for x in HEADS + TAILS)
    print(f"names: {len(t['names'])} as 2 syllable bytes + 16 heads + 16 tails = {packed} "
          f"bytes (NUL-separated list: {plain})")


if __name__ == "__main__":
    _compare()
    sys.exit(0)
