/*
 * app.c - the application's periodic work between the drivers: what each tick does. See
 * app.h. A tick with nothing due costs a few instructions: each part is entered only when it
 * has work (a key pressed or settling, the buzzer ringing, a field blinking, a countdown run
 * out), so the CPU is back in idle mode at once.
 */
#include "board_config.h"
#include "app.h"
#include "clock.h"
#include "keys.h"
#include "buzzer.h"
#include "ui.h"
#if FEATURE_DS18B20
#include "ds18b20.h"
#endif

/* clock_poll()'s bits are the lines they change */
typedef char clock_bits_are_lines[(CLOCK_SECOND == UI_LINE2
                                   && (CLOCK_SECOND | CLOCK_DAY) == UI_ALL) ? 1 : -1];

void app_tick(void)
{
    uint8_t ev;

    if (KEYS_PRESSED() || keys_busy) {
        ev = keys_scan();
        if (ev != KEY_NONE) {
            if (buzzer_ringing()) {
                /* any key silences the alarm and does nothing else */
                if (!(ev & KEY_REPEAT)) {
                    buzzer_stop();
                    keys_suppress();
                }
            } else {
                ui_key(ev);
            }
        }
    }
    if (buzzer_ringing())
        buzzer_tick();
    if (ui_editing())
        ui_tick();
    if (!--clock_wait)                  /* the DS1302 seconds, when clock.c says */
        ui_dirty |= clock_poll();       /* a new second: line 2; a new date: both */
#if FEATURE_DS18B20
    if (!--temp_wait) {
        if (APP_SET_NEAR())
            temp_wait = 1;              /* a SET's last bytes first: the step next tick */
        else if (temp_tick())           /* one 1-Wire step (<= 0.6 ms) */
            ui_dirty |= UI_LINE2;
    }
#endif
}
