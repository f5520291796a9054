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
#include <stddef.h>
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
#include "drift.h"
#define KW_DRIFT " DRIFT"
#define KW_DRIFT_LEN 6
#else
#define KW_DRIFT ""
#define KW_DRIFT_LEN 0
#endif
#define E_SENSOR (FEATURE_DS18B20 || FEATURE_DRIFT)
#define XSTR(x) STR(x)
#define STR(x) #x   /* ERR sensor: TEMP, DRIFT COMP ON */

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
                                       (line_end()) */
#define R_CODE 0x1F
/* the codes the assembler below uses, as numbers (it cannot see an enum; checked) */
#define R_CAL_N       7
#define R_TEMP_N      (7 + FEATURE_LUNAR)
#define R_DRIFT_N     (7 + FEATURE_LUNAR + FEATURE_DS18B20)
#define R_E_UNKNOWN_N (7 + FEATURE_LUNAR + FEATURE_DS18B20 + FEATURE_DRIFT)
#define R_E_SYNTAX_N  (R_E_UNKNOWN_N + 1)
#define R_E_RANGE_N   (R_E_UNKNOWN_N + 2)
#define R_E_SENSOR_N  (R_E_UNKNOWN_N + 7)
#define R_E_BUSY_N    (R_E_UNKNOWN_N + 8)
#if FEATURE_DS18B20
#define R_ALARM_AGAIN_N (R_E_UNKNOWN_N + 9)      /* after ERR sensor, ERR busy */
#elif E_SENSOR
#define R_ALARM_AGAIN_N (R_E_UNKNOWN_N + 8)      /* after ERR sensor */
#else
#define R_ALARM_AGAIN_N (R_E_UNKNOWN_N + 7)
#endif
typedef char r_numbers[(R_SET == 0 && R_TIME == 1 && R_ALARM == 3 && R_HOURS == 4 && R_HELP == 6
                        && R_E_UNKNOWN_N == R_E_UNKNOWN && R_E_SYNTAX_N == R_E_SYNTAX
                        && R_E_RANGE_N == R_E_RANGE && R_ALARM_AGAIN_N == R_ALARM_AGAIN
                        && R_CKS == 0x80 && R_CRC == 0x40 && R_DATA == 0x20
                        && R_CODE == 0x1F) ? 1 : -1];
#if FEATURE_LUNAR
typedef char r_cal_n[(R_CAL_N == R_CAL) ? 1 : -1];
#endif
#if FEATURE_DS18B20
typedef char r_temp_n[(R_TEMP_N == R_TEMP && R_E_BUSY_N == R_E_BUSY) ? 1 : -1];
#endif
#if FEATURE_DRIFT
typedef char r_drift_n[(R_DRIFT_N == R_DRIFT) ? 1 : -1];
#endif
#if E_SENSOR
typedef char r_sensor_n[(R_E_SENSOR_N == R_E_SENSOR) ? 1 : -1];
#endif

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
                                       two stay queued until their fields are printed) */
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

/* In assembler, saving what they touch besides A (callee_saves in compat.h: SDCC's C saved
 * a register more): R0 on the stack (bank 0). */

/* rq[rq_head] = b; if (++rq_head == PROTO_QUEUE) rq_head = 0;   (b in A, kept)
 * and rq_get(): b = rq[rq_tail]; if (++rq_tail == PROTO_QUEUE) rq_tail = 0; return b;
 * (b in A), both called from the assembler only, sharing the index's step at R0 =
 * its address. */
static void rq_put(void) __naked
{
    __asm__("    push 0x00\n"
            "    mov  r0,a\n"
            "    mov  a,_rq_head\n"
            "    add  a,#_rq\n"
            "    xch  a,r0\n"                       /* R0 -> the slot, A = b */
            "    movx @r0,a\n"
            "    mov  r0,#_rq_head\n"
            "    sjmp rq_step\n"
            "_rq_get:\n"
            "    push 0x00\n"
            "    mov  a,_rq_tail\n"
            "    add  a,#_rq\n"
            "    mov  r0,a\n"
            "    movx a,@r0\n"
            "    mov  r0,#_rq_tail\n"
            "rq_step:\n"
            "    inc  @r0\n"
            "    cjne @r0,#" XSTR(PROTO_QUEUE) ",00001$\n"
            "    mov  @r0,#0\n"
            "00001$:\n"
            "    pop  0x00\n"
            "    ret\n");
}

/* per reply code: the result bytes queued after it (rq_len()) | the settings flag its R_DATA
 * shows << 4 (line_end()); R_ALARM_AGAIN: none (its time is the last one's) */
static const CODE uint8_t reply_info[R_ALARM_AGAIN + 1] = {
    [R_SET] = RQ_DT,
    [R_ALARM] = RQ_ALARM | SET_ALARM_ON << 4,
    [R_HOURS] = SET_H12 << 4,
    [R_INFO] = SET_UNSET << 4,
#if FEATURE_LUNAR
    [R_CAL] = RQ_DATE,
#endif
#if FEATURE_DRIFT
    [R_DRIFT] = (uint8_t)(RQ_DRIFT | SET_COMP << 4),
#endif
};
typedef char reply_info_fits[(RQ_DT | RQ_DATE | RQ_ALARM) < 16 ? 1 : -1];   /* RQ_DRIFT: 6 */

/* A = the result bytes queued after reply code A: reply_info[A & R_CODE] & 0x0F. In
 * assembler, called from the assembler only (A in and out): A and DPTR. */
static void rq_len(void) __naked
{
    __asm__("    anl  a,#0x1F\n"                    /* R_CODE */
            "    mov  dptr,#_reply_info\n"
            "    movc a,@a+dptr\n"
            "    anl  a,#0x0F\n"
            "    ret\n");
}

/* room = rq_tail - rq_head - 1; if (rq_tail <= rq_head) room += PROTO_QUEUE; (called from
 * the assembler only: the room in A) (A, C) */
static void rq_room(void) __naked
{
    __asm__("    mov  a,_rq_tail\n"
            "    clr  c\n"
            "    subb a,_rq_head\n"
            "    jz   00001$\n"
            "    jnc  00002$\n"
            "00001$:\n"                            /* rq_tail <= rq_head */
            "    add  a,#" XSTR(PROTO_QUEUE) "\n"
            "00002$:\n"
            "    dec  a\n"
            "    ret\n");
}

/* ---- input cursor ----
 * In assembler, each with the registers it touches stated: the commands below keep their
 * state in the others across the calls. */

/* while (line[pp] == ' ') pp++; R0 = &line[pp] after it (A, R0). With the cursor's
 * helpers for the assembler below: pp_at: R0 = A = &line[pp] (A, R0); pp_set: pp = R0 -
 * line (A, C); digit: A = *R0 - '0', C = it is a decimal digit (A, C). */
static void skip_spaces(void) __naked
{
    __asm__("00001$:\n"
            "    lcall pp_at\n"
            "    cjne @r0,#0x20,pp_ret\n"
            "    inc  _pp\n"
            "    sjmp 00001$\n"
            "pp_at:\n"
            "    mov  a,_pp\n"
            "    add  a,#_line\n"
            "    mov  r0,a\n"
            "pp_ret:\n"
            "    ret\n"
            "pp_set:\n"
            "    mov  a,r0\n"
            "    clr  c\n"
            "    subb a,#_line\n"
            "    mov  _pp,a\n"
            "    ret\n"
            "digit:\n"
            "    mov  a,@r0\n"
            "    add  a,#0xD0\n"                    /* - '0' */
            "    cjne a,#10,00002$\n"               /* C: 0..9 */
            "00002$:\n"
            "    ret\n");
}

/* skip_spaces(); return line[pp] == 0 (A, R0) */
static bool_t at_end(void) __naked
{
    __asm__("    lcall _skip_spaces\n"
            "    cjne @r0,#1,00001$\n"              /* C: line[pp] < 1 */
            "00001$:\n"
            "    ret\n");
}

/* the next character must be c (else syntax error; the cursor then stays) (A, R0) */
static void expect(char c) __naked
{
    (void)c;
    __asm__("    lcall pp_at\n"
            "    mov  a,@r0\n"
            "    cjne a,dpl,00001$\n"
            "    inc  _pp\n"
            "    ret\n"
            "00001$:\n"
            "    setb _bad_syntax\n"
            "    ret\n");
}

/* two decimal digits -> 0..99 (in A: called from the assembler only); a syntax error
 * otherwise (the value then undefined: nothing uses the values of a line with a syntax
 * error) (A, B, R0; SDCC's C: 50 bytes): B = 10 x the first digit. */
static void take_2d(void) __naked
{
    __asm__("    lcall pp_at\n"
            "    lcall digit\n"
            "    jnc  00003$\n"                     /* not a digit */
            "    mov  b,#10\n"
            "    mul  ab\n"
            "    mov  b,a\n"
            "    inc  r0\n"
            "    lcall digit\n"
            "    jnc  00003$\n"
            "    add  a,b\n"
            "    inc  _pp\n"
            "    inc  _pp\n"
            "    ret\n"
            "00003$:\n"
            "    setb _bad_syntax\n"
            "    ret\n");
}

/* an ALARM's "HH:MM" (parse()), a DRIFT's value (cmd_drift()) */
static uint8_t take_h, take_m;

/* the reply code of a command parsed: R_E_SYNTAX if malformed or anything follows it, else
 * R_E_RANGE if a value is out of range, else ok (called from the assembler only: ok in A,
 * the code in DPL and A) (A, B, R0, DPL) */
