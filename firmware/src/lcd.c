/*
 * lcd.c - HD44780 driver. See lcd.h.
 *
 * Bus timing at 12T/11.0592 MHz: every instruction is >= 1.085 us, longer than any HD44780
 * setup/hold/pulse time (E high >= 230 ns, cycle >= 500 ns), so E is simply raised and
 * lowered with a NOP between. Writes are latched on E's falling edge.
 */
#include "board_config.h"
#include "lcd.h"
#include "tick.h"

BIT lcd_dead;

/* Cycle-exact delays. R7 is saved: SDCC cannot see which registers inline asm uses.
 * 101 machine cycles including the call: 110 us at 11.0592 MHz (12T). */
static void delay_100us(void) __naked
{
    __asm
        push 0x07                   ; R7 (bank 0)
        mov  r7,#46
    00001$:
        djnz r7,00001$
        pop  0x07
        ret
    __endasm;
}

#define XSTR(x) STR(x)
#define STR(x) #x
#define A_RS "_" XSTR(LCD_RS)
#define A_RW "_" XSTR(LCD_RW)
#define A_E  "_" XSTR(LCD_E)

/* The bus routines are assembler (SDCC's C took 218 bytes for this file's code, this 159 on
 * the 8-bit bus); each one's rule is written above it, and none touches R0-R7. */

#if LCD_BUS_BITS == 8

/* One busy-flag read: C = 1 while busy. Port released to its pull-ups (open drain), RW and E
 * high, DB7 sampled, E low. Uses only A. */
static bool_t bus_busy(void) __naked
{
    __asm__("    mov  _" XSTR(LCD_DATA) ",#0xFF\n"
            "    setb " A_RW "\n"
            "    setb " A_E "\n"
            "    nop\n"
            "    mov  a,_" XSTR(LCD_DATA) "\n"
            "    clr  " A_E "\n"
            "    rlc  a\n"                          /* C = DB7: BF */
            "    ret\n");
}

#elif LCD_BUS_BITS == 4

/* A's high nibble onto DB7..DB4, latched by an E pulse (each bit one MOV C,bit / MOV pin,C;
 * RW is low: lcd_init() lowers it first, wait_ready() after its reads). Touches only C (A
 * and DPL kept). */
static void nibble_out(void) __naked
{
    __asm__("    mov  c,acc.4\n"
            "    mov  _" XSTR(LCD_D4) ",c\n"
            "    mov  c,acc.5\n"
            "    mov  _" XSTR(LCD_D5) ",c\n"
            "    mov  c,acc.6\n"
            "    mov  _" XSTR(LCD_D6) ",c\n"
            "    mov  c,acc.7\n"
            "    mov  _" XSTR(LCD_D7) ",c\n"
            "    setb " A_E "\n"
            "    nop\n"
            "    clr  " A_E "\n"
            "    ret\n");
}

/* One busy-flag read: C = 1 while busy. The four pins released (quasi-bidirectional), RW
 * and E high, DB7 sampled (high nibble: BF, AC6..4), E low; a second E pulse for the low
 * nibble (AC3..0, discarded). Touches only C. */
static bool_t bus_busy(void) __naked
{
    __asm__("    setb _" XSTR(LCD_D4) "\n"
            "    setb _" XSTR(LCD_D5) "\n"
            "    setb _" XSTR(LCD_D6) "\n"
            "    setb _" XSTR(LCD_D7) "\n"
            "    setb " A_RW "\n"
            "    setb " A_E "\n"
            "    nop\n"
            "    mov  c,_" XSTR(LCD_D7) "\n"
            "    clr  " A_E "\n"
            "    nop\n"
            "    setb " A_E "\n"
            "    nop\n"
            "    clr  " A_E "\n"
            "    ret\n");
}

#else
#error "LCD_BUS_BITS must be 8 or 4"
#endif

