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
#if FEATURE_DS18B20
#include "ds18b20.h"
#endif

#define SEC         100000000L      /* a second in ACC's unit */
#define REC_BASE    7               /* RAM address of copy 0; copy 1 follows */
#define REC_SIZE    12
#define ID_ADDR     5
#define STEP_LAG    1555000L        /* 15.55 ms */
#define BOOT_LAG    24000L          /* 0.24 ms */
#define MAX_AWAY_MIN (1UL << 19)    /* minutes on battery the catch-up covers (364 days) */

IDATA int32_t drift_acc;
static IDATA int16_t rate;                /* RATE in force (0.01 ppm) */
static BIT gen;                     /* the clock's generation (its day-of-week offset) */
static BIT slot;                    /* the copy that holds */
static BIT edge;                    /* step(): write the clock at the next second's edge */

/* a * b (a signed; the product must fit), in assembler (SDCC's C took 119 bytes):
 *     r = 0; do { if (b & 1) r += a; a <<= 1; b >>= 1; } while (b); return r;
 * a in R7:R4, b in R3:R2, r in R1:B:DPH:DPL. Reentrant: a comes in DPL, DPH, B, A, b on
 * the stack below the return address (SP - 3: its low byte, SP - 2: its high byte); the
 * caller drops b. */
static int32_t mul(int32_t a, uint16_t b) REENTRANT __naked
{
    (void)a;
    (void)b;
    __asm__("    mov  r4,dpl\n"
            "    mov  r5,dph\n"
            "    mov  r6,b\n"
            "    mov  r7,a\n"
            "    mov  a,sp\n"
            "    add  a,#0xFD\n"                 /* SP - 3 */
            "    mov  r0,a\n"
            "    mov  a,@r0\n"
            "    mov  r2,a\n"
            "    inc  r0\n"
            "    mov  a,@r0\n"
            "    mov  r3,a\n"
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

/* clock_now in minutes since 2000-01-01 00:00, in assembler (SDCC's C took 152 bytes):
 *     d = cal_day_of_year(&clock_now);
 *     for (y = clock_now.year; y; y--)
 *         d += 365 + !((y - 1) & 3);               (the leap days of 2000 .. the year before)
 *     return (d x 24 + clock_now.hour) x 60 + clock_now.minute;     (by mac())
 * D in DPH:DPL, Y in R7, R0 on clock_now's fields. */
typedef char minutes_fields[(offsetof(datetime_t, year) == 0 && offsetof(datetime_t, hour) == 3
                             && offsetof(datetime_t, minute) == 4) ? 1 : -1];
static uint32_t minutes(void) REENTRANT __naked
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
            "    inc  r0\n"                      /* minute */
            "    mov  r6,#60\n"
            "    mov  a,@r0\n"
            "    lcall _mac\n"
            "    mov  dpl,r2\n"
            "    mov  dph,r3\n"
            "    mov  b,r4\n"
            "    mov  a,r5\n"
            "    ret\n");
}

/* copy s (0 or 1) -> DRIFT_REC; whether its CRC holds. In assembler (SDCC's C: 57 bytes):
 *     a = DS1302_RAM_R(REC_BASE + (s ? REC_SIZE : 0));
 *     for (d = ds1302_buf; d != ds1302_buf + REC_SIZE; a += 2) *d++ = ds1302_read(a);
 *     return clock_crc(REC_SIZE - 1) == DRIFT_REC->crc;             (in C)
 * A = a, R1 = d, both on the stack over the read. */
typedef char rec_read_cmds[(DS1302_RAM_R(REC_BASE) == 0xCF && DS1302_RAM_R(REC_BASE + REC_SIZE) == 0xCF + 24
                            && REC_SIZE == 12) ? 1 : -1];
