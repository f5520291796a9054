/*
 * ds1302.c - DS1302 bit-banged driver. See ds1302.h for the chip facts.
 *
 * Timing: at 12T/11.0592 MHz each instruction takes >= 1.085 us; put_byte()'s first
 * instructions guard tCC (CE to first clock), NOPs tCWH (CE inactive time), the bit loops
 * are cycle-counted (see below).
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
#define A_CE   "_" XSTR(DS1302_CE)

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

/* The chip has already driven bit 0 (after the last falling edge). Uses only A and B. */
static uint8_t get_byte(void) __naked
{
    __asm__("    setb " A_IO "\n"          /* release IO before sampling */
            "    mov  b,#8\n"
            "00001$:\n"
            "    mov  c," A_IO "\n"
            "    rrc  a\n"
            "    setb " A_SCLK "\n"        /* chip releases IO on the rising edge ... */
            "    clr  " A_SCLK "\n"        /* ... and drives the next bit on the falling one */
            "    djnz b,00001$\n"
            "    mov  dpl,a\n"
            "    ret\n");
}

/* CE up (SCLK is low: stop() leaves it so, and ds1302_init() runs it before any transfer),
 * then the command. tCC (CE to the first clock >= 4 us at 2 V): the jump and put_byte()'s
 * first instructions, 8 machine cycles (8.7 us) to its first rising edge. The pin in C: a
 * debugger can stop on this line (tests/debug). */
static void start(uint8_t cmd) __naked
{
    (void)cmd;
    DS1302_CE = 1;
    __asm__("    sjmp _put_byte\n");       /* cmd still in DPL */
}

/* CE down (first: at power-up, when both pins are high, no clock edge while CE is), SCLK
 * low, IO released (weak pull-up), tCWH before any next CE rise. Touches no register
 * (ds1302_read's result stays in DPL). */
static void stop(void) __naked
{
    __asm__("    clr  " A_CE "\n"
            "    clr  " A_SCLK "\n"
            "    setb " A_IO "\n"
            "    nop\n"
            "    nop\n"
            "    nop\n"
            "    ret\n");
}

uint8_t ds1302_read(uint8_t cmd) __naked
{
    (void)cmd;
    __asm__("    lcall _start\n"
            "    lcall _get_byte\n"
            "    sjmp _stop\n");             /* the byte stays in DPL */
}

void ds1302_write(uint8_t cmd, uint8_t v)
{
    start(cmd);
    put_byte(v);
    stop();
}

/* the control register: 0x00 (unprotect) or DS1302_WP (protect), one tail for both */
void ds1302_unprotect(void) __naked
{
    __asm__("    clr  a\n"
            "    sjmp _ds1302_ctrl\n");
}

void ds1302_protect(void) __naked
{
    __asm__("    mov  a,#" XSTR(DS1302_WP) "\n"
            "_ds1302_ctrl:\n"
            "    mov  _ds1302_write_PARM_2,a\n"
            "    mov  dpl,#" XSTR(DS1302_CTRL_W) "\n"
            "    ljmp _ds1302_write\n");
}

/* into ds1302_buf (get_byte keeps R1 and R7) */
void ds1302_burst_read(uint8_t cmd, uint8_t n) __naked
{
    (void)cmd;
    (void)n;
    __asm__("    lcall _start\n"
            "    mov  r1,#_ds1302_buf\n"
            "    mov  r7,_ds1302_burst_read_PARM_2\n"
            "00001$:\n"
            "    lcall _get_byte\n"
            "    mov  @r1,dpl\n"
            "    inc  r1\n"
            "    djnz r7,00001$\n"
            "    sjmp _stop\n");
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
    stop();                         /* CE low, then SCLK; IO released, tCWH */
    ds1302_unprotect();
    ds1302_write(DS1302_TRICKLE_W, DS1302_TRICKLE);
    ds1302_protect();
}
