/*
 * ui.c - LCD pages, key editing and blinking. See ui.h for what the user sees.
 *
 * A redraw renders one 16-character line at a time (text.c sink) and writes only the
 * characters that differ from the shadow copy of the LCD (normally the two seconds
 * digits), moving the address counter only when needed. Between characters the main
 * loop's background work (a complete serial line) gets its chance, so a SET is never
 * delayed by a redraw.
 */
#include <stddef.h>
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

uint8_t ui_dirty;
uint8_t ui_field;                   /* F_NONE when not editing */
#define field ui_field

static BIT page;                    /* 0 = date/time, 1 = lunar/alarm */
static datetime_t edt;              /* the values being edited */
static struct {
    uint8_t hour, minute, on;       /* the alarm being edited (on = SET_ALARM_ON or 0) */
} eal;
static BIT time_changed, alarm_changed;
static BIT blink_hide;              /* blink phase: the edited field is blanked */
static uint8_t blink_ticks;         /* ticks left in this blink phase */

static PDATA uint8_t shadow[32];    /* what the LCD shows */

/* Per field (index field - 1): where its text is (row in bit 4, column in bits 3..0, length
 * in bits 7..5); its value and the upper bound for UP/DOWN (the day's is the month's length),
 * one table (ui_key reaches both from one DPTR). */
static const CODE uint8_t hide_at[] = {
    0x80 | 0x00, 0x40 | 0x05, 0x40 | 0x08, 0x40 | 0x10, 0x40 | 0x13, 0x40 | 0x16, 0x40 | 0x19,
    0x60 | 0x1D
};
typedef struct {
    uint8_t NEAR *ptr[8];
    uint8_t hi[8];
} field_tab_t;
static const CODE field_tab_t field_tab = {
    { &edt.year, &edt.month, &edt.day, &edt.hour, &edt.minute, &eal.hour, &eal.minute, &eal.on },
    { 99, 12, 31, 23, 59, 23, 59, 1 }
};
typedef char field_tab_layout[(sizeof(uint8_t NEAR *) == 1 && offsetof(field_tab_t, hi) == 8)
                              ? 1 : -1];

#if FEATURE_SERIAL
/* APP_RX() for this file's assembler, one copy for its four places (UI_RX): protocol_rx()
 * when the UART interrupt flagged work; it keeps nothing (a C caller would save none of its
 * registers around this __naked call: only assembler calls it) */
static void ui_rx(void) __naked
{
    __asm__("    jnb  _uart_event,00001$\n"
            "    ljmp _protocol_rx\n"
            "00001$:\n"
            "    ret\n");
}
#define UI_RX "    lcall _ui_rx\n"
#else
#define UI_RX ""
#endif

#if FEATURE_LUNAR
static IDATA uint8_t lun_date[3];   /* the date `lunar` and `solar` were computed for ... */
static BIT lun_stale;               /* ... unless they were recomputed for another since */
static BIT lun_event;               /* it has a term or a festival (solar_of_day()) */

/*
 * lunar, solar: of the date (year, month, day) at t = fmt_p, the time render() shows
 * (computed again when the date changes, in two steps of at most 0.6 ms with received bytes
 * taken before each, APP_RX(), so a SET's line end does not wait; only protocol_poll()
 * and render() write fmt_p, so it holds t across the calls). In assembler (SDCC's C took
 * 70 bytes): R0 walks t, R1 lun_date:
 *   each of the 3 bytes is copied to lun_date, one that differed sets lun_stale;
 *   if lun_stale: lun_stale = 0; APP_RX(); lunar_from_date(t); APP_RX();
 *   lun_event = solar_of_day(t)
 * (render(), its only caller, keeps nothing in registers across it: SDCC saves none around
 * a call to a __naked function)
 */
