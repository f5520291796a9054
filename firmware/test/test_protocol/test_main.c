/*
 * Serial protocol (protocol.c, docs/protocol.md): framing, the optional checksum, every
 * command's parsing, replies and errors, and that an error changes nothing. The firmware's
 * protocol.c, clock.c, text.c and calendar.c run unchanged over the test doubles: lines go
 * in through the fake UART, replies come out of it, the clock is a fake DS1302.
 */
#include <string.h>
#include "unit51.h"
#include "doubles.h"
#include "protocol.h"
#include "clock.h"
#include "ds1302.h"
#include "board_config.h"
#include "text.h"
#if FEATURE_DS18B20
#include "ds18b20.h"
#include "text.h"

/* DS18B20 double (ds18b20.h): the state is the test's; a reading prints fake_temp */
uint8_t temp_state;
static const char *fake_temp = "23.5";
void temp_print(void)
{
    const char *s = fake_temp;
    while (*s)
        out_ch(*s++);
}
#define INFO_TEMP " temp=wait"          /* TEMP_WAIT: no reading yet */
#define HELP_TEMP " TEMP"
#else
#define INFO_TEMP ""
#define HELP_TEMP ""
#endif
#if FEATURE_LUNAR
#define HELP_CAL " CAL"
#else
#define HELP_CAL ""
#endif
#if FEATURE_DRIFT
#define HELP_DRIFT " DRIFT"
#else
#define HELP_DRIFT ""
#endif

/* Firmware modules: protocol.c clock.c text.c calendar.c tick.c */

#if FEATURE_LUNAR
#include "lunar.h"
#include "solar.h"
/* lunar.h and solar.h doubles (the real ones: test_cal): term "t<day>", festival
 * "f<month>", and lunar_from_date() must have been asked about the same date first */
lunar_t lunar;
static IDATA uint8_t lunar_asked;
bool_t lunar_from_date(const datetime_t NEAR *t)
{
    lunar_asked = t->day;
    return 1;
}
IDATA solar_t solar;
bool_t solar_of_day(const datetime_t NEAR *t)
{
    solar.term = t->day;
    solar.fest = 0x80 | t->month;
    if (lunar_asked != t->day)
        solar.term = 0;                 /* "t0": the lunar date was not computed */
    return 1;
}
void solar_print(uint8_t n)
{
    out_ch(n & 0x80 ? 'f' : 't');
    n &= 0x7F;
    if (n >= 10)
        out_ch('0' + n / 10);
    out_ch('0' + n % 10);
}
#endif

/* a clock running at 2026-11-24 12:05:31 (Tuesday), default settings, nothing counted */
static void fresh(void)
{
    fake_rtc_reset();
    fake_rtc_set(0x26, 0x11, 0x24, 0x12, 0x05, 0x31, 2);
    settings.flags = 0;
    settings.alarm_hour = 7;
    settings.alarm_minute = 0;
    settings_changed = 0;
    fake_rtc_writes = fake_rtc_refused = 0;
    fake_cancel_edits = 0;
    fake_uart_clear();
}

/* send these bytes (after any queued by fake_uart_feed), let the protocol run dry; what it
 * sent */
static const char *send(const char *bytes)
{
    uint8_t i;

    fake_uart_out_len = 0;
    fake_uart_out[0] = 0;
    fake_uart_feed(bytes);
    /* each poll takes every byte it may and sends one reply or piece (the fake UART's line
     * buffer is always sent at once); then, as the main loop does, a set's pending drift
     * reset (clock.h) */
    for (i = 0; i < 40; i++) {
        protocol_poll();
#if FEATURE_DRIFT
        clock_settle();
#endif
    }
    return fake_uart_out;
}

static uint8_t xor_of(const char *s)
{
    uint8_t x = 0;
    while (*s)
        x ^= (uint8_t)*s++;
    return x;
}

