/*
 * keys.c - key scanning, debounce and auto-repeat. See keys.h.
 * The pins are quasi-bidirectional port pins left at latch 1 (input with weak pull-up).
 */
#include "board_config.h"
#include "keys.h"

static uint8_t hist[4];             /* last samples, bit 0 = newest, 1 = pressed */
static uint8_t down;                /* debounced state, bit k = key k+1 pressed */
static uint8_t muted;               /* held keys whose events are suppressed */
static uint8_t held_key;            /* key being timed for auto-repeat (0 none) */
static uint8_t held_ticks;
static uint8_t settling;            /* ticks until every history holds only "released" */
uint8_t keys_busy;

#define DEB_MASK ((1 << KEYS_DEBOUNCE) - 1)

void keys_init(void)
{
    KEY_SET = 1;
    KEY_UP = 1;
    KEY_DOWN = 1;
    KEY_MODE = 1;
}

uint8_t keys_scan(void)
{
    uint8_t raw = 0, k = 0, bit = 1, h, ev = KEY_NONE;

    if (KEY_SET == KEY_SET_ACTIVE)
        raw |= 1;
    if (KEY_UP == KEY_UP_ACTIVE)
        raw |= 2;
    if (KEY_DOWN == KEY_DOWN_ACTIVE)
        raw |= 4;
    if (KEY_MODE == KEY_MODE_ACTIVE)
        raw |= 8;

    /* The caller skips the ticks with nothing pressed, nothing debounced as pressed and the
     * last KEYS_DEBOUNCE samples of every key "released" (keys_busy = 0): the loop below
     * would only shift in zeros that the mask then ignores. */
    if (raw)
        settling = KEYS_DEBOUNCE;
    else if (!down && settling)
        settling--;

    do {
        h = (hist[k] << 1) | (raw & 1);
        hist[k] = h;
        raw >>= 1;
        h &= DEB_MASK;
        k++;                            /* now the key code */
        if (h == DEB_MASK) {
            if (!(down & bit)) {
                down |= bit;
                if (!(muted & bit) && ev == KEY_NONE) {
                    ev = k;
                    held_key = k;
                    held_ticks = 0;
                }
            }
        } else if (h == 0 && (down & bit)) {
            down &= ~bit;
            muted &= ~bit;
            if (held_key == k)
                held_key = 0;
        }
        bit <<= 1;
    } while (k < 4);
    if (ev == KEY_NONE && (uint8_t)(held_key - KEY_ID_UP) <= (KEY_ID_DOWN - KEY_ID_UP)) {
        if (++held_ticks >= KEYS_REPEAT_DELAY) {
            held_ticks = KEYS_REPEAT_DELAY - KEYS_REPEAT_RATE;
            ev = held_key | KEY_REPEAT;
        }
    }
    keys_busy = down | settling;
    return ev;
}

void keys_suppress(void)
{
    muted = down;
    held_key = 0;
}
