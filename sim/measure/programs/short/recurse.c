/* Recursion: reentrant functions keep their frames on the stack. */
#include "short.h"

static unsigned int fib(unsigned char n) __reentrant
{
    return n < 2 ? n : fib(n - 1) + fib(n - 2);
}

static unsigned char gcd(unsigned char a, unsigned char b) __reentrant
{
    return b ? gcd(b, a % b) : a;
}

static unsigned int hanoi(unsigned char n, unsigned char a, unsigned char b,
                          unsigned char c) __reentrant
{
    if (!n)
        return 0;
    return hanoi(n - 1, a, c, b) + 1 + hanoi(n - 1, c, b, a);
}

void main(void)
{
    uart_init();
    hex16(fib(6 + SP_N / 3));
    putchar(' ');
    hex8(gcd(240 - SP_N, 36 + 3 * SP_N));
    putchar(' ');
    hex16(hanoi(3 + SP_N / 4, 1, 2, 3));
    nl();
    done();
}
