/*
 * Calendar (calendar.c): days per month, date validity, day of the year and the weekday
 * of every day 2000-01-01..2099-12-31, against a day-by-day walk that knows only that
 * 2000-01-01 was a Saturday and the month lengths below.
 */
#include "unit51.h"
#include "support.h"
#include "calendar.h"

/* Firmware modules: calendar.c */

static const __code uint8_t common_days[12] = { 31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31 };

static IDATA datetime_t t;

static void set(uint8_t y, uint8_t mo, uint8_t d, uint8_t h, uint8_t mi, uint8_t s)
{
    t.year = y;
    t.month = mo;
    t.day = d;
    t.hour = h;
    t.minute = mi;
    t.second = s;
    t.wday = 0;
}

static void test_days_in_month_every_month_2000_2099(void)
{
    uint8_t y, m, want;
    for (y = 0; y <= 99; y++) {
        for (m = 1; m <= 12; m++) {
            want = common_days[m - 1];
            if (m == 2 && y % 4 == 0)       /* 2000 is a leap year (divisible by 400) */
                want = 29;
            if (cal_days_in_month(y, m) != want)
                TEST_ASSERT_EQUAL_UINT8_MESSAGE(want, cal_days_in_month(y, m),
                                                date_text(y, m, 1));
        }
    }
}

static void test_february_of_named_years(void)
{
    TEST_ASSERT_EQUAL_UINT8(29, cal_days_in_month(0, 2));      /* 2000 */
    TEST_ASSERT_EQUAL_UINT8(28, cal_days_in_month(1, 2));      /* 2001 */
    TEST_ASSERT_EQUAL_UINT8(29, cal_days_in_month(24, 2));     /* 2024 */
    TEST_ASSERT_EQUAL_UINT8(28, cal_days_in_month(26, 2));     /* 2026 */
    TEST_ASSERT_EQUAL_UINT8(29, cal_days_in_month(96, 2));     /* 2096 */
    TEST_ASSERT_EQUAL_UINT8(28, cal_days_in_month(99, 2));     /* 2099 */
}

static void test_weekday_of_named_dates(void)
{
    set(0, 1, 1, 0, 0, 0);
    TEST_ASSERT_EQUAL_UINT8_MESSAGE(6, cal_weekday(&t), "2000-01-01 is a Saturday");
    set(0, 2, 29, 0, 0, 0);
    TEST_ASSERT_EQUAL_UINT8_MESSAGE(2, cal_weekday(&t), "2000-02-29 is a Tuesday");
    set(26, 11, 24, 0, 0, 0);
    TEST_ASSERT_EQUAL_UINT8_MESSAGE(2, cal_weekday(&t), "2026-11-24 is a Tuesday");
    set(99, 12, 31, 0, 0, 0);
    TEST_ASSERT_EQUAL_UINT8_MESSAGE(4, cal_weekday(&t), "2099-12-31 is a Thursday");
}

/* every day 2000..2099: its weekday (1 = Mon .. 7 = Sun), and that it is valid */
static void test_weekday_every_day_2000_2099(void)
{
    uint8_t y, m, d, last, wday = 6;        /* 2000-01-01: Saturday */
    t.hour = 23;
    t.minute = t.second = 59;
    for (y = 0; y <= 99; y++) {
        t.year = y;
        for (m = 1; m <= 12; m++) {
            t.month = m;
            last = common_days[m - 1] + (m == 2 && y % 4 == 0);
            for (d = 1; d <= last; d++) {
                t.day = d;
                if (cal_weekday(&t) != wday)
                    TEST_ASSERT_EQUAL_UINT8_MESSAGE(wday, cal_weekday(&t), date_text(y, m, d));
                if (!cal_valid(&t))
                    TEST_FAIL_MESSAGE(date_text(y, m, d));
                wday = wday == 7 ? 1 : wday + 1;
            }
        }
    }
    TEST_ASSERT_EQUAL_UINT8_MESSAGE(5, wday, "2100-01-01 would be a Friday");
}

/* the day of the year of the first and the last day of every month 2000..2099 (it grows
 * by one a day within a month: cal_day_of_year() adds the day to the months before) */
