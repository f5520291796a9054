/*
 * app.h - the application's work (app.c), as seen by main.c and by the drivers that must
 * give it a chance while they are busy.
 *
 * app_tick():       every 5 ms tick, only what is due: the keys while one is pressed or
 *                   settling (events to the UI, or silencing the alarm), the buzzer pattern
 *                   while it rings, the blink phase while a field is edited, the DS1302
 *                   seconds read when clock.c's countdown runs out (clock_poll: a new second
 *                   -> redraw request), one DS18B20 step when its countdown runs out.
 * APP_BACKGROUND(): work that must not wait, only when the UART interrupt flagged some (a
 *                   received byte: a complete serial line; a line sent: the next reply); the
 *                   LCD redraw runs it between characters so a SET is never delayed.
 */
#ifndef APP_H
#define APP_H

#include "compat.h"
#include "board_config.h"

#if FEATURE_SERIAL
#include "uart.h"
#include "protocol.h"
#define APP_BACKGROUND() do { if (uart_event) { uart_event = 0; protocol_poll(); } } while (0)
#define APP_PENDING() (uart_event)
#else
#define APP_BACKGROUND() do { } while (0)
#define APP_PENDING() 0
#endif

void app_tick(void);

#endif /* APP_H */
