/*
 * text.h - the text sink shared by the LCD pages and the serial replies, and small number
 * helpers (host-testable; no printf: it would not fit the budget).
 *
 * out_*() append to the current sink: with out_uart = 0 into text_line[] (one 16-character
 * LCD line, out_pos = next column, extra characters dropped); with out_uart = 1 to the UART,
 * XORing every byte into out_xor (the reply checksum).
 */
#ifndef TEXT_H
#define TEXT_H

#include "compat.h"
#include "calendar.h"

extern XDATA char text_line[16];
extern uint8_t out_pos;
extern uint8_t out_xor;
extern bool_t out_uart;

void out_ch(char c);
void out_str(const CODE char *s);
void out_2d(uint8_t v);                         /* "07" */
void out_date(const datetime_t NEAR *t);        /* "2026-11-24" */
void out_hm(uint8_t h, uint8_t m);              /* "07:30" */
void out_time(const datetime_t NEAR *t);        /* "12:05:31" */
void out_wday(uint8_t wday);                    /* LCD "Tue", UART "TUE" */
void out_pad(uint8_t col);                      /* spaces up to column col */
/* the k-th string of a list of NUL-terminated strings */
const CODE char *text_nth(const CODE char *list, uint8_t k);

/* 0..99 -> packed BCD (tens in the high nibble): the two digits of v, and the DS1302 form */
uint8_t text_bcd(uint8_t v);
/* 12-hour clock: hour 0..23 -> 1..12 */
uint8_t text_hour12(uint8_t hour);

#endif /* TEXT_H */
