/*
 * drift.c - the clock corrects its DS1302 crystal: see drift.h for the model, the DS1302 RAM
 * record and its power-cut rules.
 *
 * Units: ACC in 10 ns (int32: +-21 s; it stays under 1.1 s in size), so RATE (0.01 ppm) is
 * what a second adds to it; the temperature part, K (T - T0)^2 in 0.001 ppm, is added once a
 * minute for the minute (x 6). Products by shift and add (mul(): no library routine, as many
 * rounds as the multiplier has bits).
 *
 * The phase: a clock burst restarts the DS1302's second at its CE fall, so a step written
 * PHI into a second moves the clock by n - PHI, not n: ACC takes the PHI too. A step at :30
 * is written right after the new second was seen, which happened within the tick before
 * the read (2.5 ms on average, the phase of the two crystals walking through the tick)
 * plus the step's own work up to the burst (STEP_LAG); the catch-up at power-up waits for a
 * second's edge, polling the seconds register (BOOT_LAG). Both measured in the simulator
 * (tests/firmware/test_drift.py).
 */
#include <stddef.h>
#include "board_config.h"
#include "drift.h"

#if FEATURE_DRIFT
#include "clock.h"
#include "calendar.h"
#include <stddef.h>
#if FEATURE_DS18B20
#include "ds18b20.h"
#endif

#define SEC         100000000L      /* a second in ACC's unit */
#define REC_BASE    7               /* RAM address of copy 0; copy 1 follows */
#define REC_SIZE    12
#define ID_ADDR     5
#define STEP_LAG    1400000L        /* 14.00 ms */
#define BOOT_LAG    24000L          /* 0.24 ms */
#define MAX_AWAY_MIN (1UL << 19)    /* minutes on battery the catch-up covers (364 days) */

IDATA int32_t drift_acc;
static IDATA int16_t rate;                /* RATE in force (0.01 ppm) */
static BIT gen;                     /* the clock's generation (its day-of-week offset) */
static BIT slot;                    /* the copy that holds */
static BIT edge;                    /* step(): write the clock at the next second's edge */

/* a * b (a signed; the product must fit), in assembler (SDCC's C took 119 bytes):
 *     r = 0; do { if (b & 1) r += a; a <<= 1; b >>= 1; } while (b); return r;
 * a comes in DPL, DPH, B, A (as SDCC passes it), b (uint16_t) in R3:R2: only assembler
 * calls it. a in R7:R4 then, r in R1:B:DPH:DPL. After it, three small entries for the
 * callers of mul() and acc_add(): rate_mul (mul(rate, R3:R2)), rate_ext (DPL..A = rate,
 * sign-extended) and ext16 (the same of the int16 at @R0): R0, A, B, DPTR only. */
static int32_t mul(int32_t a) __naked
{
    (void)a;
    __asm__("    mov  r4,dpl\n"
            "    mov  r5,dph\n"
            "    mov  r6,b\n"
            "    mov  r7,a\n"
            "    clr  a\n"
            "    mov  dpl,a\n"
            "    mov  dph,a\n"
            "    mov  b,a\n"
            "    mov  r1,a\n"
            "00001$:\n"
            "    clr  c\n"                       /* b >>= 1, its bit 0 into C */
            "    mov  a,r3\n"
            "    rrc  a\n"
            "    mov  r3,a\n"
            "    mov  a,r2\n"
            "    rrc  a\n"
            "    mov  r2,a\n"
            "    jnc  00002$\n"
            "    mov  a,dpl\n"                   /* r += a */
            "    add  a,r4\n"
            "    mov  dpl,a\n"
            "    mov  a,dph\n"
            "    addc a,r5\n"
            "    mov  dph,a\n"
            "    mov  a,b\n"
            "    addc a,r6\n"
            "    mov  b,a\n"
            "    mov  a,r1\n"
            "    addc a,r7\n"
            "    mov  r1,a\n"
            "00002$:\n"
            "    mov  a,r4\n"                    /* a <<= 1 */
            "    add  a,r4\n"
            "    mov  r4,a\n"
            "    mov  a,r5\n"
            "    rlc  a\n"
            "    mov  r5,a\n"
            "    mov  a,r6\n"
            "    rlc  a\n"
            "    mov  r6,a\n"
            "    mov  a,r7\n"
            "    rlc  a\n"
            "    mov  r7,a\n"
            "    mov  a,r2\n"                    /* while (b) */
            "    orl  a,r3\n"
            "    jnz  00001$\n"
            "    mov  a,r1\n"
            "    ret\n"
            "rate_mul:\n"                        /* DPL..A = mul(rate, R3:R2) */
            "    lcall rate_ext\n"
            "    sjmp _mul\n"
            "rate_ext:\n"                        /* DPL..A = rate, sign-extended */
            "    mov  r0,#_rate\n"
            "ext16:\n"                           /* DPL..A = the int16 at @R0, sign-extended */
            "    mov  dpl,@r0\n"
            "    inc  r0\n"
            "    mov  a,@r0\n"
            "    mov  dph,a\n"
            "    rlc  a\n"
            "    subb a,acc\n"                   /* its sign, in the two high bytes */
            "    mov  b,a\n"
            "    ret\n");
}

/* R5:R4:R3:R2 = R5:R4:R3:R2 x R6 + A (unsigned; the product must fit), a byte at a time by
 * MUL AB, the carry from one byte into the next; R1 walks the registers (bank 0), B is
 * clobbered, R0 and R7 are kept. In C terms:
 *     for (i = 0; i < 4; i++) { t = r[i] * R6 + A; r[i] = (uint8_t)t; A = t >> 8; } */
static void mac(void) __naked
{
    __asm__("    mov  r1,#ar2\n"
            "00001$:\n"
            "    xch  a,@r1\n"                   /* A = the byte, @R1 = the carry in */
            "    mov  b,r6\n"
            "    mul  ab\n"
            "    add  a,@r1\n"
            "    mov  @r1,a\n"
            "    clr  a\n"
            "    addc a,b\n"                     /* the carry out */
            "    inc  r1\n"
            "    cjne r1,#ar5+1,00001$\n"
            "    ret\n");
}

/* clock_now in 4-minute units since 2000-01-01 00:00 (the record's reference time) and
 * the seconds since that unit began, in assembler (SDCC's C took 152 bytes):
 *     d = cal_day_of_year(&clock_now);
 *     for (y = clock_now.year; y; y--)
 *         d += 365 + !((y - 1) & 3);               (the leap days of 2000 .. the year before)
 *     u = (d x 24 + clock_now.hour) x 15 + (clock_now.minute >> 2);          (by mac())
 *     a = (clock_now.minute & 3) x 60 + clock_now.second;                   (0..239)
 * u in R5:R2 (R5 = 0: 100 years are 13.2 million units, under 2^24), a in A; the second
 * entry ref_sec computes a alone (R0 at the second after it). D in DPH:DPL, Y in R7, R0 on
 * clock_now's fields; B clobbered. */
