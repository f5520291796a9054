/*
 * delay.h - cycle-counted delays for a 12-clock 8051 at F_CPU Hz (define F_CPU first).
 * Our own small helper for the test programs in this folder (not the clock firmware).
 *
 * delay_2n(n): 12 + 2 n machine cycles including the call (MOV DPL,#n 2, LCALL 2,
 * PUSH 2, MOV R7,DPL 2, n x DJNZ 2, POP 2, RET 2); n = 0 would loop 256 times, so the
 * macros never pass it.
 */
#ifndef DELAY_H
#define DELAY_H

#include <8052.h>

#define CYCLES_PER_MS (F_CPU / 12000UL)
#define US_CYCLES(u) ((unsigned long)(u) * (F_CPU / 1000UL) / 12000UL)
#define US_LOOPS(u) (US_CYCLES(u) > 14 ? (unsigned char)((US_CYCLES(u) - 12) / 2) : 1)
#define DELAY_US(u) delay_2n(US_LOOPS(u))     /* u from 15 to about 500 us */
#define MS_LOOPS ((unsigned char)((CYCLES_PER_MS - 30) / 4))

static void delay_2n(unsigned char n) __naked
{
    n;
    __asm
        push ar7
        mov  r7,dpl
    00001$:
        djnz r7,00001$
        pop  ar7
        ret
    __endasm;
}

/* about n milliseconds */
static void delay_ms(unsigned int n)
{
    while (n--) {
        delay_2n(MS_LOOPS);
        delay_2n(MS_LOOPS);
    }
}

#endif
