/*
 * calendar.c - Gregorian date arithmetic for 2000..2099. See calendar.h.
 * Portable C: compiled for the 8051 and, unchanged, for host unit tests. No division:
 * the 8051 has only an 8-bit DIV and SDCC would pull in 16-bit signed library routines.
 */
#include "calendar.h"

static const CODE uint8_t month_days[12] = { 31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31 };

uint8_t cal_days_in_month(uint8_t year, uint8_t month)
{
    if (month == 2 && !(year & 3))
        return 29;
    return month_days[(uint8_t)(month - 1)];
}

/* Days of a common year before month m + 1, less 256 from October on. */
static const CODE uint8_t month_start[12] = { 0, 31, 59, 90, 120, 151, 181, 212, 243,
                                              273 - 256, 304 - 256, 334 - 256 };

uint16_t cal_day_of_year(const datetime_t NEAR *t)
{
    uint8_t m = t->month - 1, n = t->day - 1, hi = 0;

    if (m >= 2 && !(t->year & 3))
        n++;                        /* February 29 lies before */
    if (m >= 9)
        hi = 1;
    m = month_start[m] + n;         /* 8-bit halves: SDCC's 16-bit sums are longer */
    if (m < n)
        hi++;
    return m | ((uint16_t)hi << 8);
}

/* Month offsets (mod 7) of day 1 from Jan 1 in a common year. */
static const CODE uint8_t month_wofs[12] = { 0, 3, 3, 6, 1, 4, 6, 2, 5, 0, 3, 5 };

uint8_t cal_weekday(const datetime_t NEAR *t)
{
    /* 365 = 1 (mod 7): each year shifts the weekday by 1, each leap day before it by 1 more.
     * All 8-bit (<= 99 + 25 + 6 + 31 + 5): one DIV AB. 2000-01-01 (Saturday) gives 6. */
    uint8_t y = t->year, m = t->month;
    uint8_t n = y + (uint8_t)((uint8_t)(y + 3) >> 2) + month_wofs[(uint8_t)(m - 1)] + t->day + 4;
    if (m > 2 && !(y & 3))
        n++;
    return (uint8_t)(n % (uint8_t)7) + 1;
}

/* the fields year .. second: their least and greatest value (the day's greatest: below) */
static const CODE uint8_t field_lo[6] = { 0, 1, 1, 0, 0, 0 };
static const CODE uint8_t field_span[6] = { 99, 11, 30, 23, 59, 59 };

bool_t cal_valid(const datetime_t NEAR *t)
{
    const uint8_t NEAR *p = (const uint8_t NEAR *)t;
    uint8_t i = 0;
    do {
        if ((uint8_t)(p[i] - field_lo[i]) > field_span[i])
            return 0;
    } while (++i < 6);
    return t->day <= cal_days_in_month(t->year, t->month);
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
