/*
 * protocol.c - serial protocol (docs/protocol.md): line framing, optional check (a CRC-16
 * "#CCCC" or an NMEA-style XOR "*HH"), command parsing and replies. Nothing is changed
 * unless a line is entirely valid.
 *
 * Checks in order: too long (> 40 chars), bad byte (outside 0x20..0x7E), check ('#' must be
 * followed by exactly four digits '0'..'?' giving the CRC-16 nibbles, '*' by exactly two hex
 * digits giving the XOR, then the line end), command. Replies carry the same form of check
 * when the request had one (ERR too long and ERR overflow never do: the line is gone).
 *
 * Receiving (take): bytes before the first '*' or '#' (the body) are stored upper-cased in
 * line[] and summed into in_xor and in_crc; the digits after it are compared on the fly
 * with the check they must give (in_crc, shifted a nibble per digit). A SET is parsed ahead
 * ("prepared": clock_prepare() validates it and computes its weekday) as soon as its
 * body is complete ('*' or '#' received) or, without a check, whenever the receive ring runs
 * dry; at the line end only the check test and clock_commit() remain.
 *
 * Replying: a complete line is executed at once and leaves its reply in a queue: a code
 * (R_* | R_DATA | R_CKS | R_CRC) and, for a SET, the time it wrote (6 bytes), for an ALARM
 * the alarm time (2 bytes; none, R_ALARM_AGAIN, when it is the time of the ALARM entry
 * before); R_DATA carries the one flag an ALARM (on), HOURS (12 h) or INFO (unset) reply
 * shows. All is taken at the line end, so each reply states the result of its
 * own request even when later lines changed things before it was sent. protocol_poll()
 * turns the oldest entry into text whenever the previous line has been sent (the text sink
 * XORs it on the way into the UART's line buffer); a reply longer than that buffer (INFO)
 * goes out in pieces, the next when the last has been sent. The receive ring is drained
 * between the pieces of a reply, so a SET line ending meanwhile still gets its DS1302 write
 * at once. GET replies read the clock when they are generated.
 * Flow control: a new line is taken from the receive ring only while the queue has room for
 * the largest entry; otherwise its bytes wait in the ring until a reply has gone out, so no
 * reply is ever dropped. Lines lost to a receive-ring overflow (uart.h) are answered
 * "ERR overflow", one each, in their place in the order of replies.
 * (Check forms: R_CRC marks a '#' request; the sink also adds every reply byte to out_crc.)
 *
 * Parsing is a cursor (pp) over the upper-cased body; words are separated by one or more
 * spaces; leading and trailing spaces are ignored.
 */
/* SDCC: no induction-variable or loop-invariant rewriting here: smaller code (measured) */
#pragma noinduction
#pragma noinvariant
#include "board_config.h"
#include "protocol.h"
#include "uart.h"
#include "clock.h"
#include "calendar.h"
#include "text.h"
#include "ui.h"
#if FEATURE_DS18B20
#include "ds18b20.h"
#define KW_TEMP " TEMP"
#define KW_TEMP_LEN 5
#define INFO_TEMP " temp=none"
#else
#define KW_TEMP ""
#define KW_TEMP_LEN 0
#define INFO_TEMP ""
#endif
#if FEATURE_LUNAR
#include "lunar.h"
#include "solar.h"
#define KW_CAL " CAL"
#define KW_CAL_LEN 4
#else
#define KW_CAL ""
#define KW_CAL_LEN 0
#endif
#if FEATURE_DRIFT
#include <stddef.h>
#include "drift.h"
#define KW_DRIFT " DRIFT"
#define KW_DRIFT_LEN 6
#else
#define KW_DRIFT ""
#define KW_DRIFT_LEN 0
#endif
#define E_SENSOR (FEATURE_DS18B20 || FEATURE_DRIFT)   /* ERR sensor: TEMP, DRIFT COMP ON */

static IDATA char line[PROTO_MAX_LINE + 1];  /* the body, upper-cased, NUL at the end */
static uint8_t len;                 /* body bytes stored */
static uint8_t trim;                /* body length without trailing spaces */
static uint8_t tot;                 /* bytes in the line so far (saturates) */
static uint8_t in_xor;              /* XOR of the raw bytes before the first '*' or '#' */
static uint16_t in_crc;             /* their CRC-16 (crc16() in text.c); after the '*' or
                                       '#': the check still to come, next digit on top */
static uint8_t lflags;
#define L_STAR  0x80                /* a '*' or '#' was received (== R_CKS) */
#define L_CRC   0x40                /* ... and it was '#' (== R_CRC) */
#define L_BAD   0x02                /* a byte outside 0x20..0x7E */
#define L_CKBAD 0x04                /* the suffix has a non-digit */
static uint8_t ck_n;                /* check digits still to come (0 at a good line end) */
static uint8_t prep_len = 0xFF;     /* body length the prepared parse belongs to */
static uint8_t prep_code;           /* its reply code */
static uint8_t pp;                  /* parse position */
static uint8_t kw;                  /* parse(): the command's keyword, cmd_drift(): its word */
#define PROTO_SET_MIN 23            /* strlen("SET 2026-11-24 12:05:31") */
static BIT bad_syntax, bad_range;
static BIT exec;                   /* parse() may change things (the line is complete) */

