/*
 * ui.h - the two LCD pages and key editing.
 *
 * Page 0 (default):  line 1 "2026-11-24 Tue  "
 *                    line 2 "12:05:31        " 24 h, or "12:05:31 PM     " 12 h;
 *                           column 14 = bell glyph while the alarm is on,
 *                           column 15 = '?' while the time is unset ("set me").
 *                    With a DS18B20 (FEATURE_DS18B20): "12:05:31 -10.5" + degree + mark,
 *                           12 h "12:05:31P" (A/P letter); the temperature in columns
 *                           9..14 (ds18b20.h); column 15 one mark: '?' while unset, else
 *                           the bell while the alarm is on.
 *                    On a solar term or festival day (solar.h, FEATURE_LUNAR): line 1
 *                           column 15 = the lantern glyph.
 * Page 1 (MODE):     line 1 "L 10-06 BingWu  " lunar month-day ('*' after L in a leap
 *                           month) and the lunar year's stem-branch name
 *                    line 2 "Alarm 07:30  ON " (12 h: "Alarm 07:30A ON ", A/P); on a
 *                           term or festival day, outside the alarm's edit fields, the
 *                           day's names instead: "QiXi LiQiu" (solar_print_day())
 * Keys, normal mode: SET enters editing; MODE toggles the page; UP toggles the alarm on/off;
 *                    DOWN toggles 12/24-hour display (both saved in DS1302 RAM).
 * Keys, editing:     SET steps year, month, day, hour, minute, alarm hour, alarm minute,
 *                    alarm on/off, then leaves; MODE leaves at once. UP/DOWN change the
 *                    field with wrap-around (auto-repeat when held); the day is clamped to
 *                    the month's length when year or month change. The field blinks 0.5 s
 *                    on / 0.5 s off (shown steady right after a change). Leaving writes the
 *                    DS1302 once (seconds 00) if a date/time field changed or the time was
 *                    unset, and the alarm to DS1302 RAM if an alarm field changed.
 * Drawing: only characters that differ from what the LCD shows are written; a line is
 * rendered only when ui_dirty names it (a new second: line 2; a new date, a key, a serial
 * command, the blink: both).
 */
#ifndef UI_H
#define UI_H

#include "compat.h"

#define UI_BLINK_TICKS 100          /* 0.5 s */

#define UI_LINE2 0x02                /* ui_dirty: line 2 may have changed (time, temperature) */
#define UI_ALL   0x03                /* ... both lines */

extern uint8_t ui_dirty;            /* what may have changed: redraw it soon */
extern uint8_t ui_field;            /* the field being edited, 0 when not editing */
#define ui_editing() (ui_field != 0)

void ui_init(void);                 /* after lcd_init(): the LCD is blank */
void ui_key(uint8_t ev);            /* a keys_scan() event */
void ui_tick(void);                 /* every tick while ui_editing(): blinking */
void ui_refresh(void);              /* redraw what ui_dirty names (APP_BACKGROUND() between
                                       characters) */
void ui_cancel_edit(void);          /* drop an edit in progress (serial changed the clock) */
/* the lunar/solar globals were recomputed for another date (a CAL reply): the pages
 * recompute theirs before the next use (FEATURE_LUNAR) */
void ui_calendar_stale(void);

#endif /* UI_H */
