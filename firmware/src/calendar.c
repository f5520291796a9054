/*
 * calendar.c - Gregorian date arithmetic for 2000..2099. See calendar.h.
 * No division beyond the 8051's 8-bit DIV AB. cal_days_in_month(), cal_day_of_year(),
 * cal_weekday() and cal_valid() are assembler (SDCC's C took 218 bytes for them and 30
 * bytes of tables, this 159 and 18: the month lengths by rule, the weekday from the day of
 * the year, the fields' least values as bits); each one's rule is written above it.
 */
#include <stddef.h>
#include "calendar.h"

#define XSTR(x) STR(x)
#define STR(x) #x

/* February: 28, + 1 in a leap year (year & 3 == 0); any other month m: 30 + ((m ^ (m >> 3)) & 1)
 * (31 for the odd months up to July, the even ones from August on). Touches only A and DPL
 * (callee_saves: compat.h). */
uint8_t cal_days_in_month(uint8_t year, uint8_t month) __naked
{
    (void)year;
    (void)month;
    __asm__("    mov  a,_cal_days_in_month_PARM_2\n"
            "    cjne a,#2,00001$\n"
            "    mov  a,dpl\n"
            "    anl  a,#3\n"
            "    cjne a,#1,00002$\n"
            "00002$:\n"                          /* C: year & 3 == 0 */
            "    mov  a,#28\n"
            "    addc a,#0\n"
            "    sjmp 00004$\n"
            "00001$:\n"
            "    jnb  acc.3,00003$\n"
            "    cpl  a\n"                       /* from August on: the even months */
            "00003$:\n"
            "    anl  a,#1\n"
            "    add  a,#30\n"
            "00004$:\n"
            "    mov  dpl,a\n"
            "    ret\n");
}

/* Days of a common year before month m + 1, less 256 from October on. */
static const CODE uint8_t month_start[12] = { 0, 31, 59, 90, 120, 151, 181, 212, 243,
                                              273 - 256, 304 - 256, 334 - 256 };

/* n = day - 1, + 1 from March on in a leap year (February 29 lies before); the low byte
 * month_start[m] + n, the high byte its carry + 1 from October (m = month - 1 >= 9) on.
 * Uses A, DPTR, R0, R5..R7 only: cal_weekday() and lunar_from_date() keep their pointer in
 * R1 across it. */
uint16_t cal_day_of_year(const datetime_t NEAR *t) __naked
{
    (void)t;
    __asm__("    mov  r0,dpl\n"
            "    mov  a,@r0\n"
            "    anl  a,#3\n"
            "    mov  r7,a\n"                    /* 0: a leap year */
            "    inc  r0\n"
            "    mov  a,@r0\n"
            "    dec  a\n"
            "    mov  r6,a\n"                    /* m */
            "    inc  r0\n"
            "    mov  a,@r0\n"
            "    dec  a\n"                       /* n */
            "    cjne r6,#2,00001$\n"
            "00001$:\n"
            "    jc   00002$\n"
            "    cjne r7,#0,00002$\n"
            "    inc  a\n"
            "00002$:\n"
            "    mov  r5,a\n"
            "    mov  a,r6\n"
            "    mov  dptr,#_month_start\n"
            "    movc a,@a+dptr\n"
            "    add  a,r5\n"
            "    mov  dpl,a\n"
            "    clr  a\n"
            "    rlc  a\n"                       /* the carry */
            "    cjne r6,#9,00003$\n"
            "00003$:\n"
            "    jc   00004$\n"
            "    inc  a\n"
            "00004$:\n"
            "    mov  dph,a\n"
            "    ret\n");
}

/* 365 = 1 (mod 7): each year shifts the weekday by 1, each leap day before it by 1 more.
 * n = y + (y + 3) / 4 + (the day of the year mod 7) + 5, all 8-bit (<= 99 + 25 + 10 + 5): the
 * day of the year d (cal_day_of_year(), 0..365) mod 7 as (d & 255) % 7, + 4 when d >= 256
 * (256 = 4 mod 7); n % 7 + 1. 2000-01-01 (Saturday) gives 6. */
