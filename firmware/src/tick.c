/*
 * tick.c - the timebase: Timer 0 counts 5 ms ticks (see tick.h), and the idle-mode waits
 * built on it. The interrupt only counts; it never nests with another (all low priority).
 */
#include "board_config.h"
#include "tick.h"

#define T0_RELOAD (65536u - TICK_CYCLES)   /* (in C; the ISR spells it for the assembler) */

volatile uint8_t tick_count;

#define XSTR(x) STR(x)
#define STR(x) #x

/* Three instructions and RETI: no register is touched, so nothing is saved (INC direct
 * leaves the flags alone). The reload drops the few cycles counted since the overflow, as
 * a C version would: a tick is 5 ms and a few microseconds. */
void timer0_isr(void) __interrupt(1) __naked
{
    __asm__("    mov  _TH0,#((65536 - " XSTR(TICK_CYCLES) ") >> 8)\n"
            "    mov  _TL0,#((65536 - " XSTR(TICK_CYCLES) ") & 0xFF)\n"
            "    inc  _tick_count\n"
            "    reti\n");
}

void tick_init(void)
{
    TMOD = TMOD_TIMERS;                 /* Timer 0 (still stopped) mode 1 (16-bit) */
    TH0 = T0_RELOAD >> 8;
    TL0 = T0_RELOAD & 0xFF;
    ET0 = 1;
    TR0 = 1;
}

/* start = tick_count; while ((uint8_t)(tick_count - start) < n) idle (IDL: the CPU stops,
 * timers, UART and interrupts run). Uses A and B only: callers keep R0-R7 (lcd.c counts on it). */
void tick_wait(uint8_t n) __naked
{
    (void)n;
    __asm__("    mov  b,_tick_count\n"              /* start */
            "00001$:\n"
            "    mov  a,_tick_count\n"
            "    clr  c\n"
            "    subb a,b\n"
            "    cjne a,dpl,00002$\n"
            "00002$:\n"
            "    jnc  00003$\n"
            "    orl  _PCON,#0x01\n"
            "    sjmp 00001$\n"
            "00003$:\n"
            "    ret\n");
}
