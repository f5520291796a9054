/*
 * tick.h - the system tick (tick.c): Timer 0, mode 1, reloaded in its interrupt.
 *
 * TICK_MS = 5: TH0:TL0 = 65536 - 4608 (4608 machine cycles = 5.000 ms at 11.0592 MHz/12).
 * The interrupt only counts; all work happens in the main loop, which sleeps in idle mode
 * between interrupts.
 */
#ifndef TICK_H
#define TICK_H

#include "compat.h"

#if FW_TARGET
#pragma callee_saves tick_wait              /* assembler that keeps R0-R7 (compat.h) */
#endif

#define TICK_MS          5
#define TICK_CYCLES      4608               /* BOARD_F_CPU / 12 / 200 at 11.0592 MHz */
#define TICKS_PER_SEC    (1000 / TICK_MS)
#define MS_TO_TICKS(ms)  ((ms) / TICK_MS)

/* TMOD for both timers: Timer 0 mode 1 (16-bit: the tick), Timer 1 mode 2 (8-bit
 * auto-reload: the UART's baud rate, uart.c). tick_init() and uart_init() each write the whole
 * register (3 bytes less each than changing their half), in either order. */
#define TMOD_TIMERS      0x21

extern volatile uint8_t tick_count;         /* incremented by the Timer 0 interrupt */

void tick_init(void);                       /* start Timer 0 and its interrupt (EA is main's) */
void tick_wait(uint8_t n);                  /* sleep until n more ticks passed (> (n-1)*5 ms) */

#if FW_TARGET
void timer0_isr(void) __interrupt(1);       /* prototype must be visible to main.c */
#endif

#endif /* TICK_H */