static void day_update(void) __naked
{
    __asm__("    mov  r0,_fmt_p\n"
            "    mov  r1,#_lun_date\n"
            "00001$:\n"
            "    mov  a,@r0\n"
            "    xch  a,@r1\n"                      /* lun_date[i] = t[i] */
            "    xrl  a,@r1\n"
            "    jz   00002$\n"                     /* it was the same */
            "    setb _lun_stale\n"
            "00002$:\n"
            "    inc  r0\n"
            "    inc  r1\n"
            "    cjne r1,#(_lun_date + 3),00001$\n"
            "    jbc  _lun_stale,00003$\n"
            "    ret\n"
            "00003$:\n"
            UI_RX
            "    mov  dpl,_fmt_p\n"                 /* t */
            "    lcall _lunar_from_date\n"
            UI_RX
            "    mov  dpl,_fmt_p\n"
            "    lcall _solar_of_day\n"
            "    mov  _lun_event,c\n"
            "    ret\n");
}
#endif

/* In assembler (SDCC's C took 21 bytes): shadow[0..31] = ' ' (the LCD was just cleared,
 * R0 walks it); ui_dirty = UI_ALL; (lunar) lun_stale = 1, where ui_calendar_stale() (lunar:
 * lun_stale = 1) enters (a label: 3 bytes less than a routine of its own) */
void ui_init(void) __naked
{
    __asm__("    mov  r0,#_shadow\n"
            "    mov  a,#0x20\n"
            "00001$:\n"
            "    movx @r0,a\n"
            "    inc  r0\n"
            "    cjne r0,#(_shadow + 32),00001$\n"
            "    mov  _ui_dirty,#3\n"               /* UI_ALL */
#if FEATURE_LUNAR
            "_ui_calendar_stale::\n"
            "    setb _lun_stale\n"
#endif
            "    ret\n");
}

static const CODE char fmt_date[] =            /* "2026-11-24 Tue" */
    "20" FC_YEAR "-" FC_MONTH "-" FC_DAY " " FC_WDAY;
/* out_fmt()'s "spaces up to column col" (0x90 | col, text.h) for column 9 */
#define FC_PAD9   "\x99"
#if FEATURE_DS18B20
/* "12:05:31" (12 h: "12:05:31P") up to column 9, then the temperature (render()) */
static const CODE char fmt_time[] =
    FC_HOURD ":" FC_MIN ":" FC_SEC FC_IF_H12 FC_AP FC_FI FC_PAD9;
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

#if FEATURE_LUNAR
static const CODE char fmt_lunar[] =            /* "L*10-06 " (then the year's names) */
    "L" FC_IF_LEAP "*" FC_ELSE " " FC_FI FC_MONTH "-" FC_DAY " ";
typedef char lunar_layout[(offsetof(lunar_t, month) == 0 && offsetof(lunar_t, flags) == 2
                           && offsetof(lunar_t, stem) == 3 && offsetof(lunar_t, branch) == 4)
                          ? 1 : -1];
#endif
#define XSTR(x) STR(x)
#define STR(x) #x

/*
 * Row `row` of the page on show into text_line. In assembler (SDCC's C took 251 bytes):
 *   the LCD sink from column 0; fmt_p = the time shown (edt while editing, else clock_now);
 *   (lunar) day_update() (of fmt_p); fmt_flags = settings.flags;
 *   the page shown: while editing the one with the field (the alarm's: page 1), else page;
 *   page 0: fmt_date or fmt_time, APP_RX() (a SET's line end waits no longer), then
 *     (DS18B20) on line 2 the temperature from column 9 and one mark in column 15: '?'
 *     while the time is unset, else the bell while the alarm is on, else ' ';
 *     (lunar) on line 1 on a term or festival day the lantern in column 15;
 *   page 1, line 1 (lunar): the lunar date of the day shown (fmt_lunar from lunar's month,
 *     day and leap flag) and the lunar year's stem and branch names;
 *   page 1, line 2: (lunar) on a term or festival day, not editing, the day's names
 *     (solar_print_day()); else (alarm) the alarm, fmt_alarm: the settings' unless
 *     editing (hour and minute at fmt_p[3], [4] with fmt_p = &settings - 2, the flags
 *     are the settings'), else eal's (fmt_p = &eal - 3) with its on flag for SET_ALARM_ON;
 *   out_pad(16); while editing in the blink's hidden phase, the field's characters
 *   (hide_at: row in bit 4, column in bits 3..0, length in bits 7..5) blanked (blink_hide
 *   is only ever set while editing: ui_tick() runs only then, and both ways out of an edit,
 *   ui_cancel_edit() and ui_key()'s, clear it).
 * out_ch() keeps the registers (compat.h); R7 the blank count.
 */
