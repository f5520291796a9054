/*
 * DS18B20 driver (ds18b20.c): the 1-Wire CRC-8 (x^8 + x^5 + x^4 + 1) against known
 * vectors, the check of a read scratchpad (CRC, configuration byte, range) and the
 * temperature text on both sinks (LCD field of six characters, UART number alone).
 *
 * The driver's CRC, scratchpad bookkeeping and last reading are static and its bus routines
 * are cycle-counted assembler, so this suite includes ds18b20.c itself (firmware/src
 * unchanged) and never runs a bus step: a test hands a scratchpad to the driver byte by byte
 * (pad_take(), what the read steps do with each byte read) and puts it at its "check" step,
 * or sets the reading in t_lo/t_hi, and calls temp_tick()/temp_print(). The
 * reference profile has a [ds18b20] table, so FEATURE_DS18B20 is set in the test build.
 * ds18b20.c is therefore not on the modules line (it would be linked twice); tick.c is, for
 * tick_count and the Timer 0 interrupt tick.h declares (never started: time stands still).
 *
 * Expected CRCs: the datasheet's example ROM code (family 28h is not needed: the example is
 * family 02) and scratchpads computed in Python with the same reflected-0x8C loop:
 *     def crc8(bs):
 *         c = 0
 *         for b in bs:
 *             for _ in range(8):
 *                 c = (c >> 1) ^ 0x8C if (c ^ b) & 1 else c >> 1
 *                 b >>= 1
 *         return c
 */
#include <string.h>
#include "unit51.h"
#include "doubles.h"
#include "board_config.h"
#include "text.h"
#include "tick.h"

/* Firmware modules: text.c tick.c */

#if !FEATURE_DS18B20
#error "the [env:test] profile must have a [ds18b20] table for this suite"
#endif

#include "../../src/ds18b20.c"

static XDATA uint8_t buf[9];

static void load(const CODE uint8_t *src, uint8_t n)
{
    uint8_t i;
    for (i = 0; i < n; i++)
        buf[i] = src[i];
}

/* the driver's CRC-8 (one byte per crc8() call) over buf[0..n) */
static uint8_t crc_of(uint8_t n)
{
    uint8_t i, c = 0;
    for (i = 0; i < n; i++)
        c = crc8(c ^ buf[i]);
    return c;
}

/* ---- CRC-8 ---- */

static const CODE uint8_t rom[8] = { 0x02, 0x1C, 0xB8, 0x01, 0x00, 0x00, 0x00, 0xA2 };

static void test_crc_of_the_datasheet_rom_code(void)
{
    load(rom, 8);
    TEST_ASSERT_EQUAL_HEX8(0xA2, crc_of(7));
    TEST_ASSERT_EQUAL_HEX8_MESSAGE(0x00, crc_of(8), "over the code and its CRC: 0");
}

static void test_crc_of_single_bytes(void)
{
    buf[0] = 0x00;
    TEST_ASSERT_EQUAL_HEX8(0x00, crc_of(1));
    buf[0] = 0x01;                          /* one bit: the reflected polynomial 0x8C, */
    TEST_ASSERT_EQUAL_HEX8(0x5E, crc_of(1)); /* shifted through seven more bits */
    buf[0] = 0x80;
    TEST_ASSERT_EQUAL_HEX8(0x8C, crc_of(1));
}

/* scratchpads: lo, hi, TH 4B, TL 46, config 7F (12 bit), FF, 0C, 10, CRC */
static const CODE uint8_t pad_25[9] = { 0x91, 0x01, 0x4B, 0x46, 0x7F, 0xFF, 0x0C, 0x10, 0x70 };
static const CODE uint8_t pad_85[9] = { 0x50, 0x05, 0x4B, 0x46, 0x7F, 0xFF, 0x0C, 0x10, 0x1C };
static const CODE uint8_t pad_m10[9] = { 0x5E, 0xFF, 0x4B, 0x46, 0x7F, 0xFF, 0x0C, 0x10, 0x6A };
static const CODE uint8_t pad_m55[9] = { 0x90, 0xFC, 0x4B, 0x46, 0x7F, 0xFF, 0x0C, 0x10, 0x4F };
static const CODE uint8_t pad_125[9] = { 0xD0, 0x07, 0x4B, 0x46, 0x7F, 0xFF, 0x0C, 0x10, 0xF4 };

static void test_crc_of_scratchpads(void)
{
    load(pad_25, 9);
    TEST_ASSERT_EQUAL_HEX8(0x70, crc_of(8));
    TEST_ASSERT_EQUAL_HEX8(0x00, crc_of(9));
    load(pad_85, 9);
    TEST_ASSERT_EQUAL_HEX8(0x1C, crc_of(8));
    load(pad_m10, 9);
    TEST_ASSERT_EQUAL_HEX8(0x6A, crc_of(8));
    load(pad_m55, 9);
    TEST_ASSERT_EQUAL_HEX8(0x4F, crc_of(8));
    load(pad_125, 9);
    TEST_ASSERT_EQUAL_HEX8(0xF4, crc_of(8));
}

/* ---- the check step of temp_tick() ---- */

/* the driver with this scratchpad read, at its check step; returns temp_tick()'s result */
static bool_t check(const CODE uint8_t *src)
{
    uint8_t i;
    for (i = 0; i < 9; i++)
        pad_take(i, src[i]);
    step = S_CHECK;
    mark = tick_count;
    wait = 0;
#if CONV_ROUNDS > 1
    rounds = 0;
#endif
    temp_state = TEMP_WAIT;
    t_lo = 0x55;
    t_hi = 0x55;
    return temp_tick();
}

