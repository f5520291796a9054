/*
 * lunar.c - Gregorian -> lunar conversion. See lunar.h.
 *
 * The table holds, per lunar year 1999..2099, the Spring Festival's day of the Gregorian
 * year, the leap month and a 13-bit month-length mask. A Gregorian date is located relative
 * to the Spring Festival of its year (or of the previous year, for dates before it) and the
 * offset is walked month by month: 29 days, +1 when the mask bit is set.
 */
#include "lunar.h"
#include "calendar.h"
#include "lunar_table.h"
#include "text.h"

IDATA lunar_t lunar;

bool_t lunar_from_date(const datetime_t NEAR *t)
{
    uint16_t off = cal_day_of_year(t);
    uint8_t year = t->year;
    uint8_t idx = year + (2000 - LUNAR_FIRST_YEAR);
    uint16_t mask;
    uint8_t i, len, leap, b;

    if (idx >= LUNAR_YEARS)
        return 0;
    b = (lunar_sf[idx] & 0x1F) + LUNAR_SF_BASE;
    if (off < b) {
        if (idx == 0)
            return 0;
        idx--;
        /* days of the previous Gregorian year (1999, year 0 - 1, is a common year) */
        off += ((uint8_t)(year - 1) & 3) ? 365 : 366;
        b = (lunar_sf[idx] & 0x1F) + LUNAR_SF_BASE;
    }
    off -= b;
    b = lunar_mhi[idx];
    mask = ((uint16_t)(b & 0x1F) << 8) | lunar_mlo[idx];
    leap = (lunar_sf[idx] >> 5) | ((b & 0x80) >> 4);
    i = 0;
    for (;;) {
        len = 29 + (uint8_t)(mask & 1);
        if (off < len)
            break;
        off -= len;
        mask >>= 1;
        if (++i == 13)
            return 0;           /* cannot happen with a consistent table */
    }
    lunar.day = (uint8_t)off + 1;
    lunar.len = len;
    lunar.leap = 0;
    if (leap == 0 || i < leap) {
        i++;
    } else if (i == leap) {
        lunar.leap = LUNAR_LEAP;
    }
    lunar.month = i;
    /* (Y - 4) mod 10 and mod 12 with Y = LUNAR_FIRST_YEAR + idx, idx <= 100 */
    i = (LUNAR_FIRST_YEAR - 4) % 10 + idx;
    while (i >= 10)
        i -= 10;
    lunar.stem = i;
    i = (LUNAR_FIRST_YEAR - 4) % 12 + idx;
    while (i >= 12)
        i -= 12;
    lunar.branch = i;
    return 1;
}

const CODE char *lunar_stem_name(uint8_t stem)
{
    return text_nth(lunar_stem_names, stem);
}

const CODE char *lunar_branch_name(uint8_t branch)
{
    return text_nth(lunar_branch_names, branch);
}
