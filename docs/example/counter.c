/*
 * counter.c - the example program of docs/simulate-your-board.md: not the clock, just a
 * small program as you might write for your own board, built with SDCC.
 *
 * Board (counter.toml): an STC89C52RC at 11.0592 MHz; an LCD1602 in 4-bit mode (RS P2.0,
 * RW P2.1, E P2.2, DB4..DB7 P2.4..P2.7); a key K1 from P3.2 to ground; LED D1 on P1.0 and
 * LED D2 on P1.1, each from VCC through a resistor (a 0 lights them).
 *
 * It shows "presses:" and a count on the LCD; each press of K1 (debounced: 4 equal samples
 * 5 ms apart) counts one and toggles D1; D2 blinks twice a second. The LCD is driven the
 * datasheet's way: initialisation by instruction, then the busy flag read as two nibbles.
 *
 * Keil C51 users: this is what the SDCC spellings look like. `sbit K1 = P3^2;` is
 * `__sbit __at(0xB2) K1;` here (or the <8052.h> name P3_2); `code` is `__code`;
 * `void t0(void) interrupt 1` is `void t0(void) __interrupt(1)`.
 */
#include <8052.h>

__sbit __at(0xA0) LCD_RS;   /* P2.0 */
__sbit __at(0xA1) LCD_RW;   /* P2.1 */
__sbit __at(0xA2) LCD_E;    /* P2.2 */
__sbit __at(0xA4) LCD_D4;   /* P2.4 */
__sbit __at(0xA5) LCD_D5;
__sbit __at(0xA6) LCD_D6;
__sbit __at(0xA7) LCD_D7;
__sbit __at(0xB2) K1;       /* P3.2 */
__sbit __at(0x90) D1;       /* P1.0 */
__sbit __at(0x91) D2;       /* P1.1 */

static volatile unsigned char ticks;        /* 5 ms ticks from Timer 0 */

/* Timer 0 mode 1: 4608 machine cycles = 5 ms at 11.0592 MHz */
void timer0(void) __interrupt(1)
{
    TH0 = (65536 - 4608) >> 8;
    TL0 = (65536 - 4608) & 0xFF;
    ticks++;
}

static void wait_ticks(unsigned char n)
{
    unsigned char start = ticks;
    while ((unsigned char)(ticks - start) < n)
        ;
}

static void nibble(unsigned char v)         /* v's high nibble onto DB7..DB4 */
{
    LCD_RW = 0;
    LCD_D4 = (v & 0x10) != 0;
    LCD_D5 = (v & 0x20) != 0;
    LCD_D6 = (v & 0x40) != 0;
    LCD_D7 = (v & 0x80) != 0;
    LCD_E = 1;
    LCD_E = 0;
}

static void wait_ready(void)                /* busy flag: two E pulses per read */
{
    __bit busy;
    LCD_D4 = LCD_D5 = LCD_D6 = LCD_D7 = 1;  /* release the lines: the LCD drives them */
    LCD_RS = 0;
    LCD_RW = 1;
    do {
        LCD_E = 1;
        busy = LCD_D7;
        LCD_E = 0;
        LCD_E = 1;                          /* the low nibble (AC3..0), not used */
        LCD_E = 0;
    } while (busy);
    LCD_RW = 0;
}

static void lcd_put(unsigned char rs, unsigned char v)
{
    wait_ready();
    LCD_RS = rs;
    nibble(v);
    nibble(v << 4);
}

static void lcd_text(const char *s)
{
    while (*s)
        lcd_put(1, *s++);
}

static void lcd_init(void)
{
    unsigned char i;
    LCD_E = 0;
    LCD_RS = 0;
    wait_ticks(4);                          /* > 15 ms after power-on */
    for (i = 0; i < 3; i++) {               /* 0x3 three times: 8-bit, whatever before */
        nibble(0x30);
        wait_ticks(1);                      /* > 4.1 ms */
    }
    nibble(0x20);                           /* 4-bit from now on */
    wait_ticks(1);
    lcd_put(0, 0x28);                       /* 4-bit, 2 lines, 5x8 */
    lcd_put(0, 0x0C);                       /* display on */
    lcd_put(0, 0x01);                       /* clear */
    lcd_put(0, 0x06);                       /* increment */
}

static void show(unsigned int n)
{
    char digits[6];
    unsigned char i = 5;
    digits[5] = 0;
    do {
        digits[--i] = '0' + n % 10;
        n /= 10;
    } while (n && i);
    lcd_put(0, 0xC0);
    lcd_text(digits + i);
}

void main(void)
{
    unsigned int presses = 0;
    unsigned char last = ticks, samples = 0xFF, stable = 1, blink = 0;
    TMOD = 0x01;
    TH0 = (65536 - 4608) >> 8;
    TL0 = (65536 - 4608) & 0xFF;
    ET0 = 1;
    TR0 = 1;
    EA = 1;
    lcd_init();
    lcd_text("presses:");
    show(0);
    for (;;) {
        if (ticks == last)
            continue;
        last++;
        samples = (samples << 1) | K1;      /* debounce: 4 equal samples */
        if ((samples & 0x0F) == 0x00 && stable) {
            stable = 0;                     /* pressed */
            presses++;
            D1 = !D1;
            show(presses);
        } else if ((samples & 0x0F) == 0x0F) {
            stable = 1;                     /* released */
        }
        if (++blink == 50) {                /* 250 ms */
            blink = 0;
            D2 = !D2;
        }
    }
}
