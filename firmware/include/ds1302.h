/*
 * ds1302.h - DS1302 trickle-charge timekeeping chip, bit-banged on the pins of
 * board_config.h (DS1302_CE, DS1302_SCLK, DS1302_IO).
 *
 * Wire protocol: CE high starts a transfer (SCLK low at that moment); a command byte is
 * shifted out LSB first, sampled by the chip on SCLK rising edges. For a read the chip
 * drives the first data bit after the falling edge of the 8th command clock and each next
 * bit after each further falling edge, LSB first; the MCU releases IO (writes 1, so the
 * quasi-bidirectional pin only pulls up weakly) before sampling. CE low ends the transfer
 * (and is when written data takes effect). The driver keeps CE low between transfers.
 *
 * Command byte: bit 7 = 1 (always), bit 6 = 0 clock / 1 RAM, bits 5..1 = address,
 * bit 0 = 1 read / 0 write. Write commands are even, read commands odd.
 *
 * Clock registers (BCD):
 *   80/81 seconds   bit7 CH (1 = oscillator halted), bits 6..4 tens, 3..0 units (00-59)
 *   82/83 minutes   bits 6..4 tens, 3..0 units (00-59)
 *   84/85 hours     bit7 12/24 (1 = 12 h), bit5 PM (12 h) or 20 h (24 h), bit4 10 h,
 *                   bits 3..0 units; this firmware always uses 24 h mode (bit7 = 0)
 *   86/87 date      bits 5..4 tens, 3..0 units (01-31)
 *   88/89 month     bit4 tens, 3..0 units (01-12)
 *   8A/8B weekday   bits 2..0 (1-7; here 1 = Monday .. 7 = Sunday)
 *   8C/8D year      bits 7..4 tens, 3..0 units (00-99 = 2000-2099)
 *   8E/8F control   bit7 WP (1 = write protect: only the control register accepts writes)
 *   90/91 trickle   bits 7..4 TCS (1010 = on), 3..2 DS (01 = 1 diode, 10 = 2), 1..0 RS
 *                   (01 = 2k, 10 = 4k, 11 = 8k); anything else = off
 *   BE/BF clock burst: the 7 clock registers then control, in that order; a burst write
 *                   must send all 8 bytes and does nothing while WP = 1
 *   C0/C1..FC/FD RAM 0..30 (31 battery-backed bytes), FE/FF RAM burst (may be partial)
 *
 * Rules kept here: WP is lifted only around a write (ds1302_unprotect ... the write ...
 * ds1302_protect), and only for a write that happens (nothing is written for a request
 * that fails). CH is never read-modify-written (see clock.c).
 */
#ifndef DS1302_H
#define DS1302_H

#include "compat.h"
#include "board_config.h"

#if FW_TARGET
/* these keep R0-R7 (assembler, or C that uses none): callers keep values in registers
 * across them (compat.h explains callee_saves) */
#pragma callee_saves ds1302_read,ds1302_write,ds1302_unprotect,ds1302_protect
#endif

#define DS1302_SEC_W     0x80
#define DS1302_SEC_R     0x81
#define DS1302_MIN_W     0x82
#define DS1302_HOUR_W    0x84
#define DS1302_DATE_W    0x86
#define DS1302_MONTH_W   0x88
#define DS1302_WDAY_W    0x8A
#define DS1302_WDAY_R    0x8B
#define DS1302_YEAR_W    0x8C
#define DS1302_CTRL_W    0x8E
#define DS1302_CTRL_R    0x8F
#define DS1302_TRICKLE_W 0x90
#define DS1302_TRICKLE_R 0x91
#define DS1302_CLKBURST_W 0xBE
#define DS1302_CLKBURST_R 0xBF
#define DS1302_RAM_W(n)  (0xC0 + 2 * (n))
#define DS1302_RAM_R(n)  (0xC1 + 2 * (n))
#define DS1302_RAMBURST_W 0xFE
#define DS1302_RAMBURST_R 0xFF

#define DS1302_CH        0x80   /* seconds register: clock halt */
#define DS1302_WP        0x80   /* control register: write protect */
#define DS1302_12H       0x80   /* hours register: 12-hour mode */

/* Burst buffer: clock burst = 8 bytes (sec, min, hour, date, month, wday, year, control);
 * RAM burst uses the first n bytes; with the drift feature also a 12-byte drift record
 * (drift.h), read and written a byte at a time. */
#if FEATURE_DRIFT
#define DS1302_BUF_SIZE  12
#else
#define DS1302_BUF_SIZE  8
#endif
extern IDATA uint8_t ds1302_buf[DS1302_BUF_SIZE];

void    ds1302_init(void);                   /* pins idle; trickle charger from the profile */
uint8_t ds1302_read(uint8_t cmd);            /* single register, cmd odd (e.g. 0x81) */
void    ds1302_write(uint8_t cmd, uint8_t v);/* single register, cmd even; WP must be off */
void    ds1302_unprotect(void);              /* control = 0x00 */
void    ds1302_protect(void);                /* control = 0x80 */
void    ds1302_burst_read(uint8_t cmd, uint8_t n);   /* into ds1302_buf[0..n-1] */
void    ds1302_burst_write(uint8_t cmd, const uint8_t NEAR *src, uint8_t n);  /* WP off */

#endif /* DS1302_H */
