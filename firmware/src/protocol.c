/*
 * protocol.c - serial protocol (docs/protocol.md): line framing, optional check (a CRC-16
 * "#CCCC" or an NMEA-style XOR "*HH"), command parsing and replies. Nothing is changed
 * unless a line is entirely valid.
 *
 * Checks in order: too long (> 40 chars), bad byte (outside 0x20..0x7E), check ('#' must be
 * followed by exactly four digits '0'..'?' giving the CRC-16 nibbles, '*' by exactly two hex
 * digits giving the XOR, then the line end), command. Replies carry the same form of check
 * when the request had one (ERR too long never does: the line is discarded).
 *
 * Receiving (take): bytes before the first '*' or '#' (the body) are stored upper-cased in
 * line[] and summed into in_xor and in_crc; the digits after it are compared on the fly
 * with the check they must give (in_crc, shifted a nibble per digit). A SET is parsed ahead
 * ("prepared": clock_prepare() validates it and builds the DS1302 burst) as soon as its
 * body is complete ('*' or '#' received) or, without a check, whenever the receive ring runs
 * dry; at the line end only the check test and clock_commit() remain.
 *
 * Replying: a complete line is executed at once and leaves its reply in a queue: a code
 * (R_* | R_CKS | R_CRC) followed by the request's result, taken at its line end: a SET's
 * time (7 bytes), the settings after an ALARM, HOURS or INFO (flags, alarm hour, minute). So
 * each reply states the result of its own request even when later lines changed things
 * before it was sent. protocol_poll() turns one entry into a line whenever the previous line
 * has been sent (the text sink XORs it on the way into the UART's line buffer). The receive
 * ring is drained between the pieces of a long reply, so a SET line ending meanwhile still
 * gets its DS1302 write at once. GET replies read the clock when they are generated.
 * (Check forms: R_CRC marks a '#' request; the sink also adds every reply byte to out_crc.)
 *
 * Parsing is a cursor (pp) over the upper-cased body; words are separated by one or more
 * spaces; leading and trailing spaces are ignored.
 */
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
#define INFO_TEMP " temp=none"
#else
#define KW_TEMP ""
#define INFO_TEMP ""
#endif
#if FEATURE_LUNAR
#include "solar.h"
#define KW_CAL " CAL"
#else
#define KW_CAL ""
#endif

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
#define PROTO_SET_MIN 23            /* strlen("SET 2026-11-24 12:05:31") */
static bool_t bad_syntax;
static bool_t exec;                 /* parse() may change things (the line is complete) */

static XDATA uint8_t rq[PROTO_QUEUE];   /* replies: code, then 0, 3 or 7 result bytes */
static uint8_t rq_head, rq_tail;

/* reply codes; the first seven equal the command keywords' indices */
enum { R_PONG, R_TIME, R_SET, R_ALARM, R_HOURS, R_INFO, R_HELP,
#if FEATURE_LUNAR
       R_CAL,
#endif
#if FEATURE_DS18B20
       R_TEMP,
#endif
       R_E_UNKNOWN, R_E_SYNTAX, R_E_RANGE, R_E_LONG, R_E_BYTE, R_E_CKSUM
#if FEATURE_DS18B20
       , R_E_SENSOR, R_E_BUSY
#endif
};
#define R_CKS 0x80                  /* the reply gets a check suffix: "*HH" ... */
#define R_CRC 0x40                  /* ... or "#CCCC" */

/* keyword lists, space-separated: index = position; the commands' list is the HELP reply */
static const CODE char keywords[] = "PING GET SET ALARM HOURS INFO HELP" KW_CAL KW_TEMP;
static const CODE char onoff[] = "OFF ON";         /* index = SET_ALARM_ON or 0 */
enum { K_PING, K_GET, K_SET, K_ALARM, K_HOURS, K_INFO, K_HELP,
#if FEATURE_LUNAR
       K_CAL,
#endif
#if FEATURE_DS18B20
       K_TEMP,
#endif
       K_END };
#define K_NONE 0xFF
#define RQ_DT  7                    /* result bytes of a SET: the datetime_t it wrote; of a
                                       CAL: the date asked about (in a datetime_t) */
#define RQ_SETTINGS 3               /* of ALARM, HOURS, INFO: settings_t after the request */

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

/* result bytes queued after reply code k (without R_CKS) */
static uint8_t rq_len(uint8_t k)
{
#if FEATURE_LUNAR
    if (k == R_CAL)
        return RQ_DT;
#endif
    if (k == R_SET)
        return RQ_DT;
    return (k >= R_ALARM && k <= R_INFO) ? RQ_SETTINGS : 0;
}

