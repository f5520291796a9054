/*
 * Settings and clock state in the DS1302 (clock.c, layout in clock.h): the RAM record
 * (flags, alarm hour, alarm minute, CRC-8 of those, magic 0xC3) is written with write
 * protection lifted only around it, its magic cleared first and written last, read back at
 * boot only when every check passes, and replaced by the defaults otherwise; an invalid
 * clock boots to the build date with the "set me" mark in the day-of-week register
 * (weekday + 3), written in the same clock burst. Over the fake DS1302 of doubles.c.
 */
#include "unit51.h"
#include "doubles.h"
#include "board_config.h"
#include "clock.h"
#include "ds1302.h"

/* Firmware modules: clock.c calendar.c text.c tick.c */

#define MAGIC 0xC3

/* CRC-8, polynomial 0x07, MSB first, initial value 0xA5, of the three settings bytes */
static uint8_t CHECK(uint8_t f, uint8_t h, uint8_t mi)
{
    uint8_t b[3], crc = 0xA5, i, j;
    b[0] = f;
    b[1] = h;
    b[2] = mi;
    for (i = 0; i < 3; i++) {
        crc ^= b[i];
        for (j = 0; j < 8; j++)
            crc = (crc & 0x80) ? (uint8_t)((crc << 1) ^ 0x07) : (uint8_t)(crc << 1);
    }
    return crc;
}

static void record(uint8_t f, uint8_t h, uint8_t mi)
{
    fake_rtc_ram[0] = f;
    fake_rtc_ram[1] = h;
    fake_rtc_ram[2] = mi;
    fake_rtc_ram[3] = CHECK(f, h, mi);
    fake_rtc_ram[4] = MAGIC;
}

/* a running clock at 2026-11-24 12:05:31 and a valid settings record (alarm 06:45 on, 12 h) */
static void fresh(void)
{
    fake_rtc_reset();
    fake_rtc_set(0x26, 0x11, 0x24, 0x12, 0x05, 0x31, 2);
    record(SET_ALARM_ON | SET_H12, 6, 45);
    settings.flags = 0x55;
    settings.alarm_hour = settings.alarm_minute = 99;
    settings_changed = 1;
}

static void defaults_loaded_and_saved(const char *why)
{
    TEST_ASSERT_EQUAL_HEX8_MESSAGE(0, settings.flags, why);
    TEST_ASSERT_EQUAL_UINT8_MESSAGE(7, settings.alarm_hour, why);
    TEST_ASSERT_EQUAL_UINT8_MESSAGE(0, settings.alarm_minute, why);
    TEST_ASSERT_EQUAL_HEX8_MESSAGE(0, fake_rtc_ram[0], why);
    TEST_ASSERT_EQUAL_UINT8_MESSAGE(7, fake_rtc_ram[1], why);
    TEST_ASSERT_EQUAL_UINT8_MESSAGE(0, fake_rtc_ram[2], why);
    TEST_ASSERT_EQUAL_HEX8_MESSAGE(CHECK(0, 7, 0), fake_rtc_ram[3], why);
    TEST_ASSERT_EQUAL_HEX8_MESSAGE(MAGIC, fake_rtc_ram[4], why);
}

static void time_kept(void)
{
    static const uint8_t want[8] = { 0x31, 0x05, 0x12, 0x24, 0x11, 2, 0x26, DS1302_WP };
    TEST_ASSERT_EQUAL_MEMORY_MESSAGE(want, fake_rtc_reg, 8, "the DS1302 time, WP set");
    TEST_ASSERT_EQUAL_UINT8(26, clock_now.year);
    TEST_ASSERT_EQUAL_UINT8(11, clock_now.month);
    TEST_ASSERT_EQUAL_UINT8(24, clock_now.day);
    TEST_ASSERT_EQUAL_UINT8(12, clock_now.hour);
    TEST_ASSERT_EQUAL_UINT8(5, clock_now.minute);
    TEST_ASSERT_EQUAL_UINT8(31, clock_now.second);
    TEST_ASSERT_EQUAL_UINT8_MESSAGE(2, clock_now.wday, "Tuesday, computed");
    TEST_ASSERT_EQUAL_HEX8_MESSAGE(0, settings.flags & SET_UNSET, "no set-me mark");
}