static PDATA uint8_t rq[PROTO_QUEUE];   /* replies: code, then 0, 2 or 6 result bytes */
static uint8_t rq_head, rq_tail;
static uint16_t owed;               /* lines lost to an overflow, not yet queued */
static uint8_t q_alarm[2] = { 0xFF, 0xFF };  /* the time of the last ALARM entry queued */
static IDATA uint8_t rp_alarm[2];          /* ... and of the last one taken off the queue */
static const CODE char *rp_s;       /* the reply being sent goes on here (0: none) */
static uint8_t rp_code;             /* ... its code */

/* reply codes; the first seven equal the command keywords' indices */
enum { R_SET, R_TIME, R_PONG, R_ALARM, R_HOURS, R_INFO, R_HELP,
#if FEATURE_LUNAR
       R_CAL,
#endif
#if FEATURE_DS18B20
       R_TEMP,
#endif
#if FEATURE_DRIFT
       R_DRIFT,
#endif
       R_E_UNKNOWN, R_E_SYNTAX, R_E_RANGE, R_E_LONG, R_E_BYTE, R_E_CKSUM, R_E_OVERFLOW,
#if E_SENSOR
       R_E_SENSOR,
#endif
#if FEATURE_DS18B20
       R_E_BUSY,
#endif
       R_ALARM_AGAIN                /* (queue only) an ALARM reply with the last one's time */
};
#define R_CKS  0x80                 /* the reply gets a check suffix: "*HH" ... */
#define R_CRC  0x40                 /* ... or "#CCCC" */
#define R_DATA 0x20                 /* ALARM: on, HOURS: 12 h, INFO: unset, DRIFT: COMP on
                                       (reply_flag()) */
#define R_CODE 0x1F

/* keyword lists, space-separated: index = position; the commands' list is the HELP reply */
/* SET first: matched soonest, it is on the path from a SET's last byte to its DS1302 write */
static const CODE char keywords[] = "SET GET PING ALARM HOURS INFO HELP" KW_CAL KW_TEMP KW_DRIFT;
static const CODE char onoff[] = "OFF ON";         /* index = SET_ALARM_ON or 0 */
static const CODE char hours[] = "24 12";          /* index << 1 = SET_H12 or 0 */
typedef char hours_index_is_the_flag[(SET_H12 == 2 && SET_ALARM_ON == 1) ? 1 : -1];
enum { K_SET, K_GET, K_PING, K_ALARM, K_HOURS, K_INFO, K_HELP,
#if FEATURE_LUNAR
       K_CAL,
#endif
#if FEATURE_DS18B20
       K_TEMP,
#endif
#if FEATURE_DRIFT
       K_DRIFT,
#endif
       K_END };
#if FEATURE_DRIFT
static const CODE char drift_words[] = "RATE K T0 COMP ID";
enum { D_RATE, D_K, D_T0, D_COMP, D_ID };
#define RQ_DRIFT 6                  /* of a DRIFT: its ID, RATE, K, T0 (bits 0-5; the last
                                       two stay queued until its third piece) */
/* the reply's RATE, K, T0 are the record's first four bytes (cmd_drift() copies them) */
typedef char drift_rec_layout[(offsetof(drift_rec_t, rate) == 0 && offsetof(drift_rec_t, k) == 2
                               && offsetof(drift_rec_t, t0seq) == 3) ? 1 : -1];
#endif
#define K_NONE 0xFF
#define RQ_DT  6                    /* result bytes of a SET: the time it wrote (datetime_t
                                       without the weekday, computed again for the reply) */
#define RQ_ALARM 2                  /* of an ALARM: its hour and minute */
#define RQ_DATE 3                   /* of a CAL: the date asked about (year, month, day) */
#define RQ_ROOM (1 + RQ_DT)         /* the largest entry: a line is taken only with this room */
#define SUFFIX_LEN 7                /* a reply's "#CCCC\r\n" */

/* ---- reply queue (a byte ring) ---- */

static void rq_put(uint8_t b)
{
    rq[rq_head] = b;
    if (++rq_head == PROTO_QUEUE)
        rq_head = 0;
}

static uint8_t rq_get(void)
{
    uint8_t b = rq[rq_tail];
    if (++rq_tail == PROTO_QUEUE)
        rq_tail = 0;
    return b;
}

/* result bytes queued after reply code k (R_CODE bits) */
static uint8_t rq_len(uint8_t k)
{
    if (k == R_SET)
        return RQ_DT;
#if FEATURE_DRIFT
    if (k == R_DRIFT)
        return RQ_DRIFT;
#endif
#if FEATURE_LUNAR
    if (k == R_CAL)
        return RQ_DATE;
#endif
    if (k == R_ALARM)
        return RQ_ALARM;
    return 0;
}

/* the settings flag that reply code k shows (R_DATA): SET_ALARM_ON, SET_H12, SET_UNSET */
static uint8_t reply_flag(uint8_t k)
{
    if (k == R_ALARM)
        return SET_ALARM_ON;
    if (k == R_HOURS)
        return SET_H12;
    if (k == R_INFO)
        return SET_UNSET;
#if FEATURE_DRIFT
    if (k == R_DRIFT)
        return SET_COMP;
#endif
    return 0;
}