/* POLL_ROUNDS rounds of 255 busy-flag polls (16 machine cycles a poll on the 8-bit bus, 21 on
 * the 4-bit one): one round (4.4 ms) at 11.0592 MHz, more on a faster crystal, so the bound
 * stays above the 1.64 ms of a clear (the assembler computes the same from the crystal) */
#define POLL_ROUNDS   ((BOARD_F_CPU + 11059199UL) / 11059200UL)
#define A_POLL_ROUNDS "((" BOARD_F_CPU_STR " + 11059199) / 11059200)"

/* RS low; poll the busy flag, at most POLL_ROUNDS * 255 times: when it never clears,
 * lcd_dead = 1. RW low after (the writes count on it; a dead LCD is not read: it stays low).
 * A dead LCD: the fixed 110 us instead. Uses A, B and DPH (DPL and R0-R7 kept). */
static void wait_ready(void) __naked
{
    __asm__("    clr  " A_RS "\n"
            "    jb   _lcd_dead,_delay_100us\n"    /* (same file, within reach) */
#if POLL_ROUNDS > 1
            "    mov  dph,#" A_POLL_ROUNDS "\n"
            "00004$:\n"
#endif
            "    mov  b,#255\n"
            "00002$:\n"
            "    lcall _bus_busy\n"
            "    jnc  00003$\n"
            "    djnz b,00002$\n"
#if POLL_ROUNDS > 1
            "    djnz dph,00004$\n"
#endif
            "    setb _lcd_dead\n"                  /* never ready: taken as absent */
            "00003$:\n"
            "    clr  " A_RW "\n"
            "    ret\n");
}

/* wait_ready() (RS low), the byte; a dead LCD gets tick_wait(2) (> 5 ms) after a clear or
 * home (c < 4: 1.52 ms without a busy flag). Uses A, B and DPH. */
void lcd_command(uint8_t c) __naked
{
    (void)c;
    __asm__("    lcall _wait_ready\n"
            "    lcall _bus_out\n"
            "    jnb  _lcd_dead,00001$\n"
            "    mov  a,dpl\n"
            "    add  a,#(256 - 4)\n"
            "    jc   00001$\n"                     /* c >= 4 */
            "    mov  dpl,#2\n"
            "    ljmp _tick_wait\n"
            "00001$:\n"
            "    ret\n");
}

/* wait_ready(), RS high, the byte: runs on into bus_out() (the next function: checked at
 * assembly). Uses A, B and DPH. */
void lcd_putc(uint8_t c) __naked
{
    (void)c;
    __asm__("    lcall _wait_ready\n"
            "    setb " A_RS "\n"
            "lcd_putc_end:\n");
}

/* bus_out(), after lcd_putc() (above) */
#define A_AFTER_PUTC "    .ifne (_bus_out - lcd_putc_end)\n    .error 1\n    .endif\n"

#if LCD_BUS_BITS == 8

/* DPL onto the port, latched by an E pulse (RW is low: lcd_init() lowers it first,
 * wait_ready() after its reads). Touches no register (DPL kept). */
static void bus_out(uint8_t v) __naked
{
    (void)v;
    __asm__(A_AFTER_PUTC
            "    mov  _" XSTR(LCD_DATA) ",dpl\n"
            "    setb " A_E "\n"
            "    nop\n"
            "    clr  " A_E "\n"
            "    ret\n");
}

#else

/* the high nibble, then the low one (nibble_out keeps A; DPL kept) */
static void bus_out(uint8_t v) __naked
{
    (void)v;
    __asm__(A_AFTER_PUTC
            "    mov  a,dpl\n"
            "    lcall _nibble_out\n"
            "    swap a\n"
            "    sjmp _nibble_out\n");
}

#endif

/* After the three wake-up writes: instructions, then the glyphs' rows as data (entries
 * INIT_GLYPH.. INIT_GLYPH + GLYPH_ROWS - 1: CGRAM from GLYPH_BELL on, the bell, then
 * (FEATURE_LUNAR) the lantern GLYPH_EVENT), then instructions again. */
