/*
 * ui.c - LCD pages, key editing and blinking. See ui.h for what the user sees.
 *
 * A redraw renders one 16-character line at a time (text.c sink) and writes only the
 * characters that differ from the shadow copy of the LCD (normally the two seconds
 * digits), moving the address counter only when needed. Between characters the main
 * loop's background work (a complete serial line) gets its chance, so a SET is never
 * delayed by a redraw.
 */
#include "board_config.h"
#include "ui.h"
#include "lcd.h"
#include "keys.h"
#include "clock.h"
#include "calendar.h"
#include "lunar.h"
#include "text.h"

enum {
    F_NONE = 0, F_YEAR, F_MONTH, F_DAY, F_HOUR, F_MIN,
#if FEATURE_ALARM
    F_AHOUR, F_AMIN, F_AON,
#endif
    F_END
};

bool_t ui_dirty;

static uint8_t page;                /* 0 = date/time, 1 = lunar/alarm */
static uint8_t field;               /* F_NONE when not editing */
static datetime_t edt;              /* the values being edited */
static uint8_t e_ahour, e_amin, e_aon;
static bool_t time_changed, alarm_changed;
static bool_t blink_hide;           /* blink phase: the edited field is blanked */
static uint8_t blink_ticks;

static XDATA uint8_t shadow[32];    /* what the LCD shows */

/* Per field (index field - 1): where its text is (row in bit 4, column in bits 3..0) and
 * its length; the upper bound for UP/DOWN (the day's is the month's length). */
static const CODE uint8_t hide_at[]  = { 0x00, 0x05, 0x08, 0x10, 0x13, 0x16, 0x19, 0x1D };
static const CODE uint8_t hide_len[] = { 4, 2, 2, 2, 2, 2, 2, 3 };
static const CODE uint8_t field_hi[] = { 99, 12, 31, 23, 59, 23, 59, 1 };
static uint8_t NEAR * const CODE field_ptr[] = {
    &edt.year, &edt.month, &edt.day, &edt.hour, &edt.minute, &e_ahour, &e_amin, &e_aon
};

#if FEATURE_LUNAR
static uint8_t lun_y = 0xFF, lun_m, lun_d;
static bool_t lun_ok;
#endif

void ui_init(void)
{
    uint8_t i = 0;
    do {
        shadow[i] = ' ';            /* the LCD was just cleared */
    } while (++i < 32);
    ui_dirty = 1;
}

/* "07:30" in the display's 12/24 h mode */
static void out_hm_disp(uint8_t h, uint8_t m)
{
    if (settings.flags & SET_H12)
        h = text_hour12(h);
    out_hm(h, m);
}

/* Row `row` of the page on show into text_line. */
static void render(uint8_t row)
{
    const datetime_t NEAR *t = field ? &edt : &clock_now;
    uint8_t n;

    out_uart = 0;
    out_pos = 0;
    if (!(field ? (field > F_MIN) : page)) {
        if (!row) {                             /* "2026-11-24 Tue" */
            out_date(t);
            out_ch(' ');
            out_wday(cal_weekday(t));
        } else {                                /* "12:05:31 PM" + bell + "?" */
            n = t->hour;
            out_hm_disp(n, t->minute);
            out_ch(':');
            out_2d(field ? 0 : t->second);
            if (settings.flags & SET_H12) {
                out_ch(' ');
                out_ch(n < 12 ? 'A' : 'P');
                out_ch('M');
            }
            out_pad(14);
#if FEATURE_ALARM
            out_ch((settings.flags & SET_ALARM_ON) ? GLYPH_BELL : ' ');
#else
            out_ch(' ');
#endif
            out_ch((settings.flags & SET_UNSET) ? '?' : ' ');
        }
    } else if (!row) {                          /* "L*10-06 BingWu" */
#if FEATURE_LUNAR
        if (lun_y != t->year || lun_m != t->month || lun_d != t->day) {
            lun_y = t->year;
            lun_m = t->month;
            lun_d = t->day;
            lun_ok = lunar_from_date(t);
        }
        out_ch('L');
        if (lun_ok) {
            out_ch(lunar.leap ? '*' : ' ');
            out_2d(lunar.month);
            out_ch('-');
            out_2d(lunar.day);
            out_ch(' ');
            out_str(lunar_stem_name(lunar.stem));
            out_str(lunar_branch_name(lunar.branch));
        }
#endif
    } else {                                    /* "Alarm 07:30   ON" */
#if FEATURE_ALARM
        if (!field) {
            e_ahour = settings.alarm_hour;
            e_amin = settings.alarm_minute;
            e_aon = settings.flags & SET_ALARM_ON;
        }
        out_str("Alarm ");
        out_hm_disp(e_ahour, e_amin);
        out_ch(!(settings.flags & SET_H12) ? ' ' : e_ahour < 12 ? 'A' : 'P');
        out_str(e_aon ? "  ON" : " OFF");
#endif
    }
    out_pad(16);
    if (blink_hide && field) {
        n = hide_at[field - 1];
        if ((n >> 4) == row) {
            out_pos = n & 0x0F;
            n = hide_len[field - 1];
            do {
                out_ch(' ');
            } while (--n);
        }
    }
}

