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
#include <stddef.h>
#include "solar.h"
#include "lunar.h"
#include "text.h"
#include "solar_table.h"

IDATA solar_t solar;

/* what the assembler below takes for granted */
typedef char lunar_layout[(offsetof(lunar_t, month) == 0 && offsetof(lunar_t, day) == 1
                           && offsetof(lunar_t, flags) == 2 && LUNAR_LEAP == 0x08
                           && LUNAR_LAST == 0x01 && SOLAR_NONE == 0xFF) ? 1 : -1];

#define XSTR(x) STR(x)
#define STR(x) #x

/*
 * In assembler (SDCC's C took 183 bytes): R7 = y, R6 = the fraction of y * D (MUL AB),
 * R4 = base (its whole days less the leap days), R5 = k, R3 = d, R1 -> t->day,
 * R0 -> solar.fest; DPTR = solar_hi throughout (solar_lo, solar_fix, solar_fest_m follow it
 * at 24, 48, 72, solar_fest_d solar_fest_m: checked at assembly).
 *   k = (month - 1) * 2; base = (y * D) >> 8 - ((y + (k < 4 ? 3 : 0)) >> 2)
 *   for the month's two terms k, k + 1: d = base + hi[k] + the carry of (y * D) & 255 +
 *   lo[k]; one less when fix[k] ^ y is 0, one more when it is 0x80; d == t->day: the term
 *   (and QingMing's festival)
 *   the lunar festival: outside a leap month, the entry (month, day) of lunar's date,
 *   day 30 on a month's last day (ChuXi is 12-30); the lowest entry that matches
 *   returns (term & fest) != SOLAR_NONE (ids are below 0x40)
 */
bool_t solar_of_day(const datetime_t NEAR *t) __naked
{
    (void)t;
    __asm__("    mov  r1,dpl\n"
            "    mov  a,@r1\n"
            "    mov  r7,a\n"                       /* y */
            "    mov  b,#" XSTR(SOLAR_D) "\n"
            "    mul  ab\n"
            "    mov  r6,a\n"                       /* the fraction */
            "    inc  r1\n"
            "    mov  a,@r1\n"
            "    dec  a\n"
            "    rl   a\n"
            "    mov  r5,a\n"                       /* k */
            "    mov  a,r7\n"
            "    cjne r5,#4,00001$\n"
            "00001$:\n"
            "    jnc  00002$\n"
            "    add  a,#3\n"                       /* January, February: the years before */
            "00002$:\n"
            "    rr   a\n"
            "    rr   a\n"
            "    anl  a,#0x3F\n"
            "    xch  a,b\n"
            "    clr  c\n"
            "    subb a,b\n"
            "    mov  r4,a\n"                       /* base */
            "    mov  r0,#_solar\n"
            "    mov  @r0,#" XSTR(SOLAR_NONE) "\n"
            "    inc  r0\n"
            "    mov  @r0,#" XSTR(SOLAR_NONE) "\n"
            "    inc  r1\n"                         /* -> t->day */
            "    mov  dptr,#_solar_hi\n"           /* solar_lo, _fix, _fest_m, _fest_d follow */
            "    .ifne (_solar_lo - _solar_hi - 24) | (_solar_fix - _solar_hi - 48)"
            " | (_solar_fest_m - _solar_hi - 72)"
            " | (_solar_fest_d - _solar_fest_m - " XSTR(SOLAR_FESTS) ")\n"
            "    .error 1\n"                       /* (checked at assembly) */
            "    .endif\n"
            "00003$:\n"                            /* the terms k, k + 1 */
            "    mov  a,r5\n"
            "    add  a,#24\n"
            "    movc a,@a+dptr\n"                 /* solar_lo[k] */
            "    add  a,r6\n"                      /* (C: its carry) */
            "    mov  a,r5\n"
            "    movc a,@a+dptr\n"                 /* solar_hi[k] */
            "    addc a,r4\n"
            "    mov  r3,a\n"
            "    mov  a,r5\n"
            "    add  a,#48\n"
            "    movc a,@a+dptr\n"                 /* solar_fix[k] */
            "    xrl  a,r7\n"
            "    jnz  00004$\n"
            "    dec  r3\n"
            "00004$:\n"
            "    cjne a,#0x80,00005$\n"
            "    inc  r3\n"
            "00005$:\n"
            "    mov  a,r3\n"
            "    xrl  a,@r1\n"
            "    jnz  00006$\n"
            "    mov  a,r5\n"
            "    dec  r0\n"
            "    mov  @r0,a\n"                      /* term */
            "    inc  r0\n"
            "    cjne a,#" XSTR(SOLAR_QINGMING) ",00006$\n"
            "    mov  @r0,a\n"                      /* fest: QingMing */
            "00006$:\n"
            "    inc  r5\n"
            "    mov  a,r5\n"
            "    jb   acc.0,00003$\n"
            "    mov  a,(_lunar + 2)\n"             /* flags */
            "    jb   acc.3,00009$\n"               /* LUNAR_LEAP */
            "    mov  r3,(_lunar + 1)\n"            /* day */
            "    jnb  acc.0,00007$\n"               /* LUNAR_LAST */
            "    mov  r3,#30\n"
            "00007$:\n"                            /* R5 = 72 + i + 1: solar_fest_m[i] */
            "    mov  r5,#(72 + " XSTR(SOLAR_FESTS) ")\n"
            "00008$:\n"
            "    dec  r5\n"
            "    mov  a,r5\n"
            "    movc a,@a+dptr\n"
            "    cjne a,_lunar,00010$\n"            /* month */
            "    mov  a,r5\n"
            "    add  a,#" XSTR(SOLAR_FESTS) "\n"
            "    movc a,@a+dptr\n"
            "    xrl  a,r3\n"
            "    jnz  00010$\n"
            "    mov  a,r5\n"
            "    add  a,#(" XSTR(SOLAR_FEST_FIRST) " - 72)\n"
            "    mov  @r0,a\n"
            "00010$:\n"
            "    cjne r5,#72,00008$\n"
            "00009$:\n"
            "    mov  a,@r0\n"
            "    dec  r0\n"
            "    anl  a,@r0\n"
            "    cpl  a\n"
            "    add  a,#0xFF\n"                    /* C: not both SOLAR_NONE */
            "    ret\n");
}

