/*
 * solar.c - solar terms and festivals of a date. See solar.h; the table's layout is in
 * templates/solar_table.h.j2.
 *
 * A term's day is one line per term, Y * 0.2422 + c[k] days (fixed point, 1/256 day),
 * less the leap days, with a +-1 correction in the one year per term solar_fix[] names
 * (tools/solartable.py proves the result equal to the astronomy for all 2400 terms). A
 * leaf, all 8-bit but Y * D: its locals stay in registers.
 */
#include "board_config.h"
#if FEATURE_LUNAR
#include "solar.h"
#include "lunar.h"
#include "text.h"
#include "solar_table.h"

IDATA solar_t solar;

bool_t solar_of_day(const datetime_t NEAR *t)
{
    uint8_t k = (uint8_t)(t->month - 1) << 1, y = t->year, q = y, d, f, ml, base;
    uint16_t m = y * (uint8_t)SOLAR_D;      /* 8 x 8 bits: MUL AB */

    /* the month's two terms: k even, then odd */
    if (k < 4)                              /* the leap days to take back: in January and */
        q += 3;                             /* February those of the years before y */
    ml = (uint8_t)m;
    base = (uint8_t)(m >> 8) - (uint8_t)(q >> 2);
    solar.term = SOLAR_NONE;
    solar.fest = SOLAR_NONE;
    do {
        d = base + solar_hi[k];
        if ((uint8_t)(ml + solar_lo[k]) < ml)
            d++;                            /* the carry out of the fraction */
        f = solar_fix[k] ^ y;               /* 0: one day less, 0x80: one day more */
        if (!f)
            d--;
        if (f == 0x80)
            d++;
        if (d == t->day) {
            solar.term = k;
            if (k == SOLAR_QINGMING)
                solar.fest = k;
        }
    } while (++k & 1);
    /* the lunar festival of lunar's date */
    d = lunar.day;
    if (lunar.flags & LUNAR_LAST)
        d = 30;                             /* a month's last day: ChuXi is 12-30 */
    if (!(lunar.flags & LUNAR_LEAP)) {
        k = SOLAR_FESTS;
        do {
            k--;
            if (solar_fest_m[k] == lunar.month && solar_fest_d[k] == d)
                solar.fest = SOLAR_FEST_FIRST + k;
        } while (k);
    }
    /* ids are below 0x40: the AND is SOLAR_NONE (0xFF) only when both are */
    return (uint8_t)(solar.term & solar.fest) != SOLAR_NONE;
}

/* one syllable byte: head (high nibble), tail (low nibble) */
static void syllable(uint8_t b)
{
    out_fmt(text_nth(solar_heads, b >> 4));
    out_fmt(text_nth(solar_tails, b & 0x0F));
}

void solar_print(uint8_t n)
{
    if (n == SOLAR_NONE) {
        out_fmt("none");
        return;
    }
    n <<= 1;
    syllable(solar_syl[n]);
    n++;
    syllable(solar_syl[n]);
}

void solar_print_day(void)
{
    uint8_t at;

    if (solar.fest == SOLAR_NONE) {
        solar_print(solar.term);
        return;
    }
    solar_print(solar.fest);
    if (solar.term == SOLAR_NONE || solar.term == solar.fest)   /* none, or QingMing */
        return;
    at = out_pos;
    out_ch(' ');
    solar_print(solar.term);
    if (out_pos > 16)                       /* cut: out_pos counts on past the line */
        out_pos = at;                       /* the festival alone (the caller pads) */
}
#endif /* FEATURE_LUNAR */