static uint8_t rq_room(void)
{
    uint8_t room = rq_tail - rq_head - 1;
    if (rq_tail <= rq_head)
        room += PROTO_QUEUE;
    return room;
}

#define XSTR(x) STR(x)
#define STR(x) #x

/* ---- input cursor ---- */

static void skip_spaces(void)
{
    while (line[pp] == ' ')
        pp++;
}

static bool_t at_end(void)
{
    skip_spaces();
    return line[pp] == 0;
}

/* the next character must be c (else syntax error; the cursor then stays) */
static void expect(char c)
{
    if (line[pp] == c)
        pp++;
    else
        bad_syntax = 1;
}

/* two decimal digits -> 0..99; a syntax error (and 0) otherwise */
static uint8_t take_2d(void)
{
    uint8_t a = (uint8_t)(line[pp] - '0'), b = (uint8_t)(line[pp + 1] - '0');
    if (a > 9 || b > 9) {
        bad_syntax = 1;
        return 0;
    }
    pp += 2;
    return (uint8_t)(a * (uint8_t)10) + b;
}

/* "HH:MM" -> take_h, take_m (syntax error if malformed) */
static uint8_t take_h, take_m;
static void take_hm(void)
{
    take_h = take_2d();
    expect(':');
    take_m = take_2d();
}

/* the word at the cursor (no spaces before it) as an index in list k (K_NONE if unknown,
 * the cursor then stays) */
static uint8_t take_word(const CODE char *k)
{
    uint8_t idx = 0, p;
    char c;

    for (;;) {
        p = pp;
        while ((c = *k) > ' ' && c == line[p]) {
            k++;
            p++;
        }
        c = line[p];
        if (*k <= ' ' && (c == ' ' || c == 0)) {
            pp = p;
            return idx;
        }
        while (*k > ' ')
            k++;
        if (!*k++)
            return K_NONE;
        idx++;
    }
}

#if FEATURE_DRIFT
/* [sign] 1..nd digits [. 1..fd digits] at line[pp] -> the value x 10^fd, in magnitude
 * (saturated at 0xFFFF: a range error for any limit); a syntax error if malformed. spec:
 * nd << 4 | fd, | TF_SIGN where a sign may come first (take_neg: it was '-'). In C terms:
 *     v = m = frac = take_neg = 0;
 *     if ((spec & TF_SIGN) && (line[pp] == '-' || line[pp] == '+'))
 *         take_neg = line[pp++] == '-';
 *     for (;;) {
 *         c = line[pp] - '0';
 *         if (c > 9) {
 *             if (!m) bad_syntax = 1;          (no digit before or after the point)
 *             if (frac || line[pp] != '.') break;
 *             frac = 1; pp++; nd = fd; m = 0; continue;
 *         }
 *         if (m == nd) { bad_syntax = 1; break; }      (too many digits)
 *         m++; pp++; if (frac) fd--;
 *         v = v * 10 + c;                      (saturating)
 *     }
 *     while (fd--) v = v * 10;                 (saturating)
 * In assembler (SDCC's C: 266 bytes and 6 of overlaid RAM): R0 = &line[pp], R1 = m, R2
 * scratch, R4:R3 = v, R5 = nd, R6 = fd, R7 = spec, F0 = frac. */
#define TF_SIGN 0x80
static BIT take_neg;
static uint16_t take_fixed(uint8_t spec) __naked
{
    (void)spec;
    __asm__("    mov  a,dpl\n"
            "    mov  r7,a\n"
            "    anl  a,#0x0F\n"
            "    mov  r6,a\n"                       /* fd */
            "    mov  a,r7\n"
            "    swap a\n"
            "    anl  a,#0x07\n"
            "    mov  r5,a\n"                       /* nd */
            "    clr  a\n"
            "    mov  r3,a\n"
            "    mov  r4,a\n"
            "    mov  r1,a\n"
            "    clr  _take_neg\n"
            "    clr  f0\n"
            "    mov  a,_pp\n"
            "    add  a,#_line\n"
            "    mov  r0,a\n"
            "    mov  a,r7\n"
            "    jnb  acc.7,00002$\n"               /* no sign */
            "    mov  a,@r0\n"
            "    cjne a,#0x2D,00001$\n"             /* '-' */
            "    setb _take_neg\n"
            "    sjmp 00011$\n"
            "00001$:\n"
            "    cjne a,#0x2B,00002$\n"             /* '+' */
            "00011$:\n"
            "    inc  r0\n"
            "00002$:\n"
            "    mov  a,@r0\n"
            "    add  a,#0xD0\n"                    /* - '0' */
            "    cjne a,#10,00003$\n"
            "00003$:\n"
            "    jc   00005$\n"
            "    mov  a,r1\n"                       /* not a digit */
            "    jnz  00004$\n"
            "    setb _bad_syntax\n"
            "00004$:\n"
            "    jb   f0,00008$\n"
            "    cjne @r0,#0x2E,00008$\n"           /* '.' */
            "    setb f0\n"
            "    inc  r0\n"
            "    mov  a,r6\n"
            "    mov  r5,a\n"
            "    mov  r1,#0\n"
            "    sjmp 00002$\n"
            "00005$:\n"
            "    mov  r2,a\n"                       /* a digit */
            "    mov  a,r1\n"
            "    xrl  a,r5\n"
            "    jnz  00006$\n"
            "    setb _bad_syntax\n"
            "    sjmp 00008$\n"
            "00006$:\n"
            "    inc  r1\n"
            "    inc  r0\n"
            "    jnb  f0,00007$\n"
            "    dec  r6\n"
            "00007$:\n"
            "    mov  a,r2\n"
            "    lcall 00020$\n"
            "    sjmp 00002$\n"
            "00008$:\n"                            /* the decimals not given */
            "    mov  a,r6\n"
            "    jz   00009$\n"
            "    dec  r6\n"
            "    clr  a\n"
            "    lcall 00020$\n"
            "    sjmp 00008$\n"
            "00009$:\n"
            "    mov  a,r0\n"
            "    clr  c\n"
            "    subb a,#_line\n"
            "    mov  _pp,a\n"
            "    mov  dpl,r3\n"
            "    mov  dph,r4\n"
            "    ret\n"
            "00020$:\n"                            /* v = v x 10 + A, saturating */
            "    mov  r2,a\n"
            "    mov  a,r3\n"
            "    mov  b,#10\n"
            "    mul  ab\n"
            "    add  a,r2\n"
            "    mov  r3,a\n"
            "    clr  a\n"
            "    addc a,b\n"
            "    mov  r2,a\n"
            "    mov  a,r4\n"
            "    mov  b,#10\n"
            "    mul  ab\n"
            "    jb   ov,00021$\n"
            "    add  a,r2\n"
            "    mov  r4,a\n"
            "    jnc  00022$\n"
            "00021$:\n"
            "    mov  r3,#0xFF\n"
            "    mov  r4,#0xFF\n"
            "00022$:\n"
            "    ret\n");
}

