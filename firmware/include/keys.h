/*
 * keys.h - four debounced keys (SET, UP, DOWN, MODE) on the pins of board_config.h
 * (KEY_x, KEY_x_ACTIVE = pin level while pressed), scanned once per 5 ms tick.
 *
 * Debounce: a key is pressed after 4 equal samples (KEYS_DEBOUNCE, 15-20 ms) and released
 * after 4 equal samples; contact bounce of up to ~15 ms is absorbed.
 * Auto-repeat (UP and DOWN only): first repeat 500 ms after the press, then every 100 ms.
 * keys_scan() returns one event per call: the key code, ORed with KEY_REPEAT for repeats.
 */
#ifndef KEYS_H
#define KEYS_H

#include "compat.h"
#include "board_config.h"

#define KEY_NONE     0
/* a key's code is its bit in the debounced state (keys.c): the scan returns it as is */
#define KEY_ID_SET   1
#define KEY_ID_UP    2
#define KEY_ID_DOWN  4
#define KEY_ID_MODE  8
#define KEY_REPEAT   0x80

#define KEYS_DEBOUNCE      4        /* samples (ticks) */
#define KEYS_REPEAT_DELAY  100      /* ticks: 500 ms */
#define KEYS_REPEAT_RATE   20       /* ticks: 100 ms */

/* a key is down at this instant (raw, not debounced) */
#define KEYS_PRESSED() (KEY_SET == KEY_SET_ACTIVE || KEY_UP == KEY_UP_ACTIVE \
                        || KEY_DOWN == KEY_DOWN_ACTIVE || KEY_MODE == KEY_MODE_ACTIVE)

extern uint8_t keys_busy;           /* a key is debounced as pressed, or a release settling */

void    keys_init(void);
/* once per tick while KEYS_PRESSED() or keys_busy (otherwise every key is known released
 * and a call would change nothing): KEY_NONE or an event */
uint8_t keys_scan(void);
void    keys_suppress(void);        /* no more events from the keys now held until released */

#endif /* KEYS_H */
