/* Timer 0 interrupts (mode 1, reloaded in the ISR, register bank 1) and a Timer 2
 * auto-reload interrupt, while the main loop counts. */
#include "short.h"

volatile unsigned char t0_ticks, t2_ticks;

void t0_isr(void) __interrupt(1) __using(1)
{
    TH0 = 0xFE;
    TL0 = 0x00 + 8 * SP_N;
    t0_ticks++;
}

void t2_isr(void) __interrupt(5) __using(2)
{
    TF2 = 0;
    t2_ticks++;
}

void main(void)
{
    unsigned int spins = 0;
    unsigned char target = 8 + SP_N;

    uart_init();
    TMOD = (TMOD & 0xF0) | 0x01;
    TH0 = 0xFE;
    TL0 = 0x00;
    RCAP2H = 0xFC;
    RCAP2L = 0x00 + SP_N;
    TH2 = 0xFC;
    TL2 = 0x00;
    ET0 = 1;
    ET2 = 1;
    EA = 1;
    TR0 = 1;
    TR2 = 1;
    while (t0_ticks < target)
        spins++;
    EA = 0;
    hex8(t0_ticks);
    hex8(t2_ticks);
    putchar(' ');
    hex16(spins);
    nl();
    done();
}
