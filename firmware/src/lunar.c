/*
 * lunar.c - Gregorian -> lunar conversion. See lunar.h.
 *
 * The table holds, per lunar year 1999..2099, the Spring Festival's day of the Gregorian
 * year, the leap month and a 13-bit month-length mask. A Gregorian date is located relative
 * to the Spring Festival of its year (or of the previous year, for dates before it) and the
 * offset is walked month by month: 29 days, +1 when the mask bit is set.
 */
#include "lunar.h"
#include "calendar.h"
#include "lunar_table.h"
#include "text.h"

lunar_t lunar;

/* the table starts one lunar year before 2000: a date before the year's Spring Festival
 * always has its lunar year in the table */
typedef char lunar_table_starts_1999[(LUNAR_FIRST_YEAR == 1999) ? 1 : -1];
typedef char lunar_stem_base[((LUNAR_FIRST_YEAR - 4) % 10 == 5) ? 1 : -1];
typedef char lunar_branch_base[((LUNAR_FIRST_YEAR - 4) % 12 == 3) ? 1 : -1];

#define XSTR(x) STR(x)
#define STR(x) #x

/*
 * In assembler (SDCC's C took 237 bytes, this 153): R5 = idx (the table row), R7:R6 the
 * day of the year, R4 the days since the row's Spring Festival (0..384: the low byte, the
 * 256 in F0), R3 the month mask being shifted, R2 = i (months walked), R6 = b (the month's
 * length), R1 the flags, R0 the row's lunar_sf byte; DPTR = lunar_mlo for the walk and
 * lunar_mhi (it follows lunar_mlo: checked at assembly).
 *   idx = year + 1; off = days - (sf(idx) + LUNAR_SF_BASE); while off < 0 (a date before
 *   the row's Spring Festival, at most once): days += 365 (+ 1 after a leap year:
 *   year & 3 == 1), idx--, off again
 *   walk the months: b = 29 + mask bit, while off >= b (or the 256 is left): off -= b, next
 *   bit (month 8 on from lunar_mhi)
 *   day = off + 1 (LUNAR_LAST when it is b); the leap month L (0: none) follows its
 *   namesake: month = i + 1 when L == 0 or i < L, else i (LUNAR_LEAP when i == L)
 *   stem = (idx + 15) % 10, branch = (idx + 15) % 12 ((Y - 4) mod 10, 12 with Y = 1999 + idx)
 * Bank 0: R1 is 0x01 and R2 0x02 as direct addresses.
 */
