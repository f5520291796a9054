/*
 * doubles.h - test doubles for the hardware drivers the pure firmware modules call, so that
 * calendar.c, lunar.c, text.c, protocol.c and clock.c link unchanged into a unit-test image
 * (firmware/src itself is not touched). Compiled into every suite (doubles.c).
 *
 * - UART (uart.h): received bytes come from fake_uart_feed(); every byte the firmware sends
 *   is kept in fake_uart_out (NUL-terminated); the transmitter is always idle, and like the
 *   real line buffer it drops the bytes of a piece (uart_tx_start() to uart_tx_start())
 *   beyond UART_TX_SIZE, so a reply piece too long for it loses its end here too. Lines lost to
 *   an overflow: fake_uart_lost, reported once every byte fed before has been taken.
 * - DS1302 (ds1302.h): a chip in memory with the real one's rules that matter here: the
 *   clock registers in burst order (sec, min, hour, date, month, wday, year, control), 31
 *   RAM bytes, and write protection: a write other than to the control register while WP
 *   is set is refused and counted in fake_rtc_refused. Writes that took effect are counted
 *   in fake_rtc_writes.
 * - ui_dirty, ui_cancel_edit(), ui_calendar_stale() (ui.h) and buzzer_ring() (buzzer.h)
 *   only count calls.
 */
#ifndef DOUBLES_H
#define DOUBLES_H

#include "compat.h"

#define FAKE_RX_SIZE  32
#define FAKE_OUT_SIZE 100

extern XDATA char fake_uart_out[FAKE_OUT_SIZE + 1];
extern IDATA uint8_t fake_uart_out_len;
extern XDATA uint16_t fake_uart_lost;  /* lines lost after the bytes fed so far */
void fake_uart_feed(const char *s);     /* queue these bytes (NUL-terminated) for uart_getc() */
void fake_uart_feed_byte(uint8_t b);
void fake_uart_clear(void);             /* forget what was sent and what is still queued */

extern XDATA uint8_t fake_rtc_reg[9];   /* 0..7 clock burst order, 8 trickle */
extern XDATA uint8_t fake_rtc_ram[31];
extern XDATA uint8_t fake_rtc_writes, fake_rtc_refused;
void fake_rtc_reset(void);              /* a fresh chip: CH set, WP set, RAM 0 */
/* a running clock at 20yy-mm-dd hh:mi:ss (BCD, 24 h, weekday register wd) */
void fake_rtc_set(uint8_t yy, uint8_t mm, uint8_t dd, uint8_t hh, uint8_t mi, uint8_t ss,
                  uint8_t wd);

extern XDATA uint8_t fake_cancel_edits, fake_rings, fake_calendar_stale;
extern XDATA uint8_t fake_drift_sets, fake_drift_stores;  /* drift.c's, on a drift board */

#endif /* DOUBLES_H */
