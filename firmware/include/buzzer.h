/*
 * buzzer.h - alarm buzzer on BUZZER (BUZZER_ACTIVE = level that sounds it).
 *
 * Tone: Timer 2 (16-bit auto-reload, 230 machine cycles = 4.0 kHz interrupts) toggles the
 * pin, a 2.0 kHz square wave, which drives passive (magnetic/piezo) and active buzzers
 * alike. Pattern while ringing, per second: 100 ms tone, 100 ms pause, 100 ms tone, 700 ms
 * pause (pin at the inactive level during pauses). Ringing stops after 60 s or on
 * buzzer_stop(). Timer 2 runs only while a tone sounds, so an idle clock gets no 4 kHz
 * interrupts.
 */
#ifndef BUZZER_H
#define BUZZER_H

#include "compat.h"

#define BUZZER_RING_SECONDS 60

extern uint8_t buzzer_seconds;      /* seconds (wholly or partly) left to ring, 0 = silent */
#define buzzer_ringing() (buzzer_seconds != 0)

void   buzzer_init(void);
void   buzzer_ring(void);           /* start the 60 s alarm pattern */
void   buzzer_stop(void);
void   buzzer_tick(void);           /* once per 5 ms tick while ringing: pattern and timeout */

#if FW_TARGET
void buzzer_isr(void) __interrupt(5);
#endif

#endif /* BUZZER_H */
