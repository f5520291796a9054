/* 8/16/32-bit signed and unsigned + - * / % and shifts, driven by an LCG.
 * Exercises SDCC's support routines (_mulint, _divsint, _modslong, ...) and so
 * ADD/ADDC/SUBB/MUL/DIV/RLC/RRC/CJNE/DJNZ and flag handling. */
#include "common.h"

static unsigned long seed = 12345;

static unsigned long rnd(void)
{
    seed = seed * 1103515245UL + 12345UL;
    return seed;
}

void main(void)
{
    unsigned char i;
    unsigned char a8, b8;
    signed char sa8, sb8;
    unsigned int a16, b16;
    int sa16, sb16;
    unsigned long a32, b32, sum = 0;
    long sa32, sb32;

    uart_init();
    puts_("arith");
    nl();
    for (i = 0; i < 24; i++) {
        a32 = rnd();
        b32 = rnd() >> (i & 15);
        if (b32 == 0)
            b32 = 7;
        a8 = a32;
        b8 = b32 | 1;
        sa8 = a8;
        sb8 = b8;
        a16 = a32 >> 8;
        b16 = (b32 >> 3) | 1;
        sa16 = a16;
        sb16 = b16;
        sa32 = a32;
        sb32 = b32;

        hex8(a8 + b8); hex8(a8 - b8); hex8(a8 * b8); hex8(a8 / b8); hex8(a8 % b8);
        putchar(' ');
        hex8(sa8 * sb8); hex8(sa8 / sb8); hex8(sa8 % sb8); hex8(sa8 >> 3);
        putchar(' ');
        hex16(a16 * b16); hex16(a16 / b16); hex16(a16 % b16);
        putchar(' ');
        hex16(sa16 * sb16); hex16(sa16 / sb16); hex16(sa16 % sb16); hex16(sa16 >> 5);
        nl();
        hex32(a32 + b32); hex32(a32 - b32); hex32(a32 * b32);
        putchar(' ');
        hex32(a32 / b32); hex32(a32 % b32);
        putchar(' ');
        hex32(sa32 / sb32); hex32(sa32 % sb32); hex32(sa32 >> 7);
        putchar(' ');
        hex32(a32 << (i & 31)); hex32(a32 >> (i & 31));
        nl();
        sum += a32 ^ b32;
    }
    dec32(-123456789L);
    putchar(' ');
    dec32(2147483647L);
    putchar(' ');
    dec32((long)sum);
    nl();
    done();
}