/* four hex digits, either case (line[] is upper-cased) -> their value; else a syntax error */
static uint16_t take_hex4(void)
{
    uint16_t v = 0;
    uint8_t n = 4, d;

    do {
        d = (uint8_t)(line[pp] - '0');
        if (d > 9) {
            d -= 'A' - '0' - 10;
            if (d < 10 || d > 15)
                bad_syntax = 1;
        }
        v = (v << 4) | d;
        pp++;
    } while (--n);
    return v;
}
#endif

/* ---- commands: the body in line[] -> a reply code; changes only when exec ---- */

/* "20YY-MM-DD" (after spaces) into clock_new; the century digits are returned */
static uint8_t take_date(void)
{
    uint8_t century;
    skip_spaces();
    century = take_2d();
    clock_new.year = take_2d();
    expect('-');
    clock_new.month = take_2d();
    expect('-');
    clock_new.day = take_2d();
    return century;
}

static uint8_t cmd_set(void)
{
    uint8_t century = take_date();
    expect(' ');
    skip_spaces();
    take_hm();
    clock_new.hour = take_h;
    clock_new.minute = take_m;
    expect(':');
    clock_new.second = take_2d();
    if (bad_syntax || !at_end())
        return R_E_SYNTAX;
    if (century != 20 || !clock_prepare())  /* validates; nothing written yet */
        return R_E_RANGE;
    return R_SET;
}

#if FEATURE_DRIFT
/* DRIFT [RATE r | K k | T0 t | COMP ON|OFF | ID hhhh]: the change made (line end only: a
 * DRIFT line is never prepared), the state for the reply into clock_new (RQ_DRIFT bytes: ID,
 * then RATE, K, T0 as in the record); COMP goes as the reply's R_DATA flag (SET_COMP).
 * Its value lives in XRAM (no internal RAM to spare). */
static const CODE uint8_t drift_fix[] = {           /* RATE, K, T0: take_fixed()'s spec */
    TF_SIGN | 3 << 4 | 2, TF_SIGN | 1 << 4 | 3, 3 << 4 | 0
};
static const CODE uint8_t drift_max[] = { 0, DRIFT_K_MAX, DRIFT_T0_MAX };   /* K, T0 */
static PDATA uint16_t drift_v;
static uint8_t cmd_drift(void)
{
    kw = K_NONE;
    take_neg = 0;
    if (!at_end()) {
        kw = take_word(drift_words);
        skip_spaces();
        if (kw <= D_T0) {
            drift_v = take_fixed(drift_fix[kw]);
            if (drift_v > (kw == D_RATE ? DRIFT_RATE_MAX : drift_max[kw]))
                bad_range = 1;
        } else if (kw == D_COMP) {
            drift_v = take_word(onoff);         /* ON: 1 */
            if ((uint8_t)drift_v == K_NONE)
                bad_syntax = 1;
        } else if (kw == D_ID) {
            drift_v = take_hex4();
            if ((uint16_t)(drift_v + 1) < 2)    /* 0000, FFFF */
                bad_range = 1;
        } else {
            bad_syntax = 1;
        }
        if (bad_syntax || !at_end())
            return R_E_SYNTAX;
        if (bad_range)
            return R_E_RANGE;
        if (take_neg)
            drift_v = -drift_v;
#if FEATURE_DS18B20
        if (kw == D_COMP && drift_v && temp_state == TEMP_NONE)
#else
        if (kw == D_COMP && drift_v)
#endif
            return R_E_SENSOR;              /* no sensor to compensate with */
    }
    drift_load();
    if (kw == D_ID) {
        drift_put_id(drift_v);
    } else if (kw != K_NONE) {
        if (kw == D_RATE)
            DRIFT_REC->rate = drift_v;
        else if (kw == D_K)
            DRIFT_REC->k = (int8_t)drift_v;
        else if (kw == D_T0)
            DRIFT_REC->t0seq = (DRIFT_REC->t0seq & 0xC0) | (uint8_t)drift_v;
        else {
            settings.flags = (settings.flags & ~SET_COMP) | (drift_v ? SET_COMP : 0);
            settings_changed = 1;
        }
        drift_store();                      /* folded: the change applies from now on */
    }
    drift_v = drift_id();
    clock_new.year = (uint8_t)drift_v;
    clock_new.month = (uint8_t)(drift_v >> 8);
    {
        uint8_t NEAR *d = &clock_new.day;   /* RATE, K, T0 */
        uint8_t NEAR *r = ds1302_buf;
        do
            *d++ = *r++;
        while (d != &clock_new.wday);
    }
    return R_DRIFT;
}
#endif

