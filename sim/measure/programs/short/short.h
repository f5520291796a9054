/* Shared by the short benchmark programs (sim/measure/shortprogs.py): each program is
 * compiled with -DSP_N=<n> (its parameter, 0..16), prints a few lines over the UART and ends
 * in `while (1);` (sjmp .), where both simulators stop.
 * UART: mode 1, Timer 1 mode 2, SMOD = 1, TH1 = 0xFA (9600 baud at 11.0592 MHz); s51 0.6.4
 * ignores SMOD, so only this setting gives both simulators the same frame time. */
#ifndef SHORT_H
#define SHORT_H

#include <8052.h>

#ifndef SP_N
#define SP_N 0
#endif

static void uart_init(void)
{
    SCON = 0x50;
    PCON |= 0x80;
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
