/*
 * clock.c - the clock's time and settings, read from and written to the DS1302.
 * See clock.h for the DS1302 RAM layout and the first power-up rules.
 *
 * Reads: clock_poll() reads only the seconds register (16 bit times); when it differs from
 * the last one seen, a clock burst reads the whole time coherently (the chip copies its
 * counters into a buffer at CE rise, so a burst never straddles a rollover). Only
 * clock_poll() updates the last seconds seen: other readers (a GET reply) use clock_read()
 * and leave the new-second detector alone, so every second is drawn and alarm-checked.
 *
 * When to read (clock_wait, counted down by the caller once per tick): a new second seen at
 * tick T, when the read before it was g ticks earlier, began in (T - g, T]; the next one
 * begins 200 ticks later (the two crystals agree to far better than a tick a second). So
 * the seconds register is read once a tick only in a window from 200 - g - 1 ticks after T
 * to WIN_END, and between those every BG_TICKS (a check that catches a clock changed or
 * halted behind the firmware's back). In the steady state g = 1: three reads in the window,
 * nine checks, one burst a second, instead of fifty reads. Without a prediction (after
 * power-on, after any write to the clock, after a window that saw no new second, or when g
 * is too wide) the register is read every STEADY_TICKS (20 ms) until a new second is seen.
 * Writes: clock_prepare() validates and computes the weekday ahead of time;
 * clock_commit() encodes the burst, lifts WP by a single control write, sends one clock
 * burst (all 8 bytes), sets WP again. Nothing out of range ever reaches the chip. CH is
 * only cleared when found set (by rewriting the seconds register with the value it holds),
 * never by read-modify-write of a running clock.
 */
#include <stddef.h>
#include "board_config.h"
#include "clock.h"
#include "ds1302.h"
#include "buzzer.h"
#include "text.h"
#include "tick.h"
#include "app.h"
#include "drift.h"

#define BUILD_Y  ((BUILD_YEAR >= 2000 && BUILD_YEAR <= 2099) ? BUILD_YEAR - 2000 : 0)
#define BUILD_MO ((BUILD_MONTH >= 1 && BUILD_MONTH <= 12) ? BUILD_MONTH : 1)
#define BUILD_D  ((BUILD_DAY >= 1 && BUILD_DAY <= 31) ? BUILD_DAY : 1)
#define BUILD_DIM (BUILD_MO == 2 ? (BUILD_Y % 4 ? 28 : 29) \
                   : (BUILD_MO == 4 || BUILD_MO == 6 || BUILD_MO == 9 || BUILD_MO == 11) ? 30 : 31)
typedef char build_date_is_valid[(BUILD_D <= BUILD_DIM && BUILD_HOUR >= 0 && BUILD_HOUR < 24
                                  && BUILD_MINUTE >= 0 && BUILD_MINUTE < 60) ? 1 : -1];

datetime_t clock_now;
IDATA datetime_t clock_tmp;
IDATA datetime_t clock_new;
settings_t settings;
BIT clock_ready;
BIT settings_changed;

static uint8_t last_sec_raw;
uint8_t clock_wait = 1;             /* ticks to the next seconds read (app.c counts down) */
static uint8_t seen_at;             /* tick_count when the last new second was seen */
static uint8_t read_at;             /* tick_count at the last read */
static uint8_t win_lo;              /* the next window opens this many ticks after seen_at
                                       (0: no prediction, steady reads) */

#define STEADY_TICKS 4              /* 20 ms */
#define BG_TICKS     20             /* 100 ms: checks between windows */
#define WIN_END      (TICKS_PER_SEC + 3)
#define WIN_WIDEST   (2 * BG_TICKS)   /* a wider bracket: steady reads instead */
#if FEATURE_ALARM
static BIT alarm_latched;       /* the alarm already rang in the current matching minute */
#endif

/* in assembler: A = A + off for a day-of-week register (clock.h): wrapped to 1..7 (A <= 14)
 * by the subroutine wrap7 (bcd_dec()'s second entry: A and C only) */
