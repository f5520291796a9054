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

static const CODE char wday_names[] = { /* 7 x 3 letters, no NUL */
    'M','o','n', 'T','u','e', 'W','e','d', 'T','h','u', 'F','r','i', 'S','a','t', 'S','u','n'
};

/* In assembler (every character of every reply and LCD line passes here): touches no
 * R0-R7 (crc16() and uart_putc() do not either), so callers keep theirs. out_cha: the same
 * with c in A (a global assembler entry: text.c, ds18b20.c, solar.c). */
void out_ch(char c) __naked
{
    (void)c;
    __asm__("    mov  a,dpl\n"
            "out_cha::\n"
            "    jnb  _out_uart,00001$\n"
            "    xrl  _out_xor,a\n"              /* the UART: the checks, then the byte */
            "    mov  _crc16_PARM_2,a\n"
            "    push acc\n"
            "    mov  dpl,_out_crc\n"
            "    mov  dph,(_out_crc + 1)\n"
            "    lcall _crc16\n"
            "    mov  _out_crc,dpl\n"
            "    mov  (_out_crc + 1),dph\n"
            "    pop  dpl\n"
            "    ljmp _uart_putc\n"
            "00001$:\n"                          /* the LCD line: while there is room */
            "    mov  b,a\n"
            "    mov  a,_out_pos\n"
            "    inc  _out_pos\n"                 /* counts on past the line (a cut) */
            "    cjne a,#16,00002$\n"
            "00002$:\n"
            "    jnc  00003$\n"
            "    add  a,#_text_line\n"             /* (PDATA: the page P2 selects) */
            "    xch  a,r0\n"                      /* R0 -> the column, A = R0 ... */
            "    xch  a,b\n"
            "    movx @r0,a\n"
            "    mov  r0,b\n"                      /* ... back */
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
            "    swap a\n"
            "    rl   a\n"
            "    mov  dpl,a\n"            /* x rotated left by 5: x << 5 | x >> 3 */
            "    anl  a,#0x1F\n"
            "    xrl  a,dph\n"
            "    mov  dph,a\n"            /* ... ^ (x >> 3): the new high byte */
            "    mov  a,dpl\n"
            "    anl  a,#0xE0\n"
            "    xrl  a,b\n"
            "    mov  dpl,a\n"            /* (x << 5) ^ x: the new low byte */
            "    ret\n");
}

/* In assembler: touches only A, B, DPTR (out_ch() too) and R1 = col, so out_fmt() keeps its
 * state in the other registers around it. */
void out_pad(uint8_t col) __naked
{
    (void)col;
    __asm__("    mov  r1,dpl\n"
            "out_pad_r1:\n"                        /* entry with col in R1 (out_fmt) */
            "    mov  a,_out_pos\n"
            "    clr  c\n"
            "    subb a,r1\n"
            "    jnc  00002$\n"                  /* out_pos >= col */
            "    mov  a,#0x20\n"
            "    lcall out_cha\n"
            "    sjmp out_pad_r1\n"
            "00002$:\n"
            "    ret\n");
}

#define XSTR(x) STR(x)
#define STR(x) #x
/* what the assembler below takes for granted */
typedef char fc_codes[(FCN_WDAY == 0x86 && FCN_HOURD == 0x87 && FCN_AP == 0x88
                       && FCN_BELL == 0x89 && FCN_ELSE == 0x8A && FCN_FI == 0x8B
                       && FCN_RX == 0x8C && FCN_PIECE == 0x8D && GLYPH_BELL == 0
                       && SET_H12 == 0x02) ? 1 : -1];

/*
 * In assembler (SDCC's C with its helper took 286 bytes): R7:R6 = the format cursor, F0
 * (PSW.5) = skip (inside the FC_IF branch not taken), R5 = the byte-code, R4 and R3 scratch.
 * out_ch() touches no R0-R7, out_pad() only R1.
 *   a byte 0x01..0x7F: printed unless skipping; NUL: return 0
 *   FC_ELSE: skip = !skip; FC_FI: skip = 0; others, while skipping: nothing
 *   FC_IF(m): skip = !(fmt_flags & m); pad (0x90 | col): out_pad(col)
 *   FC_RX, FC_PIECE: return the address after it
 *   FC_WDAY: the three letters of weekday fmt_p[6] (upper case on the UART)
 *   FC_AP: 'A' / 'P' by fmt_p[3]; FC_BELL: the bell glyph
 *   FC_HOURD: fmt_p[3], 1..12 with SET_H12; FC_YEAR..FC_SEC: fmt_p[c - 0x80]; two digits
 */
