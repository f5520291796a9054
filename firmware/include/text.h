/*
 * text.h - the text sink shared by the LCD pages and the serial replies, a tiny format
 * printer, and small number helpers (no printf: it would not fit the budget).
 *
 * out_*() append to the current sink: with out_uart = 0 into text_line[] (one 16-character
 * LCD line, out_pos = next column; extra characters are dropped but counted, out_pos > 16
 * tells a cut line); with out_uart = 1 to the UART,
 * XORing every byte into out_xor and adding it to out_crc (the reply checks).
 *
 * out_fmt(f) prints a __code format: bytes 0x01..0x7F are literal characters, the FC_*
 * byte-codes (0x80..0xAF) are fields. Numbers come from fmt_p (a datetime_t-shaped byte
 * array in internal RAM: FC_YEAR .. FC_WDAY read fmt_p[0..6]); conditions test fmt_flags
 * (SET_* bits, normally settings.flags). FC_IF(m) .. FC_ELSE .. FC_FI prints the first part
 * when fmt_flags & m, else the second (no nesting). FC_RX and FC_PIECE end a piece:
 * out_fmt() returns the address after it (the caller drains the receive ring and goes on, at
 * once or, after FC_PIECE, once the UART's line buffer has been sent), 0 at the end.
 */
#ifndef TEXT_H
#define TEXT_H

#include "compat.h"
#include "calendar.h"
#include "board_config.h"

#define FC_YEAR   "\x80"        /* fmt_p[0] .. fmt_p[5]: two digits */
#define FC_MONTH  "\x81"
#define FC_DAY    "\x82"
#define FC_HOUR   "\x83"        /* 24 h */
#define FC_MIN    "\x84"
#define FC_SEC    "\x85"
#define FC_WDAY   "\x86"        /* fmt_p[6]: LCD "Tue", UART "TUE" */
#define FC_HOURD  "\x87"        /* fmt_p[3] in the display mode (12 h when SET_H12) */
#define FC_AP     "\x88"        /* 'A' / 'P' from fmt_p[3] */
#define FC_BELL   "\x89"        /* the bell glyph (CGRAM 0, cannot be a literal) */
#define FC_ELSE   "\x8A"
#define FC_FI     "\x8B"
#define FC_RX     "\x8C"
#define FC_PIECE  "\x8D"        /* like FC_RX: the caller then waits until the UART line is sent */
#define FC_PAD14  "\x9E"        /* 0x90 | col: spaces up to column col (< 16) */
#define FC_IF_ON    "\xA1"      /* 0xA0 | mask: SET_ALARM_ON */
#define FC_IF_H12   "\xA2"      /* SET_H12 */
#define FC_IF_UNSET "\xA4"      /* SET_UNSET */
#define FC_IF_LEAP  "\xA8"      /* LUNAR_LEAP (lunar.leap as fmt_flags) */

/* the same byte-codes as numbers (for out_fmt's decoder) */
enum { FCN_WDAY = 0x86, FCN_HOURD, FCN_AP, FCN_BELL, FCN_ELSE, FCN_FI, FCN_RX, FCN_PIECE };

extern PDATA char text_line[16];
extern uint8_t out_pos;
extern uint8_t out_xor;
extern uint16_t out_crc;
extern BIT out_uart;
extern const uint8_t NEAR *fmt_p;
extern uint8_t fmt_flags;

void out_ch(char c);                            /* assembler: out_cha with c in A */
/* one byte into a CRC-16/XMODEM (poly 0x1021, MSB first, start 0, no final XOR) */
uint16_t crc16(uint16_t crc, uint8_t c);
void out_pad(uint8_t col);                      /* spaces up to column col */
const CODE char *out_fmt(const CODE char *f);
/* the k-th string of a list of NUL-terminated strings */
const CODE char *text_nth(const CODE char *list, uint8_t k);

#if FEATURE_DRIFT
/* v in decimal: digits from the highest non-zero one (or the one of 10^z) down to the one of
 * 10^lo, a '.' after the one of 10^z when z > lo; spec = z | OF_LO5 (lo = 5: the digits
 * below rounded, half away from zero) | OF_SIGN (a '+' or '-' first, also for zero: v is
 * signed; else unsigned). E.g. -1234 with OF_SIGN | 2: "-12.34". */
#define OF_SIGN 0x80
#define OF_LO5  0x50
void out_fixed(uint32_t v, uint8_t spec);
void out_hex4(uint16_t v);                      /* four hex digits, upper case */
#endif

/* 0..99 -> packed BCD (tens in the high nibble): the two digits of v, and the DS1302 form */
uint8_t text_bcd(uint8_t v);

#endif /* TEXT_H */
