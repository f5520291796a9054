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
#include "app.h"
#include "lcd.h"
#include "keys.h"
#include "clock.h"
#include "calendar.h"
#include "lunar.h"
#include "text.h"
#if FEATURE_LUNAR
#include "solar.h"
#endif
#if FEATURE_DS18B20
#include "ds18b20.h"
#endif

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
static struct {
    uint8_t hour, minute, on;       /* the alarm being edited (on = SET_ALARM_ON or 0) */
} eal;
static bool_t time_changed, alarm_changed;
static bool_t blink_hide;           /* blink phase: the edited field is blanked */
static uint8_t blink_ticks;

static XDATA uint8_t shadow[32];    /* what the LCD shows */

/* Per field (index field - 1): where its text is (row in bit 4, column in bits 3..0, length
 * in bits 7..5) and  * its length; the upper bound for UP/DOWN (the day's is the month's length). */
static const CODE uint8_t hide_at[] = {
    0x80 | 0x00, 0x40 | 0x05, 0x40 | 0x08, 0x40 | 0x10, 0x40 | 0x13, 0x40 | 0x16, 0x40 | 0x19,
    0x60 | 0x1D
};
static const CODE uint8_t field_hi[] = { 99, 12, 31, 23, 59, 23, 59, 1 };
static uint8_t NEAR * const CODE field_ptr[] = {
    &edt.year, &edt.month, &edt.day, &edt.hour, &edt.minute, &eal.hour, &eal.minute, &eal.on
};

#if FEATURE_LUNAR
static uint8_t lun_y = 0xFF, lun_m, lun_d;
static uint8_t lun_ok;              /* solar_from_date(): SOLAR_LUNAR_OK, SOLAR_EVENT */

void ui_calendar_stale(void)
{
    lun_y = 0xFF;
}

/* lunar, solar: of t's date (computed again when the date changes, about 1.2 ms: a
 * complete serial line is served first) */
static void day_update(const datetime_t NEAR *t)
{
    if (lun_y != t->year || lun_m != t->month || lun_d != t->day) {
        app_background();
        lun_y = t->year;
        lun_m = t->month;
        lun_d = t->day;
        lun_ok = solar_from_date(t);
    }
}
#endif

void ui_init(void)
{
    uint8_t i = 0;
    do {
        shadow[i] = ' ';            /* the LCD was just cleared */
    } while (++i < 32);
    ui_dirty = 1;
}

static const CODE char fmt_date[] =            /* "2026-11-24 Tue" */
    "20" FC_YEAR "-" FC_MONTH "-" FC_DAY " " FC_WDAY;
#if FEATURE_DS18B20
/* "12:05:31" (12 h: "12:05:31P"), then the temperature (time_tail) */
static const CODE char fmt_time[] = FC_HOURD ":" FC_MIN ":" FC_SEC FC_IF_H12 FC_AP FC_FI;
#else
static const CODE char fmt_time[] =             /* "12:05:31 PM" + bell + "?" */
    FC_HOURD ":" FC_MIN ":" FC_SEC FC_IF_H12 " " FC_AP "M" FC_FI FC_PAD14
#if FEATURE_ALARM
    FC_IF_ON FC_BELL FC_ELSE " " FC_FI
#else
    " "
#endif
    FC_IF_UNSET "?" FC_ELSE " " FC_FI;
#endif
#if FEATURE_ALARM
static const CODE char fmt_alarm[] =            /* "Alarm 07:30   ON" */
    "Alarm " FC_HOURD ":" FC_MIN FC_IF_H12 FC_AP FC_ELSE " " FC_FI
    FC_IF_ON "  ON" FC_ELSE " OFF" FC_FI;
#endif

static uint8_t row;                 /* the LCD row being redrawn */

#if FEATURE_DS18B20
/* line 2 after the time: the temperature in columns 9..14, then one mark in column 15:
 * '?' while the time is unset, else the bell while the alarm is on */
static void time_tail(void)
{
    char c = ' ';
    uint8_t f = fmt_flags;

    out_pad(9);
    temp_print();
#if FEATURE_ALARM
    if (f & SET_ALARM_ON)
        c = GLYPH_BELL;
#endif
    if (f & SET_UNSET)
        c = '?';
    out_ch(c);
}
#endif

/* Row `row` of the page on show into text_line. */
static void render(void)
{
    uint8_t n;

    out_uart = 0;
    out_pos = 0;
    fmt_p = field ? (uint8_t NEAR *)&edt : (uint8_t NEAR *)&clock_now;
    n = settings.flags;
    fmt_flags = n;
#if FEATURE_LUNAR
    day_update((const datetime_t NEAR *)fmt_p);
#endif
    if (!(field ? (field > F_MIN) : page)) {
        out_fmt(row ? fmt_time : fmt_date);
#if FEATURE_DS18B20
        if (row)
            time_tail();
#endif
#if FEATURE_LUNAR
        if (!row && (lun_ok & SOLAR_EVENT)) {                /* "2026-09-25 Fri" + the lantern */
            out_pad(15);
            out_ch(GLYPH_EVENT);
        }
#endif
    } else if (!row) {                          /* "L*10-06 BingWu" */
#if FEATURE_LUNAR
        out_ch('L');
        if (lun_ok) {
            fmt_flags = lunar.leap;
            fmt_p = &lunar.month - 1;
            out_fmt(FC_IF_LEAP "*" FC_ELSE " " FC_FI FC_MONTH "-" FC_DAY " ");
            out_fmt(lunar_stem_name(lunar.stem));
            out_fmt(lunar_branch_name(lunar.branch));
        }
#endif
    } else {
#if FEATURE_LUNAR
        if (!field && (lun_ok & SOLAR_EVENT))                /* "ZhongQiu QiuFen" instead of the alarm */
            solar_print_day();
        else
#endif
        {
#if FEATURE_ALARM
            if (!field) {
                eal.hour = settings.alarm_hour;
                eal.minute = settings.alarm_minute;
                eal.on = n & SET_ALARM_ON;
            }
            fmt_p = &eal.hour - 3;
            fmt_flags = (n & ~SET_ALARM_ON) | eal.on;
            out_fmt(fmt_alarm);
#endif
        }
    }
    out_pad(16);
    if (blink_hide && field) {
        n = field;
        n = hide_at[--n];
        if (((n >> 4) & 1) == row) {
            out_pos = n & 0x0F;
            n >>= 5;
            do {
                out_ch(' ');
            } while (--n);
        }
    }
}

void ui_refresh(void)
{
    uint8_t col, i, c, at = 0xFF;

    if (!ui_dirty)
        return;
    ui_dirty = 0;
    for (row = 0; row < 2; row++) {
        render();
        for (col = 0; col < 16; col++) {
            i = (row << 4) | col;
            c = text_line[col];
            if (shadow[i] == c)
                continue;
            i = (row << 6) | col;               /* the DDRAM address: LCD_LINE2 = 0x40 */
            if (at != i)
                lcd_goto(i);
            lcd_putc(c);
            shadow[(row << 4) | col] = c;
            at = i + 1;                         /* after column 15: 0x10 or 0x50, never
                                                   the next line's first address */
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
        settings.alarm_hour = eal.hour;
        settings.alarm_minute = eal.minute;
        settings.flags = (settings.flags & ~SET_ALARM_ON) | eal.on;
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
            edt.second = 0;             /* shown as 00 while editing */
            eal.hour = settings.alarm_hour;
            eal.minute = settings.alarm_minute;
            eal.on = settings.flags & SET_ALARM_ON;
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
        edt.wday = cal_weekday(&edt);
    } else {
        alarm_changed = 1;
    }
}
