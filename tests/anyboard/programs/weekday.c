/*
 * weekday.c - a DS1302 clock display that numbers the days 1 = Sunday .. 7 = Saturday, as
 * much published DS1302 code does: every 200 ms a clock-burst read, then "20YY-MM-DD Www"
 * and "HH:MM:SS" on an 8-bit LCD, the day name looked up from the day register.
 * Board: boards/weekday.toml (the reference wiring: LCD on P0/P2, DS1302 on P3.4-P3.6).
 */
#define F_CPU 11059200UL
#include "delay.h"

#define RS P2_6
#define RW P2_5
#define E  P2_7
#define CE P3_5
#define SCLK P3_6
#define IO P3_4

static const char *const day_names[8] = {
    "???", "Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat"
};

static void lcd_write(unsigned char rs, unsigned char v)
{
    unsigned char busy;
    P0 = 0xFF;
    RS = 0;
    RW = 1;
    do {
        E = 1;
        busy = P0 & 0x80;
        E = 0;
    } while (busy);
    RW = 0;
    RS = rs;
    P0 = v;
    E = 1;
    E = 0;
}

static void lcd_puts(const char *s)
{
    while (*s)
        lcd_write(1, *s++);
}

static void bcd2(unsigned char v)
{
    lcd_write(1, '0' + (v >> 4));
    lcd_write(1, '0' + (v & 0x0F));
}

static void ds_out(unsigned char v)
{
    unsigned char i;
    for (i = 0; i < 8; i++) {
        IO = v & 1;
        SCLK = 1;
        SCLK = 0;
        v >>= 1;
    }
}

static unsigned char ds_in(void)
{
    unsigned char i, v = 0;
    IO = 1;
    for (i = 0; i < 8; i++) {
        v >>= 1;
        if (IO)
            v |= 0x80;
        SCLK = 1;
        SCLK = 0;
    }
    return v;
}

static unsigned char regs[8];

void main(void)
{
    unsigned char i;
    E = 0;                      /* E high since reset: lower it before the first transfer */
    SCLK = 0;
    CE = 0;
    delay_ms(20);
    for (i = 0; i < 3; i++) {
        RS = 0;
        RW = 0;
        P0 = 0x30;
        E = 1;
        E = 0;
        delay_ms(5);
    }
    lcd_write(0, 0x38);
    lcd_write(0, 0x0C);
    lcd_write(0, 0x01);
    lcd_write(0, 0x06);
    for (;;) {
        CE = 1;
        ds_out(0xBF);           /* clock burst read */
        for (i = 0; i < 8; i++)
            regs[i] = ds_in();
        CE = 0;
        lcd_write(0, 0x80);
        lcd_puts("20");
        bcd2(regs[6]);
        lcd_write(1, '-');
        bcd2(regs[4]);
        lcd_write(1, '-');
        bcd2(regs[3]);
        lcd_write(1, ' ');
        lcd_puts(day_names[regs[5] & 7]);
        lcd_write(0, 0xC0);
        bcd2(regs[2] & 0x3F);
        lcd_write(1, ':');
        bcd2(regs[1]);
        lcd_write(1, ':');
        bcd2(regs[0] & 0x7F);
        delay_ms(200);
    }
}
