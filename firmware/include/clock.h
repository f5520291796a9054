/*
 * clock.h - the clock's state and its persistence in the DS1302.
 *
 * - clock_now: the time last read from the DS1302 (clock burst, validated).
 * - settings: alarm HH:MM and on/off, 12/24 h display, the "unset" (set me) state; kept in
 *   DS1302 RAM behind a magic byte and a checksum (battery-backed):
 *       RAM0 magic 0xC5
 *       RAM1 flags: bit0 alarm on, bit1 12-hour display, bit2 time unset ("set me")
 *       RAM2 alarm hour (binary 0..23)
 *       RAM3 alarm minute (binary 0..59)
 *       RAM4 check = 0xA5 ^ (RAM0 + RAM1 + RAM2 + RAM3) (mod 256)
 *   RAM5..30 are unused.
 * - Invalid clock data (CH set, bad BCD, impossible date/time, 12-hour mode): the DS1302
 *   gets the build date (BUILD_YEAR.. BUILD_HOUR:BUILD_MINUTE:00) and the unset flag is
 *   set, shown as "?" on the LCD and as rtc=unset by INFO, until the time is set by keys or
 *   serial.
 * - Bad RAM magic/check (a chip set by another firmware, the simulator's --rtc) with a valid
 *   running time: only the settings are reset (alarm 07:00 off, 24 h) and RAM rewritten;
 *   the time is kept and not marked unset.
 * - Setting the time is two steps so a serial SET can do the slow part before its line
 *   ends: clock_prepare() validates clock_new, computes its weekday and builds the 8-byte
 *   clock burst; clock_commit() only writes it (seconds restart at that CE fall).
 */
#ifndef CLOCK_H
#define CLOCK_H

#include "compat.h"
#include "calendar.h"

#define SET_ALARM_ON  0x01
#define SET_H12       0x02
#define SET_UNSET     0x04

#define SETTINGS_MAGIC 0xC5
#define SETTINGS_SEED  0xA5
#define SETTINGS_BYTES 5

typedef struct {
    uint8_t flags;          /* SET_* */
    uint8_t alarm_hour;     /* 0..23 */
    uint8_t alarm_minute;   /* 0..59 */
} settings_t;

extern datetime_t clock_now;    /* last valid time read (or set) */
extern IDATA datetime_t clock_tmp;    /* scratch: clock_read() result */
extern IDATA datetime_t clock_new;    /* the time to set: clock_prepare() argument */
extern bool_t clock_ready;      /* clock_new is validated and its burst built */
extern settings_t settings;
extern bool_t clock_fault;      /* last DS1302 read was invalid (clock_now kept) */
extern bool_t settings_changed; /* settings changed: the main loop saves them soon */

void   clock_boot(void);        /* check the DS1302, first power-up handling */
bool_t clock_poll(void);        /* every ~20 ms: 1 when a new second was read */
bool_t clock_read(void);        /* clock burst -> clock_tmp, decoded; 0 if invalid */
bool_t clock_prepare(void);     /* validate clock_new, weekday, build the burst; 0 if invalid */
void   clock_commit(void);      /* after clock_prepare(): write the DS1302 once, clear "unset" */
void   settings_save(void);     /* settings -> DS1302 RAM; clears settings_changed */

#endif /* CLOCK_H */
