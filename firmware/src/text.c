/*
 * text.c - text sink, format printer and number helpers. See text.h.
 */
#include "text.h"
#include "uart.h"
#include "clock.h"
#include "lcd.h"

XDATA char text_line[16];
uint8_t out_pos;
uint8_t out_xor;
uint16_t out_crc;
bool_t out_uart;
const uint8_t NEAR *fmt_p;
uint8_t fmt_flags;

static const CODE char wday_names[] = "MonTueWedThuFriSatSun";

void out_ch(char c)
{
    if (out_uart) {
        out_xor ^= (uint8_t)c;
        out_crc = crc16(out_crc, (uint8_t)c);
        uart_putc(c);
    } else {
        if (out_pos < 16)
            text_line[out_pos] = c;
        out_pos++;                              /* counts on past the line (a cut) */
    }
}

/*
 * One byte into a CRC-16/XMODEM (start value 0): polynomial 0x1021 (x^16 + x^12 + x^5 + 1),
 * MSB first.
 * Byte-wise without a table: with x = (crc >> 8) ^ c, x ^= x >> 4, the new CRC is
 * (crc << 8) ^ (x << 12) ^ (x << 5) ^ x, computed here one byte at a time.
 */
uint16_t crc16(uint16_t crc, uint8_t c)
{
    uint8_t x = (uint8_t)(crc >> 8) ^ c, hi;
    x ^= x >> 4;
    hi = (uint8_t)crc ^ (uint8_t)(x << 4) ^ (x >> 3);
    return ((uint16_t)hi << 8) | (uint8_t)((uint8_t)(x << 5) ^ x);
}

void out_pad(uint8_t col)
{
    while (out_pos < col)
        out_ch(' ');
}

static const CODE char *fmt_f;          /* format cursor (static: no saving around calls) */

static void out_wday(uint8_t v)
{
    uint8_t c, n = 3;
    const CODE char *w = wday_names - 3;
    do {
        w += 3;
    } while (--v);
    do {
        c = *w++;
        if (out_uart)
            c &= ~0x20;                         /* letters only: upper case */
        out_ch(c);
    } while (--n);
}

const CODE char *out_fmt(const CODE char *f)
{
    uint8_t c, v, skip = 0;

    fmt_f = f;
    for (;;) {
        c = *fmt_f++;
        if (c & 0x80) {
            if (c == FCN_ELSE) {
                skip ^= 1;
                continue;
            }
            if (c == FCN_FI) {
                skip = 0;
                continue;
            }
            if (skip)
                continue;
            if (c & 0x20) {                     /* FC_IF */
                if (!(fmt_flags & c & 0x0F))
                    skip = 1;
                continue;
            }
            if (c & 0x10) {                     /* pad */
                out_pad(c & 0x0F);
                continue;
            }
            if (c == FCN_RX)
                return fmt_f;
            v = fmt_p[3];
            if (c == FCN_AP) {
                c = v < 12 ? 'A' : 'P';
            } else if (c == FCN_BELL) {
                c = GLYPH_BELL;
            } else {
                if (c == FCN_WDAY) {
                    out_wday(fmt_p[6]);
                    continue;
                }
                if (c != FCN_HOURD)
                    v = fmt_p[c & 0x07];
                else if (fmt_flags & SET_H12)   /* 12-hour clock: 0..23 -> 1..12 */
                    v = !v ? 12 : v > 12 ? v - 12 : v;
                v = text_bcd(v);
                out_ch('0' + (v >> 4));
                c = '0' + (v & 0x0F);
            }
        } else if (!c) {
            return 0;
        } else if (skip) {
            continue;
        }
        out_ch(c);
    }
}

uint8_t text_bcd(uint8_t v)
{
    /* unsigned char operands: SDCC uses the 8051's DIV AB (no library call) */
    return (uint8_t)((uint8_t)(v / (uint8_t)10) << 4) | (uint8_t)(v % (uint8_t)10);
}

const CODE char *text_nth(const CODE char *list, uint8_t k)
{
    while (k) {
        while (*list++)
            ;
        k--;
    }
    return list;
}
