/*
 * ds1302.c - DS1302 bit-banged driver. See ds1302.h for the chip facts.
 *
 * Timing: at 12T/11.0592 MHz each instruction takes >= 1.085 us; NOPs guard tCC (CE to
 * first clock) and tCWH (CE inactive time), the bit loops are cycle-counted (see below).
 * Only called from the main loop (never from an interrupt).
 */
#include "board_config.h"
#include "ds1302.h"

IDATA uint8_t ds1302_buf[DS1302_BUF_SIZE];

#define NOP() __asm__("nop")

/* The two bit loops are hand-written (7 and 6 machine cycles per bit instead of ~14). SCLK stays
 * high for one machine cycle (1.085 us >= tCH 1 us at 2 V); IO is set at least one cycle before
 * the rising edge (tDC >= 200 ns); after a falling edge the chip has 2 cycles (tCDD <= 800 ns)
 * before the next sample. Pin names come from board_config.h (SDCC sbit symbol = _Px_y). */
#define XSTR(x) STR(x)
#define STR(x) #x
#define A_IO   "_" XSTR(DS1302_IO)
#define A_SCLK "_" XSTR(DS1302_SCLK)

/* 7 machine cycles per bit (a loop counted in B: 16 bytes, where the unrolled 5 cycles a bit
 * took 59): a SET's control write and clock burst (88 bits) take 0.67 ms, 0.19 ms more, and
 * its DS1302 write still follows the line's last byte within 1.7 ms (budget 2 ms:
 * tests/firmware/test_serial.py). Uses only A and B. */
static void put_byte(uint8_t b) __naked
{
    (void)b;
    __asm__("    mov  a,dpl\n"               /* LSB first; the chip samples on rising edges */
            "    mov  b,#8\n"
            "00001$:\n"
            "    rrc  a\n"
            "    mov  " A_IO ",c\n"
            "    setb " A_SCLK "\n"
            "    clr  " A_SCLK "\n"
            "    djnz b,00001$\n"
            "    ret\n");
}

/* The chip has already driven bit 0 (after the last falling edge). */
static uint8_t get_byte(void) __naked
{
    __asm__("    push ar7\n"
            "    setb " A_IO "\n"          /* release IO before sampling */
            "    mov  r7,#8\n"
            "00001$:\n"
            "    mov  c," A_IO "\n"
            "    rrc  a\n"
            "    setb " A_SCLK "\n"        /* chip releases IO on the rising edge ... */
            "    clr  " A_SCLK "\n"        /* ... and drives the next bit on the falling one */
            "    djnz r7,00001$\n"
            "    mov  dpl,a\n"
            "    pop  ar7\n"
            "    ret\n");
}

static void start(uint8_t cmd)
{
    DS1302_SCLK = 0;
    DS1302_CE = 1;
    NOP();
    NOP();
    NOP();                          /* tCC: CE to first clock >= 4 us at 2 V */
    put_byte(cmd);
}

static void stop(void)
{
    DS1302_SCLK = 0;
    DS1302_CE = 0;
    DS1302_IO = 1;                  /* leave the line released (weak pull-up) */
    NOP();
    NOP();
    NOP();                          /* tCWH before any next CE rise */
}

uint8_t ds1302_read(uint8_t cmd)
{
    uint8_t v;
    start(cmd);
    v = get_byte();
    stop();
    return v;
}

void ds1302_write(uint8_t cmd, uint8_t v)
{
    start(cmd);
    put_byte(v);
    stop();
}

void ds1302_unprotect(void)
{
    ds1302_write(DS1302_CTRL_W, 0x00);
}

void ds1302_protect(void)
{
    ds1302_write(DS1302_CTRL_W, DS1302_WP);
}

void ds1302_burst_read(uint8_t cmd, uint8_t n)
{
    uint8_t NEAR *d = ds1302_buf;
    start(cmd);
    do {
        *d++ = get_byte();
    } while (--n);
    stop();
}

void ds1302_burst_write(uint8_t cmd, const uint8_t NEAR *src, uint8_t n)
{
    start(cmd);
    do {
        put_byte(*src++);
    } while (--n);
    stop();
}

void ds1302_init(void)
{
    DS1302_CE = 0;
    DS1302_SCLK = 0;
    DS1302_IO = 1;
    NOP();
    NOP();
    NOP();
    NOP();
    ds1302_unprotect();
    ds1302_write(DS1302_TRICKLE_W, DS1302_TRICKLE);
    ds1302_protect();
}