/* the clock registers (burst order) still hold 2026-11-24 12:05:31 and nothing was written */
static void clock_untouched(void)
{
    static const uint8_t want[7] = { 0x31, 0x05, 0x12, 0x24, 0x11, 2, 0x26 };
    TEST_ASSERT_EQUAL_MEMORY_MESSAGE(want, fake_rtc_reg, 7, "the DS1302 time");
    TEST_ASSERT_EQUAL_UINT8_MESSAGE(0, fake_rtc_writes, "DS1302 writes");
}

static void settings_untouched(void)
{
    TEST_ASSERT_EQUAL_HEX8_MESSAGE(0, settings.flags, "settings.flags");
    TEST_ASSERT_EQUAL_UINT8(7, settings.alarm_hour);
    TEST_ASSERT_EQUAL_UINT8(0, settings.alarm_minute);
    TEST_ASSERT_FALSE_MESSAGE(settings_changed, "settings_changed");
    TEST_ASSERT_EQUAL_UINT8_MESSAGE(0, fake_cancel_edits, "key edits cancelled");
}

/* `line` (with its CR) is answered `reply` and changes nothing */
static void refused(const char *line, const char *reply)
{
    fresh();
    TEST_ASSERT_EQUAL_STRING_MESSAGE(reply, send(line), line);
    clock_untouched();
    settings_untouched();
}

static void test_ping(void)
{
    fresh();
    TEST_ASSERT_EQUAL_STRING("OK PONG\r\n", send("PING\r"));
}

static void test_get_reads_the_clock(void)
{
    fresh();
    TEST_ASSERT_EQUAL_STRING("OK 2026-11-24 12:05:31 TUE\r\n", send("GET\r\n"));
    fake_rtc_set(0x99, 0x12, 0x31, 0x23, 0x59, 0x59, 4);
    TEST_ASSERT_EQUAL_STRING("OK 2099-12-31 23:59:59 THU\r\n", send("GET\n"));
}

static void test_case_and_spaces_do_not_matter(void)
{
    fresh();
    TEST_ASSERT_EQUAL_STRING("OK 2026-11-24 12:05:31 TUE\r\n", send("  gEt   \r"));
    TEST_ASSERT_EQUAL_STRING("OK ALARM 07:30 ON\r\n", send("alarm   07:30 \r"));
}

static void test_empty_lines_get_no_reply(void)
{
    fresh();
    TEST_ASSERT_EQUAL_STRING("", send("\r\n\r\n"));
}

static void test_pipelined_lines_are_answered_in_order(void)
{
    fresh();
    TEST_ASSERT_EQUAL_STRING("OK PONG\r\nOK HOURS 24\r\nERR unknown command\r\n",
                             send("PING\rHOURS\rNOPE\r"));
}

/* lines lost to a receive-ring overflow (uart.h): one "ERR overflow" each, in their place
 * in the order of replies; the start of the line the overflow cut is dropped with it */
static void test_lines_lost_to_an_overflow_are_answered_in_their_place(void)
{
    fresh();
    fake_uart_feed("PING\rSET 2027-02");          /* ... then bytes lost, 2 lines */
    fake_uart_lost = 2;
    TEST_ASSERT_EQUAL_STRING("OK PONG\r\nERR overflow\r\nERR overflow\r\n", send(""));
    TEST_ASSERT_EQUAL_STRING("OK 2026-11-24 12:05:31 TUE\r\n", send("GET\r"));
    clock_untouched();
    settings_untouched();
}

static void test_set_writes_the_clock_once_with_its_weekday(void)
{
    static const uint8_t want[8] = { 0x58, 0x59, 0x23, 0x28, 0x02, 7, 0x27, DS1302_WP };
    fresh();
    settings.flags = SET_UNSET;
    TEST_ASSERT_EQUAL_STRING("OK 2027-02-28 23:59:58 SUN\r\n",
                             send("SET 2027-02-28 23:59:58\r"));
    TEST_ASSERT_EQUAL_MEMORY_MESSAGE(want, fake_rtc_reg, 8, "DS1302 registers, WP set again");
    TEST_ASSERT_EQUAL_UINT8_MESSAGE(0, fake_rtc_refused, "writes refused (WP)");
    TEST_ASSERT_EQUAL_HEX8_MESSAGE(0, settings.flags & SET_UNSET, "the set-me mark");
    TEST_ASSERT_FALSE_MESSAGE(settings_changed, "the mark went with the clock burst");
    TEST_ASSERT_EQUAL_UINT8_MESSAGE(1, fake_cancel_edits, "a key edit is cancelled");
    TEST_ASSERT_EQUAL_STRING("OK 2027-02-28 23:59:58 SUN\r\n", send("GET\r"));
}

