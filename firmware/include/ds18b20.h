/*
 * ds18b20.h - DS18B20 thermometer on a 1-Wire pin (DS18B20_PIN, board_config.h), built only
 * when the board profile has a [ds18b20] table (FEATURE_DS18B20).
 *
 * Non-blocking: temp_tick(), called from the main loop's tick when temp_wait (counted down
 * once a tick by the caller) runs out, does one step of a transaction (a reset with
 * presence detect, or one byte; the scratchpad's CRC is taken byte by byte) and sets
 * temp_wait for the next:
 *     reset, CC (Skip ROM), 44 (Convert T)
 *     ... 152 ticks (760 ms >= the 750 ms of a 12-bit conversion) ...
 *     reset, CC, BE (Read Scratchpad), 9 bytes, check, then the next conversion,
 * so a new reading arrives about every 0.83 s. 1-Wire allows any pause between slots; a
 * step after a reset waits for the next-but-one tick (>= 5 ms >= tRSTH 480 us). The waits
 * are real time: temp_tick() checks them against tick_count, so ticks the main loop handles
 * late, in a burst, never shorten them. The longest step (a reset) keeps the main loop
 * about 0.6 ms.
 *
 * A reading is accepted only when the scratchpad's CRC-8 (x^8 + x^5 + x^4 + 1) matches, its
 * configuration byte has the fixed bits of a DS18B20 (0 RR 11111) and the value's high byte
 * lies in -64..127.9 C (a one-byte check around the sensor's -55..125 C range); otherwise
 * temp_state is TEMP_ERR and no number is shown. No presence pulse:
 * TEMP_NONE (retried every 0.5 s). A bus held low before a reset: TEMP_ERR.
 *
 * Slot timing: see ds18b20.c and firmware/boards/onewire.py (the delays are generated for
 * the board's crystal; the build rejects a crystal or baud rate that cannot meet them).
 */
#ifndef DS18B20_H
#define DS18B20_H

#include "compat.h"

enum { TEMP_WAIT, TEMP_NONE, TEMP_ERR, TEMP_OK };  /* temp_state */

extern uint8_t temp_state;          /* TEMP_WAIT until the first reading after power-on */
extern uint8_t temp_wait;           /* ticks to the next temp_tick(): the caller counts down */
extern PDATA uint8_t t_lo, t_hi;    /* the last good reading (TEMP_OK), 1/16 C two's complement */

bool_t temp_tick(void);             /* one step (sets temp_wait); true when a reading ended */
/* the reading (or its state) through the text sink (text.h). LCD (out_uart = 0): six
 * characters (columns 9..14), "-10.5" + degree sign right-aligned, " --.-" + degree sign
 * for no sensor, "   Err" for an error, blank before the first reading. UART: the number
 * alone ("-10.5"; call only for TEMP_OK). */
void temp_print(void);

#endif /* DS18B20_H */
