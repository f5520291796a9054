/* Floating point: + - * / and conversions in SDCC's float library. */
#include "short.h"

void main(void)
{
    float x = 1.0f + SP_N * 0.5f, y = 3.0f, acc = 0.0f;
    unsigned char i, n = 3 + SP_N / 2;
    long r;

    uart_init();
    for (i = 1; i <= n; i++) {
        x = x * 1.25f + 0.5f;
        y = y / 1.5f - 0.125f;
        acc += x * y;
    }
    r = (long)(acc * 100.0f);
    hex32((unsigned long)r);
    putchar(' ');
    r = (long)(x - y);
    hex32((unsigned long)r);
    nl();
    done();
}