static void test_day_of_year_of_every_month_2000_2099(void)
{
    uint8_t y, m, last;
    uint16_t first;
    for (y = 0; y <= 99; y++) {
        first = 0;
        for (m = 1; m <= 12; m++) {
            last = common_days[m - 1] + (m == 2 && y % 4 == 0);
            set(y, m, 1, 0, 0, 0);
            if (cal_day_of_year(&t) != first)
                TEST_ASSERT_EQUAL_UINT16_MESSAGE(first, cal_day_of_year(&t), date_text(y, m, 1));
            t.day = last;
            if (cal_day_of_year(&t) != first + last - 1)
                TEST_ASSERT_EQUAL_UINT16_MESSAGE(first + last - 1, cal_day_of_year(&t),
                                                 date_text(y, m, last));
            first += last;
        }
        TEST_ASSERT_EQUAL_UINT16_MESSAGE(y % 4 ? 365 : 366, first, "days in the year");
    }
}

static void test_valid_rejects_every_out_of_range_field(void)
{
    set(26, 11, 24, 12, 5, 31);
    TEST_ASSERT_TRUE(cal_valid(&t));
    set(100, 1, 1, 0, 0, 0);
    TEST_ASSERT_FALSE_MESSAGE(cal_valid(&t), "year 2100");
    set(0, 0, 1, 0, 0, 0);
    TEST_ASSERT_FALSE_MESSAGE(cal_valid(&t), "month 0");
    set(0, 13, 1, 0, 0, 0);
    TEST_ASSERT_FALSE_MESSAGE(cal_valid(&t), "month 13");
    set(0, 1, 0, 0, 0, 0);
    TEST_ASSERT_FALSE_MESSAGE(cal_valid(&t), "day 0");
    set(0, 1, 32, 0, 0, 0);
    TEST_ASSERT_FALSE_MESSAGE(cal_valid(&t), "January 32");
    set(0, 4, 31, 0, 0, 0);
    TEST_ASSERT_FALSE_MESSAGE(cal_valid(&t), "April 31");
    set(1, 2, 29, 0, 0, 0);
    TEST_ASSERT_FALSE_MESSAGE(cal_valid(&t), "2001-02-29");
    set(0, 2, 30, 0, 0, 0);
    TEST_ASSERT_FALSE_MESSAGE(cal_valid(&t), "2000-02-30");
    set(0, 1, 1, 24, 0, 0);
    TEST_ASSERT_FALSE_MESSAGE(cal_valid(&t), "hour 24");
    set(0, 1, 1, 0, 60, 0);
    TEST_ASSERT_FALSE_MESSAGE(cal_valid(&t), "minute 60");
    set(0, 1, 1, 0, 0, 60);
    TEST_ASSERT_FALSE_MESSAGE(cal_valid(&t), "second 60");
    set(0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF);    /* what a bad BCD byte decodes to */
    TEST_ASSERT_FALSE_MESSAGE(cal_valid(&t), "all 0xFF");
}

static void test_valid_accepts_the_limits(void)
{
    set(0, 1, 1, 0, 0, 0);
    TEST_ASSERT_TRUE_MESSAGE(cal_valid(&t), "2000-01-01 00:00:00");
    set(99, 12, 31, 23, 59, 59);
    TEST_ASSERT_TRUE_MESSAGE(cal_valid(&t), "2099-12-31 23:59:59");
    set(96, 2, 29, 12, 0, 0);
    TEST_ASSERT_TRUE_MESSAGE(cal_valid(&t), "2096-02-29");
}

static void test_dt_copy_copies_every_field(void)
{
    static IDATA datetime_t c;
    set(26, 11, 24, 12, 5, 31);
    t.wday = 2;
    dt_copy(&c, &t);
    TEST_ASSERT_EQUAL_MEMORY(&t, &c, sizeof(datetime_t));
}

void main(void)
{
    UNITY_BEGIN();
    RUN_TEST(test_days_in_month_every_month_2000_2099);
    RUN_TEST(test_february_of_named_years);
    RUN_TEST(test_weekday_of_named_dates);
    RUN_TEST(test_weekday_every_day_2000_2099);
    RUN_TEST(test_day_of_year_of_every_month_2000_2099);
    RUN_TEST(test_valid_rejects_every_out_of_range_field);
    RUN_TEST(test_valid_accepts_the_limits);
    RUN_TEST(test_dt_copy_copies_every_field);
    UNITY_END();
}
