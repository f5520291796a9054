/* Reentrant recursion (compile with --stack-auto): parameters and locals live on the
 * stack, so SP arithmetic, @R0 stack frames, PUSH/POP and deep CALL/RET nesting. */
#include "common.h"

static unsigned int calls;

unsigned int fib(unsigned char n) __reentrant
{
    calls++;
    if (n < 2)
        return n;
    return fib(n - 1) + fib(n - 2);
}

unsigned int ack(unsigned char m, unsigned int n) __reentrant
{
    calls++;
    if (m == 0)
        return n + 1;
    if (n == 0)
        return ack(m - 1, 1);
    return ack(m - 1, ack(m, n - 1));
}

long sum_digits(long v, unsigned char depth) __reentrant
{
    long q;
    if (v < 10)
        return v + depth;
    q = v / 10;
    return (v - q * 10) + sum_digits(q, depth + 1);
}

void main(void)
{
    unsigned char n;
    unsigned char sp_max;

    uart_init();
    puts_("recurse");
    nl();
    for (n = 0; n <= 14; n += 2) {
        calls = 0;
        puts_("fib("); dec32(n); puts_(")="); dec32(fib(n));
        puts_(" calls="); dec32(calls); nl();
    }
    for (n = 0; n <= 2; n++) {
        calls = 0;
        puts_("ack("); dec32(n); puts_(",3)="); dec32(ack(n, 3));
        puts_(" calls="); dec32(calls); nl();
    }
    puts_("digits="); dec32(sum_digits(1234567890L, 0)); nl();
    sp_max = SP;
    puts_("sp="); hex8(sp_max); nl();
    done();
}