static void test_a_good_scratchpad_is_accepted(void)
{
    TEST_ASSERT_TRUE_MESSAGE(check(pad_m10), "a reading ended");
    TEST_ASSERT_EQUAL_UINT8(TEMP_OK, temp_state);
    TEST_ASSERT_EQUAL_HEX8(0x5E, t_lo);
    TEST_ASSERT_EQUAL_HEX8(0xFF, t_hi);
    TEST_ASSERT_EQUAL_UINT8_MESSAGE(0, step, "the next conversion starts over");
}

static const CODE uint8_t pad_bad_crc[9] = { 0x91, 0x01, 0x4B, 0x46, 0x7F, 0xFF, 0x0C, 0x10, 0x71 };
static const CODE uint8_t pad_flipped[9] = { 0x90, 0x01, 0x4B, 0x46, 0x7F, 0xFF, 0x0C, 0x10, 0x70 };

static void test_a_wrong_crc_is_rejected(void)
{
    TEST_ASSERT_TRUE(check(pad_bad_crc));
    TEST_ASSERT_EQUAL_UINT8(TEMP_ERR, temp_state);
    TEST_ASSERT_EQUAL_HEX8_MESSAGE(0x55, t_lo, "the last good reading is kept");
    TEST_ASSERT_EQUAL_HEX8(0x55, t_hi);
    TEST_ASSERT_TRUE(check(pad_flipped));   /* one data bit flipped, CRC of the original */
    TEST_ASSERT_EQUAL_UINT8(TEMP_ERR, temp_state);
}

static void test_an_all_ones_bus_is_rejected(void)
{
    /* no sensor driving the line after a presence: nine FF bytes (CRC of 8 x FF is not FF) */
    static const CODE uint8_t ones[9] = { 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF };
    TEST_ASSERT_TRUE(check(ones));
    TEST_ASSERT_EQUAL_UINT8(TEMP_ERR, temp_state);
}

/* ---- temp_print() ---- */

/* the reading raw (1/16 C, two's complement) through the LCD sink and the UART sink */
static void shows(uint16_t raw, const char *lcd_field, const char *uart_text)
{
    temp_state = TEMP_OK;
    t_lo = (uint8_t)raw;
    t_hi = (uint8_t)(raw >> 8);
    memset(text_line, '.', sizeof(text_line));
    out_uart = 0;
    out_pos = 0;
    temp_print();
    TEST_ASSERT_EQUAL_UINT8_MESSAGE(6, out_pos, "LCD field of six characters");
    TEST_ASSERT_EQUAL_MEMORY(lcd_field, text_line, 6);
    fake_uart_clear();
    out_uart = 1;
    temp_print();
    out_uart = 0;
    TEST_ASSERT_EQUAL_STRING(uart_text, fake_uart_out);
}

/* the nearest tenth: ((sixteenths * 10) + 8) / 16, so .0625 -> .1 and .125 -> .1 */
static void test_reading_as_text(void)
{
    shows(0x07D0, "125.0\xDF", "125.0");
    shows(0x0550, " 85.0\xDF", "85.0");
    shows(0x0191, " 25.1\xDF", "25.1");     /* 25.0625 */
    shows(0x0000, "  0.0\xDF", "0.0");
    shows(0xFFF8, " -0.5\xDF", "-0.5");
    shows(0xFF5E, "-10.1\xDF", "-10.1");    /* -10.125 */
    shows(0xFC90, "-55.0\xDF", "-55.0");
    shows(0x000F, "  0.9\xDF", "0.9");      /* 0.9375: never rounds up into the whole degrees */
    shows(0x0640, "100.0\xDF", "100.0");    /* a zero tens digit after the hundred */
    shows(0xFF00, "-16.0\xDF", "-16.0");    /* a negative whole: the carry into the high byte */
}

static void test_states_without_a_number(void)
{
    memset(text_line, '.', sizeof(text_line));
    out_uart = 0;
    out_pos = 0;
    temp_state = TEMP_NONE;
    temp_print();
    TEST_ASSERT_EQUAL_UINT8(6, out_pos);
    TEST_ASSERT_EQUAL_MEMORY(" --.-\xDF", text_line, 6);
    out_pos = 0;
    temp_state = TEMP_ERR;
    temp_print();
    TEST_ASSERT_EQUAL_UINT8(6, out_pos);
    TEST_ASSERT_EQUAL_MEMORY("   Err", text_line, 6);
    out_pos = 0;
    temp_state = TEMP_WAIT;
    temp_print();
    TEST_ASSERT_EQUAL_UINT8(6, out_pos);
    TEST_ASSERT_EQUAL_MEMORY("      ", text_line, 6);
}

void main(void)
{
    UNITY_BEGIN();
    RUN_TEST(test_crc_of_the_datasheet_rom_code);
    RUN_TEST(test_crc_of_single_bytes);
    RUN_TEST(test_crc_of_scratchpads);
    RUN_TEST(test_a_good_scratchpad_is_accepted);
    RUN_TEST(test_a_wrong_crc_is_rejected);
    RUN_TEST(test_an_all_ones_bus_is_rejected);
    RUN_TEST(test_reading_as_text);
    RUN_TEST(test_states_without_a_number);
    UNITY_END();
}
