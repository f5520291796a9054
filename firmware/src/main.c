/*
 * main.c - clock51 firmware entry: start-up and the main loop. The timebase is tick.c, the
 * work done each tick and in the background is app.c.
 *
 * Interrupts (all low priority, none nests):
 *   Timer 0 (vector 1): the 5 ms tick, mode 1 reloaded in the ISR; only counts (tick.c).
 *   Serial  (vector 4): UART receive/transmit rings (uart.c).
 *   Timer 2 (vector 5): buzzer tone, runs only while the alarm sounds (buzzer.c).
 *
 * Main loop, each pass:
 *   1. for a tick that passed, what is due (app_tick): keys while one is pressed or
 *      settling, the buzzer pattern while it rings, the blink phase while editing, the DS1302
 *      seconds register when clock.c's countdown runs out (on a new second a clock burst
 *      read, the alarm check, and a redraw request), a DS18B20 step when its countdown does;
 *   2. serial, when the UART interrupt flagged a byte in or a line sent: received bytes are
 *      parsed, complete lines executed, and a queued reply sent whenever the transmit buffer
 *      is empty (APP_BACKGROUND);
 *   3. redraw the changed LCD characters; save changed settings to DS1302 RAM;
 *   4. sleep in idle mode (PCON.IDL) until the next interrupt, unless work is pending. With
 *      nothing due, a tick costs the interrupt and a few dozen instructions.
 */
#include "board_config.h"
#include "compat.h"
#include "tick.h"
#include "app.h"
#include "lcd.h"
#include "clock.h"
#include "keys.h"
#include "buzzer.h"
#include "ui.h"
#include "drift.h"
#if FEATURE_SERIAL
#include "uart.h"
#include "protocol.h"
#endif

static uint8_t tick_seen;

/* SDCC's start-up hook (0: clear and initialise RAM as usual), defined here so that no
 * library module compiled with other options than ours is linked */
unsigned char _sdcc_external_startup(void)
{
    return 0;
}

void main(void)
{
    EA = 0;
    tick_init();
    keys_init();
    buzzer_init();
#if FEATURE_SERIAL
    uart_init();
#endif
    EA = 1;

    lcd_init();
    clock_boot();
#if FEATURE_DRIFT
    drift_boot();                       /* the drift record, the catch-up for the time away */
#endif
    ui_init();
#if FEATURE_SERIAL
    protocol_banner();
#endif
    tick_seen = tick_count;

    for (;;) {
        if (tick_seen ^ tick_count) {   /* one tick a pass: the others after the checks */
            tick_seen++;
            app_tick();
        }
#if FEATURE_DRIFT && FEATURE_SERIAL
        /* APP_BACKGROUND(), then a set's pending drift reset (clock_settle(), 5-7 ms) when
         * the UART has time in hand or nothing to send: the transmitter was idle before
         * protocol_poll() (a reply it started now, or none to send), or is idle now. While
         * a reply started earlier is still going out, the reset waits for the next one (so
         * pipelined SETs' replies follow each other without a gap); clock_poll() runs it
         * before the drift's next second in any case. In assembler: the carry of
         * uart_tx_idle() kept on the stack (PSW) across protocol_poll(). */
        __asm
            jnb  _uart_event,00901$
            clr  _uart_event
            lcall _uart_tx_idle
            push psw
            lcall _protocol_poll
            pop  psw
            jc   00902$
        00901$:
            lcall _uart_tx_idle
            jnc  00903$
        00902$:
            lcall _clock_settle
        00903$:
        __endasm;
#else
        APP_BACKGROUND();
#if FEATURE_DRIFT
        clock_settle();                 /* a set's pending drift reset (keys) */
#endif
#endif
        if (ui_dirty)
            ui_refresh();
        if (settings_changed)
            settings_save();            /* ALARM/HOURS/keys: DS1302 RAM */

        /* Sleep unless something arrived meanwhile. EA = 0 closes the race between the
         * check and the sleep: SETB EA lets one more instruction run before any pending
         * interrupt is taken, so the ORL PCON executes and the pending interrupt ends the
         * idle state at once. In assembler (3 bytes less): EA = 0; if (tick_seen ==
         * tick_count && !APP_PENDING() && !ui_dirty) { EA = 1; idle } EA = 1 (again after
         * the idle state: no change). */
        __asm
            clr  _EA
            mov  a,_tick_count
            xrl  a,_tick_seen
            orl  a,_ui_dirty
            jnz  00900$
#if FEATURE_SERIAL
            jb   _uart_event,00900$
#endif
            setb _EA
            orl  _PCON,#0x01
        00900$:
            setb _EA
        __endasm;
    }
}
