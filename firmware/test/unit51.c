/*
 * unit51.c - the harness of unit51.h: test bookkeeping, Unity-format report lines on the
 * UART, the simulator's exit status port. Compiled into every suite (files at the root of
 * firmware/test are part of each test build).
 */
#include <8052.h>
#include <setjmp.h>
#include "unit51.h"

/* The simulator's exit status port (clock51-sim exec): 0 at reset, 0 = pass at the stop. */
__sfr __at(0xFF) UNIT_EXIT;

/* Before the C start-up: a test image's XRAM is 1 KB (pio_test_pre.py), so MOVX @Ri (the
 * modules' PDATA) takes its high address byte from P2, as on any 8052 with external XRAM:
 * page 0, where the linker put PDATA (the chip's own 256 bytes ignore P2). */
unsigned char _sdcc_external_startup(void)
{
    P2 = 0;
    return 0;
}

#define ST_RUNNING 0
#define ST_FAILED  1
#define ST_IGNORED 2

static __idata jmp_buf unit_jump;
static __idata uint16_t unit_tests, unit_failures, unit_ignored;
static __idata uint8_t unit_state;
static const char * __idata unit_name;      /* the running test */
static const char * __idata unit_file;      /* where RUN_TEST named it */
static __idata uint16_t unit_line;

static void out(char c)
{
    SBUF = c;
    while (!TI)
        ;
    TI = 0;
}

static void outs(const char *s) UNIT_RE
{
    while (*s)
        out(*s++);
}

static const __code uint32_t pow10[] = {
    1000000000UL, 100000000UL, 10000000UL, 1000000UL, 100000UL, 10000UL, 1000UL, 100UL, 10UL
};

/* a string with its control and non-ASCII bytes escaped (\r, \n, \t, \xHH): one line */
static void out_text(const char *s) UNIT_RE
{
    char c;
    while ((c = *s++) != 0) {
        if (c >= 0x20 && c < 0x7F) {
            out(c);
            continue;
        }
        out('\\');
        if (c == '\r') {
            out('r');
        } else if (c == '\n') {
            out('n');
        } else if (c == '\t') {
            out('t');
        } else {
            out('x');
            out("0123456789ABCDEF"[(uint8_t)c >> 4]);
            out("0123456789ABCDEF"[c & 0x0F]);
        }
    }
}

/* decimal without a division (the 8051 has only an 8-bit DIV) */
static void out_udec(uint32_t v) UNIT_RE
{
    uint8_t i, d, started = 0;
    for (i = 0; i < sizeof(pow10) / sizeof(pow10[0]); i++) {
        d = 0;
        while (v >= pow10[i]) {
            v -= pow10[i];
            d++;
        }
        if (d || started) {
            out('0' + d);
            started = 1;
        }
    }
    out('0' + (uint8_t)v);
}

static void out_hex(uint16_t v, uint8_t digits) UNIT_RE
{
    static const __code char hex[] = "0123456789ABCDEF";
    outs("0x");
    while (digits--)
        out(hex[(v >> (4 * digits)) & 0x0F]);
}

static void out_value(int32_t v, uint8_t how) UNIT_RE
{
    if (how == UNIT_HEX8) {
        out_hex((uint16_t)v, 2);
    } else if (how == UNIT_HEX16) {
        out_hex((uint16_t)v, 4);
    } else if (how == UNIT_DEC && v < 0) {
        out('-');
        out_udec((uint32_t)0 - (uint32_t)v);
    } else {
        out_udec((uint32_t)v);
    }
}

void unit_print(const char *s) UNIT_RE
{
    outs(s);
    out('\n');
}

void unit_print_uint(uint16_t v) UNIT_RE
{
    out_udec(v);
}

/* "file:line:test:" */
static void head(const char *file, uint16_t line) UNIT_RE
{
    outs(file);
    out(':');
    out_udec(line);
    out(':');
    outs(unit_name);
    out(':');
}

static void fail_head(const char *file, uint16_t line) UNIT_RE
{
    head(file, line);
    outs("FAIL: ");
}