static void verdict(void) __naked
{
    __asm__("    mov  b,a\n"
            "    mov  dpl,#" XSTR(R_E_SYNTAX_N) "\n"
            "    jb   _bad_syntax,00001$\n"
            "    lcall _at_end\n"
            "    jnc  00001$\n"
            "    mov  dpl,#" XSTR(R_E_RANGE_N) "\n"
            "    jb   _bad_range,00001$\n"
            "    mov  dpl,b\n"
            "00001$:\n"
            "    mov  a,dpl\n"
            "    ret\n");
}

/*
 * The word at the cursor (no spaces before it) as an index in list k (K_NONE if unknown,
 * the cursor then stays), returned in A (called from the assembler only). In C terms:
 *     for (idx = 0; ; idx++) {
 *         p = pp;
 *         while (*k > ' ' && *k == line[p]) { k++; p++; }
 *         if (*k <= ' ' && (line[p] == ' ' || line[p] == 0)) { pp = p; return idx; }
 *         while (*k > ' ') k++;
 *         if (!*k++) return K_NONE;
 *     }
 * In assembler (SDCC's C: 101 bytes): DPTR = k, R0 = &line[p], R7 = idx.
 */
static void take_word(const CODE char *k) __naked
{
    (void)k;
    __asm__("    mov  r7,#0\n"
            "00001$:\n"                            /* the next word of the list */
            "    lcall pp_at\n"
            "00002$:\n"
            "    clr  a\n"
            "    movc a,@a+dptr\n"
            "    cjne a,#0x21,00003$\n"
            "00003$:\n"
            "    jc   00004$\n"                     /* *k <= ' ': the word's end */
            "    xrl  a,@r0\n"
            "    jnz  00006$\n"                     /* differs */
            "    inc  dptr\n"
            "    inc  r0\n"
            "    sjmp 00002$\n"
            "00004$:\n"
            "    mov  a,@r0\n"                      /* the line's word ends here too? */
            "    jz   00005$\n"
            "    cjne a,#0x20,00006$\n"
            "00005$:\n"
            "    lcall pp_set\n"                    /* found: pp = p */
            "    mov  a,r7\n"
            "    ret\n"
            "00006$:\n"                            /* past the rest of the word */
            "    clr  a\n"
            "    movc a,@a+dptr\n"
            "    inc  dptr\n"
            "    cjne a,#0x21,00007$\n"
            "00007$:\n"
            "    jnc  00006$\n"
            "    inc  r7\n"
            "    jnz  00001$\n"                     /* (A) a space: the next word */
            "    mov  a,#0xFF\n"                    /* NUL: K_NONE */
            "    ret\n");
}
typedef char k_none_is_ff[(K_NONE == 0xFF) ? 1 : -1];

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
 * scratch, R4:R3 = v (returned there: cmd_drift(), its one caller, takes it from there),
 * R5 = nd, R6 = fd, R7 = spec (passed in A), F0 = frac. */