typedef char render_layout[(F_MIN == 5 && SET_ALARM_ON == 1 && SET_UNSET == 4 && GLYPH_BELL == 0
                            && GLYPH_EVENT == 1 && offsetof(datetime_t, hour) == 3
                            && offsetof(datetime_t, minute) == 4
                            && offsetof(settings_t, flags) == 0
                            && offsetof(settings_t, alarm_hour) == 1
                            && offsetof(settings_t, alarm_minute) == 2) ? 1 : -1];
static void render(void) __naked
{
    __asm__("    clr  _out_uart\n"
            "    mov  _out_pos,#0\n"
            "    mov  r7,#_clock_now\n"
            "    mov  a,_ui_field\n"
            "    jz   00001$\n"
            "    mov  r7,#_edt\n"
            "00001$:\n"
            "    mov  _fmt_p,r7\n"
#if FEATURE_LUNAR
            "    lcall _day_update\n"               /* (of fmt_p) */
#endif
            "    mov  _fmt_flags,_settings\n"
            "    mov  c,_page\n"
            "    mov  a,_ui_field\n"
            "    jz   00002$\n"
            "    add  a,#(0xFF - 5)\n"              /* C: field > F_MIN */
            "00002$:\n"
            "    jc   00010$\n"                     /* page 1 */
            "    mov  dptr,#_fmt_date\n"
            "    mov  a,_row\n"
            "    jz   00003$\n"
            "    mov  dptr,#_fmt_time\n"
            "00003$:\n"
            "    lcall _out_fmt\n"
            UI_RX                                   /* APP_RX() */
            "    mov  a,_row\n"
            "    jz   00006$\n"
#if FEATURE_DS18B20
            "    lcall _temp_print\n"               /* (from column 9: fmt_time) */
            "    mov  a,_fmt_flags\n"
            "    mov  dpl,#0x3F\n"                  /* '?' */
            "    jb   acc.2,00007$\n"               /* SET_UNSET */
#if FEATURE_ALARM
            "    rrc  a\n"                          /* C = SET_ALARM_ON */
            "    cpl  c\n"
            "    clr  a\n"
            "    mov  acc.5,c\n"                    /* ' ' (0x20), GLYPH_BELL (0) while on */
            "    mov  dpl,a\n"
#else
            "    mov  dpl,#0x20\n"                  /* ' ' */
#endif
            "00007$:\n"
            "    lcall _out_ch\n"
#endif
            "    sjmp 00020$\n"
            "00006$:\n"
#if FEATURE_LUNAR
            "    jnb  _lun_event,00020$\n"
            "    mov  dpl,#15\n"
            "    lcall _out_pad\n"
            "    mov  dpl,#1\n"                     /* GLYPH_EVENT */
            "    lcall _out_ch\n"
#endif
            "    sjmp 00020$\n"
            "00010$:\n"
            "    mov  a,_row\n"
            "    jnz  00011$\n"
#if FEATURE_LUNAR
            "    mov  _fmt_flags,(_lunar + 2)\n"    /* LUNAR_LEAP */
            "    mov  _fmt_p,#(_lunar - 1)\n"       /* month, day at fmt_p[1], [2] */
            "    mov  dptr,#_fmt_lunar\n"
            "    lcall _out_fmt\n"
            "    mov  _text_nth_PARM_2,(_lunar + 3)\n"
            "    mov  dptr,#_lunar_stem_names\n"
            "    lcall _text_nth\n"
            "    lcall _out_fmt\n"
            "    mov  _text_nth_PARM_2,(_lunar + 4)\n"
            "    mov  dptr,#_lunar_branch_names\n"
            "    lcall _text_nth\n"
            "    lcall _out_fmt\n"
#endif
            "    sjmp 00020$\n"
            "00011$:\n"
#if FEATURE_LUNAR
            "    mov  a,_ui_field\n"
            "    jnz  00012$\n"
            "    jnb  _lun_event,00012$\n"
            "    lcall _solar_print_day\n"          /* instead of the alarm */
            "    sjmp 00020$\n"
            "00012$:\n"
#endif
#if FEATURE_ALARM
#if !FEATURE_LUNAR
            "    mov  a,_ui_field\n"               /* (with the lunar part: A is it) */
#endif
            "    mov  _fmt_p,#(_settings - 2)\n"    /* the settings' hour, minute, flag */
            "    jz   00013$\n"
            "    mov  _fmt_p,#(_eal - 3)\n"         /* editing: eal's */
            "    anl  _fmt_flags,#0xFE\n"           /* ~SET_ALARM_ON */
            "    mov  a,(_eal + 2)\n"
            "    orl  _fmt_flags,a\n"
            "00013$:\n"
            "    mov  dptr,#_fmt_alarm\n"
            "    lcall _out_fmt\n"
#endif
            "00020$:\n"
            "    mov  dpl,#16\n"
            "    lcall _out_pad\n"
            "    jnb  _blink_hide,00022$\n"         /* (set only while editing) */
            "    mov  a,_ui_field\n"
            "    dec  a\n"
            "    mov  dptr,#_hide_at\n"
            "    movc a,@a+dptr\n"
            "    mov  r7,a\n"
            "    swap a\n"
            "    anl  a,#1\n"
            "    cjne a,_row,00022$\n"              /* the field is on the other row */
            "    mov  a,r7\n"
            "    anl  a,#0x0F\n"
            "    mov  _out_pos,a\n"                 /* its column */
            "    mov  a,r7\n"
            "    swap a\n"
            "    rr   a\n"
            "    anl  a,#7\n"
            "    mov  r7,a\n"                       /* its length */
            "00021$:\n"
            "    mov  dpl,#0x20\n"
            "    lcall _out_ch\n"
            "    djnz r7,00021$\n"
            "00022$:\n"
            "    ret\n");
}

