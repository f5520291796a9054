/*
 * text.c - text sink and number helpers. See text.h.
 */
#include "text.h"
#include "uart.h"

XDATA char text_line[16];
uint8_t out_pos;
uint8_t out_xor;
bool_t out_uart;

static const CODE char wday_names[] = "MONTUEWEDTHUFRISATSUN";

void out_ch(char c)
{
    if (out_uart) {
        out_xor ^= (uint8_t)c;
        uart_putc(c);
    } else if (out_pos < 16) {
        text_line[out_pos++] = c;
    }
}

void out_str(const CODE char *s)
{
    while (*s)
        out_ch(*s++);
}

void out_2d(uint8_t v)
{
    v = text_bcd(v);
    out_ch('0' + (v >> 4));
    out_ch('0' + (v & 0x0F));
}

void out_date(const datetime_t NEAR *t)
{
    out_str("20");
    out_2d(t->year);
    out_ch('-');
    out_2d(t->month);
    out_ch('-');
    out_2d(t->day);
}

void out_hm(uint8_t h, uint8_t m)
{
    out_2d(h);
    out_ch(':');
    out_2d(m);
}

void out_time(const datetime_t NEAR *t)
{
    out_hm(t->hour, t->minute);
    out_ch(':');
    out_2d(t->second);
}

void out_wday(uint8_t wday)
{
    const CODE char *w = wday_names;
    uint8_t lower = out_uart ? 0 : 0x20;
    while (--wday)
        w += 3;
    out_ch(w[0]);
    out_ch(w[1] | lower);
    out_ch(w[2] | lower);
}

void out_pad(uint8_t col)
{
    while (out_pos < col)
        out_ch(' ');
}

uint8_t text_bcd(uint8_t v)
{
    /* unsigned char operands: SDCC uses the 8051's DIV AB (no library call) */
    return (uint8_t)((uint8_t)(v / (uint8_t)10) << 4) | (uint8_t)(v % (uint8_t)10);
}

uint8_t text_hour12(uint8_t hour)
{
    if (hour == 0)
        return 12;
    if (hour > 12)
        return hour - 12;
    return hour;
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
