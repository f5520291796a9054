/* Floating point through the SDCC library: float + - * / and conversions, printed with
 * printf_fast_f (the mcs51 library's printf with %f support) and with printf_small. */
#include <stdio.h>
#include "common.h"

void main(void)
{
    float x = 1.0f, y = 3.0f, acc = 0.0f;
    unsigned char i;
    long n;

    uart_init();
    puts_("float_printf");
    nl();
    for (i = 1; i <= 12; i++) {
        x = x * 1.5f + 0.25f;
        y = y / 1.75f - 0.125f;
        acc += x * y;
        printf_fast_f("%u %f %f\r\n", (unsigned int)i, x, y);
    }
    printf_fast_f("acc=%f\r\n", acc);
    n = (long)(acc * 1000.0f);
    printf_fast_f("n=%ld neg=%f small=%f\r\n", n, -acc / 7.0f, 0.000123f);
    printf_small("int=%d str=%s\r\n", -1234, "ok");
    done();
}
