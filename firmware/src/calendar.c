/*
 * calendar.c - Gregorian date arithmetic for 2000..2099. See calendar.h.
 * Portable C: compiled for the 8051 and, unchanged, for host unit tests. No division:
 * the 8051 has only an 8-bit DIV and SDCC would pull in 16-bit signed library routines.
 */
#include "calendar.h"

static const CODE uint8_t month_days[12] = { 31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31 };
static const CODE uint16_t month_start[12] = { 0, 31, 59, 90, 120, 151, 181, 212, 243, 273, 304, 334 };

uint8_t cal_is_leap(uint8_t year)
{
    return (year & 3) == 0;
}

uint8_t cal_days_in_month(uint8_t year, uint8_t month)
{
    if (month == 2)
        return (year & 3) ? 28 : 29;
    return month_days[month - 1];
}

uint16_t cal_day_of_year(uint8_t year, uint8_t month, uint8_t day)
{
    uint16_t d = month_start[month - 1] + (uint8_t)(day - 1);
    if (month > 2 && !(year & 3))
        d++;
    return d;
}

uint8_t cal_weekday(uint8_t year, uint8_t month, uint8_t day)
{
    /* days since 2000-01-01 = 365*y + leap days before y + doy; 365 = 1 (mod 7);
     * +5 makes 2000-01-01 (a Saturday) come out as 6 after the final +1. */
    uint16_t n = cal_day_of_year(year, month, day) + year + ((uint8_t)(year + 3) >> 2) + 5;
    while (n >= 70)
        n -= 70;
    while (n >= 7)
        n -= 7;
    return (uint8_t)n + 1;
}

bool_t cal_valid(const datetime_t NEAR *t)
{
    if (t->year > 99 || t->month < 1 || t->month > 12 || t->day < 1)
        return 0;
    if (t->day > cal_days_in_month(t->year, t->month))
        return 0;
    if (t->hour > 23 || t->minute > 59 || t->second > 59)
        return 0;
    return 1;
}
