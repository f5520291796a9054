/*
 * app.h - the application's work (app.c), as seen by main.c and by the drivers that must
 * give it a chance while they are busy.
 *
 * app_tick():       every 5 ms tick: keys (events to the UI, or silencing the alarm),
 *                   buzzer pattern, blink phase, and every 4th tick (20 ms) the DS1302
 *                   seconds poll (clock_poll: a new second -> redraw request), one DS18B20
 *                   step where the board has one (temp_tick).
 * app_background(): work that must not wait (a complete serial line, a queued reply); the
 *                   LCD redraw calls it between characters so a SET is never delayed.
 * app_pending():    something is waiting for app_background() (the main loop stays awake).
 */
#ifndef APP_H
#define APP_H

#include "compat.h"

void   app_tick(void);
void   app_background(void);
bool_t app_pending(void);

#endif /* APP_H */