typedef char ref_fields[(offsetof(datetime_t, year) == 0 && offsetof(datetime_t, hour) == 3
                         && offsetof(datetime_t, minute) == 4
                         && offsetof(datetime_t, second) == 5) ? 1 : -1];
static void ref_now(void) __naked
{
    __asm__("    mov  dpl,#_clock_now\n"
            "    lcall _cal_day_of_year\n"
            "    mov  r0,#_clock_now\n"          /* year */
            "    mov  a,@r0\n"
            "    jz   00002$\n"
            "    mov  r7,a\n"
            "00001$:\n"
            "    mov  a,r7\n"
            "    dec  a\n"
            "    anl  a,#3\n"
            "    add  a,#0xFF\n"                 /* C: (y - 1) & 3, not a leap year */
            "    cpl  c\n"
            "    mov  a,dpl\n"                   /* d += 365 + C */
            "    addc a,#0x6D\n"
            "    mov  dpl,a\n"
            "    mov  a,dph\n"
            "    addc a,#0x01\n"
            "    mov  dph,a\n"
            "    djnz r7,00001$\n"
            "00002$:\n"
            "    mov  r2,dpl\n"
            "    mov  r3,dph\n"
            "    clr  a\n"
            "    mov  r4,a\n"
            "    mov  r5,a\n"
            "    mov  r0,#_clock_now+3\n"        /* hour */
            "    mov  r6,#24\n"
            "    mov  a,@r0\n"
            "    lcall _mac\n"
            "    inc  r0\n"                      /* minute >> 2 (under 64: two bits out) */
            "    mov  r6,#15\n"
            "    mov  a,@r0\n"
            "    rr   a\n"
            "    rr   a\n"
            "    anl  a,#0x0F\n"
            "    lcall _mac\n"
            "ref_sec:\n"                         /* A = (minute & 3) x 60 + second */
            "    mov  r0,#_clock_now+4\n"
            "    mov  a,@r0\n"
            "    anl  a,#3\n"
            "    mov  b,#60\n"
            "    mul  ab\n"
            "    inc  r0\n"
            "    add  a,@r0\n"
            "    ret\n");
}

/* copy s (0 or 1, in A: only assembler calls it) -> DRIFT_REC; whether its CRC holds (in
 * C). In assembler (SDCC's C: 57 bytes):
 *     a = DS1302_RAM_R(REC_BASE + (s ? REC_SIZE : 0));
 *     for (d = ds1302_buf; d != ds1302_buf + REC_SIZE; a += 2) *d++ = ds1302_read(a);
 *     return clock_crc(REC_SIZE - 1) == DRIFT_REC->crc;             (in C)
 * a in R2, d in R1 (ds1302_read() keeps R0-R7: callee_saves, ds1302.h). */
typedef char rec_read_cmds[(DS1302_RAM_R(REC_BASE) == 0xCF
                            && DS1302_RAM_R(REC_BASE + REC_SIZE) == 0xCF + 24
                            && REC_SIZE == 12) ? 1 : -1];
static bool_t rec_read(void) __naked
{
    __asm__("    jz   00001$\n"
            "    mov  a,#24\n"                   /* 2 x REC_SIZE */
            "00001$:\n"
            "    add  a,#0xCF\n"                 /* DS1302_RAM_R(REC_BASE) */
            "    mov  r2,a\n"
            "    mov  r1,#_ds1302_buf\n"
            "00002$:\n"
            "    mov  dpl,r2\n"
            "    lcall _ds1302_read\n"
            "    mov  @r1,dpl\n"
            "    inc  r1\n"
            "    inc  r2\n"
            "    inc  r2\n"
            "    cjne r1,#_ds1302_buf+12,00002$\n"
            "    mov  dpl,#11\n"                 /* REC_SIZE - 1 */
            "    lcall _clock_crc\n"
            "    mov  r0,#_ds1302_buf+11\n"      /* crc */
            "    mov  a,@r0\n"
            "    xrl  a,dpl\n"
            "    add  a,#0xFF\n"                 /* C: they differ */
            "    cpl  c\n"
            "    ret\n");
}

/* rec_read(slot), in assembler: slot into A. */
void drift_load(void) __naked
{
    __asm__("    mov  c,_slot\n"
            "    clr  a\n"
            "    rlc  a\n"
            "    ljmp _rec_read\n");
}

/* the reference (clock_now's last 4-minute boundary) and ACC there (drift_acc less RATE x
 * the seconds since it) into DRIFT_REC with generation gen, then DRIFT_REC into the other
 * copy with the next sequence number, its byte 3 (T0 | sequence) last. In assembler:
 *     ref_now(); DRIFT_REC->ref = u;   (u: clock_now in 4-minute units, a: the seconds since)
 *     acc = drift_acc - mul(DRIFT_REC->rate, a);
 *     DRIFT_REC->accg = ((uint16_t)(acc >> 13) & ~1) | gen;
 *     DRIFT_REC->t0seq += 0x40; DRIFT_REC->crc = clock_crc(REC_SIZE - 1);
 *     ds1302_unprotect(); slot = !slot;
 *     a = DS1302_RAM_W(slot ? REC_BASE + REC_SIZE : REC_BASE);
 *     for (i = 4; i != 4 + REC_SIZE; i++)                        (bytes 4..11, 0..3)
 *         ds1302_write(a + 2 * (i % REC_SIZE), ds1302_buf[i % REC_SIZE]);
 *     ds1302_protect();
 * a in R2 (mul()'s b, R3:R2); acc's bytes 1..3 in R3..R5 (R2: 0, as mul() leaves it),
 * times 8 by mac(): accg is R5:R4 then; the write loop: a in R7, p in R1 (ds1302_write()
 * keeps R0-R7: callee_saves, ds1302.h). __naked: its callers are assembler and
 * drift_store(), which holds nothing across it. */
typedef char rec_layout[(offsetof(drift_rec_t, rate) == 0 && offsetof(drift_rec_t, t0seq) == 3
                         && offsetof(drift_rec_t, accg) == 4 && offsetof(drift_rec_t, ref) == 8
                         && offsetof(drift_rec_t, crc) == 11 && REC_SIZE == 12
                         && DS1302_RAM_W(REC_BASE) == 0xCE
                         && DS1302_RAM_W(REC_BASE + REC_SIZE) == 0xE6) ? 1 : -1];
