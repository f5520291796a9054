/*
 * busy_single_e.c - a 4-bit LCD program that polls the busy flag with ONE E pulse (it
 * reads BF on DB7 and never clocks out the low nibble: the datasheet asks for two pulses
 * per read in 4-bit mode). Otherwise correct: the datasheet's initialisation, then text.
 * Board: boards/lcd4.toml (RW on P2.1).
 */
#define F_CPU 11059200UL
#include "delay.h"

#define LCD_RS P2_0
#define LCD_RW P2_1
#define LCD_E  P2_2
#define LCD_D4 P2_4
#define LCD_D5 P2_5
#define LCD_D6 P2_6
#define LCD_D7 P2_7
#include "lcd4.h"

static void wait_busy(void)
{
    __bit busy;
    LCD_D4 = 1;                 /* release DB4..DB7: the LCD drives them */
    LCD_D5 = 1;
    LCD_D6 = 1;
    LCD_D7 = 1;
    LCD_RS = 0;
    LCD_RW = 1;
    do {
        LCD_E = 1;
        busy = LCD_D7;
        LCD_E = 0;              /* one pulse: the low nibble is never read */
    } while (busy);
    LCD_RW = 0;
}

static void put(unsigned char rs, unsigned char v)
{
    wait_busy();
    LCD_RS = rs;
    lcd4_nibble(v);
    lcd4_nibble(v << 4);
}

static void text(const char *s)
{
    while (*s)
        put(1, *s++);
}

void main(void)
{
    delay_ms(20);
    LCD_E = 0;
    LCD_RS = 0;
    lcd4_nibble(0x30);
    delay_ms(5);
    lcd4_nibble(0x30);
    DELAY_US(110);
    lcd4_nibble(0x30);
    DELAY_US(110);
    lcd4_nibble(0x20);
    DELAY_US(110);
    put(0, 0x28);
    put(0, 0x0C);
    put(0, 0x01);
    put(0, 0x06);
    text("single E busy");
    put(0, 0xC0);
    text("read, 4-bit");
    for (;;)
        ;
}
