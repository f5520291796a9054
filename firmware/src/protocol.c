/*
 * protocol.c - serial protocol (docs/protocol.md): line framing, optional NMEA-style
 * checksum, command parsing and replies. Nothing is changed unless a line is entirely valid.
 *
 * Checks in order: too long (> 40 chars), bad byte (outside 0x20..0x7E), checksum ('*'
 * must be followed by exactly two hex digits ending the line), command. Replies carry
 * "*HH" when the request contained a '*' (ERR too long never does: the line is discarded).
 * Replies are streamed into the UART transmit ring through the text sink, which XORs them
 * on the way, so no reply buffer is needed.
 *
 * Parsing is a cursor (pp) over the upper-cased line; words are separated by one or more
 * spaces; leading and trailing spaces are ignored.
 */
#include "board_config.h"
#include "protocol.h"
#include "uart.h"
#include "clock.h"
#include "calendar.h"
#include "text.h"
#include "ui.h"

#define XSTR(x) STR(x)
#define STR(x) #x

/* The line as received, upper-cased, NUL-terminated at its end (idata: far cheaper to
 * index than XRAM). While bytes arrive, protocol_poll() also keeps the XOR of the bytes
 * before the first '*' and that star's position, so a complete line needs no second pass:
 * a SET reaches the DS1302 about 1 ms after its last byte. */
static IDATA char line[PROTO_MAX_LINE + 1];
static uint8_t len;                 /* bytes in line (excluding a checksum suffix once checked) */
static uint8_t star = 0xFF;                /* index of the first '*', 0xFF if none */
static uint8_t in_xor;              /* XOR of the raw bytes before the first '*' */
static bool_t too_long, bad_byte;
static uint8_t pp;                  /* parse position */
static bool_t bad_syntax;

/* keyword list: index = position */
static const CODE char keywords[] = "PING\0GET\0SET\0ALARM\0HOURS\0INFO\0HELP\0ON\0OFF\0";
enum { K_PING, K_GET, K_SET, K_ALARM, K_HOURS, K_INFO, K_HELP, K_ON, K_OFF, K_NONE };

/* ---- input cursor ---- */

static char peek(void)
{
    return line[pp];                /* the parse never moves past the terminating NUL */
}

static void skip_spaces(void)
{
    while (peek() == ' ')
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
    uint8_t a = (uint8_t)(line[pp] - '0'), b;
    if (a > 9)
        goto bad;
    b = (uint8_t)(line[pp + 1] - '0');
    if (b > 9)
        goto bad;
    pp += 2;
    return (uint8_t)(a * (uint8_t)10) + b;
bad:
    bad_syntax = 1;
    return 0;
}

/* the next word as a keyword index (K_NONE if unknown); pp moves past the word */
static uint8_t take_word(void)
{
    const CODE char *k = keywords;
    uint8_t idx = 0, start, p;
    char c;

    skip_spaces();
    start = pp;
    while (*k) {
        p = start;
        while ((c = *k) != 0 && c == line[p]) {
            k++;
            p++;
        }
        c = line[p];
        if (*k == 0 && (c == ' ' || c == 0)) {
            pp = p;
            return idx;
        }
        while (*k++)
            ;
        idx++;
    }
    while ((c = line[pp]) != 0 && c != ' ')
        pp++;
    return K_NONE;
}

/* ---- replies (through the text sink, out_uart = 1) ---- */

static bool_t rcks;                 /* the reply gets a "*HH" suffix */

static void r_end(void)
{
    static const CODE char hex[] = "0123456789ABCDEF";
    uint8_t x = out_xor;
    if (rcks) {
        uart_putc('*');
        uart_putc(hex[x >> 4]);
        uart_putc(hex[x & 0x0F]);
    }
    uart_putc('\r');
    uart_putc('\n');
}

static void r_err(const CODE char *msg)
{
    out_str("ERR ");
    out_str(msg);
}

static void r_time(void)            /* "OK 2026-11-24 12:05:31 TUE" from clock_tmp */
{
    out_str("OK ");
    out_date(&clock_tmp);
    out_ch(' ');
    out_2d(clock_tmp.hour);
    out_ch(':');
    out_2d(clock_tmp.minute);
    out_ch(':');
    out_2d(clock_tmp.second);
    out_ch(' ');
    out_wday(clock_tmp.wday);
}

/* ---- commands: each leaves exactly one reply line (without its end) in the sink ---- */

static void cmd_set(void)
{
    uint8_t century;
    skip_spaces();
    century = take_2d();
    clock_tmp.year = take_2d();
    expect('-');
    clock_tmp.month = take_2d();
    expect('-');
    clock_tmp.day = take_2d();
    expect(' ');
    skip_spaces();
    clock_tmp.hour = take_2d();
    expect(':');
    clock_tmp.minute = take_2d();
    expect(':');
    clock_tmp.second = take_2d();
    if (bad_syntax || !at_end()) {
        r_err("syntax");
    } else if (century != 20 || !clock_set()) {  /* clock_set validates before writing */
        r_err("range");
    } else {
        ui_cancel_edit();
        r_time();
    }
}