typedef char mul_is_32_bits[(sizeof(mul(0)) == 4) ? 1 : -1];
static void fold(void) REENTRANT __naked
{
    __asm__("    lcall _ref_now\n"               /* u in R4:R2, a in A */
            "    mov  r0,#(_ds1302_buf + 8)\n"   /* ref = u */
            "    mov  @r0,ar2\n"
            "    inc  r0\n"
            "    mov  @r0,ar3\n"
            "    inc  r0\n"
            "    mov  @r0,ar4\n"
            "    mov  r2,a\n"                    /* mul()'s b: R3:R2 = a */
            "    mov  r3,#0\n"
            "    mov  r0,#_ds1302_buf\n"         /* RATE, sign-extended: mul()'s a */
            "    lcall ext16\n"
            "    lcall _mul\n"
            "    mov  r6,a\n"                    /* acc = drift_acc - RATE x a: bytes 1..3 */
            "    mov  r0,#_drift_acc\n"
            "    mov  a,@r0\n"
            "    clr  c\n"
            "    subb a,dpl\n"                   /* (byte 0: its borrow only; R2 = 0) */
            "    inc  r0\n"
            "    mov  a,@r0\n"
            "    subb a,dph\n"
            "    mov  r3,a\n"
            "    inc  r0\n"
            "    mov  a,@r0\n"
            "    subb a,b\n"
            "    mov  r4,a\n"
            "    inc  r0\n"
            "    mov  a,@r0\n"
            "    subb a,r6\n"
            "    mov  r5,a\n"
            "    mov  r6,#8\n"                   /* x 8 by mac(): R5:R4 = acc >> 13 */
            "    clr  a\n"
            "    lcall _mac\n"
            "    mov  a,r4\n"                    /* accg = that, bit 0 = gen */
            "    mov  c,_gen\n"
            "    mov  acc.0,c\n"
            "    mov  r0,#(_ds1302_buf + 4)\n"
            "    mov  @r0,a\n"
            "    inc  r0\n"
            "    mov  @r0,ar5\n"
            "    mov  r0,#(_ds1302_buf + 3)\n"   /* t0seq += 0x40 */
            "    mov  a,#0x40\n"
            "    add  a,@r0\n"
            "    mov  @r0,a\n"
            "    mov  dpl,#11\n"                 /* crc = clock_crc(REC_SIZE - 1) */
            "    lcall _clock_crc\n"
            "    mov  r0,#(_ds1302_buf + 11)\n"
            "    mov  @r0,dpl\n"
            "    lcall _ds1302_unprotect\n"
            "    cpl  _slot\n"
            "    mov  r7,#(0xCE + 8)\n"          /* DS1302_RAM_W(REC_BASE) + 2 x 4 */
            "    jnb  _slot,00004$\n"
            "    mov  r7,#(0xE6 + 8)\n"          /* DS1302_RAM_W(REC_BASE + REC_SIZE) + 2 x 4 */
            "00004$:\n"
            "    mov  r1,#(_ds1302_buf + 4)\n"   /* bytes 4..11, 0..2, then 3 */
            "00005$:\n"
            "    mov  _ds1302_write_PARM_2,@r1\n"
            "    mov  dpl,r7\n"
            "    lcall _ds1302_write\n"
            "    inc  r7\n"
            "    inc  r7\n"
            "    inc  r1\n"
            "    cjne r1,#(_ds1302_buf + 12),00006$\n"
            "    mov  r1,#_ds1302_buf\n"         /* after byte 11: byte 0 */
            "    mov  a,r7\n"
            "    add  a,#0xE8\n"                 /* a - 2 x REC_SIZE */
            "    mov  r7,a\n"
            "00006$:\n"
            "    cjne r1,#(_ds1302_buf + 4),00005$\n"    /* until byte 3 is written */
            "    ljmp _ds1302_protect\n");
}

/* The functions below in assembler are plain functions, not __naked: SDCC saves none of a
 * C caller's registers around a call to a __naked function defined before it (it takes
 * it for one that keeps them all), so a __naked one would have to keep every register its
 * C callers hold. A plain one with only __asm__ inside gets SDCC's ret appended and its C
 * callers save what they hold; an early return in the assembler is a ret of its own. */

/* drift_acc += v (one copy of the 32-bit addition for its callers), in assembler:
 *     drift_acc += v;
 * v in DPL, DPH, B, A (reentrant: its only argument comes in registers); v's high byte
 * waits in R1. Uses A, R0, R1 and PSW only (whole() and drift_second() rely on it);
 * returns with R0 at drift_acc's high byte and A = that byte (its bit 7: the sign of the
 * new sum). */
static void acc_add(int32_t v) REENTRANT
{
    (void)v;
    __asm__("    mov  r1,a\n"                    /* v's high byte, for the last add */
            "    mov  r0,#_drift_acc\n"
            "    mov  a,dpl\n"
            "    add  a,@r0\n"
            "    mov  @r0,a\n"
            "    inc  r0\n"
            "    mov  a,dph\n"
            "    addc a,@r0\n"
            "    mov  @r0,a\n"
            "    inc  r0\n"
            "    mov  a,b\n"
            "    addc a,@r0\n"
            "    mov  @r0,a\n"
            "    inc  r0\n"
            "    mov  a,r1\n"
            "    addc a,@r0\n"
            "    mov  @r0,a\n");
}

/* the whole seconds out of drift_acc: negative when it was fast (steps back), in assembler:
 *     n = 0; while (drift_acc >= SEC) { drift_acc -= SEC; n--; }
 *            while (drift_acc <= -SEC) { drift_acc += SEC; n++; } return n;
 * done as twice (on drift_acc, then on -drift_acc with -n): do { drift_acc -= SEC; n--; }
 * while (drift_acc >= 0); n++; drift_acc = -drift_acc - SEC (= -(drift_acc + SEC): the
 * last subtraction undone, negated); n = -n
 * (|drift_acc| stays far below 2^31 - SEC: no overflow, the sign after -SEC says < SEC).
 * n in R7, the pass in R6, R5 counts the negation's bytes; acc_add() keeps them. n is
 * returned sign-extended in DPL:DPH (step()'s argument) and R7:R6 (steps_add's). Local
 * 00003$: drift_acc -= SEC. __naked: only assembler calls it (add(), drift_second()). */
typedef char sec_bytes[(SEC == 0x05F5E100L) ? 1 : -1];
#pragma save
#pragma disable_warning 59             /* the value is returned in DPL:DPH */
static int16_t whole(void) __naked
{
    __asm__("    mov  r7,#0\n"
            "    mov  r6,#2\n"
            "00001$:\n"
            "    dec  r7\n"                      /* drift_acc -= SEC, n-- */
            "    lcall 00003$\n"
            "    jnb  acc.7,00001$\n"            /* while (drift_acc >= 0) */
            "    inc  r7\n"                      /* n++ */
            "    mov  r0,#_drift_acc\n"          /* drift_acc = -drift_acc ... */
            "    mov  r5,#4\n"
            "    clr  c\n"
            "00002$:\n"
            "    clr  a\n"
            "    subb a,@r0\n"
            "    mov  @r0,a\n"
            "    inc  r0\n"
            "    djnz r5,00002$\n"
            "    lcall 00003$\n"                 /* ... - SEC */
            "    mov  a,r7\n"                    /* n = -n */
            "    cpl  a\n"
            "    inc  a\n"
            "    mov  r7,a\n"
            "    djnz r6,00001$\n"
            "    mov  a,r7\n"                    /* n, sign-extended */
            "    mov  r6,a\n"
            "    mov  dpl,a\n"
            "    rlc  a\n"
            "    subb a,acc\n"
            "    mov  r7,a\n"
            "    mov  dph,a\n"
            "    ret\n"
            "00003$:\n"                          /* drift_acc -= SEC (+= 0xFA0A1F00) */
            "    mov  dptr,#0x1F00\n"
            "    mov  b,#0x0A\n"
            "    mov  a,#0xFA\n"
            "    ljmp _acc_add\n");
}
#pragma restore

