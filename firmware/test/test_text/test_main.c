/*
 * Text (text.c): BCD digits, the format printer's fields and conditions on both sinks (the
 * 16-character LCD line and the UART with its reply checksum), text_nth().
 */
#include <string.h>
#include "unit51.h"
#include "doubles.h"
#include "text.h"
#include "clock.h"
#include "lcd.h"

/* Firmware modules: text.c */

/* fmt_p's datetime_t-shaped fields: year, month, day, hour, minute, second, wday */
static IDATA uint8_t f[7];

static void fields(uint8_t y, uint8_t mo, uint8_t d, uint8_t h, uint8_t mi, uint8_t s,
                   uint8_t wd)
{
    f[0] = y;
    f[1] = mo;
    f[2] = d;
    f[3] = h;
    f[4] = mi;
    f[5] = s;
    f[6] = wd;
    fmt_p = f;
}

/* print format `fmt` on the LCD line sink with these flags */
static void lcd(const CODE char *fmt, uint8_t flags)
{
    memset(text_line, '.', sizeof(text_line));
    out_uart = 0;
    out_pos = 0;
    fmt_flags = flags;
    TEST_ASSERT_TRUE_MESSAGE(out_fmt(fmt) == 0, "the format ends without FC_RX");
}

static void lcd_is(const char *expected)
{
    uint8_t n = (uint8_t)strlen(expected);
    TEST_ASSERT_EQUAL_UINT8_MESSAGE(n, out_pos, "characters printed");
    TEST_ASSERT_EQUAL_MEMORY(expected, text_line, n);
}

static void test_bcd_of_0_to_99(void)
{
    uint8_t v;
    for (v = 0; v <= 99; v++)
        TEST_ASSERT_EQUAL_HEX8((v / 10) * 16 + v % 10, text_bcd(v));
}

static const CODE char date_line[] = "20" FC_YEAR "-" FC_MONTH "-" FC_DAY " " FC_WDAY;
static const CODE char time_line[] = FC_HOUR ":" FC_MIN ":" FC_SEC;

static void test_date_and_time_fields_are_two_digits(void)
{
    fields(26, 11, 24, 12, 5, 31, 2);
    lcd(date_line, 0);
    lcd_is("2026-11-24 Tue");
    fields(0, 1, 2, 3, 4, 9, 7);
    lcd(time_line, 0);
    lcd_is("03:04:09");
    lcd(date_line, 0);
    lcd_is("2000-01-02 Sun");
}

static void test_every_weekday_name(void)
{
    static const CODE char w[] = FC_WDAY;
    static const char *const CODE names[7] = { "Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun" };
    uint8_t d;
    for (d = 1; d <= 7; d++) {
        fields(0, 1, 1, 0, 0, 0, d);
        lcd(w, 0);
        lcd_is(names[d - 1]);
    }
}

static const CODE char hour12[] = FC_HOURD FC_AP;

static void test_display_hour_in_12_and_24_hour_mode(void)
{
    fields(0, 1, 1, 0, 0, 0, 1);
    lcd(hour12, SET_H12);
    lcd_is("12A");
    f[3] = 11;
    lcd(hour12, SET_H12);
    lcd_is("11A");
    f[3] = 12;
    lcd(hour12, SET_H12);
    lcd_is("12P");
    f[3] = 13;
    lcd(hour12, SET_H12);
    lcd_is("01P");
    f[3] = 23;
    lcd(hour12, SET_H12);
    lcd_is("11P");
    lcd(hour12, 0);
    lcd_is("23P");
    f[3] = 0;
    lcd(hour12, 0);
    lcd_is("00A");
}

static const CODE char cond[] = "A" FC_IF_ON "on" FC_ELSE "off" FC_FI "|" FC_IF_UNSET "?" FC_FI;

