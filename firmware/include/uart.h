/*
 * uart.h - interrupt-driven UART (mode 1, 8N1) at UART_BAUD, Timer 1 mode 2 (auto-reload
 * TH1 = UART_TH1, SMOD = UART_SMOD) per board_config.h.
 *
 * Receive: the serial interrupt stores every byte in a 32-byte XRAM ring (33 ms of input at
 * 9600 baud); the main loop drains it into the protocol's line parser at every pass and
 * between LCD characters, so no byte is lost while it talks to the LCD or the DS1302.
 * Interrupts are never disabled for longer than a few instructions (the DS1302 and LCD
 * drivers run with EA = 1), so RI is always served within one frame.
 * Transmit: one whole reply line at a time. uart_tx_start() (only while uart_tx_idle())
 * empties the XRAM transmit buffer, uart_putc() appends to it and starts the interrupt-driven
 * transmission; it never waits. UART_TX_SIZE holds the longest reply (protocol.c checks this
 * at compile time); bytes beyond it would be dropped.
 */
#ifndef UART_H
#define UART_H

#include "compat.h"

#define UART_RX_SIZE 32             /* power of two */
#define UART_TX_SIZE 104            /* the longest reply: INFO with temp= */

void    uart_init(void);
bool_t  uart_rx_ready(void);        /* at least one byte waiting */
uint8_t uart_getc(void);            /* call only when uart_rx_ready() */
void    uart_putc(uint8_t c);
bool_t  uart_tx_idle(void);         /* the last line is completely sent */
void    uart_tx_start(void);        /* a new line: call only when uart_tx_idle() */

#if FW_TARGET
void uart_isr(void) __interrupt(4);  /* prototype must be visible to main.c */
#endif

#endif /* UART_H */