/* drift_acc += v, then its whole seconds out into DRIFT_REC's STEPS (whole()), in
 * assembler:  acc_add(v); STEPS += whole();
 * v in DPL, DPH, B, A; n (whole()'s) in R7:R6, sign-extended. Its second half,
 * label steps_add (STEPS += R7:R6), is step()'s too. Keeps R2..R4 (drift_boot() relies on
 * it: acc_add() and whole() leave them alone too). */
typedef char steps_at_6[(offsetof(drift_rec_t, steps) == 6) ? 1 : -1];
static void add(int32_t v) REENTRANT
{
    (void)v;
    __asm__("    lcall _acc_add\n"
            "    lcall _whole\n"                 /* R7:R6 = n, sign-extended */
            "steps_add:\n"                      /* STEPS += R7:R6 */
            "    mov  r0,#(_ds1302_buf + 6)\n"
            "    mov  a,r6\n"
            "    add  a,@r0\n"
            "    mov  @r0,a\n"
            "    inc  r0\n"
            "    mov  a,r7\n"
            "    addc a,@r0\n"
            "    mov  @r0,a\n");
}

/* clock_new one second on (bit 7 of u clear: step() passes its count's high byte) or back,
 * with the carries, in assembler: the fields from
 * the second to the month (p), each with its first value f (0; 1 for day and month) and
 * last l (59, 59, 23, the days of the month, 12), then the year:
 *     for (p = &second; p != &year; p--) {
 *         if (u < 0x80) { if (*p != l) { ++*p; return; } *p = f; }
 *         else          { if (*p != f) { --*p; return; } *p = l; }
 *     }
 *     year += u < 0x80 ? 1 : -1;
 * The day's l is the days of its month, or when going back of the month before (December
 * for January: 31 in any year). p in R0, u in R3, the field's index in R2, l in R5, f in
 * R4 (cal_days_in_month() keeps R0-R7: callee_saves, compat.h); R1, R6 and R7 are left
 * alone (step() keeps its count there). */
static const CODE uint8_t last[] = { 59, 59, 23, 0, 12 };   /* second .. month; day: 0 */
typedef char datetime_layout[(offsetof(datetime_t, year) == 0 && offsetof(datetime_t, month) == 1
                              && offsetof(datetime_t, day) == 2 && offsetof(datetime_t, hour) == 3
                              && offsetof(datetime_t, minute) == 4
                              && offsetof(datetime_t, second) == 5) ? 1 : -1];
static void tick1(uint8_t u)
{
    (void)u;
    __asm__("    mov  r3,dpl\n"
            "    mov  r0,#(_clock_new + 5)\n"    /* p = &second */
            "    clr  a\n"
            "    mov  r2,a\n"
            "    mov  r4,a\n"                    /* f = 0 up to the hour */
            "00001$:\n"
            "    mov  a,r2\n"                    /* l = last[i] */
            "    mov  dptr,#_last\n"
            "    movc a,@a+dptr\n"
            "    cjne r2,#3,00002$\n"
            "    inc  r4\n"                      /* the day (and month): f = 1 */
            "    dec  r0\n"                      /* the day: l = days of the month */
            "    mov  a,r3\n"
            "    rlc  a\n"                       /* C: back */
            "    mov  a,@r0\n"
            "    jnc  00003$\n"
            "    dec  a\n"                       /* back: the month before */
            "    jnz  00003$\n"
            "    mov  a,#12\n"
            "00003$:\n"
            "    mov  _cal_days_in_month_PARM_2,a\n"
            "    dec  r0\n"
            "    mov  dpl,@r0\n"                 /* the year */
            "    lcall _cal_days_in_month\n"     /* (keeps R0-R7: callee_saves) */
            "    mov  a,dpl\n"
            "    inc  r0\n"                      /* p: the day again */
            "    inc  r0\n"
            "00002$:\n"
            "    mov  r5,a\n"
            "    mov  a,r3\n"
            "    jb   acc.7,00004$\n"
            "    mov  a,@r0\n"                   /* on: if (*p != l) { ++*p; return; } */
            "    xrl  a,r5\n"
            "    jz   00005$\n"
            "    inc  @r0\n"
            "    ret\n"
            "00005$:\n"
            "    mov  @r0,ar4\n"                 /* *p = f */
            "    sjmp 00006$\n"
            "00004$:\n"
            "    mov  a,@r0\n"                   /* back: if (*p != f) { --*p; return; } */
            "    xrl  a,r4\n"
            "    jz   00007$\n"
            "    dec  @r0\n"
            "    ret\n"
            "00007$:\n"
            "    mov  @r0,ar5\n"                 /* *p = l */
            "00006$:\n"
            "    dec  r0\n"
            "    inc  r2\n"
            "    cjne r2,#5,00001$\n"
            "    inc  @r0\n"                     /* p = &year: ++ on, -- back */
            "    mov  a,r3\n"
            "    jnb  acc.7,00008$\n"
            "    dec  @r0\n"
            "    dec  @r0\n"
            "00008$:\n");
}

/* the seconds register changes (bounded: a halted chip does not hang the clock), in
 * assembler:  s = ds1302_read(SEC_R); i = 0; while (ds1302_read(SEC_R) == s && --i);
 * (65536 reads at most) s in R7, i in R6:R5 (ds1302_read() keeps R0-R7: callee_saves). */
typedef char sec_r[(DS1302_SEC_R == 0x81) ? 1 : -1];
static void wait_edge(void)
{
    __asm__("    mov  dpl,#0x81\n"
            "    lcall _ds1302_read\n"
            "    mov  r7,dpl\n"
            "    clr  a\n"
            "    mov  r6,a\n"
            "    mov  r5,a\n"
            "00001$:\n"
            "    mov  dpl,#0x81\n"
            "    lcall _ds1302_read\n"
            "    mov  a,dpl\n"
            "    xrl  a,r7\n"
            "    jnz  00002$\n"                  /* changed */
            "    djnz r5,00001$\n"               /* --i (256 x 256 rounds) */
            "    djnz r6,00001$\n"
            "00002$:\n");
}

