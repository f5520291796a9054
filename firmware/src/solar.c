/*
 * solar.c - solar terms and festivals of a date. See solar.h; the table's layout is in
 * templates/solar_table.h.j2.
 *
 * A term's day is one line per term, Y * 0.2422 + c[k] days (fixed point, 1/256 day),
 * less the leap days, with a +-1 correction in the one year per term solar_fix[] names
 * (tools/solartable.py proves the result equal to the astronomy for all 2400 terms).
 */
#include "board_config.h"
#if FEATURE_LUNAR
#include "solar.h"
#include "lunar.h"
#include "text.h"
#include "solar_table.h"

IDATA solar_t solar;

/* solar.term (and QingMing's solar.fest) of t's date. A leaf: its locals stay in registers. */
static void terms_of(const datetime_t NEAR *t)
{
    uint8_t k = (uint8_t)(t->month - 1) << 1, y = t->year, q = y, d, f, ml, base;
    uint16_t m = y * (uint8_t)SOLAR_D;      /* 8 x 8 bits: MUL AB */

    if (k < 4)                              /* the leap days to take back: in January and */
        q += 3;                             /* February those of the years before y */
    ml = (uint8_t)m;
    base = (uint8_t)(m >> 8) - (uint8_t)(q >> 2);
    solar.term = SOLAR_NONE;
    solar.fest = SOLAR_NONE;
    do {                                    /* the month's two terms: k even, then odd */
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
}

bool_t solar_from_date(const datetime_t NEAR *t)
{
    uint8_t n, d;

    terms_of(t);
    if (!lunar_from_date(t))
        return 0;
    d = lunar.day;
    if (d == 29 && lunar.len == 29)
        d = 30;                             /* a month's last day: ChuXi is 12-30 */
    if (!lunar.leap) {
        n = SOLAR_FESTS;
        do {
            n--;
            if (solar_fest_m[n] == lunar.month && solar_fest_d[n] == d)
                solar.fest = SOLAR_FEST_FIRST + n;
        } while (n);
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
