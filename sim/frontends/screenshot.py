"""A picture of the LCD module (Pillow): backlight, dot grid, characters and cursor, at the
module's geometry (16 x 2, 20 x 4 ...).

Each character cell is 5 x 8 dots; dots that are off are drawn faintly, like the real glass.
CGRAM codes (0x00-0x0F) are drawn from the controller's CGRAM, everything else from the
project's own ROM A00 table (``lcd_font``). The cursor is the 8th dot row of its cell; a
blinking cursor alternates the cell with an all-dots block (phase from the machine cycle).
In one-line mode (an uninitialised module) the rows of controller line 1 show dark blocks
(the contrast is set for two lines), with any displayed characters darker on top; the other
rows stay empty.
"""

from __future__ import annotations

from pathlib import Path

from PIL import Image, ImageDraw

from sim.devices.hd44780 import HD44780
from sim.devices.lcd_font import rom_glyph

# backlight -> (background, dot off, dot on, block of an uninitialised row)
PALETTES: dict[str, tuple[tuple[int, int, int], ...]] = {
    "green": ((150, 190, 40), (138, 178, 36), (28, 44, 18), (86, 116, 30)),
    "blue": ((30, 60, 210), (40, 72, 222), (236, 242, 255), (120, 146, 236)),
}


def cell_rows(lcd: HD44780, code: int) -> list[int]:
    """Eight 5-bit dot rows for a character code as the controller would show it."""
    glyph = lcd.glyph(code)
    return glyph if glyph is not None else list(rom_glyph(code))


def lcd_cells(lcd: HD44780, cycle: int | None = None) -> list[tuple[list[int], bool]]:
    """The cells as drawn, row by row (columns x rows of them): eight 5-bit dot rows each
    (blink, cursor and display-off applied) and whether the cell's unlit dots show as a
    dark block (a row of an uninitialised one-line module). ``cycle`` picks the blink phase
    (None: block shown). The browser view draws from these too, so it matches the picture
    dot for dot."""
    rows = lcd.visible_codes()
    dark = lcd.dark_rows()
    cursor = lcd.cursor_cell() if lcd.display_on else None
    blink_block = lcd.blink_on and (cycle is None or lcd.blink_phase(cycle))
    cells: list[tuple[list[int], bool]] = []
    for r in range(lcd.rows):
        codes = rows[r]
        for c in range(lcd.columns):
            dots = [0] * 8
            if codes is not None and lcd.display_on:
                dots = cell_rows(lcd, codes[c])
                if cursor == (r, c):
                    if blink_block:
                        dots = [0x1F] * 8
                    elif lcd.cursor_on:
                        dots[7] = 0x1F
            cells.append((dots, dark[r]))
    return cells


def geometry(dot: int = 3, columns: int = 16, rows: int = 2) -> dict[str, int]:
    """Sizes in pixels: dot, pitch (dot + gap), cell width/height, margin, picture size,
    and the module's columns and rows."""
    pitch = dot + 1
    cell_w, cell_h = 5 * pitch + pitch, 8 * pitch + pitch
    margin = 4 * pitch
    return {"dot": dot, "pitch": pitch, "cell_w": cell_w, "cell_h": cell_h, "margin": margin,
            "columns": columns, "rows": rows,
            "width": 2 * margin + columns * cell_w, "height": 2 * margin + rows * cell_h}


def render(
    lcd: HD44780, cycle: int | None = None, backlight: str = "green", dot: int = 3
) -> Image.Image:
    """Draw the module. ``cycle`` picks the blink phase (None: block shown)."""
    bg, off, on, block = PALETTES[backlight]
    g = geometry(dot, lcd.columns, lcd.rows)
    pitch, margin = g["pitch"], g["margin"]
    img = Image.new("RGB", (g["width"], g["height"]), bg)
    draw = ImageDraw.Draw(img)
    for i, (dots, dark) in enumerate(lcd_cells(lcd, cycle)):
        r, c = divmod(i, lcd.columns)
        background = block if dark else off
        x0, y0 = margin + c * g["cell_w"], margin + r * g["cell_h"]
        for y in range(8):
            for x in range(5):
                lit = dots[y] >> (4 - x) & 1
                colour = on if lit else background
                px, py = x0 + x * pitch, y0 + y * pitch
                draw.rectangle((px, py, px + dot - 1, py + dot - 1), fill=colour)
    return img


def save_png(
    lcd: HD44780, path: str | Path, cycle: int | None = None, backlight: str = "green"
) -> None:
    image = render(lcd, cycle, backlight)
    with open(path, "wb") as f:  # closed also when a write fails (a full disk)
        image.save(f, format="PNG")