#define WRAP7 "    lcall wrap7\n"

/* in the assembler below: the struct offsets and constants it relies on */
typedef char clock_asm_layout[(offsetof(datetime_t, year) == 0 && offsetof(datetime_t, second) == 5
                               && offsetof(datetime_t, wday) == 6
                               && offsetof(settings_t, flags) == 0 && SET_UNSET == 0x04
                               && UNSET_WDAY_SHIFT == 3 && DS1302_CLKBURST_R == 0xBF) ? 1 : -1];

#define XSTR(x) STR(x)
#define STR(x) #x

/* bcd_dec saves what it touches (A and B only): callers keep their registers */
#pragma callee_saves bcd_dec

/*
 * BCD byte -> 0..99, or 0xFF when a nibble is not a decimal digit. In assembler (SDCC's C
 * took 33 bytes and R6, R7): b in DPL; the result in DPL and A; uses A, B only. With wrap7
 * after it (WRAP7 above).
 *   lo = b & 15, hi = b >> 4: 0xFF if either is over 9, else b - 6 * hi (= 10 * hi + lo)
 */
static uint8_t bcd_dec(uint8_t b) __naked
{
    (void)b;
    __asm__("    mov  a,dpl\n"
            "    anl  a,#0x0F\n"
            "    add  a,#0xF6\n"                    /* C: lo > 9 */
            "    jc   00001$\n"
            "    mov  a,dpl\n"
            "    swap a\n"
            "    anl  a,#0x0F\n"                    /* hi */
            "    mov  b,#0xFA\n"                    /* -6 */
            "    cjne a,#10,00003$\n"
            "00003$:\n"
            "    jnc  00001$\n"                     /* hi > 9 */
            "    mul  ab\n"                         /* A = -6 * hi (mod 256) */
            "    add  a,dpl\n"
            "    sjmp 00002$\n"
            "00001$:\n"
            "    mov  a,#0xFF\n"
            "00002$:\n"
            "    mov  dpl,a\n"
            "    ret\n"
            "wrap7:\n"                        /* A (1..14) wrapped to 1..7: A, C */
            "    cjne a,#8,00004$\n"
            "00004$:\n"
            "    jc   00005$\n"
            "    subb a,#7\n"                      /* (C = 0) */
            "00005$:\n"
            "    ret\n");
}

bool_t clock_prepare(void)
{
    clock_ready = 0;
    if (!cal_valid(&clock_new))
        return 0;
    clock_new.wday = cal_weekday(&clock_new);
    clock_ready = 1;
    return 1;
}

/*
 * CRC-8 (x^8 + x^2 + x + 1, MSB first, seeded) of ds1302_buf[0..n-1], n >= 1 (the
 * settings: RAM0..2; the drift record). In assembler (SDCC's C took 46 bytes; every caller
 * is assembler): n in DPL, the CRC in DPL and A, R1 walks the buffer (&ds1302_buf[n] after
 * it: settings_save() and clock_boot() use that), R7 counts bytes, R6 bits (R1, R6, R7 and
 * A changed: a subset of what the C one changed):
 *   crc = SETTINGS_SEED; per byte: crc ^= byte, then 8 times: crc = crc << 1, ^ 0x07 if
 *   the bit shifted out was 1
 */
typedef char crc_seed_is[(SETTINGS_SEED == 0xA5) ? 1 : -1];
uint8_t clock_crc(uint8_t n) __naked
{
    (void)n;
    __asm__("    mov  r7,dpl\n"
            "    mov  r1,#_ds1302_buf\n"
            "    mov  a,#0xA5\n"                   /* SETTINGS_SEED */
            "00001$:\n"
            "    xrl  a,@r1\n"
            "    mov  r6,#8\n"
            "00002$:\n"
            "    add  a,acc\n"                     /* << 1, C = the bit shifted out */
            "    jnc  00003$\n"
            "    xrl  a,#0x07\n"
            "00003$:\n"
            "    djnz r6,00002$\n"
            "    inc  r1\n"
            "    djnz r7,00001$\n"
            "    mov  dpl,a\n"
            "    ret\n");
}

