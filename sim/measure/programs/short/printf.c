/* printf_small to the UART: %d %u %x %s %c. */
#include <stdio.h>
#include "short.h"

void main(void)
{
    int v = -300 + 41 * SP_N;
    unsigned char i, n = 1 + SP_N / 6;

    uart_init();
    for (i = 0; i < n; i++) {
        printf_small("%d %x %s%c\r\n", v, (unsigned int)v * 7u, "ok", 'a' + SP_N);
        v = v * 3 + 1;
    }
    done();
}
