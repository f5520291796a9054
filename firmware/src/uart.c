/*
 * uart.c - interrupt-driven UART. See uart.h.
 *
 * The ISR calls nothing (it saves only the few registers it uses; no register bank is
 * reserved, which leaves 16 more bytes of internal RAM for data). Ring indices are single bytes, so the
 * main loop reads them atomically; each index has one writer (RX: head = ISR, tail = main;
 * TX: head = main, tail = ISR). tx_busy tells whether a byte is in the shift register; when
 * it is clear, uart_putc() writes SBUF itself (no software-set TI needed).
 */
#include "board_config.h"
#include "uart.h"
#include "tick.h"
#include "protocol.h"

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
    rx_head = rx_tail = tx_head = tx_tail = 0;
    tx_busy = 0;
    RI = 0;
    TI = 0;
    ES = 1;
}

void uart_isr(void) __interrupt(4)
{
    uint8_t n;
    if (RI) {
        RI = 0;
        n = rx_head + 1;
        if (n == UART_RX_SIZE)
            n = 0;
        if (n != rx_tail) {         /* full: the byte is dropped (cannot happen in use) */
            rx_buf[rx_head] = SBUF;
            rx_head = n;
        }
    }
    if (TI) {
        TI = 0;
        if (tx_tail != tx_head) {
            SBUF = tx_buf[tx_tail];
            n = tx_tail + 1;
            if (n == UART_TX_SIZE)
                n = 0;
            tx_tail = n;
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
    uint8_t c = rx_buf[rx_tail];
    uint8_t n = rx_tail + 1;
    if (n == UART_RX_SIZE)
        n = 0;
    rx_tail = n;
    return c;
}

void uart_putc(uint8_t c)
{
    uint8_t n = tx_head + 1;
    if (n == UART_TX_SIZE)
        n = 0;
    while (n == tx_tail) {          /* ring full: the TX interrupt will make room */
        protocol_rx();              /* meanwhile keep taking received lines */
        EA = 0;                     /* sleep unless a byte came meanwhile (see main.c) */
        if (rx_head == rx_tail && n == tx_tail) {
            __asm
                setb _EA
                orl  _PCON,#0x01
            __endasm;
        } else {
            EA = 1;
        }
    }
    ES = 0;
    if (!tx_busy) {
        tx_busy = 1;
        SBUF = c;
    } else {
        tx_buf[tx_head] = c;
        tx_head = n;
    }
    ES = 1;
}

bool_t uart_tx_empty(void)
{
    return tx_head == tx_tail;
}