/* the optional user message, then the end of the line, then the test ends */
static void fail_tail(const char *msg) UNIT_RE
{
    if (msg) {
        outs(". ");
        out_text(msg);
    }
    out('\n');
    unit_state = ST_FAILED;
    longjmp(unit_jump, 1);
}

void unit_fail(const char *file, uint16_t line, const char *what, const char *msg) UNIT_RE
{
    fail_head(file, line);
    outs(what);
    if (!*what && msg) {
        out_text(msg);
        msg = 0;
    }
    fail_tail(msg);
}

void unit_ignore(const char *file, uint16_t line, const char *msg) UNIT_RE
{
    head(file, line);
    outs("IGNORE");
    if (msg) {
        outs(": ");
        out_text(msg);
    }
    out('\n');
    unit_state = ST_IGNORED;
    longjmp(unit_jump, 1);
}

void unit_true(uint8_t ok, const char *file, uint16_t line, const char *what,
               const char *msg) UNIT_RE
{
    if (!ok)
        unit_fail(file, line, what, msg);
}

void unit_equal(int32_t expected, int32_t actual, uint8_t how, const char *file,
                uint16_t line, const char *msg) UNIT_RE
{
    if (expected == actual)
        return;
    fail_head(file, line);
    outs("Expected ");
    out_value(expected, how);
    outs(" Was ");
    out_value(actual, how);
    fail_tail(msg);
}

void unit_equal_string(const char *expected, const char *actual, const char *file,
                       uint16_t line, const char *msg) UNIT_RE
{
    const char *e = expected, *a = actual;
    while (*e && *e == *a) {
        e++;
        a++;
    }
    if (*e == *a)
        return;
    fail_head(file, line);
    outs("Expected '");
    out_text(expected);
    outs("' Was '");
    out_text(actual);
    out('\'');
    fail_tail(msg);
}

void unit_equal_memory(const void *expected, const void *actual, uint8_t len,
                       const char *file, uint16_t line, const char *msg) UNIT_RE
{
    const uint8_t *e = (const uint8_t *)expected, *a = (const uint8_t *)actual;
    uint8_t i;
    for (i = 0; i < len; i++) {
        if (e[i] != a[i]) {
            fail_head(file, line);
            outs("Memory Mismatch. Byte ");
            out_udec(i);
            outs(" Expected ");
            out_hex(e[i], 2);
            outs(" Was ");
            out_hex(a[i], 2);
            fail_tail(msg);
        }
    }
}

void unit_begin(void) UNIT_RE
{
    UNIT_EXIT = 1;                  /* running: stopping before unit_end() is a failure */
    SCON = 0x50;                    /* mode 1, 8N1 */
    TMOD = (TMOD & 0x0F) | 0x20;    /* Timer 1 mode 2 */
    TH1 = 0xFF;
    TL1 = 0xFF;
    PCON |= 0x80;                   /* SMOD: 57600 baud at 11.0592 MHz */
    TR1 = 1;
    unit_tests = unit_failures = unit_ignored = 0;
    out('\n');
}

void unit_run(unit_fn fn, const char *name, const char *file, uint16_t line) UNIT_RE
{
    unit_name = name;
    unit_file = file;
    unit_line = line;
    unit_state = ST_RUNNING;
    unit_tests++;
    if (setjmp(unit_jump) == 0)
        fn();
    if (unit_state == ST_RUNNING) {
        head(unit_file, unit_line);
        outs("PASS\n");
    } else if (unit_state == ST_FAILED) {
        unit_failures++;
    } else {
        unit_ignored++;
    }
}

void unit_end(void) UNIT_RE
{
    outs("\n-----------------------\n");
    out_udec(unit_tests);
    outs(" Tests ");
    out_udec(unit_failures);
    outs(" Failures ");
    out_udec(unit_ignored);
    outs(" Ignored \n");
    outs(unit_failures ? "FAIL\n" : "OK\n");
    UNIT_EXIT = unit_failures > 255 ? 255 : (uint8_t)unit_failures;
    for (;;)
        ;                           /* sjmp . : where clock51-sim exec stops */
}