static bool_t date_moved(void);

uint8_t clock_poll(void)
{
    static uint8_t s;                   /* static: nothing to save around the calls */
    uint8_t now, since, gap;
    BIT ok;

    s = ds1302_read(DS1302_SEC_R);
    now = tick_count;
    gap = now - read_at;
    read_at = now;
    since = now - seen_at;
    clock_wait = STEADY_TICKS;          /* when to look again, unless changed below */
    if (s == last_sec_raw) {
        /* no new second */
        if (win_lo) {
            if (since >= WIN_END) {
                win_lo = 0;             /* the window passed without it: steady reads */
            } else {
                clock_wait = 1;         /* in the window */
                if (since < win_lo) {
                    /* before it: up to the window, checking meanwhile */
                    clock_wait = win_lo - since;
                    if (clock_wait > BG_TICKS)
                        clock_wait = BG_TICKS;
                }
            }
        }
        return 0;
    }
    /* a new second: it began in (now - gap, now]; the next one 200 ticks later */
    seen_at = now;
    win_lo = 0;
    if (gap <= WIN_WIDEST) {
        win_lo = TICKS_PER_SEC - 1 - gap;
        clock_wait = BG_TICKS;
    }
    if (s & DS1302_CH) {
        s &= 0x7F;                      /* (s is set again below) */
        if (bcd_dec(s) < 60) {
            /* halted while running (supply glitch): restart it where it stopped */
            ds1302_unprotect();
            ds1302_write(DS1302_SEC_W, s);
            ds1302_protect();
            win_lo = 0;
        }
    }
    ok = clock_read();                  /* an invalid time: clock_now is kept */
    last_sec_raw = ds1302_buf[0];       /* only here: a GET's read must not hide a second */
    s = CLOCK_SECOND;
    if (ok) {
#if FEATURE_DRIFT
        /* the drift's second (below); its DS1302 work (a step at :30 written at once, a
         * fold) only at a second seen within a tick of its edge, with no serial line under
         * way and the clock set: ok, done with, holds that (decided first: gap need not be
         * saved around the calls, 18 bytes less than the expression as the argument) */
        ok = 0;
        if (gap == 1 && !(settings.flags & SET_UNSET))
            ok = APP_IDLE();
#endif
        if (date_moved())
            s = CLOCK_SECOND | CLOCK_DAY;
#if FEATURE_DRIFT
        clock_settle();                 /* a set's reset first (at the set's clock_now) */
#endif
        dt_copy(&clock_now, &clock_tmp);
#if FEATURE_DRIFT
        drift_second(ok);
#endif
    }
#if FEATURE_ALARM
    if ((settings.flags & SET_ALARM_ON) && clock_now.hour == settings.alarm_hour
        && clock_now.minute == settings.alarm_minute) {
        if (!alarm_latched) {
            alarm_latched = 1;
            buzzer_ring();
        }
    } else {
        alarm_latched = 0;
    }
#endif
    return s;
}

/*
 * Whether clock_tmp's date differs from clock_now's, in C (SDCC's C: 4 bytes more):
 *   clock_tmp.year != clock_now.year || .month != || .day != (datetime_t's first three)
 * A, R0, R1.
 */
static bool_t date_moved(void) __naked
{
    __asm__("    mov  r0,#_clock_tmp\n"
            "    mov  r1,#_clock_now\n"
            "00001$:\n"
            "    mov  a,@r0\n"
            "    xrl  a,@r1\n"
            "    add  a,#0xFF\n"                   /* C: they differ */
            "    jc   00002$\n"
            "    inc  r0\n"
            "    inc  r1\n"
            "    cjne r0,#(_clock_tmp + 3),00001$\n"  /* (equal: C = 0) */
            "00002$:\n"
            "    ret\n");
}