#define INIT_GLYPH 5
#if FEATURE_LUNAR
#define GLYPH_ROWS 16
#else
#define GLYPH_ROWS 8
#endif
static const CODE uint8_t init_seq[] = {
#if LCD_BUS_BITS == 8
    0x38,                           /* 8-bit, 2 lines, 5x8 */
#else
    0x28,                           /* 4-bit, 2 lines, 5x8 */
#endif
    0x08,                           /* display off */
    0x01,                           /* clear */
    0x06,                           /* entry mode: increment, no shift */
    0x40 | (GLYPH_BELL << 3),       /* CGRAM: the bell ... */
    0x04, 0x0E, 0x0E, 0x0E, 0x1F, 0x00, 0x04, 0x00,
#if FEATURE_LUNAR
    0x04, 0x0E, 0x15, 0x15, 0x15, 0x0E, 0x04, 0x04,     /* ... the lantern */
#endif
    0x0C,                           /* display on, cursor off, blink off */
    0x80 | LCD_LINE1,
};

#define INIT_LEN (INIT_GLYPH + GLYPH_ROWS + 2)
typedef char init_len[(sizeof(init_seq) == INIT_LEN && INIT_LEN < 256) ? 1 : -1];

/* E, RS, RW low; > 20 ms after power-on (datasheet: > 15 ms); the wake-up writes 0x30 (8-bit:
 * whole bytes; 4-bit: nibbles, then nibble 0x20 for the 4-bit interface), > 5 ms (> 4.1 ms)
 * after the first, > 100 us after the others; then init_seq[i]: lcd_putc() for
 * i - INIT_GLYPH < GLYPH_ROWS, else lcd_command(). i in R7 (tick_wait, the bus routines and
 * lcd_putc/lcd_command keep R0-R7; bus_out, nibble_out and delay_100us keep DPL, nibble_out
 * and delay_100us A). */
void lcd_init(void) __naked
{
    __asm__("    clr  " A_E "\n"
            "    clr  " A_RS "\n"
            "    clr  " A_RW "\n"
            "    mov  dpl,#5\n"
            "    lcall _tick_wait\n"
#if LCD_BUS_BITS == 8
            "    mov  dpl,#0x30\n"
            "    lcall _bus_out\n"
            "    mov  dpl,#2\n"
            "    lcall _tick_wait\n"
            "    mov  dpl,#0x30\n"
            "    lcall _bus_out\n"
            "    lcall _delay_100us\n"
            "    lcall _bus_out\n"
            "    lcall _delay_100us\n"
#else
            "    mov  a,#0x30\n"
            "    lcall _nibble_out\n"
            "    mov  dpl,#2\n"
            "    lcall _tick_wait\n"
            "    mov  a,#0x30\n"                    /* (tick_wait used A) */
            "    lcall _nibble_out\n"
            "    lcall _delay_100us\n"
            "    lcall _nibble_out\n"
            "    lcall _delay_100us\n"
            "    mov  a,#0x20\n"                    /* 4-bit interface from now on */
            "    lcall _nibble_out\n"
            "    lcall _delay_100us\n"
#endif
            "    mov  r7,#0\n"
            "00001$:\n"
            "    mov  a,r7\n"
            "    mov  dptr,#_init_seq\n"
            "    movc a,@a+dptr\n"
            "    mov  dpl,a\n"
            "    mov  a,r7\n"
            "    add  a,#(256 - " XSTR(INIT_GLYPH) ")\n"
            "    add  a,#(256 - " XSTR(GLYPH_ROWS) ")\n"  /* C: i - INIT_GLYPH >= GLYPH_ROWS */
            "    lcall 00002$\n"
            "    inc  r7\n"
            "    cjne r7,#" XSTR(INIT_LEN) ",00001$\n"
            "    ret\n"
            "00002$:\n"                            /* C: a command, else a glyph row */
            "    jc   _lcd_command\n"
            "    sjmp _lcd_putc\n");
}
