/* CPU-bound benchmark for `python -m sim.measure.bench`: a typical mix of SDCC-generated code
 * (8/16/32-bit arithmetic via the support library, bit twiddling, table lookups, calls)
 * with no waiting on peripherals. Prints a checksum over the UART (Timer 1 mode 2,
 * 9600 baud at 11.0592 MHz as SMOD = 1, TH1 = 0xFA: s51 0.6.4 ignores SMOD, so with the
 * usual SMOD = 0, TH1 = 0xFD its UART would run twice too fast and the cycle counts would
 * differ) and ends in `while (1);` (sjmp .), where the simulators stop.
 * Build: sdcc -mmcs51 --std-c99 -DREPEAT=N cpu_bound.c */
#include <8052.h>

#ifndef REPEAT
#define REPEAT 4
#endif

int putchar(int c)
{
    while (!TI)
        ;
    TI = 0;
    SBUF = (unsigned char)c;
    return c;
}

static void hex16(unsigned int v)
{
    unsigned char i, n;
    for (i = 0; i < 4; i++) {
        n = (v >> 12) & 0x0F;
        putchar(n < 10 ? '0' + n : 'A' - 10 + n);
        v <<= 4;
    }
}

static __data unsigned char sieve_bits[64]; /* 512 odd numbers */

static unsigned int sieve(void)
{
    unsigned int i, j, count = 1; /* 2 */
    for (i = 0; i < 64; i++)
        sieve_bits[i] = 0;
    for (i = 1; i < 512; i++) {
        if (sieve_bits[i >> 3] & (1 << (i & 7)))
            continue;
        count++;
        for (j = i + i + i + 1; j < 512; j += i + i + 1)
            sieve_bits[j >> 3] |= 1 << (j & 7);
    }
    return count;
}

static __code const unsigned char msg[] = "The quick brown fox jumps over the lazy dog 0123456789";

static unsigned int crc16(unsigned int crc)
{
    unsigned char i, k;
    for (i = 0; i < sizeof msg - 1; i++) {
        crc ^= (unsigned int)msg[i] << 8;
        for (k = 0; k < 8; k++)
            crc = (crc & 0x8000) ? (crc << 1) ^ 0x1021 : crc << 1;
    }
    return crc;
}

static unsigned long lcg_mix(unsigned long x)
{
    unsigned char i;
    unsigned long acc = 0;
    for (i = 0; i < 40; i++) {
        x = x * 1664525UL + 1013904223UL;
        acc += (x >> 16) / ((x & 0xFF) + 1);
        acc ^= (unsigned int)x % 1000u;
    }
    return acc;
}

void main(void)
{
    unsigned int r, sum = 0;
    unsigned long mix = 1;

    SCON = 0x50;
    PCON |= 0x80;
    TMOD = 0x20;
    TH1 = 0xFA;
    TL1 = 0xFA;
    TR1 = 1;
    TI = 1;
    for (r = 0; r < REPEAT; r++) {
        sum += sieve();
        sum ^= crc16(sum);
        mix = lcg_mix(mix + sum);
    }
    hex16(sum);
    hex16((unsigned int)(mix >> 16));
    hex16((unsigned int)mix);
    putchar('\r');
    putchar('\n');
    while (!TI)
        ;
    while (1)
        ;
}