/* step the DS1302 by n seconds (STEPS += n; drift_acc already holds ACC after it, less
 * the phase, taken here: BOOT_LAG at the next edge, else STEP_LAG): the record with the new
 * generation, then the clock burst with it; nothing beyond 2099. In assembler:
 *     drift_acc -= edge ? BOOT_LAG : STEP_LAG;
 *     if (edge) { wait_edge(); if (clock_read()) dt_copy(&clock_now, &clock_tmp); }
 *     drift_load(); dt_copy(&clock_new, &clock_now); STEPS += n;
 *     if (edge) n++;   the time at the next edge: the one after the edge seen now (the work
 *                      up to the write takes well under a second: 0.6 s for a year away at
 *                      300 ppm); one second on and n back are n + 1 seconds
 *     while (n) { tick1(n >> 8); n -= n > 0 ? 1 : -1; }     (on when n > 0)
 *     if (!clock_prepare()) return;
 *     dt_copy(&clock_now, &clock_new); gen = !gen; fold(); if (edge) wait_edge();
 *     clock_write(gen);
 * n comes in DPL:DPH and waits on the stack through the calls, then R7:R6 (tick1() keeps
 * them); STEPS += n is add()'s steps_add. */
typedef char lags[(-STEP_LAG == (int32_t)0xFFEAA340L && -BOOT_LAG == (int32_t)0xFFFFA240L)
                  ? 1 : -1];
static void step(int16_t n)
{
    (void)n;
    __asm__("    push dpl\n"
            "    push dph\n"
            "    mov  dptr,#0xA340\n"            /* -STEP_LAG = 0xFFEAA340 */
            "    mov  b,#0xEA\n"
            "    jnb  _edge,00001$\n"
            "    mov  dptr,#0xA240\n"            /* -BOOT_LAG = 0xFFFFA240 */
            "    mov  b,#0xFF\n"
            "00001$:\n"
            "    mov  a,#0xFF\n"
            "    lcall _acc_add\n"
            "    jnb  _edge,00002$\n"
            "    lcall _wait_edge\n"
            "    lcall _clock_read\n"
            "    jnc  00002$\n"
            "    mov  _dt_copy_PARM_2,#_clock_tmp\n"
            "    mov  dpl,#_clock_now\n"
            "    lcall _dt_copy\n"
            "00002$:\n"
            "    lcall _drift_load\n"
            "    mov  _dt_copy_PARM_2,#_clock_now\n"   /* clock_new = clock_now */
            "    mov  dpl,#_clock_new\n"
            "    lcall _dt_copy\n"
            "    pop  ar7\n"                     /* n */
            "    pop  ar6\n"
            "    lcall steps_add\n"              /* STEPS += n (in add()) */
            "    jnb  _edge,00004$\n"
            "    inc  r6\n"                      /* edge: n++ */
            "    cjne r6,#0,00004$\n"
            "    inc  r7\n"
            "00004$:\n"
            "    mov  a,r6\n"                    /* while (n) */
            "    orl  a,r7\n"
            "    jz   00005$\n"
            "    mov  dpl,r7\n"                  /* n's high byte: on when n > 0 */
            "    lcall _tick1\n"                 /* (keeps R6, R7) */
            "    mov  a,r7\n"
            "    jb   acc.7,00012$\n"
            "    mov  a,r6\n"                    /* n > 0: n-- */
            "    jnz  00006$\n"
            "    dec  r7\n"
            "00006$:\n"
            "    dec  r6\n"
            "    sjmp 00004$\n"
            "00012$:\n"
            "    inc  r6\n"                      /* n < 0: n++ */
            "    cjne r6,#0,00004$\n"
            "    inc  r7\n"
            "    sjmp 00004$\n"
            "00005$:\n"
            "    lcall _clock_prepare\n"
            "    jnc  00009$\n"                  /* invalid (beyond 2099): nothing */
            "    mov  _dt_copy_PARM_2,#_clock_new\n"   /* clock_now = clock_new */
            "    mov  dpl,#_clock_now\n"
            "    lcall _dt_copy\n"
            "    cpl  _gen\n"
            "    lcall _fold\n"
            "    jnb  _edge,00007$\n"
            "    lcall _wait_edge\n"
            "00007$:\n"
            "    mov  c,_gen\n"                  /* clock_write(gen) */
            "    clr  a\n"
            "    rlc  a\n"
            "    mov  dpl,a\n"
            "    ljmp _clock_write\n"
            "00009$:\n");
}

/* a new second in clock_now (drift.h), in assembler:
 *     acc_add(rate); if (!may_step) return;
 *     if (clock_now.second == 30) { n = whole(); if (n) { edge = 0; step(n); } return; }
 *     if (clock_now.second) return;
 *     if ((settings.flags & SET_COMP) && temp_state == TEMP_OK) {     (with a DS18B20)
 *         drift_load();    the minute's temperature part: K (T - T0)^2 (0.001 ppm) x 60 s
 *         t = T - T0 (mod 256), T = (t_hi << 4 | t_lo >> 4) + (t_lo >> 3 & 1);  t = |t|;
 *         v = mul(K, t * t); for (i = 0; i < 6; i++) acc_add(v);
 *     }
 *     if (!clock_now.minute) { drift_load(); fold(); }      the hourly fold
 * T - T0 in 8 bits: a good reading is -64..127.9 C (ds18b20.c), so T - T0 is -127..128 and
 * mod 256 its size is exact (128 = 0x80 negates to itself); T + its bit 3 - T0 as T - (T0
 * - 1) - (not the bit) by SUBB; t * t by MUL AB. may_step in R7 (acc_add() keeps it), then
 * the count of the 6 additions. clock_now, settings and temp_state through @R0 (data or
 * idata alike); t_lo and t_hi are pdata (MOVX @R0):
 * declared again here, so that the build stops if they move. __naked: its caller is in
 * clock.c (it saves what it holds). */
#if FEATURE_DS18B20
extern PDATA uint8_t t_lo, t_hi;
typedef char temp_flags[(SET_COMP == 0x08 && TEMP_OK == 3 && offsetof(settings_t, flags) == 0
                         && offsetof(drift_rec_t, k) == 2) ? 1 : -1];
