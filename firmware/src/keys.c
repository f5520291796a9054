/*
 * keys.c - key scanning, debounce and auto-repeat. See keys.h.
 * The pins are quasi-bidirectional port pins left at latch 1 (input with weak pull-up).
 *
 * Debounce, all four keys at once (bit k = key k+1): a key is pressed when the last
 * KEYS_DEBOUNCE (4) raw samples all say so and released when none does; in between it keeps
 * its state. keys_busy = some sample still says "pressed": until
 * it is 0 the caller must go on scanning, after that a scan would change nothing.
 */
#include "board_config.h"
#include "keys.h"

static uint8_t s1, s2, s3;          /* the three samples before this one, s1 the newest */
static uint8_t down;                /* debounced state, bit k = key k+1 pressed */
static uint8_t muted;               /* held keys whose events are suppressed */
static uint8_t held;                /* the key being timed for auto-repeat (its bit; 0 none) */
static uint8_t held_ticks;          /* ticks left until its next repeat */
uint8_t keys_busy;

typedef char four_samples[(KEYS_DEBOUNCE == 4) ? 1 : -1];

void keys_init(void)
{
    KEY_SET = 1;
    KEY_UP = 1;
    KEY_DOWN = 1;
    KEY_MODE = 1;
}

#define XSTR(x) STR(x)
#define STR(x) #x
/* the raw bits whose pins read 1 while released (active low): XORed to "pressed = 1" */
#define KEYS_IDLE_HIGH ((1 - KEY_SET_ACTIVE) + ((1 - KEY_UP_ACTIVE) << 1) \
                        + ((1 - KEY_DOWN_ACTIVE) << 2) + ((1 - KEY_MODE_ACTIVE) << 3))
typedef char repeat_fits[(KEYS_REPEAT_DELAY < 256 && KEYS_REPEAT_DELAY > 0
                          && KEYS_REPEAT_RATE > 0 && KEY_REPEAT == 0x80) ? 1 : -1];
/* a key's code is its bit k (key k + 1 of the samples: SET, UP, DOWN, MODE) */
typedef char codes_are_bits[(KEY_ID_SET == 1 && KEY_ID_UP == 2 && KEY_ID_DOWN == 4
                             && KEY_ID_MODE == 8) ? 1 : -1];

/*
 * In assembler (SDCC's C took 139 bytes): R7 = raw (bit k = key k + 1 pressed now), R5 =
 * all, R4 = any.
 *   all = raw & s1 & s2 & s3; any = raw | s1 | s2 | s3; shift the samples; keys_busy = any
 *   newly = all & ~down; down = (down | all) & any; muted &= down; held &= down;
 *   newly &= ~muted: the lowest key is held (held_ticks = KEYS_REPEAT_DELAY) and its event
 *   returned (its bit: the key codes are the bits); else UP or DOWN held: when held_ticks
 *   counts down to 0 (after KEYS_REPEAT_DELAY ticks, then every KEYS_REPEAT_RATE: the
 *   reload), its event | KEY_REPEAT (so only UP and DOWN repeat)
 */
uint8_t keys_scan(void) __naked
{
    __asm__("    clr  a\n"
            "    mov  c,_" XSTR(KEY_MODE) "\n"
            "    rlc  a\n"
            "    mov  c,_" XSTR(KEY_DOWN) "\n"
            "    rlc  a\n"
            "    mov  c,_" XSTR(KEY_UP) "\n"
            "    rlc  a\n"
            "    mov  c,_" XSTR(KEY_SET) "\n"
            "    rlc  a\n"
            "    xrl  a,#(" XSTR(KEYS_IDLE_HIGH) ")\n"
            "    mov  r7,a\n"                       /* raw */
            "    anl  a,_s1\n"
            "    anl  a,_s2\n"
            "    anl  a,_s3\n"
            "    mov  r5,a\n"                       /* all */
            "    mov  a,r7\n"
            "    orl  a,_s1\n"
            "    orl  a,_s2\n"
            "    orl  a,_s3\n"
            "    mov  r4,a\n"                       /* any */
            "    mov  _keys_busy,a\n"
            "    mov  _s3,_s2\n"
            "    mov  _s2,_s1\n"
            "    mov  _s1,r7\n"
            "    mov  a,_down\n"
            "    cpl  a\n"
            "    anl  a,r5\n"
            "    mov  r7,a\n"                       /* newly pressed */
            "    mov  a,r5\n"
            "    orl  a,_down\n"
            "    anl  a,r4\n"
            "    mov  _down,a\n"
            "    anl  _muted,a\n"
            "    anl  _held,a\n"
            "    mov  a,_muted\n"
            "    cpl  a\n"
            "    anl  a,r7\n"
            "    mov  dpl,a\n"                      /* KEY_NONE when 0 */
            "    jz   00002$\n"
            "    mov  r7,a\n"                       /* the lowest: raw & -raw */
            "    cpl  a\n"
            "    inc  a\n"
            "    anl  a,r7\n"
            "    mov  _held,a\n"
            "    mov  _held_ticks,#" XSTR(KEYS_REPEAT_DELAY) "\n"
            "    mov  dpl,a\n"                      /* its bit is its code */
            "    ret\n"
            "00002$:\n"
            "    mov  a,_held\n"
            "    anl  a,#6\n"                       /* UP or DOWN */
            "    jz   00004$\n"
            "    djnz _held_ticks,00004$\n"         /* (A = held: one bit) */
            "    mov  _held_ticks,#" XSTR(KEYS_REPEAT_RATE) "\n"
            "    orl  a,#0x80\n"                    /* KEY_REPEAT */
            "    mov  dpl,a\n"
            "00004$:\n"
            "    ret\n");
}

void keys_suppress(void)
{
    muted = down;
    held = 0;
}