static bool_t rec_read(uint8_t s) __naked
{
    (void)s;
    __asm__("    mov  a,dpl\n"
            "    jz   00001$\n"
            "    mov  a,#24\n"                   /* 2 x REC_SIZE */
            "00001$:\n"
            "    add  a,#0xCF\n"                 /* DS1302_RAM_R(REC_BASE) */
            "    mov  r1,#_ds1302_buf\n"
            "00002$:\n"
            "    push acc\n"
            "    push ar1\n"
            "    mov  dpl,a\n"
            "    lcall _ds1302_read\n"
            "    pop  ar1\n"
            "    pop  acc\n"
            "    mov  @r1,dpl\n"
            "    inc  r1\n"
            "    add  a,#2\n"
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

void drift_load(void)
{
    rec_read(slot);
}

/* the reference (clock_now's last 4-minute boundary) and ACC there (drift_acc less RATE x
 * the seconds since it) into DRIFT_REC with generation gen, then DRIFT_REC into the other
 * copy with the next sequence number, its byte 3 (T0 | sequence) last */
static void fold(void) REENTRANT
{
    uint32_t m = minutes();
    int32_t acc;
    uint8_t NEAR *p;
    uint8_t a, i;

    a = (uint8_t)((uint8_t)m & 3) * (uint8_t)60 + clock_now.second;
    for (i = 2; i; i--)             /* m >> 2 (a loop: smaller than SDCC's two shifts) */
        m >>= 1;
    *(uint32_t NEAR *)DRIFT_REC->ref = m;   /* (and the CRC's byte, set below) */
    /* ((int16_t)(ACC >> 13) & ~1) | g from ACC's bytes: its high half << 3, bits 14..15 */
    acc = drift_acc - mul(DRIFT_REC->rate, a);
    a = (uint8_t)((uint8_t)(acc >> 8) >> 5) & 6;
    if (gen)
        a++;
    DRIFT_REC->accg = (uint16_t)((uint16_t)(acc >> 16) << 3) | a;
    DRIFT_REC->t0seq += 0x40;
    DRIFT_REC->crc = clock_crc(REC_SIZE - 1);
    slot = !slot;
    a = DS1302_RAM_W(REC_BASE);
    if (slot)
        a = DS1302_RAM_W(REC_BASE + REC_SIZE);
    ds1302_unprotect();
    p = ds1302_buf;
    do {
        if (p != &ds1302_buf[3])
            ds1302_write(a, *p);
        a += 2;
    } while (++p != ds1302_buf + REC_SIZE);
    ds1302_write(a - 2 * (REC_SIZE - 3), ds1302_buf[3]);
    ds1302_protect();
}

/* drift_acc += v (one copy of the 32-bit addition for its callers) */
static void acc_add(int32_t v) REENTRANT
{
    drift_acc += v;
}

/* the whole seconds out of drift_acc: negative when it was fast (steps back) */
static int8_t whole(void)
{
    int8_t n = 0;
    while (drift_acc >= SEC) {
        acc_add(-SEC);
        n--;
    }
    while (drift_acc <= -SEC) {
        acc_add(SEC);
        n++;
    }
    return n;
}

/* drift_acc += v, then its whole seconds out into DRIFT_REC's STEPS (whole()) */
static void add(int32_t v) REENTRANT
{
    int8_t n;
    acc_add(v);
    n = whole();
    DRIFT_REC->steps += n;
}

/* clock_new one second on (u) or back, with the carries */
static const CODE uint8_t last[] = { 59, 59, 23 };   /* second, minute, hour */
static void tick1(uint8_t u)
{
    datetime_t NEAR *t = &clock_new;
    uint8_t NEAR *p = &clock_new.second;
    uint8_t i = 0, l;

    do {
        l = last[i];
        if (u) {
            if (*p != l) {
                ++*p;
                return;
            }
            *p = 0;
        } else {
            if (*p) {
                --*p;
                return;
            }
            *p = l;
        }
        p--;
    } while (++i != 3);
    if (u) {
        if (++t->day <= cal_days_in_month(t->year, t->month))
            return;
        t->day = 1;
        if (++t->month <= 12)
            return;
        t->month = 1;
        t->year++;
    } else {
        if (--t->day)
            return;
        if (!--t->month) {
            t->month = 12;
            t->year--;
        }
        t->day = cal_days_in_month(t->year, t->month);
    }
}

/* the seconds register changes (bounded: a halted chip does not hang the clock) */
static void wait_edge(void)
{
    uint8_t s = ds1302_read(DS1302_SEC_R);
    uint16_t i = 0;
    while (ds1302_read(DS1302_SEC_R) == s && --i)
        ;
}

/* step the DS1302 by n seconds (STEPS += n; drift_acc already holds ACC after it, less
 * the phase, taken here: BOOT_LAG at the next edge, else STEP_LAG): the record with the new
 * generation, then the clock burst with it; nothing beyond 2099 */
static void step(int16_t n)
{
    uint8_t u;

    drift_acc -= edge ? BOOT_LAG : STEP_LAG;
    if (edge) {
        /* the time at the next edge: the one after the edge seen now (the work up to the
         * write takes well under a second: 0.6 s for a year away at 300 ppm) */
        wait_edge();
        if (clock_read())
            dt_copy(&clock_now, &clock_tmp);
        dt_copy(&clock_new, &clock_now);
        tick1(1);
        clock_prepare();
        dt_copy(&clock_now, &clock_new);
    }
    drift_load();
    DRIFT_REC->steps += n;
    dt_copy(&clock_new, &clock_now);
    u = 1;                      /* the direction; then n counts the seconds */
    if (n < 0) {
        u = 0;
        n = -n;
    }
    while (n) {
        tick1(u);
        n--;
    }
    if (!clock_prepare())
        return;
    dt_copy(&clock_now, &clock_new);
    gen = !gen;
    fold();
    if (edge)
        wait_edge();
    clock_write(gen);
}

/* the rate in force (DRIFT_REC loaded); the temperature part is added a minute at a time */
static void rate_now(void)
{
    rate = DRIFT_REC->rate;
}

void drift_second(uint8_t may_step) REENTRANT
{
    int8_t n;
#if FEATURE_DS18B20
    uint8_t t, lo;
    int16_t k6;
#endif

    acc_add(rate);
    if (!may_step)
        return;
    n = clock_now.second;
    if (n == 30) {
        n = whole();
        if (n) {
            edge = 0;
            step(n);
        }
    } else if (!n) {
#if FEATURE_DS18B20
        /* the minute's temperature part: K (T - T0)^2 (0.001 ppm) x 60 s */
        if ((settings.flags & SET_COMP) && temp_state == TEMP_OK) {
            drift_load();
            /* T - T0 in 8 bits, T = (reading + 8) >> 4 = (reading >> 4) + its bit 3: a
             * good reading is -64..127.9 C (ds18b20.c), so T - T0 is -127..128 and mod 256
             * its size is exact (128 = 0x80 negates to itself) */
            lo = t_lo;
            t = (uint8_t)((uint8_t)(t_hi << 4) | (lo >> 4)) + (uint8_t)((lo >> 3) & 1)
                - (uint8_t)(DRIFT_REC->t0seq & 0x3F);
            if ((int8_t)t < 0)
                t = -t;
            /* K x 6 in 16 bits (|K| <= 128), (T - T0)^2 by MUL AB */
            k6 = DRIFT_REC->k;
            k6 += k6 << 1;
            acc_add(mul(k6 << 1, (uint16_t)(t * t)));
        }
#endif
        if (!clock_now.minute) {
            drift_load();
            fold();                 /* the hourly fold */
        }
    }
}

void drift_set(void)
{
    drift_acc = 0;
    drift_load();
    DRIFT_REC->steps = 0;
    gen = !gen;
    fold();
    clock_mark(gen);
}

void drift_store(void)
{
    fold();
    rate_now();
}

/* two RAM bytes, little-endian, the first at read address a (in DPL). In assembler
 * (SDCC's C: 37 bytes): return ds1302_read(a) | (uint16_t)ds1302_read(a + 2) << 8;
 * a and the low byte on the stack over the reads. */
static uint16_t read2(uint8_t a) __naked
{
    (void)a;
    __asm__("    mov  a,dpl\n"
            "    push acc\n"
            "    lcall _ds1302_read\n"
            "    pop  acc\n"
            "    push dpl\n"                     /* the low byte */
            "    add  a,#2\n"
            "    mov  dpl,a\n"
            "    lcall _ds1302_read\n"
            "    mov  dph,dpl\n"
            "    pop  dpl\n"
            "    ret\n");
}

uint16_t drift_id(void)
{
    return read2(DS1302_RAM_R(ID_ADDR));
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
    uint8_t a = DS1302_RAM_R(REC_BASE + 6);
    if (slot)
        a = DS1302_RAM_R(REC_BASE + REC_SIZE + 6);
    return read2(a);
}

/* per copy: 0xFF invalid, else its sequence | g << 2. In assembler (SDCC's C: 32 bytes):
 *     if (!rec_read(s)) return 0xFF;
 *     return (DRIFT_REC->t0seq >> 6) | (uint8_t)((DRIFT_REC->accg & 1) << 2); */
static uint8_t info(uint8_t s) __naked
{
    (void)s;
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
 *     off = ds1302_read(DS1302_WDAY_R) + 7 - clock_now.wday;   (the clock's day-of-week
 *     if (off >= 7) off -= 7;                   offset, clock.h: 0/1 generation, 2 pending,
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
 *     n = STEPS; STEPS = 0;                     second or two later: RATE x that is under
 *     drift_acc = (int32_t)(ACCG & ~1) << 13;   6 us); STEPS counts the catch-up's seconds
 *     h = mul(rate, 43200);                     (step() reloads the record, fold() needs it
 *     m = minutes() - (REF << 2);               as it was)
 *     if (m >= MAX_AWAY_MIN) {                  behind its record, or too long away: not
 *         drift_acc = 0; fold();                corrected (STEPS 0)
 *         return;
 *     }
 *     while (m >= 720) { m -= 720; add(h); }    12 hours at a time (ACC holds +-21 s)
 *     add(mul(rate, (uint16_t)m * 60 + clock_now.second));
 *     if (STEPS < 0) drift_acc's high half -= rate;
 *     add(mul(rate, STEPS));
 *     if (STEPS) { edge = 1; step(STEPS); } else { STEPS = n; fold(); }
 * The last add is the second-order term: RATE counted over the clock's seconds, which the
 * error itself lengthened (or shortened) by -STEPS (the seconds so far): 0.14 s after 30 days
 * at +230 ppm, RATE x STEPS; mul() takes a negative STEPS as 2^16 + STEPS: RATE x 2^16 off
 * first (drift_acc's high half: SDCC's int32 is little-endian).
 * Registers: R6 = a, R7 = b; then R7:R4 = m. The stack holds what outlives a call: off, then
 * n (2 bytes) below h (4) below m (3, its high byte on top): the calls clobber every register.
 * Calls as SDCC makes them: info(s) and step(n) take their argument in DPL (DPH),
 * add(v) in DPL, DPH, B, A, mul(a, b) a there and b pushed (low byte first, dropped after). */
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
            "    add  a,#7\n"
            "    clr  c\n"
            "    subb a,@r0\n"
            "    add  a,#0xF9\n"                 /* - 7, C when it was 7 or more */
            "    jc   00001$\n"
            "    add  a,#7\n"                    /* under 7: as it was */
            "00001$:\n"
            "    push acc\n"                     /* off */
            "    add  a,#0xFF\n"                 /* gen = off (!= 0) */
            "    mov  _gen,c\n"
            "    mov  dpl,#0\n"
            "    lcall _info\n"
            "    push dpl\n"
            "    mov  dpl,#1\n"
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
            "    lcall _rate_now\n"
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
            "    mov  r0,#_ds1302_buf+6\n"       /* n = STEPS, STEPS = 0 */
            "    clr  a\n"
            "    xch  a,@r0\n"
            "    push acc\n"
            "    inc  r0\n"
            "    clr  a\n"
            "    xch  a,@r0\n"
            "    push acc\n"
            "    mov  r0,#_ds1302_buf+4\n"       /* drift_acc = (ACCG & ~1) x 8192: */
            "    mov  a,@r0\n"                   /* R5:R2 = ACCG & ~1 (its sign above) */
            "    anl  a,#0xFE\n"
            "    mov  r2,a\n"
            "    inc  r0\n"
            "    mov  a,@r0\n"
            "    mov  r3,a\n"
            "    rlc  a\n"
            "    subb a,acc\n"
            "    mov  r4,a\n"
            "    mov  r5,a\n"
            "    mov  r6,#32\n"                  /* x 32 */
            "    clr  a\n"
            "    lcall _mac\n"
            "    mov  r0,#_drift_acc\n"          /* x 256: a byte up */
            "    mov  @r0,#0\n"
            "    inc  r0\n"
            "    mov  @r0,ar2\n"
            "    inc  r0\n"
            "    mov  @r0,ar3\n"
            "    inc  r0\n"
            "    mov  @r0,ar4\n"
            "    mov  r2,#0xC0\n"                /* h = rate x 43200 */
            "    mov  r3,#0xA8\n"
            "    lcall 00020$\n"
            "    push dpl\n"
            "    push dph\n"
            "    push b\n"
            "    push acc\n"
            "    lcall _minutes\n"
            "    mov  r4,dpl\n"                  /* m = minutes() - REF x 4: REF off 4 times */
            "    mov  r5,dph\n"
            "    mov  r6,b\n"
            "    mov  r7,a\n"
            "    mov  r2,#4\n"
            "00011$:\n"
            "    mov  r0,#_ds1302_buf+8\n"
            "    clr  c\n"
            "    mov  a,r4\n"
            "    subb a,@r0\n"
            "    mov  r4,a\n"
            "    inc  r0\n"
            "    mov  a,r5\n"
            "    subb a,@r0\n"
            "    mov  r5,a\n"
            "    inc  r0\n"
            "    mov  a,r6\n"
            "    subb a,@r0\n"
            "    mov  r6,a\n"
            "    mov  a,r7\n"
            "    subb a,#0\n"
            "    mov  r7,a\n"
            "    djnz r2,00011$\n"
            "    mov  a,r6\n"
            "    anl  a,#0xF8\n"
            "    orl  a,r7\n"
            "    jz   00012$\n"                  /* m < 2^19 */
            "    mov  a,sp\n"                    /* not corrected: h and n dropped, ACC 0 */
            "    add  a,#0xFA\n"                 /* (STEPS 0) */
            "    mov  sp,a\n"
            "    clr  a\n"
            "    mov  r0,#_drift_acc\n"
            "    mov  @r0,a\n"
            "    inc  r0\n"
            "    mov  @r0,a\n"
            "    inc  r0\n"
            "    mov  @r0,a\n"
            "    inc  r0\n"
            "    mov  @r0,a\n"
            "    ljmp _fold\n"
            "00012$:\n"
            "    push ar4\n"
            "    push ar5\n"
            "    push ar6\n"
            "00014$:\n"                          /* while (m >= 720) { m -= 720; add(h); } */
            "    mov  r0,sp\n"
            "    dec  r0\n"
            "    dec  r0\n"                      /* m's low byte */
            "    clr  c\n"
            "    mov  a,@r0\n"
            "    subb a,#0xD0\n"                 /* 720 = 0x2D0 */
            "    mov  r2,a\n"
            "    inc  r0\n"
            "    mov  a,@r0\n"
            "    subb a,#0x02\n"
            "    mov  r3,a\n"
            "    inc  r0\n"
            "    mov  a,@r0\n"
            "    subb a,#0\n"
            "    jc   00015$\n"
            "    mov  @r0,a\n"
            "    dec  r0\n"
            "    mov  @r0,ar3\n"
            "    dec  r0\n"
            "    mov  @r0,ar2\n"
            "    dec  r0\n"                      /* h */
            "    mov  a,@r0\n"
            "    dec  r0\n"
            "    mov  b,@r0\n"
            "    dec  r0\n"
            "    mov  dph,@r0\n"
            "    dec  r0\n"
            "    mov  dpl,@r0\n"
            "    lcall _add\n"
            "    sjmp 00014$\n"
            "00015$:\n"
            "    pop  acc\n"                     /* m's high byte: 0 */
            "    pop  ar3\n"
            "    pop  ar2\n"
            "    mov  r4,a\n"
            "    mov  r5,a\n"
            "    mov  r6,#60\n"                  /* R3:R2 = m x 60 + clock_now.second */
            "    mov  r0,#_clock_now+5\n"
            "    mov  a,@r0\n"
            "    lcall _mac\n"
            "    mov  a,sp\n"                    /* h dropped */
            "    add  a,#0xFC\n"
            "    mov  sp,a\n"
            "    lcall 00020$\n"
            "    lcall _add\n"
            "    mov  r0,#_ds1302_buf+7\n"       /* the second-order term */
            "    mov  a,@r0\n"
            "    jnb  acc.7,00016$\n"
            "    mov  r0,#_drift_acc+2\n"        /* STEPS < 0: drift_acc's high half -= rate */
            "    mov  r1,#_rate\n"
            "    clr  c\n"
            "    mov  a,@r0\n"
            "    subb a,@r1\n"
            "    mov  @r0,a\n"
            "    inc  r0\n"
            "    inc  r1\n"
            "    mov  a,@r0\n"
            "    subb a,@r1\n"
            "    mov  @r0,a\n"
            "00016$:\n"
            "    mov  r0,#_ds1302_buf+6\n"
            "    mov  ar2,@r0\n"
            "    inc  r0\n"
            "    mov  ar3,@r0\n"
            "    lcall 00020$\n"
            "    lcall _add\n"
            "    mov  r0,#_ds1302_buf+6\n"       /* the catch-up's seconds */
            "    mov  dpl,@r0\n"
            "    inc  r0\n"
            "    mov  dph,@r0\n"
            "    mov  a,@r0\n"
            "    orl  a,dpl\n"
            "    jz   00017$\n"
            "    dec  sp\n"                      /* n dropped */
            "    dec  sp\n"
            "    setb _edge\n"
            "    ljmp _step\n"
            "00017$:\n"
            "    pop  acc\n"                     /* STEPS = n */
            "    mov  @r0,a\n"
            "    dec  r0\n"
            "    pop  acc\n"
            "    mov  @r0,a\n"
            "    ljmp _fold\n"
            "00020$:\n"                          /* DPL..A = mul(rate, R3:R2) */
            "    push ar2\n"
            "    push ar3\n"
            "    mov  r0,#_rate\n"
            "    mov  dpl,@r0\n"
            "    inc  r0\n"
            "    mov  a,@r0\n"
            "    mov  dph,a\n"
            "    rlc  a\n"
            "    subb a,acc\n"                   /* its sign, in the two high bytes */
            "    mov  b,a\n"
            "    lcall _mul\n"
            "    dec  sp\n"
            "    dec  sp\n"
            "    ret\n");
}
#endif