static void test_set_of_the_range_limits(void)
{
    fresh();
    TEST_ASSERT_EQUAL_STRING("OK 2000-01-01 00:00:00 SAT\r\n", send("SET 2000-01-01 00:00:00\r"));
    TEST_ASSERT_EQUAL_STRING("OK 2099-12-31 23:59:59 THU\r\n", send("SET 2099-12-31 23:59:59\r"));
    TEST_ASSERT_EQUAL_STRING("OK 2024-02-29 12:00:00 THU\r\n", send("set 2024-02-29 12:00:00\r"));
}

static void test_set_out_of_range_is_err_range(void)
{
    refused("SET 2025-02-29 10:00:00\r", "ERR range\r\n");
    refused("SET 1999-12-31 23:59:59\r", "ERR range\r\n");
    refused("SET 2100-01-01 00:00:00\r", "ERR range\r\n");
    refused("SET 2026-13-01 00:00:00\r", "ERR range\r\n");
    refused("SET 2026-00-10 00:00:00\r", "ERR range\r\n");
    refused("SET 2026-04-31 00:00:00\r", "ERR range\r\n");
    refused("SET 2026-11-00 00:00:00\r", "ERR range\r\n");
    refused("SET 2026-11-24 24:00:00\r", "ERR range\r\n");
    refused("SET 2026-11-24 12:60:00\r", "ERR range\r\n");
    refused("SET 2026-11-24 12:00:60\r", "ERR range\r\n");
}

static void test_set_malformed_is_err_syntax(void)
{
    refused("SET 2026-1-2 3:4:5\r", "ERR syntax\r\n");
    refused("SET\r", "ERR syntax\r\n");
    refused("SET 2026-11-24\r", "ERR syntax\r\n");
    refused("SET 2026-11-24 12:05:31 X\r", "ERR syntax\r\n");
    refused("SET 2026/11/24 12:05:31\r", "ERR syntax\r\n");
    refused("SET 2026-11-24T12:05:31\r", "ERR syntax\r\n");
    refused("SET 2026-11-24 12.05.31\r", "ERR syntax\r\n");
    refused("SET 2026-11-2A 12:05:31\r", "ERR syntax\r\n");
}

static void test_alarm_get_set_on_off(void)
{
    fresh();
    TEST_ASSERT_EQUAL_STRING("OK ALARM 07:00 OFF\r\n", send("ALARM\r"));
    TEST_ASSERT_FALSE(settings_changed);
    TEST_ASSERT_EQUAL_STRING("OK ALARM 06:45 ON\r\n", send("ALARM 06:45\r"));
    TEST_ASSERT_EQUAL_UINT8(6, settings.alarm_hour);
    TEST_ASSERT_EQUAL_UINT8(45, settings.alarm_minute);
    TEST_ASSERT_EQUAL_HEX8(SET_ALARM_ON, settings.flags);
    TEST_ASSERT_TRUE(settings_changed);
    TEST_ASSERT_EQUAL_UINT8(1, fake_cancel_edits);
    TEST_ASSERT_EQUAL_STRING("OK ALARM 06:45 OFF\r\n", send("ALARM OFF\r"));
    TEST_ASSERT_EQUAL_HEX8(0, settings.flags);
    TEST_ASSERT_EQUAL_STRING("OK ALARM 06:45 ON\r\n", send("alarm on\r"));
    TEST_ASSERT_EQUAL_HEX8(SET_ALARM_ON, settings.flags);
    TEST_ASSERT_EQUAL_STRING("OK ALARM 23:59 ON\r\n", send("ALARM 23:59\r"));
    TEST_ASSERT_EQUAL_STRING("OK ALARM 00:00 ON\r\n", send("ALARM 00:00\r"));
}