/* ui_refresh(): i = row * 16 + column, at = the address command (0x80 | DDRAM address) that
 * would leave the LCD's address counter where it is (0: unknown), lines = ui_dirty taken
 * (static: nothing to save around the calls) */
static uint8_t rf_i, rf_at, rf_lines;

/*
 * In assembler (SDCC's C took 155 bytes):
 *   lines = ui_dirty; ui_dirty = 0; at = 0 (unknown);
 *   for i in 0..31: at a row's start row = i >> 4; a row not in lines (UI_LINE2 = 2: line
 *   1 only with UI_ALL) is skipped (i |= 15); else APP_RX() (a row's text takes up to 1 ms)
 *   and render(). c = text_line[i & 15] (in R7: lcd_command() and lcd_putc() keep R0-R7);
 *   when shadow[i] != c: shadow[i] = c; cmd = 0x80 | DDRAM address (line 2 at 0x40: i +
 *   0x30 when bit 4 is set); unless at == cmd (the character before was just written),
 *   lcd_command(cmd); lcd_putc(c); at = cmd + 1 (never a row's start: the last column's
 *   + 1 is no address of the other line); APP_BACKGROUND().
 */
typedef char refresh_layout[(UI_LINE2 == 2 && UI_ALL == 3) ? 1 : -1];
void ui_refresh(void) __naked
{
    __asm__("    mov  _rf_lines,_ui_dirty\n"
            "    clr  a\n"
            "    mov  _ui_dirty,a\n"
            "    mov  _rf_i,a\n"
            "    mov  _rf_at,a\n"                   /* unknown */
            "00001$:\n"                             /* A = i (0 here, i below) */
            "    anl  a,#0x0F\n"
            "    jnz  00003$\n"                     /* not a row's start */
            "    mov  a,_rf_i\n"
            "    swap a\n"
            "    anl  a,#0x01\n"
            "    mov  _row,a\n"
            "    inc  a\n"                          /* row + 1: its UI_* bit */
            "    anl  a,_rf_lines\n"
            "    jnz  00002$\n"
            "    orl  _rf_i,#0x0F\n"                /* the row is skipped */
            "    sjmp 00008$\n"
            "00002$:\n"
            UI_RX                                   /* APP_RX() */
            "    lcall _render\n"
            "    clr  a\n"                         /* column 0 */
            "00003$:\n"                             /* A = the column */
            "    add  a,#_text_line\n"
            "    mov  r1,a\n"
            "    movx a,@r1\n"
            "    mov  r7,a\n"                       /* c = text_line[i & 15] */
            "    mov  a,_rf_i\n"
            "    add  a,#_shadow\n"
            "    mov  r1,a\n"
            "    movx a,@r1\n"
            "    xrl  a,r7\n"
            "    jz   00008$\n"                     /* the LCD shows it */
            "    mov  a,r7\n"
            "    movx @r1,a\n"                      /* shadow[i] = c */
            "    mov  a,_rf_i\n"
            "    jnb  acc.4,00010$\n"
            "    add  a,#0x30\n"                    /* line 2: 0x40 + column */
            "00010$:\n"
            "    orl  a,#0x80\n"                    /* set DDRAM address */
            "    xch  a,_rf_at\n"
            "    xrl  a,_rf_at\n"
            "    jz   00006$\n"                     /* the address counter is there */
            "    mov  dpl,_rf_at\n"
            "    lcall _lcd_command\n"
            "00006$:\n"
            "    inc  _rf_at\n"                     /* where the character leaves it */
            "    mov  dpl,r7\n"
            "    lcall _lcd_putc\n"
#if FEATURE_SERIAL
            "    jbc  _uart_event,00011$\n"         /* APP_BACKGROUND() */
            "    sjmp 00008$\n"
            "00011$:\n"
            "    lcall _protocol_poll\n"
#endif
            "00008$:\n"
            "    inc  _rf_i\n"
            "    mov  a,_rf_i\n"
            "    cjne a,#32,00001$\n"
            "    ret\n");
}