void ui_refresh(void)
{
    uint8_t row, col, i, c, at = 0xFF;

    if (!ui_dirty)
        return;
    ui_dirty = 0;
    for (row = 0; row < 2; row++) {
        render(row);
        for (col = 0; col < 16; col++) {
            i = (row << 4) | col;
            c = text_line[col];
            if (shadow[i] == c)
                continue;
            if (at != i)
                lcd_goto((row << 6) | col);     /* LCD_LINE2 = 0x40 */
            lcd_putc(c);
            shadow[i] = c;
            at = i + 1;
            app_background();
        }
    }
}

void ui_tick(void)
{
    if (!field) {
        blink_hide = 0;
        return;
    }
    if (++blink_ticks >= UI_BLINK_TICKS) {
        blink_ticks = 0;
        blink_hide = !blink_hide;
        ui_dirty = 1;
    }
}

static void blink_restart(void)
{
    blink_ticks = 0;
    blink_hide = 0;
    ui_dirty = 1;
}

static void edit_leave(void)
{
    field = F_NONE;
    if (time_changed || (settings.flags & SET_UNSET)) {
        dt_copy(&clock_new, &edt);
        clock_new.second = 0;
        if (clock_prepare())
            clock_commit();
    }
#if FEATURE_ALARM
    if (alarm_changed) {
        settings.alarm_hour = e_ahour;
        settings.alarm_minute = e_amin;
        settings.flags = (settings.flags & ~SET_ALARM_ON) | e_aon;
        settings_changed = 1;
    }
#endif
}

void ui_cancel_edit(void)
{
    field = F_NONE;
    blink_restart();
}

void ui_key(uint8_t ev)
{
    uint8_t key = ev & ~KEY_REPEAT, f = field, lo, hi, v;
    uint8_t NEAR *p;

    blink_restart();
    if (!f) {
        if (ev & KEY_REPEAT)
            return;
        if (key == KEY_ID_SET) {
            dt_copy(&edt, &clock_now);
            e_ahour = settings.alarm_hour;
            e_amin = settings.alarm_minute;
            e_aon = settings.flags & SET_ALARM_ON;
            time_changed = alarm_changed = 0;
            field = F_YEAR;
            return;
        }
        if (key == KEY_ID_MODE) {
            page ^= 1;
            return;
        }
#if FEATURE_ALARM
        settings.flags ^= (key == KEY_ID_UP) ? SET_ALARM_ON : SET_H12;
#else
        if (key == KEY_ID_UP)
            return;
        settings.flags ^= SET_H12;
#endif
        settings_changed = 1;
        return;
    }
    if (key == KEY_ID_MODE || key == KEY_ID_SET) {
        if (ev & KEY_REPEAT)
            return;
        if (key == KEY_ID_MODE || ++field >= F_END)
            edit_leave();
        return;
    }
    /* UP / DOWN: step the field with wrap-around */
    f--;
    p = field_ptr[f];
    lo = (f == F_MONTH - 1 || f == F_DAY - 1);
    hi = field_hi[f];
    if (f == F_DAY - 1)
        hi = cal_days_in_month(edt.year, edt.month);
    v = *p;
    if (key == KEY_ID_UP)
        v = v >= hi ? lo : v + 1;
    else
        v = v <= lo ? hi : v - 1;
    *p = v;
    if (f < F_MIN) {
        time_changed = 1;
        hi = cal_days_in_month(edt.year, edt.month);
        if (edt.day > hi)
            edt.day = hi;           /* Feb 29 -> 28 in a common year, 31 -> 30 */
    } else {
        alarm_changed = 1;
    }
}