/* the body line[0..trim) -> reply code (SET: prepared, not written) */
static uint8_t parse(void)
{
    static uint8_t f, n, v;      /* static: nothing to save around the calls */

    line[trim] = 0;
    bad_syntax = 0;
    bad_range = 0;
    pp = 0;
    skip_spaces();
    kw = take_word(keywords);
    if (kw == K_SET)
        return cmd_set();
    if (kw >= K_END)
        return R_E_UNKNOWN;
#if FEATURE_LUNAR
    if (kw == K_CAL) {                       /* the date into clock_new (the reply's result) */
        dt_copy(&clock_new, &clock_now);    /* today, unless a date follows */
        n = 20;
        if (!at_end()) {
            n = take_date();
            if (bad_syntax || !at_end())
                return R_E_SYNTAX;
        }
        if (n != 20 || !cal_valid(&clock_new))
            return R_E_RANGE;
        return R_CAL;
    }
#endif
#if FEATURE_DRIFT
    if (kw == K_DRIFT)
        return cmd_drift();
#endif
    if (at_end())
        return kw;                           /* GET PING ALARM HOURS INFO HELP TEMP: R_* == K_* */
    /* ALARM and HOURS with an argument: the settings they make, applied only when exec */
    f = settings.flags;
    take_h = settings.alarm_hour;
    take_m = settings.alarm_minute;
    if (kw == K_ALARM) {
        n = pp;
        v = take_word(onoff);               /* ON: SET_ALARM_ON, OFF: 0 */
        if (v == K_NONE || !at_end()) {
            pp = n;
            take_hm();
            v = SET_ALARM_ON;
            if (take_h > 23 || take_m > 59)
                bad_range = 1;
        }
        f = (f & ~SET_ALARM_ON) | v;
    } else if (kw == K_HOURS) {
        v = take_word(hours);               /* 12: 1, 24: 0 */
        if (v == K_NONE) {                  /* digits: a range error, else syntax */
            n = pp;
            while ((uint8_t)(line[pp] - '0') <= 9)
                pp++;
            if (pp == n)
                bad_syntax = 1;
            bad_range = 1;
            v = 0;
        }
        f = (f & ~SET_H12) | (uint8_t)(v << 1);
    } else {
        return R_E_SYNTAX;                  /* no other command takes an argument */
    }
    if (bad_syntax || !at_end())
        return R_E_SYNTAX;
    if (bad_range)
        return R_E_RANGE;
    if (exec) {
        settings.flags = f;
        settings.alarm_hour = take_h;
        settings.alarm_minute = take_m;
        settings_changed = 1;
        ui_cancel_edit();
    }
    return kw;                               /* R_ALARM, R_HOURS */
}

/* parse a SET body ahead of its line end (no changes) */
static void prepare(void)
{
    if (line[0] != 'S' || prep_len == trim || tot > PROTO_MAX_LINE || (lflags & L_BAD))
        return;
    exec = 0;
    prep_code = parse();
    prep_len = trim;
}

#if FEATURE_DRIFT
bool_t protocol_idle(void)
{
    return !tot && !uart_rx_ready();
}
#endif

bool_t protocol_set_near(void)
{
    return line[0] == 'S' && len >= PROTO_SET_MIN - 2;
}

/* ---- the line end: checks, execution, reply code ---- */