const CODE char *out_fmt(const CODE char *f) __naked
{
    (void)f;
    __asm__("    clr  f0\n"
            "    sjmp 00023$\n"
            "00001$:\n"                            /* the next byte */
            "    mov  dpl,r6\n"
            "    mov  dph,r7\n"
            "00023$:\n"
            "    clr  a\n"
            "    movc a,@a+dptr\n"
            "    inc  dptr\n"
            "    mov  r6,dpl\n"
            "    mov  r7,dph\n"
            "    jb   acc.7,00004$\n"
            "    jz   00003$\n"
            "    jb   f0,00001$\n"
            "00002$:\n"                            /* print A */
            "    lcall out_cha\n"
            "    sjmp 00001$\n"
            "00003$:\n"                            /* the end: 0 */
            "    mov  dph,a\n"
            "    mov  dpl,a\n"
            "    ret\n"
            "00004$:\n"
            "    cjne a,#0x8A,00005$\n"             /* FC_ELSE */
            "    cpl  f0\n"
            "    sjmp 00001$\n"
            "00005$:\n"
            "    cjne a,#0x8B,00006$\n"             /* FC_FI */
            "    clr  f0\n"
            "    sjmp 00001$\n"
            "00006$:\n"
            "    jb   f0,00001$\n"
            "    jnb  acc.5,00007$\n"
            "    anl  a,_fmt_flags\n"               /* FC_IF */
            "    anl  a,#0x0F\n"
            "    jnz  00001$\n"
            "    setb f0\n"
            "    sjmp 00001$\n"
            "00007$:\n"
            "    jnb  acc.4,00008$\n"
            "    anl  a,#0x0F\n"                    /* pad */
            "    mov  r1,a\n"
            "    lcall out_pad_r1\n"
            "    sjmp 00001$\n"
            "00008$:\n"
            "    cjne a,#0x8C,00009$\n"
            "00009$:\n"
            "    jc   00010$\n"
            "    ret\n"                             /* FC_RX, FC_PIECE: DPTR = where to go on */
            "00010$:\n"
            "    mov  r5,a\n"
            "    mov  a,_fmt_p\n"
            "    add  a,#3\n"
            "    mov  r0,a\n"
            "    mov  a,@r0\n"                      /* fmt_p[3]: the hour */
            "    cjne r5,#0x86,00012$\n"
            "    inc  r0\n"                         /* FC_WDAY: fmt_p[6] */
            "    inc  r0\n"
            "    inc  r0\n"
            "    mov  a,@r0\n"
            "    mov  b,#3\n"
            "    mul  ab\n"
            "    mov  r4,a\n"                      /* 3 x weekday (1..7) */
            "    mov  r3,#3\n"
            "00011$:\n"
            "    mov  a,r4\n"
            "    mov  dptr,#(_wday_names + 0xFFFD)\n"
            "    movc a,@a+dptr\n"
            "    jnb  _out_uart,00018$\n"
            "    anl  a,#0xDF\n"                    /* letters only: upper case */
            "00018$:\n"
            "    lcall out_cha\n"
            "    inc  r4\n"
            "    djnz r3,00011$\n"
            "    sjmp 00001$\n"
            "00012$:\n"
            "    cjne r5,#0x88,00013$\n"
            "    cjne a,#12,00019$\n"               /* FC_AP */
            "00019$:\n"
            "    mov  a,#0x41\n"                    /* 'A' */
            "    jc   00002$\n"
            "    mov  a,#0x50\n"                    /* 'P' */
            "    sjmp 00002$\n"
            "00013$:\n"
            "    cjne r5,#0x89,00014$\n"
            "    clr  a\n"                          /* FC_BELL: GLYPH_BELL */
            "    sjmp 00002$\n"
            "00014$:\n"
            "    cjne r5,#0x87,00016$\n"
            "    mov  a,_fmt_flags\n"               /* FC_HOURD */
            "    jnb  acc.1,00022$\n"               /* SET_H12 clear: 24 h */
            "    mov  a,@r0\n"                      /* the hour again */
            "    add  a,#11\n"                      /* 0..23 -> 12, 1..12, 1..11: */
            "    mov  b,#12\n"                      /* (hour + 11) % 12 + 1 */
            "    div  ab\n"
            "    mov  a,b\n"
            "    inc  a\n"
            "    sjmp 00017$\n"
            "00016$:\n"
            "    mov  a,r5\n"                       /* FC_YEAR .. FC_SEC: fmt_p[c - 0x80] */
            "    add  a,#(256 - 0x83)\n"            /* (R0 = fmt_p + 3) */
            "    add  a,r0\n"
            "    mov  r0,a\n"
            "00022$:\n"
            "    mov  a,@r0\n"
            "00017$:\n"                            /* two digits */
            "    mov  b,#10\n"
            "    div  ab\n"
            "    mov  r4,b\n"
            "    orl  a,#0x30\n"
            "    lcall out_cha\n"
            "    mov  a,r4\n"
            "    orl  a,#0x30\n"
            "    ljmp 00002$\n");
}

