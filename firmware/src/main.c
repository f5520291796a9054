/*
 * main.c - clock51 firmware entry: start-up, the 5 ms tick and the main loop.
 *
 * Interrupts (all low priority, none nests):
 *   Timer 0 (vector 1): the 5 ms tick, mode 1 reloaded in the ISR; only counts.
 *   Serial  (vector 4): UART receive/transmit rings (uart.c).
 *   Timer 2 (vector 5): buzzer tone, runs only while the alarm sounds (buzzer.c).
 *
 * Main loop, each pass:
 *   1. serial: received bytes are parsed, complete lines executed, and one queued reply
 *      sent whenever the transmit ring is empty (protocol_poll);
 *   2. for each tick that passed: keys (debounce, events), buzzer pattern, blink phase, and
 *      every 4th tick (20 ms) the DS1302 seconds register; on a new second a clock burst read,
 *      the alarm check, and a redraw request;
 *   3. redraw the changed LCD characters;
 *   4. sleep in idle mode (PCON.IDL) until the next interrupt, unless work is pending.
 */
#include "board_config.h"
#include "compat.h"
#include "tick.h"
#include "lcd.h"
#include "ds1302.h"
#include "clock.h"
#include "keys.h"
#include "buzzer.h"
#include "ui.h"
#if FEATURE_DS18B20
#include "ds18b20.h"
#endif
#if FEATURE_SERIAL
#include "uart.h"
#include "protocol.h"
#endif

#define T0_RELOAD (65536u - TICK_CYCLES)
#define RTC_POLL_TICKS 4                /* 20 ms */

volatile uint8_t tick_count;

void timer0_isr(void) __interrupt(1)
{
    TH0 = T0_RELOAD >> 8;
    TL0 = T0_RELOAD & 0xFF;
    tick_count++;
}

void cpu_idle(void)
{
    PCON |= 0x01;                       /* IDL: CPU stops, timers/UART/interrupts run */
}

void tick_wait(uint8_t n)
{
    uint8_t start = tick_count;
    while ((uint8_t)(tick_count - start) < n)
        cpu_idle();
}

void app_background(void)
{
#if FEATURE_SERIAL
    protocol_poll();
#endif
}

static uint8_t tick_seen;
static uint8_t rtc_div;

static void app_tick(void)
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

void main(void)
{
    EA = 0;
    TMOD = (TMOD & 0xF0) | 0x01;        /* Timer 0 mode 1 (16-bit) */
    TH0 = T0_RELOAD >> 8;
    TL0 = T0_RELOAD & 0xFF;
    ET0 = 1;
    TR0 = 1;
    keys_init();
    buzzer_init();
#if FEATURE_SERIAL
    uart_init();
#endif
    EA = 1;

    lcd_init();
    clock_boot();
    ui_init();
#if FEATURE_SERIAL
    protocol_banner();
#endif
    tick_seen = tick_count;

    for (;;) {
        app_background();
        while (tick_seen != tick_count) {
            tick_seen++;
            app_tick();
            app_background();
        }
        ui_refresh();
        if (settings_changed)
            settings_save();            /* ALARM/HOURS/keys/first SET: DS1302 RAM */

        /* Sleep unless something arrived meanwhile. EA = 0 closes the race between the
         * check and the sleep: SETB EA lets one more instruction run before any pending
         * interrupt is taken, so the ORL PCON executes and the pending interrupt ends the
         * idle state at once. */
        EA = 0;
#if FEATURE_SERIAL
        if (tick_seen == tick_count && !protocol_pending() && !ui_dirty) {
#else
        if (tick_seen == tick_count && !ui_dirty) {
#endif
            __asm
                setb _EA
                orl  _PCON,#0x01
            __endasm;
        } else {
            EA = 1;
        }
    }
}