static void line_end(void)
{
    uint8_t code, n;
    uint8_t NEAR *p;

    if (tot > PROTO_MAX_LINE) {
        code = R_E_LONG;
    } else {
        code = lflags & (L_STAR | L_CRC);
        if (lflags & L_BAD) {
            code |= R_E_BYTE;
        } else if ((lflags & L_STAR) && ((lflags & L_CKBAD) || ck_n)) {
            code |= R_E_CKSUM;
        } else {
            n = prep_code;
            if (prep_len != trim || n != R_SET || !clock_ready) {
                exec = 1;
                n = parse();
            }
            if (n == R_SET) {
                clock_commit();             /* the DS1302 seconds restart now */
                ui_cancel_edit();
            }
            code |= n;
        }
    }
    /* the result goes with the code: a SET's time, an ALARM's time, a flag (R_DATA); the
     * room is there (protocol_rx() took the line only with room for the largest entry) */
    n = code & R_CODE;
    if (settings.flags & reply_flag(n))
        code |= R_DATA;
    p = &clock_new.year;
    if (n == R_ALARM) {
        /* most ALARM replies show the time the one before showed: then the code alone */
        p = &settings.alarm_hour;
        if (p[0] == q_alarm[0] && p[1] == q_alarm[1])
            code += R_ALARM_AGAIN - R_ALARM;
        q_alarm[0] = p[0];
        q_alarm[1] = p[1];
    }
    rq_put(code);
    n = rq_len(code & R_CODE);
    while (n--)
        rq_put(*p++);
    ui_dirty = UI_ALL;
}

/* forget the line so far (a line end, or the line was cut by an overflow) */
static void line_reset(void)
{
    tot = len = trim = in_xor = lflags = 0;
    in_crc = 0;
    prep_len = 0xFF;
    clock_ready = 0;
}

static void take(uint8_t c)
{
    uint8_t d;
    if (c == '\r' || c == '\n') {
        if (tot)
            line_end();
        line_reset();
        return;
    }
    if (tot != 0xFF)
        tot++;
    if (c < 0x20 || c > 0x7E)
        lflags |= L_BAD;
    if (lflags & L_STAR) {                  /* the check suffix: digits */
        d = c - '0';                        /* '#': '0'..'?' -> 0..15 */
        if (!(lflags & L_CRC) && d > 9) {
            d = (uint8_t)(c | 0x20) - 'a';  /* '*': 'a'..'f' (either case) -> 10..15 */
            if (d > 5)
                lflags |= L_CKBAD;
            d += 10;
        }
        if (d != (uint8_t)(in_crc >> 12))   /* (a non-digit: d > 15) */
            lflags |= L_CKBAD;
        in_crc <<= 4;
        ck_n--;
        return;
    }
    if (c == '*' || c == '#') {
        lflags |= L_STAR;
        ck_n = 4;
        if (c == '*') {
            in_crc = (uint16_t)in_xor << 8;
            ck_n = 2;
        } else {
            lflags |= L_CRC;
        }
        prepare();                          /* the body is complete */
        return;
    }
    in_xor ^= c;
    in_crc = crc16(in_crc, c);
    if (len < PROTO_MAX_LINE) {
        if (c >= 'a' && c <= 'z')
            c -= 32;
        line[len++] = c;
        if (c != ' ')
            trim = len;
    }
}

/* Take received bytes: answer lines lost to an overflow where they were, start a new line
 * only with room in the queue for its reply (else leave it in the ring), and parse a long
 * enough body ahead whenever the ring runs dry. */
void protocol_rx(void)
{
    uint16_t lost;
    for (;;) {
        lost = uart_rx_lost();
        if (lost) {
            owed += lost;
            line_reset();               /* the start of the line the overflow cut */
        }
        if (owed) {
            if (!rq_room())
                return;
            rq_put(R_E_OVERFLOW);       /* no check form: the line is gone */
            owed--;
            continue;
        }
        if (!uart_rx_ready() || (!tot && rq_room() < RQ_ROOM))
            return;
        take(uart_getc());
        if (!uart_rx_ready() && !(lflags & L_STAR) && trim >= PROTO_SET_MIN)
            prepare();
    }
}

/* ---- replies (through the text sink, out_uart = 1) ---- */

static const CODE char r_time[] =               /* "2026-11-24 12:05:31 TUE" */
    "20" FC_YEAR "-" FC_MONTH "-" FC_DAY FC_RX " " FC_HOUR ":" FC_MIN ":" FC_SEC " " FC_WDAY;
static const CODE char r_alarm[] =
    "ALARM " FC_HOUR ":" FC_MIN FC_IF_ON " ON" FC_ELSE " OFF" FC_FI;
static const CODE char r_hours[] = "HOURS " FC_IF_H12 "12" FC_ELSE "24" FC_FI;
#if FEATURE_LUNAR
/* the names at the FC_RX after each '=' (reply_run()), the check in a piece of its own */
static const CODE char r_cal[] =
    "CAL 20" FC_YEAR "-" FC_MONTH "-" FC_DAY " term=" FC_RX " fest=" FC_RX FC_PIECE;
#endif
#if FEATURE_DRIFT
/* each number at the FC_RX after its keyword (drift_field(): the keyword's last letter before
 * the space), in three pieces (ACC and STEPS in one: read together); COMP by the R_DATA flag */
#define FC_IF_COMP "\xA8"                       /* FC_IF(SET_COMP) */
typedef char fc_if_comp[(SET_COMP == 0x08) ? 1 : -1];
static const CODE char r_drift[] =
    "DRIFT ID " FC_RX " RATE " FC_RX FC_PIECE " ACC " FC_RX " STEPS " FC_RX FC_PIECE
    " COMP " FC_IF_COMP "ON" FC_ELSE "OFF" FC_FI " K " FC_RX " T0 " FC_RX;
