/*
 * Solar terms and festivals (solar.c decoding the generated table solar_table.h, with the
 * lunar decoder lunar.c) on every date 2000-01-01..2099-12-31, against solar_expect.h:
 * the term days from the astronomy (pyswisseph) and the festivals from the lunardate
 * package, rendered at build time by firmware/tools/solar_expect.py (pio_test_pre.py).
 * Also the names as printed, and the LCD line of a day with two events.
 */
#include "unit51.h"
#include "support.h"
#include "calendar.h"
#include "lunar.h"
#include "solar.h"
#include "text.h"
#include "solar_expect.h"

/* Firmware modules: solar.c lunar.c calendar.c text.c */

static IDATA datetime_t t;

static void set(uint8_t y, uint8_t m, uint8_t d)
{
    t.year = y;
    t.month = m;
    t.day = d;
    t.hour = 12;
    t.minute = t.second = 0;
}

static const char *here(void)
{
    return date_text(t.year, t.month, t.day);
}

/* Every day of the century in order: its term (the month's two terms from the table of
 * the astronomy), its festival (the next entry of the festival list), and the flags. */
static void test_every_day_of_the_century(void)
{
    uint16_t n, f = 0;
    uint8_t want_term, want_fest, r, k;

    set(0, 1, 1);
    for (n = 0; n < EXPECT_DAYS; n++) {
        k = (uint8_t)(t.month - 1) << 1;
        want_term = SOLAR_NONE;
        if (t.day == expect_term_day[t.year][k])
            want_term = k;
        else if (t.day == expect_term_day[t.year][k + 1])
            want_term = k + 1;
        want_fest = SOLAR_NONE;
        if (f < EXPECT_FESTIVALS && expect_fest_day[f] == n)
            want_fest = expect_fest_id[f++];
        TEST_ASSERT_TRUE_MESSAGE(lunar_from_date(&t), here());
        r = solar_of_day(&t);
        if (solar.term != want_term)
            TEST_ASSERT_EQUAL_UINT8_MESSAGE(want_term, solar.term, here());
        if (solar.fest != want_fest)
            TEST_ASSERT_EQUAL_UINT8_MESSAGE(want_fest, solar.fest, here());
        k = want_term != SOLAR_NONE || want_fest != SOLAR_NONE;    /* an event day */
        if (r != k)
            TEST_ASSERT_EQUAL_UINT8_MESSAGE(k, r, here());
        if (++t.day > cal_days_in_month(t.year, t.month)) {
            t.day = 1;
            if (++t.month > 12) {
                t.month = 1;
                t.year++;
            }
        }
    }
    TEST_ASSERT_EQUAL_UINT16_MESSAGE(EXPECT_FESTIVALS, f, "festivals found in order");
    TEST_ASSERT_EQUAL_UINT8_MESSAGE(100, t.year, "the walk ends on 2100-01-01");
}

/* what the LCD sink holds after printing */
static const char *line(void)
{
    static char buf[17];
    uint8_t i;
    for (i = 0; i < 16; i++)
        buf[i] = i < out_pos ? text_line[i] : 0;
    buf[16] = 0;
    return buf;
}

static void test_every_name_prints_as_expected(void)
{
    uint8_t n;
    const __code char *want = expect_names;
    TEST_ASSERT_EQUAL_UINT8(SOLAR_NAMES, EXPECT_NAMES);
    out_uart = 0;
    for (n = 0; n < SOLAR_NAMES; n++) {
        out_pos = 0;
        solar_print(n);
        TEST_ASSERT_EQUAL_STRING(want, line());
        while (*want++)
            ;
    }
    out_pos = 0;
    solar_print(SOLAR_NONE);
    TEST_ASSERT_EQUAL_STRING("none", line());
}

static const char *day_line(uint8_t y, uint8_t m, uint8_t d)
{
    set(y, m, d);
    lunar_from_date(&t);
    solar_of_day(&t);
    out_uart = 0;
    out_pos = 0;
    solar_print_day();
    return line();
}

static void test_the_lcd_line_names_the_festival_then_the_term_when_both_fit(void)
{
    TEST_ASSERT_EQUAL_STRING("ZhongQiu", day_line(26, 9, 25));         /* 2026 */
    TEST_ASSERT_EQUAL_STRING("QingMing", day_line(26, 4, 5));          /* term and festival */
    TEST_ASSERT_EQUAL_STRING("DongZhi", day_line(26, 12, 22));
    TEST_ASSERT_EQUAL_STRING("ChuXi", day_line(26, 2, 16));            /* 12-29, 29 days */
    TEST_ASSERT_EQUAL_STRING("ChuXi", day_line(27, 2, 5));             /* 12-30 */
    TEST_ASSERT_EQUAL_STRING("QiXi LiQiu", day_line(8, 8, 7));         /* 2008 */
    TEST_ASSERT_EQUAL_STRING("ZhongYuan ChuShu", day_line(2, 8, 23));  /* 16: just fits */
    TEST_ASSERT_EQUAL_UINT8(16, out_pos);
    /* 2012-10-23: ChongYang and ShuangJiang (21 characters): the festival alone */
    TEST_ASSERT_EQUAL_STRING("ChongYang", day_line(12, 10, 23));
    TEST_ASSERT_EQUAL_UINT8(9, out_pos);
}

void main(void)
{
    UNITY_BEGIN();
    RUN_TEST(test_every_day_of_the_century);
    RUN_TEST(test_every_name_prints_as_expected);
    RUN_TEST(test_the_lcd_line_names_the_festival_then_the_term_when_both_fit);
    UNITY_END();
}
