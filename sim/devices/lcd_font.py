"""5 x 8 character font for the LCD picture, drawn for this project (ROM A00 layout).

Each glyph is 7 rows of 5 bits (bit 4 = leftmost dot); the 8th row is the cursor row and is
blank. Covered: 0x20-0x7D ASCII with 0x5C drawn as a yen sign, 0x7E right arrow, 0x7F left
arrow and 0xDF the small raised circle used as a degree sign. Everything else in ROM A00
(katakana 0xA1-0xDE, the 0xE0-0xFF symbols, 0x80-0xA0) is drawn as ``PLACEHOLDER``, a hollow
box; 0x10-0x1F are blank in ROM A00.
"""

from __future__ import annotations

PLACEHOLDER = (0x1F, 0x11, 0x11, 0x11, 0x11, 0x11, 0x1F)
BLANK = (0, 0, 0, 0, 0, 0, 0)

_TABLE = """
20 00 00 00 00 00 00 00
21 04 04 04 04 04 00 04
22 0A 0A 0A 00 00 00 00
23 0A 0A 1F 0A 1F 0A 0A
24 04 0F 14 0E 05 1E 04
25 18 19 02 04 08 13 03
26 0C 12 14 08 15 12 0D
27 0C 04 08 00 00 00 00
28 02 04 08 08 08 04 02
29 08 04 02 02 02 04 08
2A 00 04 15 0E 15 04 00
2B 00 04 04 1F 04 04 00
2C 00 00 00 00 0C 04 08
2D 00 00 00 1F 00 00 00
2E 00 00 00 00 00 0C 0C
2F 00 01 02 04 08 10 00
30 0E 11 13 15 19 11 0E
31 04 0C 04 04 04 04 0E
32 0E 11 01 02 04 08 1F
33 1F 02 04 02 01 11 0E
34 02 06 0A 12 1F 02 02
35 1F 10 1E 01 01 11 0E
36 06 08 10 1E 11 11 0E
37 1F 01 02 04 08 08 08
38 0E 11 11 0E 11 11 0E
39 0E 11 11 0F 01 02 0C
3A 00 0C 0C 00 0C 0C 00
3B 00 0C 0C 00 0C 04 08
3C 02 04 08 10 08 04 02
3D 00 00 1F 00 1F 00 00
3E 08 04 02 01 02 04 08
3F 0E 11 01 02 04 00 04
40 0E 11 01 0D 15 15 0E
41 0E 11 11 11 1F 11 11
42 1E 11 11 1E 11 11 1E
43 0E 11 10 10 10 11 0E
44 1C 12 11 11 11 12 1C
45 1F 10 10 1E 10 10 1F
46 1F 10 10 1E 10 10 10
47 0E 11 10 17 11 11 0F
48 11 11 11 1F 11 11 11
49 0E 04 04 04 04 04 0E
4A 07 02 02 02 02 12 0C
4B 11 12 14 18 14 12 11
4C 10 10 10 10 10 10 1F
4D 11 1B 15 15 11 11 11
4E 11 11 19 15 13 11 11
4F 0E 11 11 11 11 11 0E
50 1E 11 11 1E 10 10 10
51 0E 11 11 11 15 12 0D
52 1E 11 11 1E 14 12 11
53 0F 10 10 0E 01 01 1E
54 1F 04 04 04 04 04 04
55 11 11 11 11 11 11 0E
56 11 11 11 11 11 0A 04
57 11 11 11 15 15 15 0A
58 11 11 0A 04 0A 11 11
59 11 11 11 0A 04 04 04
5A 1F 01 02 04 08 10 1F
5B 0E 08 08 08 08 08 0E
5C 11 0A 1F 04 1F 04 04
5D 0E 02 02 02 02 02 0E
5E 04 0A 11 00 00 00 00
5F 00 00 00 00 00 00 1F
60 08 04 02 00 00 00 00
61 00 00 0E 01 0F 11 0F
62 10 10 16 19 11 11 1E
63 00 00 0E 10 10 11 0E
64 01 01 0D 13 11 11 0F
65 00 00 0E 11 1F 10 0E
66 06 09 08 1C 08 08 08
67 00 0F 11 11 0F 01 0E
68 10 10 16 19 11 11 11
69 04 00 0C 04 04 04 0E
6A 02 00 06 02 02 12 0C
6B 10 10 12 14 18 14 12
6C 0C 04 04 04 04 04 0E
6D 00 00 1A 15 15 11 11
6E 00 00 16 19 11 11 11
6F 00 00 0E 11 11 11 0E
70 00 00 1E 11 1E 10 10
71 00 00 0D 13 0F 01 01
72 00 00 16 19 10 10 10
73 00 00 0E 10 0E 01 1E
74 08 08 1C 08 08 09 06
75 00 00 11 11 11 13 0D
76 00 00 11 11 11 0A 04
77 00 00 11 11 15 15 0A
78 00 00 11 0A 04 0A 11
79 00 00 11 11 0F 01 0E
7A 00 00 1F 02 04 08 1F
7B 02 04 04 08 04 04 02
7C 04 04 04 04 04 04 04
7D 08 04 04 02 04 04 08
7E 00 04 02 1F 02 04 00
7F 00 04 08 1F 08 04 00
DF 1C 14 1C 00 00 00 00
"""


def _parse(table: str) -> dict[int, tuple[int, ...]]:
    font: dict[int, tuple[int, ...]] = {}
    for line in table.strip().splitlines():
        code, *rows = (int(x, 16) for x in line.split())
        assert len(rows) == 7 and all(r < 32 for r in rows), line
        font[code] = tuple(rows)
    return font


FONT: dict[int, tuple[int, ...]] = _parse(_TABLE)


def rom_glyph(code: int) -> tuple[int, ...]:
    """Eight 5-bit rows of a ROM A00 character (code >= 0x10)."""
    if code < 0x20:
        rows = BLANK
    else:
        rows = FONT.get(code, PLACEHOLDER)
    return rows + (0,)