static void test_alarm_errors(void)
{
    refused("ALARM 7:30\r", "ERR syntax\r\n");
    refused("ALARM 07:3\r", "ERR syntax\r\n");
    refused("ALARM 0730\r", "ERR syntax\r\n");
    refused("ALARM MAYBE\r", "ERR syntax\r\n");
    refused("ALARM ON OFF\r", "ERR syntax\r\n");
    refused("ALARM 07:30 ON\r", "ERR syntax\r\n");
    refused("ALARM 24:00\r", "ERR range\r\n");
    refused("ALARM 12:60\r", "ERR range\r\n");
}

static void test_hours(void)
{
    fresh();
    TEST_ASSERT_EQUAL_STRING("OK HOURS 24\r\n", send("HOURS\r"));
    TEST_ASSERT_EQUAL_STRING("OK HOURS 12\r\n", send("HOURS 12\r"));
    TEST_ASSERT_EQUAL_HEX8(SET_H12, settings.flags);
    TEST_ASSERT_TRUE(settings_changed);
    TEST_ASSERT_EQUAL_STRING("OK HOURS 12\r\n", send("HOURS\r"));
    TEST_ASSERT_EQUAL_STRING("OK HOURS 24\r\n", send("hours 24\r"));
    TEST_ASSERT_EQUAL_HEX8(0, settings.flags);
}

static void test_hours_errors(void)
{
    refused("HOURS 13\r", "ERR range\r\n");
    refused("HOURS 120\r", "ERR range\r\n");
    refused("HOURS 1\r", "ERR range\r\n");
    refused("HOURS X\r", "ERR syntax\r\n");
    refused("HOURS 12 X\r", "ERR syntax\r\n");
    refused("HOURS 12H\r", "ERR syntax\r\n");
}

static void test_info_and_help(void)
{
    fresh();
#if FEATURE_DS18B20
    temp_state = TEMP_WAIT;
#endif
    TEST_ASSERT_EQUAL_STRING("OK INFO clock51 0.1.0 board=reference mcu=STC89C52RC "
                             "xtal=11059200 baud=9600" INFO_TEMP " rtc=ok\r\n", send("INFO\r"));
    settings.flags = SET_UNSET;
    TEST_ASSERT_EQUAL_STRING("OK INFO clock51 0.1.0 board=reference mcu=STC89C52RC "
                             "xtal=11059200 baud=9600" INFO_TEMP " rtc=unset\r\n",
                             send("INFO\r"));
    TEST_ASSERT_EQUAL_STRING("OK SET GET PING ALARM HOURS INFO HELP" HELP_CAL HELP_TEMP HELP_DRIFT "\r\n",
                             send("HELP\r"));
}

/* the longest reply with the longest check: HELP (the UART's line buffer holds 52 bytes;
 * each piece must fit, the check included; CAL's longest: test_cal) */
static void test_help_keeps_its_crc_check_whole(void)
{
    static const char want[] = "OK SET GET PING ALARM HOURS INFO HELP" HELP_CAL HELP_TEMP HELP_DRIFT "#";
    const char *got;

    fresh();
    got = send("HELP#0?56\r");
    TEST_ASSERT_EQUAL_MEMORY_MESSAGE(want, got, sizeof(want) - 1, got);
    TEST_ASSERT_EQUAL_UINT8_MESSAGE(sizeof(want) - 1 + 6, strlen(got), got); /* 4 digits CR LF */
    TEST_ASSERT_EQUAL_STRING("\r\n", got + strlen(got) - 2);
}

#if FEATURE_LUNAR
/* CAL's framing: the date (or today's) reaches solar_of_day() and the reply names what
 * solar_print() prints; the real terms and festivals: test_cal. */
