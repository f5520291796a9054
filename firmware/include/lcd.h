/*
 * lcd.h - HD44780 (LCD1602) driver, 8-bit (LCD_DATA port) or 4-bit (LCD_D4..LCD_D7) bus per
 * LCD_BUS_BITS in board_config.h, RS/RW/E on LCD_RS/LCD_RW/LCD_E.
 *
 * Initialisation by instruction (datasheet figure 23/24): wait > 15 ms after power-on,
 * 0x30 (4-bit: nibble 3), wait > 4.1 ms, 0x30, wait > 100 us, 0x30 (then busy flag is
 * valid), [4-bit: nibble 2], function set (2 lines, 5x8), display off, clear, entry mode
 * increment, CGRAM glyphs, display on.
 * Every later instruction/data write first polls the busy flag (RS = 0, RW = 1, DB7), with
 * a bounded loop (255 polls: 4.4 ms on the 8-bit bus, 5.8 ms on the 4-bit one at 11.0592 MHz,
 * as many more rounds of 255 as a faster crystal needs: longer than the 1.64 ms clear). If
 * that bound ever runs out the LCD is taken as absent/broken and from then on fixed delays
 * replace polling (110 us per write, > 5 ms after clear/home), so the firmware never hangs
 * without an LCD.
 */
#ifndef LCD_H
#define LCD_H

#include "compat.h"

#if FW_TARGET
/* assembler that keeps R0-R7 (compat.h explains callee_saves) */
#pragma callee_saves lcd_putc,lcd_command
#endif

#define LCD_LINE1   0x00
#define LCD_LINE2   0x40
#define LCD_COLS    16

#define GLYPH_BELL  0x00            /* CGRAM character code of the alarm bell */
#define GLYPH_EVENT 0x01            /* ... of the lantern: a solar term or festival today */

extern BIT lcd_dead;                /* busy-flag polling timed out: fixed delays used */

void lcd_init(void);                /* needs the tick running (uses tick_wait) */
void lcd_command(uint8_t c);
/* (lcd_command(0x80 | address) moves to a DDRAM address: LCD_LINE1/LCD_LINE2 + column) */
void lcd_putc(uint8_t c);

#endif /* LCD_H */