/* The assembler functions that use registers come last: SDCC saves no registers around a
 * call to a function it knows as __naked, so the callers above see only the prototype
 * (clock.h) and save what they keep in registers. */

/*
 * In assembler (SDCC's C took 109 bytes). R0 walks up the burst, R1 down clock_tmp:
 *   ds1302_burst_read(DS1302_CLKBURST_R, 7);
 *   second, minute, hour, day, month = bcd_dec(buf[0..4]); year = bcd_dec(buf[6])
 *   (datetime_t is year, month, day, hour, minute, second: burst bytes 6, 4, 3, 2, 1, 0). A
 *   set CH (seconds bit 7) or 12-hour bit (hours bit 7) makes the field 80 or more: the
 *   range check refuses it like any other invalid time (and every 0xFF from bcd_dec).
 *   if (!cal_valid(&clock_tmp)) return 0;
 *   clock_tmp.wday = w = cal_weekday(&clock_tmp);
 *   the "set me" mark travels in the day-of-week register (see clock.h): SET_UNSET in
 *   settings.flags = (buf[5] == unset_wday(w)), w + 3 wrapped to 1..7; return 1 (carry).
 */
bool_t clock_read(void) __naked
{
    __asm__("    mov  _ds1302_burst_read_PARM_2,#7\n"
            "    mov  dpl,#0xBF\n"                  /* DS1302_CLKBURST_R */
            "    lcall _ds1302_burst_read\n"
            "    mov  r0,#_ds1302_buf\n"
            "    mov  r1,#(_clock_tmp + 5)\n"       /* second */
            "00001$:\n"
            "    mov  dpl,@r0\n"
            "    lcall _bcd_dec\n"                  /* (A and B only) */
            "    mov  @r1,a\n"
            "    inc  r0\n"
            "    dec  r1\n"
            "    cjne r1,#_clock_tmp,00001$\n"      /* second .. month */
            "    inc  r0\n"                         /* skip buf[5], the day-of-week register */
            "    mov  dpl,@r0\n"
            "    lcall _bcd_dec\n"
            "    mov  @r1,a\n"                      /* year */
            "    mov  dpl,#_clock_tmp\n"
            "    lcall _cal_valid\n"
            "    jnc  00002$\n"                     /* invalid: return 0 */
            "    mov  dpl,#_clock_tmp\n"
            "    lcall _cal_weekday\n"
            "    mov  a,dpl\n"
            "    mov  r0,#(_clock_tmp + 6)\n"
            "    mov  @r0,a\n"                      /* wday */
            "    anl  _settings,#0xFB\n"            /* ~SET_UNSET */
            "    add  a,#3\n"                       /* + UNSET_WDAY_SHIFT */
            WRAP7
            "    mov  r0,#(_ds1302_buf + 5)\n"
            "    xrl  a,@r0\n"
            "    jnz  00005$\n"
            "    orl  _settings,#0x04\n"            /* SET_UNSET */
            "00005$:\n"
            "    setb c\n"
            "00002$:\n"
            "    ret\n");
}

/*
 * In assembler (SDCC's C took 101 bytes), R0 walks up the burst, R1 down clock_new:
 *   buf[0..4] = text_bcd(second, minute, hour, day, month)  (CH = 0, 24 h);
 *   buf[5] = the day-of-week register: weekday + off, 1..7 (the "set me" mark, the drift's
 *   generation; without the drift feature the weekday as clock_boot() left it);
 *   buf[6] = text_bcd(year); buf[7] = 0x00 (control byte: still unprotected);
 *   ds1302_unprotect(); ds1302_burst_write(DS1302_CLKBURST_W, buf, 8) (the seconds restart
 *   at its CE fall); ds1302_protect();
 *   last_sec_raw = buf[0]; win_lo = 0 (the second restarts now: find it again);
 *   clock_ready = 0; settings.flags &= ~SET_UNSET (the burst carried the weekday: "set");
 *   dt_copy(&clock_now, &clock_new) (a tail call).
 * text_bcd() touches A and B only. R7 = off.
 */
