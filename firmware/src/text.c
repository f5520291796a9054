/*
 * text.c - text sink, format printer and number helpers. See text.h.
 */
/* SDCC: no induction-variable or loop-invariant rewriting here: smaller code (measured) */
#pragma noinduction
#pragma noinvariant
#include "text.h"
#include "uart.h"
#include "clock.h"
#include "lcd.h"

PDATA char text_line[16];
uint8_t out_pos;
uint8_t out_xor;
uint16_t out_crc;
BIT out_uart;
const uint8_t NEAR *fmt_p;
uint8_t fmt_flags;

static const CODE char wday_names[] = "MonTueWedThuFriSatSun";

/* In assembler (every character of every reply and LCD line passes here): touches no
 * R0-R7 (crc16() and uart_putc() do not either), so callers keep theirs. */
void out_ch(char c) __naked
{
    (void)c;
    __asm__("    jnb  _out_uart,00001$\n"
            "    mov  a,dpl\n"                    /* the UART: the checks, then the byte */
            "    xrl  _out_xor,a\n"
            "    mov  _crc16_PARM_2,a\n"
            "    push dpl\n"
            "    mov  dpl,_out_crc\n"
            "    mov  dph,(_out_crc + 1)\n"
            "    lcall _crc16\n"
            "    mov  _out_crc,dpl\n"
            "    mov  (_out_crc + 1),dph\n"
            "    pop  dpl\n"
            "    ljmp _uart_putc\n"
            "00001$:\n"                          /* the LCD line: while there is room */
            "    mov  b,dpl\n"
            "    mov  a,_out_pos\n"
            "    inc  _out_pos\n"                 /* counts on past the line (a cut) */
            "    cjne a,#16,00002$\n"
            "00002$:\n"
            "    jnc  00003$\n"
            "    add  a,#_text_line\n"
            "    mov  dpl,a\n"
            "    clr  a\n"
            "    addc a,#(_text_line >> 8)\n"
            "    mov  dph,a\n"
            "    mov  a,b\n"
            "    movx @dptr,a\n"
            "00003$:\n"
            "    ret\n");
}

/*
 * One byte into a CRC-16/XMODEM (start value 0): polynomial 0x1021 (x^16 + x^12 + x^5 + 1),
 * MSB first.
 * Byte-wise without a table: with x = (crc >> 8) ^ c, x ^= x >> 4, the new CRC is
 * (crc << 8) ^ (x << 12) ^ (x << 5) ^ x, that is high byte = low byte ^ (x << 4) ^ (x >> 3),
 * low byte = (x << 5) ^ x. In assembler (it runs for every byte both ways): crc in DPH:DPL,
 * c in crc16_PARM_2; only A and B are used besides.
 */
uint16_t crc16(uint16_t crc, uint8_t c) __naked
{
    (void)crc;
    (void)c;
    __asm__("    mov  a,dph\n"
            "    xrl  a,_crc16_PARM_2\n"
            "    mov  b,a\n"
            "    swap a\n"
            "    anl  a,#0x0F\n"
            "    xrl  a,b\n"
            "    mov  b,a\n"              /* b = x ^ (x >> 4) */
            "    swap a\n"
            "    anl  a,#0xF0\n"
            "    xrl  a,dpl\n"
            "    mov  dph,a\n"            /* low ^ (x << 4) */
            "    mov  a,b\n"
            "    rr   a\n"
            "    rr   a\n"
            "    rr   a\n"
            "    anl  a,#0x1F\n"
            "    xrl  a,dph\n"
            "    mov  dph,a\n"            /* ... ^ (x >> 3): the new high byte */
            "    mov  a,b\n"
            "    swap a\n"
            "    rl   a\n"
            "    anl  a,#0xE0\n"
            "    xrl  a,b\n"
            "    mov  dpl,a\n"            /* (x << 5) ^ x: the new low byte */
            "    ret\n");
}

void out_pad(uint8_t col)
{
    while (out_pos < col)
        out_ch(' ');
}

static const CODE char *fmt_f;          /* format cursor (static: no saving around calls) */

static void out_wday(uint8_t v)
{
    static uint8_t i, end;              /* static: nothing to save around the calls */
    uint8_t c;

    i = (uint8_t)(v * 3) - 3;
    end = i + 3;
    do {
        c = wday_names[i];
        if (out_uart)
            c &= ~0x20;                         /* letters only: upper case */
        out_ch(c);
    } while (++i != end);
}

/* the cursor and the FC_IF state are static: nothing to save around the calls */
static BIT skip;

const CODE char *out_fmt(const CODE char *f)
{
    uint8_t c, v;

    fmt_f = f;
    skip = 0;
    for (;;) {
        c = *fmt_f++;
        if (c & 0x80) {
            if (c == FCN_ELSE) {
                skip = !skip;
                continue;
            }
            if (c == FCN_FI) {
                skip = 0;
                continue;
            }
            if (skip)
                continue;
            if (c & 0x20) {                     /* FC_IF */
                if (!(fmt_flags & c & 0x0F))
                    skip = 1;
                continue;
            }
            if (c & 0x10) {                     /* pad */
                out_pad(c & 0x0F);
                continue;
            }
            if (c >= FCN_RX)                    /* FC_RX, FC_PIECE */
                return fmt_f;
            if (c == FCN_WDAY) {
                out_wday(fmt_p[6]);
                continue;
            }
            v = fmt_p[3];
            if (c == FCN_AP) {
                c = 'A';
                if (v >= 12)
                    c = 'P';
            } else if (c == FCN_BELL) {
                c = GLYPH_BELL;
            } else {
                if (c != FCN_HOURD)
                    v = fmt_p[c & 0x07];
                else if (fmt_flags & SET_H12) { /* 12-hour clock: 0..23 -> 1..12 */
                    if (v > 12)
                        v -= 12;
                    else if (!v)
                        v = 12;
                }
                v = text_bcd(v);
                out_ch('0' + (v >> 4));
                c = '0' + (v & 0x0F);
            }
        } else if (!c) {
            return 0;
        } else if (skip) {
            continue;
        }
        out_ch(c);
    }
}

/* One DIV AB gives both digits (in C, SDCC divides twice and saves two registers): 11
 * bytes, 11 machine cycles; touches only A and B. */
uint8_t text_bcd(uint8_t v) __naked
{
    (void)v;
    __asm__("    mov  a,dpl\n"
            "    mov  b,#10\n"
            "    div  ab\n"                      /* A = tens, B = units */
            "    swap a\n"
            "    orl  a,b\n"
            "    mov  dpl,a\n"
            "    ret\n");
}

const CODE char *text_nth(const CODE char *list, uint8_t k)
{
    while (k) {
        while (*list++)
            ;
        k--;
    }
    return list;
}
