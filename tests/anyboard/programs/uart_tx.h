/*
 * uart_tx.h - polled serial output at 9600 baud (Timer 1 mode 2, TH1 = 0xFD at 11.0592
 * MHz), for the test programs' results. Include delay.h first.
 */
#ifndef UART_TX_H
#define UART_TX_H

static void uart_init(void)
{
    SCON = 0x50;    /* mode 1, receiver on */
    TMOD = (TMOD & 0x0F) | 0x20;
    TH1 = TL1 = 0xFD;
    TR1 = 1;
}

static void uart_putc(char c)
{
    SBUF = c;
    while (!TI)
        ;
    TI = 0;
}

static void uart_puts(const char *s)
{
    while (*s)
        uart_putc(*s++);
}

static void uart_hex(unsigned char v)
{
    static const char hex[] = "0123456789ABCDEF";
    uart_putc(hex[v >> 4]);
    uart_putc(hex[v & 15]);
}

#endif