typedef char write_layout[(DS1302_CLKBURST_W == 0xBE && DS1302_BUF_SIZE >= 8) ? 1 : -1];
#if FEATURE_DRIFT
void clock_write(uint8_t off) __naked
#else
void clock_commit(void) __naked
#endif
{
#if FEATURE_DRIFT
    (void)off;
#endif
    __asm__(
#if FEATURE_DRIFT
            "    mov  r7,dpl\n"                     /* off */
#endif
            "    mov  r0,#_ds1302_buf\n"
            "    mov  r1,#(_clock_new + 5)\n"       /* second */
            "00001$:\n"
            "    mov  dpl,@r1\n"
            "    lcall _text_bcd\n"
            "    mov  @r0,dpl\n"
            "    inc  r0\n"
            "    dec  r1\n"
            "    cjne r1,#_clock_new,00001$\n"      /* second .. month */
            "    mov  dpl,@r1\n"                    /* year */
            "    lcall _text_bcd\n"
            "    mov  r1,#(_clock_new + 6)\n"
            "    mov  a,@r1\n"                      /* wday */
#if FEATURE_DRIFT
            "    add  a,r7\n"
            WRAP7
#endif
            "    mov  @r0,a\n"                      /* buf[5] */
            "    inc  r0\n"
            "    mov  @r0,dpl\n"                    /* buf[6]: the year */
            "    inc  r0\n"
            "    mov  @r0,#0\n"                     /* buf[7]: control */
            "    lcall _ds1302_unprotect\n"
            "    mov  a,#8\n"
            "    mov  dpl,#0xBE\n"                  /* DS1302_CLKBURST_W */
            "    lcall burst_out\n"                 /* (settings_save()'s tail) */
            "    mov  r0,#_ds1302_buf\n"
            "    mov  _last_sec_raw,@r0\n"
            "    mov  _win_lo,#0\n"
            "    clr  _clock_ready\n"
            "    anl  _settings,#0xFB\n"            /* ~SET_UNSET */
            "    mov  _dt_copy_PARM_2,#_clock_new\n"
            "    mov  dpl,#_clock_now\n"
            "    ljmp _dt_copy\n");
}

#if FEATURE_DRIFT
/*
 * A set: the clock burst with the day-of-week register = weekday + PENDING_WDAY_SHIFT
 * (within the SET's 2 ms), the drift reset left pending (clock.h):
 *   clock_write(PENDING_WDAY_SHIFT); settings.flags |= SET_RESET;
 * A set while one is pending rewrites the clock with offset 2 again: one reset serves both.
 */
typedef char commit_consts[(PENDING_WDAY_SHIFT == 2 && SET_RESET == 0x10
                            && (SETTINGS_FLAGS & SET_RESET) == 0) ? 1 : -1];
void clock_commit(void) __naked
{
    __asm__("    orl  _settings,#0x10\n"            /* SET_RESET (clock_write() keeps it) */
            "    mov  dpl,#2\n"                     /* PENDING_WDAY_SHIFT */
            "    ljmp _clock_write\n");
}

/*
 * The pending drift reset, if any (the main loop, clock_poll()):
 *   if (settings.flags & SET_RESET) { settings.flags &= ~SET_RESET; drift_set(); (tail) }
 */
void clock_settle(void) __naked
{
    __asm__("    mov  a,_settings\n"
            "    jnb  acc.4,00001$\n"               /* SET_RESET */
            "    anl  _settings,#0xEF\n"
            "    ljmp _drift_set\n"
            "00001$:\n"
            "    ret\n");
}

/*
 * In assembler (SDCC's C took 29 bytes and wday_off() 19): off in DPL, kept on the stack
 * across ds1302_unprotect():
 *   ds1302_unprotect(); ds1302_write(DS1302_WDAY_W, clock_now.wday + off wrapped to 1..7);
 *   ds1302_protect() (a tail call)
 */