static void test_conditions_print_one_branch(void)
{
    fields(0, 1, 1, 0, 0, 0, 1);
    lcd(cond, 0);
    lcd_is("Aoff|");
    lcd(cond, SET_ALARM_ON);
    lcd_is("Aon|");
    lcd(cond, SET_ALARM_ON | SET_UNSET);
    lcd_is("Aon|?");
    lcd(cond, SET_UNSET);
    lcd_is("Aoff|?");
}

static const CODE char padded[] = "ab" FC_PAD14 FC_BELL "?";

static void test_pad_to_column_14_and_the_bell_glyph(void)
{
    fields(0, 1, 1, 0, 0, 0, 1);
    lcd(padded, 0);
    TEST_ASSERT_EQUAL_UINT8(16, out_pos);
    TEST_ASSERT_EQUAL_MEMORY("ab            ", text_line, 14);
    TEST_ASSERT_EQUAL_HEX8(GLYPH_BELL, text_line[14]);
    TEST_ASSERT_EQUAL_HEX8('?', text_line[15]);
}

static const CODE char too_long[] = "0123456789ABCDEFGHIJ";

/* the line keeps 16 characters; out_pos counts on, so a caller can tell a cut */
static void test_the_lcd_line_keeps_16_characters_and_counts_the_rest(void)
{
    lcd(too_long, 0);
    TEST_ASSERT_EQUAL_UINT8(20, out_pos);
    TEST_ASSERT_EQUAL_MEMORY("0123456789ABCDEF", text_line, 16);
    out_pad(16);                        /* nothing to pad: it stays past the line */
    TEST_ASSERT_EQUAL_UINT8(20, out_pos);
}

static const CODE char pieces[] = "ab" FC_RX "cd";

static void test_fc_rx_splits_a_format_into_pieces(void)
{
    const CODE char *rest;
    memset(text_line, '.', sizeof(text_line));
    out_uart = 0;
    out_pos = 0;
    rest = out_fmt(pieces);
    TEST_ASSERT_TRUE_MESSAGE(rest == pieces + 3, "returns the address after FC_RX");
    lcd_is("ab");
    TEST_ASSERT_TRUE(out_fmt(rest) == 0);
    lcd_is("abcd");
}

static void test_uart_sink_upper_case_weekday_and_xor(void)
{
    fields(26, 11, 24, 12, 5, 31, 2);
    fake_uart_clear();
    out_uart = 1;
    out_xor = 0;
    fmt_flags = 0;
    TEST_ASSERT_TRUE(out_fmt(date_line) == 0);
    out_uart = 0;
    TEST_ASSERT_EQUAL_STRING("2026-11-24 TUE", fake_uart_out);
    {
        uint8_t x = 0;
        const char *p = "2026-11-24 TUE";
        while (*p)
            x ^= (uint8_t)*p++;
        TEST_ASSERT_EQUAL_HEX8(x, out_xor);
    }
}

static const CODE char list[] = "PING\0GET\0SET\0";

static void test_text_nth(void)
{
    TEST_ASSERT_EQUAL_STRING("PING", text_nth(list, 0));
    TEST_ASSERT_EQUAL_STRING("GET", text_nth(list, 1));
    TEST_ASSERT_EQUAL_STRING("SET", text_nth(list, 2));
}

void main(void)
{
    UNITY_BEGIN();
    RUN_TEST(test_bcd_of_0_to_99);
    RUN_TEST(test_date_and_time_fields_are_two_digits);
    RUN_TEST(test_every_weekday_name);
    RUN_TEST(test_display_hour_in_12_and_24_hour_mode);
    RUN_TEST(test_conditions_print_one_branch);
    RUN_TEST(test_pad_to_column_14_and_the_bell_glyph);
    RUN_TEST(test_the_lcd_line_keeps_16_characters_and_counts_the_rest);
    RUN_TEST(test_fc_rx_splits_a_format_into_pieces);
    RUN_TEST(test_uart_sink_upper_case_weekday_and_xor);
    RUN_TEST(test_text_nth);
    UNITY_END();
}
