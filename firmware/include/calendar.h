/*
 * calendar.h - Gregorian calendar arithmetic for 2000..2099 (pure logic, host-testable).
 *
 * Years are kept as 0..99 (= 2000..2099), exactly like the DS1302 year register. In that
 * range every year divisible by 4 is a leap year (2000 is one; 2100 is out of range).
 * Weekdays are 1 = Monday .. 7 = Sunday, the value written to the DS1302 day register.
 */
#ifndef CALENDAR_H
#define CALENDAR_H

#include "compat.h"

#if FW_TARGET
#pragma callee_saves dt_copy        /* assembler that keeps R0-R7 (compat.h) */
#endif

typedef struct {
    uint8_t year;    /* 0..99 = 2000..2099 */
    uint8_t month;   /* 1..12 */
    uint8_t day;     /* 1..28/29/30/31 */
    uint8_t hour;    /* 0..23 */
    uint8_t minute;  /* 0..59 */
    uint8_t second;  /* 0..59 */
    uint8_t wday;    /* 1 = Mon .. 7 = Sun (derived from the date) */
} datetime_t;

uint8_t  cal_days_in_month(uint8_t year, uint8_t month);
/* 0-based day of the year (Jan 1 = 0) of t's date, which must be valid. */
uint16_t cal_day_of_year(const datetime_t NEAR *t);
/* weekday of t's date: 1 = Monday .. 7 = Sunday. 2000-01-01 was a Saturday. */
uint8_t  cal_weekday(const datetime_t NEAR *t);
/* 1 when every field of t (except wday) is in range and the day exists. */
bool_t   cal_valid(const datetime_t NEAR *t);
/* *d = *s (a byte loop on 1-byte pointers: no generic memcpy) */
void     dt_copy(datetime_t NEAR *d, const datetime_t NEAR *s);

#endif /* CALENDAR_H */