typedef char mark_layout[(DS1302_WDAY_W == 0x8A) ? 1 : -1];
void clock_mark(uint8_t off) __naked
{
    (void)off;
    __asm__("    push dpl\n"
            "    lcall _ds1302_unprotect\n"
            "    pop  acc\n"                        /* off */
            "    add  a,(_clock_now + 6)\n"         /* + wday */
            WRAP7
            "    mov  _ds1302_write_PARM_2,a\n"
            "    mov  dpl,#0x8A\n"                  /* DS1302_WDAY_W */
            "    lcall _ds1302_write\n"
            "    ljmp _ds1302_protect\n");
}
#endif

/*
 * In assembler (SDCC's C took 60 bytes):
 *   buf[0..4] = settings.flags & SETTINGS_FLAGS, alarm_hour, alarm_minute, their CRC,
 *   SETTINGS_MAGIC; ds1302_unprotect(); the magic is cleared first and written last, so a
 *   block cut anywhere is invalid: ds1302_write(DS1302_RAM_W(4), 0x00);
 *   settings_changed = 0; then burst_out (clock_write() calls it too): with DPL = the
 *   command and A = n: ds1302_burst_write(DPL, buf, n); ds1302_protect() (a tail call)
 */
typedef char save_layout[(offsetof(settings_t, alarm_hour) == 1
                          && offsetof(settings_t, alarm_minute) == 2 && SETTINGS_MAGIC == 0xC3
                          && DS1302_RAM_W(4) == 0xC8 && DS1302_RAMBURST_W == 0xFE
                          && SETTINGS_BYTES == 5) ? 1 : -1];
void settings_save(void) __naked
{
    __asm__("    mov  r0,#_ds1302_buf\n"
            "    mov  a,_settings\n"
            "    anl  a,#" XSTR(SETTINGS_FLAGS) "\n"
            "    mov  @r0,a\n"
            "    inc  r0\n"
            "    mov  @r0,(_settings + 1)\n"        /* alarm_hour */
            "    inc  r0\n"
            "    mov  @r0,(_settings + 2)\n"        /* alarm_minute */
            "    mov  dpl,#3\n"
            "    lcall _clock_crc\n"                /* (R1 = &buf[3] after it) */
            "    mov  @r1,a\n"
            "    inc  r1\n"
            "    mov  @r1,#0xC3\n"                  /* SETTINGS_MAGIC */
            "    lcall _ds1302_unprotect\n"
            "    mov  _ds1302_write_PARM_2,#0\n"
            "    mov  dpl,#0xC8\n"                  /* DS1302_RAM_W(4): the magic */
            "    lcall _ds1302_write\n"
            "    clr  _settings_changed\n"
            "    mov  a,#5\n"
            "    mov  dpl,#0xFE\n"                  /* DS1302_RAMBURST_W */
            "burst_out:\n"                          /* (clock_write()'s too) */
            "    mov  _ds1302_burst_write_PARM_2,#_ds1302_buf\n"
            "    mov  _ds1302_burst_write_PARM_3,a\n"
            "    lcall _ds1302_burst_write\n"
            "    ljmp _ds1302_protect\n");
}

/* the first power-up's start time: the build date (valid: checked when compiled, above),
 * 00 seconds; clock_new's year .. second */
static const CODE uint8_t build_time[6] = {
    BUILD_Y, BUILD_MO, BUILD_D, BUILD_HOUR, BUILD_MINUTE, 0
};

