/*
 * support.c - helpers shared by the suites. See support.h.
 */
#include "support.h"
#include "compat.h"

static XDATA char date_buf[11];

static void two(uint8_t at, uint8_t v)
{
    date_buf[at] = '0' + v / 10;
    date_buf[at + 1] = '0' + v % 10;
}

const char *date_text(uint8_t yy, uint8_t mm, uint8_t dd)
{
    date_buf[0] = '2';
    date_buf[1] = '0';
    two(2, yy);
    date_buf[4] = '-';
    two(5, mm);
    date_buf[7] = '-';
    two(8, dd);
    date_buf[10] = 0;
    return date_buf;
}