#define TF_SIGN 0x80
static BIT take_neg;
static void take_fixed(void) __naked
{
    __asm__("    mov  r7,a\n"
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
            "    lcall pp_at\n"
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
            "    lcall digit\n"
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
            "00010$:\n"
            "    clr  a\n"
            "    lcall 00020$\n"
            "    djnz r6,00010$\n"
            "00009$:\n"
            "    ljmp pp_set\n"
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

/*
 * Four hex digits, either case (line[] is upper-cased) -> their value in R4:R3 (for
 * cmd_drift(), its one caller); else a syntax error.
 * In C terms:
 *     v = 0;
 *     4 times: d = line[pp++] - '0';
 *              if (d > 9) { d -= 'A' - '0' - 10; if (d < 10 || d > 15) bad_syntax = 1; }
 *              v = v << 4 | d;
 * In assembler (SDCC's C: 72 bytes): R0 = &line[pp], R7 the count, R6 = d, R4:R3 = v (bank
 * 0: shifted by crc_shl4 (in take()) at R1 = 3; left there for cmd_drift()).
 */
static void take_hex4(void) __naked
{
    __asm__("    lcall pp_at\n"
            "    mov  r7,#4\n"
            "    clr  a\n"
            "    mov  r3,a\n"
            "    mov  r4,a\n"
            "00001$:\n"
            "    lcall digit\n"
            "    jc   00005$\n"                     /* '0'..'9' */
            "    add  a,#0xF9\n"                    /* - ('A' - '0' - 10) */
            "    cjne a,#10,00003$\n"
            "00003$:\n"
            "    jc   00004$\n"
            "    cjne a,#16,00006$\n"
            "00006$:\n"
            "    jc   00005$\n"                     /* 'A'..'F' */
            "00004$:\n"
            "    setb _bad_syntax\n"
            "00005$:\n"
            "    mov  r6,a\n"                       /* v = v << 4 | d */
            "    mov  r1,#0x03\n"                   /* R4:R3 (bank 0) */
            "    lcall crc_shl4\n"
            "    mov  a,r6\n"
            "    orl  ar3,a\n"
            "    inc  r0\n"
            "    djnz r7,00001$\n"
            "    ljmp pp_set\n");
}
#endif

/* ---- commands: the body in line[] -> a reply code; changes only when exec ---- */

/*
 * "20YY-MM-DD" (after spaces) into clock_new; a century other than 20 is a range error. In
 * C terms:
 *     skip_spaces(); if (take_2d() != 20) bad_range = 1; take_fields(&clock_new.year, '-');
 * take_fields(d, sep): three two-digit fields separated by sep into d[0..2] (R1 = d, R6 =
 * sep, R5 the count). Both touch A, B, R0, R1, R5, R6, DPL.
 */
static void take_date(void) __naked
{
    __asm__("    lcall _skip_spaces\n"
            "    lcall _take_2d\n"
            "    cjne a,#20,00003$\n"               /* the century */
            "    sjmp 00004$\n"
            "00003$:\n"
            "    setb _bad_range\n"
            "00004$:\n"
            "    mov  r1,#_clock_new\n"
            "    mov  r6,#0x2D\n"                   /* '-': on into take_fields */
            "take_fields:\n"
            "    mov  r5,#3\n"
            "    sjmp 00002$\n"
            "00001$:\n"
            "    mov  dpl,r6\n"
            "    lcall _expect\n"
            "00002$:\n"
            "    lcall _take_2d\n"
            "    mov  @r1,a\n"
            "    inc  r1\n"
            "    djnz r5,00001$\n"
            "    ret\n");
}

#if FEATURE_DRIFT
/*
 * DRIFT [RATE r | K k | T0 t | COMP ON|OFF | ID hhhh]: the change made (line end only: a
 * DRIFT line is never prepared), the state for the reply into clock_new (RQ_DRIFT bytes: ID,
 * then RATE, K, T0 as in the record); COMP goes as the reply's R_DATA flag (SET_COMP).
 * In C terms, with v the argument's value:
 *     kw = K_NONE; take_neg = 0;
 *     if (!at_end()) {
 *         kw = take_word(drift_words); skip_spaces();
 *         RATE, K, T0: v = take_fixed(drift_fix[kw]); if (v > drift_max[kw]) bad_range = 1;
 *         COMP:        v = take_word(onoff) (ON: 1); if (v == K_NONE) bad_syntax = 1;
 *         ID:          v = take_hex4(); if ((uint16_t)(v + 1) < 2) bad_range = 1;  (0000, FFFF)
 *         other:       bad_syntax = 1;
 *         if (verdict(R_DRIFT) != R_DRIFT) return it;       (R_E_SYNTAX, R_E_RANGE)
 *         if (take_neg) v = -v;
 *         if (kw == D_COMP && v && temp_state == TEMP_NONE (with a DS18B20; always without))
 *             return R_E_SENSOR;                       (no sensor to compensate with)
 *     }
 *     drift_load();
 *     ID: drift_put_id(v); RATE: DRIFT_REC->rate = v; K: DRIFT_REC->k = v;
 *     T0: DRIFT_REC->t0seq = (DRIFT_REC->t0seq & 0xC0) | v;
 *     COMP: settings.flags = (settings.flags & ~SET_COMP) | (v ? SET_COMP : 0);
 *           settings_changed = 1;
 *     RATE, K, T0, COMP: drift_store();                (folded: the change applies from now on)
 *     clock_new[0..1] = drift_id(); clock_new[2..5] = DRIFT_REC's first four bytes;
 *     return R_DRIFT;
 * In assembler (SDCC's C: 376 bytes): v is in R4:R3 as take_fixed() and take_hex4() leave it
 * (verdict() keeps them), then in take_h (low byte), take_m (high byte) across the calls of
 * the change: the ALARM parse's bytes, free during a DRIFT (no internal RAM to spare, and
 * drift.c's functions are C, which keeps nothing in R0-R7 for its caller).
 */
static const CODE uint8_t drift_fix[] = {           /* RATE, K, T0: take_fixed()'s spec */
    TF_SIGN | 3 << 4 | 2, TF_SIGN | 1 << 4 | 3, 3 << 4 | 0
};
static const CODE uint16_t drift_max[] = { DRIFT_RATE_MAX, DRIFT_K_MAX, DRIFT_T0_MAX };
typedef char cmd_drift_consts[(D_RATE == 0 && D_K == 1 && D_T0 == 2 && D_COMP == 3
                               && D_ID == 4 && K_NONE == 0xFF && SET_COMP == 0x08
                               && offsetof(settings_t, flags) == 0
                               && offsetof(datetime_t, wday) == 6) ? 1 : -1];
#if FEATURE_DS18B20
typedef char temp_none_is_1[(TEMP_NONE == 1) ? 1 : -1];
#endif
static uint8_t cmd_drift(void) __naked
{
    __asm__("    mov  _kw,#0xFF\n"                  /* K_NONE */
            "    clr  _take_neg\n"
            "    lcall _at_end\n"
            "    jc   00011$\n"                     /* no argument: the state alone */
            "    mov  dptr,#_drift_words\n"
            "    lcall _take_word\n"
            "    mov  _kw,a\n"
            "    lcall _skip_spaces\n"
            "    mov  a,_kw\n"
            "    cjne a,#3,00001$\n"
            "00001$:\n"
            "    jnc  00003$\n"                     /* not RATE, K, T0 */
            "    mov  dptr,#_drift_fix\n"           /* a number */
            "    movc a,@a+dptr\n"
            "    lcall _take_fixed\n"              /* v: R4:R3 */
            "    mov  a,_kw\n"
            "    rl   a\n"
            "    mov  r7,a\n"
            "    mov  dptr,#_drift_max\n"
            "    movc a,@a+dptr\n"                  /* C = drift_max[kw] < v */
            "    clr  c\n"
            "    subb a,r3\n"
            "    mov  a,r7\n"
            "    inc  a\n"
            "    movc a,@a+dptr\n"
            "    subb a,r4\n"
            "    sjmp 00006$\n"
            "00003$:\n"
            "    cjne a,#3,00004$\n"                /* COMP */
            "    mov  dptr,#_onoff\n"
            "    lcall _take_word\n"
            "    mov  r3,a\n"                       /* ON: 1, OFF: 0 */
            "    inc  a\n"
            "    jnz  00007$\n"
            "    sjmp 00005$\n"                     /* K_NONE */
            "00004$:\n"
            "    cjne a,#4,00005$\n"                /* ID */
            "    lcall _take_hex4\n"               /* v: R4:R3 */
            "    mov  a,r3\n"
            "    cjne a,ar4,00007$\n"               /* bytes differ: not 0000, FFFF */
            "    inc  a\n"                          /* 0x00 -> 1, 0xFF -> 0 */
            "    anl  a,#0xFE\n"
            "    jnz  00007$\n"
            "    setb c\n"
            "    sjmp 00006$\n"
            "00005$:\n"
            "    setb _bad_syntax\n"
            "00006$:\n"                            /* C: a range error */
            "    jnc  00007$\n"
            "    setb _bad_range\n"
            "00007$:\n"
            "    mov  a,#" XSTR(R_DRIFT_N) "\n"
            "    lcall _verdict\n"
            "    cjne a,#" XSTR(R_DRIFT_N) ",00019$\n"    /* an error */
            "    jnb  _take_neg,00011$\n"
            "    clr  c\n"                          /* v = -v */
            "    clr  a\n"
            "    subb a,r3\n"
            "    mov  r3,a\n"
            "    clr  a\n"
            "    subb a,r4\n"
            "    mov  r4,a\n"
            "00011$:\n"
            "    mov  a,_kw\n"
            "    cjne a,#3,00020$\n"                /* COMP ON ... */
            "    mov  a,r3\n"
            "    jz   00020$\n"
#if FEATURE_DS18B20
            "    mov  a,_temp_state\n"              /* ... with no sensor */
            "    cjne a,#1,00020$\n"                /* TEMP_NONE */
#endif
            "    mov  dpl,#" XSTR(R_E_SENSOR_N) "\n"
            "00019$:\n"
            "    ret\n"
            "00020$:\n"                            /* the change */
            "    mov  _take_h,r3\n"                 /* v (drift_load() is C) */
            "    mov  _take_m,r4\n"
            "    lcall _drift_load\n"
            "    mov  a,_kw\n"
            "    cjne a,#4,00021$\n"                /* ID */
            "    mov  dpl,_take_h\n"
            "    mov  dph,_take_m\n"
            "    lcall _drift_put_id\n"
            "    sjmp 00026$\n"
            "00021$:\n"
            "    mov  r0,#_ds1302_buf\n"            /* DRIFT_REC */
            "    jz   00022$\n"                     /* RATE: rate */
            "    inc  r0\n"
            "    inc  r0\n"
            "    dec  a\n"
            "    jz   00023$\n"                     /* K: k */
            "    inc  r0\n"
            "    dec  a\n"
            "    jz   00024$\n"                     /* T0: t0seq */
            "    dec  a\n"
            "    jnz  00026$\n"                     /* K_NONE: no change */
            "    anl  _settings,#0xF7\n"           /* COMP: SET_COMP in settings.flags */
            "    mov  a,_take_h\n"
            "    jz   00025$\n"
            "    orl  _settings,#0x08\n"
            "00025$:\n"
            "    setb _settings_changed\n"
            "    sjmp 00027$\n"
            "00022$:\n"
            "    inc  r0\n"                          /* RATE: the high byte, then as K */
            "    mov  @r0,_take_m\n"
            "    dec  r0\n"
            "00023$:\n"
            "    mov  @r0,_take_h\n"
            "    sjmp 00027$\n"
            "00024$:\n"
            "    mov  a,@r0\n"
            "    anl  a,#0xC0\n"
            "    orl  a,_take_h\n"
            "    mov  @r0,a\n"
            "00027$:\n"
            "    lcall _drift_store\n"
            "00026$:\n"                            /* the state: ID, RATE, K, T0 */
            "    lcall _drift_id\n"
            "    mov  r0,#_clock_new\n"
            "    mov  @r0,dpl\n"
            "    inc  r0\n"
            "    mov  @r0,dph\n"
            "    mov  r1,#_ds1302_buf\n"
            "00028$:\n"
            "    inc  r0\n"
            "    mov  a,@r1\n"
            "    mov  @r0,a\n"
            "    inc  r1\n"
            "    cjne r0,#(_clock_new + 5),00028$\n"
            "    mov  dpl,#" XSTR(R_DRIFT_N) "\n"
            "    ret\n");
}
#endif

/*
 * SET 20YY-MM-DD HH:MM:SS. In C terms:
 *     take_date(); expect(' '); skip_spaces(); take_fields(&clock_new.hour, ':');
 *     if (!clock_prepare()) bad_range = 1; (validates; nothing written; what it prepares
 *     return verdict(R_SET);                 counts only with R_SET: line_end())
 * In assembler (SDCC's C: 75 bytes).
 */
typedef char set_layout[(offsetof(datetime_t, hour) == 3 && offsetof(datetime_t, second) == 5
                         && offsetof(datetime_t, year) == 0) ? 1 : -1];
static uint8_t cmd_set(void) __naked
{
    __asm__("    lcall _take_date\n"
            "    mov  dpl,#0x20\n"                  /* ' ' */
            "    lcall _expect\n"
            "    lcall _skip_spaces\n"
            "    mov  r1,#(_clock_new + 3)\n"       /* hour, minute, second */
            "    mov  r6,#0x3A\n"                   /* ':' */
            "    lcall take_fields\n"
            "    lcall _clock_prepare\n"
            "    jc   00001$\n"
            "    setb _bad_range\n"
            "00001$:\n"
            "    clr  a\n"                          /* R_SET */
            "    ljmp _verdict\n");
}

/*
 * The body line[0..trim) -> reply code (SET: prepared, not written). In C terms:
 *     line[trim] = 0; bad_syntax = bad_range = 0; pp = 0; skip_spaces();
 *     kw = take_word(keywords);
 *     if (kw == K_SET) return cmd_set();
 *     if (kw >= K_END) return R_E_UNKNOWN;
 *     if (kw == K_CAL) {                   (the date into clock_new: the reply's result)
 *         dt_copy(&clock_new, &clock_now); (today, unless a date follows)
 *         if (!at_end()) take_date();
 *         if (!cal_valid(&clock_new)) bad_range = 1;
 *         return verdict(R_CAL);
 *     }
 *     if (kw == K_DRIFT) return cmd_drift();
 *     if (at_end()) return kw;             (GET PING ALARM HOURS INFO HELP TEMP: R_* == K_*)
 *     ALARM and HOURS with an argument: the settings they make, applied only when exec:
 *     f = settings.flags; take_h = settings.alarm_hour; take_m = settings.alarm_minute;
 *     if (kw == K_ALARM) {
 *         n = pp; v = take_word(onoff);    (ON: SET_ALARM_ON, OFF: 0)
 *         if (v == K_NONE || !at_end()) {
 *             pp = n; take_h = take_2d(); expect(':'); take_m = take_2d(); v = SET_ALARM_ON;
 *             if (take_h > 23 || take_m > 59) bad_range = 1;
 *         }
 *         f = (f & ~SET_ALARM_ON) | v;
 *     } else if (kw == K_HOURS) {
 *         v = take_word(hours);            (12: 1, 24: 0)
 *         if (v == K_NONE) {               (digits: a range error, else syntax)
 *             n = pp; while (line[pp] is a digit) pp++;
 *             if (pp == n) bad_syntax = 1;
 *             bad_range = 1; v = 0;
 *         }
 *         f = (f & ~SET_H12) | v << 1;
 *     } else return R_E_SYNTAX;            (no other command takes an argument)
 *     k = verdict(kw);
 *     if (k == kw && exec) {
 *         settings.flags = f; settings.alarm_hour = take_h; settings.alarm_minute = take_m;
 *         settings_changed = 1; ui_cancel_edit();
 *     }
 *     return k;                             (R_ALARM, R_HOURS or an error)
 * (CAL, DRIFT: only on the boards with the feature.) In assembler (SDCC's C: 301 bytes and
 * three bytes of internal RAM): R6 = f, R5 = n (HOURS: &line[n]), R4 = v (the calls here
 * keep R4..R6; take_word() uses R7).
 */
typedef char parse_consts[(K_SET == 0 && K_ALARM == 3 && K_HOURS == 4 && K_END == R_E_UNKNOWN
                           && offsetof(settings_t, alarm_hour) == 1
                           && offsetof(settings_t, alarm_minute) == 2) ? 1 : -1];
#if FEATURE_LUNAR
typedef char k_cal_is_r_cal[(K_CAL == R_CAL) ? 1 : -1];
#endif
#if FEATURE_DRIFT
typedef char k_drift_is_r_drift[(K_DRIFT == R_DRIFT) ? 1 : -1];
#endif
static uint8_t parse(void) __naked
{
    __asm__("    mov  a,_trim\n"
            "    add  a,#_line\n"
            "    mov  r0,a\n"
            "    mov  @r0,#0\n"
            "    clr  _bad_syntax\n"
            "    clr  _bad_range\n"
            "    mov  _pp,#0\n"
            "    lcall _skip_spaces\n"
            "    mov  dptr,#_keywords\n"
            "    lcall _take_word\n"
            "    mov  _kw,a\n"
            "    jz   _cmd_set\n"                   /* K_SET (just above) */
            "    cjne a,#" XSTR(R_E_UNKNOWN_N) ",00002$\n"   /* K_END */
            "00002$:\n"
            "    jc   00003$\n"
            "    mov  dpl,#" XSTR(R_E_UNKNOWN_N) "\n"
            "    ret\n"
            "00003$:\n"
#if FEATURE_LUNAR
            "    cjne a,#" XSTR(R_CAL_N) ",00005$\n"
            "    mov  _dt_copy_PARM_2,#_clock_now\n" /* CAL: today ... */
            "    mov  dpl,#_clock_new\n"
            "    lcall _dt_copy\n"
            "    lcall _at_end\n"
            "    jc   00004$\n"
            "    lcall _take_date\n"                /* ... unless a date follows */
            "00004$:\n"
            "    mov  dpl,#_clock_new\n"
            "    lcall _cal_valid\n"
            "    jc   00015$\n"
            "    setb _bad_range\n"
            "00015$:\n"
            "    mov  a,#" XSTR(R_CAL_N) "\n"
            "    ljmp _verdict\n"
            "00005$:\n"
#endif
#if FEATURE_DRIFT
            "    cjne a,#" XSTR(R_DRIFT_N) ",00006$\n"
            "    ljmp _cmd_drift\n"
            "00006$:\n"
#endif
            "    lcall _at_end\n"
            "    mov  dpl,_kw\n"
            "    jnc  00023$\n"
            "    ret\n"                             /* no argument: R_* == K_* */
            "00023$:\n"
            "    mov  r6,_settings\n"               /* f */
            "    mov  _take_h,(_settings + 1)\n"
            "    mov  _take_m,(_settings + 2)\n"
            "    mov  a,_kw\n"
            "    cjne a,#3,00010$\n"                /* ALARM */
            "    mov  r5,_pp\n"                     /* n */
            "    mov  dptr,#_onoff\n"
            "    lcall _take_word\n"
            "    mov  r4,a\n"                       /* v: ON 1, OFF 0 */
            "    inc  a\n"
            "    jz   00007$\n"                     /* K_NONE */
            "    lcall _at_end\n"
            "    jc   00009$\n"
            "00007$:\n"                            /* a time */
            "    mov  _pp,r5\n"
            "    lcall _take_2d\n"                 /* HH:MM */
            "    mov  _take_h,a\n"
            "    mov  dpl,#0x3A\n"                  /* ':' */
            "    lcall _expect\n"
            "    lcall _take_2d\n"
            "    mov  _take_m,a\n"
            "    mov  r4,#1\n"                      /* SET_ALARM_ON */
            "    cjne a,#60,00008$\n"
            "00008$:\n"
            "    jnc  00016$\n"
            "    mov  a,_take_h\n"
            "    cjne a,#24,00017$\n"
            "00017$:\n"
            "    jc   00009$\n"
            "00016$:\n"
            "    setb _bad_range\n"
            "00009$:\n"
            "    mov  a,r6\n"
            "    anl  a,#0xFE\n"                    /* ~SET_ALARM_ON */
            "    orl  a,r4\n"
            "    mov  r6,a\n"
            "    sjmp 00013$\n"
            "00010$:\n"
            "    cjne a,#4,00018$\n"                /* HOURS */
            "    mov  dptr,#_hours\n"
            "    lcall _take_word\n"
            "    cjne a,#0xFF,00012$\n"             /* 12: 1, 24: 0 */
            "    lcall pp_at\n"                     /* K_NONE: digits? */
            "    mov  r5,a\n"
            "00011$:\n"
            "    lcall digit\n"
            "    jnc  00020$\n"
            "    inc  r0\n"
            "    inc  _pp\n"
            "    sjmp 00011$\n"
            "00020$:\n"
            "    mov  a,r0\n"                       /* R5: where the digits began */
            "    xrl  a,r5\n"
            "    jnz  00021$\n"
            "    setb _bad_syntax\n"                /* none: syntax */
            "00021$:\n"
            "    setb _bad_range\n"                 /* some: range */
            "    clr  a\n"
            "00012$:\n"
            "    rl   a\n"                          /* v << 1: SET_H12 or 0 */
            "    xch  a,r6\n"
            "    anl  a,#0xFD\n"                    /* ~SET_H12 */
            "    orl  a,r6\n"
            "    mov  r6,a\n"
            "00013$:\n"
            "    mov  a,_kw\n"
            "    lcall _verdict\n"
            "    cjne a,_kw,00022$\n"               /* an error */
            "    jnb  _exec,00022$\n"
            "    mov  _settings,r6\n"               /* the change */
            "    mov  (_settings + 1),_take_h\n"
            "    mov  (_settings + 2),_take_m\n"
            "    setb _settings_changed\n"
            "    lcall _ui_cancel_edit\n"
            "    mov  dpl,_kw\n"
            "00022$:\n"
            "    ret\n"
            "00018$:\n"
            "    mov  dpl,#" XSTR(R_E_SYNTAX_N) "\n"
            "    ret\n");
}

/* parse a SET body ahead of its line end (no changes). In C terms:
 *     if (line[0] != 'S' || prep_len == trim || tot > PROTO_MAX_LINE || (lflags & L_BAD))
 *         return;
 *     exec = 0; prep_code = parse(); prep_len = trim; */
static void prepare(void) __naked
{
    __asm__("    mov  r0,#_line\n"
            "    cjne @r0,#0x53,00001$\n"          /* 'S' */
            "    mov  a,_trim\n"
            "    cjne a,_prep_len,00002$\n"
            "00001$:\n"
            "    ret\n"
            "00002$:\n"
            "    mov  a,_tot\n"
            "    cjne a,#(" XSTR(PROTO_MAX_LINE) " + 1),00003$\n"
            "00003$:\n"
            "    jnc  00001$\n"                     /* too long */
            "    mov  a,_lflags\n"
            "    jb   acc.1,00001$\n"               /* L_BAD */
            "    clr  _exec\n"
            "    lcall _parse\n"
            "    mov  _prep_code,dpl\n"
            "    mov  _prep_len,_trim\n"
            "    ret\n");
}

#if FEATURE_DRIFT
/* return !tot && !uart_rx_ready(); */
bool_t protocol_idle(void) __naked
{
    __asm__("    mov  a,_tot\n"
            "    jnz  00001$\n"
            "    lcall _uart_rx_ready\n"
            "    cpl  c\n"
            "    ret\n"
            "00001$:\n"
            "    clr  c\n"
            "    ret\n");
}
#endif

/* return line[0] == 'S' && len >= PROTO_SET_MIN - 2; */
bool_t protocol_set_near(void) __naked
{
    __asm__("    mov  r0,#_line\n"
            "    cjne @r0,#0x53,00001$\n"          /* 'S' */
            "    mov  a,_len\n"
            "    cjne a,#(" XSTR(PROTO_SET_MIN) " - 2),00002$\n"
            "00002$:\n"
            "    cpl  c\n"                          /* len >= PROTO_SET_MIN - 2 */
            "    ret\n"
            "00001$:\n"
            "    clr  c\n"
            "    ret\n");
}

/* ---- the line end: checks, execution, reply code ---- */

/*
 * The line end: checks, execution, reply code. In C terms:
 *     if (tot > PROTO_MAX_LINE) code = R_E_LONG;   (no check form: the line is gone)
 *     else {
 *         if (lflags & L_BAD) n = R_E_BYTE;
 *         else if ((lflags & L_STAR) && ((lflags & L_CKBAD) || ck_n)) n = R_E_CKSUM;
 *         else {
 *             n = prep_code;
 *             if (prep_len != trim || n != R_SET || !clock_ready) { exec = 1; n = parse(); }
 *             if (n == R_SET) { clock_commit(); ui_cancel_edit(); }   (the DS1302 seconds
 *         }                                                             restart now)
 *         code = (lflags & (L_STAR | L_CRC)) | n;
 *     }
 * then the result goes with the code: a SET's time, an ALARM's time, a flag (R_DATA); the
 * room is there (protocol_rx() took the line only with room for the largest entry):
 *     n = code & R_CODE;
 *     if (settings.flags & reply_info[n] >> 4) code |= R_DATA;
 *     p = &clock_new.year;
 *     if (n == R_ALARM) {      (most ALARM replies show the time the one before showed:
 *         p = &settings.alarm_hour;                                   then the code alone)
 *         if (p[0] == q_alarm[0] && p[1] == q_alarm[1]) code += R_ALARM_AGAIN - R_ALARM;
 *         q_alarm[0] = p[0]; q_alarm[1] = p[1];
 *     }
 *     rq_put(code); n = rq_len(code & R_CODE); while (n--) rq_put(*p++);
 *     ui_dirty = UI_ALL;
 * In assembler (SDCC's C: 175 bytes): R7 = code, R6 = n, R1 = p (rq_len() and rq_put() keep
 * R0-R7).
 */
#define R_E_LONG_N  (R_E_UNKNOWN_N + 3)
#define R_E_BYTE_N  (R_E_UNKNOWN_N + 4)
#define R_E_CKSUM_N (R_E_UNKNOWN_N + 5)
typedef char line_end_consts[(R_E_LONG_N == R_E_LONG && R_E_BYTE_N == R_E_BYTE
                              && R_E_CKSUM_N == R_E_CKSUM && PROTO_MAX_LINE == 40
                              && L_STAR == 0x80 && L_CRC == 0x40 && L_BAD == 0x02
                              && L_CKBAD == 0x04 && UI_ALL == 3) ? 1 : -1];
static void line_end(void) __naked
{
    __asm__("    mov  r7,#" XSTR(R_E_LONG_N) "\n"
            "    mov  a,_tot\n"
            "    cjne a,#41,00001$\n"
            "00001$:\n"
            "    jnc  00008$\n"                     /* too long */
            "    mov  a,_lflags\n"
            "    jnb  acc.1,00002$\n"               /* L_BAD */
            "    mov  a,#" XSTR(R_E_BYTE_N) "\n"
            "    sjmp 00007$\n"
            "00002$:\n"
            "    jnb  acc.7,00004$\n"               /* L_STAR: the check ... */
            "    jb   acc.2,00003$\n"               /* ... has a non-digit (L_CKBAD) */
            "    mov  a,_ck_n\n"
            "    jz   00004$\n"                     /* ... or digits missing */
            "00003$:\n"
            "    mov  a,#" XSTR(R_E_CKSUM_N) "\n"
            "    sjmp 00007$\n"
            "00004$:\n"                            /* a good line: prepared or parsed now */
            "    mov  a,_prep_code\n"
            "    jnz  00005$\n"
            "    mov  a,_trim\n"
            "    cjne a,_prep_len,00005$\n"
            "    jb   _clock_ready,00006$\n"        /* the SET prepared for this body */
            "00005$:\n"
            "    setb _exec\n"
            "    lcall _parse\n"
            "    mov  a,dpl\n"
            "    jnz  00007$\n"
            "00006$:\n"
            "    lcall _clock_commit\n"             /* a SET */
            "    lcall _ui_cancel_edit\n"
            "    clr  a\n"                          /* R_SET */
            "00007$:\n"
            "    mov  r7,a\n"                       /* code = (lflags & (L_STAR | L_CRC)) | n */
            "    mov  a,_lflags\n"
            "    anl  a,#0xC0\n"
            "    orl  a,r7\n"
            "    mov  r7,a\n"
            "00008$:\n"
            "    mov  a,r7\n"
            "    anl  a,#0x1F\n"
            "    mov  r6,a\n"                       /* n */
            "    mov  dptr,#_reply_info\n"          /* its flag: reply_info[n] >> 4 */
            "    movc a,@a+dptr\n"
            "    swap a\n"
            "    anl  a,#0x0F\n"
            "    anl  a,_settings\n"                /* settings.flags */
            "    jz   00009$\n"
            "    orl  ar7,#0x20\n"                  /* R_DATA */
            "00009$:\n"
            "    mov  r1,#_clock_new\n"
            "    cjne r6,#3,00011$\n"               /* R_ALARM */
            "    mov  r1,#(_settings + 1)\n"
            "    mov  a,(_settings + 1)\n"
            "    cjne a,_q_alarm,00010$\n"
            "    mov  a,(_settings + 2)\n"
            "    cjne a,(_q_alarm + 1),00010$\n"
            "    xrl  ar7,#(" XSTR(R_ALARM_AGAIN_N) " ^ 3)\n"   /* the time the one before
                                                   showed: R_ALARM -> R_ALARM_AGAIN */
            "00010$:\n"
            "    mov  _q_alarm,(_settings + 1)\n"
            "    mov  (_q_alarm + 1),(_settings + 2)\n"
            "00011$:\n"
            "    mov  a,r7\n"
            "    lcall _rq_put\n"                   /* (keeps A = code) */
            "    lcall _rq_len\n"
            "    jz   00013$\n"
            "    mov  r6,a\n"
            "00012$:\n"
            "    mov  a,@r1\n"
            "    lcall _rq_put\n"
            "    inc  r1\n"
            "    djnz r6,00012$\n"
            "00013$:\n"
            "    mov  _ui_dirty,#3\n"               /* UI_ALL */
            "    ret\n");
}

/* forget the line so far (a line end, or the line was cut by an overflow). In C terms:
 *     tot = len = trim = in_xor = lflags = 0; in_crc = 0; prep_len = 0xFF; clock_ready = 0;
 * In assembler (SDCC's C: 21 bytes): the seven bytes from len to lflags are declared (and
 * so allocated) in a row, cleared in a loop (the .if fails the assembly if not); A, R0. */
static void line_reset(void) __naked
{
    __asm__("    .if (_lflags - _len) - 6\n"       /* len trim tot in_xor in_crc(2) lflags */
            "    .error not in a row\n"            /* (no such directive: fails here) */
            "    .endif\n"
            "    mov  r0,#_len\n"
            "    clr  a\n"
            "00001$:\n"
            "    mov  @r0,a\n"
            "    inc  r0\n"
            "    cjne r0,#(_lflags + 1),00001$\n"
            "    mov  _prep_len,#0xFF\n"
            "    clr  _clock_ready\n"
            "    ret\n");
}

/*
 * One received byte c. In C terms:
 *     if (c == '\r' || c == '\n') { if (tot) line_end(); line_reset(); return; }
 *     if (tot != 0xFF) tot++;
 *     if (c < 0x20 || c > 0x7E) lflags |= L_BAD;
 *     if (lflags & L_STAR) {                   (the check suffix: digits)
 *         d = c - '0';                         ('#': '0'..'?' -> 0..15)
 *         if (!(lflags & L_CRC) && d > 9) {    ('*': 'a'..'f' (either case) -> 10..15)
 *             d = (c | 0x20) - 'a' + 10; if (d < 10) lflags |= L_CKBAD;   (d > 15: below)
 *         }
 *         if (d != in_crc >> 12) lflags |= L_CKBAD;   (a non-digit: d > 15)
 *         in_crc <<= 4; ck_n--;
 *         return;
 *     }
 *     if (c == '*') { lflags |= L_STAR; in_crc = in_xor << 8; ck_n = 2; prepare(); return; }
 *     if (c == '#') { lflags |= L_STAR | L_CRC; ck_n = 4; prepare(); return; }
 *                                              (prepare(): the body is complete)
 *     in_xor ^= c; in_crc = crc16(in_crc, c);
 *     if (len < PROTO_MAX_LINE) {
 *         if (c >= 'a' && c <= 'z') c -= 32;
 *         line[len++] = c;
 *         if (c != ' ') trim = len;
 *     }
 * In assembler (SDCC's C: 219 bytes): R7 = c, R6 = d, R1 for crc_shl4 (crc16() keeps
 * R0-R7).
 */
static void take(uint8_t c) __naked
{
    (void)c;
    __asm__("    mov  a,dpl\n"
            "    mov  r7,a\n"
            "    cjne a,#0x0D,00001$\n"             /* CR */
            "    sjmp 00002$\n"
            "00001$:\n"
            "    cjne a,#0x0A,00003$\n"             /* LF */
            "00002$:\n"
            "    mov  a,_tot\n"
            "    jz   00020$\n"
            "    lcall _line_end\n"
            "00020$:\n"
            "    ljmp _line_reset\n"
            "00003$:\n"
            "    mov  a,_tot\n"                     /* tot++, saturating */
            "    inc  a\n"
            "    jz   00004$\n"
            "    mov  _tot,a\n"
            "00004$:\n"
            "    mov  a,r7\n"
            "    add  a,#0xE0\n"                    /* c - 0x20 > 0x5E: a bad byte */
            "    cjne a,#0x5F,00005$\n"
            "00005$:\n"
            "    jc   00006$\n"
            "    orl  _lflags,#0x02\n"              /* L_BAD */
            "00006$:\n"
            "    mov  a,_lflags\n"
            "    jnb  acc.7,00010$\n"               /* not L_STAR: the body */
            "    mov  a,r7\n"                       /* the check suffix */
            "    add  a,#0xD0\n"                    /* d = c - '0' */
            "    mov  r6,a\n"
            "    mov  a,_lflags\n"
            "    jb   acc.6,00008$\n"               /* L_CRC */
            "    mov  a,r6\n"
            "    cjne a,#10,00007$\n"
            "00007$:\n"
            "    jc   00008$\n"                     /* '0'..'9' */
            "    mov  a,r7\n"
            "    orl  a,#0x20\n"
            "    add  a,#0xA9\n"                    /* - 'a' + 10 */
            "    cjne a,#10,00021$\n"
            "00021$:\n"
            "    jnc  00022$\n"                     /* 0..9: '@', 'W'..'`' (above */
            "    orl  _lflags,#0x04\n"              /* 15: no nibble's) L_CKBAD */
            "00022$:\n"
            "    mov  r6,a\n"
            "00008$:\n"
            "    mov  a,(_in_crc + 1)\n"            /* the digit the check must give */
            "    swap a\n"
            "    anl  a,#0x0F\n"
            "    xrl  a,r6\n"
            "    jz   00009$\n"
            "    orl  _lflags,#0x04\n"              /* L_CKBAD */
            "00009$:\n"
            "    dec  _ck_n\n"
            "    mov  r1,#_in_crc\n"                /* in_crc <<= 4 */
            "    ljmp crc_shl4\n"
            "00010$:\n"
            "    mov  a,r7\n"
            "    cjne a,#0x2A,00011$\n"             /* '*' */
            "    orl  _lflags,#0x80\n"              /* L_STAR */
            "    mov  (_in_crc + 1),_in_xor\n"
            "    mov  _in_crc,#0\n"
            "    mov  _ck_n,#2\n"
            "    ljmp _prepare\n"
            "00011$:\n"
            "    cjne a,#0x23,00012$\n"             /* '#' */
            "    orl  _lflags,#0xC0\n"              /* L_STAR | L_CRC */
            "    mov  _ck_n,#4\n"
            "    ljmp _prepare\n"
            "00012$:\n"
            "    xrl  _in_xor,a\n"
            "    mov  _crc16_PARM_2,a\n"
            "    mov  dpl,_in_crc\n"
            "    mov  dph,(_in_crc + 1)\n"
            "    lcall _crc16\n"
            "    mov  _in_crc,dpl\n"
            "    mov  (_in_crc + 1),dph\n"
            "    mov  a,_len\n"
            "    cjne a,#" XSTR(PROTO_MAX_LINE) ",00013$\n"
            "00013$:\n"
            "    jnc  00016$\n"                     /* the line is full */
            "    inc  _len\n"                       /* line[len++] = c: */
            "    add  a,#_line\n"
            "    mov  r0,a\n"
            "    mov  a,r7\n"
            "    add  a,#0x9F\n"                    /* c - 'a' */
            "    cjne a,#26,00014$\n"
            "00014$:\n"
            "    mov  a,r7\n"
            "    jnc  00015$\n"                     /* not 'a'..'z' */
            "    add  a,#0xE0\n"                    /* - 32: upper case */
            "00015$:\n"
            "    mov  @r0,a\n"
            "    cjne a,#0x20,00018$\n"
            "    ret\n"
            "00018$:\n"
            "    mov  _trim,_len\n"
            "00016$:\n"
            "    ret\n"
            /* crc_shl4: the 16-bit word at R1 (low byte first) <<= 4, a nibble at a time
             * (A; R1 kept): with L, H its bytes, H = H.lo:L.hi, L = L.lo:0 */
            "crc_shl4:\n"
            "    mov  a,@r1\n"
            "    swap a\n"                          /* L.lo:L.hi */
            "    inc  r1\n"
            "    xch  a,@r1\n"                      /* H there, L.lo:L.hi here */
            "    swap a\n"                          /* H.lo:H.hi */
            "    xchd a,@r1\n"                      /* H.lo:L.hi; L.lo:H.hi there */
            "    xch  a,@r1\n"                      /* the new H there */
            "    anl  a,#0xF0\n"                    /* L.lo:0 */
            "    dec  r1\n"
            "    mov  @r1,a\n"
            "    ret\n");
}

/*
 * Take received bytes: answer lines lost to an overflow where they were, start a new line
 * only with room in the queue for its reply (else leave it in the ring), and parse a long
 * enough body ahead whenever the ring runs dry. In C terms:
 *     for (;;) {
 *         lost = uart_rx_lost();
 *         if (lost) { owed += lost; line_reset(); }   (the start of the line it cut)
 *         if (owed) {
 *             if (!rq_room()) return;
 *             rq_put(R_E_OVERFLOW); owed--;           (no check form: the line is gone)
 *             continue;
 *         }
 *         if (!uart_rx_ready() || (!tot && rq_room() < RQ_ROOM)) return;
 *         take(uart_getc());
 *         if (!uart_rx_ready() && !(lflags & L_STAR) && trim >= PROTO_SET_MIN) prepare();
 *     }
 * In assembler (SDCC's C: 103 bytes): nothing kept in registers across the calls (take()
 * and the C ones keep nothing); rq_room() leaves the room in A. Its C callers in this
 * file (protocol_poll()) keep nothing across it either.
 */
#define R_E_OVERFLOW_N (R_E_UNKNOWN_N + 6)
typedef char rx_consts[(R_E_OVERFLOW_N == R_E_OVERFLOW && RQ_ROOM == 7 && PROTO_SET_MIN == 23
                        && L_STAR == 0x80) ? 1 : -1];
void protocol_rx(void) __naked
{
    __asm__("00001$:\n"
            "    lcall _uart_rx_lost\n"
            "    mov  a,dpl\n"
            "    orl  a,dph\n"
            "    jz   00002$\n"
            "    mov  a,dpl\n"                     /* owed += lost */
            "    add  a,_owed\n"
            "    mov  _owed,a\n"
            "    mov  a,dph\n"
            "    addc a,(_owed + 1)\n"
            "    mov  (_owed + 1),a\n"
            "    lcall _line_reset\n"
            "00002$:\n"
            "    mov  a,_owed\n"
            "    orl  a,(_owed + 1)\n"
            "    jz   00004$\n"
            "    lcall _rq_room\n"
            "    jz   00006$\n"                     /* no room */
            "    mov  a,#" XSTR(R_E_OVERFLOW_N) "\n"
            "    lcall _rq_put\n"
            "    mov  a,_owed\n"                   /* owed-- */
            "    jnz  00003$\n"
            "    dec  (_owed + 1)\n"
            "00003$:\n"
            "    dec  _owed\n"
            "    sjmp 00001$\n"
            "00004$:\n"
            "    lcall _uart_rx_ready\n"
            "    jnc  00006$\n"
            "    mov  a,_tot\n"
            "    jnz  00005$\n"
            "    lcall _rq_room\n"
            "    cjne a,#" XSTR(RQ_ROOM) ",00007$\n"
            "00007$:\n"
            "    jc   00006$\n"                     /* no room for a new line's reply */
            "00005$:\n"
            "    lcall _uart_getc\n"
            "    lcall _take\n"
            "    lcall _uart_rx_ready\n"
            "    jc   00001$\n"
            "    mov  a,_lflags\n"
            "    jb   acc.7,00001$\n"               /* L_STAR */
            "    mov  a,_trim\n"
            "    cjne a,#" XSTR(PROTO_SET_MIN) ",00008$\n"
            "00008$:\n"
            "    jc   00001$\n"
            "    lcall _prepare\n"
            "    sjmp 00001$\n"
            "00006$:\n"
            "    ret\n");
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

#if E_SENSOR
static const CODE char none[] = "NONE";         /* TEMP's reading, DRIFT's ID */
#endif
#if FEATURE_DRIFT
/*
 * a DRIFT reply's number after its keyword (c: the keyword's last letter): ID and RATE from
 * the queued state (clock_tmp: ID, RATE), ACC and STEPS now, K and T0 off the queue (each at
 * its field: nothing else takes from the queue while a reply is under way). In C terms:
 *     'D' (ID):    v = clock_tmp[0..1]; (uint16_t)(v + 1) < 2 ? out_fmt("NONE") : out_hex4(v)
 *     'E' (RATE):  out_fixed((int16_t)clock_tmp[2..3], OF_SIGN | 2)       (+300.00)
 *     'C' (ACC):   out_fixed(drift_acc, OF_SIGN | OF_LO5 | 8)   (+1.234: 10 ns, rounded to ms)
 *     'S' (STEPS): out_fixed(drift_steps(), OF_SIGN)                      (+12)
 *     'K' (K):     out_fixed((int8_t)rq_get(), OF_SIGN | 3)               (-0.034)
 *     else (T0):   out_fixed(rq_get() & 0x3F, 0)                          (25)
 * In assembler (SDCC's C: 188 bytes, a sign extension and a call per case): R2 = the spec;
 * the 16-bit cases end at one sign extension (DPL = low byte, A = high byte) into B, A.
 * drift_steps() is C: nothing is kept in registers across it (rq_get() keeps R0-R7: R7 = c
 * across it).
 */
typedef char df_spec[(OF_SIGN | 2) == 0x82 && (OF_SIGN | OF_LO5 | 8) == 0xD8
                     && (OF_SIGN | 3) == 0x83 ? 1 : -1];
static void drift_field(char c) __naked
{
    (void)c;
    __asm__("    mov  a,dpl\n"
            "    mov  r0,#_clock_tmp\n"
            "    cjne a,#0x44,00002$\n"             /* 'D': ID */
            "    mov  dpl,@r0\n"
            "    inc  r0\n"
            "    mov  a,@r0\n"
            "    mov  dph,a\n"
            "    cjne a,dpl,00001$\n"               /* bytes differ: not 0000, FFFF */
            "    inc  a\n"                          /* 0x00 -> 1, 0xFF -> 0 */
            "    anl  a,#0xFE\n"
            "    jnz  00001$\n"
            "    mov  dptr,#_none\n"
            "    ljmp _out_fmt\n"
            "00001$:\n"
            "    ljmp _out_hex4\n"
            "00002$:\n"
            "    mov  r2,#0x82\n"                   /* OF_SIGN | 2 */
            "    cjne a,#0x45,00003$\n"             /* 'E': RATE, clock_tmp[2..3] */
            "    inc  r0\n"
            "    inc  r0\n"
            "    mov  dpl,@r0\n"
            "    inc  r0\n"
            "    mov  a,@r0\n"
            "    sjmp 00008$\n"
            "00003$:\n"
            "    cjne a,#0x43,00004$\n"             /* 'C': ACC */
            "    mov  r0,#_drift_acc\n"
            "    mov  r2,#0xD8\n"                   /* OF_SIGN | OF_LO5 | 8 */
            "    mov  dpl,@r0\n"
            "    inc  r0\n"
            "    mov  dph,@r0\n"
            "    inc  r0\n"
            "    mov  b,@r0\n"
            "    inc  r0\n"
            "    mov  a,@r0\n"
            "    sjmp 00009$\n"
            "00004$:\n"
            "    cjne a,#0x53,00005$\n"             /* 'S': STEPS */
            "    lcall _drift_steps\n"
            "    mov  r2,#0x80\n"                   /* OF_SIGN */
            "    mov  a,dph\n"
            "    sjmp 00008$\n"
            "00005$:\n"
            "    mov  r7,a\n"                       /* c */
            "    lcall _rq_get\n"                   /* K or T0: the next queued byte */
            "    cjne r7,#0x4B,00006$\n"            /* 'K' */
            "    mov  r2,#0x83\n"                   /* OF_SIGN | 3 */
            "    sjmp 00007$\n"
            "00006$:\n"                            /* T0: its bits 0-5, unsigned */
            "    anl  a,#0x3F\n"
            "    mov  r2,#0\n"
            "00007$:\n"                            /* a signed byte in A: */
            "    mov  dpl,a\n"
            "    rlc  a\n"
            "    subb a,acc\n"                      /* its sign: the high byte */
            "00008$:\n"                            /* DPL, A: a 16-bit value, signed */
            "    mov  dph,a\n"
            "    rlc  a\n"
            "    subb a,acc\n"
            "    mov  b,a\n"
            "00009$:\n"
            "    mov  _out_fixed_PARM_2,r2\n"
            "    ljmp _out_fixed\n");
}
#endif

/*
 * The reply rp_code from rp_s on, up to its end or a piece boundary (rp_s, rp_code: its
 * state, used in place: nothing to save around the calls). In C terms, with k = rp_code &
 * R_CODE:
 *     out_uart = 1; fmt_flags = (rp_code & R_DATA) ? 0xFF : 0;   (each reply's FC_IF tests
 *                                              its own flag alone: reply_info[k] >> 4)
 *     while ((rp_s = out_fmt(rp_s)) != 0) {
 *         protocol_rx();                           (between the pieces of a long reply)
 *         if (k == R_DRIFT && rp_s[-1] == FCN_RX)  { drift_field(rp_s[-3]); continue; }
 *         if (rp_s[-2] == '=') {                   (a value: every '=' is before an FC_RX)
 *             if (k == R_CAL) {                    (its term, then its festival:
 *                 solar_print(solar.term);          reply_start() computed both; nothing
 *                 solar.term = solar.fest;          changes `solar` within this call, and
 *                 continue;                         the pages recompute theirs)
 *             }
 *             out_fmt(text_nth(temp_words, temp_state));   (INFO's " temp=")
 *             continue;
 *         }
 *         if (rp_s[-1] == FCN_PIECE) { out_uart = 0; return; }   (the rest when this
 *     }                                                           piece has been sent)
 *     if (k == R_TEMP) temp_state == TEMP_OK ? temp_print() : out_fmt("NONE");
 *     protocol_rx();
 *     if (rp_code & R_CKS) {                       ("#CCCC" ('0' + nibble) or "*HH" (hex))
 *         n = 5; c = '#';                          (the marker and four digits ...)
 *         if (!(rp_code & R_CRC)) { out_crc = out_xor << 8 | (out_crc & 0xFF); n = 3;
 *             c = '*'; }                           (... or two; the low byte is never shown)
 *         do {
 *             uart_putc(c);
 *             c = out_crc >> 12; c += c < 10 || (rp_code & R_CRC) ? '0' : 'A' - 10;
 *             out_crc <<= 4;
 *         } while (--n);
 *     }
 *     out_fmt("\r\n"); out_uart = 0;
 * (CAL, TEMP, DRIFT: only on the boards with the feature.) In assembler (SDCC's C: 296
 * bytes): R5, R6, R7 = rp_s[-3], rp_s[-2], rp_s[-1] and A = k, read after each piece; in
 * the check, R7 = n, R6 = c and R5 = 'A' - '0' - 10 or 0 (uart_putc() keeps R0-R7), R1 for
 * crc_shl4 (in take()).
 */
#if FEATURE_LUNAR
typedef char solar_layout[(offsetof(solar_t, term) == 0 && offsetof(solar_t, fest) == 1) ? 1 : -1];
#endif
#if FEATURE_DS18B20
typedef char temp_ok_is_3[(TEMP_OK == 3) ? 1 : -1];
#endif
typedef char fc_pieces[(FCN_RX == 0x8C && FCN_PIECE == 0x8D) ? 1 : -1];
/* the banner; its last three bytes are the replies' line end ("\r\n": banner + 13) */
static const CODE char banner[] = "clock51 READY\r\n";
typedef char banner_ends_in_crlf[(sizeof(banner) == 16) ? 1 : -1];
static void reply_run(void) __naked
{
    __asm__("    setb _out_uart\n"
            "    mov  a,_rp_code\n"
            "    mov  c,acc.5\n"                    /* R_DATA */
            "    subb a,acc\n"                      /* 0xFF with it, else 0 */
            "    mov  _fmt_flags,a\n"
            "00002$:\n"                            /* the next piece */
            "    mov  dpl,_rp_s\n"
            "    mov  dph,(_rp_s + 1)\n"
            "    lcall _out_fmt\n"
            "    mov  _rp_s,dpl\n"
            "    mov  (_rp_s + 1),dph\n"
            "    mov  a,dpl\n"
            "    orl  a,dph\n"
            "    jz   00010$\n"                     /* the end */
            "    lcall _protocol_rx\n"
            "    mov  dpl,_rp_s\n"                  /* DPTR = rp_s - 256 */
            "    mov  a,(_rp_s + 1)\n"
            "    dec  a\n"
            "    mov  dph,a\n"
            "    mov  a,#0xFD\n"                   /* rp_s[-3] */
            "    movc a,@a+dptr\n"
            "    mov  r5,a\n"
            "    mov  a,#0xFE\n"
            "    movc a,@a+dptr\n"
            "    mov  r6,a\n"
            "    mov  a,#0xFF\n"
            "    movc a,@a+dptr\n"
            "    mov  r7,a\n"
#if FEATURE_DRIFT || FEATURE_LUNAR
            "    lcall rp_k\n"                      /* A = k (kept below) */
#endif
#if FEATURE_DRIFT
            "    cjne a,#" XSTR(R_DRIFT_N) ",00003$\n"
            "    cjne r7,#0x8C,00003$\n"            /* FC_RX: a DRIFT number */
            "    mov  dpl,r5\n"
            "    lcall _drift_field\n"
            "    sjmp 00002$\n"
            "00003$:\n"
#endif
            "    cjne r6,#0x3D,00005$\n"            /* '=': a value */
#if FEATURE_LUNAR
            "    cjne a,#" XSTR(R_CAL_N) ",00004$\n"
            "    mov  r0,#_solar\n"                 /* CAL: the term, then the festival */
            "    mov  dpl,@r0\n"
            "    lcall _solar_print\n"
            "    mov  r0,#(_solar + 1)\n"
            "    mov  a,@r0\n"
            "    dec  r0\n"
            "    mov  @r0,a\n"
            "    sjmp 00002$\n"
            "00004$:\n"
#endif
#if FEATURE_DS18B20
            "    mov  _text_nth_PARM_2,_temp_state\n"   /* INFO's temp= */
            "    mov  dptr,#_temp_words\n"
            "    lcall _text_nth\n"
            "    lcall _out_fmt\n"
#endif
            "    sjmp 00002$\n"
            "00005$:\n"
            "    cjne r7,#0x8D,00002$\n"            /* FC_PIECE: wait for the line */
            "    clr  _out_uart\n"
            "    ret\n"
            "00010$:\n"                            /* the end */
#if FEATURE_DS18B20
            "    lcall rp_k\n"
            "    cjne a,#" XSTR(R_TEMP_N) ",00012$\n"
            "    mov  a,_temp_state\n"              /* TEMP: the reading or NONE */
            "    cjne a,#3,00011$\n"                /* TEMP_OK */
            "    lcall _temp_print\n"
            "    sjmp 00012$\n"
            "00011$:\n"
            "    mov  dptr,#_none\n"
            "    lcall _out_fmt\n"
            "00012$:\n"
#endif
            "    lcall _protocol_rx\n"
            "    mov  a,_rp_code\n"
            "    jnb  acc.7,00016$\n"               /* no R_CKS */
            "    mov  r7,#5\n"
            "    mov  r6,#0x23\n"                   /* '#' */
            "    mov  r5,#0\n"
            "    jb   acc.6,00013$\n"               /* R_CRC */
            "    mov  (_out_crc + 1),_out_xor\n"   /* (the low byte is shifted in */
            "    mov  r7,#3\n"                      /* only after the last digit) */
            "    mov  r6,#0x2A\n"                   /* '*' */
            "    mov  r5,#7\n"
            "00013$:\n"
            "    mov  dpl,r6\n"
            "    lcall _uart_putc\n"
            "    mov  a,(_out_crc + 1)\n"           /* the next digit: */
            "    swap a\n"
            "    anl  a,#0x0F\n"
            "    add  a,#0xF6\n"                    /* C: 10..15 */
            "    jnc  00015$\n"
            "    add  a,r5\n"                       /* 'A'..'F' with '*' */
            "00015$:\n"
            "    add  a,#0x3A\n"                    /* (- 10 + '0' + 10) */
            "    mov  r6,a\n"
            "    mov  r1,#_out_crc\n"               /* out_crc <<= 4 */
            "    lcall crc_shl4\n"
            "    djnz r7,00013$\n"
            "00016$:\n"
            "    mov  dptr,#(_banner + 13)\n"      /* "\r\n" */
            "    ljmp banner_out\n"                 /* (protocol_banner()) */
            "rp_k:\n"                              /* A = rp_code & R_CODE (A) */
            "    mov  a,_rp_code\n"
            "    anl  a,#0x1F\n"
            "    ret\n");
}

/*
 * The oldest queued reply: its result into clock_tmp (fmt_p), its "OK "/"ERR " (reply_run()
 * goes on). In C terms:
 *     rp_code = rq_get(); k = rp_code & R_CODE;
 *     n = rq_len(k); d = n >= RQ_DATE ? clock_tmp : rp_alarm;   (a SET's time, a CAL's
 *     if (k == R_DRIFT) n = 4;              (its last two: at their fields)   date, a DRIFT)
 *     while (n--) *d++ = rq_get();
 *     if (k == R_ALARM_AGAIN) k = R_ALARM;
 *     if (k == R_TEMP)                      (no reading: an error reply instead)
 *         k = temp_state == TEMP_ERR ? R_E_SENSOR : temp_state == TEMP_WAIT ? R_E_BUSY : k;
 *     rp_code = (rp_code & ~R_CODE) | k; rp_s = replies[k];
 *     fmt_p = k == R_ALARM ? rp_alarm - 3 : clock_tmp;       (FC_HOUR, FC_MIN)
 *     out_uart = 1; out_xor = 0; out_crc = 0;
 *     out_fmt(k >= R_E_UNKNOWN ? "ERR " : "OK ");
 *     if (k == R_HELP) out_fmt(keywords);   (HELP_SPLIT: the check is a piece of its own)
 *     if (k == R_SET) clock_tmp.wday = cal_weekday(&clock_tmp);   (the SET's weekday)
 *     if (k == R_CAL) {                     (printed in this call (reply_run()))
 *         lunar_from_date(&clock_tmp);
 *         protocol_rx();                    (each step up to 0.6 ms)
 *         solar_of_day(&clock_tmp);
 *         ui_calendar_stale();              (it changed `lunar` and `solar`)
 *     }
 *     if (k == R_TIME && !clock_read()) dt_copy(&clock_tmp, &clock_now);   (a GET: now)
 * (CAL, TEMP, DRIFT: only on the boards with the feature.) In assembler (SDCC's C: 224
 * bytes): R7 = k, R6 = n, R1 = d (rq_get() and rq_len() keep R0-R7); after out_fmt() (which
 * does not) k is rp_code's.
 */
typedef char reply_start_consts[(RQ_DATE == 3 && offsetof(datetime_t, wday) == 6) ? 1 : -1];
#if FEATURE_DS18B20
typedef char reply_start_temp[(TEMP_WAIT == 0 && TEMP_ERR == 2) ? 1 : -1];
#endif
static const CODE char s_ok[] = "OK ";
static const CODE char s_err[] = "ERR ";
static void reply_start(void) __naked
{
    __asm__("    lcall _rq_get\n"
            "    mov  _rp_code,a\n"
            "    anl  a,#0x1F\n"
            "    mov  r7,a\n"                       /* k */
            "    lcall _rq_len\n"
            "    mov  r6,a\n"                       /* n */
            "    mov  r1,#_rp_alarm\n"              /* d */
            "    cjne r6,#3,00001$\n"               /* RQ_DATE */
            "00001$:\n"
            "    jc   00002$\n"
            "    mov  r1,#_clock_tmp\n"
            "00002$:\n"
#if FEATURE_DRIFT
            "    cjne r7,#" XSTR(R_DRIFT_N) ",00003$\n"
            "    mov  r6,#4\n"                      /* DRIFT: its first four */
            "00003$:\n"
#endif
            "    mov  a,r6\n"
            "    jz   00005$\n"
            "00004$:\n"
            "    lcall _rq_get\n"
            "    mov  @r1,a\n"
            "    inc  r1\n"
            "    djnz r6,00004$\n"
            "00005$:\n"
            "    cjne r7,#" XSTR(R_ALARM_AGAIN_N) ",00006$\n"
            "    mov  r7,#3\n"                      /* R_ALARM */
            "00006$:\n"
#if FEATURE_DS18B20
            "    cjne r7,#" XSTR(R_TEMP_N) ",00008$\n"
            "    mov  a,_temp_state\n"
            "    cjne a,#2,00007$\n"                /* TEMP_ERR: ERR sensor */
            "    mov  r7,#" XSTR(R_E_SENSOR_N) "\n"
            "00007$:\n"
            "    jnz  00008$\n"
            "    mov  r7,#" XSTR(R_E_BUSY_N) "\n"          /* TEMP_WAIT: ERR busy */
            "00008$:\n"
#endif
            "    anl  _rp_code,#0xE0\n"
            "    mov  a,r7\n"
            "    orl  _rp_code,a\n"
            "    add  a,r7\n"                       /* rp_s = replies[k] (A = k) */
            "    mov  r6,a\n"
            "    mov  dptr,#_replies\n"
            "    movc a,@a+dptr\n"
            "    mov  _rp_s,a\n"
            "    mov  a,r6\n"
            "    inc  a\n"
            "    movc a,@a+dptr\n"
            "    mov  (_rp_s + 1),a\n"
            "    mov  _fmt_p,#_clock_tmp\n"
            "    cjne r7,#3,00009$\n"               /* R_ALARM */
            "    mov  _fmt_p,#(_rp_alarm - 3)\n"
            "00009$:\n"
            "    setb _out_uart\n"
            "    clr  a\n"
            "    mov  _out_xor,a\n"
            "    mov  _out_crc,a\n"
            "    mov  (_out_crc + 1),a\n"
            "    mov  dptr,#_s_ok\n"
            "    cjne r7,#" XSTR(R_E_UNKNOWN_N) ",00010$\n"
            "00010$:\n"
            "    jc   00011$\n"
            "    mov  dptr,#_s_err\n"
            "00011$:\n"
            "    lcall _out_fmt\n"
            "    lcall rp_k\n"
#if HELP_SPLIT
            "    cjne a,#6,00012$\n"                /* R_HELP */
            "    mov  dptr,#_keywords\n"
            "    ljmp _out_fmt\n"
            "00012$:\n"
#endif
            "    jnz  00013$\n"                     /* R_SET: its weekday */
            "    mov  dpl,#_clock_tmp\n"
            "    lcall _cal_weekday\n"
            "    mov  r0,#(_clock_tmp + 6)\n"
            "    mov  @r0,dpl\n"
            "    ret\n"
            "00013$:\n"
#if FEATURE_LUNAR
            "    cjne a,#" XSTR(R_CAL_N) ",00014$\n"
            "    mov  dpl,#_clock_tmp\n"
            "    lcall _lunar_from_date\n"
            "    lcall _protocol_rx\n"
            "    mov  dpl,#_clock_tmp\n"
            "    lcall _solar_of_day\n"
            "    ljmp _ui_calendar_stale\n"
            "00014$:\n"
#endif
            "    cjne a,#1,00015$\n"                /* R_TIME: the clock now */
            "    lcall _clock_read\n"
            "    jc   00015$\n"
            "    mov  _dt_copy_PARM_2,#_clock_now\n"
            "    mov  dpl,#_clock_tmp\n"
            "    ljmp _dt_copy\n"
            "00015$:\n"
            "    ret\n");
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

/* out_uart = 1; out_fmt(banner); out_uart = 0; in assembler, its end (banner_out) shared by
 * reply_run() */
void protocol_banner(void) __naked
{
    __asm__("    setb _out_uart\n"
            "    mov  dptr,#_banner\n"
            "banner_out:\n"
            "    lcall _out_fmt\n"
            "    clr  _out_uart\n"
            "    ret\n");
}