static void test_cal_parses_a_date_or_takes_today(void)
{
    fresh();
    TEST_ASSERT_EQUAL_STRING("OK CAL 2026-09-25 term=t25 fest=f9\r\n", send("CAL 2026-09-25\r"));
    TEST_ASSERT_EQUAL_STRING("OK CAL 2099-12-31 term=t31 fest=f12\r\n", send("cal 2099-12-31 \r"));
    clock_now.year = 27;
    clock_now.month = 2;
    clock_now.day = 5;
    clock_now.hour = 12;
    clock_now.minute = clock_now.second = 0;
    TEST_ASSERT_EQUAL_STRING("OK CAL 2027-02-05 term=t5 fest=f2\r\n", send("CAL\r"));
    TEST_ASSERT_TRUE(fake_calendar_stale > 0);
    clock_untouched();
    settings_untouched();
    refused("CAL 2025-02-29\r", "ERR range\r\n");
    refused("CAL 2026-13-01\r", "ERR range\r\n");
    refused("CAL 2100-01-01\r", "ERR range\r\n");
    refused("CAL 1999-12-31\r", "ERR range\r\n");
    refused("CAL 2026-9-25\r", "ERR syntax\r\n");
    refused("CAL 2026-09-25 X\r", "ERR syntax\r\n");
    refused("CAL TODAY\r", "ERR syntax\r\n");
    refused("CALX\r", "ERR unknown command\r\n");
}
#endif

#if FEATURE_DS18B20
/* TEMP and INFO's temp= for each driver state; nothing else is touched */
static void test_temp_by_sensor_state(void)
{
    fresh();
    temp_state = TEMP_OK;
    fake_temp = "-10.5";
    TEST_ASSERT_EQUAL_STRING("OK TEMP -10.5\r\n", send("TEMP\r"));
    TEST_ASSERT_EQUAL_STRING("OK TEMP -10.5\r\n", send("temp\r"));
    TEST_ASSERT_EQUAL_STRING("ERR syntax\r\n", send("TEMP 1\r"));
    temp_state = TEMP_NONE;
    TEST_ASSERT_EQUAL_STRING("OK TEMP NONE\r\n", send("TEMP\r"));
    temp_state = TEMP_ERR;
    TEST_ASSERT_EQUAL_STRING("ERR sensor\r\n", send("TEMP\r"));
    TEST_ASSERT_TRUE(strstr(send("INFO\r"), " temp=err rtc=ok\r\n"));
    temp_state = TEMP_WAIT;
    TEST_ASSERT_EQUAL_STRING("ERR busy\r\n", send("TEMP\r"));
    temp_state = TEMP_OK;
    TEST_ASSERT_TRUE(strstr(send("INFO\r"), " temp=ok rtc=ok\r\n"));
    temp_state = TEMP_NONE;
    TEST_ASSERT_TRUE(strstr(send("INFO\r"), " temp=none rtc=ok\r\n"));
    clock_untouched();
    settings_untouched();
    temp_state = TEMP_WAIT;
    fake_temp = "23.5";
}
#endif

static void test_unknown_commands_and_trailing_words(void)
{
    refused("NOPE\r", "ERR unknown command\r\n");
    refused("GETS\r", "ERR unknown command\r\n");
    refused("PIN\r", "ERR unknown command\r\n");
    refused("PING PONG\r", "ERR syntax\r\n");
    refused("GET NOW\r", "ERR syntax\r\n");
}

static void test_more_than_40_characters_is_too_long(void)
{
    /* 40 characters: fine (trailing spaces count and are ignored) */
    fresh();
    fake_uart_clear();
    fake_uart_feed("PING                    ");             /* 24 */
    protocol_poll();
    TEST_ASSERT_EQUAL_STRING("OK PONG\r\n", send("                \r"));   /* + 16 */
    /* 41: refused once the line ends, without a checksum suffix, nothing changed */
    fresh();
    fake_uart_feed("SET 2027-02-28 23:59:58 ");                  /* 24 */
    protocol_poll();
    fake_uart_feed("                ");                          /* + 16 */
    protocol_poll();
    TEST_ASSERT_EQUAL_STRING("ERR too long\r\n", send("X*12\r"));
    clock_untouched();
    TEST_ASSERT_EQUAL_STRING("OK PONG\r\n", send("PING\r"));
}