static const CODE char none[] = "none";

/*
 * In assembler (SDCC's C took 73 bytes): n == SOLAR_NONE prints "none"; else the syllable
 * bytes solar_syl[2n] and [2n + 1], each as its head text_nth(solar_heads, b >> 4) then its
 * tail text_nth(solar_tails, b & 0x0F) through out_fmt(). The index and the byte wait on
 * the stack (text_nth and out_fmt may use any register). solar_print_a: n in A instead.
 */
void solar_print(uint8_t n) __naked
{
    (void)n;
    __asm__("    mov  a,dpl\n"
            "solar_print_a:\n"                     /* entry with n in A (solar_print_day) */
            "    cjne a,#" XSTR(SOLAR_NONE) ",00001$\n"
            "    mov  dptr,#_none\n"
            "    ljmp _out_fmt\n"
            "00001$:\n"
            "    rl   a\n"                          /* 2n (n < SOLAR_NAMES) */
            "    push acc\n"
            "    lcall 00002$\n"
            "    pop  acc\n"
            "    inc  a\n"
            "00002$:\n"                            /* the syllable byte at index A */
            "    mov  dptr,#_solar_syl\n"
            "    movc a,@a+dptr\n"
            "    push acc\n"
            "    swap a\n"
            "    mov  dptr,#_solar_heads\n"
            "    lcall 00003$\n"
            "    pop  acc\n"
            "    mov  dptr,#_solar_tails\n"
            "00003$:\n"                            /* entry A & 15 of the list at DPTR */
            "    anl  a,#0x0F\n"
            "    mov  _text_nth_PARM_2,a\n"
            "    lcall _text_nth\n"
            "    ljmp _out_fmt\n");
}

/* what the assembler below takes for granted */
typedef char solar_layout[(offsetof(solar_t, term) == 0 && offsetof(solar_t, fest) == 1
                           && SOLAR_NAMES <= 128) ? 1 : -1];

/*
 * In assembler (SDCC's C took 65 bytes):
 *   fest == SOLAR_NONE: solar_print(term)
 *   else solar_print(fest); then, unless term is SOLAR_NONE or the festival itself
 *   (QingMing): at = out_pos, ' ', solar_print(term), and out_pos = at when out_pos > 16
 *   (cut: out_pos counts on past the line; the festival alone, the caller pads). at waits
 *   on the stack.
 */
void solar_print_day(void) __naked
{
    __asm__("    mov  r0,#(_solar + 1)\n"
            "    mov  a,@r0\n"                      /* fest */
            "    cjne a,#" XSTR(SOLAR_NONE) ",00001$\n"
            "    dec  r0\n"
            "    mov  a,@r0\n"                      /* term */
            "    sjmp solar_print_a\n"
            "00001$:\n"
            "    lcall solar_print_a\n"
            "    mov  r0,#_solar\n"
            "    mov  a,@r0\n"                      /* term */
            "    cjne a,#" XSTR(SOLAR_NONE) ",00002$\n"
            "    ret\n"
            "00002$:\n"
            "    inc  r0\n"
            "    xrl  a,@r0\n"
            "    jz   00003$\n"                     /* term == fest: QingMing */
            "    push _out_pos\n"                   /* at */
            "    mov  a,#0x20\n"
            "    lcall out_cha\n"                   /* out_ch() with c in A (text.c) */
            "    mov  r0,#_solar\n"
            "    mov  a,@r0\n"
            "    lcall solar_print_a\n"
            "    mov  a,_out_pos\n"
            "    add  a,#(255 - 16)\n"              /* C: out_pos > 16 */
            "    pop  acc\n"
            "    jnc  00003$\n"
            "    mov  _out_pos,a\n"
            "00003$:\n"
            "    ret\n");
}
#endif /* FEATURE_LUNAR */