static void test_save_writes_the_record_with_its_check(void)
{
    fresh();
    settings.flags = SET_ALARM_ON | SET_UNSET;      /* the set-me mark is never saved */
    settings.alarm_hour = 23;
    settings.alarm_minute = 59;
    fake_rtc_writes = 0;
    settings_save();
    TEST_ASSERT_EQUAL_HEX8(SET_ALARM_ON, fake_rtc_ram[0]);
    TEST_ASSERT_EQUAL_UINT8(23, fake_rtc_ram[1]);
    TEST_ASSERT_EQUAL_UINT8(59, fake_rtc_ram[2]);
    TEST_ASSERT_EQUAL_HEX8(CHECK(SET_ALARM_ON, 23, 59), fake_rtc_ram[3]);
    TEST_ASSERT_EQUAL_HEX8(MAGIC, fake_rtc_ram[4]);
    TEST_ASSERT_EQUAL_UINT8_MESSAGE(4, fake_rtc_writes, "WP off, magic cleared, burst, WP on");
    TEST_ASSERT_EQUAL_HEX8_MESSAGE(DS1302_WP, fake_rtc_reg[7], "write protection restored");
    TEST_ASSERT_EQUAL_UINT8_MESSAGE(0, fake_rtc_refused, "writes refused by WP");
    TEST_ASSERT_FALSE(settings_changed);
}

static void test_boot_loads_a_valid_record_and_writes_nothing(void)
{
    fresh();
    clock_boot();
    TEST_ASSERT_EQUAL_HEX8(SET_ALARM_ON | SET_H12, settings.flags);
    TEST_ASSERT_EQUAL_UINT8(6, settings.alarm_hour);
    TEST_ASSERT_EQUAL_UINT8(45, settings.alarm_minute);
    TEST_ASSERT_EQUAL_UINT8_MESSAGE(0, fake_rtc_writes, "DS1302 writes");
    time_kept();
}

static void test_boot_resets_settings_but_keeps_the_time_on_a_bad_record(void)
{
    fresh();
    fake_rtc_ram[4] = 0xC4;                         /* another firmware's RAM */
    clock_boot();
    defaults_loaded_and_saved("bad magic");
    time_kept();

    fresh();
    fake_rtc_ram[4] = 0x00;                         /* a save cut after its first write */
    clock_boot();
    defaults_loaded_and_saved("magic cleared");

    fresh();
    fake_rtc_ram[3] ^= 0x01;
    clock_boot();
    defaults_loaded_and_saved("bad check");

    fresh();
    record(SET_ALARM_ON | SET_H12, 24, 45);
    clock_boot();
    defaults_loaded_and_saved("alarm hour 24 with a matching check");

    fresh();
    record(SET_ALARM_ON | SET_H12, 6, 60);
    clock_boot();
    defaults_loaded_and_saved("alarm minute 60 with a matching check");

    fresh();
    record(SET_UNSET, 6, 45);
    clock_boot();
    defaults_loaded_and_saved("unknown flag bit with a matching check");

    fresh();
    {
        uint8_t i;
        for (i = 0; i < 5; i++)
            fake_rtc_ram[i] = 0;                    /* a fresh chip's RAM */
    }
    clock_boot();
    defaults_loaded_and_saved("all zero");
}

/* every single flipped bit of a valid record is caught */
static void test_every_single_bit_error_is_caught(void)
{
    uint8_t byte, bit;
    for (byte = 0; byte < 5; byte++) {
        for (bit = 0; bit < 8; bit++) {
            fresh();
            fake_rtc_ram[byte] ^= (uint8_t)(1 << bit);
            clock_boot();
            if (settings.alarm_hour != 7 || settings.flags != 0) {
                unit_print_uint(byte);
                unit_print(": the RAM byte with the flipped bit");
                TEST_FAIL_MESSAGE("a corrupted record was accepted");
            }
        }
    }
}

