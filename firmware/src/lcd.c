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

#define NOP() __asm__("nop")

BIT lcd_dead;

/* Cycle-exact delays. R7 is saved: SDCC cannot see which registers inline asm uses.
 * 101 machine cycles including the call: 110 us at 11.0592 MHz (12T). */
static void delay_100us(void) __naked
{
    __asm
        push ar7
        mov  r7,#46
    00001$:
        djnz r7,00001$
        pop  ar7
        ret
    __endasm;
}

#if LCD_BUS_BITS == 8

static void bus_out(uint8_t v)
{
    LCD_RW = 0;
    LCD_DATA = v;
    LCD_E = 1;
    NOP();
    LCD_E = 0;
}

/* One busy-flag read: 1 while busy. */
static bool_t bus_busy(void)
{
    bool_t busy;
    LCD_DATA = 0xFF;                /* release the open-drain port (pull-ups) */
    LCD_RW = 1;
    LCD_E = 1;
    NOP();
    busy = (uint8_t)(LCD_DATA & 0x80) != 0;
    LCD_E = 0;
    return busy;
}

#elif LCD_BUS_BITS == 4

#define XSTR(x) STR(x)
#define STR(x) #x

/* v's high nibble onto DB7..DB4 (RW low), latched by an E pulse. In assembler (each bit one
 * MOV C,bit / MOV pin,C: 26 bytes, where SDCC's C took 84); touches A and C only. */
static void nibble_out(uint8_t v) __naked
{
    (void)v;
    __asm__("    mov  a,dpl\n"
            "    clr  _" XSTR(LCD_RW) "\n"
            "    mov  c,acc.4\n"
            "    mov  _" XSTR(LCD_D4) ",c\n"
            "    mov  c,acc.5\n"
            "    mov  _" XSTR(LCD_D5) ",c\n"
            "    mov  c,acc.6\n"
            "    mov  _" XSTR(LCD_D6) ",c\n"
            "    mov  c,acc.7\n"
            "    mov  _" XSTR(LCD_D7) ",c\n"
            "    setb _" XSTR(LCD_E) "\n"
            "    nop\n"
            "    clr  _" XSTR(LCD_E) "\n"
            "    ret\n");
}

/* the high nibble, then the low one (same registers) */
static void bus_out(uint8_t v) __naked
{
    (void)v;
    __asm__("    lcall _nibble_out\n"
            "    mov  a,dpl\n"
            "    swap a\n"
            "    mov  dpl,a\n"
            "    ljmp _nibble_out\n");
}

static bool_t bus_busy(void)
{
    bool_t busy;
    LCD_D4 = 1;                     /* release the quasi-bidirectional pins */
    LCD_D5 = 1;
    LCD_D6 = 1;
    LCD_D7 = 1;
    LCD_RW = 1;
    LCD_E = 1;
    NOP();
    busy = LCD_D7;                  /* high nibble: BF, AC6..4 */
    LCD_E = 0;
    NOP();
    LCD_E = 1;                      /* low nibble: AC3..0, discarded */
    NOP();
    LCD_E = 0;
    return busy;
}

#else
#error "LCD_BUS_BITS must be 8 or 4"
#endif

/* Poll the busy flag, bounded. RS must already be 0. */
static void wait_ready(void)
{
    uint8_t n;
    if (lcd_dead) {
        delay_100us();
        return;
    }
    LCD_RS = 0;
    for (n = 255; n; n--) {
        if (!bus_busy())
            break;
    }
    LCD_RW = 0;
    if (!n)
        lcd_dead = 1;
}

void lcd_command(uint8_t c)
{
    wait_ready();
    LCD_RS = 0;
    bus_out(c);
    if (lcd_dead && c < 4)          /* clear / home: 1.52 ms without a busy flag */
        tick_wait(2);               /* (> 5 ms) */
}

void lcd_putc(uint8_t c)
{
    wait_ready();
    LCD_RS = 1;
    bus_out(c);
}

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

void lcd_init(void)
{
    uint8_t i = 0;

    LCD_E = 0;
    LCD_RS = 0;
    LCD_RW = 0;
    tick_wait(5);                   /* > 20 ms after power-on (datasheet: > 15 ms) */
#if LCD_BUS_BITS == 8
    bus_out(0x30);
    tick_wait(2);                   /* > 5 ms (> 4.1 ms) */
    bus_out(0x30);
    delay_100us();
    bus_out(0x30);
    delay_100us();
#else
    nibble_out(0x30);
    tick_wait(2);
    nibble_out(0x30);
    delay_100us();
    nibble_out(0x30);
    delay_100us();
    nibble_out(0x20);               /* 4-bit interface from now on */
    delay_100us();
#endif
    do {
        if ((uint8_t)(i - INIT_GLYPH) < GLYPH_ROWS)
            lcd_putc(init_seq[i]);
        else
            lcd_command(init_seq[i]);
    } while (++i < sizeof(init_seq));
}
