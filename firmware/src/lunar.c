/*
 * lunar.c - Gregorian -> lunar conversion. See lunar.h.
 *
 * The table holds, per lunar year 1999..2099, the Spring Festival's day of the Gregorian
 * year, the leap month and a 13-bit month-length mask. A Gregorian date is located relative
 * to the Spring Festival of its year (or of the previous year, for dates before it) and the
 * offset is walked month by month: 29 days, +1 when the mask bit is set.
 */
/* SDCC: no induction-variable, loop-invariant or common-subexpression rewriting here:
 * smaller code (measured) */
#pragma noinduction
#pragma noinvariant
#pragma nogcse
#include "lunar.h"
#include "calendar.h"
#include "lunar_table.h"
#include "text.h"

lunar_t lunar;

/* the table starts one lunar year before 2000: a date before the year's Spring Festival
 * always has its lunar year in the table */
typedef char lunar_table_starts_1999[(LUNAR_FIRST_YEAR == 1999) ? 1 : -1];

static BIT hi;                      /* the days counted (off) are 256 more */

bool_t lunar_from_date(const datetime_t NEAR *t)
{
    uint16_t days = cal_day_of_year(t);
    uint8_t idx = t->year + (2000 - LUNAR_FIRST_YEAR), b, m, i, off;

    if (idx >= LUNAR_YEARS)
        return 0;
    b = (lunar_sf[idx] & 0x1F) + LUNAR_SF_BASE;
    if (days < b) {
        /* before the Spring Festival: the lunar year that began in the year before; add
         * the days of that Gregorian year (1999, year 0 - 1, is a common year) */
        days += 365;
        if ((uint8_t)(t->year & 3) == 1)
            days++;
        idx--;
        b = (lunar_sf[idx] & 0x1F) + LUNAR_SF_BASE;
    }
    days -= b;                              /* since the Spring Festival: 0..384 */
    off = (uint8_t)days;
    hi = days >> 8;
    /* walk the months: 29 days, 30 when its bit is set (months 0..7 in mlo, 8..12 in mhi);
     * 8-bit, with the 256 in `hi` */
    m = lunar_mlo[idx];
    i = 0;
    for (;;) {
        b = 29 + (m & 1);
        if (off < b) {
            if (!hi)
                break;
            hi = 0;
        }
        off -= b;
        m >>= 1;
        if (++i == 8)
            m = lunar_mhi[idx];
    }
    lunar.day = ++off;
    lunar.flags = 0;
    if (off == b)
        lunar.flags = LUNAR_LAST;           /* the month's last day */
    /* the leap month (0: none) comes right after its namesake */
    b = (uint8_t)(lunar_sf[idx] >> 5) | (uint8_t)((uint8_t)(lunar_mhi[idx] >> 4) & 0x08);
    if (b == 0 || i < b)
        i++;
    else if (i == b)
        lunar.flags |= LUNAR_LEAP;
    lunar.month = i;
    /* (Y - 4) mod 10 and mod 12 with Y = LUNAR_FIRST_YEAR + idx, idx <= 100 */
    lunar.stem = (uint8_t)((uint8_t)((LUNAR_FIRST_YEAR - 4) % 10 + idx) % (uint8_t)10);
    lunar.branch = (uint8_t)((uint8_t)((LUNAR_FIRST_YEAR - 4) % 12 + idx) % (uint8_t)12);
    return 1;
}
