/*
 * buzzer.c - alarm tone and pattern. See buzzer.h.
 */
#include "board_config.h"
#include "buzzer.h"
#include "tick.h"

#define T2_RELOAD (65536u - 230u)   /* 921600 / 230 = 4007 Hz toggles -> 2.0 kHz tone */

uint8_t buzzer_seconds;             /* seconds left to ring (the last one partly), 0 = silent */
static uint8_t phase;               /* tick within the 1 s pattern */

void buzzer_isr(void) __interrupt(5)
{
    TF2 = 0;
    BUZZER = !BUZZER;
}

#define XSTR(x) STR(x)
#define STR(x) #x
/* in assembler: the tone off, the pin at its silent level */
#if BUZZER_ACTIVE
#define SILENT "    clr  _" XSTR(BUZZER) "\n"
#else
#define SILENT "    setb _" XSTR(BUZZER) "\n"
#endif
typedef char ring_ticks_are[(BUZZER_RING_SECONDS == 60 && TICKS_PER_SEC == 200
                             && MS_TO_TICKS(100) == 20) ? 1 : -1];

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

/* In assembler (SDCC's C took 14 bytes and a shared tone() 14): buzzer_seconds =
 * BUZZER_RING_SECONDS; phase = 0; the tone on (TR2) */
void buzzer_ring(void) __naked
{
    __asm__("    mov  _buzzer_seconds,#60\n"
            "    mov  _phase,#0\n"
            "    setb _TR2\n"
            "    ret\n");
}

/*
 * In assembler (SDCC's C took 53 bytes): the tick within the second (phase, 0..TICKS_PER_SEC
 * - 1); at its wrap to 0 one second less (the 60th: the ring is over, the tone off: exactly
 * BUZZER_RING_SECONDS * TICKS_PER_SEC ticks after buzzer_ring()); else in 100 ms steps
 * (phase / 20): 0 on, 1 off, 2 on, 3..9 off: step & 0xFD == 0 sounds (TR2 = 1), the others
 * silence it. buzzer_stop() (buzzer_seconds = 0, the tone off) ends in it.
 */
void buzzer_tick(void) __naked
{
    __asm__("    inc  _phase\n"
            "    mov  a,_phase\n"
            "    cjne a,#200,buzzer_step\n"         /* TICKS_PER_SEC */
            "    clr  a\n"
            "    mov  _phase,a\n"
            "    djnz _buzzer_seconds,buzzer_step\n" /* the second is over */
            "buzzer_off:\n"                         /* the ring is over (plain labels: */
            "    clr  _TR2\n"
            SILENT
            "    ret\n"
            "buzzer_step:\n"                        /* one ends the scope of nnnnn$) */
            "    mov  b,#20\n"                      /* MS_TO_TICKS(100) */
            "    div  ab\n"
            "    anl  a,#0xFD\n"
            "    jnz  buzzer_off\n"                 /* steps 1, 3..9: silent */
            "    setb _TR2\n"
            "    ret\n");
}

/* In assembler: buzzer_seconds = 0; the tone off (TR2 = 0, the pin silent: buzzer_tick's end,
 * the function before) */
void buzzer_stop(void) __naked
{
    __asm__("    mov  _buzzer_seconds,#0\n"
            "    sjmp buzzer_off\n");
}
