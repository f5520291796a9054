/*
 * Lunar dates (lunar.c decoding the packed table lunar_table.h) against the lunardate
 * package: every Spring Festival and its eve, every leap-month edge, and the first and last
 * day of every lunar month 2000-01-01..2099-12-31, from lunar_expect.h (rendered at build time from lunardate's own
 * conversions by firmware/tools/lunar_expect.py, see pio_test_pre.py).
 */
#include "unit51.h"
#include "support.h"
#include "calendar.h"
#include "lunar.h"
#include "lunar_expect.h"

/* Firmware modules: lunar.c calendar.c text.c */

static IDATA datetime_t t;

static void set(uint8_t y, uint8_t m, uint8_t d)
{
    t.year = y;
    t.month = m;
    t.day = d;
    t.hour = t.minute = t.second = 0;
}

static void test_every_new_year_and_leap_month_edge(void)
{
    uint16_t i;
    const __code lunar_edge_t *e;
    for (i = 0; i < LUNAR_EDGES; i++) {
        e = &lunar_edges[i];
        set(e->year, e->month, e->day);
        if (!lunar_from_date(&t))
            TEST_ASSERT_TRUE_MESSAGE(0, date_text(e->year, e->month, e->day));
        if (lunar.month != e->lmonth)
            TEST_ASSERT_EQUAL_UINT8_MESSAGE(e->lmonth, lunar.month,
                                            date_text(e->year, e->month, e->day));
        if (lunar.day != e->lday)
            TEST_ASSERT_EQUAL_UINT8_MESSAGE(e->lday, lunar.day,
                                            date_text(e->year, e->month, e->day));
        if ((lunar.flags & LUNAR_LEAP) != (e->leap ? LUNAR_LEAP : 0))
            TEST_ASSERT_EQUAL_HEX8_MESSAGE(e->leap ? LUNAR_LEAP : 0, lunar.flags & LUNAR_LEAP,
                                           date_text(e->year, e->month, e->day));
        if (lunar.stem != e->stem)
            TEST_ASSERT_EQUAL_UINT8_MESSAGE(e->stem, lunar.stem,
                                            date_text(e->year, e->month, e->day));
        if (lunar.branch != e->branch)
            TEST_ASSERT_EQUAL_UINT8_MESSAGE(e->branch, lunar.branch,
                                            date_text(e->year, e->month, e->day));
    }
}

/* day number n (0 = 2000-01-01) -> t */
static void set_day_number(uint16_t n)
{
    uint8_t len;
    t.year = 0;
    t.month = 1;
    for (;;) {
        len = (t.year & 3) ? 365 - 256 : 366 - 256;     /* 8-bit: the year's days - 256 */
        if (n < 256u + len)
            break;
        n -= 256u + len;
        t.year++;
    }
    for (;;) {
        len = cal_days_in_month(t.year, t.month);
        if (n < len)
            break;
        n -= len;
        t.month++;
    }
    t.day = (uint8_t)n + 1;
    t.hour = t.minute = t.second = 0;
}

/* flags: LUNAR_LEAP in a leap month, LUNAR_LAST on the month's last day */
static void lunar_is(uint8_t month, uint8_t day, uint8_t flags)
{
    if (!lunar_from_date(&t))
        TEST_ASSERT_TRUE_MESSAGE(0, date_text(t.year, t.month, t.day));
    if (lunar.day != day)
        TEST_ASSERT_EQUAL_UINT8_MESSAGE(day, lunar.day, date_text(t.year, t.month, t.day));
    if (lunar.month != month)
        TEST_ASSERT_EQUAL_UINT8_MESSAGE(month, lunar.month, date_text(t.year, t.month, t.day));
    if (lunar.flags != flags)
        TEST_ASSERT_EQUAL_HEX8_MESSAGE(flags, lunar.flags, date_text(t.year, t.month, t.day));
}

/* Every lunar month 2000..2099: its first day, and its last day (the day before the next
 * month starts, flagged LUNAR_LAST) with the month's length. Within a month the lunar day grows with the date
 * (lunar.c adds the date's offset), so this checks every day's month and day. */
static void test_first_and_last_day_of_every_lunar_month(void)
{
    uint16_t k, start, prev = 0;
    uint8_t month = LUNAR_START_MONTH, leap = LUNAR_START_LEAP ? LUNAR_LEAP : 0;
    uint8_t first_day = LUNAR_START_DAY;                /* 2000-01-01 is mid-month */
    for (k = 0; k <= LUNAR_MONTHS; k++) {
        start = k < LUNAR_MONTHS ? lunar_month_start[k] : LUNAR_DAYS;
        set_day_number(prev);
        lunar_is(month, first_day, leap);
        set_day_number(start - 1);
        lunar_is(month, first_day + (uint8_t)(start - 1 - prev),
                 leap | (k < LUNAR_MONTHS ? LUNAR_LAST : 0));   /* (2099-12-31: mid-month) */
        if (k > 0 && k < LUNAR_MONTHS && start - prev != 29 && start - prev != 30)
            TEST_FAIL_MESSAGE("a lunar month of lunardate is not 29 or 30 days long");
        if (k == LUNAR_MONTHS)
            break;
        month = lunar_month_no[k] & 0x7F;
        leap = (lunar_month_no[k] & 0x80) ? LUNAR_LEAP : 0;
        first_day = 1;
        prev = start;
    }
    TEST_ASSERT_EQUAL_UINT8_MESSAGE(99, t.year, "the last month ends in 2099");
    TEST_ASSERT_EQUAL_UINT8(12, t.month);
    TEST_ASSERT_EQUAL_UINT8(31, t.day);
}

static void test_a_date_past_the_table_is_refused(void)
{
    set(100, 1, 1);                 /* 2100-01-01: lunar year 2099 is the last */
    TEST_ASSERT_FALSE(lunar_from_date(&t));
}

static void test_year_names(void)
{
    TEST_ASSERT_EQUAL_STRING("Jia", lunar_stem_name(0));
    TEST_ASSERT_EQUAL_STRING("Bing", lunar_stem_name(2));
    TEST_ASSERT_EQUAL_STRING("Gui", lunar_stem_name(9));
    TEST_ASSERT_EQUAL_STRING("Zi", lunar_branch_name(0));
    TEST_ASSERT_EQUAL_STRING("Wu", lunar_branch_name(6));
    TEST_ASSERT_EQUAL_STRING("Hai", lunar_branch_name(11));
    set(26, 11, 24);                /* 2026: Bing Wu, the horse */
    TEST_ASSERT_TRUE(lunar_from_date(&t));
    TEST_ASSERT_EQUAL_STRING("Bing", lunar_stem_name(lunar.stem));
    TEST_ASSERT_EQUAL_STRING("Wu", lunar_branch_name(lunar.branch));
}

void main(void)
{
    UNITY_BEGIN();
    RUN_TEST(test_every_new_year_and_leap_month_edge);
    RUN_TEST(test_first_and_last_day_of_every_lunar_month);
    RUN_TEST(test_a_date_past_the_table_is_refused);
    RUN_TEST(test_year_names);
    UNITY_END();
}
