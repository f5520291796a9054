/*
 * lcd4_early.c - a 4-bit LCD program that sends its first command 2 ms after reset with
 * the short 0x33, 0x32 initialisation, as many published programs do: they count on the
 * board's reset circuit for the LCD's own power-on time. Board: boards/lcd4.toml (RS
 * P2.0, RW P2.1, E P2.2, DB4..DB7 P2.4..P2.7).
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

void main(void)
{
    delay_ms(2);
    lcd4_init_short();
    lcd4_text("HELLO 4-BIT");
    lcd4_cmd(0xC0);
    lcd4_text("2 ms after reset");
    for (;;)
        ;
}
