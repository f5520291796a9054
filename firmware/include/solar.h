/*
 * solar.h - the 24 solar terms (节气) and the traditional festivals of a date 2000-2099.
 *
 * Terms: the day (China Standard Time, UTC+8) of each of the 24 terms, decoded from the
 * compact generated table solar_table.h (templates/solar_table.h.j2, tools/solartable.py;
 * the days come from astronomy, tools/solar_oracle.py). Term k = 0..23 runs from XiaoHan
 * (小寒, early January) to DongZhi (冬至, December); it falls in month k / 2 + 1.
 * Festivals: the lunar ones of the firmware's own lunar decoder (lunar.c): ChunJie 1-1,
 * YuanXiao 1-15, DuanWu 5-5, QiXi 7-7, ZhongYuan 7-15, ZhongQiu 8-15, ChongYang 9-9,
 * LaBa 12-8, XiaoNian 12-23 (never in a leap month), ChuXi on the last day of the lunar
 * year (12-29 or 12-30), and QingMing, the term of that name.
 * Names are pinyin (the HD44780 has no Chinese glyphs), ASCII, at most 11 characters.
 * Pure logic, host-testable.
 */
#ifndef SOLAR_H
#define SOLAR_H

#include "compat.h"
#include "calendar.h"

typedef struct {
    uint8_t term;     /* 0..23, or SOLAR_NONE */
    uint8_t fest;     /* the festival's name id (solar_print()), or SOLAR_NONE */
} solar_t;

extern IDATA solar_t solar;      /* result of the last solar_of_day() */

/* Name ids: 0..23 the terms; SOLAR_FEST_FIRST.. the lunar festivals in the order above,
 * then ChuXi; QingMing's festival id is its term's (6). SOLAR_NONE: neither ("none"). */
#define SOLAR_FEST_FIRST 24
#define SOLAR_NAMES      34
#define SOLAR_NONE       0xFF

/* Fills `solar` for t's date (valid, 2000..2099), whose lunar date `lunar` already holds
 * (lunar_from_date(t): two steps, so a caller can take received bytes in between, each
 * under 0.6 ms). Returns 1 when the day has a term or a festival. */
bool_t solar_of_day(const datetime_t NEAR *t);

/* Prints the ASCII name of id n (a term, a festival, or SOLAR_NONE: "none") to the text
 * sink (text.h). */
void solar_print(uint8_t n);

/* The LCD line of a day with a term or festival (text sink): the festival, then the term
 * when it is another one and both fit 16 columns (else the festival alone). The caller
 * pads the line (out_pad(16)): a cut term leaves characters past out_pos. */
void solar_print_day(void);

#endif /* SOLAR_H */
