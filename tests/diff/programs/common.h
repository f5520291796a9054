/* Shared helpers for the differential test programs (run in s51 and in sim/).
 *
 * UART: mode 1 (SCON = 0x50), Timer 1 mode 2, TI-polled putchar, 9600 baud at
 * 11.0592 MHz set as SMOD = 1, TH1 = 0xFA (2/32 x 921600/6 = 9600) rather than the usual
 * SMOD = 0, TH1 = 0xFD: s51 0.6.4 ignores SMOD and always divides Timer 1 overflows by 16,
 * so only with SMOD = 1 does its UART run at the datasheet's rate. (uart_smod0.c covers
 * SMOD = 0 against the datasheet.)  Every program ends with done(): it waits until the
 * last byte has left the shift register, then spins on `while (1);` (SDCC: `sjmp .`).
 */
#ifndef DIFF_COMMON_H
#define DIFF_COMMON_H

#include <8052.h>

static void uart_init(void)
{
    SCON = 0x50;
    PCON |= 0x80; /* SMOD */
    TMOD = (TMOD & 0x0F) | 0x20;
    TH1 = 0xFA;
    TL1 = 0xFA;
    TR1 = 1;
    TI = 1;
}

int putchar(int c)
{
    while (!TI)
        ;
    TI = 0;
    SBUF = (unsigned char)c;
    return c;
}

static void puts_(const char *s)
{
    while (*s)
        putchar(*s++);
}

static void hex4(unsigned char n)
{
    n &= 0x0F;
    putchar(n < 10 ? '0' + n : 'A' - 10 + n);
}

static void hex8(unsigned char v)
{
    hex4(v >> 4);
    hex4(v);
}

static void hex16(unsigned int v)
{
    hex8(v >> 8);
    hex8(v & 0xFF);
}

static void hex32(unsigned long v)
{
    hex16(v >> 16);
    hex16(v & 0xFFFF);
}

static void dec32(long v)
{
    char buf[11];
    unsigned char i = 0;
    unsigned long u;
    if (v < 0) {
        putchar('-');
        u = -(unsigned long)v;
    } else {
        u = v;
    }
    do {
        buf[i++] = '0' + (unsigned char)(u % 10);
        u /= 10;
    } while (u);
    while (i)
        putchar(buf[--i]);
}

static void nl(void)
{
    putchar('\r');
    putchar('\n');
}

static void done(void)
{
    while (!TI)
        ;
    while (1)
        ;
}

#endif
