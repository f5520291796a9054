/* Idle mode: PCON.IDL stops the CPU, timers keep running, and the Timer 0 interrupt
 * wakes it; execution resumes after the instruction that set IDL once RETI returns.
 * The cycle count at the end includes the idle time. Timer registers are not read
 * around the naps: s51 0.6.4's TL0 right after an idle wake-up is inconsistent with its
 * own cycle count (it reads as if the timer had run on for another ~250 cycles).
 * s51 also runs the instruction after the one that sets IDL *before* idling (the
 * datasheet: the IDL-setting instruction is the last one before idle), so that
 * instruction is a NOP here. */
#include "common.h"

volatile unsigned char ticks;
volatile unsigned int busy;

void t0_isr(void) __interrupt(1) __using(1)
{
    ticks++;
}

void main(void)
{
    unsigned char i;
    unsigned char before, after;

    uart_init();
    puts_("idle");
    nl();
    while (!TI)
        ;                           /* UART idle before we sleep */
    TMOD = (TMOD & 0xF0) | 0x02;   /* Timer 0 mode 2, 250 cycles a period */
    TH0 = 0x06;
    TL0 = 0x06;
    ET0 = 1;
    EA = 1;
    TR0 = 1;
    for (i = 0; i < 12; i++) {
        before = ticks;
        PCON |= 0x01;              /* IDL */
        __asm
            nop                    ; s51 runs this before idling, a real 80C52 after
        __endasm;
        after = ticks;
        busy += after - before;
        busy += i * 7;
    }
    TR0 = 0;
    puts_("ticks="); dec32(ticks); puts_(" busy="); dec32(busy);
    puts_(" pcon="); hex8(PCON & 0x0F); nl();
    /* a second round with more work between the naps: wake-up point differs */
    TL0 = 0x06;
    TR0 = 1;
    for (i = 0; i < 8; i++) {
        PCON |= 0x01;
        __asm
            nop
        __endasm;
        busy = busy * 3 + ticks;
    }
    TR0 = 0;
    puts_("ticks="); dec32(ticks); puts_(" busy="); dec32(busy); nl();
    done();
}
