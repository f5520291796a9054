/*
 * The CAL command end to end in the firmware's own modules: protocol.c parses it and
 * replies with what solar.c and lunar.c compute for the date (docs/protocol.md). The
 * protocol's framing of CAL, with solar.c doubled, is in test_protocol; every date of the
 * century in test_solar.
 */
#include <string.h>
#include "unit51.h"
#include "doubles.h"
#include "protocol.h"
#include "clock.h"
#include "lunar.h"
#include "solar.h"

/* Firmware modules: protocol.c clock.c text.c calendar.c solar.c lunar.c tick.c */

#include "board_config.h"
#if FEATURE_DS18B20
#include "ds18b20.h"
uint8_t temp_state;                     /* ds18b20.h double: no reading (TEMP is unused) */
void temp_print(void)
{
}
#endif

static const char *send(const char *bytes)
{
    uint8_t i;

    fake_uart_out_len = 0;
    fake_uart_out[0] = 0;
    fake_uart_feed(bytes);
    /* each poll takes every byte it may and sends one reply or piece (the fake UART's line
     * buffer is always sent at once) */
    for (i = 0; i < 8; i++)
        protocol_poll();
    return fake_uart_out;
}

static void fresh(void)
{
    fake_rtc_reset();
    fake_rtc_set(0x26, 0x11, 0x24, 0x12, 0x05, 0x31, 2);
    settings.flags = 0;
    fake_rtc_writes = 0;
    fake_calendar_stale = 0;
    fake_uart_clear();
}

static void test_cal_names_the_term_and_the_festival(void)
{
    fresh();
    TEST_ASSERT_EQUAL_STRING("OK CAL 2026-09-25 term=none fest=ZhongQiu\r\n",
                             send("CAL 2026-09-25\r"));
    TEST_ASSERT_EQUAL_STRING("OK CAL 2026-04-05 term=QingMing fest=QingMing\r\n",
                             send("CAL 2026-04-05\r"));
    TEST_ASSERT_EQUAL_STRING("OK CAL 2012-10-23 term=ShuangJiang fest=ChongYang\r\n",
                             send("CAL 2012-10-23\r"));
    TEST_ASSERT_EQUAL_STRING("OK CAL 2026-02-16 term=none fest=ChuXi\r\n",
                             send("CAL 2026-02-16\r"));      /* 12-29 of a 29-day month */
    TEST_ASSERT_EQUAL_STRING("OK CAL 2099-12-21 term=DongZhi fest=none\r\n",
                             send("CAL 2099-12-21\r"));
    TEST_ASSERT_EQUAL_STRING("OK CAL 2000-01-01 term=none fest=none\r\n",
                             send("CAL 2000-01-01\r"));
    TEST_ASSERT_EQUAL_UINT8_MESSAGE(0, fake_rtc_writes, "DS1302 writes");
}

static void test_cal_tells_the_pages_their_day_cache_is_stale(void)
{
    fresh();
    send("CAL 2026-09-25\r");
    TEST_ASSERT_EQUAL_UINT8(1, fake_calendar_stale);
    /* and lunar (which the lunar page shows) now holds 2026-09-25's date: 08-15 */
    TEST_ASSERT_EQUAL_UINT8(8, lunar.month);
    TEST_ASSERT_EQUAL_UINT8(15, lunar.day);
}

/* the longest CAL reply with the longest check (the UART's line buffer holds 52 bytes:
 * the names go in the first piece, the check in the next) */
static void test_the_longest_cal_reply_keeps_its_crc_check_whole(void)
{
    static const char want[] = "OK CAL 2012-10-23 term=ShuangJiang fest=ChongYang#";
    const char *got;

    fresh();
    got = send("CAL 2012-10-23#37=6\r");
    TEST_ASSERT_EQUAL_MEMORY_MESSAGE(want, got, sizeof(want) - 1, got);
    TEST_ASSERT_EQUAL_UINT8_MESSAGE(sizeof(want) - 1 + 6, strlen(got), got);
    TEST_ASSERT_EQUAL_STRING("\r\n", got + strlen(got) - 2);
}

static void test_cal_with_a_check_is_answered_with_one(void)
{
    fresh();
    /* the XOR of "CAL 2026-09-25" is 0x66, of the reply before its "*" 0x5B */
    TEST_ASSERT_EQUAL_STRING("OK CAL 2026-09-25 term=none fest=ZhongQiu*5B\r\n",
                             send("CAL 2026-09-25*66\r"));
}

void main(void)
{
    UNITY_BEGIN();
    RUN_TEST(test_cal_names_the_term_and_the_festival);
    RUN_TEST(test_cal_tells_the_pages_their_day_cache_is_stale);
    RUN_TEST(test_cal_with_a_check_is_answered_with_one);
    RUN_TEST(test_the_longest_cal_reply_keeps_its_crc_check_whole);
    UNITY_END();
}