static void boots_to_the_build_date(const char *why)
{
    TEST_ASSERT_EQUAL_UINT8_MESSAGE(BUILD_YEAR - 2000, clock_now.year, why);
    TEST_ASSERT_EQUAL_UINT8_MESSAGE(BUILD_MONTH, clock_now.month, why);
    TEST_ASSERT_EQUAL_UINT8_MESSAGE(BUILD_DAY, clock_now.day, why);
    TEST_ASSERT_EQUAL_UINT8_MESSAGE(BUILD_HOUR, clock_now.hour, why);
    TEST_ASSERT_EQUAL_UINT8_MESSAGE(BUILD_MINUTE, clock_now.minute, why);
    TEST_ASSERT_EQUAL_UINT8_MESSAGE(0, clock_now.second, why);
    TEST_ASSERT_EQUAL_HEX8_MESSAGE(0, fake_rtc_reg[0] & DS1302_CH, why);    /* running */
    TEST_ASSERT_EQUAL_HEX8_MESSAGE(((BUILD_YEAR - 2000) / 10) * 16 + BUILD_YEAR % 10,
                                   fake_rtc_reg[6], why);
    TEST_ASSERT_EQUAL_HEX8_MESSAGE(DS1302_WP, fake_rtc_reg[7], why);
    TEST_ASSERT_EQUAL_HEX8_MESSAGE(SET_UNSET, settings.flags & SET_UNSET, why);
    TEST_ASSERT_EQUAL_UINT8_MESSAGE((clock_now.wday + 2) % 7 + 1, fake_rtc_reg[5], why);
    TEST_ASSERT_TRUE_MESSAGE(clock_read() && (settings.flags & SET_UNSET), why);  /* read back */
    TEST_ASSERT_EQUAL_UINT8_MESSAGE(0, fake_rtc_refused, why);
}

static void test_an_invalid_clock_boots_to_the_build_date_marked_unset(void)
{
    fresh();
    fake_rtc_reg[0] |= DS1302_CH;                   /* halted: first power-up */
    clock_boot();
    boots_to_the_build_date("clock halted");
    TEST_ASSERT_EQUAL_UINT8_MESSAGE(6, settings.alarm_hour, "the valid settings are kept");

    fresh();
    fake_rtc_reg[2] = DS1302_12H | 0x12;            /* 12-hour mode: not ours */
    clock_boot();
    boots_to_the_build_date("12-hour mode");

    fresh();
    fake_rtc_reg[1] = 0x5A;                         /* not BCD */
    clock_boot();
    boots_to_the_build_date("bad BCD minute");

    fresh();
    fake_rtc_set(0x26, 0x02, 0x30, 0x12, 0x00, 0x00, 1);   /* February 30 */
    clock_boot();
    boots_to_the_build_date("2026-02-30");

    fresh();
    fake_rtc_set(0x26, 0x11, 0x24, 0x24, 0x00, 0x00, 2);   /* 24:00:00 */
    clock_boot();
    boots_to_the_build_date("hour 24");
}

static void test_read_decodes_bcd_and_computes_the_weekday(void)
{
    fresh();
    fake_rtc_set(0x99, 0x12, 0x31, 0x23, 0x59, 0x58, 1);   /* weekday register wrong */
    TEST_ASSERT_TRUE(clock_read());
    TEST_ASSERT_EQUAL_UINT8(99, clock_tmp.year);
    TEST_ASSERT_EQUAL_UINT8(12, clock_tmp.month);
    TEST_ASSERT_EQUAL_UINT8(31, clock_tmp.day);
    TEST_ASSERT_EQUAL_UINT8(23, clock_tmp.hour);
    TEST_ASSERT_EQUAL_UINT8(59, clock_tmp.minute);
    TEST_ASSERT_EQUAL_UINT8(58, clock_tmp.second);
    TEST_ASSERT_EQUAL_UINT8_MESSAGE(4, clock_tmp.wday, "2099-12-31 is a Thursday");
    TEST_ASSERT_EQUAL_HEX8_MESSAGE(0, settings.flags & SET_UNSET, "register 1: set");
    fake_rtc_reg[5] = 7;                            /* Thursday + 3: the set-me mark */
    TEST_ASSERT_TRUE(clock_read());
    TEST_ASSERT_EQUAL_HEX8_MESSAGE(SET_UNSET, settings.flags & SET_UNSET, "register 7");
}

/* clock_new = 20YY-MM-DD 00:00:00, as a SET's parse leaves it */
static void new_date(uint8_t year, uint8_t month, uint8_t day)
{
    clock_new.year = year;
    clock_new.month = month;
    clock_new.day = day;
    clock_new.hour = clock_new.minute = clock_new.second = 0;
}

