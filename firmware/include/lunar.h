/*
 * lunar.h - Gregorian -> Chinese lunar date (农历) for 2000-01-01..2099-12-31, from the
 * compact generated table lunar_table.h (see templates/lunar_table.h.j2, tools/lunartable.py).
 * Pure logic, host-testable.
 */
#ifndef LUNAR_H
#define LUNAR_H

#include "compat.h"
#include "calendar.h"
#include "text.h"

typedef struct {
    uint8_t month;    /* 1..12 */
    uint8_t day;      /* 1..30 */
    uint8_t flags;    /* LUNAR_LEAP: the month is the year's leap (intercalary) month;
                         LUNAR_LAST: the day is the month's last */
    uint8_t stem;     /* heavenly stem of the lunar year, 0 = Jia .. 9 = Gui */
    uint8_t branch;   /* earthly branch of the lunar year, 0 = Zi .. 11 = Hai (= zodiac) */
} lunar_t;

#define LUNAR_LEAP 0x08       /* a format condition bit (text.h FC_IF_LEAP) */
#define LUNAR_LAST 0x01

extern lunar_t lunar;            /* result of the last successful lunar_from_date() */

/* t's date (year 0..99 = 2000..2099) must be valid. Fills `lunar`; 0 if out of the table. */
bool_t lunar_from_date(const datetime_t NEAR *t);

/* ASCII names from the generated table: "Bing", "Wu". */
extern const CODE char lunar_stem_names[];      /* the generated table (lunar_table.h) */
extern const CODE char lunar_branch_names[];
#define lunar_stem_name(stem)     text_nth(lunar_stem_names, (stem))
#define lunar_branch_name(branch) text_nth(lunar_branch_names, (branch))

#endif /* LUNAR_H */
