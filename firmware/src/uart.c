/*
 * uart.c - interrupt-driven UART. See uart.h.
 *
 * The ISR calls nothing (it saves only the few registers it uses; no register bank is
 * reserved, which leaves 16 more bytes of internal RAM for data). Ring indices are single
 * bytes, so the main loop reads them atomically; each index has one writer (RX: head = ISR,
 * tail = main; TX: head = main, tail = ISR). tx_busy is set by uart_putc() when it starts a
 * transmission (by setting TI: the interrupt then loads SBUF) and cleared by the interrupt
 * when the buffer is sent, so the buffer is only reset while the interrupt leaves it alone.
 *
 * Overflow bookkeeping, all written by the ISR (rx_skip also by uart_rx_lost() with
 * interrupts off): rx_mid = the last byte received, stored or not, was not a line end (a
 * line is in progress); rx_skip = bytes are being dropped since the ring was full; rx_lost =
 * lines dropped meanwhile (a line end dropped while rx_mid). Dropping ends at the first byte
 * of a line that finds the ring empty, or, when the reader finds the ring empty after a
 * dropped line end, at once: either way every byte still in the ring came before the gap,
 * every byte stored later after it.
 */
#include "board_config.h"
#include "uart.h"

#define RX_MASK (UART_RX_SIZE - 1)

static XDATA uint8_t rx_buf[UART_RX_SIZE];
static XDATA uint8_t tx_buf[UART_TX_SIZE];
static volatile uint8_t rx_head, rx_tail, tx_head, tx_tail;
static volatile uint16_t rx_lost;
static volatile __bit tx_busy, rx_skip, rx_mid;
volatile __bit uart_event;

void uart_init(void)
{
    SCON = 0x50;                    /* mode 1 (8-bit, variable baud), REN = 1 */
#if UART_SMOD
    PCON |= 0x80;
#else
    PCON &= 0x7F;
#endif
    TMOD = (TMOD & 0x0F) | 0x20;    /* Timer 1 mode 2, auto-reload */
    TH1 = UART_TH1;
    TL1 = UART_TH1;
    TR1 = 1;
    ES = 1;                         /* indices, counts and flags start at 0 (cleared RAM) */
}

void uart_isr(void) __interrupt(4)
{
    uint8_t c, n;
    if (RI) {
        RI = 0;
        c = SBUF;
        n = (rx_head + 1) & RX_MASK;
        if (rx_skip) {
            if (!rx_mid && rx_head == rx_tail)
                rx_skip = 0;        /* a line starts and the ring is empty: store again */
        } else if (n == rx_tail) {
            rx_skip = 1;            /* full: this byte and its line are lost */
        }
        if (!rx_skip) {
            rx_buf[rx_head] = c;
            rx_head = n;
        }
        c = (c == '\r' || c == '\n');
        if (rx_skip && c && rx_mid)
            rx_lost++;              /* a line end dropped: one more line lost */
        rx_mid = !c;
        uart_event = 1;
    }
    if (TI) {
        TI = 0;
        n = tx_tail;
        if (n != tx_head) {
            SBUF = tx_buf[n];
            tx_tail = n + 1;
        } else {
            tx_busy = 0;
            uart_event = 1;
        }
    }
}

bool_t uart_rx_ready(void)
{
    return rx_head != rx_tail;
}

uint8_t uart_getc(void)
{
    uint8_t t = rx_tail;
    uint8_t c = rx_buf[t];
    rx_tail = (t + 1) & RX_MASK;
    return c;
}

uint16_t uart_rx_lost(void)
{
    uint16_t n = 0;
    EA = 0;
    if (rx_skip && !rx_mid && rx_head == rx_tail)
        rx_skip = 0;                /* the gap is reached and ended with a line end */
    if (!rx_skip) {
        n = rx_lost;
        rx_lost = 0;
    }
    EA = 1;
    return n;
}

void uart_putc(uint8_t c)
{
    uint8_t h = tx_head;
    if (h < UART_TX_SIZE) {
        tx_buf[h] = c;
        tx_head = h + 1;
    }
    if (!tx_busy) {
        tx_busy = 1;
        TI = 1;                     /* the interrupt sends the buffer */
    }
}

bool_t uart_tx_idle(void)
{
    return !tx_busy;
}

void uart_tx_start(void)
{
    tx_head = 0;
    tx_tail = 0;
}

uint8_t uart_tx_used(void)
{
    return tx_head;
}
