/*
 * clock.c - the clock's time and settings, read from and written to the DS1302.
 * See clock.h for the DS1302 RAM layout and the first power-up rules.
 *
 * Reads: clock_poll() reads only the seconds register (16 bit times); when it differs from
 * the last one seen, a clock burst reads the whole time coherently (the chip copies its
 * counters into a buffer at CE rise, so a burst never straddles a rollover).
 * Writes: WP lifted by a single control write, one clock burst (all 8 bytes), the weekday
 * register, then WP set again. Values are validated first: nothing out of range ever
 * reaches the chip. CH is only cleared when found set (by rewriting the seconds register
 * with the value it holds), never by read-modify-write of a running clock.
 */
#include "board_config.h"
#include "clock.h"
#include "ds1302.h"
#include "buzzer.h"
#include "text.h"

/* 1: a bad RAM magic/check resets the time to the build date, like a halted chip (issue 5).
 * 0: keep a valid running time and only show "set me". */
#ifndef CLOCK_RESET_ON_BAD_RAM
#define CLOCK_RESET_ON_BAD_RAM 1
#endif

#define BUILD_Y  ((BUILD_YEAR >= 2000 && BUILD_YEAR <= 2099) ? BUILD_YEAR - 2000 : 0)
#define BUILD_MO ((BUILD_MONTH >= 1 && BUILD_MONTH <= 12) ? BUILD_MONTH : 1)
#define BUILD_D  ((BUILD_DAY >= 1 && BUILD_DAY <= 31) ? BUILD_DAY : 1)

datetime_t clock_now;
datetime_t clock_tmp;
settings_t settings;
bool_t clock_fault;

static uint8_t last_sec_raw;
#if FEATURE_ALARM
static bool_t alarm_latched;    /* the alarm already rang in the current matching minute */
#endif

/* BCD byte -> 0..99, or 0xFF when a nibble is not a decimal digit */
static uint8_t bcd_dec(uint8_t b)
{
    uint8_t hi = b >> 4, lo = b & 0x0F;
    if (hi > 9 || lo > 9)
        return 0xFF;
    hi <<= 1;                       /* hi * 10 = hi * 2 + hi * 8 */
    return hi + (hi << 2) + lo;
}

bool_t clock_read(void)
{
    ds1302_burst_read(DS1302_CLKBURST_R, 7);
    last_sec_raw = ds1302_buf[0];
    if ((ds1302_buf[0] & DS1302_CH) || (ds1302_buf[2] & DS1302_12H))
        return 0;
    clock_tmp.second = bcd_dec(ds1302_buf[0]);
    clock_tmp.minute = bcd_dec(ds1302_buf[1]);
    clock_tmp.hour = bcd_dec(ds1302_buf[2]);
    clock_tmp.day = bcd_dec(ds1302_buf[3]);
    clock_tmp.month = bcd_dec(ds1302_buf[4]);
    clock_tmp.year = bcd_dec(ds1302_buf[6]);
    if (!cal_valid(&clock_tmp))     /* also rejects every 0xFF from bcd_dec */
        return 0;
    clock_tmp.wday = cal_weekday(clock_tmp.year, clock_tmp.month, clock_tmp.day);
    return 1;
}

/* clock_tmp (valid) -> DS1302, seconds restart at CE fall. The weekday register is
 * written by a second transfer right after, so computing it is not on a SET's 2 ms path. */
static void clock_write(void)
{
    ds1302_buf[5] = clock_now.wday ? clock_now.wday : 1;   /* placeholder, 1..7 */
    ds1302_buf[0] = text_bcd(clock_tmp.second);  /* CH = 0: running */
    ds1302_buf[1] = text_bcd(clock_tmp.minute);
    ds1302_buf[2] = text_bcd(clock_tmp.hour);    /* 24-hour mode */
    ds1302_buf[3] = text_bcd(clock_tmp.day);
    ds1302_buf[4] = text_bcd(clock_tmp.month);
    ds1302_buf[6] = text_bcd(clock_tmp.year);
    ds1302_buf[7] = 0x00;                        /* control byte: still unprotected */
    ds1302_unprotect();
    ds1302_burst_write(DS1302_CLKBURST_W, 8);
    last_sec_raw = ds1302_buf[0];
    clock_tmp.wday = cal_weekday(clock_tmp.year, clock_tmp.month, clock_tmp.day);
    ds1302_write(DS1302_WDAY_W, clock_tmp.wday);
    ds1302_protect();
}