#if FEATURE_DRIFT
/*
 * out_fixed(v, spec) (text.h), in C terms, with d[p] the digit of 10^p of v (p = 9..0) and
 * lo = (spec >> 4) & 7, z = spec & 15:
 *     if (spec & OF_SIGN) { out_ch(v < 0 ? '-' : '+'); if (v < 0) v = -v; }
 *     if (lo) v += 50000;                         (lo is 0 or 5)
 *     lead = 1;
 *     for (p = 9; ; p--) {
 *         if (d[p] || p <= z) lead = 0;
 *         if (!lead) out_ch('0' + d[p]);
 *         if (p == lo) break;
 *         if (p == z) out_ch('.');
 *     }
 * out_hex4(v): the same loop over the hex digits of v from p = 3, lead = 0, lo = z = 0.
 * In assembler (SDCC's C needs its 32-bit helpers): v into R3..R6 for the sign, then binary
 * to BCD by double dabble (v shifted out of DPL, DPH, B, R1 bit by bit, MSB first, into the
 * BCD number R7..R3 doubled with DA A; leading zero bits skip the doubling, F0 = a one
 * seen), then the digits from R7's high nibble down: R0 = the BCD byte, R1 = p, R2 = spec,
 * F0 = lead; the digit to ASCII by ADD #0x90, DA A, ADDC #0x40, DA A (hex too). Spec is
 * read into R2 at once (the parameter area is overlaid with crc16()'s). out_ch() touches
 * no R0-R7.
 */
