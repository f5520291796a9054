/*
 * buzzer.c - alarm tone and pattern. See buzzer.h.
 */
#include "board_config.h"
#include "buzzer.h"
#include "tick.h"

#define T2_RELOAD (65536u - 230u)   /* 921600 / 230 = 4007 Hz toggles -> 2.0 kHz tone */

uint16_t buzzer_ticks;              /* ticks left to ring, 0 = silent */
static uint8_t phase;               /* tick within the 1 s pattern */

void buzzer_isr(void) __interrupt(5)
{
    TF2 = 0;
    BUZZER = !BUZZER;
}

static void tone(bool_t on)
{
    if (on) {
        if (!TR2)
            TR2 = 1;
    } else {
        TR2 = 0;
        BUZZER = !BUZZER_ACTIVE;
    }
}

void buzzer_init(void)
{
    BUZZER = !BUZZER_ACTIVE;
    T2CON = 0x00;                   /* timer, 16-bit auto-reload, T2EX off, stopped */
    RCAP2H = T2_RELOAD >> 8;
    RCAP2L = T2_RELOAD & 0xFF;
    TH2 = T2_RELOAD >> 8;
    TL2 = T2_RELOAD & 0xFF;
    ET2 = 1;
}

void buzzer_ring(void)
{
    buzzer_ticks = BUZZER_RING_SECONDS * TICKS_PER_SEC;
    phase = 0;
    tone(1);
}

void buzzer_stop(void)
{
    buzzer_ticks = 0;
    tone(0);
}

void buzzer_tick(void)
{
    if (--buzzer_ticks == 0) {
        tone(0);
        return;
    }
    if (++phase >= TICKS_PER_SEC)
        phase = 0;
    /* in 100 ms steps: 0 on, 1 off, 2 on, 3..9 off */
    tone(!((uint8_t)(phase / (uint8_t)MS_TO_TICKS(100)) & 0xFD));
}