static uint8_t settings_check(void)
{
    return SETTINGS_SEED ^ (uint8_t)(ds1302_buf[0] + ds1302_buf[1] + ds1302_buf[2] + ds1302_buf[3]);
}

static bool_t settings_load(void)
{
    ds1302_burst_read(DS1302_RAMBURST_R, SETTINGS_BYTES);
    if (ds1302_buf[0] != SETTINGS_MAGIC || ds1302_buf[4] != settings_check())
        return 0;
    if (ds1302_buf[2] > 23 || ds1302_buf[3] > 59
        || (ds1302_buf[1] & ~(SET_ALARM_ON | SET_H12 | SET_UNSET)))
        return 0;
    settings.flags = ds1302_buf[1];
    settings.alarm_hour = ds1302_buf[2];
    settings.alarm_minute = ds1302_buf[3];
    return 1;
}

void settings_save(void)
{
    ds1302_buf[0] = SETTINGS_MAGIC;
    ds1302_buf[1] = settings.flags;
    ds1302_buf[2] = settings.alarm_hour;
    ds1302_buf[3] = settings.alarm_minute;
    ds1302_buf[4] = settings_check();
    ds1302_unprotect();
    ds1302_burst_write(DS1302_RAMBURST_W, SETTINGS_BYTES);
    ds1302_protect();
}

static void settings_default(void)
{
    settings.flags = SET_UNSET;
    settings.alarm_hour = 7;
    settings.alarm_minute = 0;
}

void clock_boot(void)
{
    bool_t time_ok, ram_ok;

    ds1302_init();
    time_ok = clock_read();
    ram_ok = settings_load();
    if (time_ok)
        clock_now = clock_tmp;
#if !CLOCK_RESET_ON_BAD_RAM
    if (time_ok && !ram_ok) {
        settings_default();
        settings_save();
        return;
    }
#endif
    if (time_ok && ram_ok)
        return;
    /* First power-up: a defined start time and the "set me" state. */
    clock_tmp.year = BUILD_Y;
    clock_tmp.month = BUILD_MO;
    clock_tmp.day = BUILD_D;
    clock_tmp.hour = BUILD_HOUR;
    clock_tmp.minute = BUILD_MINUTE;
    clock_tmp.second = 0;
    if (!cal_valid(&clock_tmp)) {   /* a generator bug must not reach the chip */
        clock_tmp.day = 1;
        clock_tmp.hour = 0;
        clock_tmp.minute = 0;
    }
    clock_write();
    clock_now = clock_tmp;
    if (!ram_ok)
        settings_default();
    settings.flags |= SET_UNSET;
    settings_save();
}

bool_t clock_poll(void)
{
    uint8_t s = ds1302_read(DS1302_SEC_R);

    if (s == last_sec_raw)
        return 0;
    if ((s & DS1302_CH) && bcd_dec(s & 0x7F) < 60) {
        /* halted while running (supply glitch): restart it where it stopped */
        ds1302_unprotect();
        ds1302_write(DS1302_SEC_W, s & 0x7F);
        ds1302_protect();
    }
    clock_fault = !clock_read();
    if (!clock_fault)
        clock_now = clock_tmp;
#if FEATURE_ALARM
    if ((settings.flags & SET_ALARM_ON) && clock_now.hour == settings.alarm_hour
        && clock_now.minute == settings.alarm_minute) {
        if (!alarm_latched) {
            alarm_latched = 1;
            buzzer_ring();
        }
    } else {
        alarm_latched = 0;
    }
#endif
    return 1;
}

bool_t clock_set(void)
{
    if (!cal_valid(&clock_tmp))
        return 0;
    clock_write();                  /* first: the seconds restart now (also sets wday) */
    clock_now = clock_tmp;
    clock_fault = 0;
    if (settings.flags & SET_UNSET) {
        settings.flags &= ~SET_UNSET;
        settings_save();
    }
    return 1;
}

bool_t clock_set_alarm(uint8_t h, uint8_t m, uint8_t on)
{
    if (h > 23 || m > 59)
        return 0;
    settings.alarm_hour = h;
    settings.alarm_minute = m;
    settings.flags &= ~SET_ALARM_ON;
    if (on)
        settings.flags |= SET_ALARM_ON;
    settings_save();
    return 1;
}

void clock_set_h12(uint8_t on)
{
    settings.flags &= ~SET_H12;
    if (on)
        settings.flags |= SET_H12;
    settings_save();
}