#endif
/* INFO goes out in three pieces (see reply_run()) */
#define INFO_P1 "INFO clock51 " FIRMWARE_VERSION " board=" BOARD_NAME
#define INFO_P2 " mcu=" BOARD_MCU " xtal=" BOARD_F_CPU_STR
#if FEATURE_DS18B20
#define INFO_P3 " baud=" XSTR(UART_BAUD) " temp="
#else
#define INFO_P3 " baud=" XSTR(UART_BAUD)
#endif
static const CODE char r_info[] =
    INFO_P1 FC_PIECE INFO_P2 FC_PIECE INFO_P3
#if FEATURE_DS18B20
    FC_RX                                       /* + the state word (reply_run()) */
#endif
    FC_IF_UNSET " rtc=unset" FC_ELSE " rtc=ok" FC_FI;
#if FEATURE_DS18B20
static const CODE char temp_words[] = "wait\0none\0err\0ok";    /* by temp_state */
#endif
/* HELP: the keywords; when they and the check do not fit the line buffer together
 * (3 + 44 + 7 with CAL and TEMP), reply_start() prints them and the check is a piece of
 * its own (FC_FI: no '=' before the FC_PIECE) */
#define HELP_LEN (3 + 34 + KW_CAL_LEN + KW_TEMP_LEN + KW_DRIFT_LEN)  /* "OK SET ... TEMP DRIFT" */
#if HELP_LEN + SUFFIX_LEN > UART_TX_SIZE
#define HELP_SPLIT 1
#define r_help (FC_FI FC_PIECE)
#else
#define HELP_SPLIT 0
#define r_help keywords
#endif
/* per reply code: the text after "OK " / "ERR " */
static const CODE char * const CODE replies[] = {
    r_time, r_time, "PONG", r_alarm, r_hours, r_info, r_help,
#if FEATURE_LUNAR
    r_cal,
#endif
#if FEATURE_DS18B20
    "TEMP ",                                    /* + the reading or NONE (reply()) */
#endif
#if FEATURE_DRIFT
    r_drift,
#endif
    "unknown command", "syntax", "range", "too long", "bad byte", "checksum", "overflow"
#if E_SENSOR
    , "sensor"
#endif
#if FEATURE_DS18B20
    , "busy"
#endif
};

/* Pieces: at an FC_RX the receive ring is drained and the reply goes on; at an FC_PIECE
 * (INFO's) it goes on once the line buffer has been sent. Each piece fits the buffer (the
 * lengths of the texts above, counted by hand: a sizeof of a string literal would put the
 * literal into the image; SUFFIX_LEN = "#CCCC\r\n"): */
#define TX_FITS(name, len) typedef char name[((len) <= UART_TX_SIZE) ? 1 : -1]
TX_FITS(info_1_fits, 3 + 13 + FIRMWARE_VERSION_LEN + 7 + BOARD_NAME_LEN);
TX_FITS(info_2_fits, 5 + BOARD_MCU_LEN + 6 + BOARD_F_CPU_STR_LEN);
TX_FITS(info_3_fits, 6 + UART_BAUD_LEN + 6 + 4 + 10 + SUFFIX_LEN);  /* temp=none rtc=unset */
TX_FITS(help_fits, HELP_LEN + (HELP_SPLIT ? 0 : SUFFIX_LEN));
TX_FITS(time_fits, 26 + SUFFIX_LEN);                /* "OK 2026-11-24 12:05:31 TUE" */
TX_FITS(error_fits, 19 + SUFFIX_LEN);               /* "ERR unknown command" */
TX_FITS(cal_fits, 17 + 6 + 11 + 6 + 9);   /* "OK CAL 2012-10-23 term=ShuangJiang fest=ChongYang" */
TX_FITS(drift_fits, 31 + SUFFIX_LEN);   /* " COMP OFF K -0.127 T0 63" (the longest piece: 29, 24) */

#if FEATURE_DRIFT
/* a DRIFT reply's number after its keyword (c: the keyword's last letter): ID and RATE from
 * the queued state (clock_tmp: ID, RATE), ACC and STEPS now, K and T0 off the queue (at K) */
static void drift_field(char c)
{
    if (c == 'D') {                             /* ID */
        if ((uint16_t)(*(uint16_t NEAR *)&clock_tmp.year + 1) < 2)
            out_fmt("NONE");                    /* 0000, FFFF */
        else
            out_hex4(*(uint16_t NEAR *)&clock_tmp.year);
    } else if (c == 'E') {                      /* RATE: +300.00 */
        out_fixed(*(int16_t NEAR *)&clock_tmp.day, OF_SIGN | 2);
    } else if (c == 'C') {                      /* ACC: +1.234 (10 ns, rounded to ms) */
        out_fixed(drift_acc, OF_SIGN | OF_LO5 | 8);
    } else if (c == 'S') {                      /* STEPS: +12 */
        out_fixed(drift_steps(), OF_SIGN);
    } else if (c == 'K') {                      /* K: -0.034 (K and T0 off the queue) */
        clock_tmp.year = rq_get();
        clock_tmp.month = rq_get();
        out_fixed((int8_t)clock_tmp.year, OF_SIGN | 3);
    } else {                                    /* T0: 25 */
        out_fixed(clock_tmp.month & 0x3F, 0);
    }
}
#endif