#endif
void drift_second(uint8_t may_step) REENTRANT __naked
{
    (void)may_step;
    __asm__("    mov  r7,dpl\n"
            "    lcall rate_ext\n"               /* acc_add(RATE), sign-extended */
            "    lcall _acc_add\n"
            "    mov  a,r7\n"
            "    jz   00008$\n"                  /* !may_step */
            "    mov  r0,#(_clock_now + 5)\n"
            "    mov  a,@r0\n"
            "    cjne a,#30,00001$\n"
            "    lcall _whole\n"                 /* :30 */
            "    mov  a,r6\n"                    /* n (|n| < 128: its low byte says 0) */
            "    jz   00008$\n"
            "    clr  _edge\n"
            "    ljmp _step\n"                   /* step(n): n in DPL:DPH */
            "00008$:\n"
            "    ret\n"
            "00001$:\n"
            "    jnz  00008$\n"                  /* not :00 */
#if FEATURE_DS18B20
            "    mov  r0,#_settings\n"
            "    mov  a,@r0\n"
            "    jnb  acc.3,00002$\n"            /* SET_COMP off */
            "    mov  r0,#_temp_state\n"
            "    cjne @r0,#3,00002$\n"           /* not TEMP_OK */
            "    lcall _drift_load\n"
            "    mov  r0,#(_ds1302_buf + 3)\n"   /* R7 = T0 - 1 */
            "    mov  a,@r0\n"
            "    anl  a,#0x3F\n"
            "    dec  a\n"
            "    mov  r7,a\n"
            "    mov  r0,#_t_hi\n"               /* T = t_hi << 4 | t_lo >> 4 ... */
            "    movx a,@r0\n"
            "    swap a\n"
            "    anl  a,#0xF0\n"
            "    mov  r6,a\n"
            "    mov  r0,#_t_lo\n"
            "    movx a,@r0\n"
            "    mov  c,acc.3\n"                 /* ... + its bit 3: C = not it */
            "    cpl  c\n"
            "    swap a\n"                       /* (swap, anl, orl keep C) */
            "    anl  a,#0x0F\n"
            "    orl  a,r6\n"
            "    subb a,r7\n"                    /* t = T - T0 = that - (T0 - 1) - C */
            "    jnb  acc.7,00003$\n"
            "    cpl  a\n"                       /* t = -t */
            "    inc  a\n"
            "00003$:\n"
            "    mov  b,a\n"                     /* mul()'s b = t * t in R3:R2 */
            "    mul  ab\n"
            "    mov  r2,a\n"
            "    mov  r3,b\n"
            "    mov  r0,#(_ds1302_buf + 2)\n"   /* mul()'s a = K, sign-extended */
            "    mov  a,@r0\n"
            "    mov  dpl,a\n"
            "    rlc  a\n"
            "    subb a,acc\n"
            "    mov  dph,a\n"
            "    mov  b,a\n"
            "    lcall _mul\n"
            "    mov  r7,#6\n"                   /* x 6: acc_add() 6 times */
            "00004$:\n"
            "    lcall _acc_add\n"               /* (keeps DPL, DPH, B, R7; R1 = A) */
            "    mov  a,r1\n"
            "    djnz r7,00004$\n"
            "00002$:\n"
#endif
            "    mov  r0,#(_clock_now + 4)\n"
            "    mov  a,@r0\n"
            "    jnz  00008$\n"                  /* not hh:00:00 */
            "    lcall _drift_load\n"
            "    ljmp _fold\n");
}

/* In assembler (SDCC's C: 34 bytes):
 *     drift_load(); DRIFT_REC->steps = 0; gen = !gen; drift_acc = 0; fold();
 *     clock_mark(gen);
 * drift_acc = 0; fold() is the label acc0_fold after it (drift_boot() jumps there too: a
 * label of its own inside drift_boot() would end the scope of its local labels). __naked:
 * its callers are in other files (they save what they hold) and drift_boot()'s tail jump. */
void drift_set(void) __naked
{
    __asm__("    lcall _drift_load\n"
            "    mov  r0,#(_ds1302_buf + 6)\n"   /* STEPS = 0 */
            "    clr  a\n"
            "    mov  @r0,a\n"
            "    inc  r0\n"
            "    mov  @r0,a\n"
            "    cpl  _gen\n"
            "    lcall acc0_fold\n"              /* drift_acc = 0; fold() */
            "    mov  c,_gen\n"                  /* clock_mark(gen) */
            "    clr  a\n"
            "    rlc  a\n"
            "    mov  dpl,a\n"
            "    ljmp _clock_mark\n"
            "acc0_fold:\n"                       /* drift_acc = 0; fold() (drift_boot()'s too) */
            "    clr  a\n"
            "    mov  r0,#_drift_acc\n"
            "    mov  @r0,a\n"
            "    inc  r0\n"
            "    mov  @r0,a\n"
            "    inc  r0\n"
            "    mov  @r0,a\n"
            "    inc  r0\n"
            "    mov  @r0,a\n"
            "    ljmp _fold\n");
}

/* fold(); then the rate in force (DRIFT_REC loaded; the temperature part is added a minute
 * at a time): rate = DRIFT_REC->rate, the label rate_now (drift_boot()'s too). In
 * assembler: fold() is __naked (its callers are assembler, and this, which holds nothing
 * across it). */
void drift_store(void) __naked
{
    __asm__("    lcall _fold\n"
            "rate_now:\n"                        /* rate = DRIFT_REC->rate */
            "    mov  r0,#_ds1302_buf\n"
            "    mov  r1,#_rate\n"
            "    mov  a,@r0\n"
            "    mov  @r1,a\n"
            "    inc  r0\n"
            "    inc  r1\n"
            "    mov  a,@r0\n"
            "    mov  @r1,a\n"
            "    ret\n");
}

/* two RAM bytes, little-endian, the first at read address a (in DPL). In assembler
 * (SDCC's C: 37 bytes): return ds1302_read(a) | (uint16_t)ds1302_read(a + 2) << 8;
 * a in R7, the low byte in R6 (ds1302_read() keeps R0-R7: callee_saves, ds1302.h). */
static uint16_t read2(uint8_t a)
{
    (void)a;
    __asm__("    mov  r7,dpl\n"
            "    lcall _ds1302_read\n"
            "    mov  r6,dpl\n"                  /* the low byte */
            "    mov  a,r7\n"
            "    add  a,#2\n"
            "    mov  dpl,a\n"
            "    lcall _ds1302_read\n"
            "    mov  dph,dpl\n"
            "    mov  dpl,r6\n");
}

uint16_t drift_id(void)
{
    return read2((uint8_t)DS1302_RAM_R(ID_ADDR));
}

/* In assembler (SDCC's C: 38 bytes):
 *     ds1302_unprotect();
 *     ds1302_write(DS1302_RAM_W(ID_ADDR), (uint8_t)id);
 *     ds1302_write(DS1302_RAM_W(ID_ADDR + 1), (uint8_t)(id >> 8));
 *     ds1302_protect();
 * id's bytes on the stack over the calls, popped into ds1302_write()'s second argument (SDCC
 * passes it in ds1302_write_PARM_2: ds1302_write is not reentrant; the link fails if it
 * becomes so). */
typedef char put_id_cmds[(DS1302_RAM_W(ID_ADDR) == 0xCA) ? 1 : -1];
void drift_put_id(uint16_t id) __naked
{
    (void)id;
    __asm__("    push dph\n"
            "    push dpl\n"
            "    lcall _ds1302_unprotect\n"
            "    pop  _ds1302_write_PARM_2\n"    /* low byte */
            "    mov  dpl,#0xCA\n"               /* DS1302_RAM_W(ID_ADDR) */
            "    lcall _ds1302_write\n"
            "    pop  _ds1302_write_PARM_2\n"    /* high byte */
            "    mov  dpl,#0xCC\n"               /* DS1302_RAM_W(ID_ADDR + 1) */
            "    lcall _ds1302_write\n"
            "    ljmp _ds1302_protect\n");
}

int16_t drift_steps(void)
{
    uint8_t a = (uint8_t)DS1302_RAM_R(REC_BASE + 6);
    if (slot)
        a = (uint8_t)DS1302_RAM_R(REC_BASE + REC_SIZE + 6);
    return read2(a);
}