/*
 * Three entries in one piece of assembler (SDCC's C took 26 bytes), no register changed
 * (compat.h: blink_restart and ui_cancel_edit are callee-saved):
 *   ui_tick():        if (!--blink_ticks) { blink_hide = !blink_hide; the rest as below }
 *   ui_cancel_edit(): field = F_NONE; then blink_restart():
 *   blink_restart():  blink_hide = 0; blink_ticks = UI_BLINK_TICKS; ui_dirty = UI_ALL
 * (blink_restart's only callers are ui_cancel_edit and ui_key's assembler: it is a label)
 */
typedef char tick_consts[(UI_BLINK_TICKS == 100 && UI_ALL == 3 && F_NONE == 0) ? 1 : -1];
void ui_tick(void) __naked
{
    __asm__("    djnz _blink_ticks,blink_end\n"   /* (plain labels: the entries end */
            "    cpl  _blink_hide\n"               /* the scope of nnnnn$ ones) */
            "    sjmp blink_phase\n"
            "_ui_cancel_edit::\n"
            "    mov  _ui_field,#0\n"               /* F_NONE */
            "_blink_restart:\n"
            "    clr  _blink_hide\n"
            "blink_phase:\n"
            "    mov  _blink_ticks,#100\n"          /* UI_BLINK_TICKS */
            "    mov  _ui_dirty,#3\n"               /* UI_ALL */
            "blink_end:\n"
            "    ret\n");
}

