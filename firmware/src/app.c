/*
 * app.c - the application's periodic work between the drivers: what each tick does and the
 * background work (serial) that runs between the pieces of long jobs. See app.h.
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
#if FEATURE_SERIAL
#include "protocol.h"
#endif

#define RTC_POLL_TICKS 4                /* 20 ms */

static uint8_t rtc_div;

void app_background(void)
{
#if FEATURE_SERIAL
    protocol_poll();
#endif
}

bool_t app_pending(void)
{
#if FEATURE_SERIAL
    return protocol_pending();
#else
    return 0;
#endif
}

void app_tick(void)
{
    uint8_t ev = keys_scan();

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
    buzzer_tick();
    ui_tick();
    if (++rtc_div >= RTC_POLL_TICKS) {
        rtc_div = 0;
        if (clock_poll())
            ui_dirty = 1;
    }
#if FEATURE_DS18B20
    if (temp_tick())                    /* one 1-Wire step (<= 0.6 ms) */
        ui_dirty = 1;
#endif
}