/* the reply rp_code from rp_s on, up to its end or a piece boundary (rp_s, rp_code: its
 * state, used in place: nothing to save around the calls) */
static void reply_run(void)
{
    uint8_t c, n;

    out_uart = 1;
    fmt_flags = 0;
    if (rp_code & R_DATA)
        fmt_flags = reply_flag(rp_code & R_CODE);
    while ((rp_s = out_fmt(rp_s)) != 0) {
        protocol_rx();                          /* between the pieces of a long reply */
#if FEATURE_DRIFT
        if ((uint8_t)(rp_code & R_CODE) == R_DRIFT && rp_s[-1] == FCN_RX) {
            drift_field(rp_s[-3]);
            continue;
        }
#endif
        if (rp_s[-2] == '=') {                  /* a value: */
#if FEATURE_LUNAR
            if ((uint8_t)(rp_code & R_CODE) == R_CAL) {
                /* CAL's term, then its festival (reply_start() computed both; nothing
                 * changes `solar` within this call, and the pages recompute theirs) */
                solar_print(solar.term);
                solar.term = solar.fest;
                continue;
            }
#endif
#if FEATURE_DS18B20
            out_fmt(text_nth(temp_words, temp_state));  /* INFO's " temp=" */
#endif
        }
        if (rp_s[-1] == FCN_PIECE) {
            out_uart = 0;                       /* the rest when this piece has been sent */
            return;
        }
    }
#if FEATURE_DS18B20
    if ((uint8_t)(rp_code & R_CODE) == R_TEMP) {
        if (temp_state == TEMP_OK)
            temp_print();
        else
            out_fmt("NONE");
    }
#endif
    protocol_rx();
    if (rp_code & R_CKS) {                      /* "#CCCC" ('0' + nibble) or "*HH" (hex) */
        n = 5;                                  /* the marker and four digits ... */
        c = '#';
        if (!(rp_code & R_CRC)) {
            out_crc = (uint16_t)out_xor << 8;
            n = 3;                              /* ... or two */
            c = '*';
        }
        do {
            uart_putc(c);
            c = (uint8_t)(out_crc >> 12) + '0';
            if (c > '9' && !(rp_code & R_CRC))
                c += 'A' - '9' - 1;
            out_crc <<= 4;
        } while (--n);
    }
    out_fmt("\r\n");
    out_uart = 0;
}

/* the oldest queued reply: its result into clock_tmp (fmt_p), its "OK "/"ERR " (reply_run()
 * goes on) */
static void reply_start(void)
{
    uint8_t k, n;
    uint8_t NEAR *d;

    rp_code = rq_get();
    k = rp_code & R_CODE;
    n = rq_len(k);
    d = rp_alarm;
    if (n >= RQ_DATE)                           /* a SET's time, a CAL's date, a DRIFT */
        d = &clock_tmp.year;
#if FEATURE_DRIFT
    if (k == R_DRIFT)
        n = 4;                                  /* its last two: at its third piece */
#endif
    while (n--)
        *d++ = rq_get();
    if (k == R_ALARM_AGAIN)
        k = R_ALARM;
#if FEATURE_DS18B20
    if (k == R_TEMP) {                          /* no reading: an error reply instead */
        if (temp_state == TEMP_ERR)
            k = R_E_SENSOR;
        else if (temp_state == TEMP_WAIT)
            k = R_E_BUSY;
    }
#endif
    rp_code = (rp_code & ~R_CODE) | k;
    rp_s = replies[k];
    fmt_p = (uint8_t NEAR *)&clock_tmp;
    if (k == R_ALARM)
        fmt_p = rp_alarm - 3;                   /* FC_HOUR, FC_MIN */
    out_uart = 1;
    out_xor = 0;
    out_crc = 0;
    out_fmt(k >= R_E_UNKNOWN ? "ERR " : "OK ");
#if HELP_SPLIT
    if (k == R_HELP)
        out_fmt(keywords);
#endif
    /* the time of a SET (its weekday) or of a GET (read now); k is in rp_code from here */
    if (k == R_SET)
        clock_tmp.wday = cal_weekday(&clock_tmp);
#if FEATURE_LUNAR
    if (k == R_CAL) {                           /* printed in this call (reply_run()) */
        lunar_from_date(&clock_tmp);
        protocol_rx();                          /* (each step up to 0.6 ms) */
        solar_of_day(&clock_tmp);
        ui_calendar_stale();                    /* it changed `lunar` and `solar` */
    }
#endif
    if ((uint8_t)(rp_code & R_CODE) == R_TIME && !clock_read())
        dt_copy(&clock_tmp, &clock_now);
}

/* the next reply (or piece) into the UART's line buffer once the last has been sent */
static void reply(void)
{
    if (uart_tx_idle() && (rp_s || rq_head != rq_tail)) {
        uart_tx_start();
        if (!rp_s)
            reply_start();
        reply_run();
    }
}

void protocol_poll(void)
{
    reply();                            /* first: the line stays busy */
    protocol_rx();
    reply();                            /* a reply to a line protocol_rx() just took */
}

void protocol_banner(void)
{
    out_uart = 1;
    out_fmt("clock51 READY\r\n");
    out_uart = 0;
}