/*
 * In assembler (SDCC's C took 204 bytes, and 54 the leaving of an edit). R7 = ev, R6 =
 * key, R5 = f (the field - 1), R1 = its value's address, R4 = hi, R3 = lo (blink_restart()
 * and cal_days_in_month() keep the registers: compat.h); 00090$ is the length of edt's
 * month, called twice:
 *   key = ev & ~KEY_REPEAT; blink_restart();
 *   not editing, repeats ignored: SET starts editing (edt = clock_now with 00 seconds,
 *   eal from the settings: hour, minute, flags & SET_ALARM_ON; nothing changed yet, the
 *   first field); MODE toggles the page;
 *   DOWN toggles 12/24 h, UP the alarm (without the alarm feature UP does nothing); both
 *   saved soon (settings_changed);
 *   editing, MODE or SET (they never repeat: keys.c repeats UP and DOWN only): MODE, or SET
 *   past the last field, leaves the edit: field = F_NONE; when a date or time field changed
 *   or the time is unset, clock_new = edt (its seconds are 00 from the start of the edit on:
 *   no field holds them), written once if valid (clock_prepare(), clock_commit()); (alarm)
 *   when an alarm field changed, the settings' alarm from eal, saved soon
 *   (settings_changed); SET steps to the next field;
 *   UP / DOWN step the field with wrap-around: lo = 1 for month and day, else 0; hi from
 *   field_tab.hi (the day's: the month's length); UP: ++v > hi: lo; DOWN: v-- <= lo: hi;
 *   a date or time field: time_changed, the day clamped to the month's length (Feb 29 ->
 *   28 in a common year, 31 -> 30), the weekday again; an alarm field: alarm_changed
 */
typedef char key_layout[(KEY_ID_SET == 1 && KEY_ID_UP == 2 && KEY_ID_DOWN == 4 && KEY_ID_MODE == 8
                         && KEY_REPEAT == 0x80 && SET_H12 == 2 && SET_ALARM_ON == 1 && F_YEAR == 1
                         && F_DAY == 3
                         && F_MONTH == 2 && F_MIN == 5 && offsetof(datetime_t, second) == 5
                         && offsetof(datetime_t, day) == 2 && offsetof(datetime_t, wday) == 6
                         && offsetof(datetime_t, month) == 1) ? 1 : -1];