/* per copy: 0xFF invalid, else its sequence | g << 2. In assembler (SDCC's C: 32 bytes):
 *     if (!rec_read(s)) return 0xFF;
 *     return (DRIFT_REC->t0seq >> 6) | (uint8_t)((DRIFT_REC->accg & 1) << 2);
 * s (0 or 1) in A, as rec_read() takes it: only drift_boot() calls it. */
static uint8_t info(void) __naked
{
    __asm__("    lcall _rec_read\n"
            "    mov  dpl,#0xFF\n"
            "    jnc  00001$\n"
            "    mov  r0,#_ds1302_buf+4\n"       /* accg */
            "    mov  a,@r0\n"
            "    rrc  a\n"                       /* C = g */
            "    dec  r0\n"                      /* t0seq */
            "    mov  a,@r0\n"
            "    rl   a\n"
            "    rl   a\n"
            "    anl  a,#3\n"                    /* the sequence */
            "    mov  acc.2,c\n"
            "    mov  dpl,a\n"
            "00001$:\n"
            "    ret\n");
}

/* In assembler (SDCC's C took 783 bytes, its locals on the stack), in C terms:
 *     off = ds1302_read(DS1302_WDAY_R) - clock_now.wday;       (the clock's day-of-week
 *     if (off < 0) off += 7;                    offset, clock.h: 0/1 generation, 2 pending,
 *     gen = off;                                3 "set me"); gen: the defaults'
 *     a = info(0); b = info(1);
 *     if ((a & b) == 0xFF) {                    no valid copy (a fresh chip, an older
 *         RATE = 0; K = -34; T0 | sequence = 25; STEPS = 0;    firmware's RAM): the
 *         drift_put_id(0xFFFF); slot = 1; fold();              defaults, no ID; the first
 *     } else {                                                 write goes to copy 0
 *         slot = !(a != 0xFF && (b == 0xFF || ((uint8_t)(a - b) & 3) == 1));
 *         if (slot) swap a and b;               a: the newest valid copy, b: the other
 *         gen = a >> 2;                         the other holds when the clock never got
 *         if (off < 2 && gen != off && b != 0xFF) slot = !slot;     its generation
 *         drift_load();                         (rec_read(slot))
 *     }
 *     rate_now();
 *     if (off == 3) return;                     "set me": nothing to correct until it is set
 *     if (off > 1) { drift_set(); return; }     a set cut before its record, or another writer
 *     gen = off;                                the catch-up: ACC now (the step's edge is a
 *     STEPS = 0;                                second or two later: RATE x that is under
 *     drift_acc = (int32_t)(ACCG & ~1) << 13;   6 us); STEPS counts the catch-up's seconds
 *     h = mul(rate, 43200);                     (step() and the last drift_load() read the
 *     ref_now(); d = u - REF;                   record's again; d in 4-minute units)
 *     if (d < 0 || d >= MAX_AWAY_MIN / 4) {     behind its record, or too long away: not
 *         drift_acc = 0; fold();                corrected (STEPS 0)
 *         return;
 *     }
 *     while (d >= 180) { d -= 180; add(h); }    12 hours at a time (ACC holds +-21 s)
 *     add(mul(rate, (uint16_t)d * 240 + ref_now()'s seconds since its unit));
 *     add(mul(rate, STEPS) - (STEPS < 0 ? (int32_t)rate << 16 : 0));
 *     if (STEPS) { edge = 1; step(STEPS); } else { drift_load(); fold(); }
 * The last add is the second-order term: RATE counted over the clock's seconds, which the
 * error itself lengthened (or shortened) by -STEPS (the seconds so far): 0.14 s after 30 days
 * at +230 ppm, RATE x STEPS; mul() takes a negative STEPS as 2^16 + STEPS: RATE x 2^16 off
 * its product (its high half: B, A; the sign waits in F0 through mul()).
 * Registers: R6 = a, R7 = b; then R4:R2 = d (24 bits: u and REF are under 2^24; add()
 * keeps R2..R4).
 * The stack holds what outlives a call: off, then h (4 bytes, its high byte on top): the
 * other calls clobber every register.
 * Calls: info(s) takes s in A (as rec_read()), step(n) its argument in DPL, DPH,
 * add(v) in DPL, DPH, B, A, mul(a, b) a there and b in R3:R2. */
typedef char boot_fields[(offsetof(drift_rec_t, k) == 2 && offsetof(drift_rec_t, t0seq) == 3
                          && offsetof(drift_rec_t, accg) == 4 && offsetof(drift_rec_t, steps) == 6
                          && offsetof(drift_rec_t, ref) == 8 && offsetof(datetime_t, second) == 5
                          && offsetof(datetime_t, wday) == 6 && DS1302_WDAY_R == 0x8B
                          && MAX_AWAY_MIN == 0x80000UL) ? 1 : -1];
