/*
 * lcd8_e_high.c - an 8-bit LCD program that never lowers E before its first command, as
 * many tutorial programs do: each write sets RS, RW and the data, then "E = 1" (which
 * changes nothing the first time: the 8051's latches reset to 1), waits and lowers E.
 * Its first command is the function set for two lines, so line 2 shows only if that
 * first write is taken. Board: boards/lcd8.toml (RS P2.6, RW P2.5, E P2.7, DB0..7 P0).
 */
#define F_CPU 11059200UL
#include "delay.h"

#define LCD_RS P2_6
#define LCD_RW P2_5
#define LCD_E  P2_7

static void lcd_write(unsigned char rs, unsigned char v)
{
    LCD_RS = rs;
    LCD_RW = 0;
    P0 = v;
    LCD_E = 1;
    delay_ms(1);
    LCD_E = 0;
    delay_ms(1);
}

static void lcd_text(const char *s)
{
    while (*s)
        lcd_write(1, *s++);
}

void main(void)
{
    lcd_write(0, 0x38);     /* 8-bit, two lines: the first fall of E since power-on */
    lcd_write(0, 0x0C);
    lcd_write(0, 0x06);
    lcd_write(0, 0x01);
    delay_ms(2);
    lcd_text("E HIGH AT RESET");
    lcd_write(0, 0xC0);
    lcd_text("LINE TWO");
    for (;;)
        ;
}
