/* The usual 9600-baud set-up, SMOD = 0 and TH1 = 0xFD: a UART frame (10 bits) takes
 * 10 x 32 x 3 = 960 machine cycles. s51 0.6.4 ignores SMOD and takes 480, so the test
 * compares our cycle count with s51's plus 480 per byte sent. That correction is exact
 * because this program is UART-bound: the CPU waits on TI for every frame in full, and
 * 480 cycles are a whole number of Timer 1 periods (3 cycles), so the phase of Timer 1,
 * and therefore everything after each frame, is the same in both. */
#include <8052.h>

int putchar(int c)
{
    while (!TI)
        ;
    TI = 0;
    SBUF = (unsigned char)c;
    return c;
}

void main(void)
{
    const char *s = "uart_smod0\r\n9600 baud, SMOD=0, TH1=0xFD\r\n";
    unsigned char i;

    SCON = 0x50;
    TMOD = 0x20;
    TH1 = 0xFD;
    TL1 = 0xFD;
    TR1 = 1;
    TI = 1;
    while (*s)
        putchar(*s++);
    for (i = 0; i < 26; i++)
        putchar('a' + i);
    putchar('\r');
    putchar('\n');
    while (!TI)
        ;
    while (1)
        ;
}
