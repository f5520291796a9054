/*
 * uart.c - interrupt-driven UART. See uart.h.
 *
 * The ISR calls nothing (it saves only the few registers it uses; no register bank is
 * reserved, which leaves 16 more bytes of internal RAM for data). Ring indices are single
 * bytes, so the main loop reads them atomically; each index has one writer (RX: head = ISR,
 * tail = main; TX: head = main, tail = ISR). tx_busy is set by uart_putc() when it starts a
 * transmission (by setting TI: the interrupt then loads SBUF) and cleared by the interrupt
 * when the buffer is sent, so the buffer is only reset while the interrupt leaves it alone.
 */
#include "board_config.h"
#include "uart.h"

#define RX_MASK (UART_RX_SIZE - 1)

static XDATA uint8_t rx_buf[UART_RX_SIZE];
static XDATA uint8_t tx_buf[UART_TX_SIZE];
static volatile uint8_t rx_head, rx_tail, tx_head, tx_tail;
static volatile __bit tx_busy;

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
    ES = 1;                         /* indices and tx_busy start at 0 (cleared RAM) */
}

void uart_isr(void) __interrupt(4)
{
    uint8_t n;
    if (RI) {
        RI = 0;
        n = (rx_head + 1) & RX_MASK;
        if (n != rx_tail) {         /* full: the byte is dropped (cannot happen in use) */
            rx_buf[rx_head] = SBUF;
            rx_head = n;
        }
    }
    if (TI) {
        TI = 0;
        n = tx_tail;
        if (n != tx_head) {
            SBUF = tx_buf[n];
            tx_tail = n + 1;
        } else {
            tx_busy = 0;
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