void drift_boot(void) REENTRANT __naked
{
    __asm__("    mov  dpl,#0x8B\n"               /* DS1302_WDAY_R */
            "    lcall _ds1302_read\n"
            "    mov  r0,#_clock_now+6\n"        /* wday */
            "    mov  a,dpl\n"
            "    clr  c\n"
            "    subb a,@r0\n"
            "    jnc  00001$\n"
            "    add  a,#7\n"                    /* below 0: + 7 */
            "00001$:\n"
            "    push acc\n"                     /* off */
            "    add  a,#0xFF\n"                 /* gen = off (!= 0) */
            "    mov  _gen,c\n"
            "    clr  a\n"                       /* info(0) */
            "    lcall _info\n"
            "    push dpl\n"
            "    mov  a,#1\n"                    /* info(1) */
            "    lcall _info\n"
            "    pop  acc\n"
            "    mov  r6,a\n"                    /* a */
            "    mov  r7,dpl\n"                  /* b */
            "    anl  a,r7\n"
            "    inc  a\n"
            "    jnz  00002$\n"                  /* a valid copy */
            "    mov  r0,#_ds1302_buf\n"         /* the defaults (A = 0) */
            "    mov  @r0,a\n"                   /* RATE 0 */
            "    inc  r0\n"
            "    mov  @r0,a\n"
            "    inc  r0\n"
            "    mov  @r0,#0xDE\n"               /* K -34 */
            "    inc  r0\n"
            "    mov  @r0,#25\n"                 /* T0 25, sequence 0 */
            "    mov  r0,#_ds1302_buf+6\n"       /* STEPS 0 */
            "    mov  @r0,a\n"
            "    inc  r0\n"
            "    mov  @r0,a\n"
            "    mov  dptr,#0xFFFF\n"
            "    lcall _drift_put_id\n"
            "    setb _slot\n"
            "    lcall _fold\n"
            "    sjmp 00006$\n"
            "00002$:\n"
            "    clr  _slot\n"
            "    mov  a,r6\n"
            "    inc  a\n"
            "    jz   00003$\n"                  /* a invalid: slot 1 */
            "    mov  a,r7\n"
            "    inc  a\n"
            "    jz   00004$\n"                  /* b invalid: slot 0 */
            "    mov  a,r6\n"
            "    clr  c\n"
            "    subb a,r7\n"
            "    anl  a,#3\n"
            "    dec  a\n"
            "    jz   00004$\n"                  /* a one ahead of b: slot 0 */
            "00003$:\n"
            "    setb _slot\n"
            "    mov  a,r6\n"                    /* swap a and b */
            "    xch  a,r7\n"
            "    mov  r6,a\n"
            "00004$:\n"
            "    mov  a,r6\n"
            "    mov  c,acc.2\n"                 /* gen = a >> 2 (a: sequence | g << 2) */
            "    mov  _gen,c\n"
            "    mov  r0,sp\n"
            "    mov  a,@r0\n"                   /* off */
            "    rl   a\n"
            "    rl   a\n"
            "    xrl  a,r6\n"
            "    anl  a,#0xFC\n"                 /* (off ^ gen) << 2 (a: 0..7) */
            "    cjne a,#4,00005$\n"             /* not: off < 2 and gen != off */
            "    mov  a,r7\n"
            "    inc  a\n"
            "    jz   00005$\n"                  /* b invalid */
            "    cpl  _slot\n"
            "00005$:\n"
            "    lcall _drift_load\n"
            "00006$:\n"
            "    lcall rate_now\n"
            "    pop  acc\n"                     /* off */
            "    cjne a,#3,00007$\n"
            "    ret\n"                          /* "set me" */
            "00007$:\n"
            "    cjne a,#2,00008$\n"
            "00008$:\n"
            "    jc   00009$\n"
            "    ljmp _drift_set\n"              /* off > 1 */
            "00009$:\n"
            "    rrc  a\n"
            "    mov  _gen,c\n"                  /* gen = off */
            "    mov  r0,#_ds1302_buf+6\n"       /* STEPS = 0 */
            "    clr  a\n"
            "    mov  @r0,a\n"
            "    inc  r0\n"
            "    mov  @r0,a\n"
            "    mov  r0,#_ds1302_buf+4\n"       /* drift_acc = (ACCG & ~1) x 8192: */
            "    mov  a,@r0\n"                   /* ACCG's g cleared (fold() and */
            "    anl  a,#0xFE\n"                 /* step() write it anew) */
            "    mov  @r0,a\n"
            "    lcall ext16\n"                  /* sign-extended, x 0x2000 by mul() */
            "    mov  r2,#0\n"
            "    mov  r3,#0x20\n"
            "    lcall _mul\n"
            "    mov  r0,#_drift_acc\n"
            "    mov  @r0,dpl\n"
            "    inc  r0\n"
            "    mov  @r0,dph\n"
            "    inc  r0\n"
            "    mov  @r0,b\n"
            "    inc  r0\n"
            "    mov  @r0,a\n"
            "    mov  r2,#0xC0\n"                /* h = rate x 43200 */
            "    mov  r3,#0xA8\n"
            "    lcall rate_mul\n"
            "    push dpl\n"
            "    push dph\n"
            "    push b\n"
            "    push acc\n"
            "    lcall _ref_now\n"               /* D = u - REF (24 bits): R4:R3:R2 */
            "    mov  r0,#_ds1302_buf+8\n"
            "    clr  c\n"
            "    mov  a,r2\n"
            "    subb a,@r0\n"
            "    mov  r2,a\n"
            "    inc  r0\n"
            "    mov  a,r3\n"
            "    subb a,@r0\n"
            "    mov  r3,a\n"
            "    inc  r0\n"
            "    mov  a,r4\n"
            "    subb a,@r0\n"
            "    mov  r4,a\n"
            "    jc   00013$\n"                  /* D < 0: behind its record */
            "    anl  a,#0xFE\n"
            "    jz   00014$\n"                  /* D < 2^17 (m < 2^19) */
            "00013$:\n"
            "    mov  a,sp\n"                    /* not corrected: h dropped, ACC 0 */
            "    add  a,#0xFC\n"                 /* (STEPS 0) */
            "    mov  sp,a\n"
            "    ljmp acc0_fold\n"               /* drift_acc = 0; fold() (in drift_set()) */
            "00014$:\n"                          /* while (D >= 180) { D -= 180; add(h); } */
            "    clr  c\n"                       /* R7:R6 (and A) = D - 180 (0xB4) */
            "    mov  a,r2\n"
            "    subb a,#0xB4\n"
            "    mov  r6,a\n"
            "    mov  a,r3\n"
            "    subb a,#0\n"
            "    mov  r7,a\n"
            "    mov  a,r4\n"
            "    subb a,#0\n"
            "    jc   00015$\n"
            "    mov  r4,a\n"
            "    mov  ar3,r7\n"
            "    mov  ar2,r6\n"
            "    mov  r0,sp\n"                   /* h, on top of the stack */
            "    mov  a,@r0\n"
            "    dec  r0\n"
            "    mov  b,@r0\n"
            "    dec  r0\n"
            "    mov  dph,@r0\n"
            "    dec  r0\n"
            "    mov  dpl,@r0\n"
            "    lcall _add\n"                   /* (keeps R2..R4) */
            "    sjmp 00014$\n"
            "00015$:\n"
            "    clr  a\n"                       /* D < 180: R3:R2 (R4 = 0) */
            "    mov  r5,a\n"
            "    lcall ref_sec\n"                /* R3:R2 = D x 240 + its seconds (< 43200) */
            "    mov  r6,#240\n"
            "    lcall _mac\n"
            "    mov  a,sp\n"                    /* h dropped */
            "    add  a,#0xFC\n"
            "    mov  sp,a\n"
            "    lcall rate_mul\n"
            "    lcall _add\n"
            "    mov  r0,#_ds1302_buf+6\n"       /* the second-order term: */
            "    mov  ar2,@r0\n"                 /* mul(rate, STEPS) */
            "    inc  r0\n"
            "    mov  a,@r0\n"
            "    mov  r3,a\n"
            "    rlc  a\n"
            "    mov  psw.5,c\n"                 /* F0: STEPS < 0 (mul() keeps it) */
            "    lcall rate_mul\n"
            "    jnb  psw.5,00016$\n"
            "    xch  a,b\n"                     /* STEPS < 0: its high half -= rate */
            "    clr  c\n"
            "    mov  r0,#_rate\n"
            "    subb a,@r0\n"
            "    xch  a,b\n"
            "    inc  r0\n"
            "    subb a,@r0\n"
            "00016$:\n"
            "    lcall _add\n"
            "    mov  r0,#_ds1302_buf+6\n"       /* the catch-up's seconds */
            "    mov  dpl,@r0\n"
            "    inc  r0\n"
            "    mov  dph,@r0\n"
            "    mov  a,@r0\n"
            "    orl  a,dpl\n"
            "    jz   00017$\n"
            "    setb _edge\n"
            "    ljmp _step\n"
            "00017$:\n"
            "    lcall _drift_load\n"            /* STEPS = n again (the record in RAM) */
            "    ljmp _fold\n");
}
#endif