uint8_t cal_weekday(const datetime_t NEAR *t) __naked
{
    (void)t;
    __asm__("    mov  r1,dpl\n"                  /* t (cal_day_of_year keeps R1) */
            "    lcall _cal_day_of_year\n"
            "    mov  a,dpl\n"
            "    mov  b,#7\n"
            "    div  ab\n"                      /* B = (d & 255) % 7 */
            "    mov  a,dph\n"                  /* 0, or 1 when d >= 256: 4 */
            "    rl   a\n"
            "    rl   a\n"
            "    add  a,b\n"
            "    mov  r7,a\n"
            "    mov  a,@r1\n"                   /* y */
            "    add  a,#3\n"
            "    rr   a\n"
            "    rr   a\n"
            "    anl  a,#0x3F\n"
            "    add  a,@r1\n"
            "    add  a,r7\n"
            "    add  a,#5\n"
            "    mov  b,#7\n"
            "    div  ab\n"
            "    mov  a,b\n"
            "    inc  a\n"
            "    mov  dpl,a\n"
            "    ret\n");
}

/* the fields year .. second: their greatest value less their least (the day's greatest: below);
 * the least is 1 for the month (i = 1) and the day (i = 2), else 0: bit 5 - i of FIELD_LO */
static const CODE uint8_t field_span[6] = { 99, 11, 30, 23, 59, 59 };
#define FIELD_LO 0x18

/* every field i, second first: field - lo <= field_span[i] (unsigned; lo, FIELD_LO's bit
 * 5 - i, is shifted out into the borrow of the subtraction: a field below it borrows, and the
 * borrow then fails the comparison too), then the day against cal_days_in_month() (which
 * keeps R0). R0 -> the field, R7 = i + 1, R5 the FIELD_LO bits still to come. */
typedef char field_order[(offsetof(datetime_t, year) == 0 && offsetof(datetime_t, second) == 5)
                         ? 1 : -1];

bool_t cal_valid(const datetime_t NEAR *t) __naked
{
    (void)t;
    __asm__("    mov  a,dpl\n"
            "    add  a,#5\n"
            "    mov  r0,a\n"                    /* -> second */
            "    mov  r7,#6\n"
            "    mov  r5,#" XSTR(FIELD_LO) "\n"
            "00001$:\n"
            "    mov  a,r5\n"
            "    rrc  a\n"                       /* C = the least of field i (0 or 1) */
            "    mov  r5,a\n"
            "    mov  a,@r0\n"
            "    subb a,#0\n"                    /* field - lo */
            "    mov  r6,a\n"
            "    mov  a,r7\n"
            "    mov  dptr,#(_field_span - 1)\n"
            "    movc a,@a+dptr\n"
            "    subb a,r6\n"                    /* (a borrow above: borrows again) */
            "    jc   00002$\n"                  /* out of range: C = 0 */
            "    dec  r0\n"
            "    djnz r7,00001$\n"
            "    inc  r0\n"                      /* -> year */
            "    mov  dpl,@r0\n"
            "    inc  r0\n"
            "    mov  _cal_days_in_month_PARM_2,@r0\n"
            "    inc  r0\n"
            "    lcall _cal_days_in_month\n"
            "    mov  a,dpl\n"
            "    clr  c\n"
            "    subb a,@r0\n"                   /* C: day > the month's days */
            "00002$:\n"
            "    cpl  c\n"
            "    ret\n");
}

/* *d = *s, sizeof(datetime_t) bytes; R0 and R1 (the pointers) kept in DPL and DPH meanwhile,
 * the count in B: keeps R0-R7 (callee_saves: calendar.h). */
typedef char dt_size[(sizeof(datetime_t) == 7) ? 1 : -1];

void dt_copy(datetime_t NEAR *d, const datetime_t NEAR *s) __naked
{
    (void)d;
    (void)s;
    __asm__("    mov  a,dpl\n"
            "    xch  a,r0\n"                    /* R0 = d */
            "    mov  dpl,a\n"
            "    mov  dph,r1\n"
            "    mov  r1,_dt_copy_PARM_2\n"      /* s */
            "    mov  b,#7\n"
            "00001$:\n"
            "    mov  a,@r1\n"
            "    mov  @r0,a\n"
            "    inc  r0\n"
            "    inc  r1\n"
            "    djnz b,00001$\n"
            "    mov  r0,dpl\n"
            "    mov  r1,dph\n"
            "    ret\n");
}
