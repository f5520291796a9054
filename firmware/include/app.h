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
 * APP_RX():         its receiving half (bytes taken, lines executed, no reply text), run in
 *                   the middle of building a row's text.
 * APP_SET_NEAR():   a SET line is within two bytes of its end: work that can wait a tick
 *                   (a DS18B20 step) does, so the line's last bytes are taken at once.
 * APP_IDLE():       no serial line is under way (nothing received since the last line end):
 *                   work of a few ms that can wait a minute (a drift step) may run.
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
/* the part of APP_BACKGROUND() that writes no text, for the middle of an LCD row's text */
#define APP_RX() do { if (uart_event) protocol_rx(); } while (0)
#define APP_SET_NEAR() protocol_set_near()
#define APP_IDLE() protocol_idle()
#else
#define APP_IDLE() 1
#define APP_BACKGROUND() do { } while (0)
#define APP_PENDING() 0
#define APP_RX() do { } while (0)
#define APP_SET_NEAR() 0
#endif

void app_tick(void);

#endif /* APP_H */
