/* A state machine on a dense switch (SDCC emits a jump table) and a sparse one. */
#include "short.h"

static unsigned char step(unsigned char s, unsigned char in)
{
    switch (s) {
    case 0: return in & 1 ? 3 : 1;
    case 1: return in & 2 ? 4 : 2;
    case 2: return in > 100 ? 0 : 5;
    case 3: return (in ^ s) & 7;
    case 4: return in & 4 ? 6 : 7;
    case 5: return 8;
    case 6: return in < 50 ? 2 : 9;
    case 7: return 1;
    case 8: return in & 8 ? 0 : 9;
    case 9: return in & 3;
    default: return 0;
    }
}

static unsigned int sparse(unsigned int v)
{
    switch (v & 0x3F) {
    case 1: return 10;
    case 7: return 70;
    case 13: return 130;
    case 40: return 400;
    case 63: return 630;
    default: return v & 3;
    }
}

void main(void)
{
    unsigned char s = SP_N & 7, x = 11 + SP_N;
    unsigned int i, sum = 0, n = 60 + 25 * SP_N;

    uart_init();
    for (i = 0; i < n; i++) {
        x = x * 17 + 5;
        s = step(s, x);
        sum += s;
        sum += sparse(sum + i);
    }
    hex8(s);
    putchar(' ');
    hex16(sum);
    nl();
    done();
}
