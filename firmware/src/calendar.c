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

/* Month offsets (mod 7) of day 1 from Jan 1 in a common year. */
static const CODE uint8_t month_wofs[12] = { 0, 3, 3, 6, 1, 4, 6, 2, 5, 0, 3, 5 };

uint8_t cal_weekday(uint8_t year, uint8_t month, uint8_t day)
{
    /* 365 = 1 (mod 7): each year shifts the weekday by 1, each leap day before it by 1 more.
     * All 8-bit (<= 99 + 25 + 6 + 31 + 5): one DIV AB. 2000-01-01 (Saturday) gives 6. */
    uint8_t n = year + (uint8_t)((uint8_t)(year + 3) >> 2) + month_wofs[month - 1] + day + 4;
    if (month > 2 && !(year & 3))
        n++;
    return (uint8_t)(n % (uint8_t)7) + 1;
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

void dt_copy(datetime_t NEAR *d, const datetime_t NEAR *s)
{
    uint8_t n = sizeof(datetime_t);
    uint8_t NEAR *dp = (uint8_t NEAR *)d;
    const uint8_t NEAR *sp = (const uint8_t NEAR *)s;
    do {
        *dp++ = *sp++;
    } while (--n);
}