bool_t lunar_from_date(const datetime_t NEAR *t) __naked
{
    (void)t;
    __asm__("    mov  r1,dpl\n"                    /* t (cal_day_of_year keeps R1) */
            "    lcall _cal_day_of_year\n"
            "    mov  r6,dpl\n"
            "    mov  r7,dph\n"
            "    mov  a,@r1\n"                      /* year 0..99 */
            "    mov  r2,a\n"
            "    inc  a\n"
            "    mov  r5,a\n"                       /* idx */
            "    cjne a,#" XSTR(LUNAR_YEARS) ",00001$\n"
            "00001$:\n"
            "    jc   00002$\n"
            "    ret\n"                             /* C = 0: not in the table */
            "00002$:\n"                            /* off = days - b, b = sf(idx) + base */
            "    mov  a,r5\n"
            "    mov  dptr,#_lunar_sf\n"
            "    movc a,@a+dptr\n"
            "    mov  r0,a\n"                       /* (its bits 7..5: the leap month's 2..0) */
            "    anl  a,#0x1F\n"
            "    add  a,#" XSTR(LUNAR_SF_BASE) "\n"
            "    cpl  a\n"                          /* days + ~b + 1: C = no borrow */
            "    setb c\n"
            "    addc a,r6\n"
            "    mov  r4,a\n"                       /* off's low byte */
            "    mov  a,r7\n"
            "    addc a,#0xFF\n"                    /* its high byte; C: days >= b */
            "    jc   00004$\n"
            "    mov  a,r2\n"                       /* before the Spring Festival */
            "    anl  a,#3\n"
            "    cjne a,#1,00003$\n"
            "    inc  r6\n"                         /* the year before was a leap year */
            "00003$:\n"
            "    mov  a,r6\n"
            "    add  a,#(365 - 256)\n"
            "    mov  r6,a\n"
            "    clr  a\n"
            "    addc a,#1\n"
            "    mov  r7,a\n"
            "    dec  r5\n"
            "    sjmp 00002$\n"
            "00004$:\n"
            "    rrc  a\n"                          /* F0 = the 256 */
            "    mov  f0,c\n"
            "    mov  a,r5\n"
            "    mov  dptr,#_lunar_mlo\n"          /* from here on: lunar_mhi follows it */
            "    .ifne (_lunar_mhi - _lunar_mlo - " XSTR(LUNAR_YEARS) ")\n"
            "    .error 1\n"                       /* (checked at assembly) */
            "    .endif\n"
            "    movc a,@a+dptr\n"
            "    mov  r3,a\n"
            "    mov  r2,#0\n"
            "00005$:\n"                            /* the months: b = 29 + the next bit */
            "    mov  a,r3\n"
            "    rrc  a\n"
            "    mov  r3,a\n"
            "    clr  a\n"
            "    addc a,#29\n"
            "    mov  r6,a\n"
            "    mov  a,r4\n"
            "    clr  c\n"
            "    subb a,r6\n"
            "    jnc  00006$\n"
            "    jbc  f0,00006$\n"
            "    sjmp 00007$\n"                     /* off < b: in this month */
            "00006$:\n"
            "    mov  r4,a\n"
            "    inc  r2\n"
            "    cjne r2,#8,00005$\n"
            "    mov  a,r5\n"
            "    add  a,#" XSTR(LUNAR_YEARS) "\n"
            "    movc a,@a+dptr\n"                 /* lunar_mhi[idx] */
            "    mov  r3,a\n"
            "    sjmp 00005$\n"
            "00007$:\n"
            "    mov  r1,#0\n"
            "    mov  a,r4\n"
            "    inc  a\n"
            "    mov  (_lunar + 1),a\n"             /* day */
            "    xrl  a,r6\n"
            "    jnz  00008$\n"
            "    inc  r1\n"                         /* LUNAR_LAST */
            "00008$:\n"
            "    mov  a,r5\n"                       /* the leap month: mhi.7, sf.7..5 */
            "    add  a,#" XSTR(LUNAR_YEARS) "\n"
            "    movc a,@a+dptr\n"                 /* lunar_mhi[idx] */
            "    rlc  a\n"
            "    mov  a,r0\n"                       /* sf(idx) */
            "    anl  a,#0xE0\n"
            "    rrc  a\n"
            "    swap a\n"
            "    jz   00010$\n"
            "    cjne a,0x02,00009$\n"              /* L vs i (R2): C when L < i */
            "    orl  0x01,#" XSTR(LUNAR_LEAP) "\n"  /* i == L */
            "    setb c\n"
            "00009$:\n"
            "    jc   00011$\n"
            "00010$:\n"
            "    inc  r2\n"
            "00011$:\n"
            "    mov  _lunar,r2\n"                  /* month */
            "    mov  (_lunar + 2),r1\n"            /* flags */
            "    mov  a,r5\n"
            "    add  a,#15\n"                      /* 15: 5 mod 10, 3 mod 12 */
            "    mov  r5,a\n"
            "    mov  b,#10\n"
            "    div  ab\n"
            "    mov  (_lunar + 3),b\n"             /* stem */
            "    mov  a,r5\n"
            "    mov  b,#12\n"
            "    div  ab\n"
            "    mov  (_lunar + 4),b\n"             /* branch */
            "    setb c\n"
            "    ret\n");
}
