/* 8/16/32-bit arithmetic through SDCC's support library: mul, div, mod, shifts. */
#include "short.h"

void main(void)
{
    unsigned char i, a8 = 7 + SP_N;
    unsigned int a16 = 1234 + 17 * SP_N;
    unsigned long a32 = 123456789UL + 1000UL * SP_N;
    unsigned char n = 6 + (3 * SP_N) / 2;

    uart_init();
    for (i = 0; i < n; i++) {
        a8 = a8 * 13 + i;
        a8 ^= a8 >> 3;
        a16 = a16 * 31 + a8;
        a16 = a16 / 3 + a16 % 7;
        a32 = a32 * 1103515245UL + 12345UL;
        a32 ^= a32 >> 7;
        a32 += a32 / (a16 | 1);
    }
    hex8(a8);
    putchar(' ');
    hex16(a16);
    putchar(' ');
    hex32(a32);
    nl();
    done();
}