static void test_prepare_refuses_an_invalid_time_and_commit_writes_once(void)
{
    fresh();
    new_date(25, 2, 29);
    TEST_ASSERT_FALSE(clock_prepare());
    TEST_ASSERT_FALSE(clock_ready);
    clock_new.year = 24;
    TEST_ASSERT_TRUE(clock_prepare());
    TEST_ASSERT_EQUAL_UINT8_MESSAGE(0, fake_rtc_writes, "prepare writes nothing");
    settings.flags = SET_UNSET;
    settings_changed = 0;
#if FEATURE_DRIFT
    fake_drift_sets = 0;
#endif
    clock_commit();
#if FEATURE_DRIFT
    /* the drift reset is left pending (the main loop runs it once a reply is under way) */
    TEST_ASSERT_EQUAL_UINT8_MESSAGE(3, fake_rtc_writes, "WP off, one burst, WP on");
    TEST_ASSERT_EQUAL_UINT8_MESSAGE(4 + 2, fake_rtc_reg[5], "weekday + 2: record pending");
    TEST_ASSERT_EQUAL_UINT8_MESSAGE(0, fake_drift_sets, "no drift reset yet");
    TEST_ASSERT_TRUE(settings.flags & SET_RESET);
    clock_settle();
    TEST_ASSERT_EQUAL_HEX8(0, settings.flags & SET_RESET);
#endif
    {
        static const uint8_t want[8] = { 0x00, 0x00, 0x00, 0x29, 0x02, 4, 0x24, DS1302_WP };
        TEST_ASSERT_EQUAL_MEMORY(want, fake_rtc_reg, 8);
    }
#if FEATURE_DRIFT
    /* the burst with the weekday + 2 ("set, record pending"), then, settled, drift_set()
     * (doubles.c: the record's generation 0 into the day-of-week register alone, as drift.c
     * ends) */
    TEST_ASSERT_EQUAL_UINT8_MESSAGE(6, fake_rtc_writes,
                                    "WP off, one burst, WP on; WP off, weekday, WP on");
    TEST_ASSERT_EQUAL_UINT8_MESSAGE(1, fake_drift_sets, "the drift record reset once");
#else
    TEST_ASSERT_EQUAL_UINT8_MESSAGE(3, fake_rtc_writes, "WP off, one burst, WP on");
#endif
    TEST_ASSERT_EQUAL_HEX8(0, settings.flags & SET_UNSET);
    TEST_ASSERT_FALSE_MESSAGE(settings_changed, "the mark went with the burst: no RAM write");
}

#if FEATURE_DRIFT
static void test_sets_before_the_pending_drift_reset_share_one(void)
{
    fresh();
    new_date(24, 2, 29);
    TEST_ASSERT_TRUE(clock_prepare());
    settings.flags = 0;
    fake_drift_sets = 0;
    clock_commit();
    clock_new.day = 28;
    TEST_ASSERT_TRUE(clock_prepare());
    clock_commit();
    TEST_ASSERT_EQUAL_UINT8_MESSAGE(6, fake_rtc_writes, "two sets: two bursts, no reset yet");
    TEST_ASSERT_EQUAL_HEX8_MESSAGE(0x28, fake_rtc_reg[3], "the second set's day");
    TEST_ASSERT_EQUAL_UINT8_MESSAGE(3 + 2, fake_rtc_reg[5], "weekday + 2: record pending");
    clock_settle();
    clock_settle();
    TEST_ASSERT_EQUAL_UINT8_MESSAGE(1, fake_drift_sets, "one drift reset for both");
    TEST_ASSERT_EQUAL_UINT8_MESSAGE(9, fake_rtc_writes, "WP off, weekday, WP on: once");
    TEST_ASSERT_EQUAL_UINT8_MESSAGE(3, fake_rtc_reg[5], "the generation's weekday register");
}
#endif

void main(void)
{
    UNITY_BEGIN();
    RUN_TEST(test_save_writes_the_record_with_its_check);
    RUN_TEST(test_boot_loads_a_valid_record_and_writes_nothing);
#if FEATURE_DRIFT
    RUN_TEST(test_sets_before_the_pending_drift_reset_share_one);
#endif
    RUN_TEST(test_boot_resets_settings_but_keeps_the_time_on_a_bad_record);
    RUN_TEST(test_every_single_bit_error_is_caught);
    RUN_TEST(test_an_invalid_clock_boots_to_the_build_date_marked_unset);
    RUN_TEST(test_read_decodes_bcd_and_computes_the_weekday);
    RUN_TEST(test_prepare_refuses_an_invalid_time_and_commit_writes_once);
    UNITY_END();
}