#if FEATURE_ALARM
#define UI_F_END "9"
#else
#define UI_F_END "6"
#endif
typedef char f_end_is[(F_END == (FEATURE_ALARM ? 9 : 6)) ? 1 : -1];
void ui_key(uint8_t ev) __naked
{
    (void)ev;
    __asm__("    mov  a,dpl\n"
            "    mov  r7,a\n"                       /* ev */
            "    anl  a,#0x7F\n"
            "    mov  r6,a\n"                       /* key */
            "    lcall _blink_restart\n"
            "    mov  a,_ui_field\n"
            "    jnz  00010$\n"                     /* editing */
            "    mov  a,r7\n"
            "    jb   acc.7,00009$\n"               /* a repeat */
            "    cjne r6,#1,00002$\n"               /* SET: start editing */
            "    mov  _dt_copy_PARM_2,#_clock_now\n"
            "    mov  dpl,#_edt\n"
            "    lcall _dt_copy\n"
            "    mov  (_edt + 5),#0\n"              /* shown as 00 while editing */
            "    mov  _eal,(_settings + 1)\n"       /* eal = the settings' alarm */
            "    mov  (_eal + 1),(_settings + 2)\n"
            "    mov  a,_settings\n"
            "    anl  a,#1\n"                       /* SET_ALARM_ON */
            "    mov  (_eal + 2),a\n"
            "    clr  _time_changed\n"
            "    clr  _alarm_changed\n"
            "    mov  _ui_field,#1\n"               /* F_YEAR */
            "    ret\n"
            "00002$:\n"
            "    cjne r6,#8,00003$\n"               /* MODE: the other page */
            "    cpl  _page\n"
            "    ret\n"
            "00003$:\n"
#if FEATURE_ALARM
            "    mov  a,r6\n"
            "    rr   a\n"                          /* UP 2: SET_ALARM_ON, DOWN 4: SET_H12 */
            "    xrl  _settings,a\n"
#else
            "    cjne r6,#2,00004$\n"
            "    ret\n"                             /* UP: nothing */
            "00004$:\n"
            "    xrl  _settings,#2\n"               /* DOWN: SET_H12 */
#endif
            "    setb _settings_changed\n"
            "00009$:\n"
            "    ret\n"
            "00010$:\n"
            "    mov  a,r6\n"
            "    anl  a,#6\n"
            "    jnz  00020$\n"                     /* UP (2) or DOWN (4) */
            "    cjne r6,#1,00013$\n"               /* MODE: leave */
            "    inc  _ui_field\n"
            "    mov  a,_ui_field\n"
            "    cjne a,#" UI_F_END ",00014$\n"
            "00014$:\n"
            "    jc   00009$\n"                     /* SET: the next field */
            "00013$:\n"                             /* leave the edit */
            "    mov  _ui_field,#0\n"
            "    jb   _time_changed,00031$\n"
            "    mov  a,_settings\n"
            "    jnb  acc.2,00032$\n"               /* SET_UNSET */
            "00031$:\n"
            "    mov  _dt_copy_PARM_2,#_edt\n"
            "    mov  dpl,#_clock_new\n"
            "    lcall _dt_copy\n"
            "    lcall _clock_prepare\n"
            "    jnc  00032$\n"
            "    lcall _clock_commit\n"
            "00032$:\n"
#if FEATURE_ALARM
            "    jnb  _alarm_changed,00033$\n"
            "    mov  (_settings + 1),_eal\n"       /* hour */
            "    mov  (_settings + 2),(_eal + 1)\n" /* minute */
            "    anl  _settings,#0xFE\n"            /* ~SET_ALARM_ON */
            "    mov  a,(_eal + 2)\n"
            "    orl  _settings,a\n"
            "    setb _settings_changed\n"
            "00033$:\n"
#endif
            "    ret\n"
            "00020$:\n"
            "    mov  a,_ui_field\n"
            "    dec  a\n"
            "    mov  r5,a\n"                       /* f */
            "    mov  dptr,#_field_tab\n"
            "    movc a,@a+dptr\n"
            "    mov  r1,a\n"                       /* the value's address */
            "    mov  a,r5\n"
            "    add  a,#8\n"                       /* field_tab.hi */
            "    movc a,@a+dptr\n"
            "    mov  r4,a\n"                       /* hi */
            "    cjne r5,#2,00021$\n"               /* F_DAY - 1 */
            "    lcall 00090$\n"
            "    mov  r4,dpl\n"                     /* the month's length */
            "00021$:\n"
            "    mov  a,r5\n"
            "    dec  a\n"
            "    cjne a,#2,00022$\n"
            "00022$:\n"
            "    clr  a\n"
            "    rlc  a\n"
            "    mov  r3,a\n"                       /* lo: 1 for month and day */
            "    mov  a,@r1\n"                      /* v */
            "    mov  r2,a\n"
            "    cjne r6,#2,00023$\n"               /* DOWN */
            "    cjne a,0x04,00029$\n"              /* UP: C = v < hi (R4, bank 0) */
            "00029$:\n"
            "    inc  a\n"                          /* ++v */
            "    jc   00024$\n"
            "    mov  a,r3\n"                       /* past hi: lo */
            "    sjmp 00024$\n"
            "00023$:\n"
            "    mov  a,r3\n"
            "    clr  c\n"
            "    subb a,r2\n"                       /* C: v > lo */
            "    mov  a,r2\n"
            "    dec  a\n"                          /* v - 1 */
            "    jc   00024$\n"
            "    mov  a,r4\n"                       /* at lo: hi */
            "00024$:\n"
            "    mov  @r1,a\n"
            "    cjne r5,#5,00025$\n"               /* F_MIN: the alarm's fields from here */
            "00025$:\n"
            "    jnc  00026$\n"
            "    setb _time_changed\n"
            "    lcall 00090$\n"
            "    mov  a,dpl\n"
            "    cjne a,(_edt + 2),00027$\n"
            "00027$:\n"
            "    jnc  00028$\n"                     /* the day fits */
            "    mov  (_edt + 2),a\n"
            "00028$:\n"
            "    mov  dpl,#_edt\n"
            "    lcall _cal_weekday\n"
            "    mov  (_edt + 6),dpl\n"
            "    ret\n"
            "00026$:\n"
            "    setb _alarm_changed\n"
            "    ret\n"
            "00090$:\n"                             /* the length of edt's month */
            "    mov  dpl,_edt\n"
            "    mov  _cal_days_in_month_PARM_2,(_edt + 1)\n"
            "    ljmp _cal_days_in_month\n");
}
