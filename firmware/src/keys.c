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
static uint8_t held_ticks;
uint8_t keys_busy;

typedef char four_samples[(KEYS_DEBOUNCE == 4) ? 1 : -1];

void keys_init(void)
{
    KEY_SET = 1;
    KEY_UP = 1;
    KEY_DOWN = 1;
    KEY_MODE = 1;
}

uint8_t keys_scan(void)
{
    uint8_t raw = 0, all, any, ev = KEY_NONE;

    if (KEY_SET == KEY_SET_ACTIVE)
        raw |= 1;
    if (KEY_UP == KEY_UP_ACTIVE)
        raw |= 2;
    if (KEY_DOWN == KEY_DOWN_ACTIVE)
        raw |= 4;
    if (KEY_MODE == KEY_MODE_ACTIVE)
        raw |= 8;
    all = raw & s1 & s2 & s3;           /* pressed in all four samples */
    any = raw | s1 | s2 | s3;           /* pressed in one of them */
    s3 = s2;
    s2 = s1;
    s1 = raw;
    keys_busy = any;
    raw = all & ~down;                  /* newly pressed */
    down = (down | all) & any;          /* released: no sample pressed any more */
    muted &= down;
    held &= down;                       /* the key being timed was released */
    raw &= ~muted;
    if (raw) {                          /* one event per scan: the lowest key */
        held = raw & (uint8_t)-raw;
        held_ticks = 0;
        ev = held;                      /* bit 1, 2, 4, 8 -> key 1, 2, 3, 4 */
        if (held & 0x0C)
            ev = (held >> 2) + 2;
    } else if (held & 0x06) {           /* UP or DOWN held: auto-repeat */
        if (++held_ticks >= KEYS_REPEAT_DELAY) {
            held_ticks = KEYS_REPEAT_DELAY - KEYS_REPEAT_RATE;
            ev = ((held >> 1) + 1) | KEY_REPEAT;
        }
    }
    return ev;
}

void keys_suppress(void)
{
    muted = down;
    held = 0;
}
