/*
 * clock.h - the clock's state and its persistence in the DS1302.
 *
 * - clock_now: the time last read from the DS1302 (clock burst, validated).
 * - settings: alarm HH:MM and on/off, 12/24 h display; kept in DS1302 RAM (battery-backed)
 *   behind a CRC and a magic byte:
 *       RAM0 flags: bit0 alarm on, bit1 12-hour display, bit3 temperature compensation
 *            (drift feature; other bits 0)
 *       RAM1 alarm hour (binary 0..23)
 *       RAM2 alarm minute (binary 0..59)
 *       RAM3 CRC-8 of RAM0..2 (polynomial 0x07, initial value 0xA5)
 *       RAM4 magic 0xC3
 *   RAM5..30: the drift feature's ID and record (drift.h), else unused. A save clears RAM4 first (single write), then writes RAM0..4 in one
 *   burst, magic last: a save cut anywhere (power loss, reset, brown-out) leaves either the
 *   old block or an invalid one (-> defaults), never a mix of old and new bytes.
 * - The "set me" state (time never set: shown as "?" on the LCD, rtc=unset by INFO) is
 *   carried by the time itself, in the same clock burst: the day-of-week register holds the
 *   weekday (1 = Monday .. 7 = Sunday) for a set time and weekday + 3 (wrapped to 1..7) for
 *   the "set me" state (with the drift feature weekday + 1 is a set time too, and weekday +
 *   2 a set whose drift record is pending: drift.h). The chip steps that register with the
 *   date at midnight, so the mark
 *   stays; the firmware computes the weekday it shows from the date. SET_UNSET in
 *   settings.flags mirrors it after every clock read and is never saved in RAM.
 * - Invalid clock data (CH set, bad BCD, impossible date/time, 12-hour mode): the DS1302
 *   gets the build date (BUILD_YEAR.. BUILD_HOUR:BUILD_MINUTE:00) with the "set me" mark in
 *   one clock burst, until the time is set by keys or serial.
 * - Bad RAM magic/CRC (a chip set by another firmware, the simulator's --rtc) with a valid
 *   running time: only the settings are reset (alarm 07:00 off, 24 h) and RAM rewritten;
 *   the time is kept and not marked unset (unless its weekday register happens to carry
 *   the mark).
 * - Setting the time is two steps so a serial SET can do the slow part before its line
 *   ends: clock_prepare() validates clock_new and computes its weekday; clock_commit()
 *   encodes the 8-byte clock burst and writes it (seconds restart at that CE fall).
 * - With the drift feature the burst carries weekday + 2 ("set, record pending") and the
 *   drift reset (drift_set(): 5-7 ms of DS1302 transfers) is left pending (SET_RESET in
 *   settings.flags): clock_settle() runs it, once for any number of sets since the last one,
 *   from the main loop right after a reply has been started (the UART has the reply's time
 *   in hand: pipelined SETs' replies follow each other without a gap) or when nothing is
 *   being sent, and from clock_poll() before the drift's second. A power cut before it is
 *   a weekday + 2 found at power-up, which redoes the reset (drift.h).
 */
#ifndef CLOCK_H
#define CLOCK_H

#include "compat.h"
#include "calendar.h"

#define SET_ALARM_ON  0x01
#define SET_H12       0x02
#define SET_UNSET     0x04
#define SET_COMP      0x08      /* drift: temperature compensation on (drift.h) */
#define SET_RESET     0x10      /* drift: a set's drift reset is pending (never saved) */

#if FEATURE_DRIFT
#define SETTINGS_FLAGS (SET_ALARM_ON | SET_H12 | SET_COMP)   /* the flags saved in RAM */
#else
#define SETTINGS_FLAGS (SET_ALARM_ON | SET_H12)   /* the flags saved in RAM */
#endif
#define SETTINGS_MAGIC 0xC3
#define SETTINGS_SEED  0xA5
#define SETTINGS_BYTES 5
#define UNSET_WDAY_SHIFT 3      /* day-of-week register = weekday + 3: "set me" */
#define PENDING_WDAY_SHIFT 2    /* drift: weekday + 2: set, drift record pending (drift.h) */

typedef struct {
    uint8_t flags;          /* SET_* */
    uint8_t alarm_hour;     /* 0..23 */
    uint8_t alarm_minute;   /* 0..59 */
} settings_t;

extern datetime_t clock_now;    /* last valid time read (or set) */
extern IDATA datetime_t clock_tmp;    /* scratch: clock_read() result */
extern IDATA datetime_t clock_new;    /* the time to set: clock_prepare() argument */
extern BIT clock_ready;         /* clock_new is validated, its weekday computed */
extern settings_t settings;
extern BIT settings_changed; /* settings changed: the main loop saves them soon */

#define CLOCK_SECOND 0x02       /* clock_poll(): a new second was read ... */
#define CLOCK_DAY    0x01       /* ... and its date differs from the last one */

extern uint8_t clock_wait;      /* ticks to the next clock_poll(): the caller counts it down */

void    clock_boot(void);       /* check the DS1302, first power-up handling */
uint8_t clock_poll(void);       /* when clock_wait runs out: CLOCK_* bits, 0 if no new second */
bool_t clock_read(void);        /* clock burst -> clock_tmp, decoded; 0 if invalid */
bool_t clock_prepare(void);     /* validate clock_new, its weekday; 0 if invalid */
void   clock_commit(void);      /* after clock_prepare(): write the DS1302 once ("set");
                                   with the drift feature the drift reset is left pending */
#if FEATURE_DRIFT
void   clock_settle(void);      /* the pending drift reset of the sets since the last one */
#endif
void   clock_write(uint8_t off);/* after clock_prepare(): the clock burst, day-of-week
                                   register = weekday + off (see above and drift.h) */
void   clock_mark(uint8_t off); /* the day-of-week register alone: clock_now's weekday + off */
uint8_t clock_crc(uint8_t n);   /* CRC-8 of ds1302_buf[0..n-1] (polynomial 0x07, seed 0xA5) */
void   settings_save(void);     /* settings -> DS1302 RAM; clears settings_changed */

#endif /* CLOCK_H */
