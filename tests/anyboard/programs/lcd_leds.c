/*
 * lcd_leds.c - a board with a 20x4 LCD (4-bit, RW tied to ground) and three LEDs, nothing
 * else: it writes one line on each row, then blinks D1 every 100 ms, D2 every 200 ms and
 * keeps D3 lit. Board: boards/lcd_leds.toml.
 */
#define F_CPU 11059200UL
#include "delay.h"

#define LCD_RS P2_0
#define LCD_E  P2_2
#define LCD_D4 P2_4
#define LCD_D5 P2_5
#define LCD_D6 P2_6
#define LCD_D7 P2_7
#include "lcd4.h"

#define D1 P1_0
#define D2 P1_1
#define D3 P1_2

void main(void)
{
    unsigned char n = 0;
    delay_ms(20);               /* the datasheet's > 15 ms after power-on */
    lcd4_init();
    lcd4_text("row 1: 20x4 module");
    lcd4_cmd(0xC0);
    lcd4_text("row 2 at 0x40");
    lcd4_cmd(0x94);
    lcd4_text("row 3 at 0x14");
    lcd4_cmd(0xD4);
    lcd4_text("row 4 at 0x54");
    D3 = 0;                     /* active low: lit */
    for (;;) {
        delay_ms(100);
        n++;
        D1 = !D1;
        if (!(n & 1))
            D2 = !D2;
    }
}
