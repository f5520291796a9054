/*
 * lcd4.h - an HD44780 on a 4-bit bus (DB4..DB7), driven with fixed delays, the way many
 * published programs do it. Define LCD_RS, LCD_E, LCD_D4..LCD_D7 (and LCD_RW if the pin
 * is wired) as SDCC bit names (P2_0 ...) and include delay.h first.
 *
 * Each byte is two nibbles, high first; LCD_WAIT_US after each byte (default 60 us, more
 * than the 52.6 us a worst-case part needs), 3 ms after clear and home (2.16 ms).
 */
#ifndef LCD4_H
#define LCD4_H

#ifndef LCD_WAIT_US
#define LCD_WAIT_US 60
#endif

static void lcd4_nibble(unsigned char v)    /* v's high nibble onto DB7..DB4 */
{
#ifdef LCD_RW
    LCD_RW = 0;
#endif
    LCD_D4 = (v & 0x10) != 0;
    LCD_D5 = (v & 0x20) != 0;
    LCD_D6 = (v & 0x40) != 0;
    LCD_D7 = (v & 0x80) != 0;
    LCD_E = 1;
    LCD_E = 0;
}

static void lcd4_byte(unsigned char rs, unsigned char v)
{
    LCD_RS = rs;
    lcd4_nibble(v);
    lcd4_nibble(v << 4);
    if (!rs && v < 4)
        delay_ms(3);
    else
        DELAY_US(LCD_WAIT_US);
}

#define lcd4_cmd(v) lcd4_byte(0, (v))

static void lcd4_text(const char *s)
{
    while (*s)
        lcd4_byte(1, *s++);
}

/* Initialisation by instruction (HD44780U Figure 24), without the power-on wait: the
 * caller decides how long after reset it starts. */
static void lcd4_init(void)
{
    LCD_E = 0;
    LCD_RS = 0;
    lcd4_nibble(0x30);
    delay_ms(5);
    lcd4_nibble(0x30);
    DELAY_US(110);
    lcd4_nibble(0x30);
    DELAY_US(110);
    lcd4_nibble(0x20);                      /* 4-bit from now on */
    DELAY_US(110);
    lcd4_cmd(0x28);                         /* 4-bit, 2 lines, 5x8 */
    lcd4_cmd(0x08);                         /* display off */
    lcd4_cmd(0x01);                         /* clear */
    lcd4_cmd(0x06);                         /* increment */
    lcd4_cmd(0x0C);                         /* display on */
}

/* The short initialisation many published programs use: 0x33 and 0x32 as two bytes (the
 * nibbles 3, 3, 3, 2), then the function set; no waits beyond the byte time. It relies on
 * the LCD having finished its power-on reset: on a real board, the reset circuit's time. */
static void lcd4_init_short(void)
{
    LCD_E = 0;
    lcd4_cmd(0x33);
    lcd4_cmd(0x32);
    lcd4_cmd(0x28);
    lcd4_cmd(0x0C);
    lcd4_cmd(0x06);
    lcd4_cmd(0x01);
}

#endif
