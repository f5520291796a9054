/*
 * ds18b20_early.c - reads a DS18B20 the way many published programs do: after the reset
 * pulse it samples the presence pulse at 70 us and starts writing about 90 us later, as
 * soon as a typical sensor has let go, not after the 480 us the datasheet asks for
 * (tRSTH). Prints "T=MMLL" (the temperature register, hex) on the UART, then stops.
 * Board: boards/thermo.toml (DS18B20 on P3.7, the UART).
 */
#define F_CPU 11059200UL
#include "delay.h"
#include "uart_tx.h"

#define DQ P3_7

static __bit ow_reset(void)
{
    __bit present;
    DQ = 0;
    DELAY_US(500);
    DQ = 1;                     /* release: the sensor answers 15-60 us later */
    DELAY_US(70);
    present = !DQ;
    DELAY_US(90);               /* "the presence pulse is over by now" */
    return present;
}

static void ow_write(unsigned char v)
{
    unsigned char i;
    for (i = 0; i < 8; i++) {
        if (v & 1) {
            DQ = 0;
            DQ = 1;             /* low for one machine cycle: write 1 */
            DELAY_US(65);
        } else {
            DQ = 0;
            DELAY_US(65);       /* write 0 */
            DQ = 1;
        }
        v >>= 1;
    }
}

static unsigned char ow_read(void)
{
    unsigned char i, v = 0;
    for (i = 0; i < 8; i++) {
        v >>= 1;
        DQ = 0;
        DQ = 1;
        if (DQ)                 /* sampled about 3 us after the fall */
            v |= 0x80;
        DELAY_US(60);
    }
    return v;
}

void main(void)
{
    unsigned char lo, hi;
    uart_init();
    if (!ow_reset()) {
        uart_puts("NO SENSOR\r\n");
        for (;;)
            ;
    }
    ow_write(0xCC);             /* Skip ROM */
    ow_write(0x44);             /* Convert T */
    delay_ms(800);
    ow_reset();
    ow_write(0xCC);
    ow_write(0xBE);             /* Read Scratchpad */
    lo = ow_read();
    hi = ow_read();
    uart_puts("T=");
    uart_hex(hi);
    uart_hex(lo);
    uart_puts("\r\n");
    for (;;)
        ;
}
