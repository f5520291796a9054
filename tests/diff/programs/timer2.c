/* The 8052's Timer 2 (the STC89C52RC has it): 16-bit auto-reload from RCAP2H:RCAP2L
 * with its interrupt (vector 0x2B, TF2 cleared by software), then capture mode 
 * reading TH2/TL2 while it runs. */
#include "common.h"

volatile unsigned char t2_count;

void t2_isr(void) __interrupt(5) __using(1)
{
    TF2 = 0;
    t2_count++;
}

void main(void)
{
    unsigned int spins = 0;
    unsigned char th, tl;

    uart_init();
    puts_("timer2");
    nl();
    T2CON = 0x00;            /* auto-reload, timer, EXEN2 = 0 */
    RCAP2H = 0xFE;           /* 512 cycles a period */
    RCAP2L = 0x00;
    TH2 = 0xFE;
    TL2 = 0x00;
    ET2 = 1;
    EA = 1;
    TR2 = 1;
    while (t2_count < 25)
        spins++;
    TR2 = 0;
    th = TH2;
    tl = TL2;
    puts_("spins="); dec32(spins); puts_(" TH2="); hex8(th); puts_(" TL2="); hex8(tl);
    puts_(" T2CON="); hex8(T2CON); nl();
    EA = 0;
    done();
}