#define INFO_TEXT "INFO clock51 " FIRMWARE_VERSION " board=" BOARD_NAME " mcu=" BOARD_MCU \
                  " xtal=" BOARD_F_CPU_STR " baud=" XSTR(UART_BAUD)
#define XSTR(x) STR(x)
#define STR(x) #x
/* the longest reply fits the UART's line buffer */
typedef char info_fits[(sizeof("OK " INFO_TEXT INFO_TEMP " rtc=unset#CCCC\r\n") - 1 <= UART_TX_SIZE)
                       ? 1 : -1];

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

/* the next word as an index in list k (K_NONE if unknown, the cursor then stays) */
static uint8_t take_word(const CODE char *k)
{
    uint8_t idx = 0, p;
    char c;

    skip_spaces();
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

/* ---- commands: the body in line[] -> a reply code; changes only when exec ---- */

/* "YYYY-MM-DD" -> clock_new's date (syntax error if malformed); returns the century */
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

/* the body line[0..trim) -> reply code (SET: prepared, not written) */
static uint8_t parse(void)
{
    uint8_t k, n, v, start, c;

    line[trim] = 0;
    bad_syntax = 0;
    pp = 0;
    k = take_word(keywords);
    if (k == K_SET)
        return cmd_set();
    if (k >= K_END)
        return R_E_UNKNOWN;
#if FEATURE_LUNAR
    if (k == K_CAL) {                       /* the date into clock_new (the reply's result) */
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
    if (at_end())
        return k;                           /* PING GET ALARM HOURS INFO HELP TEMP: R_* == K_* */
    if (k == K_ALARM) {
        start = pp;
        k = take_word(onoff);
        take_h = settings.alarm_hour;
        take_m = settings.alarm_minute;
        if (k != K_NONE && at_end()) {
            /* k: 1 = ON (SET_ALARM_ON), 0 = OFF */
        } else {
            pp = start;
            take_hm();
            if (bad_syntax || !at_end())
                return R_E_SYNTAX;
            if (take_h > 23 || take_m > 59)
                return R_E_RANGE;
            k = 1;
        }
        if (exec) {
            settings.alarm_hour = take_h;
            settings.alarm_minute = take_m;
            settings.flags = (settings.flags & ~SET_ALARM_ON) | k;
            settings_changed = 1;
            ui_cancel_edit();
        }
        return R_ALARM;
    }
    if (k == K_HOURS) {
        n = v = 0;
        for (;;) {
            c = (uint8_t)(line[pp] - '0');
            if (c > 9)
                break;
            v = (uint8_t)(v * (uint8_t)10) + c;
            n++;
            pp++;
        }
        if (n == 0 || !at_end())
            return R_E_SYNTAX;
        if (n != 2 || (v != 12 && v != 24))
            return R_E_RANGE;
        if (exec) {
            settings.flags &= ~SET_H12;
            if (v == 12)
                settings.flags |= SET_H12;
            settings_changed = 1;
            ui_cancel_edit();
        }
        return R_HOURS;
    }
    return R_E_SYNTAX;
}

/* parse a SET body ahead of its line end (no changes) */
static void prepare(void)
{
    if (line[0] != 'S' || prep_len == trim || tot > PROTO_MAX_LINE || (lflags & L_BAD))
        return;
    exec = 0;
    line[trim] = 0;
    if (line[1] == 'E' && line[2] == 'T' && line[3] == ' ') {
        bad_syntax = 0;                     /* "SET ": skip the keyword search */
        pp = 4;
        prep_code = cmd_set();
    } else {
        prep_code = parse();
    }
    prep_len = trim;
}

/* ---- the line end: checks, execution, reply code ---- */

static void line_end(void)
{
    uint8_t code, n, room;
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
    /* the result goes with the code: a SET's time or CAL's date (clock_new), else the
     * settings */
    n = rq_len(code & 0x3F);
    p = (n == RQ_DT) ? &clock_new.year : (uint8_t NEAR *)&settings.flags;
    room = rq_tail - rq_head - 1;
    if (rq_tail <= rq_head)
        room += PROTO_QUEUE;
    if (room > n) {                         /* full: the reply is lost (see protocol.h) */
        rq_put(code);
        while (n--)
            rq_put(*p++);
    }
    ui_dirty = 1;
}

static void take(uint8_t c)
{
    uint8_t d;
    if (c == '\r' || c == '\n') {
        if (tot)
            line_end();
        tot = len = trim = in_xor = lflags = 0;
        in_crc = 0;
        prep_len = 0xFF;
        clock_ready = 0;
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

/* take every received byte; parse a long enough body ahead whenever the ring runs dry */
static void rx(void)
{
    while (uart_rx_ready()) {
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
static const CODE char r_cal[] =                /* + " term=... fest=..." (reply()) */
    "CAL 20" FC_YEAR "-" FC_MONTH "-" FC_DAY;
#endif
static const CODE char r_info[] =
    "INFO clock51 " FIRMWARE_VERSION " board=" BOARD_NAME FC_RX
    " mcu=" BOARD_MCU " xtal=" BOARD_F_CPU_STR FC_RX
    " baud=" XSTR(UART_BAUD)
#if FEATURE_DS18B20
    " temp=" FC_RX                              /* + the state word (reply()) */
#endif
    FC_IF_UNSET " rtc=unset" FC_ELSE " rtc=ok" FC_FI;
#if FEATURE_DS18B20
static const CODE char temp_words[] = "wait\0none\0err\0ok";    /* by temp_state */
#endif
/* per reply code: the text after "OK " / "ERR " */
static const CODE char * const CODE replies[] = {
    "PONG", r_time, r_time, r_alarm, r_hours, r_info, keywords,
#if FEATURE_LUNAR
    r_cal,
#endif
#if FEATURE_DS18B20
    "TEMP ",                                    /* + the reading or NONE (reply()) */
#endif
    "unknown command", "syntax", "range", "too long", "bad byte", "checksum"
#if FEATURE_DS18B20
    , "sensor", "busy"
#endif
};

/* reply_code -> one reply line. The locals are static: nothing to save around the calls. */
static uint8_t reply_code;
static void reply(void)
{
    static uint8_t k, c, n;
    static const CODE char *s;
    static uint8_t NEAR *d;

    k = reply_code & 0x3F;
    uart_tx_start();
    out_uart = 1;
    out_xor = 0;
    out_crc = 0;
    fmt_flags = settings.flags;
    fmt_p = (uint8_t NEAR *)&clock_tmp;
    /* the request's result: a SET's time into clock_tmp; settings into day (flags), hour
     * and minute (FC_HOUR, FC_MIN of the ALARM reply) */
    n = rq_len(k);
    d = (n == RQ_DT) ? &clock_tmp.year : &clock_tmp.day;
    while (n--)
        *d++ = rq_get();
    if (k >= R_ALARM && k <= R_INFO)
        fmt_flags = clock_tmp.day;
    else if (k == R_TIME && !clock_read())
        dt_copy(&clock_tmp, &clock_now);
#if FEATURE_DS18B20
    if (k == R_TEMP) {                          /* no reading: an error reply instead */
        if (temp_state == TEMP_ERR)
            k = R_E_SENSOR;
        else if (temp_state == TEMP_WAIT)
            k = R_E_BUSY;
    }
#endif
    out_fmt(k >= R_E_UNKNOWN ? "ERR " : "OK ");
    s = replies[k];
    while ((s = out_fmt(s)) != 0) {
        rx();                                   /* between the pieces of a long reply */
#if FEATURE_DS18B20
        if (s[-2] == '=')                       /* INFO's " temp=" piece ended */
            out_fmt(text_nth(temp_words, temp_state));
#endif
    }
#if FEATURE_LUNAR
    if (k == R_CAL) {
        solar_from_date(&clock_tmp);
        ui_calendar_stale();                    /* it changed `lunar` and `solar` */
        rx();
        out_fmt(" term=");
        solar_print(solar.term);
        out_fmt(" fest=");
        solar_print(solar.fest);
    }
#endif
#if FEATURE_DS18B20
    if (k == R_TEMP) {
        if (temp_state == TEMP_OK)
            temp_print();
        else
            out_fmt("NONE");
    }
#endif
    rx();
    if (reply_code & R_CKS) {               /* "#CCCC" ('0' + nibble) or "*HH" (hex) */
        k = 4;
        c = '#';
        if (!(reply_code & R_CRC)) {
            out_crc = (uint16_t)out_xor << 8;
            k = 2;
            c = '*';
        }
        do {
            uart_putc(c);
            c = (uint8_t)(out_crc >> 12) + '0';
            if (c > '9' && !(reply_code & R_CRC))
                c += 'A' - '9' - 1;
            out_crc <<= 4;
        } while (k--);
    }
    out_fmt("\r\n");
    out_uart = 0;
}

bool_t protocol_pending(void)
{
    return uart_rx_ready() || (rq_head != rq_tail && uart_tx_idle());
}

void protocol_poll(void)
{
    rx();
    if (rq_head != rq_tail && uart_tx_idle()) {
        reply_code = rq_get();
        reply();
    }
}

void protocol_banner(void)
{
    out_uart = 1;
    out_fmt("clock51 READY\r\n");
    out_uart = 0;
}
