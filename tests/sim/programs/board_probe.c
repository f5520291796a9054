/*
 * A small program of the tests' own, independent of the clock firmware: it drives the
 * reference board's LCD (8-bit on P0, RS P2.6, RW P2.5, E P2.7) and DS1302 (CE P3.5,
 * SCLK P3.6, IO P3.4) directly, so the board models are checked against code that is not
 * the product. It prints "probe ok" on line 1 and the DS1302's clock-burst time on line 2
 * ("t=HH:MM:SS"), then reads RAM byte 0 back after writing it, and ends in `sjmp .`.
 */
#include <8052.h>

#define RS P2_6
#define RW P2_5
#define E  P2_7
#define CE P3_5
#define SCLK P3_6
#define IO P3_4

static void lcd_wait(void)
{
    unsigned int n = 2000;
    P0 = 0xFF;
    RS = 0;
    RW = 1;
    while (n--) {
        unsigned char busy;
        E = 1;
        busy = P0 & 0x80;
        E = 0;
        if (!busy)
            break;
    }
    RW = 0;
}

static void lcd_write(unsigned char rs, unsigned char v)
{
    lcd_wait();
    RS = rs;
    P0 = v;
    E = 1;
    E = 0;
}

static void delay_ms(unsigned char ms)
{
    while (ms--) {
        unsigned char i = 200;
        while (--i) { __asm__("nop"); }  /* about 1 ms at 11.0592 MHz */
        i = 100;
        while (--i) { __asm__("nop"); }
    }
}

static void lcd_raw(unsigned char v)  /* no busy poll: the init sequence's first writes */
{
    RS = 0;
    RW = 0;
    P0 = v;
    E = 1;
    E = 0;
}

static void lcd_puts(const char *s)
{
    while (*s)
        lcd_write(1, *s++);
}

static void ds_byte_out(unsigned char v)
{
    unsigned char i;
    for (i = 0; i < 8; i++) {
        IO = v & 1;
        SCLK = 1;
        SCLK = 0;
        v >>= 1;
    }
}

static unsigned char ds_byte_in(void)
{
    unsigned char i, v = 0;
    IO = 1;  /* release the line: the DS1302 drives it */
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

static void hex2(unsigned char bcd)
{
    lcd_write(1, '0' + (bcd >> 4));
    lcd_write(1, '0' + (bcd & 0x0F));
}

void main(void)
{
    unsigned char i, back;
    E = 0;                       /* E high since reset: lower it before the first transfer */
    SCLK = 0;
    CE = 0;
    delay_ms(20);
    lcd_raw(0x30);
    delay_ms(5);
    lcd_raw(0x30);
    delay_ms(1);
    lcd_raw(0x30);
    lcd_write(0, 0x38);
    lcd_write(0, 0x08);
    lcd_write(0, 0x01);
    lcd_write(0, 0x06);
    lcd_write(0, 0x0C);
    lcd_puts("probe");

    CE = 1;                      /* clock burst read */
    ds_byte_out(0xBF);
    for (i = 0; i < 8; i++)
        regs[i] = ds_byte_in();
    CE = 0;

    CE = 1;                      /* WP off, RAM0 = 0x5A, read it back */
    ds_byte_out(0x8E);
    ds_byte_out(0x00);
    CE = 0;
    CE = 1;
    ds_byte_out(0xC0);
    ds_byte_out(0x5A);
    CE = 0;
    CE = 1;
    ds_byte_out(0xC1);
    back = ds_byte_in();
    CE = 0;

    lcd_puts(back == 0x5A ? " ok" : " bad");
    lcd_write(0, 0xC0);
    lcd_puts("t=");
    hex2(regs[2] & 0x3F);
    lcd_write(1, ':');
    hex2(regs[1]);
    lcd_write(1, ':');
    hex2(regs[0] & 0x7F);
    while (1)
        ;
}