static void cmd_alarm(void)
{
    uint8_t start, kw, h, m;
    if (!at_end()) {
        start = pp;
        kw = take_word();
        if ((kw == K_ON || kw == K_OFF) && at_end()) {
            clock_set_alarm(settings.alarm_hour, settings.alarm_minute, kw == K_ON);
        } else {
            pp = start;
            h = take_2d();
            expect(':');
            m = take_2d();
            if (bad_syntax || !at_end()) {
                r_err("syntax");
                return;
            }
            if (!clock_set_alarm(h, m, 1)) {
                r_err("range");
                return;
            }
        }
        ui_cancel_edit();
    }
    out_str("OK ALARM ");
    out_2d(settings.alarm_hour);
    out_ch(':');
    out_2d(settings.alarm_minute);
    out_str((settings.flags & SET_ALARM_ON) ? " ON" : " OFF");
}

static void cmd_hours(void)
{
    uint8_t n = 0, v = 0;
    char c;
    if (!at_end()) {
        while ((c = peek()) >= '0' && c <= '9') {
            v = (v << 3) + (v << 1) + (uint8_t)(c - '0');
            n++;
            pp++;
        }
        if (n == 0 || !at_end()) {
            r_err("syntax");
            return;
        }
        if (n != 2 || (v != 12 && v != 24)) {
            r_err("range");
            return;
        }
        clock_set_h12(v == 12);
        ui_cancel_edit();
    }
    out_str((settings.flags & SET_H12) ? "OK HOURS 12" : "OK HOURS 24");
}

static uint8_t hexval(char c)       /* 0xFF if not a hex digit */
{
    if (c >= '0' && c <= '9')
        return c - '0';
    c |= 0x20;
    if (c >= 'a' && c <= 'f')
        return c - 'a' + 10;
    return 0xFF;
}

void protocol_line_done(void)
{
    uint8_t i, a, b;

    out_uart = 1;
    out_xor = 0;
    rcks = star != 0xFF;
    bad_syntax = 0;
    pp = 0;
    if (too_long) {
        rcks = 0;
        r_err("too long");
        goto done;
    }
    if (bad_byte) {
        r_err("bad byte");
        goto done;
    }
    if (rcks) {
        a = b = 0xFF;
        if (star + 3 == len) {
            a = hexval(line[star + 1]);
            b = hexval(line[star + 2]);
        }
        if (a == 0xFF || b == 0xFF || (uint8_t)((a << 4) | b) != in_xor) {
            r_err("checksum");
            goto done;
        }
        len = star;
    }
    line[len] = 0;
    i = take_word();
    if (i == K_SET) {
        cmd_set();
    } else if (i == K_ALARM) {
        cmd_alarm();
    } else if (i == K_HOURS) {
        cmd_hours();
    } else if (i > K_HELP) {
        r_err("unknown command");
    } else if (!at_end()) {
        r_err("syntax");
    } else if (i == K_GET) {
        if (!clock_read())
            clock_tmp = clock_now;
        r_time();
    } else if (i == K_PING) {
        out_str("OK PONG");
    } else if (i == K_INFO) {
        out_str("OK INFO clock51 " FIRMWARE_VERSION " board=" BOARD_NAME " mcu=" BOARD_MCU
                " xtal=");
        /* leading digits only: XSTR(11059200UL) -> "11059200" */
        {
            const CODE char *d = XSTR(BOARD_F_CPU);
            while (*d >= '0' && *d <= '9')
                out_ch(*d++);
        }
        out_str(" baud=" XSTR(UART_BAUD));
        out_str((settings.flags & SET_UNSET) ? " rtc=unset" : " rtc=ok");
    } else {
        out_str("OK PING GET SET ALARM HOURS INFO HELP");
    }
done:
    r_end();
    out_uart = 0;
}

void protocol_poll(void)
{
    uint8_t c;
    while (uart_rx_ready()) {
        c = uart_getc();
        if (c == '\r' || c == '\n') {
            if (len || too_long || bad_byte) {
                protocol_line_done();
                ui_dirty = 1;
            }
            len = 0;
            star = 0xFF;
            in_xor = 0;
            too_long = 0;
            bad_byte = 0;
            continue;
        }
        if (c < 0x20 || c > 0x7E)
            bad_byte = 1;
        if (c == '*' && star == 0xFF)
            star = len;
        if (star == 0xFF)
            in_xor ^= c;
        if (len >= PROTO_MAX_LINE) {
            too_long = 1;
            continue;
        }
        if (c >= 'a' && c <= 'z')
            c -= 32;
        line[len++] = c;
    }
}
