/* Timers and interrupts with register banks:
 *   Timer 0 mode 1 (16-bit, reloaded in the ISR), Timer 0 mode 2 (8-bit auto-reload),
 *   Timer 0 mode 0 (13-bit), INT0 and INT1 raised by software (IE0/IE1 set by SETB),
 *   a high-priority INT0 nesting inside a low-priority Timer 0 ISR.
 * The main loop counts while it waits, so the counts depend on exactly when each
 * interrupt is taken: they compare interrupt latency, not just the results. */
#include "common.h"

volatile unsigned int t0_count;
volatile unsigned char ex0_count, ex1_count, nested;
volatile unsigned char t0_mode;
volatile unsigned char bank_seen;

void t0_isr(void) __interrupt(1) __using(1)
{
    t0_count++;
    if (t0_mode == 1) {
        TH0 = 0xFC;                /* 1000 cycles to the next overflow */
        TL0 = 0x18;
    }
    if (t0_mode == 3 && (t0_count & 7) == 0) {
        IE0 = 1;                   /* high-priority INT0 interrupts this ISR */
        __asm
            nop
            nop
        __endasm;
        if (ex0_count)
            nested++;
    }
    bank_seen = PSW & 0x18;
}

void ex0_isr(void) __interrupt(0) __using(2)
{
    ex0_count++;
    __asm
        mov r7, #0x5A              ; bank 2 R7 = 0x17
        mov a, r7
        mov 0x17, a
    __endasm;
}

void ex1_isr(void) __interrupt(2) __using(3)
{
    ex1_count += 3;
}

static unsigned int spin_until(unsigned int target)
{
    unsigned int spins = 0;
    while (t0_count < target)
        spins++;
    return spins;
}

void main(void)
{
    unsigned int spins;
    unsigned char i;

    uart_init();
    puts_("timers_irq");
    nl();

    /* Timer 0, mode 1: 16-bit, reloaded in the ISR */
    t0_mode = 1;
    TMOD = (TMOD & 0xF0) | 0x01;
    TH0 = 0xFC;
    TL0 = 0x18;
    ET0 = 1;
    EA = 1;
    TR0 = 1;
    spins = spin_until(20);
    TR0 = 0;
    puts_("m1 spins="); dec32(spins); puts_(" bank="); hex8(bank_seen);
    puts_(" TL0="); hex8(TL0); nl();

    /* Timer 0, mode 2: 8-bit auto-reload, 200 cycles a period */
    t0_mode = 2;
    t0_count = 0;
    TMOD = (TMOD & 0xF0) | 0x02;
    TH0 = 0x38;
    TL0 = 0x38;
    TR0 = 1;
    spins = spin_until(50);
    TR0 = 0;
    puts_("m2 spins="); dec32(spins); puts_(" TL0="); hex8(TL0); nl();

    /* Timer 0, mode 0: 13-bit (TL0 counts 0..31) */
    t0_mode = 0;
    t0_count = 0;
    TMOD = (TMOD & 0xF0) | 0x00;
    TH0 = 0xF0;
    TL0 = 0x00;
    TR0 = 1;
    spins = spin_until(3);
    TR0 = 0;
    /* only TL0's low 5 bits count in mode 0; the datasheet leaves the top 3 undefined */
    puts_("m0 spins="); dec32(spins); puts_(" TH0="); hex8(TH0); puts_(" TL0="); hex8(TL0 & 0x1F);
    nl();

    /* software-raised external interrupts, edge triggered */
    IT0 = 1;
    IT1 = 1;
    EX0 = 1;
    EX1 = 1;
    for (i = 0; i < 10; i++) {
        IE0 = 1;
        if (i & 1)
            IE1 = 1;
    }
    puts_("ex0="); dec32(ex0_count); puts_(" ex1="); dec32(ex1_count);
    puts_(" r7b2="); hex8(*(__data unsigned char *)0x17); nl();

    /* priorities: INT0 high, Timer 0 low; INT0 raised inside the Timer 0 ISR */
    t0_mode = 3;
    t0_count = 0;
    ex0_count = 0;
    PX0 = 1;
    TMOD = (TMOD & 0xF0) | 0x02;
    TH0 = 0x80;
    TL0 = 0x80;
    TR0 = 1;
    spins = spin_until(40);
    TR0 = 0;
    EA = 0;
    puts_("prio spins="); dec32(spins); puts_(" ex0="); dec32(ex0_count);
    puts_(" nested="); dec32(nested); nl();
    done();
}
