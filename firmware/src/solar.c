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
    uint8_t k = (uint8_t)(t->month - 1) << 1, y = t->year, n = 2, d, f;
    uint16_t v;

    solar.term = SOLAR_NONE;
    solar.fest = SOLAR_NONE;
    do {                                    /* the month's two terms */
        v = y * (uint8_t)SOLAR_D;           /* 8 x 8 bits: MUL AB */
        v += solar_c[k];
        d = (uint8_t)(v >> 8);
        f = solar_fix[k];
        if ((uint8_t)(f & 0x7F) == y) {
            d--;
            if (f & 0x80)
                d += 2;
        }
        f = y;                              /* less the leap days, in January and */
        if (k < 4)                          /* February those of the years before y */
            f += 3;
        d -= f >> 2;
        if (d == t->day) {
            solar.term = k;
            if (k == SOLAR_QINGMING)
                solar.fest = k;
        }
        k++;
    } while (--n);
}

uint8_t solar_from_date(const datetime_t NEAR *t)
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
    if (solar.term == SOLAR_NONE && solar.fest == SOLAR_NONE)
        return SOLAR_LUNAR_OK;
    return SOLAR_LUNAR_OK | SOLAR_EVENT;
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
    syllable(solar_syl[n + 1]);
}

void solar_print_day(void)
{
    uint8_t at, n = solar.fest, k = solar.term;

    if (n == SOLAR_NONE) {
        n = k;
        k = SOLAR_NONE;
    }
    solar_print(n);
    if (k == SOLAR_NONE || k == n)
        return;
    at = out_pos;
    out_ch(' ');
    solar_print(k);
    if (out_pos > 16)                       /* cut: out_pos counts on past the line */
        out_pos = at;                       /* the festival alone (the caller pads) */
}
#endif /* FEATURE_LUNAR */
