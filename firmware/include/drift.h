/*
 * drift.h - the clock corrects its DS1302 crystal (issue 20; docs/protocol.md "Drift"),
 * built with the board's [firmware] drift = true (FEATURE_DRIFT).
 *
 * The model: RATE (0.01 ppm, -300.00..+300.00) is the rate the clock believes its crystal
 * runs at; with compensation on (settings flag SET_COMP, a DS18B20 reading) the rate at T is
 * RATE + K (T - T0)^2 (K 0.001 ppm/C^2, T0 C, T rounded to whole degrees). Every second the
 * DS1302 counts, drift_second() adds RATE to ACC (drift_acc, 10 ns units: the predicted error
 * not yet stepped, positive = fast), and at second :00 the minute's temperature part (the
 * last reading's); whenever |ACC| >= 1 s at second :30 of a
 * minute the DS1302 is stepped by one second against it (clock burst, never across a minute:
 * ACC -/+= 1 s, STEPS -/+= 1). SET and key edits reset ACC and STEPS (clock.c calls
 * drift_set() after the clock burst).
 *
 * DS1302 RAM (battery-backed; RAM0..4 are the settings, clock.h):
 *   RAM5..6   the clock's ID (little-endian; 0000 and FFFF: none)
 *   RAM7..18  record copy 0, RAM19..30 copy 1, 12 bytes each:
 *     0-1 RATE int16 (0.01 ppm)        2 K int8 (0.001 ppm/C^2)
 *     3   T0 (bits 0-5) | sequence (bits 6-7)
 *     4-5 ACC at the reference (bits 15..1: signed, 163.84 us units, +-2.68 s) | g (bit 0,
 *         the generation below)
 *     6-7 STEPS int16                  8-10 reference time: 4-minute units since 2000-01-01
 *     11  CRC-8 of bytes 0..10 (polynomial 0x07, seed 0xA5, as the settings)
 *   A write goes to the copy that does not hold (the older), all bytes but byte 3 first,
 *   then byte 3 with the next sequence number: until that byte is written the copy is the
 *   older one (or invalid), after it the whole copy is new. The newest valid copy wins (the
 *   sequence counts mod 4: "newer" is one ahead). A board whose RAM holds no valid copy (a
 *   fresh chip, or the layout of a firmware without drift) starts with RATE 0, K -0.034,
 *   T0 25, ID none; RAM0..4 are left alone.
 * Generation: the day-of-week register holds weekday + offset (clock.h): 0 or 1 = a set
 * time whose generation g is the offset, 2 = set, record pending, 3 = "set me". A step
 * writes the record with g' = not g first, then the clock burst with offset g'. At power-up
 * the newest valid copy holds if its g is the clock's, else the other one does (the clock
 * write never happened). A SET writes the clock with offset 2 (within its 2 ms), then the
 * reset record with g' = not g, then the day-of-week register alone with offset g'; offset
 * 2 found at power-up redoes the reset (the drift accounted between the cut and the power-up
 * is lost).
 * Reference: the record holds ACC extrapolated at RATE to the last 4-minute boundary of the
 * clock's time when it was written (the fold), so that at power-up ACC = its ACC + RATE x
 * (time since that boundary): the catch-up for the time on battery (RATE only: the sensor
 * is not read on battery), stepped at once by the whole seconds (clock burst at the next
 * second's edge, calendar arithmetic), keeping the fraction. Folds: every hour (hh:00:00),
 * at every step, SET, DRIFT change and power-up; between them the MCU keeps the finer sum
 * (a power cut loses at most the last hour's temperature part). Catch-up spans of more
 * than 2^19 minutes (364 days) on battery, or a clock behind its record, are not corrected
 * (ACC and STEPS restart at 0, as after a set).
 */
#ifndef DRIFT_H
#define DRIFT_H

#include "compat.h"
#include "board_config.h"

#if FEATURE_DRIFT
#include "ds1302.h"

typedef struct {
    int16_t rate;           /* 0.01 ppm */
    int8_t k;               /* 0.001 ppm/C^2 */
    uint8_t t0seq;          /* T0 | sequence << 6 */
    int16_t accg;           /* ACC (2^17 ns units) << 1 | g */
    int16_t steps;
    uint8_t ref[3];         /* 4-minute units since 2000 */
    uint8_t crc;
} drift_rec_t;

#define DRIFT_REC ((drift_rec_t NEAR *)ds1302_buf)  /* the record being read or written */
#define DRIFT_RATE_MAX 30000
#define DRIFT_K_MAX    127
#define DRIFT_T0_MAX   63

extern IDATA int32_t drift_acc;           /* predicted error not yet stepped, 10 ns (+ = fast) */

void drift_boot(void) REENTRANT;            /* after clock_boot(): the record, the catch-up */
void drift_second(uint8_t may_step) REENTRANT;/* a new second in clock_now (may_step: seen at its edge,
                                       no serial line under way: a step or fold may run) */
void drift_set(void);               /* the clock was set (offset 2 written): the reset */
void drift_load(void);              /* the holding record -> DRIFT_REC */
void drift_store(void);             /* DRIFT_REC changed (RATE, K, T0) or COMP: folded in */
uint16_t drift_id(void);            /* RAM5..6 */
void drift_put_id(uint16_t id);
int16_t drift_steps(void);          /* STEPS of the holding record */
#endif

#endif /* DRIFT_H */
