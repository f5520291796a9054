/*
 * doubles.c - the test doubles of doubles.h.
 */
#include "doubles.h"
#include "uart.h"
#include "ds1302.h"
#include "ui.h"
#include "buzzer.h"

/* ---- UART ---- */

XDATA char fake_uart_out[FAKE_OUT_SIZE + 1];
IDATA uint8_t fake_uart_out_len;
XDATA uint16_t fake_uart_lost;
static XDATA uint8_t rx_buf[FAKE_RX_SIZE];
static IDATA uint8_t rx_head, rx_tail;

void fake_uart_feed_byte(uint8_t b)
{
    if (rx_head == rx_tail)
        rx_head = rx_tail = 0;
    if (rx_head < FAKE_RX_SIZE)
        rx_buf[rx_head++] = b;
}

void fake_uart_feed(const char *s)
{
    while (*s)
        fake_uart_feed_byte((uint8_t)*s++);
}

void fake_uart_clear(void)
{
    rx_head = rx_tail = 0;
    fake_uart_lost = 0;
    fake_uart_out_len = 0;
    fake_uart_out[0] = 0;
}

bool_t uart_rx_ready(void)
{
    return rx_tail != rx_head;
}

uint8_t uart_getc(void)
{
    return rx_buf[rx_tail++];
}

uint16_t uart_rx_lost(void)
{
    uint16_t n = 0;
    if (rx_head == rx_tail) {           /* the gap lies after every byte fed so far */
        n = fake_uart_lost;
        fake_uart_lost = 0;
    }
    return n;
}

/* the bytes written since uart_tx_start(): beyond UART_TX_SIZE the real line buffer drops
 * them, and so does this double */
static IDATA uint8_t tx_piece;

void uart_putc(uint8_t c)
{
    if (tx_piece >= UART_TX_SIZE)
        return;
    tx_piece++;
    if (fake_uart_out_len < FAKE_OUT_SIZE) {
        fake_uart_out[fake_uart_out_len++] = (char)c;
        fake_uart_out[fake_uart_out_len] = 0;
    }
}

bool_t uart_tx_idle(void)
{
    return 1;
}

void uart_tx_start(void)
{
    tx_piece = 0;
}


/* ---- DS1302 ---- */

IDATA uint8_t ds1302_buf[DS1302_BUF_SIZE];
XDATA uint8_t fake_rtc_reg[9];
XDATA uint8_t fake_rtc_ram[31];
XDATA uint8_t fake_rtc_writes, fake_rtc_refused;

#define REG_CTRL 7

void fake_rtc_reset(void)
{
    uint8_t i;
    for (i = 0; i < 9; i++)
        fake_rtc_reg[i] = 0;
    for (i = 0; i < 31; i++)
        fake_rtc_ram[i] = 0;
    fake_rtc_reg[0] = DS1302_CH;
    fake_rtc_reg[3] = fake_rtc_reg[4] = fake_rtc_reg[5] = 1;
    fake_rtc_reg[REG_CTRL] = DS1302_WP;
    fake_rtc_writes = fake_rtc_refused = 0;
}

void fake_rtc_set(uint8_t yy, uint8_t mm, uint8_t dd, uint8_t hh, uint8_t mi, uint8_t ss,
                  uint8_t wd)
{
    fake_rtc_reg[0] = ss;
    fake_rtc_reg[1] = mi;
    fake_rtc_reg[2] = hh;
    fake_rtc_reg[3] = dd;
    fake_rtc_reg[4] = mm;
    fake_rtc_reg[5] = wd;
    fake_rtc_reg[6] = yy;
}

/* a write to register/RAM byte at this command: refused while WP (control excepted) */
static bool_t may_write(uint8_t cmd)
{
    if ((fake_rtc_reg[REG_CTRL] & DS1302_WP) && cmd != DS1302_CTRL_W) {
        fake_rtc_refused++;
        return 0;
    }
    fake_rtc_writes++;
    return 1;
}

static XDATA uint8_t *cell(uint8_t cmd)
{
    uint8_t a = (cmd >> 1) & 0x1F;
    if (cmd & 0x40)
        return a < 31 ? &fake_rtc_ram[a] : 0;
    return a <= REG_CTRL ? &fake_rtc_reg[a] : a == 8 ? &fake_rtc_reg[8] : 0;
}

void ds1302_init(void)
{
}

uint8_t ds1302_read(uint8_t cmd)
{
    XDATA uint8_t *p = cell(cmd);
    return p ? *p : 0;
}

void ds1302_write(uint8_t cmd, uint8_t v)
{
    XDATA uint8_t *p = cell(cmd);
    if (p && may_write(cmd))
        *p = v;
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
    uint8_t i;
    for (i = 0; i < n; i++)
        ds1302_buf[i] = cmd == DS1302_RAMBURST_R ? fake_rtc_ram[i] : fake_rtc_reg[i];
}

void ds1302_burst_write(uint8_t cmd, const uint8_t NEAR *src, uint8_t n)
{
    uint8_t i;
    if (!may_write(cmd))
        return;
    if (cmd == DS1302_CLKBURST_W && n != 8) {
        fake_rtc_refused++;                 /* the chip ignores a short clock burst */
        return;
    }
    for (i = 0; i < n; i++) {
        if (cmd == DS1302_RAMBURST_W)
            fake_rtc_ram[i] = src[i];
        else
            fake_rtc_reg[i] = src[i];
    }
}

/* ---- UI and buzzer ---- */

uint8_t ui_dirty;
XDATA uint8_t fake_cancel_edits, fake_rings, fake_calendar_stale;

void ui_cancel_edit(void)
{
    fake_cancel_edits++;
}

void ui_calendar_stale(void)
{
    fake_calendar_stale++;
}

void buzzer_ring(void)
{
    fake_rings++;
}

/* ---- the drift correction (drift.c: tested in the simulator, tests/firmware/test_drift.py) ----
 * What clock.c and protocol.c call of it on a board with the feature: a set ends with the
 * day-of-week register written alone with the record's generation (0 here), the record
 * reads as the defaults, a DRIFT change is counted. */
#if FEATURE_DRIFT && (UNDER_TEST_CLOCK || UNDER_TEST_PROTOCOL)
#include "clock.h"
#include "drift.h"

XDATA uint8_t fake_drift_sets, fake_drift_stores;
#endif
#if FEATURE_DRIFT && UNDER_TEST_CLOCK
void drift_set(void)
{
    fake_drift_sets++;
    clock_mark(0);
}

void drift_second(uint8_t may_step) REENTRANT
{
    (void)may_step;
}
#if !UNDER_TEST_PROTOCOL
bool_t protocol_idle(void)
{
    return 1;
}
#endif
#endif
#if FEATURE_DRIFT && UNDER_TEST_PROTOCOL
IDATA int32_t drift_acc;

void drift_load(void)
{
    uint8_t i;
    for (i = 0; i < sizeof(drift_rec_t); i++)
        ds1302_buf[i] = 0;
    DRIFT_REC->k = -34;
    DRIFT_REC->t0seq = 25;
}

void drift_store(void)
{
    fake_drift_stores++;
}

uint16_t drift_id(void)
{
    return 0xFFFF;
}

void drift_put_id(uint16_t id)
{
    (void)id;
}

int16_t drift_steps(void)
{
    return 0;
}
#endif