/*
 * In assembler (SDCC's C took 147 bytes):
 *   ds1302_init(); ds1302_burst_read(DS1302_RAMBURST_R, SETTINGS_BYTES);
 *   the settings from DS1302 RAM when CRC, magic and ranges agree (buf[3] == clock_crc(3),
 *   buf[4] == SETTINGS_MAGIC, buf[1] <= 23, buf[2] <= 59, no flag outside SETTINGS_FLAGS);
 *   else (a bad RAM magic/CRC) the defaults (alarm 07:00 off, 24 h) and settings_save();
 *   if (clock_read()) clock_now = clock_tmp (a tail call of dt_copy);
 *   else (invalid clock data, the first power-up) a defined start time and the "set me"
 *   state in the same burst: clock_new = build_time; clock_prepare(); the burst with the
 *   day-of-week register = weekday + UNSET_WDAY_SHIFT (without the drift feature:
 *   clock_new.wday is the register during clock_commit(), the weekday kept on the stack
 *   for clock_now); settings.flags |= SET_UNSET
 */
typedef char boot_layout[(DS1302_RAMBURST_R == 0xFF && sizeof(settings_t) == 3) ? 1 : -1];
void clock_boot(void) __naked
{
    __asm__("    lcall _ds1302_init\n"
            "    mov  _ds1302_burst_read_PARM_2,#5\n"
            "    mov  dpl,#0xFF\n"                  /* DS1302_RAMBURST_R */
            "    lcall _ds1302_burst_read\n"
            "    mov  dpl,#3\n"
            "    lcall _clock_crc\n"                /* the CRC of RAM0..2, in A; R1 = &buf[3] */
            "    xrl  a,@r1\n"
            "    jnz  00001$\n"                     /* CRC */
            "    inc  r1\n"
            "    cjne @r1,#0xC3,00001$\n"           /* magic */
            "    mov  r0,#(_ds1302_buf + 1)\n"
            "    cjne @r0,#24,00003$\n"
            "00003$:\n"
            "    jnc  00001$\n"                     /* alarm hour > 23 */
            "    inc  r0\n"
            "    cjne @r0,#60,00004$\n"
            "00004$:\n"
            "    jnc  00001$\n"                     /* alarm minute > 59 */
            "    mov  r0,#_ds1302_buf\n"
            "    mov  a,@r0\n"
            "    anl  a,#(0xFF - " XSTR(SETTINGS_FLAGS) ")\n"
            "    jnz  00001$\n"                     /* a flag that is never saved */
            "    mov  r1,#_settings\n"
            "00005$:\n"
            "    mov  a,@r0\n"
            "    mov  @r1,a\n"
            "    inc  r0\n"
            "    inc  r1\n"
            "    cjne r1,#(_settings + 3),00005$\n"
            "    sjmp 00002$\n"
            "00001$:\n"
            "    clr  a\n"
            "    mov  _settings,a\n"                /* flags */
            "    mov  (_settings + 2),a\n"          /* 07:00 */
            "    mov  (_settings + 1),#7\n"
            "    lcall _settings_save\n"
            "00002$:\n"
            "    lcall _clock_read\n"
            "    jnc  00006$\n"
            "    mov  _dt_copy_PARM_2,#_clock_tmp\n"
            "    mov  dpl,#_clock_now\n"
            "    ljmp _dt_copy\n"
            "00006$:\n"
            "    mov  dptr,#_build_time\n"
            "    mov  r0,#_clock_new\n"
            "00007$:\n"
            "    clr  a\n"
            "    movc a,@a+dptr\n"
            "    mov  @r0,a\n"
            "    inc  dptr\n"
            "    inc  r0\n"
            "    cjne r0,#(_clock_new + 6),00007$\n"
            "    lcall _clock_prepare\n"
#if FEATURE_DRIFT
            "    mov  dpl,#3\n"                     /* UNSET_WDAY_SHIFT */
            "    lcall _clock_write\n"
#else
            "    mov  r0,#(_clock_new + 6)\n"
            "    mov  a,@r0\n"                      /* the weekday */
            "    push acc\n"
            "    add  a,#3\n"                       /* + UNSET_WDAY_SHIFT */
            WRAP7
            "    mov  @r0,a\n"
            "    lcall _clock_commit\n"
            "    pop  (_clock_now + 6)\n"
#endif
            "    orl  _settings,#0x04\n"            /* SET_UNSET */
            "    ret\n");
}