typedef char of_spec[(OF_SIGN == 0x80 && OF_LO5 == 0x50) ? 1 : -1];
void out_fixed(uint32_t v, uint8_t spec) __naked
{
    (void)v;
    (void)spec;
    __asm__("    mov  r2,_out_fixed_PARM_2\n"
            "    mov  r3,dpl\n"                     /* v: R6..R3 */
            "    mov  r4,dph\n"
            "    mov  r5,b\n"
            "    mov  r6,a\n"
            "    mov  a,r2\n"
            "    jnb  acc.7,00002$\n"               /* unsigned */
            "    mov  dpl,#0x2B\n"                  /* '+' */
            "    mov  a,r6\n"
            "    jnb  acc.7,00001$\n"
            "    mov  dpl,#0x2D\n"                  /* '-', v = -v */
            "    mov  r0,#3\n"                      /* R3..R6 (bank 0) */
            "    mov  r7,#4\n"
            "    clr  c\n"
            "00017$:\n"
            "    clr  a\n"
            "    subb a,@r0\n"
            "    mov  @r0,a\n"
            "    inc  r0\n"
            "    djnz r7,00017$\n"
            "00001$:\n"
            "    lcall _out_ch\n"
            "00002$:\n"
            "    mov  a,r2\n"
            "    anl  a,#0x70\n"
            "    jz   00003$\n"
            "    mov  a,r3\n"                       /* lo 5: v += 50000 */
            "    add  a,#0x50\n"
            "    mov  r3,a\n"
            "    mov  a,r4\n"
            "    addc a,#0xC3\n"
            "    mov  r4,a\n"
            "    clr  a\n"
            "    addc a,r5\n"
            "    mov  r5,a\n"
            "    clr  a\n"
            "    addc a,r6\n"
            "    mov  r6,a\n"
            "00003$:\n"
            "    mov  dpl,r3\n"                     /* v: R1, B, DPH, DPL; BCD R7..R3 = 0 */
            "    mov  dph,r4\n"
            "    mov  b,r5\n"
            "    mov  a,r6\n"
            "    mov  r1,a\n"
            "    clr  a\n"
            "    mov  r3,a\n"
            "    mov  r4,a\n"
            "    mov  r5,a\n"
            "    mov  r6,a\n"
            "    mov  r7,a\n"
            "    push 0x02\n"                     /* R2 (bank 0: no ar2 without C) */
            "    mov  r2,#32\n"
            "    clr  f0\n"
            "00004$:\n"                            /* C = the next bit of v */
            "    mov  a,dpl\n"
            "    add  a,dpl\n"
            "    mov  dpl,a\n"
            "    mov  a,dph\n"
            "    rlc  a\n"
            "    mov  dph,a\n"
            "    mov  a,b\n"
            "    rlc  a\n"
            "    mov  b,a\n"
            "    mov  a,r1\n"
            "    rlc  a\n"
            "    mov  r1,a\n"
            "    jc   00005$\n"
            "    jnb  f0,00007$\n"                  /* a leading zero bit */
            "00005$:\n"
            "    setb f0\n"
            "    mov  r0,#3\n"                      /* BCD = 2 x BCD + C */
            "00006$:\n"
            "    mov  a,@r0\n"
            "    addc a,@r0\n"
            "    da   a\n"
            "    mov  @r0,a\n"
            "    inc  r0\n"
            "    mov  a,r0\n"
            "    xrl  a,#8\n"
            "    jnz  00006$\n"
            "00007$:\n"
            "    djnz r2,00004$\n"
            "    pop  0x02\n"
            "    mov  r0,#7\n"
            "    mov  r1,#9\n"
            "    setb f0\n"
            "    sjmp _out_fixed_digits\n"
            "_out_hex4::\n"
            "    mov  r3,dpl\n"
            "    mov  r4,dph\n"
            "    mov  r0,#4\n"
            "    mov  r1,#3\n"
            "    mov  r2,#0\n"
            "    clr  f0\n"
            "_out_fixed_digits:\n"                  /* the digit of 10^R1 */
            "    mov  a,r1\n"
            "    rrc  a\n"                          /* C: p odd */
            "    mov  a,@r0\n"
            "    jnc  00011$\n"
            "    swap a\n"                          /* odd: the high nibble */
            "    sjmp 00012$\n"
            "00011$:\n"
            "    dec  r0\n"                         /* even: the low one, then the next byte */
            "00012$:\n"
            "    anl  a,#0x0F\n"
            "    jnz  00013$\n"
            "    jnb  f0,00013$\n"
            "    mov  a,r2\n"
            "    anl  a,#0x0F\n"
            "    clr  c\n"
            "    subb a,r1\n"
            "    jc   00014$\n"                     /* a leading zero above 10^z */
            "    clr  a\n"
            "00013$:\n"
            "    clr  f0\n"
            "    add  a,#0x90\n"
            "    da   a\n"
            "    addc a,#0x40\n"
            "    da   a\n"
            "    lcall out_cha\n"
            "00014$:\n"
            "    mov  a,r2\n"
            "    swap a\n"
            "    anl  a,#7\n"
            "    xrl  a,r1\n"
            "    jz   00016$\n"                     /* 10^lo: done */
            "    mov  a,r2\n"
            "    anl  a,#0x0F\n"
            "    xrl  a,r1\n"
            "    jnz  00015$\n"
            "    mov  a,#0x2E\n"                    /* '.' after 10^z */
            "    lcall out_cha\n"
            "00015$:\n"
            "    dec  r1\n"
            "    sjmp _out_fixed_digits\n"
            "00016$:\n"
            "    ret\n");
}
#endif

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

/* In C terms: while (k) { while (*list++) ; k--; } return list. In assembler (SDCC's C: 32
 * bytes): DPTR = list, R7 = k. */
const CODE char *text_nth(const CODE char *list, uint8_t k) __naked
{
    (void)list;
    (void)k;
    __asm__("    mov  a,_text_nth_PARM_2\n"
            "    jz   00002$\n"
            "    mov  r7,a\n"
            "00001$:\n"                            /* past the next NUL */
            "    clr  a\n"
            "    movc a,@a+dptr\n"
            "    inc  dptr\n"
            "    jnz  00001$\n"
            "    djnz r7,00001$\n"
            "00002$:\n"
            "    ret\n");
}