static void test_a_byte_outside_printable_ascii_is_bad_byte(void)
{
    refused("GE\x01T\r", "ERR bad byte\r\n");
    refused("PING\x7F\r", "ERR bad byte\r\n");
    refused("SET 2027-02-28\x09" "23:59:58\r", "ERR bad byte\r\n");
    fresh();
    fake_uart_clear();
    fake_uart_feed_byte(0x00);
    fake_uart_feed_byte(0xFF);
    TEST_ASSERT_EQUAL_STRING("ERR bad byte\r\n", send("\r"));
}

static void test_checksum_is_checked_and_answered(void)
{
    fresh();
    TEST_ASSERT_EQUAL_STRING("OK 2026-11-24 12:05:31 TUE*64\r\n", send("GET*56\r"));
    /* lower-case hex, and the XOR of the bytes as sent (before upper-casing) */
    TEST_ASSERT_EQUAL_HEX8(0x76, xor_of("get"));
    TEST_ASSERT_EQUAL_STRING("OK 2026-11-24 12:05:31 TUE*64\r\n", send("get*76\r"));
}

static void test_checksum_errors_change_nothing(void)
{
    refused("GET*00\r", "ERR checksum*68\r\n");
    refused("GET*5\r", "ERR checksum*68\r\n");
    refused("GET*\r", "ERR checksum*68\r\n");
    refused("GET*560\r", "ERR checksum*68\r\n");
    refused("GET*5G\r", "ERR checksum*68\r\n");
    refused("GET*56*\r", "ERR checksum*68\r\n");
    refused("SET 2027-02-28 23:59:58*00\r", "ERR checksum*68\r\n");
    refused("GE\x01T*00\r", "ERR bad byte*28\r\n");
}

static void test_reply_checksums_are_the_xor_of_the_reply(void)
{
    const char *r;
    uint8_t n;
    fresh();
    r = send("PING*10\r");
    n = (uint8_t)strlen(r);
    TEST_ASSERT_EQUAL_UINT8(12, n);                         /* "OK PONG*HH\r\n" */
    TEST_ASSERT_EQUAL_MEMORY("OK PONG*", r, 8);
    {
        static const char hex[] = "0123456789ABCDEF";
        uint8_t x = xor_of("OK PONG");
        TEST_ASSERT_EQUAL_HEX8(hex[x >> 4], r[8]);
        TEST_ASSERT_EQUAL_HEX8(hex[x & 15], r[9]);
    }
}

void main(void)
{
    UNITY_BEGIN();
    RUN_TEST(test_ping);
    RUN_TEST(test_get_reads_the_clock);
    RUN_TEST(test_case_and_spaces_do_not_matter);
    RUN_TEST(test_empty_lines_get_no_reply);
    RUN_TEST(test_pipelined_lines_are_answered_in_order);
    RUN_TEST(test_lines_lost_to_an_overflow_are_answered_in_their_place);
    RUN_TEST(test_set_writes_the_clock_once_with_its_weekday);
    RUN_TEST(test_set_of_the_range_limits);
    RUN_TEST(test_set_out_of_range_is_err_range);
    RUN_TEST(test_set_malformed_is_err_syntax);
    RUN_TEST(test_alarm_get_set_on_off);
    RUN_TEST(test_alarm_errors);
    RUN_TEST(test_hours);
    RUN_TEST(test_hours_errors);
    RUN_TEST(test_info_and_help);
    RUN_TEST(test_help_keeps_its_crc_check_whole);
#if FEATURE_LUNAR
    RUN_TEST(test_cal_parses_a_date_or_takes_today);
#endif
#if FEATURE_DS18B20
    RUN_TEST(test_temp_by_sensor_state);
#endif
    RUN_TEST(test_unknown_commands_and_trailing_words);
    RUN_TEST(test_more_than_40_characters_is_too_long);
    RUN_TEST(test_a_byte_outside_printable_ascii_is_bad_byte);
    RUN_TEST(test_checksum_is_checked_and_answered);
    RUN_TEST(test_checksum_errors_change_nothing);
    RUN_TEST(test_reply_checksums_are_the_xor_of_the_reply);
    UNITY_END();
}
